using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Identity.Client;

namespace CalSync.Outlook.Auth;

/// <summary>What the user is shown for a device-code sign-in.</summary>
public sealed record DeviceCodePrompt(string Message, string UserCode, string VerificationUrl, DateTimeOffset ExpiresOn);

/// <summary>Who is signed in.</summary>
public sealed record OutlookAccount(string Username, string HomeAccountId, DateTimeOffset AccessTokenExpiresOn);

/// <summary>
/// MSAL.NET sign-in for personal Microsoft accounts (public client, the user's own client id):
/// interactive through the system browser (redirect http://localhost), device code (asked for, or when no
/// browser can open), and silent from the persistent token cache. <see cref="GetAccessTokenAsync"/> never
/// prompts: when a sign-in is needed it throws <see cref="SignInRequiredException"/> naming Connect-OutlookCalendar.
/// </summary>
public sealed class OutlookSignIn : IOutlookTokenSource
{
    private readonly OutlookConnectionOptions _options;
    private readonly IPublicClientApplication _app;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private OutlookSignIn(OutlookConnectionOptions options, IPublicClientApplication app, OutlookTokenCache.Binding cache)
    {
        _options = options;
        _app = app;
        Cache = cache;
    }

    /// <summary>Where the token cache lives (and whether it is protected by an OS key store).</summary>
    public OutlookTokenCache.Binding Cache { get; }

    /// <summary>Builds the MSAL application and attaches the persistent token cache.</summary>
    public static async Task<OutlookSignIn> CreateAsync(OutlookConnectionOptions options, CancellationToken cancellationToken = default)
    {
        if (options is null) throw new ArgumentNullException(nameof(options));
        if (string.IsNullOrWhiteSpace(options.ClientId))
            throw new ArgumentException("A client id is required: register an app for personal Microsoft accounts (public client flows on, redirect http://localhost) and pass its Application (client) ID.", nameof(options));
        cancellationToken.ThrowIfCancellationRequested();

        var builder = PublicClientApplicationBuilder.Create(options.ClientId)
            .WithAuthority(options.Authority, validateAuthority: false)
            .WithRedirectUri(options.RedirectUri)
            .WithHttpClientFactory(new MsalHttpClientFactory(options.SignInHttpHandlerFactory ?? options.HttpHandlerFactory))
            .WithClientName("CalSync");
        if (!IsMicrosoftCloud(options.Authority)) builder = builder.WithInstanceDiscovery(false);
        if (options.Log is { } log)
            builder = builder.WithLogging((level, message, containsPii) => { if (!containsPii) log("MSAL " + level + ": " + RedactUrlSecrets(message)); }, LogLevel.Info, enablePiiLogging: false);
        var app = builder.Build();
        var cache = await OutlookTokenCache.AttachAsync(app.UserTokenCache, options).ConfigureAwait(false);
        return new OutlookSignIn(options, app, cache);
    }

    /// <summary>The cached account this connection uses, or null when none is cached.</summary>
    public async Task<IAccount?> FindAccountAsync()
    {
        var accounts = (await _app.GetAccountsAsync().ConfigureAwait(false)).ToList();
        if (!string.IsNullOrEmpty(_options.Account))
            return accounts.FirstOrDefault(a => string.Equals(a.Username, _options.Account, StringComparison.OrdinalIgnoreCase));
        return accounts.Count == 1 ? accounts[0] : null;
    }

    /// <summary>Silent sign-in from the cache (refreshing with the refresh token when the access token expired). Null: an interactive sign-in is needed.</summary>
    public async Task<OutlookAccount?> TrySilentAsync(CancellationToken cancellationToken = default)
    {
        try { return ToAccount(await AcquireSilentAsync(false, cancellationToken).ConfigureAwait(false)); }
        catch (SignInRequiredException) { return null; }
    }

