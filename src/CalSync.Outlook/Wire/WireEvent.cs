using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using G = Microsoft.Graph.Models;

namespace CalSync.Outlook.Wire;

/// <summary>
/// The fields of a Graph event that <see cref="EventReader"/> maps, as they came over the wire. Filled either from
/// the SDK's model (<see cref="From"/>) or straight from the JSON (<see cref="Read"/>, for delta pages and $batch
/// answers: no Kiota parse nodes or backing stores per event), so both paths share one mapping.
/// </summary>
internal sealed class WireEvent
{
    public string? Id { get; set; }
    public G.EventType? Type { get; set; }
    public string? SeriesMasterId { get; set; }
    public string? ChangeKey { get; set; }
    /// <summary>@odata.etag: the version when changeKey is absent.</summary>
    public string? ETag { get; set; }
    public string? Subject { get; set; }
    public bool HasBody { get; set; }
    public string? BodyContent { get; set; }
    public G.BodyType? BodyType { get; set; }
    public string? Location { get; set; }
    public bool? IsAllDay { get; set; }
    public bool? IsCancelled { get; set; }
    public string? OriginalStartTimeZone { get; set; }
    public string? OriginalEndTimeZone { get; set; }
    public WireTime? Start { get; set; }
    public WireTime? End { get; set; }
    public DateTimeOffset? OriginalStart { get; set; }
    public G.FreeBusyStatus? ShowAs { get; set; }
    public G.Sensitivity? Sensitivity { get; set; }
    public G.Importance? Importance { get; set; }
    public bool? IsReminderOn { get; set; }
    public int? ReminderMinutesBeforeStart { get; set; }
    public List<string?>? Categories { get; set; }
    public List<WireAttendee>? Attendees { get; set; }
    public DateTimeOffset? LastModified { get; set; }
    public G.PatternedRecurrence? Recurrence { get; set; }
    public List<string?>? CancelledOccurrences { get; set; }
    /// <summary>singleValueExtendedProperties as (id, value); null when the answer had none (not expanded).</summary>
    public List<(string? Id, string? Value)>? ExtendedProperties { get; set; }
    /// <summary>A delta tombstone (@removed).</summary>
    public bool Removed { get; set; }

    public static WireEvent From(G.Event ev) => new()
    {
        Id = ev.Id,
        Type = ev.Type,
        SeriesMasterId = ev.SeriesMasterId,
        ChangeKey = ev.ChangeKey,
        ETag = ev.AdditionalData is not null && ev.AdditionalData.TryGetValue("@odata.etag", out var etag) ? etag as string : null,
        Subject = ev.Subject,
        HasBody = ev.Body is not null,
        BodyContent = ev.Body?.Content,
        BodyType = ev.Body?.ContentType,
        Location = ev.Location?.DisplayName,
        IsAllDay = ev.IsAllDay,
        IsCancelled = ev.IsCancelled,
        OriginalStartTimeZone = ev.OriginalStartTimeZone,
        OriginalEndTimeZone = ev.OriginalEndTimeZone,
        Start = ev.Start is null ? null : new WireTime(ev.Start.DateTime, ev.Start.TimeZone),
        End = ev.End is null ? null : new WireTime(ev.End.DateTime, ev.End.TimeZone),
        OriginalStart = ev.OriginalStart,
        ShowAs = ev.ShowAs,
        Sensitivity = ev.Sensitivity,
        Importance = ev.Importance,
        IsReminderOn = ev.IsReminderOn,
        ReminderMinutesBeforeStart = ev.ReminderMinutesBeforeStart,
        Categories = ev.Categories?.ToList<string?>(),
        Attendees = ev.Attendees?.Where(a => a?.EmailAddress is not null)
            .Select(a => new WireAttendee(a.EmailAddress!.Name, a.EmailAddress.Address, a.Type, a.Status?.Response)).ToList(),
        LastModified = ev.LastModifiedDateTime,
        Recurrence = ev.Recurrence,
        CancelledOccurrences = ev.CancelledOccurrences?.ToList<string?>(),
        ExtendedProperties = ev.SingleValueExtendedProperties?.Select(p => ((string?)p.Id, (string?)p.Value)).ToList(),
        Removed = ev.AdditionalData is not null && ev.AdditionalData.ContainsKey("@removed"),
    };

