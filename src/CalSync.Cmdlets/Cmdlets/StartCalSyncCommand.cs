using System;
using System.Management.Automation;
using CalSync.Engine.Sync;
using CalSync.PowerShell.Infrastructure;

namespace CalSync.PowerShell.Cmdlets;

/// <summary>
/// Runs syncs once: reads both calendars, plans, writes the changes and records the run. -WhatIf prints the exact
/// plan and writes nothing. Output: the run's history record. Failures are errors with stable ids (EmptySideGuard,
/// SignInRequired, SideUnavailable, ItemFailed, CalSync.Store.Locked), one per failed sync: one sync's failure never
/// stops the others, and under -ErrorAction Stop the first one stops the command.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "CalSync", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, HelpUri = CalSyncCmdlet.HelpBase + "start-calsync")]
[OutputType(typeof(CalSyncRun))]
public sealed class StartCalSyncCommand : SyncRunCmdlet
{
    /// <summary>Run although a side that had linked meetings suddenly returns none (the empty-side guard).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>How long to wait for another run of the same sync to finish (default 30 seconds; 0: do not wait).</summary>
    [Parameter]
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(30);

    protected override void ProcessRecord()
    {
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
            Merge = Merge, Force = Force, WhatIf = whatIf,
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
        var record = result.Record;
        if (!whatIf) WriteObject(new CalSyncRun(record));
        if (record.ErrorId is not { } id) return;
        WriteError(RunError(definition, record, id));
    }
}
