using CalSync.Engine.Model;
using CalSync.Engine.Sync;
using Xunit;
using static CalSync.Testing.Scenarios.Meeting;

namespace CalSync.Testing.Scenarios;

/// <summary>
/// Scenarios 8 and 10-20 (recovery, identity, propagation, echo, deletions, conflicts, one-way), written once for both
/// layers; the layers' classes hold what only one layer has (half-written copies, versions without content, portal
/// set-ups, stored rows).
/// </summary>
public abstract class PropagationScenarios : RigScenarios
{
    /// <summary>An Outlook meeting (a1) copied to Bitrix24 (b1), beside another pair.</summary>
    protected static async Task<(string A1, string B1)> LinkedAsync(ISyncRig rig)
    {
        // 15 minutes: Outlook's default reminder, which the copy carries.
        var a1 = rig.Add(Side.Outlook, new Meeting("Dentist", Monday10, Location: "Room 1", Body: "Check-up", ReminderMinutes: 15));
        // Every calendar has other meetings: without them, deleting a1 would trip the empty-side guard.
        rig.Add(Side.Outlook, new Meeting("Weekly review", Monday10.AddDays(17)));
        var run = await rig.RunAsync(InitialMerge.TwoWay);
        Assert.Equal(2, run.Bitrix24.Created);
        return (a1, Assert.Single(rig.State.Links, l => l.OutlookId == a1).Bitrix24Id);
    }

    [Theory]
    [InlineData(Side.Bitrix24)]
    [InlineData(Side.Outlook)]
    public async Task S08_CrashAfterTheCreateIsRecoveredNotDuplicated(Side target)
    {
        var source = target == Side.Bitrix24 ? Side.Outlook : Side.Bitrix24;
        for (var repeat = 0; repeat < 4; repeat++)
        {
            await using var rig = NewRig();
            rig.Add(source, new Meeting("Dentist", Monday10, Location: "Room 1"));
            rig.CrashAfterWriting(target, true);
            await Assert.ThrowsAsync<Crash>(() => rig.RunAsync(InitialMerge.TwoWay));
            Assert.Single(rig.State.Journal);
            Assert.Empty(rig.State.Links);
            Assert.Equal(2, rig.StoredCount(Side.Outlook) + rig.StoredCount(Side.Bitrix24));
            rig.CrashAfterWriting(target, false);

            var run = await rig.RunAsync(InitialMerge.TwoWay);
            Assert.Equal(1, target == Side.Bitrix24 ? run.Bitrix24.Recovered : run.Outlook.Recovered);
            Assert.Equal(0, run.Created);
            Assert.Equal((1, 1), (rig.StoredCount(Side.Outlook), rig.StoredCount(Side.Bitrix24)));
            Assert.Single(rig.State.Links);
            Assert.Empty(rig.State.Journal);
            await rig.AssertQuietAsync();
        }
    }

    [Fact]
    public async Task S08_AvoidDuplicatesOff_StillRecoversThroughTheJournal()
    {
        await using var rig = NewRig(new SyncDefinition { Name = "work", AvoidDuplicates = false });
        rig.Add(Side.Outlook, new Meeting("Dentist", Monday10));
        rig.CrashAfterWriting(Side.Bitrix24, true);
        await Assert.ThrowsAsync<Crash>(() => rig.RunAsync(InitialMerge.TwoWay));
        rig.CrashAfterWriting(Side.Bitrix24, false);
        var run = await rig.RunAsync(InitialMerge.TwoWay);
        Assert.Equal(1, run.Recovered);
        Assert.Equal(1, rig.StoredCount(Side.Bitrix24));
        await rig.AssertQuietAsync();
    }

    [Fact]
    public async Task S10_LinkFollowsAnOutlookCopyWhoseIdChanged()
    {
        await using var rig = NewRig();
        var b1 = rig.Add(Side.Bitrix24, new Meeting("Planning", Monday10));
        await rig.RunAsync(InitialMerge.TwoWay);
        var copyId = Assert.Single(rig.State.Links).OutlookId;
        Assert.Equal(Planner.OriginStamp("work", Side.Bitrix24, b1), Assert.Single(await rig.MeetingsAsync(Side.Outlook), e => e.Id == copyId).OriginStamp);

        var newId = await rig.ChangeIdAsync(Side.Outlook, copyId);
        Assert.NotEqual(copyId, newId);
        await rig.AssertQuietAsync();
        Assert.Equal(newId, Assert.Single(rig.State.Links).OutlookId);
        Assert.Equal(1, rig.StoredCount(Side.Outlook));
        Assert.Equal(1, rig.StoredCount(Side.Bitrix24));

        await rig.EditAsync(Side.Bitrix24, b1, new Change(Location: "Room 7"));
        var run = await rig.RunAsync();
        Assert.Equal(1, run.Outlook.Updated);
        Assert.Equal("Room 7", Assert.Single(await rig.MeetingsAsync(Side.Outlook), e => e.Id == newId).Location);
        await rig.AssertQuietAsync();
    }

