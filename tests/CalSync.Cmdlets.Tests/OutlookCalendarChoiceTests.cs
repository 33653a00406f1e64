using System.Net.Http.Headers;
using CalSync.Cmdlets.Tests.Support;
using CalSync.Sandbox.Graph;

namespace CalSync.Cmdlets.Tests;

/// <summary>Connect-OutlookCalendar -Calendar (by name, completed) and a reconnect to another account (issue 17).</summary>
public sealed class OutlookCalendarChoiceTests : IClassFixture<SandboxFixture>, IDisposable
{
    private readonly SandboxFixture _f;
    private readonly StoreHome _home = new();

    public OutlookCalendarChoiceTests(SandboxFixture f)
    {
        _f = f;
        f.Reset();
    }

    public void Dispose() => _home.Dispose();

    private static async Task<string> NewCalendarAsync(GraphService g, string name)
    {
        using var http = new HttpClient { BaseAddress = new Uri(g.BaseUrl + "/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", g.AccessToken);
        var response = await http.PostAsync("me/calendars", new StringContent($$"""{"name":"{{name}}"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(201, (int)response.StatusCode);
        return System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
    }

    private string[] Complete(string line) => _f.Ps.Run("(TabExpansion2 -inputScript $l -cursorColumn $l.Length).CompletionMatches | ForEach-Object CompletionText",
        new Dictionary<string, object?> { ["l"] = line }).Ok().Output.Select(o => o.ToString()).ToArray();

    [Fact]
    public async Task Calendar_picks_an_Outlook_calendar_by_name_and_completes_the_connection_s_calendar_names()
    {
        var team = await NewCalendarAsync(_f.Host.Graph, "Team Meetings");

        var c = _f.Ps.Run("Connect-OutlookCalendar -Name work -Endpoint $graph -AccessToken $token -Calendar 'team meetings'", _f.Vars()).Ok().First;

        Assert.Equal(team, (string)c.CalendarId);
        Assert.Equal("Team Meetings", (string)c.Calendar);
        Assert.Equal(_f.Host.Graph.UserEmail, (string)c.Account); // the token's account, read from /me
        Assert.Equal(["'Team Meetings'"], Complete("Connect-OutlookCalendar -Name work -Calendar Te"));
        // Writable calendars only (Birthdays is read-only), of the connection named by -Name.
        Assert.Equal(["Calendar", "'Team Meetings'"], Complete("Connect-OutlookCalendar -Name work -Calendar "));
        Assert.Empty(Complete("Connect-OutlookCalendar -Name nosuchconnection -Calendar "));

        // The default calendar by name is the default (no id kept).
        var d = _f.Ps.Run("Connect-OutlookCalendar -Name work -Endpoint $graph -AccessToken $token -Calendar Calendar", _f.Vars()).Ok().First;
        Assert.Null((string?)d.CalendarId);
    }

    [Fact]
    public async Task An_unknown_or_read_only_calendar_is_refused_naming_the_available_ones_and_nothing_is_saved()
    {
        await NewCalendarAsync(_f.Host.Graph, "Team Meetings");

        var r = _f.Ps.Run("Connect-OutlookCalendar -Name work -Endpoint $graph -AccessToken $token -Calendar Holidays", _f.Vars());

        Assert.Equal("OutlookCalendarInvalid", r.TerminatingId);
        Assert.Contains("Outlook has no calendar named 'Holidays'. Available: 'Calendar' (default), 'Birthdays', 'Team Meetings'.", r.Terminating!.Message);
        Assert.False(File.Exists(_home.File("connections", "work.json")));
        var readOnly = _f.Ps.Run("Connect-OutlookCalendar -Name work -Endpoint $graph -AccessToken $token -Calendar Birthdays", _f.Vars());
        Assert.Equal("OutlookCalendarInvalid", readOnly.TerminatingId);
        Assert.Contains("'Birthdays' is read-only", readOnly.Terminating!.Message);
        Assert.DoesNotContain(_f.Host.Graph.AccessToken, r.Terminating.Message + readOnly.Terminating.Message);
    }

    [Fact]
    public async Task A_reconnect_to_another_account_never_sends_the_old_account_s_delta_link()
    {
        await using var other = await GraphService.StartAsync(new GraphServiceOptions { Seed = 2, UserEmail = "someone.else@outlook.com", UserDisplayName = "Someone Else" });
        _f.ConnectBoth();
        _f.Ps.Run("New-CalSync -Name Work | Out-Null; Start-CalSync -Name Work -InitialMerge TwoWay | Out-Null; Start-CalSync -Name Work | Out-Null").Ok();
        Assert.Contains(_f.Host.Graph.Journal.Requests, q => q.PathAndQuery.Contains("$deltatoken")); // the second run used its delta link
        _f.Host.Graph.Journal.Clear();

        var vars = _f.Vars();
        vars["graph"] = other.BaseUrl;
        vars["token"] = SandboxFixture.Secure(other.AccessToken);
        var c = _f.Ps.Run("Connect-OutlookCalendar -Endpoint $graph -AccessToken $token", vars).Ok().First;
        Assert.Equal("someone.else@outlook.com", (string)c.Account);
        _f.Ps.Run("Start-CalSync -Name Work | Out-Null").Ok();

        Assert.Empty(_f.Host.Graph.Journal.Requests); // nothing went to the old account's endpoint
        Assert.NotEmpty(other.Journal.Requests);
        Assert.DoesNotContain(other.Journal.Requests, q => q.PathAndQuery.Contains("$deltatoken")); // a fresh round there
    }
}
