using CalSync.Engine.Model;
using CalSync.Engine.Sync;
using Xunit;
using static CalSync.Testing.Scenarios.Meeting;

namespace CalSync.Testing.Scenarios;

/// <summary>
/// Scenarios 14-16 (deletions, both ways), written once for both layers; the layers' classes hold
/// the other propagation scenarios, which use what only one layer has (crashes, changed ids, versions).
/// </summary>
public abstract class PropagationScenarios : RigScenarios
{
    /// <summary>An Outlook meeting (a1) copied to Bitrix24 (b1), beside another pair.</summary>
    protected static async Task<(string A1, string B1)> LinkedAsync(ISyncRig rig)
    {
        var a1 = rig.Add(Side.Outlook, new Meeting("Dentist", Monday10, Location: "Room 1", Body: "Check-up"));
        // Every calendar has other meetings: without them, deleting a1 would trip the empty-side guard.
        rig.Add(Side.Outlook, new Meeting("Weekly review", Monday10.AddDays(17)));
        var run = await rig.RunAsync(InitialMerge.TwoWay);
        Assert.Equal(2, run.Bitrix24.Created);
        return (a1, Assert.Single(rig.State.Links, l => l.OutlookId == a1).Bitrix24Id);
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
