using System.Collections;
using System.Management.Automation;
using System.Text;
using CalSync.Reliability.Tests.Support;

namespace CalSync.Reliability.Tests.Safety;

/// <summary>
/// After a full session (connect both ways, sync, history, verbose and debug streams, errors), no access token,
/// refresh token, client secret or webhook secret appears in the store (outside the secret store itself), the
/// history, or any output stream; the files that hold secrets are 0600 in 0700 directories (the whole store is).
/// </summary>
public sealed class SecretsTests : IClassFixture<SandboxFixture>
{
    private readonly SandboxFixture _rig;
    private readonly StringBuilder _seen = new();

    public SecretsTests(SandboxFixture rig) => _rig = rig;

    /// <summary>Runs a script with every stream captured (output objects with all their properties, errors with inner exceptions and stack, warning, verbose, debug, information, host).</summary>
    private void Run(string script, IDictionary<string, object?>? more = null)
    {
        foreach (var pair in _rig.Vars().Concat(more ?? new Dictionary<string, object?>()))
            _rig.Ps.Runspace.SessionStateProxy.SetVariable(pair.Key, pair.Value);
        _rig.Ps.Host!.Clear();
        using var ps = PowerShell.Create();
        ps.Runspace = _rig.Ps.Runspace;
        ps.AddScript("$VerbosePreference = 'Continue'; $DebugPreference = 'Continue'; $InformationPreference = 'Continue'\n" + script);
        try
        {
            foreach (var o in ps.Invoke()) Dump(o);
        }
        catch (RuntimeException e) { DumpError(e.ErrorRecord, e); }
        foreach (var e in ps.Streams.Error) DumpError(e, e.Exception);
        foreach (var w in ps.Streams.Warning) _seen.AppendLine(w.Message);
        foreach (var v in ps.Streams.Verbose) _seen.AppendLine(v.Message);
        foreach (var d in ps.Streams.Debug) _seen.AppendLine(d.Message);
        foreach (var i in ps.Streams.Information) _seen.AppendLine(i.MessageData?.ToString());
        foreach (var p in ps.Streams.Progress) _seen.AppendLine(p.Activity + " " + p.StatusDescription);
        _seen.AppendLine(_rig.Ps.Host.Text);
    }

    private void Dump(object? o, int depth = 0)
    {
        if (o is null || depth > 4) return;
        if (o is PSObject pso)
        {
            _seen.AppendLine(pso.ToString());
            if (pso.BaseObject is string or ValueType) return;
            foreach (var p in pso.Properties)
            {
                object? value;
                try { value = p.Value; } catch (Exception e) { value = e.Message; }
                _seen.Append(p.Name).Append('=');
                if (value is IEnumerable list and not string) foreach (var item in list) Dump(PSObject.AsPSObject(item), depth + 1);
                else Dump(value is null ? null : PSObject.AsPSObject(value), depth + 1);
            }
            return;
        }
        _seen.AppendLine(o.ToString());
    }

    private void DumpError(ErrorRecord? record, Exception? e)
    {
        if (record is not null) _seen.AppendLine(record.ToString()).AppendLine(record.FullyQualifiedErrorId).AppendLine(record.TargetObject?.ToString())
            .AppendLine(record.ScriptStackTrace).AppendLine(record.ErrorDetails?.Message).AppendLine(record.CategoryInfo.ToString());
        for (var x = e; x is not null; x = x.InnerException) _seen.AppendLine(x.GetType().FullName).AppendLine(x.Message).AppendLine(x.StackTrace);
    }

