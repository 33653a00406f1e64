using EngineKind = CalSync.Store.ConnectionKind;
using System.Management.Automation;
using CalSync.Store;
using CalSync.PowerShell.Infrastructure;
using CalSync.PowerShell.Sides;

namespace CalSync.PowerShell.Cmdlets;

/// <summary>Removes a Bitrix24 connection and its secret (webhook URL or OAuth tokens) from this machine.</summary>
[Cmdlet(VerbsCommunications.Disconnect, "Bitrix24", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = CalSyncCmdlet.HelpBase + "disconnect-bitrix24")]
[OutputType(typeof(CalSyncConnection))]
public sealed class DisconnectBitrix24Command : DisconnectCmdlet
{
    /// <summary>The connection to remove (default: bitrix24).</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(Bitrix24ConnectionNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "bitrix24";

    private protected override string ConnectionName => Name;
    private protected override EngineKind Kind => EngineKind.Bitrix24;

    private protected override (string What, string Action) Describe(ConnectionRecord record) =>
        ($"Bitrix24 connection '{Name}' ({record.Portal})", "Remove the connection and its secret");

    private protected override void Forget(CalSyncStore store, SideFactory factory, ConnectionRecord record)
    {
        ISecretStore? secrets = null;
        try { secrets = SecretStore.Open(store, SideFactory.UsesPlaintext(record)); }
        catch (StoreException e) { WriteWarning($"The secret of '{Name}' could not be removed: {e.Message}"); }
        store.Connections.Remove(Name, secrets);
    }
}
