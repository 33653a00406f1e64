using CalSync.Engine.Model;
using CalSync.Engine.Sides;
using CalSync.Engine.Sync;
using CalSync.Engine.Tests.Support;
using CalSync.Testing.Scenarios;
using Xunit;
using static CalSync.Engine.Tests.Support.SyncHarness;

namespace CalSync.Engine.Tests.Scenarios;

/// <summary>docs/scenarios.md 8 and 10-20: identity, propagation, echo, deletions, conflicts, one-way.</summary>
public sealed class PropagationScenarios : Testing.Scenarios.PropagationScenarios
{
    protected override ISyncRig NewRig(SyncDefinition? definition = null) => new InMemoryRig(definition);

    private sealed class Crash : Exception;

    private static SyncHarness Linked(out CalEvent a1, out CalEvent b1, SyncDefinition? definition = null)
    {
        var h = new SyncHarness(definition);
        a1 = h.A.Add(Meeting("Dentist"));
        // Every calendar has other meetings: without them, deleting a1 would trip the empty-side guard.
        h.A.Add(Meeting("Weekly review", day: 20));
        h.Run(InitialMerge.TwoWay);
        var id = a1.Id;
        var link = Assert.Single(h.State.Links, l => l.OutlookId == id);
        b1 = h.B[link.Bitrix24Id];
        return h;
    }

    [Theory]
    [InlineData(Side.Bitrix24)]
    [InlineData(Side.Outlook)]
    public void S08_CrashAfterTheCreateIsRecoveredNotDuplicated(Side target)
    {
        for (var repeat = 0; repeat < 4; repeat++)
        {
            using var h = new SyncHarness();
            var source = target == Side.Bitrix24 ? h.A : h.B;
            var copies = target == Side.Bitrix24 ? h.B : h.A;
            source.Add(Meeting("Dentist"));
            copies.AfterWrite = _ => throw new Crash();
            Assert.Throws<Crash>(() => h.Run(InitialMerge.TwoWay));
            Assert.Single(h.State.Journal);
            Assert.Empty(h.State.Links);
            copies.AfterWrite = null;

            var run = h.Run(InitialMerge.TwoWay);
            Assert.Equal(1, target == Side.Bitrix24 ? run.Bitrix24.Recovered : run.Outlook.Recovered);
            Assert.Equal(0, run.Created);
            Assert.Single(copies.Events);
            Assert.Single(h.State.Links);
            Assert.Empty(h.State.Journal);
            h.AssertQuiet();
        }
    }

    [Fact]
    public void S08_AvoidDuplicatesOff_StillRecoversThroughTheJournal()
    {
        using var h = new SyncHarness(new SyncDefinition { Name = "work", AvoidDuplicates = false });
        h.A.Add(Meeting("Dentist"));
        h.B.AfterWrite = _ => throw new Crash();
        Assert.Throws<Crash>(() => h.Run(InitialMerge.TwoWay));
        h.B.AfterWrite = null;
        var run = h.Run(InitialMerge.TwoWay);
        Assert.Equal(1, run.Recovered);
        Assert.Single(h.B.Events);
        h.AssertQuiet();
    }

    [Fact]
    public void S08_HalfWrittenCopyIsCompletedFromItsSource()
    {
        using var h = new SyncHarness();
        h.A.Add(Meeting("Dentist", location: "Room 1"));
        // The service stored the copy without its location, then the run died before saving.
        h.B.StoreTransform = e => e with { Location = "" };
        h.B.AfterWrite = _ => throw new Crash();
        Assert.Throws<Crash>(() => h.Run(InitialMerge.TwoWay));
        h.B.AfterWrite = null;
        h.B.StoreTransform = e => e;
        h.Now = h.Now.AddHours(1); // the copy is newer than its source, yet the source wins
        var run = h.Run(InitialMerge.TwoWay);
        Assert.Equal(1, run.Bitrix24.Recovered);
        Assert.Equal(1, run.Bitrix24.Updated);
        Assert.Equal("Room 1", Assert.Single(h.B.Events).Location);
        Assert.Equal("Room 1", Assert.Single(h.A.Events).Location);
        h.AssertQuiet();
    }

