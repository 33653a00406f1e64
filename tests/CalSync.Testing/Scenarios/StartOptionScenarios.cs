using CalSync.Engine.Model;
using CalSync.Engine.Sync;
using Xunit;
using static CalSync.Testing.Scenarios.Meeting;

namespace CalSync.Testing.Scenarios;

/// <summary>
/// Scenarios 1-7 (start options), written once for both layers (in memory, or the real connectors over the
/// stand-ins).
/// </summary>
public abstract class StartOptionScenarios : RigScenarios
{
    [Fact]
    public async Task S01_InitialMergeNone_TakesOnlyNewData()
    {
        await using var rig = NewRig();
        var a1 = rig.Add(Side.Outlook, new Meeting("Standup", Monday10.AddHours(-1)));
        rig.Add(Side.Bitrix24, new Meeting("Planning", Monday10.AddHours(4)));

        var run1 = await rig.RunAsync(InitialMerge.None);
        Assert.Equal(0, run1.Writes);
        Assert.Equal(2, rig.State.Unlinked.Count(u => u.Reason == UnlinkedReason.Baseline));
        Assert.Equal(0, rig.Writes(Side.Outlook) + rig.Writes(Side.Bitrix24));

        rig.Add(Side.Outlook, new Meeting("Review", Monday10.AddDays(1)));
        var run2 = await rig.RunAsync();
        Assert.Equal(1, run2.Bitrix24.Created);
        Assert.Contains(await rig.MeetingsAsync(Side.Bitrix24), e => e.Title == "Review");

        await rig.EditAsync(Side.Outlook, a1, new Change(Location: "Room 4"));
        var run3 = await rig.RunAsync();
        Assert.Equal(1, run3.Bitrix24.Created);
        Assert.Contains(await rig.MeetingsAsync(Side.Bitrix24), e => e.Title == "Standup" && e.Location == "Room 4");
        Assert.Equal(0, rig.Writes(Side.Outlook));
        var outlook = await rig.MeetingsAsync(Side.Outlook);
        Assert.DoesNotContain(outlook, e => e.Title == "Planning");
        Assert.Equal(2, outlook.Count);
        await rig.AssertQuietAsync();
    }

    [Fact]
    public Task S02_TwoWayMerge_IdenticalItemsAreLinkedWithoutWrites() => IdenticalItemsAreLinkedWithoutWrites(() => NewRig(), repeats: 4);

    protected static async Task IdenticalItemsAreLinkedWithoutWrites(Func<ISyncRig> newRig, int repeats)
    {
        for (var repeat = 0; repeat < repeats; repeat++)
        {
            await using var rig = newRig();
            // 15 minutes: Outlook's default reminder, so the two are the same meeting to the letter.
            var dentist = new Meeting("Dentist", Monday10, Location: "Room 1", Body: "Check-up", ReminderMinutes: 15);
            rig.Add(Side.Outlook, dentist);
            rig.Add(Side.Bitrix24, dentist);
            var run = await rig.RunAsync(InitialMerge.TwoWay);
            Assert.Equal(0, run.Writes);
            Assert.Equal(1, run.Matched);
            Assert.Single(rig.State.Links);
            Assert.Equal(0, rig.Writes(Side.Outlook) + rig.Writes(Side.Bitrix24));
            await rig.AssertQuietAsync(3);
        }
    }

    [Fact]
    public async Task S03_AvoidDuplicatesOff_CopiesEverything()
    {
        await using var rig = NewRig(new SyncDefinition { Name = "work", AvoidDuplicates = false });
        rig.Add(Side.Outlook, new Meeting("Dentist", Monday10));
        rig.Add(Side.Bitrix24, new Meeting("Dentist", Monday10));
        var run = await rig.RunAsync(InitialMerge.TwoWay);
        Assert.Equal(2, run.Created);
        Assert.Equal(2, (await rig.MeetingsAsync(Side.Outlook)).Count);
        Assert.Equal(2, (await rig.MeetingsAsync(Side.Bitrix24)).Count);
        await rig.AssertQuietAsync();
    }

    [Fact]
    public async Task S04_TwoWayMerge_DisjointItemsAreCopiedBothWays()
    {
        await using var rig = NewRig();
        await DisjointItemsAreCopiedBothWays(rig);
    }

