using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace CalSync.Sandbox.Bitrix24;

/// <summary>Who is calling: the webhook or an OAuth token, with its scopes.</summary>
internal sealed record Caller(string Credential, bool IsWebhook, IReadOnlyCollection<string> Scopes, int UserId);

/// <summary>
/// The local app's OAuth server (docs/bitrix24-api.md, "OAuth authorization code flow"): one-hour access tokens, refresh tokens that rotate (the old pair dies on
/// every refresh), 30-second authorization codes.
/// </summary>
internal sealed class OAuthAuthority(Portal portal)
{
    public static readonly TimeSpan AccessLifetime = TimeSpan.FromHours(1);
    private static readonly TimeSpan CodeLifetime = TimeSpan.FromSeconds(30);

    private sealed record Grant(string Access, string Refresh, DateTime ExpiresUtc, IReadOnlyList<string> Scopes);

    private readonly object _gate = new();
    private readonly Dictionary<string, Grant> _byAccess = new();
    private readonly Dictionary<string, Grant> _byRefresh = new();
    private readonly Dictionary<string, (DateTime ExpiresUtc, IReadOnlyList<string> Scopes)> _codes = new();
    private readonly HashSet<string> _expired = new();

    public string ClientId { get; } = $"local.{RandomToken(14)}.{RandomToken(8)}";
    public string ClientSecret { get; } = RandomToken(50);
    public string MemberId { get; } = RandomToken(32);

    public (string AccessToken, string RefreshToken) Issue(IReadOnlyList<string> scopes)
    {
        lock (_gate)
        {
            var grant = NewGrant(scopes);
            return (grant.Access, grant.Refresh);
        }
    }

    public string IssueCode(IReadOnlyList<string> scopes)
    {
        lock (_gate)
        {
            var code = RandomToken(32);
            _codes[code] = (portal.UtcNow + CodeLifetime, scopes);
            return code;
        }
    }

    /// <summary>Checks an access token; throws the REST auth error when it is unusable.</summary>
    public Caller Authenticate(string token)
    {
        lock (_gate)
        {
            if (!_byAccess.TryGetValue(token, out var grant))
                throw new Bitrix24RestException("invalid_token", "The access token provided is invalid", 401);
            if (_expired.Contains(token) || portal.UtcNow >= grant.ExpiresUtc)
                throw new Bitrix24RestException("expired_token", "The access token provided has expired", 401);
            return new Caller("oauth:" + ClientId, false, grant.Scopes, portal.UserId);
        }
    }

    public void ExpireAccessTokens() { lock (_gate) _expired.UnionWith(_byAccess.Keys); }

    public void RevokeRefreshTokens() { lock (_gate) _byRefresh.Clear(); }

    /// <summary><c>/oauth/token/</c> with <c>grant_type=refresh_token</c> or <c>authorization_code</c>.</summary>
    public (int Status, JsonObject Body) Token(RestParams p, string restEndpoint, string domain)
    {
        lock (_gate)
        {
            var grantType = p.String("grant_type");
            if (grantType is not ("refresh_token" or "authorization_code"))
                return Error(400, "invalid_request", "Invalid grant type");
            if (p.String("client_id") != ClientId || p.String("client_secret") != ClientSecret)
                return Error(401, "invalid_client", "Invalid client");

            Grant grant;
            if (grantType == "refresh_token")
            {
                var refresh = p.String("refresh_token") ?? "";
                if (!_byRefresh.Remove(refresh, out var old)) return Error(400, "invalid_grant", "Invalid grant");
                // Rotation: the old refresh token and its access token stop working.
                _byAccess.Remove(old.Access);
                grant = NewGrant(old.Scopes);
            }
            else
            {
                var code = p.String("code") ?? "";
                if (!_codes.Remove(code, out var issued) || portal.UtcNow >= issued.ExpiresUtc)
                    return Error(400, "invalid_grant", "Invalid grant");
                grant = NewGrant(issued.Scopes);
            }

            var answer = new JsonObject
            {
                ["access_token"] = grant.Access,
                ["client_endpoint"] = restEndpoint,
                ["domain"] = domain,
                ["expires"] = new DateTimeOffset(grant.ExpiresUtc, TimeSpan.Zero).ToUnixTimeSeconds(),
                ["expires_in"] = (int)AccessLifetime.TotalSeconds,
                ["member_id"] = MemberId,
                ["refresh_token"] = grant.Refresh,
                ["scope"] = string.Join(',', grant.Scopes),
                ["server_endpoint"] = restEndpoint,
                ["status"] = "L",
            };
            // The documented code answer names no user; the refresh answer does (docs/bitrix24-api.md, "OAuth authorization code flow").
            if (grantType == "refresh_token") answer["user_id"] = portal.UserId;
            return (200, answer);
        }
    }

    private Grant NewGrant(IReadOnlyList<string> scopes)
    {
        var grant = new Grant(RandomToken(32), RandomToken(32), portal.UtcNow + AccessLifetime, scopes);
        _byAccess[grant.Access] = grant;
        _byRefresh[grant.Refresh] = grant;
        return grant;
    }

    private static (int, JsonObject) Error(int status, string code, string description) =>
        (status, new JsonObject { ["error"] = code, ["error_description"] = description });

    private static string RandomToken(int length) =>
        RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", length);
}
