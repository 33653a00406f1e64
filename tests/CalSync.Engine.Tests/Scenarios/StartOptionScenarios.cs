using CalSync.Engine.Model;
using CalSync.Engine.Sync;
using CalSync.Engine.Tests.Support;
using Xunit;
using static CalSync.Engine.Tests.Support.SyncHarness;

namespace CalSync.Engine.Tests.Scenarios;

/// <summary>SCENARIOS.md 1-7: start options.</summary>
public sealed class StartOptionScenarios
{
    [Fact]
    public void S01_InitialMergeNone_TakesOnlyNewData()
    {
        using var h = new SyncHarness();
        var a1 = h.A.Add(Meeting("Standup", hour: 9));
        h.B.Add(Meeting("Planning", hour: 14));

        var run1 = h.Run(InitialMerge.None);
        Assert.Equal(0, run1.Writes);
        Assert.Equal(2, h.State.Unlinked.Count(u => u.Reason == UnlinkedReason.Baseline));

        var a2 = h.A.Add(Meeting("Review", day: 4));
        var run2 = h.Run();
        Assert.Equal(1, run2.Bitrix24.Created);
        Assert.Contains(h.B.Events, e => e.Title == "Review");

        h.A.Edit(a1.Id, e => e with { Location = "Room 4" });
        var run3 = h.Run();
        Assert.Equal(1, run3.Bitrix24.Created);
        Assert.Contains(h.B.Events, e => e.Title == "Standup" && e.Location == "Room 4");
        Assert.Equal(0, h.A.Writes);
        h.AssertQuiet();
    }

    [Fact]
    public void S02_TwoWayMerge_IdenticalItemsAreLinkedWithoutWrites()
    {
        for (var repeat = 0; repeat < 4; repeat++)
        {
            using var h = new SyncHarness();
            h.A.Add(Meeting("Dentist"));
            h.B.Add(Meeting("Dentist"));
            var run = h.Run(InitialMerge.TwoWay);
            Assert.Equal(0, run.Writes);
            Assert.Equal(1, run.Matched);
            Assert.Single(h.State.Links);
            h.AssertQuiet(3);
        }
    }

    [Fact]
    public void S03_AvoidDuplicatesOff_CopiesEverything()
    {
        using var h = new SyncHarness(new SyncDefinition { Name = "work", AvoidDuplicates = false });
        h.A.Add(Meeting("Dentist"));
        h.B.Add(Meeting("Dentist"));
        var run = h.Run(InitialMerge.TwoWay);
        Assert.Equal(2, run.Created);
        Assert.Equal(2, h.A.Events.Count);
        Assert.Equal(2, h.B.Events.Count);
        h.AssertQuiet();
    }

    [Fact]
    public void S04_TwoWayMerge_DisjointItemsAreCopiedBothWays()
    {
        using var h = new SyncHarness();
        h.A.Add(Meeting("Outlook only"));
        h.B.Add(Meeting("Bitrix only", day: 5));
        var run = h.Run(InitialMerge.TwoWay);
        Assert.Equal(1, run.Outlook.Created);
        Assert.Equal(1, run.Bitrix24.Created);
        Assert.Equal(2, h.State.Links.Count);
        Assert.Contains(h.B.Events, e => e.Title == "Outlook only");
        Assert.Contains(h.A.Events, e => e.Title == "Bitrix only");
        h.AssertLinksOneToOne();
        h.AssertQuiet(3);
    }

    [Fact]
    public void S05_MergeOutlookIntoBitrix24()
    {
        using var h = new SyncHarness();
        var a1 = h.A.Add(Meeting("Dentist"));
        h.A.Add(Meeting("Gym", day: 6));
        var b1 = h.B.Add(Meeting("Dentist"));
        var b2 = h.B.Add(Meeting("Bitrix only", day: 7));
        var run = h.Run(InitialMerge.OutlookToBitrix24);
        Assert.Equal(1, run.Matched);
        Assert.Equal(1, run.Bitrix24.Created);
        Assert.Equal(0, h.A.Writes);
        Assert.Contains(h.State.Links, l => l.OutlookId == a1.Id && l.Bitrix24Id == b1.Id);
        Assert.DoesNotContain(h.A.Events, e => e.Title == "Bitrix only");
        h.AssertQuiet(2);
        Assert.DoesNotContain(h.A.Events, e => e.Title == "Bitrix only");
        Assert.Equal(b2, h.B[b2.Id]);
    }

    [Fact]
    public void S06_MergeBitrix24IntoOutlook()
    {
        using var h = new SyncHarness();
        var a1 = h.A.Add(Meeting("Dentist"));
        var a2 = h.A.Add(Meeting("Outlook only", day: 7));
        var b1 = h.B.Add(Meeting("Dentist"));
        h.B.Add(Meeting("Gym", day: 6));
        var run = h.Run(InitialMerge.Bitrix24ToOutlook);
        Assert.Equal(1, run.Matched);
        Assert.Equal(1, run.Outlook.Created);
        Assert.Equal(0, h.B.Writes);
        Assert.Contains(h.State.Links, l => l.OutlookId == a1.Id && l.Bitrix24Id == b1.Id);
        h.AssertQuiet(2);
        Assert.DoesNotContain(h.B.Events, e => e.Title == "Outlook only");
        Assert.Equal(a2, h.A[a2.Id]);
    }

    [Theory]
    [InlineData(InitialMerge.OutlookToBitrix24, "Room 1", "Room 1")]
    [InlineData(InitialMerge.Bitrix24ToOutlook, "", "")]
    public void S07_MatchedPairThatDiffersIsUpdatedOnceInTheMergeDirection(InitialMerge merge, string expectedA, string expectedB)
    {
        using var h = new SyncHarness();
        var a1 = h.A.Add(Meeting("Dentist", location: "Room 1"));
        var b1 = h.B.Add(Meeting("Dentist"));
        var run = h.Run(merge);
        Assert.Equal(1, run.Writes);
        Assert.Equal(1, run.Matched);
        Assert.Equal(expectedA, h.A[a1.Id].Location);
        Assert.Equal(expectedB, h.B[b1.Id].Location);
        var difference = Assert.Single(run.Items, i => i.Action == ItemAction.Link);
        Assert.Equal("Room 1", difference.OutlookBefore!["location"]);
        Assert.Equal("", difference.Bitrix24Before!["location"]);
        h.AssertQuiet();
    }

    [Fact]
    public void S07_TwoWayMerge_NewestVersionOfAMatchedPairWins()
    {
        using var h = new SyncHarness();
        var a1 = h.A.Add(Meeting("Dentist") with { LastModified = h.Now.AddDays(-2) });
        var b1 = h.B.Add(Meeting("Dentist", location: "Room 1") with { LastModified = h.Now.AddDays(-1) });
        var run = h.Run(InitialMerge.TwoWay);
        Assert.Equal(1, run.Outlook.Updated);
        Assert.Equal("Room 1", h.A[a1.Id].Location);
        Assert.Equal(0, h.B.Writes);
        h.AssertQuiet();
    }
}