    [Fact]
    public void S10_LinkFollowsAnOutlookCopyWhoseIdChanged()
    {
        using var h = new SyncHarness();
        var b1 = h.B.Add(Meeting("Planning"));
        h.Run(InitialMerge.TwoWay);
        var copyId = Assert.Single(h.State.Links).OutlookId;
        Assert.Equal(Sync.Planner.OriginStamp("work", Side.Bitrix24, b1.Id), h.A[copyId].OriginStamp);

        var newId = h.A.ChangeId(copyId);
        var quiet = h.AssertQuiet();
        Assert.Equal(newId, Assert.Single(h.State.Links).OutlookId);
        Assert.Single(h.A.Events);
        Assert.Single(h.B.Events);

        h.B.Edit(b1.Id, e => e with { Location = "Room 7" });
        h.Run();
        Assert.Equal("Room 7", h.A[newId].Location);
        h.AssertQuiet();
    }

    [Fact]
    public void S11_NewItemIsCopiedAndLinkedWithVersionsAndHashes()
    {
        using var h = Linked(out var a1, out var b1);
        var link = Assert.Single(h.State.Links, l => l.OutlookId == a1.Id);
        Assert.Equal(a1.Version, link.OutlookVersion);
        Assert.Equal(b1.Version, link.Bitrix24Version);
        Assert.NotEmpty(link.OutlookHash);
        Assert.Equal(link.OutlookHash, link.Bitrix24Hash); // a faithful copy has the same projection
        h.AssertQuiet(3);
    }

    [Fact]
    public void S12_MoveOnBitrix24UpdatesOutlookAndDoesNotEchoBack()
    {
        for (var repeat = 0; repeat < 4; repeat++)
        {
            using var h = Linked(out var a1, out var b1);
            h.B.Edit(b1.Id, e => e with { Start = e.Start.Add(TimeSpan.FromHours(3)), End = e.End.Add(TimeSpan.FromHours(3)) });
            var run = h.Run();
            Assert.Equal(1, run.Outlook.Updated);
            Assert.Equal(h.B[b1.Id].Start, h.A[a1.Id].Start);
            var bWrites = h.B.Writes;
            h.AssertQuiet(3);
            Assert.Equal(bWrites, h.B.Writes);
        }
    }

    [Fact]
    public void S13_ItemReportedOnlyBecauseCalSyncWroteItIsNotWrittenBack()
    {
        using var h = Linked(out var a1, out var b1);
        // The service normalises what CalSync wrote (a new projection, same version): not a change.
        h.A.StoreTransform = e => e with { Description = e.Description + "\n-- sent from Outlook.com" };
        h.B.Edit(b1.Id, e => e with { Description = "Bring the X-rays" });
        h.Run();
        Assert.Equal(1, h.A.Updates);
        h.AssertQuiet(2);
        // A version bump without a content change (an attendee answered) is not a change either.
        h.A.Edit(a1.Id, e => e);
        h.AssertQuiet();
    }

    [Fact]
    public void S13_AnItemStillAtTheVersionLastReadIsNotProjectedAgain_AnEditWithoutANewVersionTravelsWithTheNextVersion()
    {
        using var h = Linked(out var a1, out var b1);
        h.AssertQuiet();
        var hashes = h.State.Links.Single(l => l.OutlookId == a1.Id);
        // The content changes without a new version: unchanged, as the version says (as before); the link keeps its hash.
        h.A.EditSilently(a1.Id, e => e with { Location = "Room 4" });
        h.AssertQuiet(2);
        Assert.Equal(hashes.OutlookHash, h.State.Links.Single(l => l.OutlookId == a1.Id).OutlookHash);
        // The next version (even one without an edit of its own) carries the content the link has not seen.
        h.A.Edit(a1.Id, e => e);
        var run = h.Run();
        Assert.Equal(1, run.Bitrix24.Updated);
        Assert.Equal("Room 4", h.B[b1.Id].Location);
        h.AssertQuiet(2);
    }

    [Fact]
    public void S17_ModificationBeatsDeletionUnderNewest()
    {
        using var h = Linked(out var a1, out var b1);
        h.A.Edit(a1.Id, e => e with { Title = "Dentist (moved)" });
        h.B.Remove(b1.Id);
        var run = h.Run();
        Assert.Equal(1, run.Bitrix24.Created);
        Assert.Contains(run.Items, i => i.Action == ItemAction.Conflict);
        var link = Assert.Single(h.State.Links, l => l.OutlookId == a1.Id);
        Assert.NotEqual(b1.Id, link.Bitrix24Id);
        Assert.Equal("Dentist (moved)", h.B[link.Bitrix24Id].Title);
        h.AssertQuiet();
    }

