using System;
using System.Linq;
using CalSync.Engine.Model;

namespace CalSync.Bitrix24;

/// <summary>What Bitrix24 cannot store as a series (it then travels as single events).</summary>
internal static class Capabilities
{
    /// <summary>Null when Bitrix24 can store the series as a series; otherwise why not.</summary>
    public static string? CannotExpress(Recurrence recurrence, CalEvent series)
    {
        var r = recurrence.Normalized();
        var start = series.Start.Local;
        if (r.Cancelled.Count > 0)
            return "Bitrix24's REST API cannot delete or cancel a single occurrence of a series.";
        if (r.Interval < 1) return "The interval must be at least 1.";
        switch (r.Kind)
        {
            case RecurrenceKind.RelativeMonthly:
            case RecurrenceKind.RelativeYearly:
                return "Bitrix24 has no relative monthly or yearly patterns (such as 'the second Tuesday').";
            case RecurrenceKind.Weekly:
                if (r.DaysOfWeek.Count == 0) return "A weekly pattern needs its days of the week.";
                if (!r.DaysOfWeek.Contains(start.DayOfWeek))
                    return "The series starts on a day that is not one of its days of the week; Bitrix24 would count the start as an occurrence.";
                if (r.Interval > 1 && r.FirstDayOfWeek != DayOfWeek.Monday && r.DaysOfWeek.Contains(DayOfWeek.Sunday) && r.DaysOfWeek.Count > 1)
                    return "Bitrix24 weeks start on Monday; this multi-week pattern with Sunday and a week starting on " + r.FirstDayOfWeek + " would give other dates.";
                break;
            case RecurrenceKind.AbsoluteMonthly:
                if (r.DayOfMonth != 0 && r.DayOfMonth != start.Day)
                    return "Bitrix24 repeats monthly on the start's day of the month only.";
                if (start.Day > 28)
                    return "Bitrix24 moves monthly occurrences on the 29th-31st to the 1st of the next month in shorter months.";
                break;
            case RecurrenceKind.AbsoluteYearly:
                if ((r.DayOfMonth != 0 && r.DayOfMonth != start.Day) || (r.Month != 0 && r.Month != start.Month))
                    return "Bitrix24 repeats yearly on the start's month and day only.";
                if (start.Month == 2 && start.Day == 29)
                    return "Bitrix24 cannot repeat a series yearly on 29 February.";
                break;
        }
        if (r.Count is { } c && c < 1) return "A counted series needs at least one occurrence.";
        if (r.Until is { } u && u.Date < start.Date) return "The series ends before it starts.";
        if (r.Until is { } until && until.Year >= 2038) return "Bitrix24 cannot store an end date from 2038 on.";
        foreach (var x in r.Exceptions)
        {
            if (x.Occurrence.IsAllDay != series.IsAllDay)
                return "An occurrence that switches between all-day and timed cannot be stored as a Bitrix24 exception.";
        }
        return null;
    }
}
