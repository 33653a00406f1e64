using System.Management.Automation;
using CalSync.PowerShell.Infrastructure;

namespace CalSync.PowerShell.Cmdlets;

/// <summary>Removes a sync's definition, link state and history. The meetings on both calendars stay as they are.</summary>
[Cmdlet(VerbsCommon.Remove, "CalSync", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = CalSyncCmdlet.HelpBase + "remove-calsync")]
[OutputType(typeof(CalSyncDefinition))]
public sealed class RemoveCalSyncCommand : CalSyncCmdlet
{
    /// <summary>The syncs to remove.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(SyncNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = System.Array.Empty<string>();

    /// <summary>Output the removed sync.</summary>
    [Parameter] public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var name in Name)
        {
            Guard(name, () =>
            {
                var store = Store;
                var d = store.Definitions.Get(name) ?? throw new CalSyncException(ErrorIds.SyncNotFound, $"There is no sync named '{name}'. List the syncs with Get-CalSync.");
                if (!ShouldProcess($"sync '{name}' (its definition, link state and history; the calendars are not changed)", "Remove")) return;
                store.RemoveSync(name);
                WriteVerbose($"Removed the sync '{name}'. A schedule registered for it stays until Unregister-CalSyncSchedule -Name '{name}'.");
                if (PassThru) WriteObject(new CalSyncDefinition(d));
            });
        }
    }
}
