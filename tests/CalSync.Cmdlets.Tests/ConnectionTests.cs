using CalSync.Cmdlets.Tests.Support;

namespace CalSync.Cmdlets.Tests;

/// <summary>Connect-/Disconnect-* and Get-CalSyncConnection against the stand-ins.</summary>
public sealed class ConnectionTests : IClassFixture<SandboxFixture>, IDisposable
{
    private readonly SandboxFixture _f;
    private readonly StoreHome _home = new();

    public ConnectionTests(SandboxFixture f)
    {
        _f = f;
        f.Reset();
    }

    public void Dispose() => _home.Dispose();

    [Fact]
    public void Connect_OutlookCalendar_with_an_access_token_saves_a_connection_without_the_token()
    {
        var r = _f.Ps.Run("Connect-OutlookCalendar -Name work -Endpoint $graph -AccessToken $token", _f.Vars()).Ok();
        var c = r.First;
        Assert.Equal("work", (string)c.Name);
        Assert.Equal("AccessToken", (string)c.Auth);
        Assert.Equal("Session", (string)c.Protection);
        Assert.Equal("CalSync.PowerShell.CalSyncConnection", r.Output[0].TypeNames[0]);
        Assert.True(File.Exists(_home.File("connections", "work.json")));
        Assert.DoesNotContain(_f.Host.Graph.AccessToken, _home.AllText(includeSecrets: true));
        Assert.NotEmpty(_f.Host.Graph.Journal.Requests); // it verified the token with a read
    }

    [Fact]
    public void Connect_OutlookCalendar_with_a_rejected_token_fails_with_an_id_and_saves_nothing()
    {
        var vars = _f.Vars();
        vars["token"] = SandboxFixture.Secure("not-a-token");
        var r = _f.Ps.Run("Connect-OutlookCalendar -Endpoint $graph -AccessToken $token", vars);
        Assert.Equal("SignInRequired", r.TerminatingId);
        Assert.False(File.Exists(_home.File("connections", "outlook.json")));
    }

    [Fact]
    public void Connect_OutlookCalendar_in_a_non_interactive_session_never_prompts_and_names_the_command()
    {
        using var ps = new PsSession(withHost: false); // no host UI: a scheduled or -NonInteractive run
        var r = ps.Run("Connect-OutlookCalendar -Endpoint $graph -Authority $authority -ClientId 11111111-2222-3333-4444-555555555555 -UseDeviceCode -AllowPlaintextTokenCache", _f.Vars());
        Assert.Equal("SignInRequired", r.TerminatingId);
        Assert.Contains("Connect-OutlookCalendar", r.Terminating!.Message);
        Assert.Contains("non-interactive", r.Terminating.Message);
        Assert.DoesNotContain(_f.Host.Graph.SignInRequests, s => s.Contains("devicecode"));
        Assert.Equal("AuthenticationError", r.Terminating.ErrorRecord.CategoryInfo.Category.ToString());
    }

    [Fact]
    public void Connect_OutlookCalendar_without_a_client_id_says_how_to_register_one()
    {
        var r = _f.Ps.Run("Connect-OutlookCalendar -Endpoint $graph", _f.Vars());
        Assert.Equal("ClientIdRequired", r.TerminatingId);
        Assert.Contains("http://localhost", r.Terminating!.Message);
    }

    [Fact]
    public void Connect_Bitrix24_with_a_webhook_picks_the_only_calendar_and_keeps_the_secret_out_of_the_connection_file()
    {
        var r = _f.Ps.Run("Connect-Bitrix24 -WebhookUrl $webhook -AllowPlaintextSecretStore", _f.Vars()).Ok();
        var c = r.First;
        Assert.Equal("bitrix24", (string)c.Name);
        Assert.Equal("Webhook", (string)c.Auth);
        Assert.Equal(_f.Host.Bitrix24.DefaultSectionId.ToString(), (string)c.CalendarId);
        var connectionFile = File.ReadAllText(_home.File("connections", "bitrix24.json"));
        Assert.DoesNotContain(_f.Host.Bitrix24.WebhookSecret, connectionFile);
        Assert.Contains(r.Warnings, w => w.Contains("UNENCRYPTED")); // the plaintext fallback is never silent
        Assert.Equal(0, _f.Host.Bitrix24.Journal.WriteCount);
    }

