using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;

namespace CalSync.Outlook.Wire;

/// <summary>
/// The fields of a Graph event that <see cref="EventReader"/> maps, as they come over the wire: delta and calendar view
/// pages, $batch answers and the writer's reads all go through this one contract (generated at build time by
/// <see cref="OutlookJson"/>). Enumerations stay text and are mapped by <see cref="EventReader"/>, so a value Graph
/// adds later reads as the default instead of failing the page. Parsing pages with the Graph SDK's models instead
/// cost the merge's read phase 5.4 s of CPU against 3.1 s (docs/benchmarks.md, fixes 151aa24): the client's CPU was the
/// limit there.
/// </summary>
internal sealed class WireEvent
{
    [JsonPropertyName("id")] public string? Id { get; set; }
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("seriesMasterId")] public string? SeriesMasterId { get; set; }
    [JsonPropertyName("changeKey")] public string? ChangeKey { get; set; }
    /// <summary>@odata.etag: the version when changeKey is absent.</summary>
    [JsonPropertyName("@odata.etag")] public string? ETag { get; set; }
    [JsonPropertyName("subject")] public string? Subject { get; set; }
    [JsonPropertyName("body")] public WireBody? Body { get; set; }
    [JsonPropertyName("location")] public WireLocation? Location { get; set; }
    [JsonPropertyName("isAllDay")] public bool? IsAllDay { get; set; }
    [JsonPropertyName("isCancelled")] public bool? IsCancelled { get; set; }
    [JsonPropertyName("originalStartTimeZone")] public string? OriginalStartTimeZone { get; set; }
    [JsonPropertyName("originalEndTimeZone")] public string? OriginalEndTimeZone { get; set; }
    [JsonPropertyName("start")] public WireTime? Start { get; set; }
    [JsonPropertyName("end")] public WireTime? End { get; set; }
    [JsonPropertyName("originalStart")] public DateTimeOffset? OriginalStart { get; set; }
    [JsonPropertyName("showAs")] public string? ShowAs { get; set; }
    [JsonPropertyName("sensitivity")] public string? Sensitivity { get; set; }
    [JsonPropertyName("importance")] public string? Importance { get; set; }
    [JsonPropertyName("isReminderOn")] public bool? IsReminderOn { get; set; }
    [JsonPropertyName("reminderMinutesBeforeStart")] public int? ReminderMinutesBeforeStart { get; set; }
    [JsonPropertyName("categories")] public List<string?>? Categories { get; set; }
    [JsonPropertyName("attendees")] public List<WireAttendee?>? Attendees { get; set; }
    [JsonPropertyName("lastModifiedDateTime")] public DateTimeOffset? LastModified { get; set; }
    [JsonPropertyName("recurrence")] public WireRecurrence? Recurrence { get; set; }
    [JsonPropertyName("cancelledOccurrences")] public List<string?>? CancelledOccurrences { get; set; }
    /// <summary>Present only when the request expanded them.</summary>
    [JsonPropertyName("singleValueExtendedProperties")] public List<WireProperty?>? ExtendedProperties { get; set; }
    /// <summary>A delta tombstone's reason.</summary>
    [JsonPropertyName("@removed")] public JsonElement? RemovedReason { get; set; }

    public bool Removed => RemovedReason is not null;
}

internal sealed class WireBody
{
    [JsonPropertyName("content")] public string? Content { get; set; }
    [JsonPropertyName("contentType")] public string? ContentType { get; set; }
}

internal sealed class WireLocation
{
    [JsonPropertyName("displayName")] public string? DisplayName { get; set; }
}

internal sealed class WireTime
{
    [JsonPropertyName("dateTime")] public string? DateTime { get; set; }
    [JsonPropertyName("timeZone")] public string? TimeZone { get; set; }
}

internal sealed class WireAttendee
{
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("status")] public WireResponse? Status { get; set; }
    [JsonPropertyName("emailAddress")] public WireAddress? EmailAddress { get; set; }
}

internal sealed class WireResponse
{
    [JsonPropertyName("response")] public string? Response { get; set; }
}

internal sealed class WireAddress
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("address")] public string? Address { get; set; }
}

internal sealed class WireProperty
{
    [JsonPropertyName("id")] public string? Id { get; set; }
    [JsonPropertyName("value")] public string? Value { get; set; }
}

internal sealed class WireRecurrence
{
    [JsonPropertyName("pattern")] public WirePattern? Pattern { get; set; }
    [JsonPropertyName("range")] public WireRange? Range { get; set; }
}

