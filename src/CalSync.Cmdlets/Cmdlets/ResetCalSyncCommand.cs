using System;
using System.Management.Automation;
using CalSync.Engine.Sync;
using CalSync.PowerShell.Infrastructure;

namespace CalSync.PowerShell.Cmdlets;

/// <summary>
/// Forgets what a sync learned (its links, read cursors, unfinished work and what it left out) and keeps both calendars
/// as they are. The next run, a plain Start-CalSync too, merges in the sync's direction and matches every copy to its
/// original (Outlook copies by their origin stamp, the rest by start, end and title), so nothing is duplicated; refused
/// when the sync does not avoid duplicates. Holds the sync's lock and records the reset in the history.
/// </summary>
[Cmdlet(VerbsCommon.Reset, "CalSync", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(CalSyncRun))]
public sealed class ResetCalSyncCommand : SyncCmdlet
{
    /// <summary>How long to wait for a run of the same sync to finish (default 30 seconds; 0: do not wait).</summary>
    [Parameter]
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(30);

    protected override void ProcessRecord()
    {
        foreach (var pattern in Name)
            foreach (var definition in Definitions(pattern)) Reset(definition);
    }

    private void Reset(SyncDefinition definition) => Guard(definition.Name, () =>
    {
        var whatIf = IsWhatIf();
        if (!whatIf && !ShouldProcess($"sync '{definition.Name}': its links and read cursors (the calendars are not changed; the next run matches them again)", "Reset")) return;
        var options = new UndoOptions { WhatIf = whatIf, LockWait = LockTimeout < TimeSpan.Zero ? TimeSpan.Zero : LockTimeout };
        var record = SyncRunner.Reset(Store, definition, options, Cancellation);
        if (whatIf && record.ErrorId is null)
        {
            var text = $"Reset-CalSync '{definition.Name}': {record.Message}";
            ShouldProcess(text, text, "Reset-CalSync");
            return;
        }
        if (!whatIf) WriteObject(new CalSyncRun(record));
        if (record.ErrorId is { } id) WriteError(RunError(definition, record, id));
    });
}