    [Fact]
    public void Connect_Bitrix24_with_a_credential_and_CreateCalendar_creates_a_dedicated_calendar()
    {
        var vars = _f.Vars();
        vars["cred"] = new System.Management.Automation.PSCredential("webhook", SandboxFixture.Secure(_f.Host.Bitrix24.WebhookUrl));
        var r = _f.Ps.Run("Connect-Bitrix24 -Name b24 -Credential $cred -Calendar 'CalSync' -CreateCalendar -AllowPlaintextSecretStore", vars).Ok();
        Assert.Equal("CalSync", (string)r.First.Calendar);
        Assert.Contains(_f.Host.Bitrix24.GetSections(), s => s.Name == "CalSync");
    }

    [Fact]
    public void Connect_Bitrix24_WhatIf_with_CreateCalendar_creates_nothing_and_saves_nothing()
    {
        var r = _f.Ps.Run("Connect-Bitrix24 -WebhookUrl $webhook -Calendar 'New one' -CreateCalendar -AllowPlaintextSecretStore -WhatIf", _f.Vars()).Ok();
        Assert.Contains("What if", r.HostText);
        Assert.Contains("create the calendar 'New one'", r.HostText);
        Assert.DoesNotContain(_f.Host.Bitrix24.GetSections(), s => s.Name == "New one");
        Assert.Empty(_home.Snapshot());
    }

    [Theory]
    [InlineData("https://example.bitrix24.com/rest/1/")]
    [InlineData("ftp://example.bitrix24.com/rest/1/abcdefgh/")]
    [InlineData("not a url")]
    public void Connect_Bitrix24_refuses_a_malformed_webhook_without_echoing_it(string url)
    {
        var vars = _f.Vars();
        vars["webhook"] = SandboxFixture.Secure(url);
        var r = _f.Ps.Run("Connect-Bitrix24 -WebhookUrl $webhook -AllowPlaintextSecretStore", vars);
        Assert.Equal("WebhookUrlInvalid", r.TerminatingId);
        Assert.Equal("InvalidArgument", r.Terminating!.ErrorRecord.CategoryInfo.Category.ToString());
        Assert.Equal("bitrix24", r.Terminating.ErrorRecord.TargetObject);
        Assert.Contains("/rest/<user>/<secret>/", r.Terminating.Message);
    }

    [Fact]
    public void Connect_Bitrix24_with_a_revoked_webhook_is_a_connection_error_with_an_id()
    {
        _f.Host.Bitrix24.RevokeWebhook();
        var r = _f.Ps.Run("Connect-Bitrix24 -WebhookUrl $webhook -AllowPlaintextSecretStore", _f.Vars());
        Assert.Equal("Bitrix24ConnectFailed", r.TerminatingId);
        Assert.DoesNotContain(_f.Host.Bitrix24.WebhookSecret, r.Terminating!.Message);
    }

    [Fact]
    public void Connect_Bitrix24_with_an_unknown_calendar_lists_the_available_ones()
    {
        var r = _f.Ps.Run("Connect-Bitrix24 -WebhookUrl $webhook -Calendar Nope -AllowPlaintextSecretStore", _f.Vars());
        Assert.Equal("Bitrix24CalendarInvalid", r.TerminatingId);
        Assert.Contains("Available", r.Terminating!.Message);
    }

