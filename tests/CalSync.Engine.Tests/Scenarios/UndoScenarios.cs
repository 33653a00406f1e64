using CalSync.Engine.Model;
using CalSync.Engine.Sync;
using CalSync.Engine.Tests.Support;
using Xunit;
using static CalSync.Engine.Tests.Support.SyncHarness;

namespace CalSync.Engine.Tests.Scenarios;

/// <summary>
/// Issue 19, case 6: removing every copy a sync made (found by links, origin stamps and the history), never an original,
/// crash-safe; and a reset after which the next run matches again instead of duplicating.
/// </summary>
public sealed class UndoScenarios
{
    /// <summary>40 meetings: 16 only in Outlook, 16 only in Bitrix24, 8 on both (half of them differ in location); merged two-way.</summary>
    private static (HashSet<string> Outlook, HashSet<string> Bitrix24) Merge40(SyncHarness h)
    {
        for (var i = 0; i < 16; i++)
        {
            h.A.Add(Meeting($"Outlook only {i}", day: 3 + i % 20, hour: 8 + i % 8));
            h.B.Add(Meeting($"Bitrix24 only {i}", day: 3 + i % 20, hour: 9 + i % 8));
        }
        for (var i = 0; i < 8; i++)
        {
            h.A.Add(Meeting($"Both {i}", day: 4 + i, hour: 15, location: "Room A"));
            h.B.Add(Meeting($"Both {i}", day: 4 + i, hour: 15, location: i % 2 == 0 ? "Room A" : "Room B"));
        }
        var originals = (h.A.Events.Select(e => e.Id).ToHashSet(), h.B.Events.Select(e => e.Id).ToHashSet());
        var merge = h.Run(InitialMerge.TwoWay);
        Assert.Equal(RunOutcome.Succeeded, merge.Outcome);
        Assert.Equal(40, h.A.Events.Count);
        Assert.Equal(40, h.B.Events.Count);
        return originals;
    }

    private static RunResult RemoveCopies(SyncHarness h, bool whatIf = false, params Side[] sides)
    {
        h.Now = h.Now.AddMinutes(1);
        var options = new UndoOptions { WhatIf = whatIf, Now = h.Now, LockWait = TimeSpan.FromSeconds(5) };
        if (sides.Length > 0) options = options with { Sides = sides };
        return new SyncRunner(h.Store, h.A, h.B).RemoveCopiesAsync(h.Definition, options, CancellationToken.None).GetAwaiter().GetResult();
    }

    private static void AssertOnlyOriginals(SyncHarness h, (HashSet<string> Outlook, HashSet<string> Bitrix24) originals)
    {
        Assert.Equal(originals.Outlook.OrderBy(x => x), h.A.Events.Select(e => e.Id).OrderBy(x => x));
        Assert.Equal(originals.Bitrix24.OrderBy(x => x), h.B.Events.Select(e => e.Id).OrderBy(x => x));
        Assert.All(h.A.Events, e => Assert.Null(e.OriginStamp));
    }

    [Fact]
    public void An_undo_after_a_two_way_merge_of_40_meetings_leaves_exactly_the_originals_and_the_sync_can_merge_again()
    {
        using var h = new SyncHarness();
        var originals = Merge40(h);

        var undo = RemoveCopies(h).Record;

        Assert.Equal(RunOutcome.Succeeded, undo.Outcome);
        Assert.Equal("RemoveCopies:Both", undo.Mode);
        Assert.Equal((16, 16), (undo.Outlook.Deleted, undo.Bitrix24.Deleted));
        AssertOnlyOriginals(h, originals);
        Assert.Empty(h.State.Links);
        Assert.False(h.State.Initialized);
        Assert.Contains(h.Store.History.Read("work"), r => r.RunId == undo.RunId);
        // The sync merges again from scratch.
        h.Run(InitialMerge.TwoWay);
        Assert.Equal((40, 40), (h.A.Events.Count, h.B.Events.Count));
        h.AssertLinksOneToOne();
        h.AssertQuiet();
    }

