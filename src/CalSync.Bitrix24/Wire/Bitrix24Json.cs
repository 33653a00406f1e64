using System;
using System.Buffers;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using CalSync.Bitrix24.Reading;
using CalSync.Bitrix24.Rest;

namespace CalSync.Bitrix24.Wire;

/// <summary>
/// The Bitrix24 JSON CalSync reads into types, generated at build time (no reflection serialisers in a new process):
/// event rows and the read cursor. The converters below read Bitrix24's loose values as <see cref="Json"/> does:
/// numbers as strings, <c>""</c>/<c>false</c>/<c>null</c> where an object is expected, PHP's <c>[]</c> for empty maps.
/// </summary>
[JsonSerializable(typeof(EventRowFields))]
[JsonSerializable(typeof(EventRowFields.Reminder))]
[JsonSerializable(typeof(EventRowFields.Attendance))]
[JsonSerializable(typeof(EventRowFields.MeetingInfo))]
[JsonSerializable(typeof(Bitrix24Cursor))]
internal sealed partial class Bitrix24Json : JsonSerializerContext
{
}

/// <summary>
/// The fields of a <c>calendar.event.get</c> / <c>getbyid</c> row that CalSync reads (a row has some 90; the rest is
/// skipped). Dates come in the portal's culture format, or always the same way in *_FORMATTED (<see cref="Bitrix24Dates"/>).
/// </summary>
internal sealed class EventRowFields
{
    [JsonPropertyName("ID"), JsonConverter(typeof(LooseText))] public string? Id { get; set; }
    [JsonPropertyName("PARENT_ID"), JsonConverter(typeof(LooseText))] public string? ParentId { get; set; }
    [JsonPropertyName("SECTION_ID"), JsonConverter(typeof(LooseText))] public string? SectionId { get; set; }
    [JsonPropertyName("SECT_ID"), JsonConverter(typeof(LooseText))] public string? SectId { get; set; }
    [JsonPropertyName("VERSION"), JsonConverter(typeof(LooseText))] public string? Version { get; set; }
    [JsonPropertyName("NAME"), JsonConverter(typeof(LooseText))] public string? Name { get; set; }
    [JsonPropertyName("DESCRIPTION"), JsonConverter(typeof(LooseText))] public string? Description { get; set; }
    [JsonPropertyName("LOCATION"), JsonConverter(typeof(LooseText))] public string? Location { get; set; }
    [JsonPropertyName("DT_SKIP_TIME"), JsonConverter(typeof(LooseText))] public string? SkipTime { get; set; }
    [JsonPropertyName("ACCESSIBILITY"), JsonConverter(typeof(LooseText))] public string? Accessibility { get; set; }
    [JsonPropertyName("IMPORTANCE"), JsonConverter(typeof(LooseText))] public string? Importance { get; set; }
    [JsonPropertyName("EXDATE"), JsonConverter(typeof(LooseText))] public string? ExDate { get; set; }
    [JsonPropertyName("RECURRENCE_ID"), JsonConverter(typeof(LooseText))] public string? RecurrenceId { get; set; }
    [JsonPropertyName("TZ_FROM"), JsonConverter(typeof(LooseText))] public string? TzFrom { get; set; }
    [JsonPropertyName("TZ_TO"), JsonConverter(typeof(LooseText))] public string? TzTo { get; set; }
    [JsonPropertyName("MEETING_HOST"), JsonConverter(typeof(LooseText))] public string? MeetingHost { get; set; }
    [JsonPropertyName("MEETING_STATUS"), JsonConverter(typeof(LooseText))] public string? MeetingStatus { get; set; }
    [JsonPropertyName("TIMESTAMP_X"), JsonConverter(typeof(CultureDate))] public DateTime? TimestampX { get; set; }
    [JsonPropertyName("ORIGINAL_DATE_FROM"), JsonConverter(typeof(CultureDate))] public DateTime? OriginalDateFrom { get; set; }
    /// <summary>Kept as text: read only when *_FORMATTED is missing (rows carry both; parsing both was a fifth of the row's cost).</summary>
    [JsonPropertyName("DATE_FROM"), JsonConverter(typeof(LooseText))] public string? DateFrom { get; set; }
    [JsonPropertyName("DATE_TO"), JsonConverter(typeof(LooseText))] public string? DateTo { get; set; }
    [JsonPropertyName("DATE_FROM_FORMATTED"), JsonConverter(typeof(FormattedDate))] public DateTime? DateFromFormatted { get; set; }
    [JsonPropertyName("DATE_TO_FORMATTED"), JsonConverter(typeof(FormattedDate))] public DateTime? DateToFormatted { get; set; }

