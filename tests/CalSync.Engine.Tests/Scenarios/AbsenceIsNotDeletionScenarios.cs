using CalSync.Engine.Model;
using CalSync.Engine.Sync;
using CalSync.Engine.Tests.Support;
using Xunit;
using static CalSync.Engine.Tests.Support.SyncHarness;

namespace CalSync.Engine.Tests.Scenarios;

/// <summary>
/// Issue 15, case 2: a linked meeting missing from its side's read is read directly before anything is deleted. Gone:
/// deleted as before. Moved out of the window: its copy follows and the pair then leaves the sync. Still there but not
/// readable whole (a series, another calendar): the pair leaves the sync and nothing is deleted.
/// </summary>
public sealed class AbsenceIsNotDeletionScenarios
{
    private static (SyncHarness H, CalEvent Outlook, CalEvent Bitrix24) Linked()
    {
        var h = new SyncHarness();
        var a = h.A.Add(Meeting("Dentist", day: 8));
        h.A.Add(Meeting("Review", day: 12)); // so the side is never empty (that is the empty-side guard's case)
        h.B.Add(Meeting("Standup", day: 9));
        h.Run(InitialMerge.TwoWay);
        var link = h.State.Links.Single(l => l.OutlookId == a.Id);
        return (h, a, h.B[link.Bitrix24Id]);
    }

    [Fact]
    public void An_Outlook_meeting_moved_730_days_ahead_keeps_its_copy_which_follows_it_out_of_the_window()
    {
        var (h, a, b) = Linked();
        using var _ = h;
        h.A.Edit(a.Id, e => e with { Start = e.Start.Add(TimeSpan.FromDays(730)), End = e.End.Add(TimeSpan.FromDays(730)) });

        var run = h.Run();
        Assert.Equal(0, run.Bitrix24.Deleted);
        Assert.Equal(1, run.Bitrix24.Updated);
        Assert.True(h.B.Contains(b.Id));
        Assert.Equal(h.A[a.Id].Start.SortKeyUtc, h.B[b.Id].Start.SortKeyUtc);

        h.AssertQuiet();
        Assert.Contains(h.State.Links, l => l.OutlookId == a.Id && l.Bitrix24Id == b.Id); // kept beyond the far edge
        Assert.Equal(0, h.B.Deletes);

        // Moved back: the copy follows it back, no second copy is made.
        h.A.Edit(a.Id, e => e with { Start = e.Start.Add(TimeSpan.FromDays(-730)), End = e.End.Add(TimeSpan.FromDays(-730)) });
        var back = h.Run();
        Assert.Equal((0, 1), (back.Bitrix24.Created, back.Bitrix24.Updated));
        Assert.Equal(h.A[a.Id].Start.SortKeyUtc, h.B[b.Id].Start.SortKeyUtc);
        h.AssertQuiet();
    }

    [Fact]
    public void A_Bitrix24_meeting_moved_out_of_the_window_keeps_its_Outlook_copy()
    {
        var (h, _, _) = Linked();
        using var __ = h;
        var standup = h.State.Links.Single(l => h.B[l.Bitrix24Id].Title == "Standup");
        h.B.Edit(standup.Bitrix24Id, e => e with { Start = e.Start.Add(TimeSpan.FromDays(-400)), End = e.End.Add(TimeSpan.FromDays(-400)) });

        var run = h.Run();
        Assert.Equal(0, run.Outlook.Deleted);
        Assert.True(h.A.Contains(standup.OutlookId));
        Assert.Equal(0, h.A.Deletes);
        h.Run();
        h.AssertQuiet();
        Assert.True(h.A.Contains(standup.OutlookId));
    }

    [Fact]
    public void A_meeting_that_still_exists_but_cannot_be_read_whole_unlinks_without_deleting_and_stays_quiet()
    {
        var (h, a, b) = Linked();
        using var _ = h;
        h.A.Edit(a.Id, e => e with { Start = e.Start.Add(TimeSpan.FromDays(730)), End = e.End.Add(TimeSpan.FromDays(730)) });
        h.A.NotWhole.Add(a.Id);

        var run = h.Run();
        Assert.Equal(0, run.Writes);
        Assert.Contains(run.Items, i => i.Action == ItemAction.Unlink && i.TargetId == b.Id && i.Reason.Contains("nothing is deleted"));
        Assert.True(h.B.Contains(b.Id));
        Assert.DoesNotContain(h.State.Links, l => l.OutlookId == a.Id);
        h.B.Edit(b.Id, e => e with { Title = "Dentist (edited on the copy)" });
        h.AssertQuiet(); // the copy left the sync: its edits go nowhere
    }

    [Fact]
    public void A_meeting_really_deleted_is_confirmed_gone_and_its_copy_deleted_in_one_direct_read()
    {
        var (h, a, b) = Linked();
        using var _ = h;
        h.A.Remove(a.Id);
        var reads = h.A.DirectReads;

        var run = h.Run();
        Assert.Equal(1, run.Bitrix24.Deleted);
        Assert.False(h.B.Contains(b.Id));
        Assert.Equal(reads + 1, h.A.DirectReads);
        h.AssertQuiet();
    }

    [Fact]
    public void A_run_where_nothing_vanished_reads_nothing_directly()
    {
        var (h, a, _) = Linked();
        using var _ = h;
        h.A.Edit(a.Id, e => e with { Title = "Dentist (moved)" });
        h.Run();
        h.AssertQuiet();
        Assert.Equal(0, h.A.DirectReads + h.B.DirectReads);
    }
}
