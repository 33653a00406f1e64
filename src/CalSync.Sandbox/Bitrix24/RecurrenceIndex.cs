namespace CalSync.Sandbox.Bitrix24;

/// <summary>
/// RINDEX as <c>CCalendarEvent::ParseRecursion</c> numbers the occurrences of one read (docs/bitrix24-api.md, "Expansion in
/// calendar.event.get"): it counts from the repetition <c>getClosestRepetitionTs</c> finds near the window start; that
/// first one gets <c>getFirstInstanceIndex</c> (1 when more than a day after the series start, else 0), later ones
/// <c>realCount</c>, and a COUNT rule of DAILY, MONTHLY or YEARLY adds <c>countOffset</c>, the repetitions skipped.
/// Times are PHP <c>mktime</c> seconds in the server zone, as the source computes them.
/// </summary>
internal sealed class RecurrenceIndex
{
    private const double Day = 86400;
    private readonly int _firstIndex;
    private readonly int _countOffset;

    public RecurrenceIndex(Portal portal, Bitrix24Event master, long? windowFrom)
    {
        var rule = master.RecurrenceRule!;
        var first = DateOnly.FromDateTime(master.From);
        var evFrom = portal.ServerTimestamp(master.From);
        var limitFrom = Math.Max((windowFrom ?? portal.ServerTimestamp(DateTime.UnixEpoch)) + EventTimes.OffsetFrom(master), EventTimes.FromTimestamp(portal, master));
        var diff = limitFrom - evFrom;
        var interval = rule.Interval;
        long Stepped(double periods) { var n = (long)PhpRound(periods); return n - n % interval; }
        Closest = rule.Frequency switch
        {
            "DAILY" => first.AddDays((int)Stepped(diff / Day)),
            "MONTHLY" => Mktime(first.Year, first.Month + (int)Stepped(diff / (30 * Day)), first.Day),
            "YEARLY" => Mktime(first.Year + (int)Stepped(diff / (365 * Day)), first.Month, first.Day),
            _ => WeeklyClosest(first, PhpRound(diff / Day), RecurrenceExpander.EffectiveDays(rule).Count, interval),
        };
        var closestTs = portal.ServerTimestamp(Closest.ToDateTime(TimeOnly.FromDateTime(master.From)));
        _firstIndex = (closestTs - evFrom) / Day > 1 ? 1 : 0;

        if (rule.Count is int count && rule.Frequency is "DAILY" or "MONTHLY" or "YEARLY")
        {
            // calculateUntilForCountRRule: the end moved by the offset, plus COUNT × INTERVAL periods.
            long Until(long offset)
            {
                var to = Zones.ToWall(DateTime.UnixEpoch.AddSeconds(portal.ServerTimestamp(master.To) + offset), portal.ServerZone);
                var periods = count * interval;
                var date = rule.Frequency switch
                {
                    "DAILY" => Mktime(to.Year, to.Month, to.Day + periods),
                    "MONTHLY" => Mktime(to.Year, to.Month + periods, to.Day),
                    _ => Mktime(to.Year + periods, to.Month, to.Day),
                };
                return portal.ServerTimestamp(date.ToDateTime(new TimeOnly(to.Hour, to.Minute)));
            }
            var lastRepetition = Until(0) - (master.AllDay ? 0 : EventTimes.Length(master));
            var freqDuration = rule.Frequency switch { "DAILY" => Day, "MONTHLY" => 30 * Day, _ => 365 * Day };
            _countOffset = (int)((Until(closestTs - evFrom) - lastRepetition) / (freqDuration * interval));
        }
    }

    /// <summary>The date ParseRecursion starts counting from.</summary>
    public DateOnly Closest { get; }

    /// <summary>RINDEX of the occurrence <paramref name="sinceClosest"/> repetitions after <see cref="Closest"/>.</summary>
    public int Of(int sinceClosest) =>
        sinceClosest <= 0 && _countOffset == 0 ? _firstIndex : Math.Max(0, sinceClosest) + _countOffset;

    private static DateOnly WeeklyClosest(DateOnly first, double days, int dayCount, int interval)
    {
        var count = PhpRound(days / (dayCount * 7 * interval) + 1);
        return first.AddDays((int)PhpRound((count - 1) / dayCount * 7 * interval));
    }

    /// <summary>PHP <c>mktime</c>'s date: months and days past the end roll over.</summary>
    private static DateOnly Mktime(int year, int month, int day) => new DateOnly(year, 1, 1).AddMonths(month - 1).AddDays(day - 1);

    private static double PhpRound(double value) => Math.Round(value, MidpointRounding.AwayFromZero);
}
