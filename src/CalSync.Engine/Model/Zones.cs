using System;
using System.Collections.Concurrent;
using System.Linq;
using TimeZoneConverter;

namespace CalSync.Engine.Model;

/// <summary>
/// Time zone names. The model keeps IANA names; Graph speaks Windows names too.
/// TimeZoneConverter is used because netstandard2.0 on Windows cannot resolve IANA ids by itself
/// and Graph returns Windows ids; its tables are the CLDR mapping that Microsoft also uses.
/// </summary>
public static class Zones
{
    public const string Utc = "UTC";

    // Every time of every event read passes through here: TimeZoneConverter's lookups are worth remembering.
    private static readonly ConcurrentDictionary<string, string> IanaNames = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, TimeZoneInfo> Found = new(StringComparer.Ordinal);

    /// <summary>The IANA name for a Windows or IANA zone name; throws <see cref="UnknownTimeZoneException"/> otherwise.</summary>
    public static string ToIana(string name)
    {
        if (string.IsNullOrWhiteSpace(name)) return Utc;
        if (IanaNames.TryGetValue(name, out var known)) return known;
        return IanaNames[name] = ResolveIana(name.Trim());
    }

    private static string ResolveIana(string trimmed)
    {
        if (trimmed.Equals("UTC", StringComparison.OrdinalIgnoreCase) || trimmed.Equals("Etc/UTC", StringComparison.OrdinalIgnoreCase)
            || trimmed.Equals("tzone://Microsoft/Utc", StringComparison.OrdinalIgnoreCase)) return Utc;
        if (TZConvert.TryWindowsToIana(trimmed, out var iana)) return iana;
        if (TZConvert.TryGetTimeZoneInfo(trimmed, out _)) return trimmed;
        throw new UnknownTimeZoneException(trimmed);
    }

    /// <summary>
    /// One name per rule set, for comparing: zones that Windows folds into one (Europe/Amsterdam and
    /// Europe/Berlin are both "W. Europe Standard Time") compare equal, because a round trip through
    /// Outlook turns one into the other without moving any meeting.
    /// </summary>
    public static string Canonical(string ianaName) =>
        TZConvert.TryIanaToWindows(ianaName, out var windows) && TZConvert.TryWindowsToIana(windows, out var primary) ? primary : ianaName;

    public static TimeZoneInfo Find(string name)
    {
        var key = string.IsNullOrWhiteSpace(name) ? Utc : name;
        if (Found.TryGetValue(key, out var known)) return known;
        if (TZConvert.TryGetTimeZoneInfo(key, out var zone)) return Found[key] = zone;
        throw new UnknownTimeZoneException(name);
    }

    /// <summary>Wall-clock time in <paramref name="zone"/> for a UTC instant.</summary>
    public static DateTime ToLocal(DateTime utc, string zone) =>
        DateTime.SpecifyKind(TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), Find(zone)), DateTimeKind.Unspecified);

    /// <summary>
    /// UTC instant of a wall-clock time in <paramref name="zone"/>, read as RFC 5545 §3.3.5 says: a time skipped by a DST
    /// change is read with the offset before the gap (02:30 on a 02:00→03:00 night is 03:30), a time that occurs twice is
    /// the first of the two.
    /// </summary>
    public static DateTime ToUtc(DateTime local, string zone)
    {
        var tz = Find(zone);
        var wall = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (tz.IsAmbiguousTime(wall))
            return DateTime.SpecifyKind(wall - tz.GetAmbiguousTimeOffsets(wall).Max(), DateTimeKind.Utc);
        if (tz.IsInvalidTime(wall))
            return DateTime.SpecifyKind(wall - tz.GetUtcOffset(wall.AddHours(-3)), DateTimeKind.Utc);
        return TimeZoneInfo.ConvertTimeToUtc(wall, tz);
    }
}

public sealed class UnknownTimeZoneException : Exception
{
    public UnknownTimeZoneException(string name)
        : base($"Unknown time zone '{name}'. Use an IANA name such as 'Europe/Berlin' or a Windows name such as 'W. Europe Standard Time'.")
        => ZoneName = name;

    public string ZoneName { get; }
}
