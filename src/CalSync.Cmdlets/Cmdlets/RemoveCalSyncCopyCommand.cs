using System;
using System.Management.Automation;
using CalSync.Engine.Sync;
using CalSync.PowerShell.Infrastructure;

namespace CalSync.PowerShell.Cmdlets;

/// <summary>
/// Deletes every copy a sync made, on one calendar or both, and never an original (a meeting of the calendar's own):
/// copies are found by the sync's links, by the origin stamp CalSync puts on each Outlook copy, and by the copies its
/// history records, so also when the state is lost. Invitations on Bitrix24 are never deleted. Holds the sync's lock
/// and records the removal in the history; -WhatIf lists each copy it would delete. Killed midway, Start-CalSync refuses
/// until the command is run again and finishes. Output: the history record of the removal.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "CalSyncCopy", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(CalSyncRun))]
public sealed class RemoveCalSyncCopyCommand : SyncCmdlet
{
    /// <summary>The calendar whose copies go: Outlook, Bitrix24 or Both (the default).</summary>
    [Parameter]
    public CalendarSides Side { get; set; } = CalendarSides.Both;

    /// <summary>How long to wait for a run of the same sync to finish (default 30 seconds; 0: do not wait).</summary>
    [Parameter]
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(30);

    protected override void ProcessRecord()
    {
        foreach (var pattern in Name)
            foreach (var definition in Definitions(pattern)) Remove(definition);
    }

    private void Remove(SyncDefinition definition)
    {
        var whatIf = IsWhatIf();
        var where = Side == CalendarSides.Both ? "Outlook and Bitrix24" : Side.ToString();
        if (!whatIf && !ShouldProcess($"the copies the sync '{definition.Name}' made on {where} (originals stay)", "Remove")) return;
        var options = new UndoOptions
        {
            Sides = Side switch { CalendarSides.Outlook => new[] { Engine.Model.Side.Outlook }, CalendarSides.Bitrix24 => new[] { Engine.Model.Side.Bitrix24 }, _ => new[] { Engine.Model.Side.Outlook, Engine.Model.Side.Bitrix24 } },
            WhatIf = whatIf, Log = PostVerbose,
            LockWait = LockTimeout < TimeSpan.Zero ? TimeSpan.Zero : LockTimeout,
        };
        var result = WithSides(definition, (outlook, bitrix24, progress, ct) =>
            new SyncRunner(Store, outlook, bitrix24).RemoveCopiesAsync(definition, options with { Progress = progress }, ct));
        if (result is null) return;
        if (whatIf && result.Plan is { } plan)
        {
            var text = $"Remove-CalSyncCopy '{definition.Name}': {plan}";
            ShouldProcess(text, text, "Remove-CalSyncCopy");
            return;
        }
        if (!whatIf) WriteObject(new CalSyncRun(result.Record));
        if (result.Record.ErrorId is { } id) WriteError(RunError(definition, result.Record, id));
    }
}
