using EngineKind = CalSync.Store.ConnectionKind;
using System;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Security;
using System.Threading.Tasks;
using CalSync.Engine.Sides;
using CalSync.Store;
using CalSync.Outlook;
using CalSync.Outlook.Auth;
using CalSync.PowerShell.Infrastructure;
using CalSync.PowerShell.Sides;

namespace CalSync.PowerShell.Cmdlets;

/// <summary>
/// Signs in to an Outlook.com (personal Microsoft account) calendar and saves the connection: through the system
/// browser (default), the device-code flow, or a given access token (automation, this session only).
/// </summary>
[Cmdlet(VerbsCommunications.Connect, "OutlookCalendar", DefaultParameterSetName = InteractiveSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, HelpUri = CalSyncCmdlet.HelpBase + "connect-outlookcalendar")]
[OutputType(typeof(CalSyncConnection))]
public sealed class ConnectOutlookCalendarCommand : CalSyncCmdlet
{
    private const string InteractiveSet = "Interactive";
    private const string DeviceCodeSet = "DeviceCode";
    private const string AccessTokenSet = "AccessToken";

    /// <summary>The connection's name (default: outlook).</summary>
    [Parameter(Position = 0)]
    [ArgumentCompleter(typeof(OutlookConnectionNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "outlook";

    /// <summary>The application (client) id of your app registration (personal accounts, public client flows, redirect http://localhost).</summary>
    [Parameter(ParameterSetName = InteractiveSet)]
    [Parameter(ParameterSetName = DeviceCodeSet)]
    [ValidateNotNullOrEmpty]
    public string? ClientId { get; set; }

    /// <summary>Sign in with a code entered on another device instead of the browser.</summary>
    [Parameter(ParameterSetName = DeviceCodeSet, Mandatory = true)]
    public SwitchParameter UseDeviceCode { get; set; }

    /// <summary>A Graph access token to use as is (kept for this PowerShell session only).</summary>
    [Parameter(ParameterSetName = AccessTokenSet, Mandatory = true)]
    public SecureString? AccessToken { get; set; }

    /// <summary>The Graph endpoint (default https://graph.microsoft.com/v1.0; the sandbox prints its own).</summary>
    [Parameter]
    [ValidateNotNull]
    public Uri? Endpoint { get; set; }

    /// <summary>The sign-in authority (default https://login.microsoftonline.com/consumers/).</summary>
    [Parameter(ParameterSetName = InteractiveSet)]
    [Parameter(ParameterSetName = DeviceCodeSet)]
    [ValidateNotNull]
    public Uri? Authority { get; set; }

    /// <summary>The account to sign in as (a hint; and which cached sign-in to use).</summary>
    [Parameter(ParameterSetName = InteractiveSet)]
    [Parameter(ParameterSetName = DeviceCodeSet)]
    public string? Account { get; set; }

    /// <summary>The id of the calendar to sync (default: the account's default calendar).</summary>
    [Parameter]
    public string? CalendarId { get; set; }

    /// <summary>The calendar to sync, by name (or id); completes the names of the connection's calendars.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(OutlookCalendarNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Calendar { get; set; }

    /// <summary>Where no OS key store works (headless Linux), keep the sign-in cache in a file readable only by you, unencrypted (with a warning).</summary>
    [Parameter(ParameterSetName = InteractiveSet)]
    [Parameter(ParameterSetName = DeviceCodeSet)]
    public SwitchParameter AllowPlaintextTokenCache { get; set; }

    protected override void ProcessRecord()
    {
        var store = Store;
        if (Endpoint is { IsAbsoluteUri: false })
            ThrowTerminatingError(Error(ErrorIds.InvalidSetting, ErrorCategory.InvalidArgument, Endpoint,
                $"-Endpoint must be an absolute URL such as https://graph.microsoft.com/v1.0 (it is '{Endpoint.OriginalString}')."));
        var existing = Guarded(() => store.Connections.Get(Name));
        var endpoint = (Endpoint?.OriginalString ?? existing?.Endpoint ?? OutlookConnectionOptions.DefaultEndpoint).TrimEnd('/');
        if (existing is not null && existing.Kind != EngineKind.Outlook)
            ThrowTerminatingError(Error(ErrorIds.ConnectionKindMismatch, ErrorCategory.InvalidArgument, Name,
                $"The connection '{Name}' is {SideFactory.KindName(existing.Kind)} connection. Choose another -Name, or remove it with Disconnect-Bitrix24 first."));

        if (Calendar is not null && CalendarId is not null)
            ThrowTerminatingError(Error(ErrorIds.OutlookCalendarInvalid, ErrorCategory.InvalidArgument, Name, "Give the calendar with -Calendar or -CalendarId, not both."));
        var now = DateTimeOffset.UtcNow;
        var record = new ConnectionRecord
        {
            Name = Name, Kind = EngineKind.Outlook, Endpoint = endpoint, CalendarId = CalendarId,
            TokenCacheName = Name, Created = existing?.Created ?? now, Modified = now,
        };

        if (ParameterSetName == AccessTokenSet)
        {
            var token = new NetworkCredential("", AccessToken).Password;
            if (string.IsNullOrWhiteSpace(token))
                ThrowTerminatingError(Error(ErrorIds.SignInFailed, ErrorCategory.InvalidArgument, Name, "The access token is empty."));
            record = record with { Auth = AuthKinds.AccessToken };
            if (!ShouldProcess($"Outlook at {endpoint} (connection '{Name}', access token for this session)", "Connect")) return;
            var options = new SideFactory(store, PostDebug, PostWarning).OutlookOptions(record) with { AccessToken = token };
            var (tokenAccount, calendar) = Verify(options);
            SessionTokens.Set(store.Root, Name, token);
            // The account the token is of: a connection's cursors are kept per account (docs/graph-api.md, "Reconnecting").
            Save(store, WithCalendar(record with { Account = tokenAccount }, calendar));
            return;
        }

        var clientId = ClientId ?? existing?.ClientId;
        if (string.IsNullOrEmpty(clientId))
            ThrowTerminatingError(Error(ErrorIds.ClientIdRequired, ErrorCategory.InvalidArgument, Name,
                "Give the application (client) id of your app registration with -ClientId: register an app for personal Microsoft accounts with public client flows on and the redirect URI http://localhost (see Get-Help about_CalSync)."));
        record = record with
        {
            Auth = UseDeviceCode ? AuthKinds.DeviceCode : AuthKinds.Interactive,
            ClientId = clientId,
            Tenant = Authority?.OriginalString ?? existing?.Tenant ?? OutlookConnectionOptions.ConsumersAuthority,
            Account = Account ?? existing?.Account,
            // The key-store opt-in is remembered: reconnecting as an error advises needs no flag it does not name.
            Settings = AllowPlaintextTokenCache || (existing is not null && SideFactory.UsesPlaintext(existing))
                ? new System.Collections.Generic.Dictionary<string, string> { [SettingKeys.KeyStore] = SecretProtection.PlaintextFile.ToString() }
                : new System.Collections.Generic.Dictionary<string, string>(),
        };
        if (!ShouldProcess($"Outlook at {endpoint} (connection '{Name}', app {clientId})", "Sign in and connect")) return;
        var signInOptions = new SideFactory(store, PostDebug, PostWarning).OutlookOptions(record);
        var interactive = IsInteractive();
        var protection = SecretProtection.OsKeyStore;
        var account = Await(async ct =>
        {
            var signIn = await OutlookSignIn.CreateAsync(signInOptions, ct).ConfigureAwait(false);
            protection = signIn.Cache.Protected ? SecretProtection.OsKeyStore : SecretProtection.PlaintextFile;
            var silent = await signIn.TrySilentAsync(ct).ConfigureAwait(false);
            if (silent is not null) { PostVerbose($"Signed in silently from the token cache as {silent.Username}."); return silent; }
            if (!interactive)
                throw new CalSyncException(ErrorIds.SignInRequired,
                    "Outlook sign-in is required, and this PowerShell session is non-interactive (no one can complete a sign-in here). Run Connect-OutlookCalendar in an interactive PowerShell session, then run this command again.");
            return await signIn.SignInInteractiveAsync(UseDeviceCode, prompt =>
            {
                Post(() => WriteInformation(new InformationRecord(prompt.Message, "Connect-OutlookCalendar"), new[] { "PSHOST" }));
                return Task.CompletedTask;
            }, ct).ConfigureAwait(false);
        }, failure: ErrorIds.SignInFailed);
        // The protection the cache really got: -AllowPlaintextTokenCache only allows the fallback; a working key store is still used.
        record = record with
        {
            Account = account!.Username,
            Settings = new System.Collections.Generic.Dictionary<string, string> { [SettingKeys.KeyStore] = protection.ToString() },
        };
        OutlookCalendar? chosen = null;
        if (Calendar is not null)
        {
            var signedIn = signInOptions with { Account = account.Username };
            chosen = Await(async ct =>
            {
                using var side = await OutlookCalendarSide.ConnectAsync(signedIn, ct).ConfigureAwait(false);
                return ChooseCalendar(await side.ListCalendarsAsync(ct).ConfigureAwait(false));
            }, failure: ErrorIds.OutlookConnectFailed);
        }
        Save(store, WithCalendar(record, chosen));
    }

    /// <summary>Reads the account and (with -Calendar) picks the calendar, then reads a day of it: the token works.</summary>
    private (string? Account, OutlookCalendar? Calendar) Verify(OutlookConnectionOptions options) =>
        Await(async ct =>
        {
            using var side = await OutlookCalendarSide.ConnectAsync(options, ct).ConfigureAwait(false);
            var account = await side.GetAccountNameAsync(ct).ConfigureAwait(false);
            var calendar = Calendar is null ? null : ChooseCalendar(await side.ListCalendarsAsync(ct).ConfigureAwait(false));
            using var reader = calendar is null ? null : await OutlookCalendarSide.ConnectAsync(options with { CalendarId = calendar.Id }, ct).ConfigureAwait(false);
            var now = DateTime.UtcNow;
            await (reader ?? side).ReadAsync(new SyncWindow(now.Date, now.Date.AddDays(1)), null, ct).ConfigureAwait(false);
            return (account, calendar);
        }, failure: ErrorIds.OutlookConnectFailed);

    private OutlookCalendar ChooseCalendar(System.Collections.Generic.IReadOnlyList<OutlookCalendar> calendars)
    {
        try { return OutlookCalendar.Choose(calendars, Calendar!); }
        catch (ArgumentException e) { throw new CalSyncException(ErrorIds.OutlookCalendarInvalid, e.Message, e); }
    }

    private static ConnectionRecord WithCalendar(ConnectionRecord record, OutlookCalendar? calendar)
    {
        if (calendar is null) return record;
        var settings = new System.Collections.Generic.Dictionary<string, string>(record.Settings) { [SettingKeys.CalendarName] = calendar.Name };
        return record with { CalendarId = calendar.IsDefault ? null : calendar.Id, Settings = settings };
    }

    private T Await<T>(Func<System.Threading.CancellationToken, Task<T>> work, string failure)
    {
        try { return Await(work); }
        catch (Exception e) when (e is not PipelineStoppedException and not OperationCanceledException)
        {
            var inner = KeyStoreOptIn.Explain(e is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerException! : e, KeyStoreOptIn.OutlookCommand);
            ThrowTerminatingError(Known(inner, Name) ?? Error(failure, ErrorCategory.AuthenticationError, Name, "Connecting to Outlook failed: " + inner.Message, inner));
            throw;
        }
    }

    private T? Guarded<T>(Func<T> read)
    {
        try { return read(); }
        catch (StoreException e) { ThrowTerminatingError(StoreError(e, Name)); throw; }
    }

    private void Save(CalSyncStore store, ConnectionRecord record)
    {
        try { store.Connections.Save(record); }
        catch (StoreException e) { ThrowTerminatingError(StoreError(e, Name)); }
        WriteVerbose($"Saved the Outlook connection '{record.Name}' ({record.Auth}) in {store.Connections.PathOf(record.Name)}.");
        WriteObject(new CalSyncConnection(record));
    }
}
