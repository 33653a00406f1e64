using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using CalSync.Store;
using CalSync.Engine.Sync;
using CalSync.PowerShell.Infrastructure;

namespace CalSync.PowerShell.Cmdlets;

/// <summary>
/// Runs syncs once: reads both calendars, plans, writes the changes and records the run. -WhatIf prints the exact
/// plan and writes nothing. Output: the run's history record. Failures are errors with stable ids (EmptySideGuard,
/// SignInRequired, SideUnavailable, ItemFailed, CalSync.Store.Locked), one per failed sync: one sync's failure never
/// stops the others, and under -ErrorAction Stop the first one stops the command. With -Resident it keeps running:
/// every named sync at its own interval, in this one process, until Ctrl+C or SIGTERM.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "CalSync", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, HelpUri = CalSyncCmdlet.HelpBase + "start-calsync")]
[OutputType(typeof(CalSyncRun))]
public sealed class StartCalSyncCommand : SyncRunCmdlet
{
    /// <summary>
    /// Run although a side that had linked meetings now returns none (the empty-side guard, EmptySideGuard): that side
    /// really is empty, so its copies on the other side are deleted (when the sync allows deletes). Give it for one run,
    /// after checking the calendar; never in a schedule. (-Force no longer does this: it was removed, see README.)
    /// </summary>
    [Parameter]
    public SwitchParameter AllowEmptySide { get; set; }

    /// <summary>How long to wait for another run of the same sync to finish (default 30 seconds; 0: do not wait).</summary>
    [Parameter]
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Keep running, as a service: every named sync at its own interval (its -Interval, one minute allowed), one run at a
    /// time in this process, each run's record written out and to the history as usual. A sync another run is busy
    /// with is skipped until its next interval; a failing sync backs off alone (doubling, at most an hour). Syncs
    /// defined, changed or removed meanwhile are picked up. SIGTERM stops it after the run in progress; Ctrl+C stops
    /// it at once, as it stops Start-CalSync.
    /// </summary>
    [Parameter]
    public SwitchParameter Resident { get; set; }

    private readonly List<string> _residentNames = new();

    protected override void ProcessRecord()
    {
        if (Resident)
        {
            _residentNames.AddRange(Name); // from the pipeline too: run together once all are known
            return;
        }
        foreach (var pattern in Name)
            foreach (var definition in Definitions(pattern)) Run(definition);
    }

    private void Run(SyncDefinition definition)
    {
        var whatIf = IsWhatIf();
        var target = $"sync '{definition.Name}' ({definition.OutlookConnection} <-> {definition.Bitrix24Connection})";
        if (!whatIf && !ShouldProcess(target, "Start")) return;

        var result = RunSync(definition, new RunOptions
        {
            Merge = Merge, AllowEmptySide = AllowEmptySide, WhatIf = whatIf,
            LockWait = LockTimeout < TimeSpan.Zero ? TimeSpan.Zero : LockTimeout,
        });
        if (result is null) return;

        var title = $"Start-CalSync '{definition.Name}'";
        if (whatIf && result.Plan is { } plan)
        {
            ShouldProcess($"{title}: {plan}", $"{title}: {plan}", "Start-CalSync");
            return;
        }

        // A run that could not plan is an error under -WhatIf too; only a real run has a record to output.
        Report(definition, result.Record, output: !whatIf);
    }

    /// <summary>A run's record out (when it was a real run), then its error, if any.</summary>
    private void Report(SyncDefinition definition, RunRecord record, bool output = true)
    {
        if (output) WriteObject(new CalSyncRun(record));
        if (record.ErrorId is { } id) WriteError(RunError(definition, record, id));
    }

    protected override void EndProcessing()
    {
        if (Resident) RunResident();
    }

