using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using CalSync.Bitrix24;
using CalSync.Store;

namespace CalSync.PowerShell.Sides;

/// <summary>
/// What a Bitrix24 connection keeps in the secret store: the webhook URL, or the OAuth application and its token pair
/// (one entry, key=value lines, values URI-escaped). Never written anywhere else.
/// </summary>
internal sealed record Bitrix24Secret
{
    public string? WebhookUrl { get; init; }
    public string? ClientId { get; init; }
    public string? ClientSecret { get; init; }
    public string? AccessToken { get; init; }
    public string? RefreshToken { get; init; }
    public string? TokenEndpoint { get; init; }
    public string? ClientEndpoint { get; init; }
    public int? UserId { get; init; }

    public string Serialize()
    {
        var text = new StringBuilder("calsync-bitrix24-secret=1\n");
        void Add(string key, string? value) { if (value is not null) text.Append(key).Append('=').Append(Uri.EscapeDataString(value)).Append('\n'); }
        Add("webhook", WebhookUrl); Add("clientId", ClientId); Add("clientSecret", ClientSecret); Add("accessToken", AccessToken);
        Add("refreshToken", RefreshToken); Add("tokenEndpoint", TokenEndpoint); Add("clientEndpoint", ClientEndpoint);
        Add("userId", UserId?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return text.ToString();
    }

    public static Bitrix24Secret Parse(string text)
    {
        var values = text.Split('\n').Select(l => l.Split(new[] { '=' }, 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]), StringComparer.Ordinal);
        string? V(string k) => values.TryGetValue(k, out var v) ? v : null;
        return new Bitrix24Secret
        {
            WebhookUrl = V("webhook"), ClientId = V("clientId"), ClientSecret = V("clientSecret"), AccessToken = V("accessToken"),
            RefreshToken = V("refreshToken"), TokenEndpoint = V("tokenEndpoint"), ClientEndpoint = V("clientEndpoint"),
            UserId = int.TryParse(V("userId"), out var u) ? u : null,
        };
    }
}

/// <summary>Saves Bitrix24's rotated OAuth token pair back into the secret store (atomically) before the connector goes on.</summary>
internal sealed class SecretTokenStore : IBitrix24TokenStore
{
    private readonly ISecretStore _secrets;
    private readonly string _key;
    private Bitrix24Secret _current;

    public SecretTokenStore(ISecretStore secrets, string key, Bitrix24Secret current)
    {
        _secrets = secrets;
        _key = key;
        _current = current;
    }

    public Task SaveAsync(Bitrix24Tokens tokens, CancellationToken cancellationToken)
    {
        _current = _current with
        {
            AccessToken = tokens.AccessToken, RefreshToken = tokens.RefreshToken,
            ClientEndpoint = tokens.ClientEndpoint ?? _current.ClientEndpoint, UserId = tokens.UserId ?? _current.UserId,
        };
        _secrets.Save(_key, _current.Serialize());
        return Task.CompletedTask;
    }
}

/// <summary>Connect-Bitrix24: keeps the token pair rotated while connecting, to be saved with the connection.</summary>
internal sealed class CapturingTokenStore : IBitrix24TokenStore
{
    public CapturingTokenStore(Bitrix24Secret secret) => Secret = secret;

    public Bitrix24Secret Secret { get; private set; }

    public Task SaveAsync(Bitrix24Tokens tokens, CancellationToken cancellationToken)
    {
        Secret = Secret with
        {
            AccessToken = tokens.AccessToken, RefreshToken = tokens.RefreshToken,
            ClientEndpoint = tokens.ClientEndpoint ?? Secret.ClientEndpoint, UserId = tokens.UserId ?? Secret.UserId,
        };
        return Task.CompletedTask;
    }
}
