using CalSync.Engine.Model;
using CalSync.Engine.Sync;
using Xunit;
using static CalSync.Testing.Scenarios.Meeting;

namespace CalSync.Testing.Scenarios;

/// <summary>
/// Scenario 29 (a refused item, with and without ProceedOnError) and the empty-side guard, written once for both
/// layers; the layers' classes hold lost sign-ins, concurrent runs and the order of writes.
/// </summary>
public abstract class SafetyScenarios : RigScenarios
{
    /// <summary>One linked meeting, then five new ones on Outlook, the third of which Bitrix24 refuses to create.</summary>
    /// <summary>Returns the text of Bitrix24's refusal.</summary>
    private static async Task<string> FiveNewAsync(ISyncRig rig)
    {
        rig.Add(Side.Outlook, new Meeting("Existing", Monday10.AddDays(14)));
        await rig.RunAsync(InitialMerge.TwoWay);
        for (var i = 1; i <= 5; i++) rig.Add(Side.Outlook, new Meeting($"Item {i}", Monday10.AddDays(i)));
        return rig.RefuseCreating(Side.Bitrix24, "Item 3");
    }

    private static async Task<string[]> TitlesAsync(ISyncRig rig, Side side) =>
        (await rig.MeetingsAsync(side)).Select(e => e.Title).OrderBy(t => t, StringComparer.Ordinal).ToArray();

    [Fact]
    public async Task S29_ProceedOnError_SkipsTheFailedItemAndRetriesOnlyIt()
    {
        await using var rig = NewRig(new SyncDefinition { Name = "work", ProceedOnError = true });
        await ProceedOnErrorSkipsTheFailedItem(rig);
    }

    protected static async Task ProceedOnErrorSkipsTheFailedItem(ISyncRig rig)
    {
        var refusal = await FiveNewAsync(rig);
        var run = await rig.RunAsync();
        Assert.Equal(RunOutcome.CompletedWithErrors, run.Outcome);
        Assert.Equal("completed with errors (1)", run.Message);
        Assert.Equal(4, run.Bitrix24.Created);
        Assert.Equal(1, run.Bitrix24.Failed);
        Assert.Equal(5, rig.State.Links.Count);
        var failed = Assert.Single(run.Items, i => !i.Succeeded);
        Assert.Contains(refusal, failed.Reason);
        Assert.Contains(rig.State.Failed, f => f.Id == failed.SourceId);
        Assert.Equal(new[] { "Existing", "Item 1", "Item 2", "Item 4", "Item 5" }, await TitlesAsync(rig, Side.Bitrix24));

        rig.RefuseCreating(Side.Bitrix24, null);
        var writes = rig.Writes(Side.Bitrix24);
        var retry = await rig.RunAsync();
        Assert.Equal((1, 1), (retry.Bitrix24.Created, retry.Writes));
        Assert.Equal(writes + 1, rig.Writes(Side.Bitrix24)); // only the third is sent again
        Assert.Contains(await rig.MeetingsAsync(Side.Bitrix24), e => e.Title == "Item 3");
        Assert.Equal(6, rig.StoredCount(Side.Bitrix24));
        await rig.AssertQuietAsync();
    }

    [Fact]
    public async Task S29_WithoutProceedOnError_TheRunStopsAtTheFailedItemWithEarlierOnesSaved()
    {
        await using var rig = NewRig(new SyncDefinition { Name = "work", ProceedOnError = false });
        await RunStopsAtTheFailedItem(rig);
    }

    protected static async Task RunStopsAtTheFailedItem(ISyncRig rig)
    {
        await FiveNewAsync(rig);
        var run = await rig.RunAsync();
        Assert.Equal(RunOutcome.Failed, run.Outcome);
        Assert.Equal("ItemFailed", run.ErrorId);
        Assert.Equal(new[] { "Existing", "Item 1", "Item 2" }, await TitlesAsync(rig, Side.Bitrix24));
        Assert.Equal(3, rig.State.Links.Count);

        rig.RefuseCreating(Side.Bitrix24, null);
        var next = await rig.RunAsync();
        Assert.Equal(3, next.Bitrix24.Created);
        Assert.Equal(6, rig.StoredCount(Side.Bitrix24));
        await rig.AssertQuietAsync();
    }

    [Fact]
    public async Task EmptySideGuard_AbortsWithoutDeletingUnlessAnEmptySideIsAllowed()
    {
        await using var rig = NewRig();
        var one = rig.Add(Side.Outlook, new Meeting("One", Monday10));
        var two = rig.Add(Side.Outlook, new Meeting("Two", Monday10.AddDays(1)));
        await rig.RunAsync(InitialMerge.TwoWay);
        await rig.DeleteAsync(Side.Outlook, one);
        await rig.DeleteAsync(Side.Outlook, two);

        var writes = rig.Writes(Side.Bitrix24);
        var run = await rig.RunAsync();
        Assert.Equal(RunOutcome.Aborted, run.Outcome);
        Assert.Equal("EmptySideGuard", run.ErrorId);
        Assert.Contains("-AllowEmptySide", run.Message);
        Assert.Equal(writes, rig.Writes(Side.Bitrix24));
        Assert.Equal(2, rig.StoredCount(Side.Bitrix24));
        Assert.Equal(2, rig.State.Links.Count);

        var forced = await rig.RunAsync(allowEmptySide: true);
        Assert.Equal(2, forced.Bitrix24.Deleted);
        Assert.Equal(0, rig.StoredCount(Side.Bitrix24));
        await rig.AssertQuietAsync();
    }
}