    [Fact]
    public void A_full_session_leaves_no_secret_in_the_store_history_or_any_stream_and_secret_files_are_owner_only()
    {
        _rig.Reset();
        using var home = new StoreHome();
        var graphToken = _rig.Host.Graph.AccessToken;
        var (access, refresh) = _rig.Host.Bitrix24.IssueOAuthTokens();
        var oauth = _rig.OAuthVars(access, refresh);
        Meetings.SeedMerge(_rig.Host, 10);

        Run("Connect-OutlookCalendar -Endpoint $graph -AccessToken $token -Verbose -Debug");
        Run("Connect-Bitrix24 -Name portal -PortalUrl $portal -ClientCredential $client -RefreshToken $refresh -AccessToken $access -UserId $user -TokenEndpoint $tokenUrl -AllowPlaintextSecretStore", oauth);
        // Its own calendar: the OAuth connection has the user's default one, and two syncs on one pair of calendars are refused.
        Run("Connect-Bitrix24 -Name hook -WebhookUrl $webhook -Calendar Hooked -CreateCalendar -AllowPlaintextSecretStore");
        Run("New-CalSync -Name Work -Bitrix24Connection portal; New-CalSync -Name Hooked -Bitrix24Connection hook -Direction OutlookToBitrix24");
        _rig.Host.Bitrix24.ExpireAccessTokens(); // the run refreshes: the rotated pair is a secret too
        Run("Start-CalSync -Name Work -InitialMerge TwoWay; Start-CalSync -Name Hooked");
        Run("Get-CalSync | Get-CalSyncHistory; Get-CalSyncConnection; Get-CalSync | Out-Host; Get-CalSyncConnection | Out-Host; Get-CalSyncHistory -Name Work | Out-Host");

        // Errors: a bad webhook, a refused refresh, a lost Graph sign-in, a failing service, a malformed URL.
        // One character off the real secret; the secret is random, so the replacement must differ from its first character.
        var secret = _rig.Host.Bitrix24.WebhookSecret;
        var wrong = _rig.Host.Bitrix24.WebhookUrl.Replace(secret, (secret[0] == 'x' ? 'y' : 'x') + secret[1..], StringComparison.Ordinal);
        Run("Connect-Bitrix24 -Name wrong -WebhookUrl $wrong -AllowPlaintextSecretStore", new Dictionary<string, object?> { ["wrong"] = SandboxFixture.Secure(wrong) });
        Run("Connect-Bitrix24 -Name bad -WebhookUrl $bad -AllowPlaintextSecretStore", new Dictionary<string, object?> { ["bad"] = SandboxFixture.Secure(_rig.Host.Bitrix24.WebhookUrl.Replace("/rest/", "/rust/", StringComparison.Ordinal)) });
        _rig.Host.Bitrix24.Faults.ServerErrorRate = 1;
        Run("Start-CalSync -Name Hooked");
        _rig.Host.Bitrix24.Faults.ServerErrorRate = 0;
        _rig.Host.Bitrix24.ExpireAccessTokens();
        _rig.Host.Bitrix24.RevokeRefreshTokens();
        Run("Start-CalSync -Name Work");
        _rig.Host.Graph.ExpireAccessTokens();
        Run("Start-CalSync -Name Hooked");
        Run("Get-CalSyncHistory -Name * | Out-Host");

        var rotated = Bitrix24Secrets(home);
        var secrets = new Dictionary<string, string>
        {
            ["Graph access token"] = graphToken,
            ["Bitrix24 OAuth access token"] = access,
            ["Bitrix24 OAuth refresh token"] = refresh,
            ["Bitrix24 client secret"] = _rig.Host.Bitrix24.ClientSecret,
            ["Bitrix24 webhook secret"] = _rig.Host.Bitrix24.WebhookSecret,
            ["rotated Bitrix24 access token"] = rotated.Access,
            ["rotated Bitrix24 refresh token"] = rotated.Refresh,
        };
        Assert.NotEqual(refresh, rotated.Refresh); // the refresh really happened

        var streams = _seen.ToString();
        Assert.Contains("SignInRequired", streams);       // the session did produce errors,
        Assert.Contains("Bitrix24ConnectFailed", streams);
        Assert.Contains("WebhookUrlInvalid", streams);
        Assert.Contains("DEBUG", _seen.ToString().ToUpperInvariant()); // and debug and verbose text
        var store = home.AllText(includeSecrets: false);
        var history = string.Join("\n", Directory.GetFiles(home.File("history")).Select(File.ReadAllText));
        Assert.Contains("\"syncName\":\"Work\"", history);
        foreach (var (what, value) in secrets)
        {
            Assert.True(value.Length >= 16, what + " is too short to search for");
            foreach (var form in new[] { value, Uri.EscapeDataString(value) })
            {
                Assert.False(streams.Contains(form, StringComparison.Ordinal), $"{what} in an output stream");
                Assert.False(store.Contains(form, StringComparison.Ordinal), $"{what} in the store (outside secrets/)");
            }
        }

        // The secret store's own files, and the whole store: owner only.
        if (OperatingSystem.IsWindows()) return;
        var secretFiles = Directory.GetFiles(home.File("secrets"));
        Assert.NotEmpty(secretFiles);
        foreach (var dir in Directory.EnumerateDirectories(home.Root, "*", SearchOption.AllDirectories).Append(home.Root))
            Assert.True(File.GetUnixFileMode(dir) == (UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute), $"{dir} is {File.GetUnixFileMode(dir)}");
        foreach (var file in Directory.EnumerateFiles(home.Root, "*", SearchOption.AllDirectories))
            Assert.True(File.GetUnixFileMode(file) == (UnixFileMode.UserRead | UnixFileMode.UserWrite), $"{file} is {File.GetUnixFileMode(file)}");
    }

    /// <summary>The current (rotated) token pair of the connection 'portal', from the secret store's fallback file.</summary>
    private static (string Access, string Refresh) Bitrix24Secrets(StoreHome home)
    {
        var file = Assert.Single(Directory.GetFiles(home.File("secrets"), "portal*"));
        var text = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(file))!["secret"]!.GetValue<string>();
        string Value(string key) => text.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith(key + "=", StringComparison.Ordinal))
            .Select(l => Uri.UnescapeDataString(l[(key.Length + 1)..])).FirstOrDefault() ?? "";
        return (Value("accessToken"), Value("refreshToken"));
    }
}