    [Fact]
    public void After_an_undo_a_plain_run_copies_nothing_again_and_a_reset_then_merges_again()
    {
        using var h = new SyncHarness();
        var originals = Merge40(h);
        RemoveCopies(h);

        // A plain (scheduled) run takes only new data: nothing is copied again behind the user's back.
        Assert.Equal(0, h.Run().Writes);
        AssertOnlyOriginals(h, originals);
        // That run made the originals a baseline; a reset forgets it, and the next plain run merges.
        SyncRunner.Reset(h.Store, h.Definition, new UndoOptions(), CancellationToken.None);
        h.Run();
        Assert.Equal((40, 40), (h.A.Events.Count, h.B.Events.Count));
        h.AssertLinksOneToOne();
        h.AssertQuiet();
    }

    [Fact]
    public void With_the_state_file_deleted_the_copies_are_found_by_their_stamps_and_the_history()
    {
        using var h = new SyncHarness();
        var originals = Merge40(h);
        File.Delete(h.Store.States.PathOf("work"));

        var undo = RemoveCopies(h).Record;

        Assert.Equal((16, 16), (undo.Outlook.Deleted, undo.Bitrix24.Deleted));
        AssertOnlyOriginals(h, originals);
        Assert.Contains(undo.Items, i => i.TargetSide == Side.Outlook && i.Reason.StartsWith("stamped by CalSync", StringComparison.Ordinal));
    }

    [Fact]
    public void With_state_and_history_lost_only_stamped_Outlook_copies_are_found_and_no_original_is_touched()
    {
        using var h = new SyncHarness();
        var originals = Merge40(h);
        File.Delete(h.Store.States.PathOf("work"));
        File.Delete(h.Store.History.PathOf("work"));

        var undo = RemoveCopies(h).Record;

        Assert.Equal((16, 0), (undo.Outlook.Deleted, undo.Bitrix24.Deleted));
        Assert.Equal(originals.Outlook.OrderBy(x => x), h.A.Events.Select(e => e.Id).OrderBy(x => x));
        Assert.True(originals.Bitrix24.IsSubsetOf(h.B.Events.Select(e => e.Id)));
    }

    [Fact]
    public void WhatIf_names_each_copy_and_writes_nothing_anywhere()
    {
        using var h = new SyncHarness();
        Merge40(h);
        var state = File.ReadAllBytes(h.Store.States.PathOf("work"));
        var history = File.ReadAllBytes(h.Store.History.PathOf("work"));
        var writes = (h.A.Writes, h.B.Writes);

        var result = RemoveCopies(h, whatIf: true);

        Assert.Equal(RunOutcome.WhatIf, result.Record.Outcome);
        Assert.Equal(32, result.Plan!.Writes.Count);
        var text = result.Plan.ToString();
        Assert.Contains("Outlook: 0 create, 0 update, 16 delete", text);
        Assert.Contains("Delete on Bitrix24: 'Outlook only 3' 2025-03-06 11:00 Europe/Berlin", text);
        Assert.Contains("Delete on Outlook: 'Bitrix24 only 0' 2025-03-03 09:00 Europe/Berlin", text);
        Assert.DoesNotContain("'Both ", text);
        Assert.Equal(writes, (h.A.Writes, h.B.Writes));
        Assert.Equal(state, File.ReadAllBytes(h.Store.States.PathOf("work")));
        Assert.Equal(history, File.ReadAllBytes(h.Store.History.PathOf("work")));
    }

