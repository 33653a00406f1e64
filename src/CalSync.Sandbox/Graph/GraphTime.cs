using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;

namespace CalSync.Sandbox.Graph;

/// <summary>Resolves the zone names Graph accepts: Windows names ("Pacific Standard Time") and IANA names ("Europe/Berlin").</summary>
internal static class TimeZones
{
    private static readonly ConcurrentDictionary<string, TimeZoneInfo?> Cache = new(StringComparer.OrdinalIgnoreCase);

    public static TimeZoneInfo? Find(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return null;
        return Cache.GetOrAdd(name.Trim(), static n =>
        {
            if (n is "UTC" or "Etc/UTC" or "tzone://Microsoft/Utc") return TimeZoneInfo.Utc;
            // On Linux .NET (with ICU) FindSystemTimeZoneById accepts both Windows and IANA ids.
            try { return TimeZoneInfo.FindSystemTimeZoneById(n); }
            catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException) { return null; }
        });
    }

    public static TimeZoneInfo Require(string? name) =>
        Find(name) ?? throw new GraphException(400, "TimeZoneNotSupportedException",
            $"A valid TimeZone value must be specified. The following TimeZone value is not supported: '{name}'.");

    public static DateTime ToUtc(DateTime local, TimeZoneInfo zone)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        // Assumed (docs/graph-api.md, "DST gaps", after RFC 5545): a wall time skipped by a DST jump is read with the offset before the gap (it moves forward by
        // the gap); a wall time that occurs twice is the first of the two.
        if (zone.IsAmbiguousTime(local)) return DateTime.SpecifyKind(local - zone.GetAmbiguousTimeOffsets(local).Max(), DateTimeKind.Utc);
        if (zone.IsInvalidTime(local)) return DateTime.SpecifyKind(local - zone.GetUtcOffset(local.AddHours(-3)), DateTimeKind.Utc);
        return TimeZoneInfo.ConvertTimeToUtc(local, zone);
    }

    public static DateTime FromUtc(DateTime utc, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone);
}

/// <summary>A <c>dateTimeTimeZone</c> as the client sent it, with its instant.</summary>
internal sealed record EventTime(DateTime Local, string ZoneName, TimeZoneInfo Zone)
{
    public DateTime Utc => TimeZones.ToUtc(Local, Zone);

    /// <summary>Parses a request's <c>{"dateTime":…,"timeZone":…}</c>; a missing zone means UTC.</summary>
    public static EventTime Parse(JsonNode? node, string property)
    {
        if (node is not JsonObject obj)
            throw new GraphException(400, "RequestBodyRead", $"Cannot read the value of property '{property}': a dateTimeTimeZone object is expected.");
        var text = obj.GetIgnoreCase("dateTime")?.GetValue<string>();
        var zoneName = obj.GetIgnoreCase("timeZone")?.GetValue<string>() ?? "UTC";
        var zone = TimeZones.Require(zoneName);
        if (text is null) throw GraphException.Validation();
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            throw new GraphException(400, "RequestBodyRead", $"Cannot convert the literal '{text}' to the expected type 'Edm.String' for a dateTime.");
        var hasOffset = text.EndsWith('Z') || text.LastIndexOfAny(['+', '-']) > 10;
        var local = hasOffset ? TimeZones.FromUtc(parsed.UtcDateTime, zone) : DateTime.SpecifyKind(parsed.DateTime, DateTimeKind.Unspecified);
        return new EventTime(local, zoneName, zone);
    }

    public static EventTime FromUtc(DateTime utc, EventTime like) => new(TimeZones.FromUtc(utc, like.Zone), like.ZoneName, like.Zone);

    public JsonObject ToJson() => new() { ["dateTime"] = GraphJson.LocalDateTime(Local), ["timeZone"] = ZoneName };

    /// <summary>Window bounds: an ISO value with offset or Z is honoured, no offset means UTC.</summary>
    public static DateTime ParseWindowBound(string? value, string name)
    {
        // A raw '+' in a query string arrives as a space.
        value = value?.Trim().Replace(' ', '+');
        if (string.IsNullOrEmpty(value)) throw GraphException.MissingWindow();
        if (!DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
            throw new GraphException(400, "ErrorInvalidParameter", $"The value '{value}' of parameter '{name}' is invalid.");
        return parsed.UtcDateTime;
    }
}
