using CalSync.Cmdlets.Tests.Support;
using CalSync.Sandbox;

namespace CalSync.Cmdlets.Tests;

/// <summary>
/// Connect-OutlookCalendar's default (browser) sign-in, end to end: the module's MSAL.NET opens headless Chromium
/// (through an xdg-open on PATH) on the sandbox's authorize page and receives the answer on its loopback listener.
/// </summary>
[Collection(SystemBrowser.Collection)]
public sealed class BrowserConnectTests
{
    private const string Connect = "Connect-OutlookCalendar -Endpoint $graph -Authority $authority -ClientId 11111111-2222-3333-4444-555555555555 -AllowPlaintextTokenCache";

    private static Dictionary<string, object?> Vars(SandboxHost sandbox) => new()
    {
        ["graph"] = sandbox.Graph.BaseUrl, ["authority"] = sandbox.Graph.AuthorityUrl,
    };

    [LinuxFact]
    public async Task Connect_OutlookCalendar_signs_in_through_the_system_browser_then_silently()
    {
        await using var rig = await BrowserRig.StartAsync();
        var (sandbox, browser, ps) = (rig.Sandbox, rig.Browser!, rig.Ps);

        var first = ps.Run(Connect, Vars(sandbox));

        Assert.True(first.Terminating is null, first.Terminating + "\n" + string.Join("\n", sandbox.Graph.SignInRequests) + "\n" + browser.Log);
        Assert.Equal("Interactive", (string)first.First.Auth);
        Assert.Equal(sandbox.Graph.UserEmail, (string)first.First.Account, ignoreCase: true);
        Assert.Equal(1, browser.Opened);
        Assert.Empty(first.Information); // no device code was shown
        Assert.Contains(sandbox.Graph.SignInRequests, r => r.StartsWith("GET /consumers/oauth2/v2.0/authorize?", StringComparison.Ordinal) && r.Contains("code_challenge_method=S256"));
        Assert.Contains(sandbox.Graph.SignInRequests, r => r.Contains("grant_type=authorization_code"));
        Assert.DoesNotContain(sandbox.Graph.SignInRequests, r => r.Contains("devicecode"));

        // the sign-in was cached: connecting again needs no browser, and the command a SignInRequired error advises
        // (the connection's name only) works: endpoint, app, authority and the key-store opt-in are remembered
        var again = ps.Run("Connect-OutlookCalendar -Name 'outlook' -Verbose", Vars(sandbox)).Ok();
        Assert.Contains(again.Verbose, v => v.Contains("Signed in silently"));
        Assert.Equal(1, browser.Opened);
        var saved = File.ReadAllText(rig.Home.File("connections", "outlook.json"));
        Assert.Contains(sandbox.Graph.BaseUrl.TrimEnd('/'), saved);
        Assert.Contains("PlaintextFile", saved);

        // -Calendar picks a calendar by name with the cached sign-in (issue 17).
        using var http = new HttpClient();
        using var create = new HttpRequestMessage(HttpMethod.Post, sandbox.Graph.BaseUrl + "/me/calendars") { Content = new StringContent("""{"name":"Team"}""", System.Text.Encoding.UTF8, "application/json") };
        create.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", sandbox.Graph.AccessToken);
        Assert.True((await http.SendAsync(create)).IsSuccessStatusCode);
        var team = ps.Run(Connect + " -Calendar team", Vars(sandbox)).Ok().First;
        Assert.Equal("Team", (string)team.Calendar);
        Assert.Equal(sandbox.Graph.GetCalendars().Single(c => c.Name == "Team").Id, (string)team.CalendarId);
        Assert.Equal(1, browser.Opened);
    }

    [LinuxFact]
    public async Task Declining_in_the_browser_fails_Connect_OutlookCalendar_saying_so_and_saves_nothing()
    {
        await using var rig = await BrowserRig.StartAsync();
        var (sandbox, home, ps) = (rig.Sandbox, rig.Home, rig.Ps);
        sandbox.Graph.BrowserSignInDeclines = true;

        var r = ps.Run(Connect, Vars(sandbox));

        Assert.Equal("SignInFailed", r.TerminatingId);
        Assert.Contains("declined", r.Terminating!.Message);
        Assert.Empty(r.Information); // no fallback to the device code
        Assert.DoesNotContain(sandbox.Graph.SignInRequests, s => s.Contains("devicecode"));
        Assert.False(File.Exists(home.File("connections", "outlook.json")));
    }
}
