using EngineKind = CalSync.Store.ConnectionKind;
using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Security;
using CalSync.Bitrix24;
using CalSync.Bitrix24.Rest;
using CalSync.Engine.Sides;
using CalSync.Store;
using CalSync.PowerShell.Infrastructure;
using CalSync.PowerShell.Sides;

namespace CalSync.PowerShell.Cmdlets;

/// <summary>
/// Connects to a Bitrix24 calendar through an incoming webhook (a secret URL) or an OAuth application (signing in
/// through the system browser, or with given tokens), chooses (or creates) the calendar to sync, and saves the
/// connection; the secret goes to the OS key store.
/// </summary>
[Cmdlet(VerbsCommunications.Connect, "Bitrix24", DefaultParameterSetName = WebhookSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, HelpUri = CalSyncCmdlet.HelpBase + "connect-bitrix24")]
[OutputType(typeof(CalSyncConnection))]
public sealed class ConnectBitrix24Command : CalSyncCmdlet
{
    private const string WebhookSet = "Webhook";
    private const string CredentialSet = "WebhookCredential";
    private const string OAuthSet = "OAuth";
    private const string BrowserSet = "OAuthBrowser";

    /// <summary>The connection's name (default: bitrix24).</summary>
    [Parameter(Position = 0)]
    [ArgumentCompleter(typeof(Bitrix24ConnectionNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "bitrix24";

    /// <summary>The incoming webhook URL, https://&lt;portal&gt;/rest/&lt;user&gt;/&lt;secret&gt;/ (a secret).</summary>
    [Parameter(ParameterSetName = WebhookSet, Mandatory = true)]
    public SecureString? WebhookUrl { get; set; }

    /// <summary>The webhook URL as the password of a credential (e.g. from Get-Secret); the user name is not used.</summary>
    [Parameter(ParameterSetName = CredentialSet, Mandatory = true)]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>OAuth: the portal address, e.g. https://example.bitrix24.com.</summary>
    [Parameter(ParameterSetName = OAuthSet, Mandatory = true)]
    [Parameter(ParameterSetName = BrowserSet, Mandatory = true)]
    public Uri? PortalUrl { get; set; }

    /// <summary>OAuth: the application's client id (user name) and client secret (password).</summary>
    [Parameter(ParameterSetName = OAuthSet, Mandatory = true)]
    [Parameter(ParameterSetName = BrowserSet, Mandatory = true)]
    public PSCredential? ClientCredential { get; set; }

    /// <summary>OAuth: the refresh token from the application's installation.</summary>
    [Parameter(ParameterSetName = OAuthSet, Mandatory = true)]
    public SecureString? RefreshToken { get; set; }

    /// <summary>OAuth: the current access token, if you have it (from the application's installation; without it the first call gets one with the refresh token).</summary>
    [Parameter(ParameterSetName = OAuthSet)]
    public SecureString? AccessToken { get; set; }

    /// <summary>OAuth: the token endpoint (default https://oauth.bitrix.info/oauth/token/).</summary>
    [Parameter(ParameterSetName = OAuthSet)]
    [Parameter(ParameterSetName = BrowserSet)]
    public Uri? TokenEndpoint { get; set; }

    /// <summary>OAuth: the id of the Bitrix24 user whose calendar is synced (the user the tokens belong to).</summary>
    [Parameter(ParameterSetName = OAuthSet)]
    [Parameter(ParameterSetName = BrowserSet)]
    [ValidateRange(1, int.MaxValue)]
    public int? UserId { get; set; }

    /// <summary>Browser sign-in: where Bitrix24 sends the browser back, the application's handler address, e.g. http://localhost:8080/ (default: http://localhost on a free port).</summary>
    [Parameter(ParameterSetName = BrowserSet)]
    [ValidateNotNull]
    public Uri? RedirectUri { get; set; }

    /// <summary>Browser sign-in: how many seconds to wait for the sign-in to finish in the browser (default 300).</summary>
    [Parameter(ParameterSetName = BrowserSet)]
    [ValidateRange(1, 3600)]
    public int TimeoutSec { get; set; } = 300;

    /// <summary>The calendar (section) to sync, by name or id.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Calendar { get; set; }

    /// <summary>Create the calendar named by -Calendar when the user has none of that name.</summary>
    [Parameter]
    public SwitchParameter CreateCalendar { get; set; }

    /// <summary>Where no OS key store works (headless Linux), keep the secret in a file readable only by you, unencrypted (with a warning).</summary>
    [Parameter]
    public SwitchParameter AllowPlaintextSecretStore { get; set; }

    protected override void ProcessRecord()
    {
        var store = Store;
        Bitrix24Secret secret;
        string endpoint;
        var browser = ParameterSetName == BrowserSet;
        if (ParameterSetName is OAuthSet or BrowserSet)
        {
            secret = new Bitrix24Secret
            {
                ClientId = ClientCredential!.UserName.TrimStart('\\'),
                ClientSecret = ClientCredential.GetNetworkCredential().Password,
                RefreshToken = browser ? null : new NetworkCredential("", RefreshToken).Password,
                AccessToken = AccessToken is null ? null : new NetworkCredential("", AccessToken).Password,
                TokenEndpoint = TokenEndpoint?.OriginalString ?? new Bitrix24OAuthOptions().TokenEndpoint,
                UserId = UserId,
            };
            endpoint = PortalUrl!.GetLeftPart(UriPartial.Authority);
            if (browser && RedirectUri is { } redirect && !Bitrix24SignIn.IsLoopbackRedirect(redirect))
                ThrowTerminatingError(Error(ErrorIds.SignInFailed, ErrorCategory.InvalidArgument, RedirectUri,
                    $"-RedirectUri must be an http address on this computer such as http://localhost:8080/ (the application's handler address), not {redirect.GetLeftPart(UriPartial.Path)}."));
        }
        else
        {
            var url = ParameterSetName == CredentialSet ? Credential!.GetNetworkCredential().Password : new NetworkCredential("", WebhookUrl).Password;
            Bitrix24Webhook hook;
            try { hook = Bitrix24Webhook.Parse(url); }
            catch (ArgumentException e)
            {
                ThrowTerminatingError(new ErrorRecord(new CalSyncException(ErrorIds.WebhookUrlInvalid, e.Message, e), ErrorIds.WebhookUrlInvalid, ErrorCategory.InvalidArgument, Name));
                return;
            }
            secret = new Bitrix24Secret { WebhookUrl = url.Trim() };
            endpoint = new Uri(url.Trim()).GetLeftPart(UriPartial.Authority);
            _ = hook;
        }

        ConnectionRecord? existing = null;
        if (!Guard(Name, () => existing = store.Connections.Get(Name), terminating: true)) return;
        if (existing is not null && existing.Kind != EngineKind.Bitrix24)
            ThrowTerminatingError(Error(ErrorIds.ConnectionKindMismatch, ErrorCategory.InvalidArgument, Name,
                $"The connection '{Name}' is {SideFactory.KindName(existing.Kind)} connection. Choose another -Name, or remove it with Disconnect-OutlookCalendar first."));

        var now = DateTimeOffset.UtcNow;
        var record = new ConnectionRecord
        {
            Name = Name, Kind = EngineKind.Bitrix24, Auth = secret.WebhookUrl is null ? AuthKinds.OAuth : AuthKinds.Webhook,
            Endpoint = endpoint, Portal = new Uri(endpoint).Authority, ClientId = secret.ClientId, SecretKey = Name,
            Created = existing?.Created ?? now, Modified = now,
        };
        var options = SideFactory.Bitrix24Options(record, secret, null);
        var rotated = new CapturingTokenStore(secret);
        if (options.OAuth is { } oauth) options = options with { OAuth = oauth with { TokenStore = rotated } };

        using var side = new Bitrix24CalendarSide(options);
        if (browser && !SignIn(side, record)) return;

        // Read the portal's calendars (no change), then decide.
        IReadOnlyList<Bitrix24Section> sections = Array.Empty<Bitrix24Section>();
        try
        {
            var userBefore = side.Client.UserId;
            sections = Await(ct => side.Sections.ListAsync(ct));
            // OAuth without a known user: the first call's token refresh names the user; list that user's calendars.
            if (sections.Count == 0 && userBefore == 0 && side.Client.UserId != 0) sections = Await(ct => side.Sections.ListAsync(ct));
        }
        catch (Exception e) when (Unwrap(e) is SideUnavailableException or Bitrix24ApiException or System.Net.Http.HttpRequestException)
        {
            ThrowTerminatingError(new ErrorRecord(new CalSyncException(ErrorIds.Bitrix24ConnectFailed,
                $"Bitrix24 at {record.Portal} could not be reached with the given {(record.Auth == AuthKinds.Webhook ? "webhook" : "OAuth application")}: {Unwrap(e).Message} Check the URL and that the webhook has the 'calendar' scope.", Unwrap(e)),
                ErrorIds.Bitrix24ConnectFailed, Unwrap(e) is SideUnavailableException { IsAuthentication: true } ? ErrorCategory.AuthenticationError : ErrorCategory.ConnectionError, Name));
        }
        Bitrix24Section? chosen = null;
        var create = false;
        try
        {
            if (sections.Count == 0 && side.Client.UserId == 0)
                throw new Bitrix24SectionException("The Bitrix24 user of these OAuth tokens is not known: give it with -UserId (the id in the user's profile address).");
            if (Calendar is null)
            {
                var local = sections.Where(s => s.IsLocal).ToList();
                chosen = local.Count == 1 ? local[0] : Bitrix24Sections.Choose(sections, null, null);
            }
            else
            {
                var byId = sections.FirstOrDefault(s => s.Id == Calendar.Trim());
                var byName = sections.Where(s => string.Equals(s.Name, Calendar.Trim(), StringComparison.OrdinalIgnoreCase)).ToList();
                if (byId is not null) chosen = Bitrix24Sections.Choose(sections, byId.Id, null);
                else if (byName.Count == 0 && CreateCalendar) create = true;
                else chosen = Bitrix24Sections.Choose(sections, null, Calendar);
            }
        }
        catch (Bitrix24SectionException e)
        {
            ThrowTerminatingError(new ErrorRecord(new CalSyncException(ErrorIds.Bitrix24CalendarInvalid, e.Message, e), ErrorIds.Bitrix24CalendarInvalid, ErrorCategory.InvalidArgument, Calendar ?? Name));
        }

        var what = create ? $"create the calendar '{Calendar}' and connect to it" : $"connect to the calendar '{chosen!.Name}' (id {chosen.Id})";
        if (!ShouldProcess($"Bitrix24 portal {record.Portal} (connection '{Name}')", what)) return;

        Guard(Name, () =>
        {
            if (create)
            {
                chosen = Await(ct => side.Sections.CreateAsync(Calendar!, null, ct));
                WriteVerbose($"Created the Bitrix24 calendar '{chosen.Name}' (id {chosen.Id}).");
            }
            SecretStore secrets;
            // The key-store opt-in is remembered: reconnecting as an error advises needs no flag it does not name.
            try { secrets = SecretStore.Open(store, AllowPlaintextSecretStore || (existing is not null && SideFactory.UsesPlaintext(existing))); }
            catch (StoreException e) { throw KeyStoreOptIn.Explain(e, KeyStoreOptIn.Bitrix24Command); }
            if (secrets.Warning is { } warning) WriteWarning(warning);
            record = record with
            {
                CalendarId = chosen!.Id,
                Account = side.Client.UserId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Settings = new Dictionary<string, string>
                {
                    [SettingKeys.CalendarName] = chosen.Name,
                    [SettingKeys.CalendarType] = options.CalendarType,
                    [SettingKeys.KeyStore] = secrets.Protection.ToString(),
                },
            };
            // A browser sign-in keeps only the refresh token at rest: the next run gets a fresh access token with it.
            if (secret.WebhookUrl is null)
                secret = rotated.Secret with { UserId = side.Client.UserId == 0 ? rotated.Secret.UserId : side.Client.UserId, AccessToken = browser ? null : rotated.Secret.AccessToken };
            secrets.Save(Name, secret.Serialize());
            store.Connections.Save(record);
            WriteVerbose($"Saved the Bitrix24 connection '{Name}' in {store.Connections.PathOf(Name)}; its secret is in the {secrets.Protection} store.");
            WriteObject(new CalSyncConnection(record, chosen.Name));
        }, terminating: true);
    }

    /// <summary>
    /// The browser sign-in (docs/bitrix24-api.md, "OAuth authorization code flow"): the portal's authorize page in the
    /// system browser, its answer on a loopback listener, the code exchanged for the first token pair. False: -WhatIf.
    /// </summary>
    private bool SignIn(Bitrix24CalendarSide side, ConnectionRecord record)
    {
        if (!ShouldProcess($"Bitrix24 portal {record.Portal} (connection '{Name}', app {record.ClientId})", "Sign in and connect")) return false;
        if (!IsInteractive())
            ThrowTerminatingError(Error(ErrorIds.SignInRequired, ErrorCategory.AuthenticationError, Name,
                "Bitrix24 sign-in is required, and this PowerShell session is non-interactive (no one can complete a sign-in here). Run Connect-Bitrix24 in an interactive PowerShell session, or give the application's refresh token with -RefreshToken."));
        if (!BrowserLauncher.CanOpen())
            ThrowTerminatingError(Error(ErrorIds.SignInFailed, ErrorCategory.ResourceUnavailable, Name,
                "No browser can be opened here (no display). Run Connect-Bitrix24 where a browser can open, or give the application's refresh token with -RefreshToken."));
        try
        {
            Await(async ct =>
            {
                using var signIn = Bitrix24SignIn.Start(RedirectUri);
                PostVerbose($"Waiting for the Bitrix24 sign-in on {signIn.RedirectUri.GetLeftPart(UriPartial.Path)} (up to {TimeoutSec} seconds).");
                if (!BrowserLauncher.Open(signIn.AuthorizeUri(record.Endpoint!, record.ClientId!)))
                    throw new Bitrix24SignInException("No program to open a browser was found (xdg-open or similar). Install xdg-utils, or give the application's refresh token with -RefreshToken.");
                Post(() => WriteInformation(new InformationRecord($"Sign in to Bitrix24 ({record.Portal}) in the browser window that opened, and allow the application access.", "Connect-Bitrix24"), new[] { "PSHOST" }));
                var answer = await signIn.WaitAsync(TimeSpan.FromSeconds(TimeoutSec), ct).ConfigureAwait(false);
                PostVerbose($"Bitrix24 {answer.Domain ?? record.Portal} granted the scope '{answer.Scope}'; exchanging the code for tokens.");
                await side.Client.RedeemAuthorizationCodeAsync(answer.Code, ct).ConfigureAwait(false);
                PostVerbose(side.Client.UserId == 0 ? "The Bitrix24 user was not named by the sign-in." : $"Signed in to Bitrix24 as user {side.Client.UserId}.");
                return true;
            });
        }
        catch (Exception e) when (e is not PipelineStoppedException and not OperationCanceledException)
        {
            var inner = Unwrap(e);
            ThrowTerminatingError(Error(ErrorIds.SignInFailed, ErrorCategory.AuthenticationError, Name, "The Bitrix24 sign-in failed: " + inner.Message, inner));
        }
        return true;
    }

    private static Exception Unwrap(Exception e) => e is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerException! : e;
}
