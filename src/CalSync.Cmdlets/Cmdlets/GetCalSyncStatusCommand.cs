using EngineKind = CalSync.Store.ConnectionKind;
using System.Management.Automation;
using CalSync.Engine.Model;
using CalSync.Store;
using CalSync.Engine.Sync;
using CalSync.PowerShell.Infrastructure;

namespace CalSync.PowerShell.Cmdlets;

/// <summary>
/// One status object per sync, for people and monitoring: last attempt and outcome, last success, failures in a row,
/// next due time, links and the health of both connections. Reads only the store: no service is called.
/// </summary>
[Cmdlet(VerbsCommon.Get, "CalSyncStatus", HelpUri = CalSyncCmdlet.HelpBase + "get-calsyncstatus")]
[OutputType(typeof(CalSyncStatus))]
public sealed class GetCalSyncStatusCommand : SyncListCmdlet
{
    protected override void ProcessRecord()
    {
        foreach (var definition in NamedSyncs())
            Guard(definition.Name, () =>
            {
                var history = Store.History.Read(definition.Name);
                var last = history.Count > 0 ? history[history.Count - 1] : null;
                WriteObject(new CalSyncStatus(definition, history, Links(definition.Name),
                    Health(definition.OutlookConnection, EngineKind.Outlook, last), Health(definition.Bitrix24Connection, EngineKind.Bitrix24, last)));
            });
    }

    /// <summary>The linked pairs; null, with a warning, when the state file cannot be read (the next run fails on it too).</summary>
    private int? Links(string sync)
    {
        try { return Store.States.Load(sync).Links.Count; }
        catch (StoreException e)
        {
            WriteWarning($"The state of the sync '{sync}' cannot be read: {e.Message}");
            return null;
        }
    }

    /// <summary>What is known of a connection without calling its service (see <see cref="ConnectionHealth"/>).</summary>
    private ConnectionHealth Health(string name, EngineKind kind, RunRecord? last)
    {
        ConnectionRecord? connection;
        try { connection = Store.Connections.Get(name); }
        catch (StoreException) { return ConnectionHealth.Unreadable; }
        if (connection is null || connection.Kind != kind) return ConnectionHealth.Missing;
        var side = kind == EngineKind.Outlook ? Side.Outlook : Side.Bitrix24;
        if (last is { ErrorId: ErrorIds.SignInRequired or ErrorIds.ConnectionSecretMissing } && last.FailedSide == side) return ConnectionHealth.SignInRequired;
        return connection.Auth == AuthKinds.AccessToken ? ConnectionHealth.SessionOnly : ConnectionHealth.Ready;
    }
}
