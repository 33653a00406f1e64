using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CalSync.Reliability.Tests.Support;

namespace CalSync.Reliability.Tests.Safety;

/// <summary>
/// The Linux key store for real: gnome-keyring (Secret Service) through libsecret, on a private session bus
/// (<see cref="PrivateKeyring"/>). The module runs in child processes started with the keyring's environment
/// (libsecret reads the bus address from the native environment): an interactive one signs in with a device code
/// and saves the webhook, a non-interactive one (like a scheduled task) then signs in silently from the keyring.
/// Without a working key store the connect commands fail with KeyStoreUnavailable naming the fix, or, opted in,
/// warn and keep 0600 files. Linux only: DPAPI and the Keychain cannot run here.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class OsKeyStoreTests : IClassFixture<SandboxFixture>
{
    private const string ClientId = "11111111-2222-3333-4444-555555555555";

    private const string DeviceCodeSignIn =
        "Connect-OutlookCalendar -Endpoint $graph -Authority $authority -ClientId " + ClientId + " -UseDeviceCode";

    private const string ListConnections =
        "Get-CalSyncConnection | ForEach-Object { \"CONNECTION $($_.Name) $($_.Protection)\" }";

    private readonly SandboxFixture _rig;
    private readonly ITestOutputHelper _output;

    public OsKeyStoreTests(SandboxFixture rig, ITestOutputHelper output)
    {
        _rig = rig;
        _output = output;
        _rig.Reset();
        _rig.Host.Graph.DeviceCodeIntervalSeconds = 1;
        _rig.Host.Graph.SignInAccessTokenLifetime = TimeSpan.FromHours(1);
    }

    [LinuxFact]
    public async Task Device_code_sign_in_and_webhook_go_to_the_Secret_Service_and_no_file_holds_a_token_or_the_webhook()
    {
        using var keyring = PrivateKeyring.Start();
        using var home = new StoreHome();
        var titles = Meetings.SeedMerge(_rig.Host, 4);

        var child = Run(home, interactive: true, keyring.Environment, $"""
            {DeviceCodeSignIn} | Out-Null
            Connect-Bitrix24 -WebhookUrl $webhook | Out-Null
            New-CalSync -Name Work | Out-Null
            Start-CalSync -Name Work -InitialMerge TwoWay
            {ListConnections}
            """);

        Assert.Equal(0, child.ExitCode);
        Assert.DoesNotContain(child.Lines, l => l.StartsWith("WARN ", StringComparison.Ordinal) || l.StartsWith("ERR ", StringComparison.Ordinal) || l.StartsWith("TERM ", StringComparison.Ordinal));
        Assert.Contains("OUT CONNECTION outlook OsKeyStore", child.Lines);
        Assert.Contains("OUT CONNECTION bitrix24 OsKeyStore", child.Lines);
        Assert.Empty(Invariants.Check(_rig.Host, home.Root, titles)); // the run used both secrets
        Assert.Contains(_rig.Host.Graph.SignInRequests, r => r.Contains("devicecode", StringComparison.Ordinal));
        foreach (var name in new[] { "outlook", "bitrix24" })
            Assert.Equal("OsKeyStore", Connection(home, name)["settings"]?["keyStore"]?.GetValue<string>());

        // Both items are in the keyring, under this store's tag, and hold the live secrets.
        var tag = StoreTag(home.Root);
        var (items, attributes) = keyring.Search("calsync.store", tag, "calsync.tokencache", "outlook");
        Assert.Contains("label = CalSync token cache outlook", items);
        Assert.Contains("attribute.calsync.store = " + tag, attributes);
        (items, attributes) = keyring.Search("calsync.store", tag, "calsync.key", "bitrix24");
        Assert.Contains("label = CalSync secret bitrix24", items);
        var cache = TokenCache(keyring, home);
        var webhookItem = Decode(keyring.Lookup("calsync.store", tag, "calsync.key", "bitrix24"));
        Assert.Contains(Uri.EscapeDataString(_rig.Host.Bitrix24.WebhookUrl), webhookItem);
        await AssertIssuedBySandbox(cache.Access, cache.Refresh);

        AssertNoFileHolds(home, new Dictionary<string, string>
        {
            ["Graph access token"] = cache.Access,
            ["Graph refresh token"] = cache.Refresh,
            ["Bitrix24 webhook secret"] = _rig.Host.Bitrix24.WebhookSecret,
            ["token cache as kept in the keyring"] = keyring.Lookup("calsync.store", tag, "calsync.tokencache", "outlook")!,
        });
        AssertNoProbeLeftBehind(keyring, home);
    }

    [LinuxFact]
    public void A_non_interactive_run_signs_in_silently_from_the_keyring_and_refreshes_the_expired_access_token()
    {
        using var keyring = PrivateKeyring.Start();
        using var home = new StoreHome();
        var titles = Meetings.SeedMerge(_rig.Host, 4);
        _rig.Host.Graph.SignInAccessTokenLifetime = TimeSpan.FromSeconds(1); // the signed-in access token is dead by the run
        var connect = Run(home, interactive: true, keyring.Environment, $"""
            {DeviceCodeSignIn} | Out-Null
            Connect-Bitrix24 -WebhookUrl $webhook | Out-Null
            New-CalSync -Name Work | Out-Null
            """);
        Assert.Equal(0, connect.ExitCode);
        _rig.Host.Graph.SignInAccessTokenLifetime = TimeSpan.FromHours(1);
        var before = TokenCache(keyring, home);
        var refreshes = RefreshGrants();
        Thread.Sleep(TimeSpan.FromSeconds(1.5));

        // A scheduled task: the Default Host (no one to sign in), the same user's keyring, nothing else.
        var run = Run(home, interactive: false, keyring.Environment, "Start-CalSync -Name Work -InitialMerge TwoWay");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains(run.Lines, l => l.StartsWith("OUT Succeeded", StringComparison.Ordinal));
        Assert.DoesNotContain(run.Lines, l => l.StartsWith("WARN ", StringComparison.Ordinal) || l.StartsWith("ERR ", StringComparison.Ordinal));
        Assert.Empty(Invariants.Check(_rig.Host, home.Root, titles));
        // The refresh token came out of the keyring: the sandbox saw it redeemed, and the new pair went back in.
        Assert.True(RefreshGrants() > refreshes, string.Join("\n", _rig.Host.Graph.SignInRequests));
        var after = TokenCache(keyring, home);
        Assert.NotEqual(before.Refresh, after.Refresh);
        AssertNoFileHolds(home, new Dictionary<string, string>
        {
            ["first refresh token"] = before.Refresh, ["refreshed refresh token"] = after.Refresh,
            ["refreshed access token"] = after.Access, ["Bitrix24 webhook secret"] = _rig.Host.Bitrix24.WebhookSecret,
        });
    }

    [LinuxTheory]
    [InlineData("no session bus")]
    [InlineData("locked collection")]
    public void Without_a_working_key_store_the_connect_commands_fail_naming_the_fix_and_keep_no_secret(string why)
    {
        using var keyring = PrivateKeyring.Start();
        using var home = new StoreHome();
        var environment = new Dictionary<string, string?>(keyring.Environment);
        if (why == "no session bus") environment["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=" + Path.Combine(keyring.Root, "no-bus");
        else keyring.Lock();
        var deviceCodes = _rig.Host.Graph.SignInRequests.Count(r => r.Contains("devicecode", StringComparison.Ordinal));

        var child = Run(home, interactive: true, environment, $$"""
            foreach ($step in { {{DeviceCodeSignIn}} }, { Connect-Bitrix24 -WebhookUrl $webhook }) {
                try { & $step | Out-Null; 'CONNECTED' } catch { "FAILED $($_.FullyQualifiedErrorId.Split(',')[0]) $($_.Exception.Message)" }
            }
            """);

        Assert.Equal(0, child.ExitCode);
        var failures = child.Lines.Where(l => l.StartsWith("OUT FAILED CalSync.Store.KeyStoreUnavailable ", StringComparison.Ordinal)).ToList();
        Assert.True(failures.Count == 2, child.Transcript);
        Assert.Contains("-AllowPlaintextTokenCache", failures[0]);
        Assert.Contains("-AllowPlaintextSecretStore", failures[1]);
        // libsecret's own reason, not Extensions.Msal's wrapping of it; then what to do.
        var reason = why == "no session bus" ? "(libsecret: Could not connect: No such file or directory)" : "(libsecret: Cannot create an item in a locked collection)";
        Assert.All(failures, f => Assert.Contains(reason, f));
        Assert.All(failures, f => Assert.Contains("install and unlock a Secret Service keyring", f));
        Assert.DoesNotContain(child.Lines, l => l.Contains("CONNECTED", StringComparison.Ordinal) || l.StartsWith("WARN ", StringComparison.Ordinal));
        // Nothing was signed in, saved or written anywhere.
        Assert.Equal(deviceCodes, _rig.Host.Graph.SignInRequests.Count(r => r.Contains("devicecode", StringComparison.Ordinal)));
        Assert.False(Directory.Exists(home.File("connections")) && Directory.EnumerateFiles(home.File("connections")).Any());
        Assert.All(Files(home), f => Assert.Equal(0, new FileInfo(f).Length));
        AssertNoFileHolds(home, new Dictionary<string, string> { ["Bitrix24 webhook secret"] = _rig.Host.Bitrix24.WebhookSecret });
        if (why == "locked collection") Assert.True(keyring.IsLocked());
    }

    [LinuxFact]
    public void Opted_in_without_a_key_store_the_sign_in_cache_and_the_webhook_are_warned_0600_files()
    {
        using var keyring = PrivateKeyring.Start();
        using var home = new StoreHome();
        var titles = Meetings.SeedMerge(_rig.Host, 2);
        var environment = new Dictionary<string, string?>(keyring.Environment) { ["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=" + Path.Combine(keyring.Root, "no-bus") };

        var child = Run(home, interactive: true, environment, $"""
            {DeviceCodeSignIn} -AllowPlaintextTokenCache | Out-Null
            Connect-Bitrix24 -WebhookUrl $webhook -AllowPlaintextSecretStore | Out-Null
            New-CalSync -Name Work | Out-Null
            Start-CalSync -Name Work -InitialMerge TwoWay
            Start-CalSync -Name Work | Out-Null
            {ListConnections}
            """);

        Assert.Equal(0, child.ExitCode);
        // Warned once per connection, when it was made: runs do not repeat it (issue 18, case 6).
        var warnings = child.Lines.Where(l => l.StartsWith("WARN ", StringComparison.Ordinal)).ToList();
        Assert.True(warnings.Count == 2 && warnings.All(w => w.Contains("UNENCRYPTED", StringComparison.Ordinal) && w.Contains(home.File("secrets"), StringComparison.Ordinal)), child.Transcript);
        Assert.Contains("OUT CONNECTION outlook PlaintextFile", child.Lines);
        Assert.Contains("OUT CONNECTION bitrix24 PlaintextFile", child.Lines);
        Assert.Empty(Invariants.Check(_rig.Host, home.Root, titles));
        var cacheFile = home.File("secrets", "outlook.msalcache.bin");
        var secretFile = home.File("secrets", "bitrix24.secret.json");
        Assert.Contains("\"RefreshToken\"", File.ReadAllText(cacheFile)); // the plaintext cache really is the cache,
        Assert.Contains(Uri.EscapeDataString(_rig.Host.Bitrix24.WebhookSecret), File.ReadAllText(secretFile));
        foreach (var file in new[] { cacheFile, secretFile }) // and only its owner can read it
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(home.File("secrets")));
        Assert.Empty(keyring.Search("calsync.store", StoreTag(home.Root)).Items); // and the keyring was never written
    }

    [LinuxFact]
    public void The_plaintext_switches_only_allow_a_fallback_a_working_keyring_is_still_used()
    {
        using var keyring = PrivateKeyring.Start();
        using var home = new StoreHome();

        var child = Run(home, interactive: true, keyring.Environment, $"""
            {DeviceCodeSignIn} -AllowPlaintextTokenCache | Out-Null
            Connect-Bitrix24 -WebhookUrl $webhook -AllowPlaintextSecretStore | Out-Null
            {ListConnections}
            """);

        Assert.Equal(0, child.ExitCode);
        Assert.DoesNotContain(child.Lines, l => l.StartsWith("WARN ", StringComparison.Ordinal) || l.StartsWith("ERR ", StringComparison.Ordinal));
        Assert.Contains("OUT CONNECTION outlook OsKeyStore", child.Lines);
        Assert.Contains("OUT CONNECTION bitrix24 OsKeyStore", child.Lines);
        var cache = TokenCache(keyring, home);
        AssertNoFileHolds(home, new Dictionary<string, string>
        {
            ["Graph refresh token"] = cache.Refresh, ["Bitrix24 webhook secret"] = _rig.Host.Bitrix24.WebhookSecret,
        });
    }

    [LinuxFact]
    public void Disconnecting_takes_the_webhook_and_the_signed_in_tokens_out_of_the_keyring()
    {
        using var keyring = PrivateKeyring.Start();
        using var home = new StoreHome();
        var tag = StoreTag(home.Root);
        Assert.Equal(0, Run(home, interactive: true, keyring.Environment, $"""
            {DeviceCodeSignIn} | Out-Null
            Connect-Bitrix24 -WebhookUrl $webhook | Out-Null
            """).ExitCode);
        Assert.NotNull(keyring.Lookup("calsync.store", tag, "calsync.key", "bitrix24"));
        Assert.NotEmpty(TokenCacheJson(keyring, home)["RefreshToken"]!.AsObject());

        var child = Run(home, interactive: false, keyring.Environment, "Disconnect-OutlookCalendar; Disconnect-Bitrix24");

        Assert.Equal(0, child.ExitCode);
        Assert.DoesNotContain(child.Lines, l => l.StartsWith("WARN ", StringComparison.Ordinal) || l.StartsWith("ERR ", StringComparison.Ordinal));
        Assert.Null(keyring.Lookup("calsync.store", tag, "calsync.key", "bitrix24"));
        // MSAL writes the emptied cache back: no account and no token left in it.
        if (keyring.Lookup("calsync.store", tag, "calsync.tokencache", "outlook") is not null)
            foreach (var section in new[] { "RefreshToken", "AccessToken", "Account", "IdToken" })
                Assert.Empty(TokenCacheJson(keyring, home)[section]?.AsObject() ?? new JsonObject());
    }

    // ---- helpers -------------------------------------------------------------------------------

    private sealed record Finished(int ExitCode, IReadOnlyList<string> Lines, string Transcript);

    /// <summary>Runs <paramref name="script"/> in a child with the keyring's environment; interactive: a host UI (a person at a prompt).</summary>
    private Finished Run(StoreHome home, bool interactive, IReadOnlyDictionary<string, string?> keyringEnvironment, string script)
    {
        var environment = new Dictionary<string, string?>(keyringEnvironment) { ["CALSYNC_CHILD_HOST"] = interactive ? "interactive" : null };
        using var child = ChildProcess.Start(_rig.Host, home.Root, script, environment);
        var exited = child.WaitForExit(TimeSpan.FromMinutes(4));
        _output.WriteLine((interactive ? "interactive" : "non-interactive") + " child:\n" + child.Transcript);
        Assert.True(exited, "the child did not end: " + child.Transcript);
        return new Finished(child.ExitCode, child.Lines, child.Transcript);
    }

    private static JsonNode Connection(StoreHome home, string name) =>
        JsonNode.Parse(File.ReadAllText(home.File("connections", name + ".json")))!;

    /// <summary>The tokens in the MSAL cache kept in the keyring for the connection 'outlook'.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static (string Access, string Refresh) TokenCache(PrivateKeyring keyring, StoreHome home)
    {
        var json = TokenCacheJson(keyring, home);
        string Single(string section) => Assert.Single(json[section]!.AsObject()).Value!["secret"]!.GetValue<string>();
        return (Single("AccessToken"), Single("RefreshToken"));
    }

    /// <summary>The MSAL cache (JSON) kept in the keyring for the connection 'outlook'.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static JsonNode TokenCacheJson(PrivateKeyring keyring, StoreHome home) =>
        JsonNode.Parse(Decode(keyring.Lookup("calsync.store", StoreTag(home.Root), "calsync.tokencache", "outlook")))!;

    /// <summary>Extensions.Msal keeps data in libsecret as base64 text.</summary>
    private static string Decode(string? item)
    {
        Assert.False(string.IsNullOrEmpty(item), "no such item in the keyring");
        return Encoding.UTF8.GetString(Convert.FromBase64String(item!));
    }

    /// <summary>The store's key store tag (CalSync.Engine's SecretStore.StoreTag): 6 bytes of SHA-256 of the root, hex.</summary>
    private static string StoreTag(string root) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(root.TrimEnd('/', '\\'))), 0, 6).ToLowerInvariant();

    private int RefreshGrants() => _rig.Host.Graph.SignInRequests.Count(r => r.Contains("grant_type=refresh_token", StringComparison.Ordinal));

    /// <summary>The tokens found in the keyring are the sandbox's: Graph takes the access token, the token endpoint the refresh token.</summary>
    private async Task AssertIssuedBySandbox(string access, string refresh)
    {
        using var graph = new HttpClient();
        using var read = new HttpRequestMessage(HttpMethod.Get, _rig.Host.Graph.BaseUrl + "/me/calendars");
        read.Headers.Authorization = new AuthenticationHeaderValue("Bearer", access);
        Assert.True((await graph.SendAsync(read)).IsSuccessStatusCode, "Graph refused the access token from the keyring");
        using var signIn = new HttpClient(_rig.Host.Graph.CreateSignInHttpHandler());
        using var redeem = await signIn.PostAsync(_rig.Host.Graph.AuthorityUrl + "/oauth2/v2.0/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token", ["client_id"] = ClientId, ["refresh_token"] = refresh, ["scope"] = "Calendars.ReadWrite offline_access",
        }));
        Assert.True(redeem.IsSuccessStatusCode, "the sign-in endpoint refused the refresh token from the keyring");
    }

    private static IEnumerable<string> Files(StoreHome home) => Directory.EnumerateFiles(home.Root, "*", SearchOption.AllDirectories);

    /// <summary>No file under the store, secrets/ included, holds any of <paramref name="secrets"/> (as is or URL-escaped).</summary>
    private static void AssertNoFileHolds(StoreHome home, IReadOnlyDictionary<string, string> secrets)
    {
        var files = Files(home).ToDictionary(f => f, File.ReadAllText);
        foreach (var (what, value) in secrets)
        {
            Assert.True(value.Length >= 16, what + " is too short to search for");
            foreach (var (file, text) in files)
                Assert.False(text.Contains(value, StringComparison.Ordinal) || text.Contains(Uri.EscapeDataString(value), StringComparison.Ordinal),
                    $"{what} is in {Path.GetRelativePath(home.Root, file)}");
        }
    }

    /// <summary>The key store checks (Extensions.Msal's VerifyPersistence and CalSync's own probe) clean up after themselves.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static void AssertNoProbeLeftBehind(PrivateKeyring keyring, StoreHome home)
    {
        Assert.Empty(keyring.Search("calsync.store", "test").Items);
        var tagged = keyring.Search("calsync.store", StoreTag(home.Root)).Items;
        Assert.Equal(2, tagged.Split('\n').Count(l => l.StartsWith("label = ", StringComparison.Ordinal)));
        Assert.DoesNotContain(Files(home), f => Path.GetFileName(f).Contains("probe", StringComparison.Ordinal) || f.EndsWith(".test", StringComparison.Ordinal));
    }
}