    /// <summary>
    /// Interactive sign-in: the system browser (localhost redirect), or the device-code flow when
    /// <paramref name="useDeviceCode"/> is set or no browser can be opened here.
    /// </summary>
    public async Task<OutlookAccount> SignInInteractiveAsync(bool useDeviceCode, Func<DeviceCodePrompt, Task> showDeviceCode, CancellationToken cancellationToken = default)
    {
        if (showDeviceCode is null) throw new ArgumentNullException(nameof(showDeviceCode));
        if (!useDeviceCode && CalSync.Store.BrowserLauncher.CanOpen())
        {
            try
            {
                var account = await FindAccountAsync().ConfigureAwait(false);
                var request = _app.AcquireTokenInteractive(_options.Scopes).WithUseEmbeddedWebView(false).WithPrompt(Prompt.SelectAccount);
                request = account is not null ? request.WithAccount(account) : string.IsNullOrEmpty(_options.Account) ? request : request.WithLoginHint(_options.Account);
                return ToAccount(await request.ExecuteAsync(cancellationToken).ConfigureAwait(false));
            }
            catch (Exception ex) when (BrowserUnavailable(ex))
            {
                _options.Log?.Invoke("The system browser could not be used (" + ((ex as MsalException)?.ErrorCode ?? ex.GetType().Name) + "); falling back to the device code flow.");
            }
            // The user said no in the browser: falling back to another prompt would ask again, so stop with why.
            catch (MsalServiceException ex) when (ex.ErrorCode == MsalError.AccessDenied)
            {
                throw new SignInDeclinedException("The Outlook sign-in was declined in the browser (" + ex.ErrorCode + ": " + FirstLine(ex.Message)
                    + "). Run Connect-OutlookCalendar again and accept the request to let CalSync use your calendar.", ex);
            }
            catch (MsalClientException ex) when (ex.ErrorCode == MsalError.AuthenticationCanceledError)
            {
                throw new SignInDeclinedException("The Outlook sign-in was declined: it was cancelled in the browser. Run Connect-OutlookCalendar again to sign in.", ex);
            }
        }
        return await SignInWithDeviceCodeAsync(showDeviceCode, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Device-code sign-in: <paramref name="showDeviceCode"/> tells the user where to enter which code.</summary>
    public async Task<OutlookAccount> SignInWithDeviceCodeAsync(Func<DeviceCodePrompt, Task> showDeviceCode, CancellationToken cancellationToken = default)
    {
        var result = await _app.AcquireTokenWithDeviceCode(_options.Scopes,
                dc => showDeviceCode(new DeviceCodePrompt(dc.Message, dc.UserCode, dc.VerificationUrl, dc.ExpiresOn)))
            .ExecuteAsync(cancellationToken).ConfigureAwait(false);
        return ToAccount(result);
    }

    /// <summary>Removes the cached sign-in of this connection's account (or of every account when none is named).</summary>
    public async Task SignOutAsync()
    {
        foreach (var account in await _app.GetAccountsAsync().ConfigureAwait(false))
            if (string.IsNullOrEmpty(_options.Account) || string.Equals(account.Username, _options.Account, StringComparison.OrdinalIgnoreCase))
                await _app.RemoveAsync(account).ConfigureAwait(false);
    }

    public async Task<string> GetAccessTokenAsync(bool forceRefresh, CancellationToken cancellationToken) =>
        (await AcquireSilentAsync(forceRefresh, cancellationToken).ConfigureAwait(false)).AccessToken;

    private async Task<AuthenticationResult> AcquireSilentAsync(bool forceRefresh, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var account = await FindAccountAsync().ConfigureAwait(false);
            if (account is null)
                throw SignInRequiredException.For(_options, _options.Account, "no cached sign-in" + (string.IsNullOrEmpty(_options.Account) ? "" : " for " + _options.Account));
            try
            {
                return await _app.AcquireTokenSilent(_options.Scopes, account).WithForceRefresh(forceRefresh)
                    .ExecuteAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (MsalUiRequiredException ex)
            {
                throw SignInRequiredException.For(_options, account.Username, "the cached sign-in has expired or was revoked: " + ex.ErrorCode, ex);
            }
            catch (MsalServiceException ex) when (ex.ErrorCode == "invalid_grant")
            {
                throw SignInRequiredException.For(_options, account.Username, "the cached sign-in was rejected: " + ex.ErrorCode, ex);
            }
        }
        finally { _gate.Release(); }
    }

    // MSAL logs the authorize URL as non-personal data; its state, PKCE challenge and login hint (an e-mail address) stay out of CalSync's debug stream.
    private static readonly Regex UrlSecrets = new(@"(?<=[?&#](?:state|code_challenge|code|code_verifier|login_hint|client_info|access_token|refresh_token|id_token)=)[^&#\s""']+",
        RegexOptions.Compiled | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    internal static string RedactUrlSecrets(string message) => message.IndexOf('=') < 0 ? message : UrlSecrets.Replace(message, "***");

    private static OutlookAccount ToAccount(AuthenticationResult result) =>
        new(result.Account?.Username ?? "", result.Account?.HomeAccountId?.Identifier ?? "", result.ExpiresOn);

    private static bool IsMicrosoftCloud(string authority) =>
        Uri.TryCreate(authority, UriKind.Absolute, out var uri)
        && (uri.Host.EndsWith("microsoftonline.com", StringComparison.OrdinalIgnoreCase) || uri.Host.EndsWith("microsoftonline.us", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Failures that mean no browser round trip can happen here (no opener program, sudo on Linux, no loopback
    /// listener, unsupported OS): only these fall back to the device code. Anything else (state mismatch, a rejected
    /// code) is a real sign-in failure and is reported.
    /// </summary>
    private static bool BrowserUnavailable(Exception ex) => ex switch
    {
        MsalClientException m => m.ErrorCode is MsalError.LinuxXdgOpen or MsalError.HttpListenerError or MsalError.LoopbackRedirectUri or MsalError.WebviewUnavailable,
        PlatformNotSupportedException or System.ComponentModel.Win32Exception => true,
        _ => false,
    };

    private static string FirstLine(string text)
    {
        var end = text.IndexOfAny(new[] { '\r', '\n' });
        return (end < 0 ? text : text.Substring(0, end)).Trim();
    }

    private sealed class MsalHttpClientFactory : IMsalHttpClientFactory
    {
        private readonly HttpClient _client;

        public MsalHttpClientFactory(Func<HttpMessageHandler>? handlerFactory) =>
            _client = handlerFactory is null ? new HttpClient() : new HttpClient(handlerFactory(), disposeHandler: true);

        public HttpClient GetHttpClient() => _client;
    }
}