    /// <summary>
    /// Reads one event object (the reader on its StartObject; left on its EndObject). Values of an unexpected JSON
    /// kind read as absent, as the SDK's parse nodes do; unknown properties are skipped.
    /// </summary>
    public static WireEvent Read(ref Utf8JsonReader r)
    {
        Expect(ref r, JsonTokenType.StartObject, "an event");
        var ev = new WireEvent();
        while (Next(ref r) == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("id"u8)) ev.Id = Str(ref r);
            else if (r.ValueTextEquals("type"u8)) ev.Type = Enum<G.EventType>(ref r);
            else if (r.ValueTextEquals("seriesMasterId"u8)) ev.SeriesMasterId = Str(ref r);
            else if (r.ValueTextEquals("changeKey"u8)) ev.ChangeKey = Str(ref r);
            else if (r.ValueTextEquals("@odata.etag"u8)) ev.ETag = Str(ref r);
            else if (r.ValueTextEquals("subject"u8)) ev.Subject = Str(ref r);
            else if (r.ValueTextEquals("body"u8)) ReadBody(ref r, ev);
            else if (r.ValueTextEquals("location"u8)) ev.Location = ReadObject(ref r, "displayName"u8);
            else if (r.ValueTextEquals("isAllDay"u8)) ev.IsAllDay = Bool(ref r);
            else if (r.ValueTextEquals("isCancelled"u8)) ev.IsCancelled = Bool(ref r);
            else if (r.ValueTextEquals("originalStartTimeZone"u8)) ev.OriginalStartTimeZone = Str(ref r);
            else if (r.ValueTextEquals("originalEndTimeZone"u8)) ev.OriginalEndTimeZone = Str(ref r);
            else if (r.ValueTextEquals("start"u8)) ev.Start = ReadTime(ref r);
            else if (r.ValueTextEquals("end"u8)) ev.End = ReadTime(ref r);
            else if (r.ValueTextEquals("originalStart"u8)) ev.OriginalStart = Instant(ref r);
            else if (r.ValueTextEquals("showAs"u8)) ev.ShowAs = Enum<G.FreeBusyStatus>(ref r);
            else if (r.ValueTextEquals("sensitivity"u8)) ev.Sensitivity = Enum<G.Sensitivity>(ref r);
            else if (r.ValueTextEquals("importance"u8)) ev.Importance = Enum<G.Importance>(ref r);
            else if (r.ValueTextEquals("isReminderOn"u8)) ev.IsReminderOn = Bool(ref r);
            else if (r.ValueTextEquals("reminderMinutesBeforeStart"u8)) ev.ReminderMinutesBeforeStart = Int(ref r);
            else if (r.ValueTextEquals("categories"u8)) ev.Categories = Strings(ref r);
            else if (r.ValueTextEquals("attendees"u8)) ev.Attendees = ReadAttendees(ref r);
            else if (r.ValueTextEquals("lastModifiedDateTime"u8)) ev.LastModified = Instant(ref r);
            else if (r.ValueTextEquals("recurrence"u8)) ev.Recurrence = ReadRecurrence(ref r);
            else if (r.ValueTextEquals("cancelledOccurrences"u8)) ev.CancelledOccurrences = Strings(ref r);
            else if (r.ValueTextEquals("singleValueExtendedProperties"u8)) ev.ExtendedProperties = ReadProperties(ref r);
            else if (r.ValueTextEquals("@removed"u8)) { ev.Removed = true; Skip(ref r); }
            else Skip(ref r);
        }
        return ev;
    }

    private static void ReadBody(ref Utf8JsonReader r, WireEvent ev)
    {
        if (Next(ref r) != JsonTokenType.StartObject) { r.Skip(); return; }
        ev.HasBody = true;
        while (Next(ref r) == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("content"u8)) ev.BodyContent = Str(ref r);
            else if (r.ValueTextEquals("contentType"u8)) ev.BodyType = Enum<G.BodyType>(ref r);
            else Skip(ref r);
        }
    }

    private static WireTime? ReadTime(ref Utf8JsonReader r)
    {
        if (Next(ref r) != JsonTokenType.StartObject) { r.Skip(); return null; }
        string? dateTime = null, zone = null;
        while (Next(ref r) == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("dateTime"u8)) dateTime = Str(ref r);
            else if (r.ValueTextEquals("timeZone"u8)) zone = Str(ref r);
            else Skip(ref r);
        }
        return new WireTime(dateTime, zone);
    }

    /// <summary>One string property of an object value (location.displayName).</summary>
    private static string? ReadObject(ref Utf8JsonReader r, ReadOnlySpan<byte> property)
    {
        if (Next(ref r) != JsonTokenType.StartObject) { r.Skip(); return null; }
        string? value = null;
        while (Next(ref r) == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals(property)) value = Str(ref r);
            else Skip(ref r);
        }
        return value;
    }

    private static List<WireAttendee>? ReadAttendees(ref Utf8JsonReader r)
    {
        if (Next(ref r) != JsonTokenType.StartArray) { r.Skip(); return null; }
        var list = new List<WireAttendee>();
        while (Next(ref r) != JsonTokenType.EndArray)
        {
            if (r.TokenType != JsonTokenType.StartObject) { r.Skip(); continue; }
            string? name = null, address = null;
            G.AttendeeType? type = null;
            G.ResponseType? response = null;
            var hasAddress = false;
            while (Next(ref r) == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("type"u8)) type = Enum<G.AttendeeType>(ref r);
                else if (r.ValueTextEquals("status"u8))
                {
                    if (Next(ref r) != JsonTokenType.StartObject) { r.Skip(); continue; }
                    while (Next(ref r) == JsonTokenType.PropertyName)
                    {
                        if (r.ValueTextEquals("response"u8)) response = Enum<G.ResponseType>(ref r);
                        else Skip(ref r);
                    }
                }
                else if (r.ValueTextEquals("emailAddress"u8))
                {
                    if (Next(ref r) != JsonTokenType.StartObject) { r.Skip(); continue; }
                    hasAddress = true;
                    while (Next(ref r) == JsonTokenType.PropertyName)
                    {
                        if (r.ValueTextEquals("name"u8)) name = Str(ref r);
                        else if (r.ValueTextEquals("address"u8)) address = Str(ref r);
                        else Skip(ref r);
                    }
                }
                else Skip(ref r);
            }
            if (hasAddress) list.Add(new WireAttendee(name, address, type, response));
        }
        return list;
    }

    private static List<(string? Id, string? Value)>? ReadProperties(ref Utf8JsonReader r)
    {
        if (Next(ref r) != JsonTokenType.StartArray) { r.Skip(); return null; }
        var list = new List<(string?, string?)>();
        while (Next(ref r) != JsonTokenType.EndArray)
        {
            if (r.TokenType != JsonTokenType.StartObject) { r.Skip(); continue; }
            string? id = null, value = null;
            while (Next(ref r) == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("id"u8)) id = Str(ref r);
                else if (r.ValueTextEquals("value"u8)) value = Str(ref r);
                else Skip(ref r);
            }
            list.Add((id, value));
        }
        return list;
    }

    /// <summary>The recurrence as the SDK's model (series masters only, so few): its mapping stays in one place.</summary>
    private static G.PatternedRecurrence? ReadRecurrence(ref Utf8JsonReader r)
    {
        if (Next(ref r) != JsonTokenType.StartObject) { r.Skip(); return null; }
        var recurrence = new G.PatternedRecurrence();
        while (Next(ref r) == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("pattern"u8))
            {
                if (Next(ref r) != JsonTokenType.StartObject) { r.Skip(); continue; }
                var p = recurrence.Pattern = new G.RecurrencePattern();
                while (Next(ref r) == JsonTokenType.PropertyName)
                {
                    if (r.ValueTextEquals("type"u8)) p.Type = Enum<G.RecurrencePatternType>(ref r);
                    else if (r.ValueTextEquals("interval"u8)) p.Interval = Int(ref r);
                    else if (r.ValueTextEquals("daysOfWeek"u8)) p.DaysOfWeek = Strings(ref r)?.Select(ParseEnum<G.DayOfWeekObject>).ToList();
                    else if (r.ValueTextEquals("dayOfMonth"u8)) p.DayOfMonth = Int(ref r);
                    else if (r.ValueTextEquals("month"u8)) p.Month = Int(ref r);
                    else if (r.ValueTextEquals("index"u8)) p.Index = Enum<G.WeekIndex>(ref r);
                    else if (r.ValueTextEquals("firstDayOfWeek"u8)) p.FirstDayOfWeek = Enum<G.DayOfWeekObject>(ref r);
                    else Skip(ref r);
                }
            }
            else if (r.ValueTextEquals("range"u8))
            {
                if (Next(ref r) != JsonTokenType.StartObject) { r.Skip(); continue; }
                var range = recurrence.Range = new G.RecurrenceRange();
                while (Next(ref r) == JsonTokenType.PropertyName)
                {
                    if (r.ValueTextEquals("type"u8)) range.Type = Enum<G.RecurrenceRangeType>(ref r);
                    else if (r.ValueTextEquals("numberOfOccurrences"u8)) range.NumberOfOccurrences = Int(ref r);
                    else if (r.ValueTextEquals("endDate"u8)) range.EndDate = Date(Str(ref r));
                    else if (r.ValueTextEquals("startDate"u8)) range.StartDate = Date(Str(ref r));
                    else if (r.ValueTextEquals("recurrenceTimeZone"u8)) range.RecurrenceTimeZone = Str(ref r);
                    else Skip(ref r);
                }
            }
            else Skip(ref r);
        }
        return recurrence;
    }

    private static Microsoft.Kiota.Abstractions.Date? Date(string? text) =>
        DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? new Microsoft.Kiota.Abstractions.Date(date) : null;

    /// <summary>The next token; a truncated answer is an error, never a short read.</summary>
    internal static JsonTokenType Next(ref Utf8JsonReader r)
    {
        if (!r.Read()) throw new JsonException("The JSON ends in the middle of a value.");
        return r.TokenType;
    }

    internal static void Expect(ref Utf8JsonReader r, JsonTokenType type, string what)
    {
        if (r.TokenType != type) throw new JsonException($"Expected {what} ({type}), found {r.TokenType} at byte {r.TokenStartIndex}.");
    }

    /// <summary>Skips a property's value (the reader on the property name).</summary>
    internal static void Skip(ref Utf8JsonReader r)
    {
        Next(ref r);
        r.Skip();
    }

    internal static string? Str(ref Utf8JsonReader r)
    {
        if (Next(ref r) == JsonTokenType.String) return r.GetString();
        r.Skip();
        return null;
    }

    private static bool? Bool(ref Utf8JsonReader r) => Next(ref r) switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => SkipNull<bool>(ref r),
    };

    private static int? Int(ref Utf8JsonReader r) =>
        Next(ref r) == JsonTokenType.Number && r.TryGetInt32(out var value) ? value : SkipNull<int>(ref r);

    private static DateTimeOffset? Instant(ref Utf8JsonReader r)
    {
        if (Next(ref r) != JsonTokenType.String) return SkipNull<DateTimeOffset>(ref r);
        if (r.TryGetDateTimeOffset(out var value)) return value;
        return DateTimeOffset.TryParse(r.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out value) ? value : null;
    }

    private static T? SkipNull<T>(ref Utf8JsonReader r) where T : struct
    {
        r.Skip();
        return null;
    }

    private static List<string?>? Strings(ref Utf8JsonReader r)
    {
        if (Next(ref r) != JsonTokenType.StartArray) { r.Skip(); return null; }
        var list = new List<string?>();
        while (Next(ref r) != JsonTokenType.EndArray)
        {
            if (r.TokenType == JsonTokenType.String) list.Add(r.GetString());
            else r.Skip();
        }
        return list;
    }

    private static T? Enum<T>(ref Utf8JsonReader r) where T : struct, Enum => ParseEnum<T>(Str(ref r));

    /// <summary>Graph's camelCase names to the SDK's enums, case-insensitively as the SDK reads them; unknown → null.</summary>
    private static T? ParseEnum<T>(string? text) where T : struct, Enum =>
        text is not null && System.Enum.TryParse<T>(text, ignoreCase: true, out var value) && System.Enum.IsDefined(typeof(T), value) ? value : null;
}

internal sealed record WireTime(string? DateTime, string? TimeZone);

internal sealed record WireAttendee(string? Name, string? Address, G.AttendeeType? Type, G.ResponseType? Response);