    [Theory]
    [InlineData(ConflictPolicy.OutlookWins, "Outlook edit")]
    [InlineData(ConflictPolicy.Bitrix24Wins, "Bitrix24 edit")]
    [InlineData(ConflictPolicy.Newest, "Bitrix24 edit")]
    public void S18_BothChanged_PolicyDecidesAndHistoryKeepsBothBeforeImages(ConflictPolicy policy, string expected)
    {
        using var h = Linked(out var a1, out var b1, new SyncDefinition { Name = "work", ConflictPolicy = policy });
        h.A.Edit(a1.Id, e => e with { Location = "Outlook edit" });
        h.Now = h.Now.AddMinutes(5); // the Bitrix24 edit is the newer one
        h.B.Edit(b1.Id, e => e with { Location = "Bitrix24 edit" });
        var run = h.Run();
        Assert.Equal(1, run.Writes);
        Assert.Equal(expected, h.A[a1.Id].Location);
        Assert.Equal(expected, h.B[b1.Id].Location);
        var conflict = Assert.Single(run.Items, i => i.Action == ItemAction.Conflict);
        Assert.Equal("Outlook edit", conflict.OutlookBefore!["location"]);
        Assert.Equal("Bitrix24 edit", conflict.Bitrix24Before!["location"]);
        h.AssertQuiet();
    }

    [Fact]
    public void S18_Newest_OlderEditLoses()
    {
        using var h = Linked(out var a1, out var b1);
        h.B.Edit(b1.Id, e => e with { Location = "Bitrix24 edit" });
        h.Now = h.Now.AddMinutes(5);
        h.A.Edit(a1.Id, e => e with { Location = "Outlook edit" });
        h.Run();
        Assert.Equal("Outlook edit", h.B[b1.Id].Location);
        h.AssertQuiet();
    }

    [Fact]
    public void S19_OneWay_ItemOnlyOnTargetIsNeverTouched()
    {
        using var h = new SyncHarness(new SyncDefinition { Name = "work", Direction = SyncDirection.OutlookToBitrix24 });
        var b2 = h.B.Add(Meeting("Bitrix only"));
        h.A.Add(Meeting("Outlook", day: 4));
        h.Run(InitialMerge.TwoWay);
        h.Run();
        Assert.Single(h.A.Events);
        Assert.Equal(0, h.A.Writes);
        Assert.Equal(b2, h.B[b2.Id]);
        h.AssertQuiet(2);
    }

    [Fact]
    public void S20_OneWay_TargetEditIsLeftAloneUntilTheSourceChanges()
    {
        using var h = Linked(out var a1, out var b1, new SyncDefinition { Name = "work", Direction = SyncDirection.OutlookToBitrix24 });
        h.B.Edit(b1.Id, e => e with { Title = "Edited on Bitrix24" });
        h.AssertQuiet(2);
        Assert.Equal("Dentist", h.A[a1.Id].Title);
        Assert.Equal("Edited on Bitrix24", h.B[b1.Id].Title);

        h.A.Edit(a1.Id, e => e with { Location = "Room 2" });
        h.Run();
        Assert.Equal("Dentist", h.B[b1.Id].Title);
        Assert.Equal("Room 2", h.B[b1.Id].Location);
        Assert.Equal(0, h.A.Writes);
        h.AssertQuiet();
    }

    [Fact]
    public void OneWay_DeletedCopyIsRecreatedOnlyWhenTheSourceChanges()
    {
        using var h = Linked(out var a1, out var b1, new SyncDefinition { Name = "work", Direction = SyncDirection.OutlookToBitrix24 });
        h.B.Remove(b1.Id);
        h.AssertQuiet(2);
        Assert.DoesNotContain(h.B.Events, e => e.Title == "Dentist");
        h.A.Edit(a1.Id, e => e with { Location = "Room 3" });
        var run = h.Run();
        Assert.Equal(1, run.Bitrix24.Created);
        Assert.Equal("Room 3", Assert.Single(h.B.Events, e => e.Title == "Dentist").Location);
        h.AssertQuiet();
    }
}