    /// <summary>Returns the ids of the two copies (on Bitrix24, on Outlook).</summary>
    protected static async Task<(string Bitrix24Copy, string OutlookCopy)> DisjointItemsAreCopiedBothWays(ISyncRig rig)
    {
        rig.Add(Side.Outlook, new Meeting("Outlook only", Monday10, Location: "Room 1", Body: "Agenda: budget"));
        rig.Add(Side.Bitrix24, new Meeting("Bitrix only", Monday10.AddDays(2), Location: "Room 2", Body: "Bring slides"));
        var run = await rig.RunAsync(InitialMerge.TwoWay);
        Assert.Equal(1, run.Outlook.Created);
        Assert.Equal(1, run.Bitrix24.Created);
        Assert.Equal(2, rig.State.Links.Count);
        var b = Assert.Single(await rig.MeetingsAsync(Side.Bitrix24), e => e.Title == "Outlook only");
        Assert.Equal("Room 1", b.Location);
        Assert.Equal("Europe/Berlin", b.Start.TimeZone);
        Assert.Equal(Monday10, b.Start.Local);
        var copy = Assert.Single(await rig.MeetingsAsync(Side.Outlook), e => e.Title == "Bitrix only");
        Assert.Equal("Room 2", copy.Location);
        Assert.Equal(new DateTime(2025, 3, 5, 9, 0, 0, DateTimeKind.Utc), copy.Start.Value);
        Assert.Equal("Europe/Berlin", copy.Start.TimeZone);
        Assert.Equal("Bring slides", copy.Description);
        rig.AssertLinksOneToOne();
        var link = Assert.Single(rig.State.Links, l => l.OutlookId == copy.Id);
        Assert.Equal(link.OutlookHash, link.Bitrix24Hash);
        await rig.AssertQuietAsync(3);
        return (b.Id, copy.Id);
    }

    [Fact]
    public Task S05_MergeOutlookIntoBitrix24() => MergeOneSideIntoTheOther(InitialMerge.OutlookToBitrix24, Side.Outlook, "Bitrix only");

    [Fact]
    public Task S06_MergeBitrix24IntoOutlook() => MergeOneSideIntoTheOther(InitialMerge.Bitrix24ToOutlook, Side.Bitrix24, "Outlook only");

    /// <summary>The source's meetings reach the target (one matched); the target's own meeting stays there, untouched.</summary>
    private async Task MergeOneSideIntoTheOther(InitialMerge merge, Side source, string targetOnly)
    {
        var target = source == Side.Outlook ? Side.Bitrix24 : Side.Outlook;
        await using var rig = NewRig();
        var fromSource = rig.Add(source, new Meeting("Dentist", Monday10));
        rig.Add(source, new Meeting("Gym", Monday10.AddDays(3)));
        var inTarget = rig.Add(target, new Meeting("Dentist", Monday10));
        var own = rig.Add(target, new Meeting(targetOnly, Monday10.AddDays(4)));
        var ownBefore = rig.Stored(target, own);
        var run = await rig.RunAsync(merge);
        Assert.Equal(1, run.Matched);
        Assert.Equal(1, (target == Side.Outlook ? run.Outlook : run.Bitrix24).Created);
        Assert.Equal(0, rig.Writes(source));
        var (outlookId, bitrix24Id) = source == Side.Outlook ? (fromSource, inTarget) : (inTarget, fromSource);
        Assert.Contains(rig.State.Links, l => l.OutlookId == outlookId && l.Bitrix24Id == bitrix24Id);
        Assert.DoesNotContain(await rig.MeetingsAsync(source), e => e.Title == targetOnly);
        await rig.AssertQuietAsync(2);
        Assert.DoesNotContain(await rig.MeetingsAsync(source), e => e.Title == targetOnly);
        Assert.Equal(ownBefore, rig.Stored(target, own));
    }

    [Theory]
    [InlineData(InitialMerge.OutlookToBitrix24, "Room 1")]
    [InlineData(InitialMerge.Bitrix24ToOutlook, "")]
    public async Task S07_MatchedPairThatDiffersIsUpdatedOnceInTheMergeDirection(InitialMerge merge, string expected)
    {
        await using var rig = NewRig();
        var a1 = rig.Add(Side.Outlook, new Meeting("Dentist", Monday10, Location: "Room 1"));
        var b1 = rig.Add(Side.Bitrix24, new Meeting("Dentist", Monday10));
        var run = await rig.RunAsync(merge);
        Assert.Equal(1, run.Writes);
        Assert.Equal(1, run.Matched);
        var outlook = Assert.Single(await rig.MeetingsAsync(Side.Outlook));
        Assert.Equal((a1, expected), (outlook.Id, outlook.Location));
        Assert.Equal(expected, Assert.Single(await rig.MeetingsAsync(Side.Bitrix24), e => e.Id == b1).Location);
        var difference = Assert.Single(run.Items, i => i.Action == ItemAction.Link);
        Assert.Equal("Room 1", difference.OutlookBefore!["location"]);
        Assert.Equal("", difference.Bitrix24Before!["location"]);
        Assert.Equal(a1, Assert.Single(rig.State.Links).OutlookId);
        await rig.AssertQuietAsync();
    }

    [Fact]
    public async Task S07_TwoWayMerge_NewestVersionOfAMatchedPairWins()
    {
        await using var rig = NewRig();
        var a1 = rig.Add(Side.Outlook, new Meeting("Dentist", Monday10));
        await rig.PassTimeAsync();
        rig.Add(Side.Bitrix24, new Meeting("Dentist", Monday10, Location: "Room 1"));
        var run = await rig.RunAsync(InitialMerge.TwoWay);
        Assert.Equal(1, run.Outlook.Updated);
        Assert.Equal(0, rig.Writes(Side.Bitrix24));
        Assert.Equal("Room 1", Assert.Single(await rig.MeetingsAsync(Side.Outlook), e => e.Id == a1).Location);
        await rig.AssertQuietAsync();
    }
}
