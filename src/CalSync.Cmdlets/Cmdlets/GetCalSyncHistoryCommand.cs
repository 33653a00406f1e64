using System;
using System.Management.Automation;
using CalSync.PowerShell.Infrastructure;

namespace CalSync.PowerShell.Cmdlets;

/// <summary>Lists the runs of syncs, oldest first.</summary>
[Cmdlet(VerbsCommon.Get, "CalSyncHistory", HelpUri = CalSyncCmdlet.HelpBase + "get-calsynchistory")]
[OutputType(typeof(CalSyncRun))]
public sealed class GetCalSyncHistoryCommand : SyncListCmdlet
{
    /// <summary>Only the newest N runs of each sync.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? Last { get; set; }

    /// <summary>Only runs that started at or after this time.</summary>
    [Parameter]
    public DateTime? Since { get; set; }

    protected override void ProcessRecord()
    {
        DateTimeOffset? since = Since is { } s ? new DateTimeOffset(s.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(s, DateTimeKind.Local) : s) : null;
        foreach (var definition in NamedSyncs())
            Guard(definition.Name, () =>
            {
                foreach (var run in Store.History.Read(definition.Name, Last, since)) WriteObject(new CalSyncRun(run));
            });
    }
}
