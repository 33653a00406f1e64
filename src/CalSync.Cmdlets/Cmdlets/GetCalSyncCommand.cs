using System.Management.Automation;
using CalSync.PowerShell.Infrastructure;

namespace CalSync.PowerShell.Cmdlets;

/// <summary>Lists the defined syncs.</summary>
[Cmdlet(VerbsCommon.Get, "CalSync", HelpUri = CalSyncCmdlet.HelpBase + "get-calsync")]
[OutputType(typeof(CalSyncDefinition))]
public sealed class GetCalSyncCommand : SyncListCmdlet
{
    protected override void ProcessRecord()
    {
        foreach (var definition in NamedSyncs()) WriteObject(new CalSyncDefinition(definition));
    }
}