    [Fact]
    public async Task S11_NewItemIsCopiedAndLinkedWithVersionsAndHashes()
    {
        await using var rig = NewRig();
        await NewItemIsCopiedAndLinked(rig);
    }

    protected static async Task<(string A1, string B1)> NewItemIsCopiedAndLinked(ISyncRig rig)
    {
        var (a1, b1) = await LinkedAsync(rig);
        var link = Assert.Single(rig.State.Links, l => l.OutlookId == a1);
        var outlook = Assert.Single(await rig.MeetingsAsync(Side.Outlook), e => e.Id == a1);
        var bitrix24 = Assert.Single(await rig.MeetingsAsync(Side.Bitrix24), e => e.Id == b1);
        Assert.Equal(outlook.Version, link.OutlookVersion);
        Assert.Equal(bitrix24.Version, link.Bitrix24Version);
        Assert.NotEmpty(link.OutlookHash);
        Assert.Equal(link.OutlookHash, link.Bitrix24Hash); // a faithful copy has the same projection
        Assert.Equal(outlook.Start, bitrix24.Start);
        Assert.Equal(outlook.End, bitrix24.End);
        Assert.Equal(("Dentist", "Room 1", "Check-up", 15), (bitrix24.Title, bitrix24.Location, bitrix24.Description, bitrix24.ReminderMinutes));
        await rig.AssertQuietAsync(3);
        return (a1, b1);
    }

    [Fact]
    public Task S12_MoveOnBitrix24UpdatesOutlookAndDoesNotEchoBack() => MoveOnBitrix24UpdatesOutlookAndDoesNotEchoBack(() => NewRig(), repeats: 4);

    protected static async Task MoveOnBitrix24UpdatesOutlookAndDoesNotEchoBack(Func<ISyncRig> newRig, int repeats)
    {
        for (var repeat = 0; repeat < repeats; repeat++)
        {
            await using var rig = newRig();
            var (a1, b1) = await LinkedAsync(rig);
            await rig.EditAsync(Side.Bitrix24, b1, new Change(Start: Monday10.AddHours(3)));
            var run = await rig.RunAsync();
            Assert.Equal(1, run.Outlook.Updated);
            Assert.Equal(0, run.Bitrix24.Writes);
            var a = Assert.Single(await rig.MeetingsAsync(Side.Outlook), e => e.Id == a1);
            var b = Assert.Single(await rig.MeetingsAsync(Side.Bitrix24), e => e.Id == b1);
            Assert.Equal(b.Start, a.Start);
            Assert.Equal(new DateTime(2025, 3, 3, 12, 0, 0, DateTimeKind.Utc), a.Start.Value);
            Assert.Equal(new DateTime(2025, 3, 3, 13, 0, 0, DateTimeKind.Utc), a.End.Value);
            var bitrix24Writes = rig.Writes(Side.Bitrix24);
            await rig.AssertQuietAsync(3);
            Assert.Equal(bitrix24Writes, rig.Writes(Side.Bitrix24));
        }
    }

    [Fact]
    public async Task S13_ItemReportedOnlyBecauseCalSyncWroteItIsNotWrittenBack()
    {
        await using var rig = NewRig();
        var (a1, b1) = await LinkedAsync(rig);
        await rig.EditAsync(Side.Bitrix24, b1, new Change(Description: "Bring the X-rays"));
        var run = await rig.RunAsync();
        Assert.Equal(1, run.Outlook.Updated);
        Assert.Equal(1, rig.Writes(Side.Outlook));
        Assert.Equal("Bring the X-rays", Assert.Single(await rig.MeetingsAsync(Side.Outlook), e => e.Id == a1).Description);
        // The next read reports a1 because CalSync wrote it: no write back to Bitrix24.
        await rig.AssertQuietAsync(2);
        // A version bump without a content change (the same title saved again) is not a change either.
        await rig.EditAsync(Side.Outlook, a1, new Change(Title: "Dentist"));
        await rig.EditAsync(Side.Bitrix24, b1, new Change(Title: "Dentist"));
        await rig.AssertQuietAsync();
    }

    [Fact]
    public async Task S17_ModificationBeatsDeletionUnderNewest()
    {
        await using var rig = NewRig();
        await ModificationBeatsDeletion(rig);
    }

