using System;
using System.Linq;
using CalSync.Engine.Probing;
using System.Management.Automation;
using CalSync.Engine.Model;
using CalSync.Engine.Sides;
using CalSync.Store;
using CalSync.Engine.Sync;

namespace CalSync.PowerShell.Infrastructure;

/// <summary>What Start-CalSync and Get-CalSyncPlan share: the initial merge, and one run of the engine.</summary>
public abstract class SyncRunCmdlet : SyncCmdlet
{
    /// <summary>
    /// The first run's initial merge: None (only what changes from now on), TwoWay, OutlookToBitrix24 or
    /// Bitrix24ToOutlook. Without it a first run takes only new data, and an unfinished merge is continued.
    /// </summary>
    [Parameter]
    public InitialMerge? InitialMerge { get; set; }

    /// <summary>The engine's merge for <see cref="InitialMerge"/>.</summary>
    protected Engine.Sync.InitialMerge? Merge => InitialMerge is { } merge ? EnumMap.To<Engine.Sync.InitialMerge>(merge) : null;

    /// <summary>
    /// One run of the engine (a plan only with <see cref="RunOptions.WhatIf"/>), with its progress and verbose lines.
    /// Null when it could not start or finish: the error is written, with the sync as its target, after the record that
    /// says so (not under -WhatIf).
    /// </summary>
    protected RunResult? RunSync(SyncDefinition definition, RunOptions options)
    {
        var started = DateTimeOffset.UtcNow;
        options = options with { Refuse = ProbeRefusal(definition) };
        return WithSides(definition, (outlook, bitrix24, progress, ct) =>
                new SyncRunner(Store, outlook, bitrix24).RunAsync(definition, options with { Progress = progress, Log = PostVerbose }, ct),
            options.WhatIf ? null : (error, e) => Record(definition, options, started, error, e));
    }

    /// <summary>
    /// The writes the latest conformance probe of the sync's connections holds back (Test-CalSyncService; none when
    /// they were never probed), each failure said once as a warning naming the probe and what to do.
    /// </summary>
    private Func<PlannedWrite, string?>? ProbeRefusal(SyncDefinition definition)
    {
        var failures = new[] { definition.OutlookConnection, definition.Bitrix24Connection }
            .Select(Connection)
            .Where(c => c is not null)
            .SelectMany(c => Store.Probes.Failed(c!))
            .Where(f => ProbeGate.Holds(f.Result.Name) is not null)
            .ToList();
        foreach (var failure in failures) WriteWarning(ProbeGate.Message(failure));
        return ProbeGate.Refusal(failures);

        // An unreadable connection fails the run where the sides are made, with its own message.
        ConnectionRecord? Connection(string name)
        {
            try { return Store.Connections.Get(name); }
            catch (StoreException) { return null; }
        }
    }

    /// <summary>
    /// The engine records the runs it finishes; this records the others (a held lock, a damaged state file, a missing
    /// connection or sign-in, a stop: <paramref name="error"/> null), so the history and Get-CalSyncStatus show every
    /// attempt and why it failed. Null (with a warning) when even that cannot be written.
    /// </summary>
    private RunRecord? Record(SyncDefinition definition, RunOptions options, DateTimeOffset started, ErrorRecord? error, Exception e)
    {
        var record = new RunRecord
        {
            SyncName = definition.Name, RunId = Guid.NewGuid(), Start = started, End = DateTimeOffset.UtcNow,
            Outcome = error is null ? Engine.Sync.RunOutcome.Aborted : Engine.Sync.RunOutcome.Failed,
            Mode = RunMode.Of(options.Merge), Direction = definition.Direction,
            ErrorId = error is null ? ErrorIds.RunStopped : error.FullyQualifiedErrorId.Split(',')[0],
            Message = error is null ? "The run was stopped before it finished; the next run goes on from what it saved." : error.Exception.Message,
            FailedSide = (e is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerException : e) switch
            {
                SideUnavailableException unavailable => unavailable.Side,
                CalSyncException { ErrorId: ErrorIds.ConnectionSecretMissing } => Side.Bitrix24,
                _ => null,
            },
        };
        try
        {
            Store.History.Append(record);
            return record;
        }
        catch (StoreException failed)
        {
            WriteWarning($"The failed attempt of the sync '{definition.Name}' could not be recorded in its history: {failed.Message}");
            return null;
        }
    }
}
