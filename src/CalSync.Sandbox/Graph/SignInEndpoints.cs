using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace CalSync.Sandbox.Graph;

/// <summary>
/// The Microsoft identity platform endpoints MSAL.NET calls for a personal account (the /consumers tenant):
/// instance discovery, OpenID configuration, device code, the browser's authorization-code flow
/// (<see cref="AuthorizationCodeFlow"/>) and token (device_code, authorization_code and refresh_token grants).
/// Served over HTTPS because MSAL refuses http authorities; the self-signed certificate is made at start.
/// Id tokens are unsigned JWTs (MSAL reads their claims without checking a signature).
/// </summary>
internal sealed class SignInEndpoints
{
    /// <summary>The tenant id every personal Microsoft account belongs to.</summary>
    public const string ConsumersTenantId = "9188040d-6c67-4c5b-b112-36a304b66dad";

    private readonly AccessTokens _tokens;
    private readonly Mailbox _mailbox;
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly ConcurrentDictionary<string, int> _pendingPolls = new();
    private readonly ConcurrentDictionary<string, string> _refreshTokens = new();
    private readonly AuthorizationCodeFlow _browser = new();

    public SignInEndpoints(AccessTokens tokens, Mailbox mailbox)
    {
        _tokens = tokens;
        _mailbox = mailbox;
        Certificate = CreateCertificate();
    }