    /// <summary>~DATE_FROM: the series' first occurrence on an expanded row (its presence says the row is expanded).</summary>
    [JsonPropertyName("~DATE_FROM"), JsonConverter(typeof(CultureDate))]
    public DateTime? SeriesDateFrom
    {
        get => _seriesDateFrom;
        set
        {
            _seriesDateFrom = value;
            HasSeriesDateFrom = true;
        }
    }
    private DateTime? _seriesDateFrom;

    [JsonIgnore] public bool HasSeriesDateFrom { get; private set; }
    [JsonPropertyName("~DATE_TO"), JsonConverter(typeof(CultureDate))] public DateTime? SeriesDateTo { get; set; }
    [JsonPropertyName("PRIVATE_EVENT"), JsonConverter(typeof(Flag))] public bool Private { get; set; }
    [JsonPropertyName("IS_MEETING"), JsonConverter(typeof(Flag))] public bool IsMeeting { get; set; }
    /// <summary>An object for a series (<c>""</c> otherwise); read by <see cref="Json"/>'s helpers.</summary>
    [JsonPropertyName("RRULE"), JsonConverter(typeof(ObjectElement))] public JsonElement? RRule { get; set; }
    [JsonPropertyName("REMIND"), JsonConverter(typeof(Items<Reminder>))] public List<Reminder>? Remind { get; set; }
    [JsonPropertyName("ATTENDEE_LIST"), JsonConverter(typeof(Items<Attendance>))] public List<Attendance>? Attendees { get; set; }
    [JsonPropertyName("MEETING"), JsonConverter(typeof(ObjectOrNull<MeetingInfo>))] public MeetingInfo? Meeting { get; set; }

    internal sealed class Reminder
    {
        [JsonPropertyName("type"), JsonConverter(typeof(LooseText))] public string? Type { get; set; }
        [JsonPropertyName("count"), JsonConverter(typeof(LooseLong))] public long? Count { get; set; }

        public void Deconstruct(out string? type, out long? count) => (type, count) = (Type, Count);
    }

    internal sealed class Attendance
    {
        [JsonPropertyName("id"), JsonConverter(typeof(LooseText))] public string? Id { get; set; }
        [JsonPropertyName("status"), JsonConverter(typeof(LooseText))] public string? Status { get; set; }
    }

    internal sealed class MeetingInfo
    {
        /// <summary>The organizer's name.</summary>
        [JsonPropertyName("HOST_NAME"), JsonConverter(typeof(LooseText))] public string? HostName { get; set; }
    }
}

/// <summary>A value as <see cref="Json.AsString"/> reads it: numbers as their text, <c>true</c> as "true"; anything else null.</summary>
internal sealed class LooseText : JsonConverter<string?>
{
    public override bool HandleNull => true;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Text(ref reader);

    public static string? Text(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String: return reader.GetString();
            case JsonTokenType.Number: return Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan.ToArray());
            case JsonTokenType.True: return "true";
            default:
                reader.Skip();
                return null;
        }
    }

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}

/// <summary>As <see cref="Json.AsLong"/>.</summary>
internal sealed class LooseLong : JsonConverter<long?>
{
    public override bool HandleNull => true;

    public override long? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                if (reader.TryGetInt64(out var l)) return l;
                return reader.TryGetDouble(out var d) ? (long)d : null;
            case JsonTokenType.String:
                return Json.ParseLong(reader.GetString());
            default:
                reader.Skip();
                return null;
        }
    }

    public override void Write(Utf8JsonWriter writer, long? value, JsonSerializerOptions options) => throw new NotSupportedException();
}

/// <summary>Bitrix24's flags: true, a non-zero integer, or Y/y/1/true/TRUE.</summary>
internal sealed class Flag : JsonConverter<bool>
{
    public override bool HandleNull => true;

