using CalSync.Store;
using CalSync.Engine.Sync;
using CalSync.Integration.Tests.Support;
using CalSync.Testing.Scenarios;
using Xunit;

namespace CalSync.Integration.Tests.Scenarios;

/// <summary>
/// docs/scenarios.md 29 and 32 and the empty-side guard through both real connectors and the sandbox; here also a refusal
/// in a German portal, two runs at once and lost sign-ins (an expired token, a revoked webhook).
/// </summary>
public sealed class SafetyScenarios(SandboxFixture fixture) : Testing.Scenarios.SafetyScenarios, IClassFixture<SandboxFixture>
{
    private static readonly DateTime Monday10 = new(2025, 3, 3, 10, 0, 0);

    protected override ISyncRig NewRig(SyncDefinition? definition = null) => new SandboxRig(fixture.Host, definition: definition);

    [Fact]
    public async Task S29_ProceedOnError_SkipsTheFailedItemAndRetriesOnlyIt_InAGermanPortal()
    {
        await using var rig = new SandboxRig(fixture.Host, "de", definition: new SyncDefinition { Name = "work", ProceedOnError = true });
        await ProceedOnErrorSkipsTheFailedItem(rig);
    }

    [Fact]
    public async Task S29_WithoutProceedOnError_TheRunStopsAtTheFailedItemWithEarlierOnesSaved_InAGermanPortal()
    {
        await using var rig = new SandboxRig(fixture.Host, "de", definition: new SyncDefinition { Name = "work", ProceedOnError = false });
        await RunStopsAtTheFailedItem(rig);
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
