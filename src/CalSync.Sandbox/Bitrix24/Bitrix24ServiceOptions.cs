namespace CalSync.Sandbox.Bitrix24;

/// <summary>How to start the Bitrix24 stand-in. Everything but <see cref="Port"/> can also be changed at run time.</summary>
public sealed class Bitrix24ServiceOptions
{
    /// <summary>0 picks a free port.</summary>
    public int Port { get; init; }
    /// <summary>Portal culture: "en" (MM/DD/YYYY, 12 h) or "de" (DD.MM.YYYY, 24 h). Also selects the error language.</summary>
    public string Culture { get; init; } = "en";
    /// <summary>The webhook owner: the user whose calendar is synced.</summary>
    public int UserId { get; init; } = 1;
    public string UserName { get; init; } = "Sandbox User";
    /// <summary>Whether the user is a portal administrator (on a small portal the one who makes the webhook usually is).</summary>
    public bool UserIsAdmin { get; init; } = true;
    /// <summary>A second user with a webhook of their own, who invites the user to meetings; not an administrator.</summary>
    public int ColleagueId { get; init; } = 2;
    public string ColleagueName { get; init; } = "Colleague User";
    /// <summary>The user's zone: used for naive datetimes without <c>timezone_from</c> (docs/bitrix24-api.md, "Input dates and zones").</summary>
    public string UserTimeZone { get; init; } = "UTC";
    /// <summary>The server's zone: TIMESTAMP_X, <c>time.date_start</c> and the DATE_FROM_TS_UTC skew (docs/bitrix24-api.md, "Portal culture and dates").</summary>
    public string ServerTimeZone { get; init; } = "UTC";
    /// <summary>Webhook secret; null generates one.</summary>
    public string? WebhookSecret { get; init; }
    /// <summary>Scopes granted to the webhook.</summary>
    public IReadOnlyList<string> WebhookScopes { get; init; } = ["calendar"];
    /// <summary>Leaky bucket: burst X and drain Y per second (docs/bitrix24-api.md, "Limits"). Enterprise plan: 250 / 5.</summary>
    public bool RateLimitEnabled { get; init; } = true;
    public int BurstLimit { get; init; } = 50;
    public double DrainPerSecond { get; init; } = 2;
    /// <summary>Clock for the bucket, token expiry, timestamps and window defaults (tests inject a manual one).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}
