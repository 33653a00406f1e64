using System.Runtime.InteropServices;
using CalSync.Engine.Sides;
using CalSync.Store;
using CalSync.Outlook.Auth;
using CalSync.Sandbox.Graph;

namespace CalSync.Outlook.Tests;

public sealed class SignInTests : IDisposable
{
    private readonly string _store = Directory.CreateTempSubdirectory("calsync-outlook-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_store, recursive: true); } catch (IOException) { }
    }

    private OutlookConnectionOptions Options(GraphService g, TokenCacheMode mode = TokenCacheMode.InMemory, List<string>? warnings = null) => new()
    {
        Endpoint = g.BaseUrl,
        ClientId = "11111111-2222-3333-4444-555555555555",
        Authority = g.AuthorityUrl,
        SignInHttpHandlerFactory = g.CreateSignInHttpHandler,
        TokenCacheMode = mode,
        StoreRoot = _store,
        Warn = warnings is null ? null : w => warnings.Add(w),
    };

    [Fact]
    public async Task Device_code_sign_in_then_silent_refresh_after_the_access_token_expires()
    {
        await using var g = await Sandbox.StartAsync();
        g.DeviceCodeIntervalSeconds = 1;
        g.SignInAccessTokenLifetime = TimeSpan.FromSeconds(2);
        var options = Options(g);
        var signIn = await OutlookSignIn.CreateAsync(options);
        DeviceCodePrompt? shown = null;

        var account = await signIn.SignInWithDeviceCodeAsync(p => { shown = p; return Task.CompletedTask; });

        Assert.NotNull(shown);
        Assert.Contains(shown!.UserCode, shown.Message);
        Assert.Equal(g.UserEmail, account.Username, ignoreCase: true);
        Assert.Contains(g.SignInRequests, r => r.Contains("devicecode"));
        using var side = new OutlookCalendarSide(options, signIn);
        Sandbox.Seed(g, "A", "2025-03-10T10:00:00", "2025-03-10T11:00:00");
        Assert.Single((await side.ReadAsync(Sandbox.Window, null, default)).Events);

        await Task.Delay(TimeSpan.FromSeconds(2.5)); // the access token is now rejected by the API too
        var before = g.SignInRequests.Count(r => r.Contains("grant_type=refresh_token"));
        Assert.Single((await side.ReadAsync(Sandbox.Window, null, default)).Events);

        Assert.True(g.SignInRequests.Count(r => r.Contains("grant_type=refresh_token")) > before, string.Join("\n", g.SignInRequests));
    }

    [Fact]
    public async Task A_revoked_access_token_401_is_refreshed_once_and_the_request_resent()
    {
        await using var g = await Sandbox.StartAsync();
        g.DeviceCodeIntervalSeconds = 1;
        var options = Options(g);
        var signIn = await OutlookSignIn.CreateAsync(options);
        await signIn.SignInWithDeviceCodeAsync(_ => Task.CompletedTask);
        using var side = new OutlookCalendarSide(options, signIn);
        await side.ReadAsync(Sandbox.Window, null, default);

        g.ExpireAccessTokens(); // MSAL still thinks its cached token is valid for an hour
        var snapshot = await side.ReadAsync(Sandbox.Window, null, default);

        Assert.NotNull(snapshot.Cursor);
        Assert.Contains(g.SignInRequests, r => r.Contains("grant_type=refresh_token"));
    }

    [Fact]
    public async Task Non_interactive_without_a_cached_sign_in_throws_SignInRequired_naming_the_command()
    {
        await using var g = await Sandbox.StartAsync();
        using var side = await OutlookCalendarSide.ConnectAsync(Options(g));

        var ex = await Assert.ThrowsAsync<SignInRequiredException>(() => side.ReadAsync(Sandbox.Window, null, default));

        Assert.True(ex.IsAuthentication);
        Assert.Equal("Connect-OutlookCalendar", ex.Command);
        Assert.Contains("Connect-OutlookCalendar", ex.Message);
        Assert.Empty(g.SignInRequests.Where(r => r.Contains("devicecode"))); // never prompted
        Assert.IsAssignableFrom<SideUnavailableException>(ex);
    }

    [Fact]
    public async Task Access_token_mode_reads_without_MSAL_and_a_rejected_token_is_an_authentication_failure()
    {
        await using var g = await Sandbox.StartAsync();
        Sandbox.Seed(g, "A", "2025-03-10T10:00:00", "2025-03-10T11:00:00");
        using var side = await OutlookCalendarSide.ConnectAsync(new OutlookConnectionOptions { Endpoint = g.BaseUrl, AccessToken = g.AccessToken });

        Assert.Single((await side.ReadAsync(Sandbox.Window, null, default)).Events);
        Assert.Empty(g.SignInRequests);

        g.ExpireAccessTokens();
        var ex = await Assert.ThrowsAnyAsync<SideUnavailableException>(() => side.ReadAsync(Sandbox.Window, null, default));
        Assert.True(ex.IsAuthentication);
        Assert.Contains("Connect-OutlookCalendar", ex.Message);
        Assert.DoesNotContain(g.AccessToken, ex.Message);
    }

    [Fact]
    public async Task Token_cache_persists_the_sign_in_for_the_next_run_and_the_file_fallback_is_explicit_warned_and_0600()
    {
        await using var g = await Sandbox.StartAsync();
        g.DeviceCodeIntervalSeconds = 1;
        var warnings = new List<string>();
        var first = await OutlookSignIn.CreateAsync(Options(g, TokenCacheMode.KeyStoreOrPlaintextFile, warnings));
        await first.SignInWithDeviceCodeAsync(_ => Task.CompletedTask);

        // a new process: a fresh MSAL application on the same store signs in silently
        var second = await OutlookSignIn.CreateAsync(Options(g, TokenCacheMode.KeyStoreOrPlaintextFile, warnings));
        var account = await second.TrySilentAsync();
        Assert.NotNull(account);
        Assert.Equal(g.UserEmail, account!.Username, ignoreCase: true);

        if (!second.Cache.Protected)
        {
            Assert.NotEmpty(warnings);
            Assert.NotNull(second.Cache.Warning);
            Assert.True(File.Exists(second.Cache.Path));
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(second.Cache.Path!));
            // without the explicit opt-in there is no silent fallback
            await Assert.ThrowsAsync<StoreException>(() => OutlookSignIn.CreateAsync(Options(g, TokenCacheMode.KeyStoreOnly)));
        }
    }
}
