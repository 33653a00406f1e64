using CalSync.Engine.Model;
using CalSync.Engine.Sync;
using CalSync.Engine.Tests.Support;
using CalSync.Testing.Scenarios;
using Xunit;
using static CalSync.Engine.Tests.Support.SyncHarness;

namespace CalSync.Engine.Tests.Scenarios;

/// <summary>docs/scenarios.md 26-28 on two in-memory calendars; here scenario 26, series with their exceptions and cancellations as values.</summary>
public sealed class RecurrenceScenarios : Testing.Scenarios.RecurrenceScenarios
{
    protected override ISyncRig NewRig(SyncDefinition? definition = null) => new InMemoryRig(definition);

    private static readonly DateTime From = new(2025, 2, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime To = new(2026, 4, 1, 0, 0, 0, DateTimeKind.Utc);

    private static CalEvent WeeklyStandup(int count = 6) => Meeting("Standup", day: 3, hour: 10, zone: "W. Europe Standard Time") with
    {
        Recurrence = new Recurrence { Kind = RecurrenceKind.Weekly, DaysOfWeek = new[] { DayOfWeek.Monday }, Count = count },
    };

    private static CalEvent Moved(DateTime originalDate, int day, int hour) => Meeting("Standup (moved)", day: day, hour: hour);

    /// <summary>Every occurrence a calendar shows, as (start, end, title), series expanded.</summary>
    private static List<(EventTime, EventTime, string)> Occurrences(InMemoryCalendar calendar) =>
        calendar.Events.SelectMany(e => e.IsSeries ? RecurrenceExpander.Expand(e, From, To).Select(o => o.Event) : new[] { e })
            .Select(e => (e.Start, e.End, e.Title)).OrderBy(x => x.Start.Value).ToList();

    [Fact]
    public void S26_SeriesWithMovedAndCancelledOccurrence_BecomesExactSingleEventsOnBitrix24()
    {
        for (var repeat = 0; repeat < 4; repeat++)
        {
            using var h = new SyncHarness();
            var series = WeeklyStandup() with { };
            series = series with
            {
                Recurrence = series.Recurrence! with
                {
                    Cancelled = new[] { new DateTime(2025, 3, 17) },
                    Exceptions = new[] { new OccurrenceException(new DateTime(2025, 3, 10), Moved(new DateTime(2025, 3, 10), 11, 14)) },
                },
            };
            var a1 = h.A.Add(series);
            h.Run(InitialMerge.TwoWay);

            Assert.All(h.B.Events, e => Assert.False(e.IsSeries));
            Assert.Equal(5, h.B.Events.Count);
            Assert.Equal(Occurrences(h.A), Occurrences(h.B));
            Assert.Contains(h.B.Events, e => e.Title == "Standup (moved)" && e.Start.Local == new DateTime(2025, 3, 11, 14, 0, 0));
            Assert.DoesNotContain(h.B.Events, e => e.Start.Local.Date == new DateTime(2025, 3, 17));
            h.AssertQuiet(2);

            // Deleting one of those single events on Bitrix24 cancels that occurrence on Outlook; the series stays.
            var single = h.B.Events.First(e => e.Start.Local.Date == new DateTime(2025, 3, 24));
            h.B.Remove(single.Id);
            var run = h.Run();
            Assert.Equal(1, run.Outlook.Deleted);
            Assert.True(h.A.Contains(a1.Id));
            Assert.Contains(new DateTime(2025, 3, 24), h.A[a1.Id].Recurrence!.Cancelled);
            Assert.Equal(Occurrences(h.A), Occurrences(h.B));
            h.AssertQuiet();
        }
    }

    [Fact]
    public void S26_SeriesWithAMovedOccurrenceStaysASeriesOnBitrix24()
    {
        using var h = new SyncHarness();
        var series = WeeklyStandup();
        series = series with { Recurrence = series.Recurrence! with { Exceptions = new[] { new OccurrenceException(new DateTime(2025, 3, 10), Moved(new DateTime(2025, 3, 10), 11, 14)) } } };
        h.A.Add(series);
        h.Run(InitialMerge.TwoWay);
        var copy = Assert.Single(h.B.Events);
        Assert.True(copy.IsSeries);
        Assert.Equal(Occurrences(h.A), Occurrences(h.B));
        h.AssertQuiet(2);
    }

    [Fact]
    public void S26_CancellingAnOccurrenceLaterReplacesTheBitrix24SeriesWithSingleEvents()
    {
        using var h = new SyncHarness();
        var a1 = h.A.Add(WeeklyStandup());
        h.Run(InitialMerge.TwoWay);
        Assert.True(Assert.Single(h.B.Events).IsSeries);

        h.A.Edit(a1.Id, e => e with { Recurrence = e.Recurrence! with { Cancelled = new[] { new DateTime(2025, 3, 17) } } });
        var run = h.Run();
        Assert.Equal(1, run.Bitrix24.Deleted);
        Assert.Equal(5, run.Bitrix24.Created);
        Assert.All(h.B.Events, e => Assert.False(e.IsSeries));
        Assert.Equal(Occurrences(h.A), Occurrences(h.B));
        h.AssertQuiet(2);
    }

    [Fact]
    public void S26_Mirror_Bitrix24SeriesWithAnExceptionGivesTheSameOccurrencesOnOutlook()
    {
        using var h = new SyncHarness();
        var series = WeeklyStandup();
        series = series with { Recurrence = series.Recurrence! with { Exceptions = new[] { new OccurrenceException(new DateTime(2025, 3, 24), Moved(new DateTime(2025, 3, 24), 25, 9)) } } };
        h.B.Add(series);
        h.Run(InitialMerge.TwoWay);
        var copy = Assert.Single(h.A.Events);
        Assert.True(copy.IsSeries);
        Assert.Equal(Occurrences(h.B), Occurrences(h.A));
        h.AssertQuiet(2);
    }

    [Fact]
    public void S26_Mirror_Bitrix24SeriesWithACancelledOccurrenceStaysASeriesOnBothSides()
    {
        using var h = new SyncHarness();
        var series = WeeklyStandup();
        var b1 = h.B.Add(series with { Recurrence = series.Recurrence! with { Cancelled = new[] { new DateTime(2025, 3, 17) } } });
        h.Run(InitialMerge.TwoWay);
        var copy = Assert.Single(h.A.Events);
        Assert.True(copy.IsSeries);
        Assert.Equal(Occurrences(h.B), Occurrences(h.A));
        // The Outlook copy now holds a cancellation Bitrix24's REST API could not write, but nothing needs writing:
        // the Bitrix24 series must neither be deleted nor get single events next to it.
        h.AssertQuiet(2);
        Assert.True(h.B.Contains(b1.Id));
        Assert.Single(h.B.Events);

        // An edit on Bitrix24 still reaches the Outlook series.
        h.B.Edit(b1.Id, e => e with { Location = "Room 4" });
        h.Run();
        Assert.Equal("Room 4", Assert.Single(h.A.Events).Location);
        Assert.Single(h.B.Events);
        h.AssertQuiet();
    }

    [Fact]
    public void S26_MonthlyOnThe31stFallsOnTheLastDayOfShorterMonthsInItsSingleEvents()
    {
        using var h = new SyncHarness();
        // Outlook (and CDO) put "day 31 of every month" on the last day of shorter months.
        h.A.Add(Meeting("Rent", day: 31, hour: 9) with
        {
            Recurrence = new Recurrence { Kind = RecurrenceKind.AbsoluteMonthly, DayOfMonth = 31, Count = 4 },
        });
        h.Run(InitialMerge.TwoWay);
        var dates = h.B.Events.Select(e => e.Start.Local.Date).OrderBy(d => d).ToArray();
        Assert.Equal(new[] { new DateTime(2025, 3, 31), new DateTime(2025, 4, 30), new DateTime(2025, 5, 31), new DateTime(2025, 6, 30) }, dates);
        h.AssertQuiet();
    }

    [Fact]
    public void S26_RelativeMonthlySeriesTravelsAsSingleEventsAndEditsComeBackAsExceptions()
    {
        using var h = new SyncHarness();
        var a1 = h.A.Add(Meeting("Board", day: 4, hour: 15) with
        {
            Recurrence = new Recurrence { Kind = RecurrenceKind.RelativeMonthly, Index = WeekIndex.First, DaysOfWeek = new[] { DayOfWeek.Tuesday }, Count = 4 },
        });
        h.Run(InitialMerge.TwoWay);
        Assert.Equal(4, h.B.Events.Count);
        Assert.Equal(Occurrences(h.A), Occurrences(h.B));
        h.AssertQuiet();

        var april = h.B.Events.Single(e => e.Start.Local.Month == 4);
        h.B.Edit(april.Id, e => e with { Location = "Room 9" });
        var run = h.Run();
        Assert.Equal(1, run.Outlook.Updated);
        var exception = Assert.Single(h.A[a1.Id].Recurrence!.Exceptions);
        Assert.Equal("Room 9", exception.Occurrence.Location);
        Assert.Equal(Occurrences(h.A), Occurrences(h.B));
        h.AssertQuiet(2);
    }

    [Fact]
    public void S26_CancellingAnOccurrenceOfAnOutlookCopyReplacesTheBitrix24SeriesWithSingles()
    {
        using var h = new SyncHarness();
        h.B.Add(WeeklyStandup());
        h.Run(InitialMerge.TwoWay);
        var copy = Assert.Single(h.A.Events);
        Assert.NotNull(copy.OriginStamp);

        h.A.Edit(copy.Id, e => e with { Recurrence = e.Recurrence! with { Cancelled = new[] { new DateTime(2025, 3, 17) } } });
        h.Run();
        Assert.All(h.B.Events, e => Assert.False(e.IsSeries));
        Assert.Equal(5, h.B.Events.Count);
        Assert.True(Assert.Single(h.A.Events).IsSeries);
        Assert.Equal(Occurrences(h.A), Occurrences(h.B));
        h.AssertQuiet(2);
    }
}