    public override bool Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.True: return true;
            case JsonTokenType.Number: return reader.TryGetInt64(out var n) && n != 0;
            case JsonTokenType.String: return reader.GetString() is "Y" or "y" or "1" or "true" or "TRUE";
            default:
                reader.Skip();
                return false;
        }
    }

    public override void Write(Utf8JsonWriter writer, bool value, JsonSerializerOptions options) => throw new NotSupportedException();
}

/// <summary>A date in the portal's culture format (<see cref="Bitrix24Dates.ParseCulture"/>).</summary>
internal sealed class CultureDate : JsonConverter<DateTime?>
{
    public override bool HandleNull => true;

    public override DateTime? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        Span<char> text = stackalloc char[64];
        return TryChars(ref reader, text, out var length) ? Bitrix24Dates.ParseCulture(text[..length]) : Bitrix24Dates.ParseCulture(LooseText.Text(ref reader));
    }

    /// <summary>A short string value as characters on the caller's stack (dates: several a row, no string each).</summary>
    internal static bool TryChars(ref Utf8JsonReader reader, scoped Span<char> text, out int length)
    {
        length = 0;
        if (reader.TokenType != JsonTokenType.String || (reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length) > text.Length) return false;
        length = reader.CopyString(text);
        return true;
    }

    public override void Write(Utf8JsonWriter writer, DateTime? value, JsonSerializerOptions options) => throw new NotSupportedException();
}

/// <summary>A *_FORMATTED date (<see cref="Bitrix24Dates.ParseFormatted"/>).</summary>
internal sealed class FormattedDate : JsonConverter<DateTime?>
{
    public override bool HandleNull => true;

    public override DateTime? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        Span<char> text = stackalloc char[64];
        return CultureDate.TryChars(ref reader, text, out var length) ? Bitrix24Dates.ParseFormatted(text[..length]) : Bitrix24Dates.ParseFormatted(LooseText.Text(ref reader));
    }

    public override void Write(Utf8JsonWriter writer, DateTime? value, JsonSerializerOptions options) => throw new NotSupportedException();
}

/// <summary>
/// An object as an element, null for any other value: most rows carry <c>""</c>, and an element of it would be a document
/// per row (scenario 2, no-op at 10,000 links: the Bitrix24 read's CPU).
/// </summary>
internal sealed class ObjectElement : JsonConverter<JsonElement?>
{
    public override bool HandleNull => true;

    public override JsonElement? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.StartObject) return JsonElement.ParseValue(ref reader);
        reader.Skip();
        return null;
    }

    public override void Write(Utf8JsonWriter writer, JsonElement? value, JsonSerializerOptions options)
    {
        if (value is { } v) v.WriteTo(writer);
        else writer.WriteStringValue("");
    }
}

/// <summary>An object, or null for any other value (<c>""</c>, <c>false</c>, <c>null</c>).</summary>
internal sealed class ObjectOrNull<T> : JsonConverter<T?> where T : class, new()
{
    public override bool HandleNull => true;

    public override T? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.StartObject) return JsonSerializer.Deserialize(ref reader, (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T)));
        reader.Skip();
        return null;
    }

    public override void Write(Utf8JsonWriter writer, T? value, JsonSerializerOptions options) => throw new NotSupportedException();
}

/// <summary>
/// As <see cref="Json.Items"/>: a list, or a map whose values are the items; an item that is no object is an empty one;
/// any other value is no list.
/// </summary>
internal sealed class Items<T> : JsonConverter<List<T>?> where T : class, new()
{
    public override bool HandleNull => true;

    public override List<T>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType is not (JsonTokenType.StartArray or JsonTokenType.StartObject))
        {
            reader.Skip();
            return null;
        }
        var item = (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
        var map = reader.TokenType == JsonTokenType.StartObject;
        var list = new List<T>();
        while (reader.Read() && reader.TokenType is not (JsonTokenType.EndArray or JsonTokenType.EndObject))
        {
            if (map) reader.Read(); // the map's key
            if (reader.TokenType == JsonTokenType.StartObject) list.Add(JsonSerializer.Deserialize(ref reader, item)!);
            else
            {
                reader.Skip();
                list.Add(new T());
            }
        }
        return list;
    }

    public override void Write(Utf8JsonWriter writer, List<T>? value, JsonSerializerOptions options) => throw new NotSupportedException();
}
