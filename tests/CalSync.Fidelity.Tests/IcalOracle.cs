using System.Globalization;
using System.Text;
using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;

namespace CalSync.Fidelity.Tests;

/// <summary>One occurrence as a user sees it: instants (UTC) for timed meetings, dates for all-day ones.</summary>
public sealed record ExpectedOccurrence(DateTime Start, DateTime End, bool AllDay, string Title, string Location, int? Reminder, string ShowAs)
{
    /// <summary>How occurrences are matched: the start instant (timed) or the date (all-day).</summary>
    public string Key => AllDay ? Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : Start.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

/// <summary>
/// The independent expectation: each corpus meeting written as an iCalendar VEVENT (RRULE, EXDATE and RECURRENCE-ID
/// overrides) and expanded by Ical.Net 5.2.4 — no CalSync code involved. Graph's semantics are stated in RFC 5545
/// terms: a monthly day 29-31 falls on the month's last day when the month is shorter (Outlook and CDO do so),
/// the range's end date is inclusive in the series' zone, a count counts cancelled occurrences.
/// </summary>
public static class IcalOracle
{
    private static readonly string[] Codes = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"];

    public static string ToICalendar(Meeting m, bool withExceptions = true)
    {
        var sb = new StringBuilder();
        void Line(string text) => sb.Append(text).Append("\r\n");
        Line("BEGIN:VCALENDAR");
        Line("VERSION:2.0");
        Line("PRODID:-//CalSync fidelity//EN");
        Line("BEGIN:VEVENT");
        Line("UID:" + m.Tag);
        Line("DTSTART" + Stamp(m, m.Start));
        Line("DTEND" + Stamp(m, m.End));
        if (m.Recurrence is { } p) Line("RRULE:" + RRule(m, p));
        if (withExceptions)
            foreach (var date in m.Cancelled) Line("EXDATE" + Stamp(m, date.Date + (m.AllDay ? TimeSpan.Zero : m.Start.TimeOfDay)));
        Line("END:VEVENT");
        if (withExceptions)
            foreach (var x in m.Moved)
            {
                Line("BEGIN:VEVENT");
                Line("UID:" + m.Tag);
                Line("RECURRENCE-ID" + Stamp(m, x.OriginalDate.Date + (m.AllDay ? TimeSpan.Zero : m.Start.TimeOfDay)));
                Line("DTSTART" + Stamp(m, x.NewStart));
                Line("DTEND" + Stamp(m, x.NewEnd));
                Line("SUMMARY:x");
                Line("END:VEVENT");
            }
        Line("END:VCALENDAR");
        return sb.ToString();
    }

    private static string Stamp(Meeting m, DateTime local) => m.AllDay
        ? ";VALUE=DATE:" + local.ToString("yyyyMMdd", CultureInfo.InvariantCulture)
        : m.Zone == "UTC"
            ? ":" + local.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)
            : ";TZID=" + m.Zone + ":" + local.ToString("yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture);

    private static string RRule(Meeting m, Pattern p)
    {
        var parts = new List<string>();
        string Days() => string.Join(",", p.Days.Select(d => Codes[(int)d]));
        string Pos() => p.Index == 4 ? "-1" : (p.Index + 1).ToString(CultureInfo.InvariantCulture);
        switch (p.Kind)
        {
            case PatternKind.Daily:
                parts.Add("FREQ=DAILY");
                break;
            case PatternKind.Weekly:
                parts.Add("FREQ=WEEKLY");
                parts.Add("BYDAY=" + Days());
                parts.Add("WKST=" + Codes[(int)p.FirstDayOfWeek]);
                break;
            case PatternKind.AbsoluteMonthly:
                parts.Add("FREQ=MONTHLY");
                parts.Add(p.DayOfMonth > 28 ? "BYMONTHDAY=" + string.Join(",", Enumerable.Range(28, p.DayOfMonth - 27)) + ";BYSETPOS=-1" : "BYMONTHDAY=" + p.DayOfMonth);
                break;
            case PatternKind.RelativeMonthly:
                parts.Add("FREQ=MONTHLY");
                parts.Add("BYDAY=" + Days());
                parts.Add("BYSETPOS=" + Pos());
                break;
            case PatternKind.AbsoluteYearly:
                parts.Add("FREQ=YEARLY");
                parts.Add("BYMONTH=" + p.Month);
                parts.Add(p.DayOfMonth > 28 ? "BYMONTHDAY=" + string.Join(",", Enumerable.Range(28, p.DayOfMonth - 27)) + ";BYSETPOS=-1" : "BYMONTHDAY=" + p.DayOfMonth);
                break;
            case PatternKind.RelativeYearly:
                parts.Add("FREQ=YEARLY");
                parts.Add("BYMONTH=" + p.Month);
                parts.Add("BYDAY=" + Days());
                parts.Add("BYSETPOS=" + Pos());
                break;
        }
        if (p.Interval > 1) parts.Add("INTERVAL=" + p.Interval);
        if (p.Count is { } c) parts.Add("COUNT=" + c);
        else if (p.Until is { } u)
        {
            // The end date is the last day on which an occurrence may start, in the series' own zone.
            if (m.AllDay) parts.Add("UNTIL=" + u.ToString("yyyyMMdd", CultureInfo.InvariantCulture));
            else
            {
                var lastLocal = u.Date.AddDays(1).AddSeconds(-1);
                var utc = TimeZoneInfo.ConvertTimeToUtc(lastLocal, m.Zone == "UTC" ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(m.Zone));
                parts.Add("UNTIL=" + utc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture));
            }
        }
        return string.Join(";", parts);
    }