internal sealed class WirePattern
{
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("interval")] public int? Interval { get; set; }
    [JsonPropertyName("daysOfWeek")] public List<string?>? DaysOfWeek { get; set; }
    [JsonPropertyName("dayOfMonth")] public int? DayOfMonth { get; set; }
    [JsonPropertyName("month")] public int? Month { get; set; }
    [JsonPropertyName("index")] public string? Index { get; set; }
    [JsonPropertyName("firstDayOfWeek")] public string? FirstDayOfWeek { get; set; }
}

internal sealed class WireRange
{
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("numberOfOccurrences")] public int? NumberOfOccurrences { get; set; }
    [JsonPropertyName("startDate")] public string? StartDate { get; set; }
    [JsonPropertyName("endDate")] public string? EndDate { get; set; }
    [JsonPropertyName("recurrenceTimeZone")] public string? RecurrenceTimeZone { get; set; }
}

/// <summary>A page of events (delta, calendar view, listing): its items, and the link to the next page or the delta link.</summary>
internal sealed class EventPage
{
    [JsonPropertyName("value")] public List<WireEvent?>? Value { get; set; }
    [JsonPropertyName("@odata.nextLink")] public string? NextLink { get; set; }
    [JsonPropertyName("@odata.deltaLink")] public string? DeltaLink { get; set; }

    public IEnumerable<WireEvent> Events => Value?.OfType<WireEvent>() ?? Enumerable.Empty<WireEvent>();

    /// <param name="onNextLink">Called with the nextLink before the items are parsed, when the page names it first.</param>
    /// <exception cref="JsonException">The answer is not a page of events (names what was expected where).</exception>
    public static async Task<EventPage> ReadAsync(Stream stream, Action<string>? onNextLink, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        var json = new ReadOnlyMemory<byte>(buffer.GetBuffer(), 0, (int)buffer.Length);
        if (onNextLink is not null && NextLinkFirst(json.Span) is { Length: > 0 } next) onNextLink(next);
        return Parse(json.Span);
    }

    /// <inheritdoc cref="ReadAsync(Stream, Action{string}, CancellationToken)"/>
    public static Task<EventPage> ReadAsync(Stream stream, CancellationToken cancellationToken) => ReadAsync(stream, null, cancellationToken);

    /// <summary>
    /// The nextLink when the page names it before its items, as the documented page does (docs/graph-api.md, "Delta
    /// pages"): the delta read asks for the next page while this one's items are parsed. Null otherwise, or when the page
    /// is not JSON (<see cref="Parse"/> says why).
    /// </summary>
    private static string? NextLinkFirst(ReadOnlySpan<byte> json)
    {
        try
        {
            var r = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
            if (!r.Read() || r.TokenType != JsonTokenType.StartObject) return null;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName && !r.ValueTextEquals("value"u8))
            {
                var isNext = r.ValueTextEquals("@odata.nextLink"u8);
                if (!r.Read()) return null;
                if (isNext) return r.TokenType == JsonTokenType.String ? r.GetString() : null;
                r.Skip();
            }
        }
        catch (JsonException) { }
        return null;
    }

    /// <inheritdoc cref="ReadAsync"/>
    public static EventPage Parse(ReadOnlySpan<byte> json)
    {
        try { return JsonSerializer.Deserialize(json, OutlookJson.Default.EventPage) ?? throw Null(); }
        catch (JsonException e) when (e.InnerException is not PageException) { throw Named(e); }
    }

    private static JsonException Null() => new("Expected the page object, found null.", new PageException());

    private static JsonException Named(JsonException e)
    {
        var what = e.Path switch
        {
            null or "$" => "the page object",
            "$.value" => "the value array",
            { } path when path.StartsWith("$.value[", StringComparison.Ordinal) => "an event",
            _ => "a page of events",
        };
        return new JsonException($"Expected {what}: {e.Message}", e.Path, e.LineNumber, e.BytePositionInLine, new PageException());
    }

    /// <summary>Marks a message that already names what was wrong.</summary>
    private sealed class PageException : Exception;
}

/// <summary>The Graph JSON CalSync reads, generated at build time (no reflection serialisers in a new process).</summary>
[JsonSourceGenerationOptions(ReadCommentHandling = JsonCommentHandling.Skip)]
[JsonSerializable(typeof(EventPage))]
[JsonSerializable(typeof(WireEvent))]
internal sealed partial class OutlookJson : JsonSerializerContext
{
}
