using CalSync.Engine.Sync;
using CalSync.Integration.Tests.Support;
using Xunit;

namespace CalSync.Integration.Tests.Scenarios;

/// <summary>SCENARIOS.md 1-7 through both real connectors and the sandbox.</summary>
public sealed class StartOptionScenarios(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private static readonly DateTime Monday10 = new(2025, 3, 3, 10, 0, 0);

    [Fact]
    public async Task S01_InitialMergeNone_TakesOnlyNewData()
    {
        await using var h = new SandboxHarness(fixture.Host);
        var a1 = h.OutlookAdd("Standup", Monday10.AddHours(-1));
        h.Bitrix24Add("Planning", Monday10.AddHours(4));

        var run1 = await h.RunAsync(InitialMerge.None);
        Assert.Equal(0, run1.Writes);
        Assert.Equal(2, h.State.Unlinked.Count(u => u.Reason == UnlinkedReason.Baseline));
        Assert.Equal(0, h.GraphWrites + h.Bitrix24Writes);

        h.OutlookAdd("Review", Monday10.AddDays(1));
        var run2 = await h.RunAsync();
        Assert.Equal(1, run2.Bitrix24.Created);
        Assert.Contains(h.Bitrix24Stored, e => e.Name == "Review");

        await h.OutlookPatchAsync(a1, """{"location":{"displayName":"Room 4"}}""");
        var run3 = await h.RunAsync();
        Assert.Equal(1, run3.Bitrix24.Created);
        Assert.Contains(h.Bitrix24Stored, e => e.Name == "Standup" && e.Location == "Room 4");
        Assert.DoesNotContain(h.OutlookStored, e => (string?)e["subject"] == "Planning");
        Assert.Equal(2, h.OutlookStored.Count);
        await h.AssertQuietAsync();
    }

    [Theory]
    [MemberData(nameof(Portals.All), MemberType = typeof(Portals))]
    public async Task S02_TwoWayMerge_IdenticalItemsAreLinkedWithoutWrites(string culture, string serverZone)
    {
        await using var h = new SandboxHarness(fixture.Host, culture, serverZone);
        h.OutlookAdd("Dentist", Monday10, location: "Room 1", body: "Check-up");
        h.Bitrix24Add("Dentist", Monday10, location: "Room 1", description: "Check-up", remindMinutes: 15); // Outlook's default reminder
        var run = await h.RunAsync(InitialMerge.TwoWay);
        Assert.True(run.Writes == 0, SandboxHarness.Describe(run));
        Assert.Equal(1, run.Matched);
        Assert.Single(h.State.Links);
        Assert.Equal(0, h.GraphWrites + h.Bitrix24Writes);
        await h.AssertQuietAsync(2);
    }

    [Fact]
    public async Task S03_AvoidDuplicatesOff_CopiesEverything()
    {
        await using var h = new SandboxHarness(fixture.Host, definition: new SyncDefinition { Name = "work", AvoidDuplicates = false });
        h.OutlookAdd("Dentist", Monday10);
        h.Bitrix24Add("Dentist", Monday10);
        var run = await h.RunAsync(InitialMerge.TwoWay);
        Assert.Equal(2, run.Created);
        Assert.Equal(2, h.OutlookStored.Count);
        Assert.Equal(2, h.Bitrix24Stored.Count);
        await h.AssertQuietAsync();
    }

    [Theory]
    [MemberData(nameof(Portals.All), MemberType = typeof(Portals))]
    public async Task S04_TwoWayMerge_DisjointItemsAreCopiedBothWays(string culture, string serverZone)
    {
        await using var h = new SandboxHarness(fixture.Host, culture, serverZone);
        h.OutlookAdd("Outlook only", Monday10, location: "Room 1", body: "Agenda: budget");
        h.Bitrix24Add("Bitrix only", Monday10.AddDays(2), location: "Room 2", description: "Bring slides");
        var run = await h.RunAsync(InitialMerge.TwoWay);
        Assert.Equal(1, run.Outlook.Created);
        Assert.Equal(1, run.Bitrix24.Created);
        Assert.Equal(2, h.State.Links.Count);
        var b = Assert.Single(h.Bitrix24Stored, e => e.Name == "Outlook only");
        Assert.Equal("Room 1", b.Location);
        Assert.Equal("Europe/Berlin", b.TimeZoneFrom);
        Assert.Equal(Monday10, b.From);
        var a = Assert.Single(h.OutlookStored, e => (string?)e["subject"] == "Bitrix only");
        Assert.Equal("Room 2", (string?)a["location"]!["displayName"]);
        var read = await h.ReadOutlookAsync();
        var copy = Assert.Single(read, e => e.Title == "Bitrix only");
        Assert.Equal(new DateTime(2025, 3, 5, 9, 0, 0, DateTimeKind.Utc), copy.Start.Value);
        Assert.Equal("Europe/Berlin", copy.Start.TimeZone);
        Assert.Equal("Bring slides", copy.Description);
        h.AssertLinksOneToOne();
        var link = Assert.Single(h.State.Links, l => l.OutlookId == copy.Id);
        Assert.Equal(link.OutlookHash, link.Bitrix24Hash);
        await h.AssertQuietAsync(3);
    }

    [Fact]
    public async Task S05_MergeOutlookIntoBitrix24()
    {
        await using var h = new SandboxHarness(fixture.Host);
        var a1 = h.OutlookAdd("Dentist", Monday10);
        h.OutlookAdd("Gym", Monday10.AddDays(3));
        var b1 = h.Bitrix24Add("Dentist", Monday10);
        var b2 = h.Bitrix24Add("Bitrix only", Monday10.AddDays(4));
        var b2Before = h.Bitrix24Stored.Single(e => e.Id.ToString() == b2);
        var run = await h.RunAsync(InitialMerge.OutlookToBitrix24);
        Assert.Equal(1, run.Matched);
        Assert.Equal(1, run.Bitrix24.Created);
        Assert.Equal(0, h.GraphWrites);
        Assert.Contains(h.State.Links, l => l.OutlookId == a1 && l.Bitrix24Id == b1);
        await h.AssertQuietAsync(2);
        Assert.DoesNotContain(h.OutlookStored, e => (string?)e["subject"] == "Bitrix only");
        Assert.Equal(b2Before, h.Bitrix24Stored.Single(e => e.Id.ToString() == b2));
    }

    [Fact]
    public async Task S06_MergeBitrix24IntoOutlook()
    {
        await using var h = new SandboxHarness(fixture.Host);
        var a1 = h.OutlookAdd("Dentist", Monday10);
        var a2 = h.OutlookAdd("Outlook only", Monday10.AddDays(4));
        var b1 = h.Bitrix24Add("Dentist", Monday10);
        h.Bitrix24Add("Gym", Monday10.AddDays(3));
        var a2Before = SandboxHarness.Json(h.OutlookStored.Single(e => (string?)e["id"] == a2));
        var run = await h.RunAsync(InitialMerge.Bitrix24ToOutlook);
        Assert.Equal(1, run.Matched);
        Assert.Equal(1, run.Outlook.Created);
        Assert.Equal(0, h.Bitrix24Writes);
        Assert.Contains(h.State.Links, l => l.OutlookId == a1 && l.Bitrix24Id == b1);
        await h.AssertQuietAsync(2);
        Assert.DoesNotContain(h.Bitrix24Stored, e => e.Name == "Outlook only");
        Assert.Equal(a2Before, SandboxHarness.Json(h.OutlookStored.Single(e => (string?)e["id"] == a2)));
    }

    [Theory]
    [InlineData(InitialMerge.OutlookToBitrix24, "Room 1")]
    [InlineData(InitialMerge.Bitrix24ToOutlook, "")]
    public async Task S07_MatchedPairThatDiffersIsUpdatedOnceInTheMergeDirection(InitialMerge merge, string expected)
    {
        await using var h = new SandboxHarness(fixture.Host);
        var a1 = h.OutlookAdd("Dentist", Monday10, location: "Room 1");
        var b1 = h.Bitrix24Add("Dentist", Monday10);
        var run = await h.RunAsync(merge);
        Assert.Equal(1, run.Writes);
        Assert.Equal(1, run.Matched);
        var outlook = await h.ReadOutlookAsync();
        Assert.Equal(expected, Assert.Single(outlook).Location);
        Assert.Equal(expected, h.Bitrix24Stored.Single(e => e.Id.ToString() == b1).Location);
        var difference = Assert.Single(run.Items, i => i.Action == ItemAction.Link);
        Assert.Equal("Room 1", difference.OutlookBefore!["location"]);
        Assert.Equal("", difference.Bitrix24Before!["location"]);
        Assert.Equal(a1, Assert.Single(h.State.Links).OutlookId);
        await h.AssertQuietAsync();
    }

    [Fact]
    public async Task S07_TwoWayMerge_NewestVersionOfAMatchedPairWins()
    {
        await using var h = new SandboxHarness(fixture.Host);
        var a1 = h.OutlookAdd("Dentist", Monday10);
        await Task.Delay(1100); // last-modified times have whole seconds on Bitrix24
        h.Bitrix24Add("Dentist", Monday10, location: "Room 1");
        var run = await h.RunAsync(InitialMerge.TwoWay);
        Assert.Equal(1, run.Outlook.Updated);
        Assert.Equal(0, h.Bitrix24Writes);
        Assert.Equal("Room 1", Assert.Single(await h.ReadOutlookAsync(), e => e.Id == a1).Location);
        await h.AssertQuietAsync();
    }
}
