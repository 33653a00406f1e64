using System;
using System.Collections.Generic;

namespace CalSync.Store;

public enum ConnectionKind { Outlook, Bitrix24 }

/// <summary>
/// A saved connection (<c>connections/&lt;name&gt;.json</c>): how to reach one calendar, with non-secret settings
/// only. The secret (a Bitrix24 webhook URL or OAuth refresh token, a client secret) lives in the
/// <see cref="ISecretStore"/> under <see cref="SecretKey"/>; Outlook's MSAL token cache lives in the OS key store
/// through <see cref="TokenCacheStorage"/> under <see cref="TokenCacheName"/>.
/// </summary>
public sealed record ConnectionRecord
{
    public const int CurrentSchema = 1;

    public int Schema { get; set; } = CurrentSchema;
    public string Name { get; set; } = "";
    public ConnectionKind Kind { get; set; }
    /// <summary>How it authenticates, e.g. "DeviceCode", "Interactive", "Webhook", "OAuth".</summary>
    public string? Auth { get; set; }
    /// <summary>Service base address: Graph's (for tests, the sandbox's) or the Bitrix24 REST base without any webhook key.</summary>
    public string? Endpoint { get; set; }
    /// <summary>Bitrix24 portal host, e.g. "example.bitrix24.com".</summary>
    public string? Portal { get; set; }
    /// <summary>OAuth / Entra application (client) id.</summary>
    public string? ClientId { get; set; }
    /// <summary>Authority or tenant ("consumers" for personal Microsoft accounts).</summary>
    public string? Tenant { get; set; }
    /// <summary>The signed-in account (Outlook user name, Bitrix24 user id).</summary>
    public string? Account { get; set; }
    /// <summary>Outlook calendar id, or Bitrix24 section id.</summary>
    public string? CalendarId { get; set; }
    /// <summary>Key of this connection's secret in the <see cref="ISecretStore"/> (never the secret itself).</summary>
    public string? SecretKey { get; set; }
    /// <summary>File name of the MSAL token cache (<see cref="TokenCacheStorage"/>).</summary>
    public string? TokenCacheName { get; set; }
    /// <summary>Other non-secret, connector-specific settings (e.g. Bitrix24 calendar type and owner id).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; set; } = new Dictionary<string, string>();
    public DateTimeOffset Created { get; set; }
    public DateTimeOffset Modified { get; set; }
}