    private void RunResident()
    {
        if (InitialMerge is not null)
            ThrowTerminatingError(Error(ErrorIds.InvalidSetting, ErrorCategory.InvalidArgument, "InitialMerge",
                "-Resident runs every sync incrementally. Run a first sync's initial merge once without it (Start-CalSync -Name <sync> -InitialMerge TwoWay), then start the resident mode."));
        var patterns = _residentNames.Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        var first = patterns.SelectMany(Definitions).ToList();
        if (first.Count == 0 && patterns.All(p => !WildcardPattern.ContainsWildcardCharacters(p))) return; // each name's error is written
        if (!ShouldProcess($"sync(s) {string.Join(", ", patterns)} (now: {string.Join(", ", first.Select(d => d.Name))})", "Run resident")) return;

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        var terminated = false;
        using var sigterm = OnSigterm(() =>
        {
            terminated = true;
            stop.Cancel();
        });
        // Minute-fresh where double bookings happen (the next two weeks), a full read every 20 minutes for the rest:
        // an idle cycle costs a tenth of a window read (docs/architecture.md, "Bitrix24 reads: hot and far").
        FarReadInterval = ResidentLoop.FarReadInterval;
        var loop = new ResidentLoop(() => Resolve(patterns), d => OnPipeline(() => Cycle(d)), m => Post(() => WriteWarning(m)));
        WriteVerbose($"Resident: {first.Count} sync(s), each at its own interval; SIGTERM stops after the run in progress.");
        Await(_ => loop.RunAsync(stop.Token));
        WriteVerbose($"Resident mode stopped{(terminated ? " by SIGTERM" : "")} after {loop.Runs} run(s).");
    }

    /// <summary>
    /// The syncs the patterns name now, read on the loop's thread: a damaged definition is a warning and a removed one
    /// drops out, the others go on.
    /// </summary>
    private IReadOnlyList<SyncDefinition> Resolve(string[] patterns)
    {
        void Warn(StoreException e) => Post(() => WriteWarning(e.Message));
        IEnumerable<SyncDefinition> Named(string name)
        {
            try { return Store.Definitions.Get(name) is { } d ? new[] { d } : Array.Empty<SyncDefinition>(); }
            catch (StoreException e) { Warn(e); return Array.Empty<SyncDefinition>(); }
        }
        return patterns.SelectMany(p => WildcardPattern.ContainsWildcardCharacters(p) ? Store.Definitions.List(p, Warn) : Named(p))
            .GroupBy(d => d.Name, StringComparer.OrdinalIgnoreCase).Select(g => g.First()).ToList();
    }

    /// <summary>One resident run, on the pipeline thread: the same run, record and error as Start-CalSync.</summary>
    private CycleResult Cycle(SyncDefinition definition)
    {
        try { using (Store.Locks.Acquire(definition.Name, TimeSpan.Zero, Cancellation)) { } }
        catch (StoreException e) when (e.Kind == StoreErrorKind.Locked)
        {
            WriteVerbose($"'{definition.Name}' is being run elsewhere; it is tried again at its next interval.");
            return CycleResult.Busy;
        }
        var result = RunSync(definition, new RunOptions { LockWait = TimeSpan.Zero });
        if (result is null) return CycleResult.Failed;
        Report(definition, result.Record);
        return result.Record.Outcome is Engine.Sync.RunOutcome.Failed or Engine.Sync.RunOutcome.Aborted ? CycleResult.Failed : CycleResult.Succeeded;
    }

    /// <summary>Runs <paramref name="work"/> on the pipeline thread (which <see cref="CalSyncCmdlet.Await{T}"/> pumps) for the loop's thread.</summary>
    private Task<T> OnPipeline<T>(Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() =>
        {
            try { done.SetResult(work()); }
            catch (Exception e) { done.SetException(e); }
        });
        return done.Task;
    }

    /// <summary>SIGTERM (a service manager stopping the process) handled instead of ending the process mid-run.</summary>
    private static IDisposable? OnSigterm(Action stop)
    {
        try
        {
            return PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
            {
                context.Cancel = true;
                stop();
            });
        }
        catch (PlatformNotSupportedException) { return null; }
    }
}
