using System;

namespace CalSync.Engine.Model;

/// <summary>
/// When a meeting starts or ends: an instant with the IANA zone it was planned in, or a calendar date
/// for all-day meetings (a date has no instant: 10 March is 10 March in every zone).
/// </summary>
public sealed record EventTime : IComparable<EventTime>
{
    private EventTime(DateTime value, string timeZone, bool isAllDay)
    {
        Value = value;
        TimeZone = timeZone;
        IsAllDay = isAllDay;
    }

    /// <summary>UTC instant (timed) or the date at midnight, kind Unspecified (all-day).</summary>
    public DateTime Value { get; }

    /// <summary>IANA zone name; <see cref="Zones.Utc"/> for all-day dates.</summary>
    public string TimeZone { get; }

    public bool IsAllDay { get; }

    public static EventTime Timed(DateTime utc, string timeZone)
    {
        if (utc.Kind == DateTimeKind.Local) utc = utc.ToUniversalTime();
        return new EventTime(DateTime.SpecifyKind(TruncateToSecond(utc), DateTimeKind.Utc), Zones.ToIana(timeZone), false);
    }

    /// <summary>A timed value from a wall-clock time in a zone (how Bitrix24 and Graph state them).</summary>
    public static EventTime FromLocal(DateTime local, string timeZone)
    {
        var iana = Zones.ToIana(timeZone);
        return new EventTime(TruncateToSecond(Zones.ToUtc(local, iana)), iana, false);
    }

    public static EventTime AllDay(DateTime date) =>
        new(DateTime.SpecifyKind(date.Date, DateTimeKind.Unspecified), Zones.Utc, true);

    /// <summary>Wall-clock time in the event's own zone (the date itself for all-day).</summary>
    public DateTime Local => IsAllDay ? Value : Zones.ToLocal(Value, TimeZone);

    /// <summary>An instant to order by and to compare with the sync window (all-day dates are read as UTC midnight).</summary>
    public DateTime SortKeyUtc => DateTime.SpecifyKind(Value, DateTimeKind.Utc);

    public EventTime Add(TimeSpan span) => IsAllDay ? AllDay(Value.Add(span)) : new EventTime(Value.Add(span), TimeZone, false);

    public int CompareTo(EventTime? other) => other is null ? 1 : Value.CompareTo(other.Value);

    /// <summary>Stable text for hashing and matching: the instant in UTC, or the date.</summary>
    public override string ToString() => Text(TimeZone);

    /// <summary>For people (plans, history): the wall clock in the meeting's own zone, or the date of an all-day meeting.</summary>
    public string Display() => IsAllDay
        ? Value.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) + " (all day)"
        : Local.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) + " " + TimeZone;

    /// <summary><see cref="ToString"/> with <paramref name="zone"/> for the zone: "yyyy-MM-dd'T'HH:mm:ss'Z' zone", or "yyyy-MM-dd" all-day.</summary>
    internal string Text(string zone) => IsAllDay
        ? Value.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)
        : Value.ToString("yyyy-MM-dd'T'HH:mm:ss'Z' ", System.Globalization.CultureInfo.InvariantCulture) + zone;

    private static DateTime TruncateToSecond(DateTime value) => new(value.Ticks - value.Ticks % TimeSpan.TicksPerSecond, value.Kind);
}
