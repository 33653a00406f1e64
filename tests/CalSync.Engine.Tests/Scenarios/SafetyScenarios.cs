using CalSync.Engine.Model;
using CalSync.Engine.Sides;
using CalSync.Store;
using CalSync.Engine.Sync;
using CalSync.Engine.Tests.Support;
using CalSync.Testing.Scenarios;
using Xunit;
using static CalSync.Engine.Tests.Support.SyncHarness;

namespace CalSync.Engine.Tests.Scenarios;

/// <summary>
/// docs/scenarios.md 29 and 32 on two in-memory calendars; here also a failure on one side stopping the other, the
/// order of both sides' writes, lost sign-ins, the lock and -WhatIf.
/// </summary>
public sealed class SafetyScenarios : Testing.Scenarios.SafetyScenarios
{
    protected override ISyncRig NewRig(SyncDefinition? definition = null) => new InMemoryRig(definition);

    /// <summary>
    /// Linked pairs, one of which each side has deleted (a deletion to send to each side), and six new meetings on
    /// each side (six creates to send to each side).
    /// </summary>
    private static SyncHarness WritesOnBothSides(SyncDefinition definition)
    {
        var h = new SyncHarness(definition);
        h.A.Add(Meeting("Weekly review", day: 20));
        var goneFromOutlook = h.A.Add(Meeting("Gone from Outlook", day: 21));
        var goneFromBitrix24 = h.B.Add(Meeting("Gone from Bitrix24", day: 22));
        h.Run(InitialMerge.TwoWay);
        h.A.Remove(goneFromOutlook.Id);
        h.B.Remove(goneFromBitrix24.Id);
        for (var i = 1; i <= 6; i++)
        {
            h.A.Add(Meeting($"Outlook {i}", day: 3 + i));
            h.B.Add(Meeting($"Bitrix24 {i}", day: 3 + i, hour: 14));
        }
        return h;
    }

    [Fact]
    public void S29_WithoutProceedOnError_AFailureOnOneSideStopsTheOtherAtItsNextBatch_AndNothingIsDeleted()
    {
        using var h = WritesOnBothSides(new SyncDefinition { Name = "work" });
        h.A.BatchSize = h.B.BatchSize = 2;
        var writes = 0;
        h.B.FailWhen = _ => ++writes == 3 ? "HTTP 400: the portal refused the event" : null;
        // Both sides write their first batch; then Outlook waits at its second while Bitrix24 fails in its second.
        var outlookWroteABatch = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var bitrix24Stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.A.BeforeBatch = batch =>
        {
            if (batch != 1) return Task.CompletedTask;
            outlookWroteABatch.TrySetResult();
            return bitrix24Stopped.Task.WaitAsync(TimeSpan.FromSeconds(30)); // a guard: one side after the other never gets here
        };
        h.B.BeforeBatch = batch =>
        {
            if (batch == 2) bitrix24Stopped.TrySetResult();
            return batch == 1 ? outlookWroteABatch.Task.WaitAsync(TimeSpan.FromSeconds(30)) : Task.CompletedTask;
        };

        var run = h.Run();
        Assert.Equal(RunOutcome.Failed, run.Outcome);
        Assert.Equal("ItemFailed", run.ErrorId);
        Assert.StartsWith("stopped: Bitrix24 refused", run.Message);
        // Bitrix24: its first batch, then the failure (the rest of that batch and everything after it not attempted).
        Assert.Equal((2, 1), (run.Bitrix24.Created, run.Bitrix24.Failed));
        Assert.Equal(2, h.B.Events.Count(e => e.Title.StartsWith("Outlook ")));
        // Outlook: its first batch, then it stopped at its next one although nothing failed there.
        Assert.Equal((2, 0), (run.Outlook.Created, run.Outlook.Failed));
        Assert.Equal(2, h.A.Events.Count(e => e.Title.StartsWith("Bitrix24 ")));
        // Deletions come last: none ran.
        Assert.Equal((0, 0), (h.A.Deletes, h.B.Deletes));
        Assert.Contains(h.A.Events, e => e.Title == "Gone from Bitrix24");
        Assert.Contains(h.B.Events, e => e.Title == "Gone from Outlook");
        // What was written is linked: 3 pairs from the merge and 4 copies.
        Assert.Equal(7, h.State.Links.Count);
        h.AssertLinksOneToOne();

        h.B.FailWhen = _ => null;
        h.A.BeforeBatch = h.B.BeforeBatch = null;
        var next = h.Run();
        Assert.Equal(RunOutcome.Succeeded, next.Outcome);
        Assert.Equal((4, 1), (next.Bitrix24.Created, next.Bitrix24.Deleted));
        Assert.Equal((4, 1), (next.Outlook.Created, next.Outlook.Deleted));
        foreach (var side in new[] { h.A, h.B })
        {
            var titles = side.Events.Select(e => e.Title).OrderBy(t => t).ToArray();
            Assert.Equal(new[] { "Bitrix24 1", "Bitrix24 2", "Bitrix24 3", "Bitrix24 4", "Bitrix24 5", "Bitrix24 6",
                "Outlook 1", "Outlook 2", "Outlook 3", "Outlook 4", "Outlook 5", "Outlook 6", "Weekly review" }, titles);
        }
        h.AssertLinksOneToOne();
        h.AssertQuiet();
    }

