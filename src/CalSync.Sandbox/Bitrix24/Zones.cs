using System.Collections.Concurrent;

namespace CalSync.Sandbox.Bitrix24;

/// <summary>IANA zone lookup and the wall-clock/instant conversions the portal does.</summary>
internal static class Zones
{
    private static readonly ConcurrentDictionary<string, TimeZoneInfo> Cache = new(StringComparer.OrdinalIgnoreCase);

    public static TimeZoneInfo Find(string id) => Cache.GetOrAdd(id, TimeZoneInfo.FindSystemTimeZoneById);

    /// <summary>
    /// <c>Util::prepareTimezone()</c>: a valid IANA name is kept, a Windows name is mapped to IANA, anything else
    /// is null (the caller falls back to the server zone); empty means UTC (docs/bitrix24-api.md, "Input dates and zones").
    /// </summary>
    public static string? Normalize(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return "UTC";
        name = name.Trim();
        if (name.Contains('/') || name.Equals("UTC", StringComparison.OrdinalIgnoreCase))
        {
            if (TimeZoneInfo.TryConvertIanaIdToWindowsId(name, out _) || TryFind(name))
                return name.Equals("UTC", StringComparison.OrdinalIgnoreCase) ? "UTC" : name;
            return null;
        }
        return TimeZoneInfo.TryConvertWindowsIdToIanaId(name, out var iana) ? iana : null;
    }

    private static bool TryFind(string id)
    {
        try { Find(id); return true; }
        catch (TimeZoneNotFoundException) { return false; }
        catch (InvalidTimeZoneException) { return false; }
    }

    /// <summary>
    /// Wall clock in a zone to UTC as PHP's DateTime reads it: a time inside a DST gap moves forward by the gap (the offset
    /// before the gap), a time that occurs twice is the first of the two (RFC 5545 §3.3.5 says the same).
    /// </summary>
    public static DateTime ToUtc(DateTime wall, TimeZoneInfo zone)
    {
        wall = DateTime.SpecifyKind(wall, DateTimeKind.Unspecified);
        if (zone.IsAmbiguousTime(wall)) return DateTime.SpecifyKind(wall - zone.GetAmbiguousTimeOffsets(wall).Max(), DateTimeKind.Utc);
        if (zone.IsInvalidTime(wall)) return DateTime.SpecifyKind(wall - zone.GetUtcOffset(wall.AddHours(-3)), DateTimeKind.Utc);
        return TimeZoneInfo.ConvertTimeToUtc(wall, zone);
    }

    public static DateTime ToWall(DateTime utc, TimeZoneInfo zone) =>
        DateTime.SpecifyKind(TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone), DateTimeKind.Unspecified);

    public static long Unix(DateTime utc) => (long)(DateTime.SpecifyKind(utc, DateTimeKind.Utc) - DateTime.UnixEpoch).TotalSeconds;

    public static int OffsetSeconds(TimeZoneInfo zone, DateTime wall) => (int)zone.GetUtcOffset(ToUtc(wall, zone)).TotalSeconds;
}