    [Fact]
    public void Get_CalSyncConnection_filters_by_wildcard_and_kind_and_Disconnect_removes_with_WhatIf_respected()
    {
        _f.Ps.Run("Connect-OutlookCalendar -Name o1 -Endpoint $graph -AccessToken $token; Connect-Bitrix24 -Name b1 -WebhookUrl $webhook -AllowPlaintextSecretStore", _f.Vars()).Ok();
        Assert.Equal(new[] { "b1", "o1" }, _f.Ps.Run("Get-CalSyncConnection | ForEach-Object Name").Ok().Output.Select(o => o.ToString()));
        Assert.Equal(new[] { "o1" }, _f.Ps.Run("Get-CalSyncConnection -Kind Outlook | ForEach-Object Name").Ok().Output.Select(o => o.ToString()));
        Assert.Equal(new[] { "b1" }, _f.Ps.Run("Get-CalSyncConnection -Name b* | ForEach-Object Name").Ok().Output.Select(o => o.ToString()));
        Assert.Equal("ConnectionNotFound", Assert.Single(_f.Ps.Run("Get-CalSyncConnection -Name nope").ErrorIds));

        var before = _home.Snapshot();
        _f.Ps.Run("Disconnect-Bitrix24 -Name b1 -WhatIf; Disconnect-OutlookCalendar -Name o1 -WhatIf").Ok();
        Assert.Equal(before, _home.Snapshot());

        var r = _f.Ps.Run("Get-CalSyncConnection -Name b1 | Disconnect-Bitrix24 -PassThru; Disconnect-OutlookCalendar -Name o1").Ok();
        Assert.Equal("b1", (string)r.First.Name);
        Assert.Empty(_f.Ps.Run("Get-CalSyncConnection").Ok().Output);
        Assert.Empty(Directory.GetFiles(_home.File("secrets"), "b1*"));
        Assert.Equal("ConnectionKindMismatch", _f.Ps.Run("Connect-OutlookCalendar -Name x -Endpoint $graph -AccessToken $token; Disconnect-Bitrix24 -Name x", _f.Vars()).ErrorIds.Single());
    }

    /// <summary>Issue 18, case 10: no .NET parameter names or broken English in what users read.</summary>
    [Fact]
    public void Errors_read_as_sentences_without_dotnet_parameter_names()
    {
        _f.ConnectBoth();
        var relative = _f.Ps.Run("Connect-OutlookCalendar -Name o2 -Endpoint notaurl -AccessToken $token", _f.Vars());
        var message = relative.Terminating?.Message ?? string.Join("\n", relative.Errors);
        Assert.Contains("-Endpoint", message);
        Assert.DoesNotContain("(Parameter", message);
        Assert.False(File.Exists(_home.File("connections", "o2.json")));

        var kind = _f.Ps.Run("Connect-Bitrix24 -Name outlook -WebhookUrl $webhook -AllowPlaintextSecretStore", _f.Vars());
        Assert.Equal("ConnectionKindMismatch", kind.TerminatingId);
        Assert.Contains("is an Outlook connection", kind.Terminating!.Message);
        var sync = _f.Ps.Run("New-CalSync -Name X -OutlookConnection bitrix24");
        Assert.Contains("is a Bitrix24 connection, not an Outlook one", Assert.Single(sync.Errors).ToString());
    }

    /// <summary>Issue 19, case 4: removing a connection that syncs use names them, and needs -Force.</summary>
    [Fact]
    public void Disconnect_names_the_syncs_that_use_the_connection_and_needs_Force()
    {
        _f.ConnectBoth();
        // Both syncs use the Outlook connection; each has its own Bitrix24 calendar (one pair of calendars per sync).
        _f.ConnectBitrix24Calendar("home");
        _f.Ps.Run("New-CalSync -Name Work; New-CalSync -Name Home -Bitrix24Connection home -Direction OutlookToBitrix24").Ok();

        var whatIf = _f.Ps.Run("Disconnect-OutlookCalendar -WhatIf").Ok();
        Assert.Contains("used by the sync(s) Home, Work", whatIf.HostText);
        var refused = _f.Ps.Run("Disconnect-OutlookCalendar; 'reached'");
        Assert.Equal("ConnectionInUse", Assert.Single(refused.ErrorIds));
        Assert.Contains("Home, Work", refused.Errors[0].ToString());
        Assert.Contains("Disconnect-OutlookCalendar -Name outlook -Force", refused.Errors[0].ToString());
        Assert.True(File.Exists(_home.File("connections", "outlook.json")));
        Assert.Equal("ConnectionInUse", Assert.Single(_f.Ps.Run("Disconnect-Bitrix24").ErrorIds));
        Assert.True(File.Exists(_home.File("connections", "bitrix24.json")));

        var forced = _f.Ps.Run("Disconnect-OutlookCalendar -Force").Ok();
        Assert.Contains(forced.Warnings, w => w.Contains("Home, Work") && w.Contains("Connect-OutlookCalendar -Name outlook"));
        Assert.False(File.Exists(_home.File("connections", "outlook.json")));
    }

