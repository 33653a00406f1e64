using CalSync.Sandbox;

namespace CalSync.Cmdlets.Tests.Support;

/// <summary>Both stand-ins, empty, shared by the tests of a class (reset per test), and one hosted runspace with CalSync imported.</summary>
public sealed class SandboxFixture : IAsyncLifetime
{
    public SandboxHost Host { get; private set; } = null!;
    public PsSession Ps { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = await SandboxHost.StartAsync(new SandboxOptions { SeedSample = false });
        Ps = new PsSession();
    }

    public void Reset()
    {
        Host.Graph.Reset(clearEvents: true);
        Host.Bitrix24.Reset();
    }

    /// <summary>Variables for scripts: $graph, $token, $webhook (as SecureString via ConvertTo-SecureString is Utility-only, so built here).</summary>
    public Dictionary<string, object?> Vars() => new()
    {
        ["graph"] = Host.Graph.BaseUrl,
        ["token"] = Secure(Host.Graph.AccessToken),
        ["webhook"] = Secure(Host.Bitrix24.WebhookUrl),
        ["authority"] = Host.Graph.AuthorityUrl,
    };

    public static System.Security.SecureString Secure(string value)
    {
        var s = new System.Security.SecureString();
        foreach (var c in value) s.AppendChar(c);
        s.MakeReadOnly();
        return s;
    }

    /// <summary>Connects both sides (access token for Outlook, webhook for Bitrix24) in the current store.</summary>
    public void ConnectBoth() => Ps.Run(ConnectScript, Vars()).Ok();

    /// <summary>
    /// Another Bitrix24 calendar of the webhook's user (created), as the connection <paramref name="name"/>: a second sync
    /// needs its own pair of calendars (two syncs on one pair are refused, issue 19 case 5).
    /// </summary>
    public void ConnectBitrix24Calendar(string name) =>
        Ps.Run($"Connect-Bitrix24 -Name {name} -WebhookUrl $webhook -Calendar {name} -CreateCalendar -AllowPlaintextSecretStore | Out-Null", Vars()).Ok();

    public const string ConnectScript =
        "Connect-OutlookCalendar -Endpoint $graph -AccessToken $token | Out-Null; Connect-Bitrix24 -WebhookUrl $webhook -AllowPlaintextSecretStore | Out-Null";

    public async Task DisposeAsync()
    {
        Ps.Dispose();
        await Host.DisposeAsync();
    }
}
