using CalSync.Engine.Sides;
using CalSync.Engine.Sync;
using CalSync.Engine.Tests.Support;
using Xunit;
using static CalSync.Engine.Tests.Support.SyncHarness;

namespace CalSync.Engine.Tests.Scenarios;

/// <summary>
/// Issue 15, cases 3-5: an interrupted initial merge is finished by a plain run, avoid-duplicates matches on every run,
/// and a refused or -WhatIf run reports no writes.
/// </summary>
public sealed class InterruptionAndMatchingScenarios
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_plain_run_after_a_killed_two_way_merge_finishes_the_union(int killAfter)
    {
        using var h = new SyncHarness();
        for (var i = 1; i <= 3; i++)
        {
            h.A.Add(Meeting($"Outlook only {i}", day: 3 + i));
            h.B.Add(Meeting($"Bitrix24 only {i}", day: 10 + i));
        }
        h.B.KillAfter(killAfter);
        Assert.Throws<InMemoryCalendar.Killed>(() => h.Run(InitialMerge.TwoWay));
        h.B.AfterWrite = null;

        var again = h.Run(); // as the help says: an unfinished merge is continued
        Assert.Equal("InitialMerge:TwoWay", again.Mode);
        Assert.Equal(6, h.A.Events.Count);
        Assert.Equal(6, h.B.Events.Count);
        Assert.Equal(6, h.State.Links.Count);
        h.AssertLinksOneToOne();
        h.AssertQuiet();
    }

    [Fact]
    public void The_requested_merge_is_recorded_before_the_first_write_even_without_creates()
    {
        using var h = new SyncHarness();
        h.A.Add(Meeting("Planning", location: "Room 1"));
        h.B.Add(Meeting("Planning", location: "Room 2")); // matched, they differ: an update is the only write
        h.B.KillAfter(1);
        h.A.KillAfter(1);
        Assert.Throws<InMemoryCalendar.Killed>(() => h.Run(InitialMerge.OutlookToBitrix24));
        Assert.Equal(InitialMerge.OutlookToBitrix24, h.State.PendingMerge);
    }

    [Fact]
    public void Avoid_duplicates_links_identical_meetings_on_a_plain_first_run_so_a_later_edit_updates_instead_of_copying()
    {
        using var h = new SyncHarness(); // the state is lost: a plain run on a store that knows nothing
        var outlook = h.A.Add(Meeting("Dentist"));
        h.B.Add(Meeting("Dentist"));
        h.A.Add(Meeting("Only here", day: 5));

        var first = h.Run();
        Assert.Equal(0, first.Writes);
        var link = Assert.Single(h.State.Links);
        Assert.Equal(outlook.Id, link.OutlookId);

        h.A.Edit(outlook.Id, e => e with { Title = "Dentist (moved)" });
        var second = h.Run();
        Assert.Equal(0, second.Bitrix24.Created);
        Assert.Equal(1, second.Bitrix24.Updated);
        Assert.Equal(new[] { "Dentist (moved)" }, h.B.Events.Select(e => e.Title).ToArray());
        h.AssertQuiet();
    }

    [Fact]
    public void Avoid_duplicates_matches_a_new_meeting_with_its_twin_that_was_only_baseline()
    {
        using var h = new SyncHarness();
        h.A.Add(Meeting("Board meeting"));
        h.Run(); // plain first run: the Outlook meeting is the baseline, not copied
        h.B.Add(Meeting("Board meeting")); // the user enters the same meeting on Bitrix24

        var run = h.Run();
        Assert.Equal(0, run.Writes);
        Assert.Single(h.A.Events);
        Assert.Single(h.B.Events);
        Assert.Single(h.State.Links);
        h.AssertQuiet();
    }

    [Fact]
    public void Without_avoid_duplicates_a_plain_first_run_links_nothing()
    {
        using var h = new SyncHarness(new SyncDefinition { Name = "work", AvoidDuplicates = false });
        h.A.Add(Meeting("Dentist"));
        h.B.Add(Meeting("Dentist"));
        h.Run();
        Assert.Empty(h.State.Links);
    }

    [Fact]
    public void A_run_refused_by_the_empty_side_guard_reports_no_writes()
    {
        using var h = new SyncHarness();
        h.A.Add(Meeting("One"));
        h.A.Add(Meeting("Two", day: 4));
        h.B.Add(Meeting("Three", day: 5));
        h.Run(InitialMerge.TwoWay);
        foreach (var e in h.A.Events.ToArray()) h.A.Remove(e.Id);

        var run = h.Run();
        Assert.Equal(RunOutcome.Aborted, run.Outcome);
        Assert.Equal(0, run.Writes);
        Assert.Equal(0, run.Bitrix24.Deleted);
        Assert.DoesNotContain(run.Items, i => i.Action is ItemAction.Create or ItemAction.Update or ItemAction.Delete);
        var history = h.Store.History.Read("work").Last();
        Assert.Equal(0, history.Writes);
    }

    [Fact]
    public void A_WhatIf_run_reports_no_writes_and_keeps_the_plan_for_display()
    {
        using var h = new SyncHarness();
        h.A.Add(Meeting("One"));
        h.B.Add(Meeting("Two", day: 5));
        var run = h.Run(InitialMerge.TwoWay, whatIf: true);
        Assert.Equal(RunOutcome.WhatIf, run.Outcome);
        Assert.Equal(0, run.Writes);
        Assert.Equal(2, h.LastResult!.Plan!.Writes.Count);
    }
}