    public X509Certificate2 Certificate { get; }
    public string Origin { get; set; } = "";
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);
    /// <summary>How many device-code polls answer authorization_pending before the (simulated) user has signed in.</summary>
    public int DeviceCodePendingPolls { get; set; } = 1;
    /// <summary>The polling interval the device code response asks for (the real service says 5).</summary>
    public int DeviceCodeIntervalSeconds { get; set; } = 5;
    /// <summary>The browser flow's simulated user and code lifetime.</summary>
    public AuthorizationCodeFlow Browser => _browser;
    public IReadOnlyList<string> Requests => _requests.ToArray();

    public void ClearLog() => _requests.Clear();

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "";
        var form = request.HasFormContentType ? await request.ReadFormAsync(context.RequestAborted) : null;
        var grant = form?["grant_type"].ToString();
        var authorize = path.EndsWith("/oauth2/v2.0/authorize", StringComparison.OrdinalIgnoreCase);
        // The authorize query carries state and the PKCE challenge, its form the flow id: log names, not those values.
        var logged = !authorize ? request.QueryString.Value
            : request.Query.Count > 0 ? "?" + AuthorizationCodeFlow.Describe(request.Query)
            : form is null ? "" : " decision=" + form["decision"];
        // A code redemption is logged with the names of its parameters (code, code_verifier, …), never their values.
        var names = grant == "authorization_code" ? " (" + string.Join(", ", form!.Keys.Where(k => k != "grant_type").Order(StringComparer.Ordinal)) + ")" : "";
        _requests.Enqueue($"{request.Method} {path}{logged}" + (string.IsNullOrEmpty(grant) ? "" : $" grant_type={grant}{names}"));
        if (authorize)
        {
            await (form is null ? _browser.AuthorizeAsync(context, _mailbox.Email, _mailbox.DisplayName) : _browser.DecideAsync(context, form));
            return;
        }

        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var tenant = segments.FirstOrDefault() ?? "common";
        JsonObject body;
        var status = 200;
        if (path.EndsWith("/discovery/instance", StringComparison.OrdinalIgnoreCase)) body = InstanceDiscovery(request.Query["authorization_endpoint"].ToString());
        else if (path.EndsWith("/v2.0/.well-known/openid-configuration", StringComparison.OrdinalIgnoreCase)) body = OpenIdConfiguration(tenant);
        else if (path.EndsWith("/oauth2/v2.0/devicecode", StringComparison.OrdinalIgnoreCase) && form is not null) body = DeviceCode(form);
        else if (path.EndsWith("/oauth2/v2.0/token", StringComparison.OrdinalIgnoreCase) && form is not null) (status, body) = Token(form, tenant);
        else if (path.Equals("/devicelogin", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync("CalSync sandbox: device codes are approved automatically.", context.RequestAborted);
            return;
        }
        else (status, body) = (404, OAuthError("invalid_request", "AADSTS90002: unknown endpoint."));

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store, no-cache";
        await context.Response.WriteAsync(GraphJson.Serialize(body), context.RequestAborted);
    }

    private JsonObject InstanceDiscovery(string authorizationEndpoint)
    {
        var host = new Uri(Origin).Authority;
        var tenant = Uri.TryCreate(authorizationEndpoint, UriKind.Absolute, out var uri) ? uri.Segments.ElementAtOrDefault(1)?.Trim('/') ?? "common" : "common";
        return new JsonObject
        {
            ["tenant_discovery_endpoint"] = $"{Origin}/{tenant}/v2.0/.well-known/openid-configuration",
            ["api-version"] = "1.1",
            ["metadata"] = new JsonArray(new JsonObject
            {
                ["preferred_network"] = host,
                ["preferred_cache"] = host,
                ["aliases"] = new JsonArray(host),
            }),
        };
    }

    private JsonObject OpenIdConfiguration(string tenant) => new()
    {
        ["token_endpoint"] = $"{Origin}/{tenant}/oauth2/v2.0/token",
        ["token_endpoint_auth_methods_supported"] = new JsonArray("client_secret_post", "private_key_jwt", "client_secret_basic"),
        ["jwks_uri"] = $"{Origin}/{tenant}/discovery/v2.0/keys",
        ["response_modes_supported"] = new JsonArray("query", "fragment", "form_post"),
        ["subject_types_supported"] = new JsonArray("pairwise"),
        ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
        ["response_types_supported"] = new JsonArray("code", "id_token", "code id_token", "id_token token"),
        ["scopes_supported"] = new JsonArray("openid", "profile", "email", "offline_access"),
        ["issuer"] = $"{Origin}/{ConsumersTenantId}/v2.0",
        ["request_uri_parameter_supported"] = false,
        ["userinfo_endpoint"] = $"{Origin}/oidc/userinfo",
        ["authorization_endpoint"] = $"{Origin}/{tenant}/oauth2/v2.0/authorize",
        ["device_authorization_endpoint"] = $"{Origin}/{tenant}/oauth2/v2.0/devicecode",
        ["http_logout_supported"] = true,
        ["frontchannel_logout_supported"] = true,
        ["end_session_endpoint"] = $"{Origin}/{tenant}/oauth2/v2.0/logout",
        ["claims_supported"] = new JsonArray("sub", "iss", "aud", "exp", "iat", "nonce", "preferred_username", "name", "tid", "ver", "email"),
        ["tenant_region_scope"] = null,
        ["cloud_instance_name"] = "microsoftonline.com",
    };

    private JsonObject DeviceCode(IFormCollection form)
    {
        var deviceCode = "DAQABAAEAAAD" + Base64Url(RandomNumberGenerator.GetBytes(48));
        var userCode = Convert.ToHexString(RandomNumberGenerator.GetBytes(4));
        _pendingPolls[deviceCode] = DeviceCodePendingPolls;
        var verification = $"{Origin}/devicelogin";
        return new JsonObject
        {
            ["user_code"] = userCode,
            ["device_code"] = deviceCode,
            ["verification_uri"] = verification,
            ["expires_in"] = 900,
            ["interval"] = DeviceCodeIntervalSeconds,
            ["message"] = $"To sign in, use a web browser to open the page {verification} and enter the code {userCode} to authenticate.",
        };
    }

    private (int, JsonObject) Token(IFormCollection form, string tenant)
    {
        var clientId = form["client_id"].ToString();
        var scope = form["scope"].ToString();
        switch (form["grant_type"].ToString())
        {
            case "urn:ietf:params:oauth:grant-type:device_code" or "device_code":
                var deviceCode = form["device_code"].ToString();
                if (!_pendingPolls.TryGetValue(deviceCode, out var pending))
                    return (400, OAuthError("expired_token", "AADSTS70019: Verification code expired."));
                if (pending > 0)
                {
                    _pendingPolls[deviceCode] = pending - 1;
                    return (400, OAuthError("authorization_pending", "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling."));
                }
                _pendingPolls.TryRemove(deviceCode, out _);
                return (200, Issue(clientId, scope));
            case "refresh_token":
                var refresh = form["refresh_token"].ToString();
                if (!_refreshTokens.TryGetValue(refresh, out var owner) || owner != clientId)
                    return (400, OAuthError("invalid_grant", "AADSTS70000: The provided value for the 'refresh_token' is not valid."));
                return (200, Issue(clientId, scope));
            case "authorization_code":
                return _browser.Redeem(form, out var granted) is { } rejected
                    ? (400, OAuthError("invalid_grant", rejected))
                    : (200, Issue(clientId, granted));
            default:
                return (400, OAuthError("unsupported_grant_type", "AADSTS70003: The app requested an unsupported grant type."));
        }
    }

    /// <summary>A token response; refresh tokens stay valid after use (MSA refresh tokens slide).</summary>
    private JsonObject Issue(string clientId, string scope)
    {
        var refresh = "M.C" + Base64Url(RandomNumberGenerator.GetBytes(64));
        _refreshTokens[refresh] = clientId;
        var uid = "00000000-0000-0000-" + _mailbox.UserId[..4] + "-" + _mailbox.UserId[4..];
        var lifetime = (int)AccessTokenLifetime.TotalSeconds;
        var scopes = scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(s => s is not ("openid" or "profile" or "offline_access"));
        return new JsonObject
        {
            ["token_type"] = "Bearer",
            ["scope"] = string.Join(' ', scopes.Append("openid").Append("profile").Append("offline_access")),
            ["expires_in"] = lifetime,
            ["ext_expires_in"] = lifetime,
            ["access_token"] = _tokens.Issue(AccessTokenLifetime),
            ["refresh_token"] = refresh,
            ["id_token"] = IdToken(clientId, uid),
            ["client_info"] = Base64Url(Encoding.UTF8.GetBytes($"{{\"uid\":\"{uid}\",\"utid\":\"{ConsumersTenantId}\"}}")),
        };
    }

    private string IdToken(string clientId, string oid)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = new JsonObject { ["typ"] = "JWT", ["alg"] = "none" };
        var claims = new JsonObject
        {
            ["ver"] = "2.0",
            ["iss"] = $"https://login.microsoftonline.com/{ConsumersTenantId}/v2.0",
            ["sub"] = "AAAAAAAAAAAAAAAAAAAAAN" + _mailbox.UserId,
            ["aud"] = clientId,
            ["exp"] = now + 3600,
            ["iat"] = now,
            ["nbf"] = now,
            ["name"] = _mailbox.DisplayName,
            ["preferred_username"] = _mailbox.Email,
            ["oid"] = oid,
            ["tid"] = ConsumersTenantId,
            ["aio"] = "sandbox",
        };
        return Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString())) + ".";
    }

    private static JsonObject OAuthError(string error, string description) => new()
    {
        ["error"] = error,
        ["error_description"] = description + $"\r\nTrace ID: {Guid.NewGuid()}\r\nCorrelation ID: {Guid.NewGuid()}\r\nTimestamp: {DateTime.UtcNow:yyyy-MM-dd HH:mm:ssZ}",
        ["error_codes"] = new JsonArray(int.Parse(description["AADSTS".Length..description.IndexOf(':')])),
        ["timestamp"] = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
        ["trace_id"] = Guid.NewGuid().ToString(),
        ["correlation_id"] = Guid.NewGuid().ToString(),
    };

    internal static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static X509Certificate2 CreateCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=CalSync Sandbox sign-in", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(30));
        // Round-trip through PKCS#12 so the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }

    /// <summary>True when the server presented this service's certificate.</summary>
    public bool IsOurs(X509Certificate2? presented, SslPolicyErrors _) =>
        presented is not null && presented.GetCertHashString(HashAlgorithmName.SHA256) == Certificate.GetCertHashString(HashAlgorithmName.SHA256);
}
