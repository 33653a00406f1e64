using CalSync.Engine.Model;
using CalSync.Engine.Sides;
using CalSync.Engine.Store;
using CalSync.Engine.Sync;
using CalSync.Engine.Tests.Support;
using Xunit;
using static CalSync.Engine.Tests.Support.SyncHarness;

namespace CalSync.Engine.Tests.Scenarios;

/// <summary>SCENARIOS.md 29 and 32, the empty-side guard and failures of a whole side.</summary>
public sealed class SafetyScenarios
{
    private static SyncHarness FiveNew(bool proceedOnError)
    {
        var h = new SyncHarness(new SyncDefinition { Name = "work", ProceedOnError = proceedOnError });
        h.Run(InitialMerge.TwoWay);
        for (var i = 1; i <= 5; i++) h.A.Add(Meeting($"Item {i}", day: 3 + i));
        h.B.FailWhen = op => op.Desired?.Title == "Item 3" ? "HTTP 400: the portal refused the event" : null;
        return h;
    }

    [Fact]
    public void S29_ProceedOnError_SkipsTheFailedItemAndRetriesOnlyIt()
    {
        using var h = FiveNew(proceedOnError: true);
        var run = h.Run();
        Assert.Equal(RunOutcome.CompletedWithErrors, run.Outcome);
        Assert.Equal("completed with errors (1)", run.Message);
        Assert.Equal(4, run.Bitrix24.Created);
        Assert.Equal(1, run.Bitrix24.Failed);
        Assert.Equal(4, h.State.Links.Count);
        Assert.Contains(run.Items, i => !i.Succeeded && i.Reason.Contains("HTTP 400"));

        h.B.FailWhen = _ => null;
        var creates = h.B.Creates;
        var retry = h.Run();
        Assert.Equal(1, retry.Bitrix24.Created);
        Assert.Equal(creates + 1, h.B.Creates);
        Assert.Contains(h.B.Events, e => e.Title == "Item 3");
        h.AssertQuiet();
    }

    [Fact]
    public void S29_WithoutProceedOnError_TheRunStopsAtTheFailedItemWithEarlierOnesSaved()
    {
        using var h = FiveNew(proceedOnError: false);
        var run = h.Run();
        Assert.Equal(RunOutcome.Failed, run.Outcome);
        Assert.Equal("ItemFailed", run.ErrorId);
        Assert.Equal(new[] { "Item 1", "Item 2" }, h.B.Events.Select(e => e.Title).OrderBy(t => t));
        Assert.Equal(2, h.State.Links.Count);

        h.B.FailWhen = _ => null;
        var next = h.Run();
        Assert.Equal(3, next.Bitrix24.Created);
        Assert.Equal(5, h.B.Events.Count);
        h.AssertQuiet();
    }

    [Fact]
    public void EmptySideGuard_AbortsWithoutDeletingUnlessForced()
    {
        using var h = new SyncHarness();
        h.A.Add(Meeting("One"));
        h.A.Add(Meeting("Two", day: 4));
        h.Run(InitialMerge.TwoWay);
        foreach (var e in h.A.Events.ToArray()) h.A.Remove(e.Id);

        var run = h.Run();
        Assert.Equal(RunOutcome.Aborted, run.Outcome);
        Assert.Equal("EmptySideGuard", run.ErrorId);
        Assert.Contains("-Force", run.Message);
        Assert.Equal(0, h.B.Deletes);
        Assert.Equal(2, h.State.Links.Count);

        var forced = h.Run(force: true);
        Assert.Equal(2, forced.Bitrix24.Deleted);
        Assert.Empty(h.B.Events);
        h.AssertQuiet();
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
        Assert.Single(h.Store.ReadHistory("work"));
    }

    [Fact]
    public void S32_SecondRunOfTheSameSyncFailsClearlyWhileTheFirstHoldsTheLock()
    {
        using var h = new SyncHarness();
        h.A.Add(Meeting("One"));
        using (h.Store.AcquireLock("work", TimeSpan.FromSeconds(1)))
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
        Assert.False(File.Exists(h.Store.StatePath("work")));
        Assert.Empty(h.Store.ReadHistory("work"));
    }

    /// <summary>A side whose writes fail as a whole (the sign-in expired mid-run).</summary>
    private sealed class FailingWrites(ICalendarSide inner, Exception failure) : ICalendarSide
    {
        public Side Side => inner.Side;
        public Task<SideSnapshot> ReadAsync(SyncWindow window, string? cursor, CancellationToken cancellationToken) => inner.ReadAsync(window, cursor, cancellationToken);
        public Task<IReadOnlyList<WriteResult>> WriteAsync(IReadOnlyList<WriteOperation> operations, bool haltOnError, CancellationToken cancellationToken) => throw failure;
        public string? CannotExpress(Recurrence recurrence, CalEvent series) => inner.CannotExpress(recurrence, series);
    }
}
