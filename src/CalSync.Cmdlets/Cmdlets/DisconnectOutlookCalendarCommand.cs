using EngineKind = CalSync.Store.ConnectionKind;
using System.Management.Automation;
using CalSync.Store;
using CalSync.Outlook.Auth;
using CalSync.PowerShell.Infrastructure;
using CalSync.PowerShell.Sides;

namespace CalSync.PowerShell.Cmdlets;

/// <summary>Signs out of an Outlook connection (removes its cached sign-in or session token) and removes the connection.</summary>
[Cmdlet(VerbsCommunications.Disconnect, "OutlookCalendar", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = CalSyncCmdlet.HelpBase + "disconnect-outlookcalendar")]
[OutputType(typeof(CalSyncConnection))]
public sealed class DisconnectOutlookCalendarCommand : DisconnectCmdlet
{
    /// <summary>The connection to remove (default: outlook).</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(OutlookConnectionNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "outlook";

    private protected override string ConnectionName => Name;
    private protected override EngineKind Kind => EngineKind.Outlook;

    private protected override (string What, string Action) Describe(ConnectionRecord record) =>
        ($"Outlook connection '{Name}' ({record.Account})", "Sign out and remove");

    private protected override void Forget(CalSyncStore store, SideFactory factory, ConnectionRecord record)
    {
        SessionTokens.Remove(store.Root, Name);
        if (record.Auth != AuthKinds.AccessToken)
        {
            try
            {
                var options = factory.OutlookOptions(record);
                Await(async ct => await (await OutlookSignIn.CreateAsync(options, ct).ConfigureAwait(false)).SignOutAsync().ConfigureAwait(false));
            }
            catch (System.Exception e) when (e is not PipelineStoppedException)
            {
                WriteWarning($"The cached sign-in of '{Name}' could not be removed ({e.Message}); the connection is removed anyway.");
            }
        }
        store.Connections.Remove(Name);
    }
}
