using System.Management.Automation;
using CalSync.Cmdlets.Tests.Support;
using CalSync.Sandbox;

namespace CalSync.Cmdlets.Tests;

/// <summary>
/// Connect-Bitrix24's browser sign-in (OAuth authorization code), end to end: the module opens headless Chromium
/// (through an xdg-open on PATH) on the stand-in portal's authorize page and takes the answer on its loopback listener.
/// </summary>
[Collection(SystemBrowser.Collection)]
public sealed class Bitrix24BrowserConnectTests
{
    private const string Connect = "Connect-Bitrix24 -Name b24 -PortalUrl $portal -ClientCredential $client -TokenEndpoint $tokenUrl -AllowPlaintextSecretStore";

    private static Dictionary<string, object?> Vars(SandboxHost sandbox, string? clientId = null) => new()
    {
        ["portal"] = sandbox.Bitrix24.BaseUrl,
        ["client"] = new PSCredential(clientId ?? sandbox.Bitrix24.ClientId, SandboxFixture.Secure(sandbox.Bitrix24.ClientSecret)),
        ["tokenUrl"] = sandbox.Bitrix24.OAuthTokenUrl,
        ["graph"] = sandbox.Graph.BaseUrl,
        ["token"] = SandboxFixture.Secure(sandbox.Graph.AccessToken),
    };

    /// <summary>The Bitrix24 connection's entry in the (plaintext fallback) secret store: the "secret" of its JSON file.</summary>
    private static string Secret(StoreHome home) => Assert.Single(Directory.GetFiles(home.File("secrets"), "*", SearchOption.AllDirectories)
        .Select(f => System.Text.Json.JsonDocument.Parse(File.ReadAllText(f)).RootElement.GetProperty("secret").GetString() ?? ""),
        t => t.StartsWith("calsync-bitrix24-secret=", StringComparison.Ordinal));

    [LinuxFact]
    public async Task Connect_Bitrix24_signs_in_through_the_system_browser_keeps_only_the_refresh_token_and_a_sync_runs()
    {
        await using var rig = await BrowserRig.StartAsync();
        var (sandbox, home, browser, ps) = (rig.Sandbox, rig.Home, rig.Browser!, rig.Ps);
        var b24 = sandbox.Bitrix24;

        var r = ps.Run(Connect + " -Verbose", Vars(sandbox));

        Assert.True(r.Terminating is null, r.Terminating + "\n" + string.Join("\n", b24.SignInRequests) + "\n" + browser.Log);
        Assert.Equal("OAuth", (string)r.First.Auth);
        Assert.Equal(b24.UserId.ToString(), (string)r.First.Account); // the code answer names no user: user.current did
        Assert.Equal(b24.DefaultSectionId.ToString(), (string)r.First.CalendarId);
        Assert.Equal(1, browser.Opened);
        Assert.Contains(r.Information, i => i.Contains("Sign in to Bitrix24"));
        Assert.Contains(b24.SignInRequests, s => s.StartsWith($"GET /oauth/authorize/?client_id={b24.ClientId}&response_type=code&redirect_uri=http://localhost:", StringComparison.Ordinal) && s.EndsWith("&state", StringComparison.Ordinal));
        Assert.Contains(b24.Journal.Requests, e => e.PathAndQuery.StartsWith("/oauth/token", StringComparison.Ordinal) && e.Body.Contains("\"grant_type\":\"authorization_code\""));

        // At rest: the application and the refresh token, no access token; nothing secret outside the secret store.
        var secret = Secret(home);
        Assert.Contains("refreshToken=", secret);
        Assert.DoesNotContain("accessToken", secret);
        Assert.DoesNotContain(b24.ClientSecret, home.AllText());
        var refresh = Uri.UnescapeDataString(secret.Split('\n').Single(l => l.StartsWith("refreshToken=", StringComparison.Ordinal))["refreshToken=".Length..]);
        var shown = string.Join("\n", r.Verbose.Concat(r.Information).Concat(r.Warnings)) + r.HostText;
        Assert.DoesNotContain(refresh, shown);
        Assert.DoesNotContain(b24.ClientSecret, shown);

        // The next run gets an access token with the kept refresh token, and saves the rotated one.
        Seed.Outlook(sandbox, "Via browser sign-in", 9);
        ps.Run("Connect-OutlookCalendar -Endpoint $graph -AccessToken $token | Out-Null; New-CalSync -Name W -Bitrix24Connection b24 | Out-Null", Vars(sandbox)).Ok();
        var run = ps.Run("Start-CalSync -Name W -InitialMerge TwoWay").Ok();
        Assert.Equal(1, (int)run.First.Created);
        Assert.Equal(new[] { "Via browser sign-in" }, Seed.Bitrix24Names(sandbox));
        Assert.DoesNotContain(refresh, Secret(home)); // rotated: the first refresh token is dead and gone
        Assert.Equal("b24", (string)ps.Run("Get-CalSyncConnection -Name b24").Ok().First.Name);
    }