    [Theory]
    [InlineData(Side.Outlook, 1)]
    [InlineData(Side.Outlook, 9)]
    [InlineData(Side.Bitrix24, 1)]
    [InlineData(Side.Bitrix24, 16)]
    public void Killed_mid_undo_runs_refuse_and_a_rerun_finishes_without_touching_originals(Side killed, int afterDeletes)
    {
        using var h = new SyncHarness();
        var originals = Merge40(h);
        (killed == Side.Outlook ? h.A : h.B).KillAfter(afterDeletes);
        Assert.Throws<InMemoryCalendar.Killed>(() => RemoveCopies(h));
        h.A.AfterWrite = h.B.AfterWrite = null;

        // A scheduled run meanwhile must not take the deleted copies for deletions to follow on their originals.
        var writes = (h.A.Writes, h.B.Writes);
        var run = h.Run();
        Assert.Equal((RunOutcome.Aborted, RunErrorIds.RemovalPending), (run.Outcome, run.ErrorId));
        Assert.Contains("Remove-CalSyncCopy -Name 'work'", run.Message);
        Assert.Equal(writes, (h.A.Writes, h.B.Writes));

        var rerun = RemoveCopies(h).Record;
        Assert.Null(rerun.ErrorId);
        Assert.Equal(afterDeletes == 16 ? RunOutcome.NoChanges : RunOutcome.Succeeded, rerun.Outcome); // all 16 were applied before the kill
        AssertOnlyOriginals(h, originals);
        Assert.Null(h.State.PendingRemoval);
        Assert.Equal(0, h.Run().Writes);
    }

    [Fact]
    public void A_delete_the_calendar_refuses_leaves_the_removal_pending_and_the_next_one_finishes_it()
    {
        using var h = new SyncHarness();
        var originals = Merge40(h);
        var refused = h.B.Events.First(e => e.Title == "Outlook only 4").Id;
        h.B.FailWhen = op => op.TargetId == refused ? "Access denied" : null;

        var undo = RemoveCopies(h).Record;

        Assert.Equal((RunOutcome.CompletedWithErrors, "ItemFailed"), (undo.Outcome, undo.ErrorId));
        Assert.Contains("1 copy not deleted (Bitrix24:delete:" + refused + ": Access denied)", undo.Message);
        Assert.Equal(new RemovalTarget(Side.Bitrix24, refused), Assert.Single(h.State.PendingRemoval!.Targets));
        Assert.Equal(RunErrorIds.RemovalPending, h.Run().ErrorId);
        h.B.FailWhen = _ => null;
        Assert.Equal(1, RemoveCopies(h).Record.Bitrix24.Deleted);
        AssertOnlyOriginals(h, originals);
    }

    [Fact]
    public void One_side_removes_its_copies_keeps_the_other_sides_links_and_does_not_copy_again_until_an_original_changes()
    {
        using var h = new SyncHarness();
        var originals = Merge40(h);
        var outlookBefore = h.A.Events.Select(e => e.Id).ToHashSet();

        var undo = RemoveCopies(h, false, Side.Bitrix24).Record;

        Assert.Equal("RemoveCopies:Bitrix24", undo.Mode);
        Assert.Equal((0, 16), (undo.Outlook.Deleted, undo.Bitrix24.Deleted));
        Assert.Equal(originals.Bitrix24.OrderBy(x => x), h.B.Events.Select(e => e.Id).OrderBy(x => x));
        Assert.Equal(outlookBefore, h.A.Events.Select(e => e.Id).ToHashSet());
        Assert.Equal(24, h.State.Links.Count); // the 16 Outlook copies and the 8 matched pairs
        h.AssertQuiet();

        var edited = h.A.Events.First(e => e.Title == "Outlook only 5");
        h.A.Edit(edited.Id, e => e with { Location = "Moved" });
        var run = h.Run();
        Assert.Equal(1, run.Bitrix24.Created);
        h.AssertQuiet();
    }