    protected static async Task ModificationBeatsDeletion(ISyncRig rig)
    {
        var (a1, b1) = await LinkedAsync(rig);
        await rig.EditAsync(Side.Outlook, a1, new Change(Title: "Dentist (moved)"));
        await rig.DeleteAsync(Side.Bitrix24, b1);
        var run = await rig.RunAsync();
        Assert.Equal(1, run.Bitrix24.Created);
        Assert.Contains(run.Items, i => i.Action == ItemAction.Conflict);
        var link = Assert.Single(rig.State.Links, l => l.OutlookId == a1);
        Assert.NotEqual(b1, link.Bitrix24Id);
        Assert.Equal("Dentist (moved)", Assert.Single(await rig.MeetingsAsync(Side.Bitrix24), e => e.Id == link.Bitrix24Id).Title);
        await rig.AssertQuietAsync();
    }

    [Theory]
    [InlineData(ConflictPolicy.OutlookWins, "Outlook edit")]
    [InlineData(ConflictPolicy.Bitrix24Wins, "Bitrix24 edit")]
    [InlineData(ConflictPolicy.Newest, "Bitrix24 edit")]
    public async Task S18_BothChanged_PolicyDecidesAndHistoryKeepsBothBeforeImages(ConflictPolicy policy, string expected)
    {
        await using var rig = NewRig(new SyncDefinition { Name = "work", ConflictPolicy = policy });
        await PolicyDecides(rig, expected);
    }

    protected static async Task PolicyDecides(ISyncRig rig, string expected)
    {
        var (a1, b1) = await LinkedAsync(rig);
        await rig.EditAsync(Side.Outlook, a1, new Change(Location: "Outlook edit"));
        await rig.PassTimeAsync(); // the Bitrix24 edit is the newer one
        await rig.EditAsync(Side.Bitrix24, b1, new Change(Location: "Bitrix24 edit"));
        var run = await rig.RunAsync();
        Assert.Equal(1, run.Writes);
        Assert.Equal(expected, Assert.Single(await rig.MeetingsAsync(Side.Outlook), e => e.Id == a1).Location);
        Assert.Equal(expected, Assert.Single(await rig.MeetingsAsync(Side.Bitrix24), e => e.Id == b1).Location);
        var conflict = Assert.Single(run.Items, i => i.Action == ItemAction.Conflict);
        Assert.Equal("Outlook edit", conflict.OutlookBefore!["location"]);
        Assert.Equal("Bitrix24 edit", conflict.Bitrix24Before!["location"]);
        await rig.AssertQuietAsync();
    }

    [Fact]
    public async Task S18_Newest_OlderEditLoses()
    {
        await using var rig = NewRig();
        await OlderEditLoses(rig);
    }

    protected static async Task OlderEditLoses(ISyncRig rig)
    {
        var (a1, b1) = await LinkedAsync(rig);
        await rig.EditAsync(Side.Bitrix24, b1, new Change(Location: "Bitrix24 edit"));
        await rig.PassTimeAsync();
        await rig.EditAsync(Side.Outlook, a1, new Change(Location: "Outlook edit"));
        var run = await rig.RunAsync();
        Assert.Equal(1, run.Bitrix24.Updated);
        Assert.Equal("Outlook edit", Assert.Single(await rig.MeetingsAsync(Side.Bitrix24), e => e.Id == b1).Location);
        await rig.AssertQuietAsync();
    }

    [Fact]
    public async Task S19_OneWay_ItemOnlyOnTargetIsNeverTouched()
    {
        await using var rig = NewRig(new SyncDefinition { Name = "work", Direction = SyncDirection.OutlookToBitrix24 });
        var b2 = rig.Add(Side.Bitrix24, new Meeting("Bitrix only", Monday10));
        rig.Add(Side.Outlook, new Meeting("Outlook", Monday10.AddDays(1)));
        var b2Before = rig.Stored(Side.Bitrix24, b2);
        await rig.RunAsync(InitialMerge.TwoWay);
        await rig.RunAsync();
        Assert.Single(await rig.MeetingsAsync(Side.Outlook));
        Assert.Equal(0, rig.Writes(Side.Outlook));
        Assert.Equal(b2Before, rig.Stored(Side.Bitrix24, b2));
        await rig.AssertQuietAsync(2);
    }

