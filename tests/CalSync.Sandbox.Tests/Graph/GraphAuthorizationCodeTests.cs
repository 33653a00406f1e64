using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CalSync.Sandbox.Graph;
using Xunit;

namespace CalSync.Sandbox.Tests.Graph;

/// <summary>
/// The browser's authorization-code flow with PKCE at the wire: the authorize page, the user's decision going back to
/// the loopback redirect URI, and the token endpoint's checks of the code (single use, lifetime, client, redirect
/// URI, verifier). The flow driven by real MSAL.NET and Chromium is tested in CalSync.Outlook.Tests.
/// </summary>
public sealed class GraphAuthorizationCodeTests : IAsyncLifetime
{
    private const string ClientId = "0b6f3c1e-6e2a-4f8e-9d1c-2f7d5a4b3c21";
    private const string Redirect = "http://localhost:43117";
    private const string Verifier = "sandbox-verifier-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG";
    private GraphService _service = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _service = await GraphService.StartAsync(new GraphServiceOptions { Port = 0 }, CancellationToken.None);
        // Like a browser that trusts the sandbox's certificate, but does not follow the redirect back to the (absent) app.
        var trusted = _service.SignInCertificate.GetCertHashString(HashAlgorithmName.SHA256);
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is X509Certificate2 c && c.GetCertHashString(HashAlgorithmName.SHA256) == trusted },
        });
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _service.DisposeAsync();
    }

    private static string Challenge(string verifier) =>
        Convert.ToBase64String(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private string AuthorizeUrl(string? redirect = Redirect, string? challenge = null, string method = "S256", string mode = "query", string state = "st-123") =>
        _service.AuthorityUrl + "/oauth2/v2.0/authorize?" + string.Join('&', new Dictionary<string, string?>
        {
            ["client_id"] = ClientId, ["response_type"] = "code", ["redirect_uri"] = redirect, ["scope"] = "Calendars.ReadWrite openid offline_access",
            ["state"] = state, ["code_challenge"] = challenge ?? Challenge(Verifier), ["code_challenge_method"] = method,
            ["response_mode"] = mode, ["prompt"] = "select_account",
        }.Where(p => p.Value is not null).Select(p => p.Key + "=" + Uri.EscapeDataString(p.Value!)));

    /// <summary>Opens the sign-in page and presses a button: the answer to the form post.</summary>
    private async Task<HttpResponseMessage> SignInAsync(string decision = "accept", string mode = "query")
    {
        var page = await _http.GetAsync(AuthorizeUrl(mode: mode));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains(_service.UserEmail, html);
        var flow = Regex.Match(html, "name=\"flow\" value=\"([^\"]+)\"").Groups[1].Value;
        return await _http.PostAsync(_service.AuthorityUrl + "/oauth2/v2.0/authorize",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["flow"] = flow, ["decision"] = decision }));
    }

    private async Task<string> CodeAsync()
    {
        var answer = await SignInAsync();
        Assert.Equal(HttpStatusCode.Found, answer.StatusCode);
        var location = answer.Headers.Location!;
        Assert.StartsWith(Redirect + "?", location.OriginalString);
        var query = Query(location);
        Assert.Equal("st-123", query["state"]);
        return query["code"];
    }

    private async Task<(HttpStatusCode Status, JsonNode Body)> RedeemAsync(string code, string verifier = Verifier, string redirect = Redirect, string clientId = ClientId)
    {
        var response = await _http.PostAsync(_service.AuthorityUrl + "/oauth2/v2.0/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["client_id"] = clientId, ["code"] = code, ["redirect_uri"] = redirect,
            ["code_verifier"] = verifier, ["scope"] = "Calendars.ReadWrite openid offline_access", ["client_info"] = "1",
        }));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(text.Length > 0, $"{(int)response.StatusCode} with no body");
        return (response.StatusCode, JsonNode.Parse(text)!);
    }

    private static Dictionary<string, string> Query(Uri uri) =>
        uri.Query.TrimStart('?').Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]));

    private static void AssertInvalidGrant((HttpStatusCode Status, JsonNode Body) answer, string aadsts)
    {
        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("invalid_grant", answer.Body["error"]!.GetValue<string>());
        Assert.StartsWith(aadsts + ":", answer.Body["error_description"]!.GetValue<string>());
        Assert.Equal(int.Parse(aadsts["AADSTS".Length..]), answer.Body["error_codes"]![0]!.GetValue<int>());
    }

    [Fact]
    public async Task A_code_redeems_once_for_tokens_the_api_accepts_and_a_reused_code_is_invalid_grant()
    {
        var code = await CodeAsync();

        var (status, body) = await RedeemAsync(code);
        Assert.Equal(HttpStatusCode.OK, status);
        foreach (var field in new[] { "access_token", "refresh_token", "id_token", "client_info" })
            Assert.False(string.IsNullOrEmpty(body[field]?.GetValue<string>()), field);
        using var me = new HttpRequestMessage(HttpMethod.Get, _service.BaseUrl + "/me");
        me.Headers.Authorization = new AuthenticationHeaderValue("Bearer", body["access_token"]!.GetValue<string>());
        using var api = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(me)).StatusCode);

        AssertInvalidGrant(await RedeemAsync(code), "AADSTS54005");
    }

    [Fact]
    public async Task A_verifier_that_does_not_hash_to_the_challenge_is_refused_and_spends_the_code()
    {
        var code = await CodeAsync();

        AssertInvalidGrant(await RedeemAsync(code, verifier: Verifier + "x"), "AADSTS501481");
        AssertInvalidGrant(await RedeemAsync(code), "AADSTS54005"); // no second guess
        AssertInvalidGrant(await RedeemAsync(await CodeAsync(), verifier: ""), "AADSTS501481");
    }

    [Fact]
    public async Task The_token_request_must_name_the_redirect_uri_and_client_the_code_was_issued_for()
    {
        AssertInvalidGrant(await RedeemAsync(await CodeAsync(), redirect: "http://localhost:9999"), "AADSTS50011");
        AssertInvalidGrant(await RedeemAsync(await CodeAsync(), clientId: Guid.NewGuid().ToString()), "AADSTS70000");
        AssertInvalidGrant(await RedeemAsync("M.C5not-a-code"), "AADSTS70000");
    }

    [Fact]
    public async Task An_expired_code_is_invalid_grant()
    {
        _service.AuthorizationCodeLifetime = TimeSpan.Zero;
        var code = await CodeAsync();
        await Task.Delay(20);

        AssertInvalidGrant(await RedeemAsync(code), "AADSTS70008");
    }

    [Theory]
    [InlineData("https://localhost:43117")]
    [InlineData("http://127.0.0.1.example.com/cb")]
    [InlineData("https://app.example.com/callback")]
    [InlineData("")]
    public async Task A_redirect_uri_that_is_not_http_localhost_gets_an_error_page_and_no_redirect(string redirect)
    {
        var answer = await _http.GetAsync(AuthorizeUrl(redirect: redirect));

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Null(answer.Headers.Location);
        Assert.StartsWith("text/html", answer.Content.Headers.ContentType!.MediaType);
        Assert.Contains("AADSTS50011", await answer.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_loopback_redirect_with_a_path_is_accepted()
    {
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync(AuthorizeUrl(redirect: "http://localhost:5000/signin"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync(AuthorizeUrl(redirect: "http://localhost"))).StatusCode);
    }

    [Theory]
    [InlineData("", "S256", "code_challenge")]
    [InlineData(null, "plain", "code_challenge_method")]
    public async Task Without_an_S256_challenge_the_app_gets_invalid_request_with_its_state(string? challenge, string method, string named)
    {
        var answer = await _http.GetAsync(AuthorizeUrl(challenge: challenge, method: method));

        Assert.Equal(HttpStatusCode.Found, answer.StatusCode);
        var query = Query(answer.Headers.Location!);
        Assert.Equal("invalid_request", query["error"]);
        Assert.Contains(named, query["error_description"]);
        Assert.Equal("st-123", query["state"]);
        Assert.False(query.ContainsKey("code"));
    }

    [Fact]
    public async Task An_unknown_client_gets_an_error_page()
    {
        var answer = await _http.GetAsync(AuthorizeUrl().Replace("client_id=" + ClientId, "client_id=not-a-guid"));

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Null(answer.Headers.Location);
        Assert.Contains("AADSTS700016", await answer.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_declining_user_sends_access_denied_with_the_state_back_to_the_app()
    {
        using var control = new HttpClient();
        var knobs = await control.PostAsync(_service.ControlUrl + "/faults", new StringContent("""{"browserSignInDeclines":true}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, knobs.StatusCode);
        var page = await (await _http.GetAsync(AuthorizeUrl())).Content.ReadAsStringAsync();
        Assert.Contains("getElementById(\"decline\").click()", page); // the page's "user" presses Decline

        var answer = await SignInAsync(decision: "decline");

        Assert.Equal(HttpStatusCode.Found, answer.StatusCode);
        var query = Query(answer.Headers.Location!);
        Assert.Equal("access_denied", query["error"]);
        Assert.StartsWith("AADSTS65004: User declined", query["error_description"]);
        Assert.Equal("st-123", query["state"]);
        Assert.False(query.ContainsKey("code"));
        Assert.Contains("POST /consumers/oauth2/v2.0/authorize decision=decline", _service.SignInRequests);
    }

    [Fact]
    public async Task Form_post_mode_answers_a_self_submitting_form_to_the_redirect_uri()
    {
        var answer = await SignInAsync(mode: "form_post");

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var html = await answer.Content.ReadAsStringAsync();
        Assert.Contains($"<form method=\"post\" name=\"hiddenform\" action=\"{Redirect}\">", html);
        Assert.Contains("<input type=\"hidden\" name=\"state\" value=\"st-123\">", html);
        Assert.Contains("document.forms[0].submit()", html);
        var code = Regex.Match(html, "name=\"code\" value=\"([^\"]+)\"").Groups[1].Value;
        Assert.Equal(HttpStatusCode.OK, (await RedeemAsync(code)).Status);
    }

    [Fact]
    public async Task The_request_log_names_but_never_holds_the_state_challenge_code_or_verifier()
    {
        var code = await CodeAsync();
        await RedeemAsync(code);

        var log = string.Join("\n", _service.SignInRequests);
        Assert.Contains("code_challenge_method=S256", log);
        Assert.Contains("redirect_uri=" + Redirect, log);
        Assert.Contains("grant_type=authorization_code (client_id, client_info, code, code_verifier, redirect_uri, scope)", log);
        foreach (var secret in new[] { code, Verifier, Challenge(Verifier), "st-123" })
            Assert.DoesNotContain(secret, log);
    }
}
