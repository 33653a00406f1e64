using EngineKind = CalSync.Store.ConnectionKind;
using System;
using System.Threading;
using System.Threading.Tasks;
using CalSync.Bitrix24;
using CalSync.Engine.Sides;
using CalSync.Store;
using CalSync.Outlook;
using CalSync.Outlook.Auth;
using CalSync.PowerShell.Infrastructure;

namespace CalSync.PowerShell.Sides;

/// <summary>
/// Composes the engine's calendar sides from saved connections: Outlook from the connection's endpoint, app and
/// sign-in cache (or this session's access token); Bitrix24 from the webhook or OAuth tokens in the secret store.
/// Never prompts: a missing sign-in is a <see cref="SignInRequiredException"/> naming Connect-OutlookCalendar.
/// </summary>
internal sealed class SideFactory
{
    private readonly CalSyncStore _store;
    private readonly Action<string>? _debug;
    private readonly Action<string>? _warn;

    public SideFactory(CalSyncStore store, Action<string>? debug = null, Action<string>? warn = null)
    {
        _store = store;
        _debug = debug;
        _warn = warn;
    }

    public ConnectionRecord Connection(string name, EngineKind kind)
    {
        var record = _store.Connections.Get(name)
            ?? throw new CalSyncException(ErrorIds.ConnectionNotFound,
                $"There is no connection named '{name}'. Create it with {(kind == EngineKind.Outlook ? "Connect-OutlookCalendar" : "Connect-Bitrix24")} -Name '{name}', or list connections with Get-CalSyncConnection.");
        if (record.Kind != kind)
            throw new CalSyncException(ErrorIds.ConnectionKindMismatch, $"The connection '{name}' is {KindName(record.Kind)} connection, not {KindName(kind)} one.");
        return record;
    }

    /// <summary>"an Outlook" or "a Bitrix24", for sentences.</summary>
    public static string KindName(EngineKind kind) => kind == EngineKind.Outlook ? "an Outlook" : "a Bitrix24";

    public static bool UsesPlaintext(ConnectionRecord c) =>
        c.Settings.TryGetValue(SettingKeys.KeyStore, out var v) && v == SecretProtection.PlaintextFile.ToString();

    public OutlookConnectionOptions OutlookOptions(ConnectionRecord c) => new()
    {
        Endpoint = string.IsNullOrEmpty(c.Endpoint) ? OutlookConnectionOptions.DefaultEndpoint : c.Endpoint!,
        ClientId = c.ClientId,
        Authority = string.IsNullOrEmpty(c.Tenant) ? OutlookConnectionOptions.ConsumersAuthority : c.Tenant!,
        CalendarId = c.CalendarId,
        Account = string.IsNullOrEmpty(c.Account) ? null : c.Account,
        // Connect-OutlookCalendar remembers the rest of the connection (app, authority, endpoint, account, key-store opt-in).
        SignInCommand = "Connect-OutlookCalendar -Name " + StoreNameCompleter.Quote(c.Name) + (c.Auth == AuthKinds.DeviceCode ? " -UseDeviceCode" : ""),
        StoreRoot = _store.Root,
        TokenCacheName = c.TokenCacheName ?? c.Name,
        TokenCacheMode = UsesPlaintext(c) ? TokenCacheMode.KeyStoreOrPlaintextFile : TokenCacheMode.KeyStoreOnly,
        AccessToken = c.Auth == AuthKinds.AccessToken ? SessionTokens.Get(_store.Root, c.Name) : null,
        SignInHttpHandlerFactory = LoopbackTrust.For(c.Tenant),
        Log = _debug,
        Warn = _warn,
    };

    public async Task<OutlookCalendarSide> OutlookAsync(ConnectionRecord c, CancellationToken cancellationToken)
    {
        var options = RunOptions(c);
        try { return await OutlookCalendarSide.ConnectAsync(options, cancellationToken).ConfigureAwait(false); }
        catch (StoreException e) { throw KeyStoreOptIn.Explain(e, KeyStoreOptIn.OutlookCommand); }
    }

    /// <summary>The options a run (or the probe) uses: a session-only access token must be there.</summary>
    public OutlookConnectionOptions RunOptions(ConnectionRecord c)
    {
        var options = OutlookOptions(c);
        // The plaintext fallback was warned about (and opted into) at Connect-OutlookCalendar; runs only mention it.
        if (UsesPlaintext(c)) options = options with { Warn = _debug };
        if (c.Auth == AuthKinds.AccessToken && options.AccessToken is null)
            throw new SignInRequiredException(
                $"The Outlook connection '{c.Name}' was made with an access token, which is kept for one PowerShell session only. Run 'Connect-OutlookCalendar -Name {c.Name} -AccessToken ...' (or connect interactively) in this session, then run this command again.",
                "Connect-OutlookCalendar");
        return options;
    }

    /// <summary>The connection's calendar; <paramref name="farReadInterval"/> above zero reads the far range that often only (the resident mode).</summary>
    public Bitrix24CalendarSide Bitrix24(ConnectionRecord c, TimeSpan farReadInterval = default) =>
        new(Bitrix24Options(c) with { FarReadInterval = farReadInterval });

    /// <summary>The connection's options with its secret from the key store.</summary>
    public Bitrix24ConnectionOptions Bitrix24Options(ConnectionRecord c)
    {
        SecretStore secrets;
        try { secrets = SecretStore.Open(_store, UsesPlaintext(c)); }
        catch (StoreException e) { throw KeyStoreOptIn.Explain(e, KeyStoreOptIn.Bitrix24Command); }
        // The plaintext fallback was warned about (and opted into) at Connect-Bitrix24; runs only mention it.
        if (secrets.Warning is { } warning) _debug?.Invoke(warning);
        var text = c.SecretKey is null ? null : secrets.Load(c.SecretKey);
        if (text is null)
            throw new CalSyncException(ErrorIds.ConnectionSecretMissing,
                $"The secret of the Bitrix24 connection '{c.Name}' is missing from the key store. Run Connect-Bitrix24 -Name '{c.Name}' again.");
        var secret = Bitrix24Secret.Parse(text);
        return Bitrix24Options(c, secret, secrets);
    }

    public static Bitrix24ConnectionOptions Bitrix24Options(ConnectionRecord c, Bitrix24Secret secret, ISecretStore? secrets)
    {
        c.Settings.TryGetValue(SettingKeys.CalendarType, out var type);
        var options = new Bitrix24ConnectionOptions
        {
            SectionId = c.CalendarId,
            SectionName = c.Settings.TryGetValue(SettingKeys.CalendarName, out var n) ? n : null,
            CalendarType = string.IsNullOrEmpty(type) ? "user" : type!,
        };
        if (secret.WebhookUrl is not null) return options with { WebhookUrl = secret.WebhookUrl };
        return options with
        {
            OAuth = new Bitrix24OAuthOptions
            {
                PortalUrl = c.Endpoint ?? "",
                ClientId = secret.ClientId ?? c.ClientId ?? "",
                ClientSecret = secret.ClientSecret ?? "",
                AccessToken = secret.AccessToken ?? "",
                RefreshToken = secret.RefreshToken ?? "",
                TokenEndpoint = secret.TokenEndpoint ?? new Bitrix24OAuthOptions().TokenEndpoint,
                ClientEndpoint = secret.ClientEndpoint,
                UserId = secret.UserId,
                TokenStore = secrets is null || c.SecretKey is null ? null : new SecretTokenStore(secrets, c.SecretKey, secret),
            },
        };
    }
}
