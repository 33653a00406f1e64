using System.Management.Automation;
using CalSync.PowerShell.Infrastructure;

namespace CalSync.PowerShell.Cmdlets;

/// <summary>Lists the defined syncs.</summary>
[Cmdlet(VerbsCommon.Get, "CalSync")]
[OutputType(typeof(CalSyncDefinition))]
public sealed class GetCalSyncCommand : CalSyncCmdlet
{
    /// <summary>Sync names; wildcards allowed (default: all).</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(SyncNameCompleter))]
    [Alias("SyncName")]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var pattern in Name ?? new[] { "*" })
        {
            var found = false;
            Guard(pattern, () =>
            {
                foreach (var d in Store.GetSyncs(pattern, e => WriteError(StoreError(e, e.Path))))
                {
                    found = true;
                    WriteObject(new CalSyncDefinition(d));
                }
            });
            if (!found && !WildcardPattern.ContainsWildcardCharacters(pattern))
                WriteError(Error(ErrorIds.SyncNotFound, ErrorCategory.ObjectNotFound, pattern, $"There is no sync named '{pattern}'. List the syncs with Get-CalSync."));
        }
    }
}
