using CalSync.Store;
using CalSync.Engine.Sync;
using CalSync.Integration.Tests.Support;
using Xunit;

namespace CalSync.Integration.Tests.Scenarios;

/// <summary>docs/scenarios.md 29 and 32, the empty-side guard and lost sign-ins, through both real connectors and the sandbox.</summary>
public sealed class SafetyScenarios(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private static readonly DateTime Monday10 = new(2025, 3, 3, 10, 0, 0);

    private static async Task<SandboxHarness> FiveNewAsync(SandboxFixture fixture, bool proceedOnError, string culture)
    {
        var h = new SandboxHarness(fixture.Host, culture, definition: new SyncDefinition { Name = "work", ProceedOnError = proceedOnError });
        h.OutlookAdd("Existing", Monday10.AddDays(14));
        await h.RunAsync(InitialMerge.TwoWay);
        for (var i = 1; i <= 5; i++) h.OutlookAdd($"Item {i}", Monday10.AddDays(i));
        // The portal refuses the third (HTTP 400, no error code, the culture's text).
        h.Bitrix24.RefuseWrite = (method, p) => method == "calendar.event.add" && (string?)p["name"] == "Item 3";
        return h;
    }

    [Theory]
    [InlineData("en")]
    [InlineData("de")]
    public async Task S29_ProceedOnError_SkipsTheFailedItemAndRetriesOnlyIt(string culture)
    {
        await using var h = await FiveNewAsync(fixture, proceedOnError: true, culture);
        var run = await h.RunAsync();
        Assert.True(RunOutcome.CompletedWithErrors == run.Outcome, SandboxHarness.Describe(run));
        Assert.Equal("completed with errors (1)", run.Message);
        Assert.Equal(4, run.Bitrix24.Created);
        Assert.Equal(1, run.Bitrix24.Failed);
        Assert.Equal(5, h.State.Links.Count);
        var failed = Assert.Single(run.Items, i => !i.Succeeded);
        Assert.Contains(h.State.Failed, f => f.Id == failed.SourceId);
        Assert.Equal(new[] { "Existing", "Item 1", "Item 2", "Item 4", "Item 5" }, h.Bitrix24Stored.Select(e => e.Name).OrderBy(n => n));

        h.Bitrix24.RefuseWrite = null;
        var writes = h.Bitrix24Writes;
        var retry = await h.RunAsync();
        Assert.True(1 == retry.Bitrix24.Created && 1 == retry.Writes, SandboxHarness.Describe(retry));
        Assert.Equal(writes + 1, h.Bitrix24Writes); // only the third is sent again
        Assert.Contains(h.Bitrix24Stored, e => e.Name == "Item 3");
        Assert.Equal(6, h.Bitrix24Stored.Count);
        await h.AssertQuietAsync();
    }

    [Theory]
    [InlineData("en")]
    [InlineData("de")]
    public async Task S29_WithoutProceedOnError_TheRunStopsAtTheFailedItemWithEarlierOnesSaved(string culture)
    {
        await using var h = await FiveNewAsync(fixture, proceedOnError: false, culture);
        var run = await h.RunAsync();
        Assert.True(RunOutcome.Failed == run.Outcome, SandboxHarness.Describe(run));
        Assert.Equal("ItemFailed", run.ErrorId);
        Assert.Equal(new[] { "Existing", "Item 1", "Item 2" }, h.Bitrix24Stored.Select(e => e.Name).OrderBy(n => n));
        Assert.Equal(3, h.State.Links.Count);

        h.Bitrix24.RefuseWrite = null;
        var next = await h.RunAsync();
        Assert.True(3 == next.Bitrix24.Created, SandboxHarness.Describe(next));
        Assert.Equal(6, h.Bitrix24Stored.Count);
        await h.AssertQuietAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task S32_TwoRunsOfTheSameSyncAtOnce_OneWaitsOrFailsClearly_NoDuplicates(bool wait)
    {
        await using var h = new SandboxHarness(fixture.Host);
        for (var i = 0; i < 3; i++) h.OutlookAdd($"Meeting {i}", Monday10.AddDays(i));
        h.Bitrix24Add("Bitrix meeting", Monday10.AddDays(5));
        h.Graph.Faults.Latency = TimeSpan.FromMilliseconds(300); // the first run holds the lock for a while
        var lockWait = wait ? TimeSpan.FromSeconds(30) : TimeSpan.FromMilliseconds(100);
        var first = h.RunAsync(InitialMerge.TwoWay, lockWait: lockWait);
        // The second run starts once the first holds the lock (a fixed pause lost this race on a slow machine).
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (h.Store.Locks.HolderOf(h.Definition.Name) is null && !first.IsCompleted && DateTime.UtcNow < deadline) await Task.Delay(10);
        var second = h.RunAsync(InitialMerge.TwoWay, lockWait: lockWait);
        if (wait)
        {
            var records = await Task.WhenAll(first, second);
            Assert.Equal(4, records.Sum(r => r.Created));
        }
        else
        {
            var e = await Assert.ThrowsAsync<StoreException>(() => second);
            Assert.Equal(StoreErrorKind.Locked, e.Kind);
            Assert.Contains("is being run by process", e.Message);
            Assert.Equal(4, (await first).Created);
        }
        h.Graph.Faults.Latency = TimeSpan.Zero;
        Assert.Equal(4, h.OutlookStored.Count);
        Assert.Equal(4, h.Bitrix24Stored.Count);
        h.AssertLinksOneToOne();
        await h.AssertQuietAsync();
    }

    [Fact]
    public async Task EmptySideGuard_AbortsWithoutDeletingUnlessAnEmptySideIsAllowed()
    {
        await using var h = new SandboxHarness(fixture.Host);
        var one = h.OutlookAdd("One", Monday10);
        var two = h.OutlookAdd("Two", Monday10.AddDays(1));
        await h.RunAsync(InitialMerge.TwoWay);
        await h.OutlookDeleteAsync(one);
        await h.OutlookDeleteAsync(two);

        var writes = h.Bitrix24Writes;
        var run = await h.RunAsync();
        Assert.Equal(RunOutcome.Aborted, run.Outcome);
        Assert.Equal("EmptySideGuard", run.ErrorId);
        Assert.Equal(writes, h.Bitrix24Writes);
        Assert.Equal(2, h.Bitrix24Stored.Count);
        Assert.Equal(2, h.State.Links.Count);

        var forced = await h.RunAsync(allowEmptySide: true);
        Assert.Equal(2, forced.Bitrix24.Deleted);
        Assert.Empty(h.Bitrix24Stored);
        await h.AssertQuietAsync();
    }

    [Fact]
    public async Task ExpiredOutlookTokenWhileReading_IsRecordedAsSignInRequiredAndWritesNothing()
    {
        await using var h = new SandboxHarness(fixture.Host);
        h.OutlookAdd("One", Monday10);
        h.Bitrix24Add("Two", Monday10.AddDays(1));
        h.Graph.ExpireAccessTokens();
        var run = await h.RunAsync(InitialMerge.TwoWay);
        Assert.True(RunOutcome.Failed == run.Outcome, run.Message);
        Assert.Equal("SignInRequired", run.ErrorId);
        Assert.Equal(0, h.GraphWrites + h.Bitrix24Writes);
        Assert.Single(h.Store.History.Read("work"));

        h.OutlookOptions = h.OutlookOptions with { AccessToken = h.Graph.AccessToken };
        var retry = await h.RunAsync(InitialMerge.TwoWay);
        Assert.Equal(2, retry.Created);
        await h.AssertQuietAsync();
    }

    [Fact]
    public async Task RevokedBitrix24WebhookWhileWriting_DeletesNothing()
    {
        await using var h = new SandboxHarness(fixture.Host);
        var keep = h.OutlookAdd("Keep", Monday10);
        var gone = h.OutlookAdd("Gone", Monday10.AddDays(1));
        await h.RunAsync(InitialMerge.TwoWay);
        await h.OutlookDeleteAsync(gone);
        await h.OutlookPatchAsync(keep, """{"location":{"displayName":"Room 1"}}""");
        // The webhook is revoked after the run has read both sides.
        h.WrapBitrix24 = s => new RevokeBeforeWrite(s, h.Bitrix24.RevokeWebhook);
        var run = await h.RunAsync();
        Assert.True(RunOutcome.Failed == run.Outcome, SandboxHarness.Describe(run));
        Assert.Equal(2, h.Bitrix24Stored.Count);
        Assert.Equal(2, h.State.Links.Count);

        h.WrapBitrix24 = s => s;
        h.Bitrix24.RestoreWebhook();
        var retry = await h.RunAsync();
        Assert.True(1 == retry.Bitrix24.Updated && 1 == retry.Bitrix24.Deleted, SandboxHarness.Describe(retry));
        Assert.Equal("Room 1", Assert.Single(h.Bitrix24Stored).Location);
        await h.AssertQuietAsync();
    }

    private sealed class RevokeBeforeWrite(Engine.Sides.ICalendarSide inner, Action revoke) : Engine.Sides.ICalendarSide
    {
        public Engine.Model.Side Side => inner.Side;
        public Task<Engine.Sides.SideSnapshot> ReadAsync(Engine.Sides.SyncWindow window, Engine.Sides.SideCursor? cursor, CancellationToken cancellationToken) => inner.ReadAsync(window, cursor, cancellationToken);
        public Task<IReadOnlyList<Engine.Sides.WriteResult>> WriteAsync(IReadOnlyList<Engine.Sides.WriteOperation> operations, Engine.Sides.WriteHalt? halt, CancellationToken cancellationToken)
        {
            revoke();
            return inner.WriteAsync(operations, halt, cancellationToken);
        }
        public string? CannotExpress(Engine.Model.Recurrence recurrence, Engine.Model.CalEvent series) => inner.CannotExpress(recurrence, series);
        public Task<IReadOnlyDictionary<string, Engine.Model.CalEvent?>> ReadByIdAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken) => inner.ReadByIdAsync(ids, cancellationToken);
    }
}