    [Fact]
    public void BothSidesAreWrittenAtOnce_CreatesAndUpdatesFirst_DeletionsLast()
    {
        using var h = WritesOnBothSides(new SyncDefinition { Name = "work" });
        var bothWriting = new Rendezvous();
        h.A.BeforeBatch = h.B.BeforeBatch = batch => batch == 0 ? bothWriting.Arrive() : Task.CompletedTask;
        var order = new List<WriteKind>();
        h.A.AfterWrite = h.B.AfterWrite = op => { lock (order) order.Add(op.Kind); };

        var run = h.Run();
        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.Equal((6, 1), (run.Bitrix24.Created, run.Bitrix24.Deleted));
        Assert.Equal((6, 1), (run.Outlook.Created, run.Outlook.Deleted));
        // Each phase's first batches met: creates on both sides at once, then deletions on both sides at once.
        Assert.Equal(2, bothWriting.Met);
        Assert.Equal(Enumerable.Repeat(WriteKind.Create, 12).Concat(Enumerable.Repeat(WriteKind.Delete, 2)), order);
        h.A.BeforeBatch = h.B.BeforeBatch = null;
        h.AssertQuiet();
    }

    /// <summary>Lets the first of two callers wait until the second arrives: it opens only when both are inside WriteAsync.</summary>
    private sealed class Rendezvous
    {
        private TaskCompletionSource? _waiting;

        public int Met { get; private set; }

        public Task Arrive()
        {
            lock (this)
            {
                if (_waiting is { } first)
                {
                    _waiting = null;
                    Met++;
                    first.SetResult();
                    return Task.CompletedTask;
                }
                _waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                // A guard, not a timing: writes made one side after the other never meet, and the run fails.
                return _waiting.Task.WaitAsync(TimeSpan.FromSeconds(30));
            }
        }
    }

    [Fact]
    public void SignInFailureWhileWriting_DeletesNothing()
    {
        using var h = new SyncHarness();
        var keep = h.A.Add(Meeting("Keep"));
        var gone = h.A.Add(Meeting("Gone", day: 4));
        h.Run(InitialMerge.TwoWay);
        h.A.Remove(gone.Id);
        h.A.Edit(keep.Id, e => e with { Location = "Room 1" });
        var side = new FailingWrites(h.B, new SideUnavailableException(Side.Bitrix24, "The Bitrix24 access token was revoked. Run Connect-Bitrix24 again.", isAuthentication: true));
        var record = new SyncRunner(h.Store, h.A, side).RunAsync(h.Definition, new RunOptions { Now = h.Now }, CancellationToken.None).GetAwaiter().GetResult().Record;
        Assert.Equal(RunOutcome.Failed, record.Outcome);
        Assert.Equal("SignInRequired", record.ErrorId);
        Assert.Equal(0, h.B.Deletes);
        Assert.Equal(2, h.B.Events.Count);
        Assert.Equal(2, h.State.Links.Count);
    }

    [Fact]
    public void SignInFailureWhileReading_IsRecordedAndWritesNothing()
    {
        using var h = new SyncHarness();
        h.A.Add(Meeting("One"));
        h.A.FailNextRead = new SideUnavailableException(Side.Outlook, "Sign-in needed: run Connect-OutlookCalendar interactively.", isAuthentication: true);
        var run = h.Run(InitialMerge.TwoWay);
        Assert.Equal(RunOutcome.Failed, run.Outcome);
        Assert.Equal("SignInRequired", run.ErrorId);
        Assert.Equal(0, h.B.Writes);
        Assert.Single(h.Store.History.Read("work"));
    }

    [Fact]
    public void S32_SecondRunOfTheSameSyncFailsClearlyWhileTheFirstHoldsTheLock()
    {
        using var h = new SyncHarness();
        h.A.Add(Meeting("One"));
        using (h.Store.Locks.Acquire("work", TimeSpan.FromSeconds(1)))
        {
            var e = Assert.Throws<StoreException>(() => h.Run(InitialMerge.TwoWay, lockWait: TimeSpan.FromMilliseconds(200)));
            Assert.Equal(StoreErrorKind.Locked, e.Kind);
            Assert.Contains("is being run by process", e.Message);
        }
        Assert.Equal(0, h.B.Writes);
        h.Run(InitialMerge.TwoWay);
        Assert.Single(h.B.Events);
        h.AssertQuiet();
    }

    [Fact]
    public void WhatIf_PlansWithoutWritingAnything()
    {
        using var h = new SyncHarness();
        h.A.Add(Meeting("One"));
        h.B.Add(Meeting("Two", day: 5));
        var run = h.Run(InitialMerge.TwoWay, whatIf: true);
        Assert.Equal(RunOutcome.WhatIf, run.Outcome);
        Assert.Equal(2, h.LastResult!.Plan!.Writes.Count);
        Assert.Contains("Create on Bitrix24: 'One'", h.LastResult.Plan.ToString());
        Assert.Equal(0, h.A.Writes + h.B.Writes);
        Assert.False(File.Exists(h.Store.States.PathOf("work")));
        Assert.Empty(h.Store.History.Read("work"));
    }

    /// <summary>A side whose writes fail as a whole (the sign-in expired mid-run).</summary>
    private sealed class FailingWrites(ICalendarSide inner, Exception failure) : ICalendarSide
    {
        public Side Side => inner.Side;
        public Task<SideSnapshot> ReadAsync(SyncWindow window, SideCursor? cursor, CancellationToken cancellationToken) => inner.ReadAsync(window, cursor, cancellationToken);
        public Task<IReadOnlyList<WriteResult>> WriteAsync(IReadOnlyList<WriteOperation> operations, WriteHalt? halt, CancellationToken cancellationToken) => throw failure;
        public string? CannotExpress(Recurrence recurrence, CalEvent series) => inner.CannotExpress(recurrence, series);
        public Task<IReadOnlyDictionary<string, CalEvent?>> ReadByIdAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken) => inner.ReadByIdAsync(ids, cancellationToken);
    }
}
