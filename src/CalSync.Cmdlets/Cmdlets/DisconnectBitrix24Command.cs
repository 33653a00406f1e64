using EngineKind = CalSync.Store.ConnectionKind;
using System.Linq;
using System.Management.Automation;
using CalSync.Store;
using CalSync.PowerShell.Infrastructure;
using CalSync.PowerShell.Sides;

namespace CalSync.PowerShell.Cmdlets;

/// <summary>Removes a Bitrix24 connection and its secret (webhook URL or OAuth tokens) from this machine.</summary>
[Cmdlet(VerbsCommunications.Disconnect, "Bitrix24", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = CalSyncCmdlet.HelpBase + "disconnect-bitrix24")]
[OutputType(typeof(CalSyncConnection))]
public sealed class DisconnectBitrix24Command : CalSyncCmdlet
{
    /// <summary>The connection to remove (default: bitrix24).</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(Bitrix24ConnectionNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "bitrix24";

    /// <summary>Output the removed connection.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Remove the connection although syncs use it (they then fail until it is connected again).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        Guard(Name, () =>
        {
            var store = Store;
            var record = new SideFactory(store).Connection(Name, EngineKind.Bitrix24);
            if (!ShouldRemoveConnection(store, Name, EngineKind.Bitrix24, $"Bitrix24 connection '{Name}' ({record.Portal})", "Remove the connection and its secret", Force)) return;
            ISecretStore? secrets = null;
            try { secrets = SecretStore.Open(store, SideFactory.UsesPlaintext(record)); }
            catch (StoreException e) { WriteWarning($"The secret of '{Name}' could not be removed: {e.Message}"); }
            store.Connections.Remove(Name, secrets);
            WriteVerbose($"Removed the Bitrix24 connection '{Name}'.");
            if (PassThru) WriteObject(new CalSyncConnection(record));
        });
    }
}
