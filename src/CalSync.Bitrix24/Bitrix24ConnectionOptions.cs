using System;

namespace CalSync.Bitrix24;

/// <summary>Which request-rate limits the portal's plan has (Bitrix24 counts per portal and source IP).</summary>
public enum Bitrix24RateTier
{
    /// <summary>2 requests a second, burst 50 (every plan except Enterprise).</summary>
    Standard,
    /// <summary>5 requests a second, burst 250.</summary>
    Enterprise,
}

/// <summary>
/// How to reach one Bitrix24 calendar: either an incoming webhook URL or an OAuth application, the
/// section (calendar) to sync and the plan's rate tier. A cmdlet layer fills it; secrets never show in <see cref="ToString"/>.
/// </summary>
public sealed record Bitrix24ConnectionOptions
{
    /// <summary>Incoming webhook, <c>https://&lt;portal&gt;/rest/&lt;user&gt;/&lt;secret&gt;/</c>. A secret.</summary>
    public string? WebhookUrl { get; init; }

    /// <summary>OAuth 2.0 application instead of a webhook.</summary>
    public Bitrix24OAuthOptions? OAuth { get; init; }

    /// <summary>Name of the calendar (section) to sync; used when <see cref="SectionId"/> is not set.</summary>
    public string? SectionName { get; init; }

    /// <summary>Id of the calendar (section) to sync.</summary>
    public string? SectionId { get; init; }

    /// <summary>Calendar owner type: "user" (default) or "group".</summary>
    public string CalendarType { get; init; } = "user";

    /// <summary>Owner id (user or group); default: the webhook's or token's user.</summary>
    public int? OwnerId { get; init; }

    public Bitrix24RateTier RateTier { get; init; } = Bitrix24RateTier.Standard;

    /// <summary>Overrides the tier's sustained rate (requests a second).</summary>
    public double? RequestsPerSecond { get; init; }

    /// <summary>Overrides the tier's burst.</summary>
    public int? Burst { get; init; }

    /// <summary>First backoff after a 503 QUERY_LIMIT_EXCEEDED (doubles each try, with jitter).</summary>
    public TimeSpan QueryLimitBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Retries of one request after rate-limit or transient failures before the side is given up.</summary>
    public int MaxRetries { get; init; } = 6;

    /// <summary>Shortest wait after a 429 OPERATION_TIME_LIMIT when no reset time is known.</summary>
    public TimeSpan OperatingLimitMinimumWait { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Timeout of one HTTP request (Bitrix24 cuts requests off at 60 s).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>Days per <c>calendar.event.get</c> chunk when reading the window.</summary>
    public int ReadChunkDays { get; init; } = 31;

    /// <summary>
    /// How often the far part of the window (beyond <see cref="HotDays"/>) is read; between far reads a run reads the
    /// hot range only and keeps the far range as last read (docs/architecture.md, "Bitrix24 reads: hot and far").
    /// Zero (the default, a scheduled run) reads the whole window every run; the resident mode sets it.
    /// </summary>
    public TimeSpan FarReadInterval { get; init; } = TimeSpan.Zero;

    /// <summary>Days ahead of today (from yesterday) read on every run when <see cref="FarReadInterval"/> is set.</summary>
    public int HotDays { get; init; } = 14;

    /// <summary>User-Agent sent with every request.</summary>
    public string UserAgent { get; init; } = "CalSync/1.0";

    internal (double rate, int burst) Limits => RateTier == Bitrix24RateTier.Enterprise
        ? (RequestsPerSecond ?? 5, Burst ?? 250)
        : (RequestsPerSecond ?? 2, Burst ?? 50);

    public override string ToString() =>
        $"Bitrix24ConnectionOptions {{ Auth = {(OAuth is not null ? "OAuth " + OAuth.PortalHostForDisplay : WebhookUrl is null ? "none" : "Webhook " + Bitrix24Webhook.HostForDisplay(WebhookUrl))}, " +
        $"Section = {SectionId ?? SectionName ?? "(default)"}, Tier = {RateTier} }}";
}

/// <summary>An OAuth 2.0 Bitrix24 application and the tokens it holds. Secrets never show in <see cref="ToString"/>.</summary>
public sealed record Bitrix24OAuthOptions
{
    /// <summary>The portal, e.g. <c>https://example.bitrix24.com</c> (the REST base is &lt;portal&gt;/rest/ unless the token gives client_endpoint).</summary>
    public string PortalUrl { get; init; } = "";
    public string ClientId { get; init; } = "";
    public string ClientSecret { get; init; } = "";
    public string AccessToken { get; init; } = "";
    public string RefreshToken { get; init; } = "";
    /// <summary>The token endpoint (default <c>https://oauth.bitrix.info/oauth/token/</c>).</summary>
    public string TokenEndpoint { get; init; } = "https://oauth.bitrix.info/oauth/token/";
    /// <summary>The REST base the last token response named (client_endpoint), if any.</summary>
    public string? ClientEndpoint { get; init; }
    /// <summary>The token's user (the calendar owner by default).</summary>
    public int? UserId { get; init; }
    /// <summary>Saves a rotated token pair; it must be durable (atomic write) before it returns.</summary>
    public IBitrix24TokenStore? TokenStore { get; init; }

    internal string PortalHostForDisplay => Uri.TryCreate(PortalUrl, UriKind.Absolute, out var u) ? u.Host : "(invalid portal URL)";

    public override string ToString() => $"Bitrix24OAuthOptions {{ Portal = {PortalHostForDisplay}, ClientId = {ClientId} }}";
}
