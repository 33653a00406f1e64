using System;
using System.Net.Http;

namespace CalSync.Outlook;

/// <summary>How the token cache is kept between runs.</summary>
public enum TokenCacheMode
{
    /// <summary>The OS key store only (DPAPI, Keychain, libsecret), verified; without one, sign-in fails with a message saying how to opt in to the file.</summary>
    KeyStoreOnly,
    /// <summary>The OS key store; where none works (headless Linux, cron), explicitly allowed: a 0600 file, with a warning.</summary>
    KeyStoreOrPlaintextFile,
    /// <summary>Nothing is kept (tests, one-shot automation).</summary>
    InMemory,
}

/// <summary>
/// Everything needed to reach one Outlook.com calendar. The cmdlet layer fills it from a stored connection
/// and the command line; nothing in here is a secret except <see cref="AccessToken"/>.
/// </summary>
public sealed record OutlookConnectionOptions
{
    public const string DefaultEndpoint = "https://graph.microsoft.com/v1.0";
    public const string ConsumersAuthority = "https://login.microsoftonline.com/consumers/";

    /// <summary>Graph base URL; must end in the 5-character version segment (<c>/v1.0</c>) because the SDK's $batch serializer strips it.</summary>
    public string Endpoint { get; init; } = DefaultEndpoint;

    /// <summary>The user's own app registration (personal accounts, public client flows on, redirect http://localhost).</summary>
    public string? ClientId { get; init; }

    /// <summary>Sign-in authority (personal Microsoft accounts by default; the sandbox gives its own).</summary>
    public string Authority { get; init; } = ConsumersAuthority;

    /// <summary>Redirect URI for the system-browser sign-in.</summary>
    public string RedirectUri { get; init; } = "http://localhost";

    /// <summary>Delegated scopes.</summary>
    public string[] Scopes { get; init; } = { "Calendars.ReadWrite" };

    /// <summary>The calendar to sync; null is the account's default calendar.</summary>
    public string? CalendarId { get; init; }

    /// <summary>The account (user name, e.g. someone@outlook.com) whose cached sign-in to use; null picks the only cached account.</summary>
    public string? Account { get; init; }
    /// <summary>The command that signs this connection in again, as the caller names it (a sign-in error gives it as advice).</summary>
    public string? SignInCommand { get; init; }

    /// <summary>Root of the per-user CalSync store that holds the token cache (null: $CALSYNC_HOME or the platform default).</summary>
    public string? StoreRoot { get; init; }

    /// <summary>Name of this connection's token cache in the store (one per connection when several accounts are used).</summary>
    public string TokenCacheName { get; init; } = "outlook";

    public TokenCacheMode TokenCacheMode { get; init; } = TokenCacheMode.KeyStoreOnly;

    /// <summary>Automation: a bearer token to use as is (no MSAL, no refresh).</summary>
    public string? AccessToken { get; init; }

    /// <summary>How long one HTTP attempt may take before it counts as lost and is retried (writes are safe to retry: creates carry a transactionId).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>Retries of a request whose answer never came (timeout, dropped connection).</summary>
    public int TransportRetries { get; init; } = 3;

    /// <summary>Retries of a throttled (429) or unavailable (503/504) request, each after the server's Retry-After.</summary>
    public int ThrottleRetries { get; init; } = 6;

    /// <summary>Concurrent requests per mailbox (Outlook's limit is 4).</summary>
    public int MaxConcurrentRequests { get; init; } = 4;

    /// <summary>Requests per $batch (Graph's limit is 20).</summary>
    public int BatchSize { get; init; } = 20;

    /// <summary>Delta page size (Prefer: odata.maxpagesize).</summary>
    public int PageSize { get; init; } = 100;

    /// <summary>A full calendarView pass at least this often, because delta misses some deletions on consumer accounts.</summary>
    public TimeSpan FullReconciliationInterval { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Advanced: the innermost HTTP handler for Graph and sign-in traffic (proxies, tests). Null: the platform default.</summary>
    public Func<HttpMessageHandler>? HttpHandlerFactory { get; init; }

    /// <summary>Advanced: the innermost HTTP handler for sign-in traffic (MSAL); null uses <see cref="HttpHandlerFactory"/>.</summary>
    public Func<HttpMessageHandler>? SignInHttpHandlerFactory { get; init; }

    /// <summary>Where messages for the debug stream go (MSAL logs, retries). Never receives tokens.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Where warnings go (e.g. the plaintext token-cache fallback).</summary>
    public Action<string>? Warn { get; init; }

    /// <summary>The key for the per-mailbox request limit: the endpoint plus the account (or the token's owner when unknown).</summary>
    internal string MailboxKey => Endpoint.TrimEnd('/').ToLowerInvariant() + "|" + (Account ?? "").ToLowerInvariant();
}