    /// <summary>The local dates of the bare pattern (no exceptions), for choosing which occurrences to cancel or move.</summary>
    public static IReadOnlyList<DateTime> PatternDates(Meeting m) =>
        Expand(m with { Cancelled = [], Moved = [] }, withExceptions: false).Select(o => o.LocalDate).ToList();

    /// <summary>The occurrences the user sees in [<see cref="CorpusGenerator.CompareFrom"/>, <see cref="CorpusGenerator.CompareTo"/>).</summary>
    public static IReadOnlyList<ExpectedOccurrence> Occurrences(Meeting m)
    {
        var moved = m.Moved.ToDictionary(x => x.OriginalDate.Date);
        var result = new List<ExpectedOccurrence>();
        foreach (var o in Expand(m, withExceptions: true))
        {
            MovedOccurrence? x = null;
            if (o.RecurrenceId is { } rid) moved.TryGetValue(rid, out x);
            var occurrence = new ExpectedOccurrence(o.Start, o.End, m.AllDay, x?.Title ?? m.Title, x?.Location ?? m.Location,
                x is { OwnReminder: true } ? x.Reminder : m.ReminderMinutes, x?.ShowAs ?? m.ShowAs);
            if (InRange(occurrence)) result.Add(occurrence);
        }
        return result;
    }

    public static bool InRange(ExpectedOccurrence o) =>
        o.AllDay
            ? o.Start >= CorpusGenerator.CompareFrom.Date && o.Start < CorpusGenerator.CompareTo.Date
            : o.Start >= CorpusGenerator.CompareFrom && o.Start < CorpusGenerator.CompareTo;

    private sealed record Raw(DateTime Start, DateTime End, DateTime LocalDate, DateTime? RecurrenceId);

    private static IEnumerable<Raw> Expand(Meeting m, bool withExceptions)
    {
        var calendar = Ical.Net.Calendar.Load(ToICalendar(m, withExceptions)) ?? throw new InvalidOperationException("Ical.Net could not read " + m.Tag);
        var limit = new CalDateTime(CorpusGenerator.CompareTo.AddDays(40));
        foreach (var o in calendar.GetOccurrences(new CalDateTime(CorpusGenerator.CompareFrom.AddYears(-1).Date, false), null))
        {
            var start = o.Period.StartTime;
            if (start.Value > limit.Value) yield break;
            var end = o.Period.EffectiveEndTime ?? start;
            var source = (CalendarEvent)o.Source;
            DateTime? rid = source.RecurrenceId is { } r ? r.Date.ToDateTime(TimeOnly.MinValue) : null;
            if (m.AllDay)
                yield return new Raw(start.Date.ToDateTime(TimeOnly.MinValue), end.Date.ToDateTime(TimeOnly.MinValue), start.Date.ToDateTime(TimeOnly.MinValue), rid);
            else
                yield return new Raw(DateTime.SpecifyKind(start.AsUtc, DateTimeKind.Utc), DateTime.SpecifyKind(end.AsUtc, DateTimeKind.Utc), start.Date.ToDateTime(TimeOnly.MinValue), rid);
        }
    }
}
