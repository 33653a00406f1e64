using CalSync.Sandbox;

namespace CalSync.Cmdlets.Tests.Support;

/// <summary>
/// What a browser sign-in test needs: both stand-ins (empty), a fresh store, headless Chromium as the system browser
/// (unless <c>withBrowser</c> is false) and a hosted runspace. Use it in the <see cref="SystemBrowser.Collection"/> collection.
/// </summary>
public sealed class BrowserRig : IAsyncDisposable
{
    private BrowserRig(SandboxHost sandbox, bool withBrowser)
    {
        Sandbox = sandbox;
        Home = new StoreHome();
        Browser = withBrowser ? SystemBrowser.Install() : null;
        Ps = new PsSession();
    }

    public SandboxHost Sandbox { get; }
    public StoreHome Home { get; }
    public SystemBrowser? Browser { get; }
    public PsSession Ps { get; }

    public static async Task<BrowserRig> StartAsync(bool withBrowser = true) =>
        new(await SandboxHost.StartAsync(new SandboxOptions { SeedSample = false }), withBrowser);

    public async ValueTask DisposeAsync()
    {
        Ps.Dispose();
        Browser?.Dispose();
        Home.Dispose();
        await Sandbox.DisposeAsync();
    }
}