    [Fact]
    public void Connect_Bitrix24_with_OAuth_saves_the_tokens_in_the_secret_store_and_a_sync_runs_with_them()
    {
        var (access, refresh) = _f.Host.Bitrix24.IssueOAuthTokens();
        var vars = _f.Vars();
        vars["portal"] = _f.Host.Bitrix24.BaseUrl;
        vars["client"] = new System.Management.Automation.PSCredential(_f.Host.Bitrix24.ClientId, SandboxFixture.Secure(_f.Host.Bitrix24.ClientSecret));
        vars["refresh"] = SandboxFixture.Secure(refresh);
        vars["tokenUrl"] = _f.Host.Bitrix24.OAuthTokenUrl;
        vars["access"] = SandboxFixture.Secure(access);
        vars["user"] = _f.Host.Bitrix24.UserId;
        var unknownUser = _f.Ps.Run("Connect-Bitrix24 -Name oauth -PortalUrl $portal -ClientCredential $client -RefreshToken $refresh -AccessToken $access -TokenEndpoint $tokenUrl -AllowPlaintextSecretStore", vars);
        Assert.Equal("Bitrix24CalendarInvalid", unknownUser.TerminatingId);
        Assert.Contains("-UserId", unknownUser.Terminating!.Message);
        var r = _f.Ps.Run("Connect-Bitrix24 -Name oauth -PortalUrl $portal -ClientCredential $client -RefreshToken $refresh -AccessToken $access -UserId $user -TokenEndpoint $tokenUrl -AllowPlaintextSecretStore", vars).Ok();
        Assert.Equal("OAuth", (string)r.First.Auth);
        Assert.DoesNotContain(refresh, _home.AllText());
        Assert.Equal(_f.Host.Bitrix24.DefaultSectionId.ToString(), (string)r.First.CalendarId);
        Assert.DoesNotContain(_f.Host.Bitrix24.ClientSecret, _home.AllText());

        _f.Host.Bitrix24.ExpireAccessTokens(); // the run refreshes, and the rotated pair is saved
        Seed.Outlook(_f.Host, "Via OAuth", 9);
        _f.Ps.Run("Connect-OutlookCalendar -Endpoint $graph -AccessToken $token | Out-Null; New-CalSync -Name W -Bitrix24Connection oauth | Out-Null", _f.Vars()).Ok();
        var run = _f.Ps.Run("Start-CalSync -Name W -InitialMerge TwoWay").Ok();
        Assert.Equal(1, (int)run.First.Created);
        Assert.Equal(new[] { "Via OAuth" }, Seed.Bitrix24Names(_f.Host));
        _f.Host.Bitrix24.ExpireAccessTokens(); // needs the rotated refresh token that the first run saved
        Assert.Equal("NoChanges", _f.Ps.Run("Start-CalSync -Name W").Ok().First.Outcome.ToString());
        Assert.DoesNotContain(refresh, _home.AllText(includeSecrets: true)); // the first refresh token is dead and gone
        // The refresh token alone connects (-AccessToken is optional): the first call gets an access token and names the user.
        var alone = _f.Ps.Run("Connect-Bitrix24 -Name oauth2 -PortalUrl $portal -ClientCredential $client -RefreshToken $refresh2 -TokenEndpoint $tokenUrl -AllowPlaintextSecretStore",
            new Dictionary<string, object?>(vars) { ["refresh2"] = SandboxFixture.Secure(_f.Host.Bitrix24.IssueOAuthTokens().RefreshToken) }).Ok();
        Assert.Equal(_f.Host.Bitrix24.UserId.ToString(), (string)alone.First.Account);
    }
}
