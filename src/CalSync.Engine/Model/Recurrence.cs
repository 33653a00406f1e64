using System;
using System.Collections.Generic;
using System.Linq;

namespace CalSync.Engine.Model;

/// <summary>Graph's recurrence pattern kinds; Bitrix24 can express the absolute ones only.</summary>
public enum RecurrenceKind { Daily, Weekly, AbsoluteMonthly, RelativeMonthly, AbsoluteYearly, RelativeYearly }

public enum WeekIndex { First, Second, Third, Fourth, Last }

/// <summary>
/// A repeating meeting: the pattern (in the series' own zone, anchored at the master's start),
/// its end, and its exceptions. Occurrences are identified by their original local date, the key
/// both services use (Graph originalStart, Bitrix24 (ID, date)).
/// </summary>
public sealed record Recurrence
{
    public RecurrenceKind Kind { get; init; }
    public int Interval { get; init; } = 1;
    /// <summary>Weekly and relative patterns.</summary>
    public IReadOnlyList<DayOfWeek> DaysOfWeek { get; init; } = Array.Empty<DayOfWeek>();
    /// <summary>Absolute monthly and yearly patterns.</summary>
    public int DayOfMonth { get; init; }
    /// <summary>Yearly patterns (1-12).</summary>
    public int Month { get; init; }
    /// <summary>Relative patterns.</summary>
    public WeekIndex Index { get; init; }
    public DayOfWeek FirstDayOfWeek { get; init; } = DayOfWeek.Sunday;
    /// <summary>Number of occurrences (null: not counted).</summary>
    public int? Count { get; init; }
    /// <summary>Last possible occurrence date, inclusive (null: no end date).</summary>
    public DateTime? Until { get; init; }
    /// <summary>Original dates of occurrences that were cancelled.</summary>
    public IReadOnlyList<DateTime> Cancelled { get; init; } = Array.Empty<DateTime>();
    /// <summary>Occurrences that were moved or edited: their own content.</summary>
    public IReadOnlyList<OccurrenceException> Exceptions { get; init; } = Array.Empty<OccurrenceException>();

    public bool HasEnd => Count is not null || Until is not null;

    public Recurrence Normalized() => this with
    {
        DaysOfWeek = DaysOfWeek.Distinct().OrderBy(d => ((int)d + 6) % 7).ToArray(),
        Cancelled = Cancelled.Select(d => d.Date).Distinct().OrderBy(d => d).ToArray(),
        Exceptions = Exceptions.OrderBy(e => e.OriginalDate).ToArray(),
        Until = Until?.Date,
    };
}

/// <summary>One occurrence that differs from its series: the original date it replaces and what it is now.</summary>
public sealed record OccurrenceException(DateTime OriginalDate, CalEvent Occurrence);
