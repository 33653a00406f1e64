using System;
using System.Collections.Generic;
using System.Linq;

namespace CalSync.Engine.Model;

/// <summary>One concrete occurrence of a series: its original date and the meeting as it happens.</summary>
public sealed record Occurrence(DateTime OriginalDate, CalEvent Event);

/// <summary>
/// Expands a series into its occurrences. Patterns are evaluated on wall-clock dates in the series' zone,
/// as Graph and Bitrix24 do (a 10:00 meeting stays at 10:00 across DST).
/// </summary>
public static class RecurrenceExpander
{
    /// <summary>Original local dates of the pattern, in order, up to and including <paramref name="lastDate"/>; cancelled dates included.</summary>
    public static IEnumerable<DateTime> PatternDates(Recurrence r, DateTime firstDate, DateTime lastDate)
    {
        var emitted = 0;
        var until = r.Until?.Date ?? DateTime.MaxValue.Date;
        foreach (var date in Candidates(r, firstDate.Date))
        {
            if (date < firstDate.Date) continue;
            if (date > until || date > lastDate || (r.Count is int count && emitted >= count)) yield break;
            emitted++;
            yield return date;
        }
    }

    /// <summary>The occurrences of <paramref name="series"/> that touch [fromUtc, toUtc), exceptions applied, cancelled ones left out.</summary>
    public static IReadOnlyList<Occurrence> Expand(CalEvent series, DateTime fromUtc, DateTime toUtc)
    {
        var r = series.Recurrence ?? throw new ArgumentException("not a series", nameof(series));
        var duration = series.End.Value - series.Start.Value;
        var zone = series.Start.TimeZone;
        var startLocal = series.Start.Local;
        var cancelled = new HashSet<DateTime>(r.Cancelled.Select(d => d.Date));
        var exceptions = r.Exceptions.ToDictionary(x => x.OriginalDate.Date, x => x.Occurrence);
        // Dates a day either side of the window, so zones far from UTC cannot lose an occurrence.
        var lastDate = toUtc.AddDays(2).Date;
        var result = new List<Occurrence>();
        foreach (var date in PatternDates(r, startLocal.Date, lastDate))
        {
            if (cancelled.Contains(date)) continue;
            CalEvent occurrence;
            if (exceptions.TryGetValue(date, out var exception))
                occurrence = exception with { Recurrence = null };
            else
            {
                var start = series.IsAllDay ? EventTime.AllDay(date) : EventTime.FromLocal(date + startLocal.TimeOfDay, zone);
                // The exact length of the series' first occurrence, as Graph and RFC 5545 expand (an occurrence that spans
                // a DST change keeps its hours, not its wall-clock end).
                var end = series.IsAllDay
                    ? EventTime.AllDay(date + duration)
                    : EventTime.Timed(start.Value + duration, series.End.TimeZone);
                occurrence = series with { Start = start, End = end, Recurrence = null };
            }
            var s = occurrence.Start.SortKeyUtc;
            var e = occurrence.End.SortKeyUtc;
            if (s < toUtc && (e > fromUtc || (e == s && s >= fromUtc)))
                result.Add(new Occurrence(date, occurrence));
        }
        // Moved exceptions can land outside their original date's place in the order.
        return result.OrderBy(o => o.Event.Start.SortKeyUtc).ToArray();
    }

    /// <summary>Last instant the series can reach (for deciding when a linked series left the window); MaxValue when endless.</summary>
    public static DateTime LastEndUtc(CalEvent series)
    {
        var r = series.Recurrence!;
        if (!r.HasEnd) return DateTime.MaxValue;
        var last = PatternDates(r, series.Start.Local.Date, r.Until?.Date ?? DateTime.MaxValue.Date.AddDays(-1)).LastOrDefault();
        if (last == default) return series.End.SortKeyUtc;
        var lastException = r.Exceptions.Select(x => x.Occurrence.End.SortKeyUtc).DefaultIfEmpty(DateTime.MinValue).Max();
        var end = last.AddDays(2) + (series.End.Value - series.Start.Value);
        return new DateTime(Math.Max(DateTime.SpecifyKind(end, DateTimeKind.Utc).Ticks, lastException.Ticks), DateTimeKind.Utc);
    }

    private static IEnumerable<DateTime> Candidates(Recurrence r, DateTime first)
    {
        var interval = Math.Max(1, r.Interval);
        switch (r.Kind)
        {
            case RecurrenceKind.Daily:
                for (var d = first; d < DateTime.MaxValue.AddYears(-1); d = d.AddDays(interval)) yield return d;
                break;
            case RecurrenceKind.Weekly:
                var days = r.DaysOfWeek.Count > 0 ? r.DaysOfWeek : new[] { first.DayOfWeek };
                var weekStart = first.AddDays(-(((int)first.DayOfWeek - (int)r.FirstDayOfWeek + 7) % 7));
                for (var w = weekStart; w < DateTime.MaxValue.AddYears(-1); w = w.AddDays(7 * interval))
                    for (var i = 0; i < 7; i++)
                        if (days.Contains(w.AddDays(i).DayOfWeek)) yield return w.AddDays(i);
                break;
            case RecurrenceKind.AbsoluteMonthly:
            case RecurrenceKind.RelativeMonthly:
                for (var m = new DateTime(first.Year, first.Month, 1); m.Year < 9000; m = m.AddMonths(interval))
                    foreach (var d in InMonth(r, m, first)) yield return d;
                break;
            case RecurrenceKind.AbsoluteYearly:
            case RecurrenceKind.RelativeYearly:
                var month = r.Month > 0 ? r.Month : first.Month;
                for (var y = first.Year; y < 9000; y += interval)
                    foreach (var d in InMonth(r, new DateTime(y, month, 1), first)) yield return d;
                break;
        }
    }

    private static IEnumerable<DateTime> InMonth(Recurrence r, DateTime monthStart, DateTime first)
    {
        var daysInMonth = DateTime.DaysInMonth(monthStart.Year, monthStart.Month);
        if (r.Kind is RecurrenceKind.AbsoluteMonthly or RecurrenceKind.AbsoluteYearly)
        {
            var day = r.DayOfMonth > 0 ? r.DayOfMonth : first.Day;
            // A month without that day has its occurrence on its last day (Outlook and CDO: "day 31" is the month's end,
            // 29 February is 28 February in other years).
            yield return new DateTime(monthStart.Year, monthStart.Month, Math.Min(day, daysInMonth));
            yield break;
        }
        var days = r.DaysOfWeek.Count > 0 ? r.DaysOfWeek : new[] { first.DayOfWeek };
        var matching = Enumerable.Range(1, daysInMonth).Select(d => new DateTime(monthStart.Year, monthStart.Month, d))
            .Where(d => days.Contains(d.DayOfWeek)).ToArray();
        if (matching.Length == 0) yield break;
        var pick = r.Index == WeekIndex.Last ? matching[matching.Length - 1] : (int)r.Index < matching.Length ? matching[(int)r.Index] : default;
        if (pick != default) yield return pick;
    }
}
