namespace CalSync.Sandbox.Bitrix24;

/// <summary>
/// <c>ParseRecursion</c> as docs/bitrix24-api.md, "Expansion in calendar.event.get", describes it: occurrence dates of a rule, counted from the
/// master's first day. WEEKLY without BYDAY means Monday; MONTHLY on the 29th–31st rolls to the 1st of the next
/// month; COUNT counts every generated date (EXDATE included); UNTIL is inclusive; no end means 2038-01-01.
/// </summary>
internal static class RecurrenceExpander
{
    public static readonly DateOnly MaxDate = new(2038, 1, 1);

    private static readonly DayOfWeek[] MondayFirst =
        [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday, DayOfWeek.Saturday, DayOfWeek.Sunday];

    /// <summary>Occurrence dates with their absolute index, up to <paramref name="stopAfter"/> (inclusive).</summary>
    public static IEnumerable<(int Index, DateOnly Date)> Dates(DateOnly first, Bitrix24RecurrenceRule rule, DateOnly stopAfter)
    {
        var until = rule.Until ?? MaxDate;
        if (stopAfter > until) stopAfter = until;
        var index = 0;
        foreach (var date in Candidates(first, rule))
        {
            if (date > stopAfter) yield break;
            if (rule.Count is int count && index >= count) yield break;
            yield return (index++, date);
        }
    }

    /// <summary>The last occurrence date (COUNT), the UNTIL date, or 2038-01-01 for open-ended series.</summary>
    public static DateOnly LastDate(DateOnly first, Bitrix24RecurrenceRule rule)
    {
        if (rule.Count is null) return rule.Until ?? MaxDate;
        var last = first;
        foreach (var (_, date) in Dates(first, rule, MaxDate)) last = date;
        return last;
    }

    public static IReadOnlyList<DayOfWeek> EffectiveDays(Bitrix24RecurrenceRule rule) =>
        rule.ByDay.Count > 0 ? MondayFirst.Where(rule.ByDay.Contains).ToList() : [DayOfWeek.Monday];

    private static IEnumerable<DateOnly> Candidates(DateOnly first, Bitrix24RecurrenceRule rule)
    {
        var interval = Math.Max(1, rule.Interval);
        switch (rule.Frequency)
        {
            case "DAILY":
                for (var d = first; d <= MaxDate; d = d.AddDays(interval)) yield return d;
                break;
            case "WEEKLY":
                var days = EffectiveDays(rule);
                for (var weekStart = first.AddDays(-(((int)first.DayOfWeek + 6) % 7)); weekStart <= MaxDate; weekStart = weekStart.AddDays(7 * interval))
                    foreach (var day in days)
                    {
                        var date = weekStart.AddDays(((int)day + 6) % 7);
                        if (date >= first) yield return date;
                    }
                break;
            case "MONTHLY":
                for (var k = 0; ; k += interval)
                {
                    var month = new DateOnly(first.Year, first.Month, 1).AddMonths(k);
                    if (month > MaxDate) yield break;
                    // A missing 29th–31st becomes the 1st of the following month (PHP mktime overflow as Bitrix uses it).
                    yield return first.Day <= DateTime.DaysInMonth(month.Year, month.Month)
                        ? new DateOnly(month.Year, month.Month, first.Day)
                        : month.AddMonths(1);
                }
            case "YEARLY":
                for (var year = first.Year; year <= MaxDate.Year; year += interval)
                    yield return first.Month == 2 && first.Day == 29 && !DateTime.IsLeapYear(year)
                        ? new DateOnly(year, 3, 1)
                        : new DateOnly(year, first.Month, first.Day);
                break;
        }
    }
}
