using System.Net;
using System.Text.RegularExpressions;
using Xunit;

namespace CalSync.Sandbox.Tests.Bitrix24;

/// <summary>The portal's <c>/oauth/authorize/</c> for the browser sign-in (docs/bitrix24-api.md, "OAuth authorization code flow"), over raw HTTP.</summary>
public sealed class AuthorizeTests
{
    private const string Redirect = "http://localhost:50123/";
    private static readonly HttpClient Browser = new(new HttpClientHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(20) };

    private static string Authorize(Bitrix24TestPortal b24, string? clientId = null, string redirect = Redirect) =>
        $"{b24.Service.OAuthAuthorizeUrl}?client_id={Uri.EscapeDataString(clientId ?? b24.Service.ClientId)}&response_type=code&redirect_uri={Uri.EscapeDataString(redirect)}&state=st%2Fate%3D1";

    /// <summary>Opens the consent page and presses <paramref name="decision"/>; returns the redirect's parameters.</summary>
    private static async Task<Dictionary<string, string>> DecideAsync(Bitrix24TestPortal b24, string decision)
    {
        var page = await Browser.GetAsync(Authorize(b24));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var flow = Regex.Match(await page.Content.ReadAsStringAsync(), "name=\"flow\" value=\"([0-9a-f]+)\"").Groups[1].Value;
        var answer = await Browser.PostAsync(b24.Service.OAuthAuthorizeUrl, new FormUrlEncodedContent(new Dictionary<string, string> { ["flow"] = flow, ["decision"] = decision }));
        Assert.Equal(HttpStatusCode.Found, answer.StatusCode);
        var location = answer.Headers.Location!;
        Assert.StartsWith(Redirect + "?", location.OriginalString, StringComparison.Ordinal);
        var again = await Browser.PostAsync(b24.Service.OAuthAuthorizeUrl, new FormUrlEncodedContent(new Dictionary<string, string> { ["flow"] = flow, ["decision"] = decision }));
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode); // a page is answered once
        return location.Query.TrimStart('?').Split('&').Select(p => p.Split('=', 2))
            .ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]), StringComparer.Ordinal);
    }

    [Fact]
    public async Task Allow_sends_the_documented_parameters_to_the_loopback_redirect_and_the_code_buys_a_pair_without_user_id()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var back = await DecideAsync(b24, "allow");

        Assert.Equal(["code", "state", "domain", "member_id", "scope", "server_domain"], back.Keys.ToArray());
        Assert.Equal("st/ate=1", back["state"]);
        Assert.Equal($"127.0.0.1:{b24.Service.Port}", back["domain"]);
        Assert.Equal("calendar,user_brief", back["scope"]);

        var exchanged = await b24.GetAsync($"{b24.Service.OAuthTokenUrl}?grant_type=authorization_code&client_id={b24.Service.ClientId}&client_secret={b24.Service.ClientSecret}&code={back["code"]}");
        Assert.Equal(HttpStatusCode.OK, exchanged.Status);
        var body = exchanged.Body!.AsObject();
        Assert.Equal(back["member_id"], (string?)body["member_id"]);
        Assert.False(body.ContainsKey("user_id")); // as the documented code answer: the client asks user.current
        var me = await b24.GetAsync(b24.Service.OAuthRestUrl + "user.current?auth=" + (string)body["access_token"]!);
        Assert.Equal(b24.Service.UserId.ToString(), (string?)me.Result!["ID"]);
    }

    [Fact]
    public async Task Deny_sends_access_denied_with_the_state_and_no_code()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        b24.Service.BrowserSignInDeclines = true; // the page's script presses Deny; a raw client chooses itself
        var page = await (await Browser.GetAsync(Authorize(b24))).Content.ReadAsStringAsync();
        Assert.Contains("getElementById(\"deny\").click()", page);

        var back = await DecideAsync(b24, "deny");
        Assert.Equal("access_denied", back["error"]);
        Assert.Equal("st/ate=1", back["state"]);
        Assert.False(back.ContainsKey("code"));
    }

    [Theory]
    [InlineData("local.not.installed", Redirect, HttpStatusCode.NotFound, "is not installed")]
    [InlineData(null, "https://example.com/callback", HttpStatusCode.BadRequest, "handler address")]
    [InlineData(null, "http://192.0.2.1:8080/", HttpStatusCode.BadRequest, "handler address")]
    public async Task An_unknown_app_or_a_redirect_off_this_computer_gets_an_error_page_and_no_redirect(string? clientId, string redirect, HttpStatusCode status, string message)
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var page = await Browser.GetAsync(Authorize(b24, clientId, redirect));
        Assert.Equal(status, page.StatusCode);
        Assert.Null(page.Headers.Location);
        Assert.Contains(message, await page.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task User_current_needs_a_user_scope()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var (calendarOnly, _) = b24.Service.IssueOAuthTokens(["calendar"]);
        var refused = await b24.GetAsync(b24.Service.OAuthRestUrl + "user.current?auth=" + calendarOnly);
        Assert.Equal("insufficient_scope", refused.Error);
        var (brief, _) = b24.Service.IssueOAuthTokens(["calendar", "user_brief"]);
        Assert.Equal(HttpStatusCode.OK, (await b24.GetAsync(b24.Service.OAuthRestUrl + "user.current?auth=" + brief)).Status);
    }
}
