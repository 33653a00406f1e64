using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using CalSync.Outlook.Auth;
using CalSync.Sandbox.Graph;
using CalSync.Testing;
using Xunit.Abstractions;

namespace CalSync.Outlook.Tests;

/// <summary>
/// The interactive sign-in through a real system browser: real MSAL.NET opens headless Chromium (through an
/// xdg-open on PATH) on the sandbox's authorize page, whose "user" accepts or declines; MSAL's loopback listener
/// receives the answer and redeems the code with its PKCE verifier.
/// </summary>
[Collection(SystemBrowser.Collection)]
public sealed class BrowserSignInTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _store = Directory.CreateTempSubdirectory("calsync-outlook-").FullName;
    private readonly List<string> _log = new();

    public void Dispose()
    {
        try { Directory.Delete(_store, recursive: true); } catch (IOException) { }
    }

    private OutlookConnectionOptions Options(GraphService g) => new()
    {
        Endpoint = g.BaseUrl,
        ClientId = "11111111-2222-3333-4444-555555555555",
        Authority = g.AuthorityUrl,
        SignInHttpHandlerFactory = g.CreateSignInHttpHandler,
        TokenCacheMode = TokenCacheMode.InMemory,
        StoreRoot = _store,
        Log = m => { lock (_log) _log.Add(m); },
    };

    private static Func<DeviceCodePrompt, Task> Never => _ => throw new Xunit.Sdk.XunitException("the device code flow must not be used");

    private string Diagnostics(GraphService g, SystemBrowser browser) =>
        "sign-in requests:\n" + string.Join("\n", g.SignInRequests) + "\nChromium:\n" + browser.Log + "\nMSAL:\n" + string.Join("\n", _log.TakeLast(30));

    [LinuxFact]
    public async Task Browser_sign_in_redeems_the_code_with_PKCE_then_silent_sign_in_and_Graph_reads_work()
    {
        await using var g = await Sandbox.StartAsync();
        using var browser = SystemBrowser.Install();
        var options = Options(g);
        var signIn = await OutlookSignIn.CreateAsync(options);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));

        OutlookAccount account;
        try { account = await signIn.SignInInteractiveAsync(useDeviceCode: false, Never, timeout.Token); }
        catch (Exception e) { throw new Xunit.Sdk.XunitException(e + "\n" + Diagnostics(g, browser)); }
        output.WriteLine(string.Join("\n", g.SignInRequests));

        Assert.Equal(1, browser.Opened);
        Assert.Equal(g.UserEmail, account.Username, ignoreCase: true);
        var requests = g.SignInRequests;
        var authorize = Assert.Single(requests, r => r.StartsWith("GET /consumers/oauth2/v2.0/authorize?", StringComparison.Ordinal));
        var query = authorize[(authorize.IndexOf('?') + 1)..].Split('&');
        Assert.Contains("response_type=code", query);
        Assert.Contains("code_challenge_method=S256", query);
        Assert.Contains("code_challenge", query); // logged by name only
        Assert.Contains("state", query);
        Assert.Matches(@"^redirect_uri=http://localhost:\d+$", Assert.Single(query, p => p.StartsWith("redirect_uri=", StringComparison.Ordinal)));
        Assert.Contains("POST /consumers/oauth2/v2.0/authorize decision=accept", requests);
        // MSAL adds ?haschrome=1 to the token request; the redemption carries the PKCE verifier and the same redirect URI
        var redeem = requests.ToList().FindIndex(r => r.StartsWith("POST /consumers/oauth2/v2.0/token", StringComparison.Ordinal) && r.Contains(" grant_type=authorization_code"));
        Assert.True(redeem > requests.ToList().IndexOf(authorize), string.Join("\n", requests));
        Assert.Contains("code, code_verifier", requests[redeem]);
        Assert.Contains("redirect_uri", requests[redeem]);
        Assert.DoesNotContain(requests, r => r.Contains("devicecode"));
        // MSAL logged the authorize URL; what reaches CalSync's log has its state and PKCE challenge blanked
        Assert.Contains(_log, m => m.Contains("state=***") && m.Contains("code_challenge=***"));
        Assert.DoesNotContain(_log, m => System.Text.RegularExpressions.Regex.IsMatch(m, @"[?&](state|code_challenge|code|login_hint)=(?!\*\*\*)"));

        // the sign-in is in the token cache: silent sign-in and Graph calls need no browser
        var silent = await signIn.TrySilentAsync();
        Assert.NotNull(silent);
        Assert.Equal(account.HomeAccountId, silent!.HomeAccountId);
        Sandbox.Seed(g, "After browser sign-in", "2025-03-10T10:00:00", "2025-03-10T11:00:00");
        using var side = new OutlookCalendarSide(options, signIn);
        var read = await side.ReadAsync(Sandbox.Window, null, default);
        Assert.Equal("After browser sign-in", Assert.Single(read.Events).Title);
        Assert.Equal(1, browser.Opened);
        Assert.Single(g.SignInRequests, r => r.Contains("grant_type=authorization_code"));
    }

    [LinuxTheory]
    [InlineData(false)] // DISPLAY is set, so the browser is tried, but there is no xdg-open (or the like) on PATH
    [InlineData(true)] // run with sudo: MSAL will not open a browser as root for another user
    public async Task When_MSAL_cannot_open_a_browser_the_device_code_is_used(bool sudo)
    {
        await using var g = await Sandbox.StartAsync();
        g.DeviceCodeIntervalSeconds = 1;
        using var browser = SystemBrowser.Install(withOpener: sudo);
        if (sudo) Environment.SetEnvironmentVariable("SUDO_USER", "someone"); // restored by the browser's dispose
        var signIn = await OutlookSignIn.CreateAsync(Options(g));
        DeviceCodePrompt? shown = null;

        var account = await signIn.SignInInteractiveAsync(false, p => { shown = p; return Task.CompletedTask; });

        Assert.NotNull(shown);
        Assert.Equal(g.UserEmail, account.Username, ignoreCase: true);
        Assert.Contains(_log, m => m.Contains("falling back to the device code flow") && m.Contains("linux_xdg_open_failed"));
        Assert.DoesNotContain(g.SignInRequests, r => r.Contains("/authorize"));
        Assert.Contains(g.SignInRequests, r => r.Contains("grant_type=device_code"));
        Assert.Equal(0, browser.Opened);
    }

    [LinuxFact]
    public async Task Without_a_display_the_device_code_is_used_and_no_browser_is_started()
    {
        await using var g = await Sandbox.StartAsync();
        g.DeviceCodeIntervalSeconds = 1;
        using var browser = SystemBrowser.Install();
        SystemBrowser.ClearDisplay(); // e.g. a server over SSH
        var signIn = await OutlookSignIn.CreateAsync(Options(g));
        DeviceCodePrompt? shown = null;

        var account = await signIn.SignInInteractiveAsync(false, p => { shown = p; return Task.CompletedTask; });

        Assert.NotNull(shown);
        Assert.Equal(g.UserEmail, account.Username, ignoreCase: true);
        Assert.Equal(0, browser.Opened);
        Assert.DoesNotContain(g.SignInRequests, r => r.Contains("/authorize"));
    }

    [LinuxFact]
    public async Task Declining_in_the_browser_is_a_clear_error_and_does_not_fall_back_to_the_device_code()
    {
        await using var g = await Sandbox.StartAsync();
        g.BrowserSignInDeclines = true;
        using var browser = SystemBrowser.Install();
        var signIn = await OutlookSignIn.CreateAsync(Options(g));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));

        var ex = await Assert.ThrowsAsync<SignInDeclinedException>(() => signIn.SignInInteractiveAsync(false, Never, timeout.Token));
        output.WriteLine(ex.Message);

        Assert.Contains("declined", ex.Message);
        Assert.Contains("access_denied", ex.Message);
        Assert.Contains("Connect-OutlookCalendar", ex.Message);
        Assert.DoesNotContain("\n", ex.Message);
        Assert.Equal(1, browser.Opened);
        Assert.Contains("POST /consumers/oauth2/v2.0/authorize decision=decline", g.SignInRequests);
        Assert.DoesNotContain(g.SignInRequests, r => r.Contains("devicecode") || r.Contains("/token"));
        Assert.Null(await signIn.TrySilentAsync());
    }

    [LinuxFact]
    public async Task Cancelling_while_the_browser_is_open_ends_the_sign_in_promptly_and_stops_the_loopback_listener()
    {
        await using var g = await Sandbox.StartAsync();
        using var browser = SystemBrowser.Install();
        var signIn = await OutlookSignIn.CreateAsync(Options(g));
        using var cancel = new CancellationTokenSource();
        // The "user" never answers: the page the browser shows stays open (it would decline, but only after the wait).
        g.BrowserSignInDeclines = true;
        g.BrowserSignInDelay = TimeSpan.FromMinutes(5);

        var signingIn = signIn.SignInInteractiveAsync(false, Never, cancel.Token);
        await WaitUntilAsync(() => g.SignInRequests.Any(r => r.StartsWith("GET /consumers/oauth2/v2.0/authorize?", StringComparison.Ordinal)), TimeSpan.FromSeconds(60), () => Diagnostics(g, browser));
        var port = new Uri(RedirectUri(g)).Port;
        // MSAL's loopback listener is up (a bare TCP connect: a request would be taken as the browser's answer)
        using (var probe = new TcpClient()) await probe.ConnectAsync(IPAddress.Loopback, port);
        var clock = Stopwatch.StartNew();
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => signingIn);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        using (var probe = new TcpClient())
            await Assert.ThrowsAnyAsync<SocketException>(() => probe.ConnectAsync(IPAddress.Loopback, port));
        Assert.DoesNotContain(g.SignInRequests, r => r.Contains("/token") || r.Contains("devicecode"));
    }

    private static string RedirectUri(GraphService g)
    {
        var authorize = g.SignInRequests.First(r => r.StartsWith("GET /consumers/oauth2/v2.0/authorize?", StringComparison.Ordinal));
        return authorize.Split('?', 2)[1].Split('&').Single(p => p.StartsWith("redirect_uri=", StringComparison.Ordinal))["redirect_uri=".Length..];
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> diagnostics)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException(diagnostics());
            await Task.Delay(100);
        }
    }
}