    [Fact]
    public void An_invitation_is_never_deleted_even_when_the_state_calls_it_a_copy()
    {
        using var h = new SyncHarness();
        var original = h.A.Add(Meeting("Board meeting"));
        h.A.Add(Meeting("Keep the side non-empty", day: 6));
        h.Run(InitialMerge.TwoWay);
        var copy = h.State.Links.Single(l => l.OutlookId == original.Id).Bitrix24Id;
        h.B.EditSilently(copy, e => e with { Invitation = new Invitation("boss@example.com", AttendeeResponse.Accepted) });

        var undo = RemoveCopies(h, false, Side.Bitrix24).Record;

        Assert.True(h.B.Contains(copy));
        Assert.Equal(1, undo.Bitrix24.Deleted);
        Assert.Contains(undo.Items, i => i.Action == ItemAction.Skip && i.TargetId == copy && i.Reason.Contains("invitation from boss@example.com"));
    }

    [Fact]
    public void A_reset_forgets_links_and_cursors_and_the_next_plain_run_matches_every_pair_without_a_write()
    {
        using var h = new SyncHarness();
        Merge40(h);
        var writes = (h.A.Writes, h.B.Writes);

        var reset = SyncRunner.Reset(h.Store, h.Definition, new UndoOptions { Now = h.Now }, CancellationToken.None);

        Assert.Equal((RunOutcome.Succeeded, "Reset"), (reset.Outcome, reset.Mode));
        Assert.Empty(h.State.Links);
        Assert.Null(h.State.OutlookCursor);
        Assert.Equal(InitialMerge.TwoWay, h.State.PendingMerge);
        var run = h.Run();
        Assert.Equal("InitialMerge:TwoWay", run.Mode);
        Assert.Equal(0, run.Writes);
        Assert.Equal(writes, (h.A.Writes, h.B.Writes));
        Assert.Equal((40, 40, 40), (h.A.Events.Count, h.B.Events.Count, h.State.Links.Count));
        h.AssertLinksOneToOne();
        h.AssertQuiet();
    }

    [Fact]
    public void Neither_overlaps_a_running_sync_they_wait_for_its_lock()
    {
        using var h = new SyncHarness();
        var originals = Merge40(h);
        using (h.Store.Locks.Acquire("work", TimeSpan.Zero))
        {
            var undo = new SyncRunner(h.Store, h.A, h.B);
            var options = new UndoOptions { LockWait = TimeSpan.Zero };
            var locked = Assert.Throws<CalSync.Store.StoreException>(() => undo.RemoveCopiesAsync(h.Definition, options, CancellationToken.None).GetAwaiter().GetResult());
            Assert.Equal(CalSync.Store.StoreErrorKind.Locked, locked.Kind);
            Assert.Equal(CalSync.Store.StoreErrorKind.Locked,
                Assert.Throws<CalSync.Store.StoreException>(() => SyncRunner.Reset(h.Store, h.Definition, options, CancellationToken.None)).Kind);
        }
        Assert.Equal((40, 40, 40), (h.A.Events.Count, h.B.Events.Count, h.State.Links.Count));
        RemoveCopies(h);
        AssertOnlyOriginals(h, originals);
    }

    [Fact]
    public void A_reset_is_refused_without_avoid_duplicates_and_while_a_removal_is_unfinished()
    {
        using var h = new SyncHarness();
        Merge40(h);
        var state = File.ReadAllBytes(h.Store.States.PathOf("work"));

        var refused = SyncRunner.Reset(h.Store, h.Definition with { AvoidDuplicates = false }, new UndoOptions(), CancellationToken.None);
        Assert.Equal((RunOutcome.Aborted, RunErrorIds.ResetNeedsAvoidDuplicates), (refused.Outcome, refused.ErrorId));
        Assert.Contains("Set-CalSync -Name 'work' -AvoidDuplicates", refused.Message);
        Assert.Equal(state, File.ReadAllBytes(h.Store.States.PathOf("work")));

        h.B.KillAfter(2);
        Assert.Throws<InMemoryCalendar.Killed>(() => RemoveCopies(h));
        var pending = SyncRunner.Reset(h.Store, h.Definition, new UndoOptions(), CancellationToken.None);
        Assert.Equal(RunErrorIds.RemovalPending, pending.ErrorId);
        Assert.NotNull(h.State.PendingRemoval);
    }
}