    [LinuxFact]
    public async Task Denying_in_the_browser_fails_Connect_Bitrix24_with_SignInFailed_and_saves_nothing()
    {
        await using var rig = await BrowserRig.StartAsync();
        var (sandbox, home, browser, ps) = (rig.Sandbox, rig.Home, rig.Browser!, rig.Ps);
        sandbox.Bitrix24.BrowserSignInDeclines = true;

        var r = ps.Run(Connect, Vars(sandbox));

        Assert.Equal("SignInFailed", r.TerminatingId);
        Assert.Contains("declined (access_denied", r.Terminating!.Message);
        Assert.Equal(1, browser.Opened);
        Assert.DoesNotContain(sandbox.Bitrix24.Journal.Requests, e => e.PathAndQuery.StartsWith("/oauth/token", StringComparison.Ordinal));
        Assert.False(File.Exists(home.File("connections", "b24.json")));
        Assert.False(Directory.Exists(home.File("secrets")) && Directory.EnumerateFiles(home.File("secrets"), "*", SearchOption.AllDirectories).Any());
    }

    [LinuxFact]
    public async Task An_app_the_portal_does_not_know_shows_its_error_page_and_Connect_Bitrix24_times_out_naming_the_handler_address()
    {
        await using var rig = await BrowserRig.StartAsync();
        var (sandbox, home, ps) = (rig.Sandbox, rig.Home, rig.Ps);

        // The portal shows its error and sends nothing back (docs/bitrix24-api.md): only the timeout ends the wait.
        var r = ps.Run(Connect + " -TimeoutSec 4", Vars(sandbox, clientId: "local.unknown.app"));

        Assert.Equal("SignInFailed", r.TerminatingId);
        Assert.Contains("within 4 seconds", r.Terminating!.Message);
        Assert.Contains("-RedirectUri", r.Terminating.Message);
        Assert.Contains(sandbox.Bitrix24.SignInRequests, s => s.StartsWith("GET /oauth/authorize/?client_id=local.unknown.app", StringComparison.Ordinal));
        Assert.Equal(1, rig.Browser!.Opened);
        Assert.False(File.Exists(home.File("connections", "b24.json")));
    }

    [Fact]
    public async Task WhatIf_opens_no_browser_and_a_redirect_address_off_this_computer_is_refused()
    {
        await using var rig = await BrowserRig.StartAsync(withBrowser: false);
        var (sandbox, home, ps) = (rig.Sandbox, rig.Home, rig.Ps);

        var whatIf = ps.Run(Connect + " -WhatIf", Vars(sandbox)).Ok();
        Assert.Empty(whatIf.Output);
        Assert.Empty(sandbox.Bitrix24.SignInRequests);
        Assert.False(File.Exists(home.File("connections", "b24.json")));

        var remote = ps.Run(Connect + " -RedirectUri https://example.com/callback", Vars(sandbox));
        Assert.Equal("SignInFailed", remote.TerminatingId);
        Assert.Contains("http://localhost:8080/", remote.Terminating!.Message);
    }
}