    [Fact]
    public async Task S20_OneWay_TargetEditIsLeftAloneUntilTheSourceChanges()
    {
        await using var rig = NewRig(new SyncDefinition { Name = "work", Direction = SyncDirection.OutlookToBitrix24 });
        var (a1, b1) = await LinkedAsync(rig);
        await rig.EditAsync(Side.Bitrix24, b1, new Change(Title: "Edited on Bitrix24"));
        await rig.AssertQuietAsync(2);
        Assert.Equal("Dentist", Assert.Single(await rig.MeetingsAsync(Side.Outlook), e => e.Id == a1).Title);
        Assert.Equal("Edited on Bitrix24", Assert.Single(await rig.MeetingsAsync(Side.Bitrix24), e => e.Id == b1).Title);

        await rig.EditAsync(Side.Outlook, a1, new Change(Location: "Room 2"));
        await rig.RunAsync();
        var b = Assert.Single(await rig.MeetingsAsync(Side.Bitrix24), e => e.Id == b1);
        Assert.Equal(("Dentist", "Room 2"), (b.Title, b.Location));
        Assert.Equal(0, rig.Writes(Side.Outlook));
        await rig.AssertQuietAsync();
    }

    [Fact]
    public async Task OneWay_DeletedCopyIsRecreatedOnlyWhenTheSourceChanges()
    {
        await using var rig = NewRig(new SyncDefinition { Name = "work", Direction = SyncDirection.OutlookToBitrix24 });
        var (a1, b1) = await LinkedAsync(rig);
        await rig.DeleteAsync(Side.Bitrix24, b1);
        await rig.AssertQuietAsync(2);
        Assert.DoesNotContain(await rig.MeetingsAsync(Side.Bitrix24), e => e.Title == "Dentist");
        await rig.EditAsync(Side.Outlook, a1, new Change(Location: "Room 3"));
        var run = await rig.RunAsync();
        Assert.Equal(1, run.Bitrix24.Created);
        Assert.Equal("Room 3", Assert.Single(await rig.MeetingsAsync(Side.Bitrix24), e => e.Title == "Dentist").Location);
        await rig.AssertQuietAsync();
    }

    [Fact]
    public async Task S14_DeletionIsPropagatedWhenAllowDeleteIsOn()
    {
        await using var rig = NewRig();
        await DeletionIsPropagated(rig);
    }

    protected static async Task DeletionIsPropagated(ISyncRig rig)
    {
        var (a1, b1) = await LinkedAsync(rig);
        await rig.DeleteAsync(Side.Outlook, a1);
        var run = await rig.RunAsync();
        Assert.Equal(1, run.Bitrix24.Deleted);
        Assert.Equal(1, run.Deleted);
        var bitrix24 = await rig.MeetingsAsync(Side.Bitrix24);
        Assert.DoesNotContain(bitrix24, e => e.Id == b1);
        Assert.Single(bitrix24);
        Assert.Single(rig.State.Links);
        await rig.AssertQuietAsync();
    }

    [Fact]
    public async Task S14_DeletionOnBitrix24IsPropagatedToOutlook()
    {
        await using var rig = NewRig();
        var (a1, b1) = await LinkedAsync(rig);
        await rig.DeleteAsync(Side.Bitrix24, b1);
        var run = await rig.RunAsync();
        Assert.Equal(1, run.Outlook.Deleted);
        Assert.DoesNotContain(await rig.MeetingsAsync(Side.Outlook), e => e.Id == a1);
        await rig.AssertQuietAsync();
    }

    [Fact]
    public async Task S15_AllowDeleteOff_CopyStaysAndIsNeverCopiedBack()
    {
        await using var rig = NewRig(new SyncDefinition { Name = "work", AllowDelete = false });
        var (a1, b1) = await LinkedAsync(rig);
        await rig.DeleteAsync(Side.Outlook, a1);
        var run = await rig.RunAsync();
        Assert.Equal(0, run.Writes);
        Assert.Contains(await rig.MeetingsAsync(Side.Bitrix24), e => e.Id == b1);
        Assert.Single(rig.State.Links);
        await rig.AssertQuietAsync(3);
        Assert.DoesNotContain(await rig.MeetingsAsync(Side.Outlook), e => e.Title == "Dentist");
        await rig.EditAsync(Side.Bitrix24, b1, new Change(Location: "still not synced"));
        await rig.AssertQuietAsync();
        Assert.DoesNotContain(await rig.MeetingsAsync(Side.Outlook), e => e.Title == "Dentist");
    }

    [Fact]
    public async Task S16_DeletedOnBothSides_LinkDroppedWithoutWrites()
    {
        await using var rig = NewRig();
        var (a1, b1) = await LinkedAsync(rig);
        await rig.DeleteAsync(Side.Outlook, a1);
        await rig.DeleteAsync(Side.Bitrix24, b1);
        var before = (rig.Writes(Side.Outlook), rig.Writes(Side.Bitrix24));
        var run = await rig.RunAsync();
        Assert.Equal(0, run.Writes);
        Assert.Equal(before, (rig.Writes(Side.Outlook), rig.Writes(Side.Bitrix24)));
        Assert.Single(rig.State.Links);
        Assert.Contains(run.Items, i => i.Action == ItemAction.Unlink);
        await rig.AssertQuietAsync();
    }
}
