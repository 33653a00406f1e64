using EngineKind = CalSync.Store.ConnectionKind;
using System.Management.Automation;
using CalSync.Store;
using CalSync.PowerShell.Sides;

namespace CalSync.PowerShell.Infrastructure;

/// <summary>What both Disconnect- cmdlets share: the syncs that use the connection stop it unless -Force, then it is forgotten.</summary>
public abstract class DisconnectCmdlet : CalSyncCmdlet
{
    /// <summary>Output the removed connection.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Remove the connection although syncs use it (they then fail until it is connected again).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    private protected abstract string ConnectionName { get; }
    private protected abstract EngineKind Kind { get; }

    /// <summary>The -WhatIf/-Confirm target and action.</summary>
    private protected abstract (string What, string Action) Describe(ConnectionRecord record);

    /// <summary>Removes the connection and what it keeps elsewhere (a secret, a cached sign-in).</summary>
    private protected abstract void Forget(CalSyncStore store, SideFactory factory, ConnectionRecord record);

    protected override void ProcessRecord()
    {
        Guard(ConnectionName, () =>
        {
            var store = Store;
            var factory = new SideFactory(store, PostDebug, PostWarning);
            var record = factory.Connection(ConnectionName, Kind);
            var (what, action) = Describe(record);
            if (!ShouldRemoveConnection(store, ConnectionName, Kind, what, action, Force)) return;
            Forget(store, factory, record);
            WriteVerbose($"Removed the {(Kind == EngineKind.Outlook ? "Outlook" : "Bitrix24")} connection '{ConnectionName}'.");
            if (PassThru) WriteObject(new CalSyncConnection(record));
        });
    }
}
