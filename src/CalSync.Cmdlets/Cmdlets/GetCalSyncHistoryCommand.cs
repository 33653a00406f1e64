using System;
using System.Management.Automation;
using CalSync.PowerShell.Infrastructure;

namespace CalSync.PowerShell.Cmdlets;

/// <summary>Lists the runs of syncs, oldest first.</summary>
[Cmdlet(VerbsCommon.Get, "CalSyncHistory")]
[OutputType(typeof(CalSyncRun))]
public sealed class GetCalSyncHistoryCommand : CalSyncCmdlet
{
    /// <summary>Sync names; wildcards allowed (default: all). Binds from Get-CalSync output.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(SyncNameCompleter))]
    [Alias("SyncName")]
    [SupportsWildcards]
    public string[]? Name { get; set; }

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
        foreach (var pattern in Name ?? new[] { "*" })
        {
            Guard(pattern, () =>
            {
                var names = new System.Collections.Generic.List<string>();
                if (WildcardPattern.ContainsWildcardCharacters(pattern))
                    foreach (var d in Store.GetSyncs(pattern, e => WriteError(StoreError(e, e.Path)))) names.Add(d.Name);
                else if (Store.GetSync(pattern) is { } d)
                    names.Add(d.Name);
                else
                    throw new CalSyncException(ErrorIds.SyncNotFound, $"There is no sync named '{pattern}'. List the syncs with Get-CalSync.");
                foreach (var name in names)
                    foreach (var run in Store.ReadHistory(name, Last, since))
                        WriteObject(new CalSyncRun(run));
            });
        }
    }
}
