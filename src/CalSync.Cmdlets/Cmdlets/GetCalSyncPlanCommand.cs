using System;
using System.Management.Automation;
using CalSync.Engine.Sync;
using CalSync.PowerShell.Infrastructure;

namespace CalSync.PowerShell.Cmdlets;

/// <summary>
/// What Start-CalSync would do now, as objects for scripts: one item per write and per change without a write, naming
/// the meeting (title and local start) and the reason. Reads both calendars; writes nothing, not even history.
/// </summary>
[Cmdlet(VerbsCommon.Get, "CalSyncPlan", HelpUri = CalSyncCmdlet.HelpBase + "get-calsyncplan")]
[OutputType(typeof(CalSyncRunItem))]
public sealed class GetCalSyncPlanCommand : SyncRunCmdlet
{
    protected override void ProcessRecord()
    {
        foreach (var pattern in Name)
            foreach (var definition in Definitions(pattern))
            {
                var result = RunSync(definition, new RunOptions { WhatIf = true, Merge = Merge });
                if (result is null) continue;
                if (result.Plan is null)
                {
                    WriteError(RunError(definition, result.Record, result.Record.ErrorId ?? ErrorIds.RunFailed));
                    continue;
                }
                foreach (var item in result.Record.Items) WriteObject(new CalSyncRunItem(item, definition.Name));
            }
    }
}
