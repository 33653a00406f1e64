using System.Management.Automation;
using System.Security;
using CalSync.Sandbox;
using Xunit;

namespace CalSync.Testing;

/// <summary>
/// Both stand-ins, empty, shared by the tests of a class (reset per test), and, for the tests that drive the module,
/// one hosted runspace with CalSync imported. The runspace starts on first use: a test project that references the
/// engine itself must never import the module (the module's assemblies would resolve to that project's copies).
/// </summary>
public sealed class SandboxFixture : IAsyncLifetime
{
    private PsSession? _ps;

    public SandboxHost Host { get; private set; } = null!;
    public PsSession Ps => _ps ??= new PsSession();

    public async Task InitializeAsync() => Host = await SandboxHost.StartAsync(new SandboxOptions { SeedSample = false });

    /// <summary>Empty calendars, default knobs, empty journals, webhook and tokens working again, faults replayable.</summary>
    public void Reset()
    {
        Host.Graph.Reset(clearEvents: true);
        Host.Bitrix24.Reset();
        Host.Graph.Faults.Reseed(1);
        Host.Bitrix24.Faults.Reseed(1);
    }

    /// <summary>Variables for scripts: $graph, $token, $webhook, $authority (SecureStrings built here: ConvertTo-SecureString is not in a default session).</summary>
    public Dictionary<string, object?> Vars() => new()
    {
        ["graph"] = Host.Graph.BaseUrl,
        ["token"] = Secure(Host.Graph.AccessToken),
        ["webhook"] = Secure(Host.Bitrix24.WebhookUrl),
        ["authority"] = Host.Graph.AuthorityUrl,
    };

    /// <summary>Runs a script with <see cref="Vars"/> and <paramref name="more"/> set.</summary>
    public PsResult Run(string script, IDictionary<string, object?>? more = null)
    {
        var vars = Vars();
        foreach (var pair in more ?? new Dictionary<string, object?>()) vars[pair.Key] = pair.Value;
        return Ps.Run(script, vars);
    }

    public static SecureString Secure(string value)
    {
        var s = new SecureString();
        foreach (var c in value) s.AppendChar(c);
        s.MakeReadOnly();
        return s;
    }

    public const string ConnectScript =
        "Connect-OutlookCalendar -Endpoint $graph -AccessToken $token | Out-Null; Connect-Bitrix24 -WebhookUrl $webhook -AllowPlaintextSecretStore | Out-Null";

    /// <summary>Connects both sides (access token for Outlook, webhook for Bitrix24) in the current store.</summary>
    public void ConnectBoth() => Run(ConnectScript).Ok();

    /// <summary>
    /// Another Bitrix24 calendar of the webhook's user (created), as the connection <paramref name="name"/>: a second sync
    /// needs its own pair of calendars (two syncs on one pair are refused, issue 19 case 5).
    /// </summary>
    public void ConnectBitrix24Calendar(string name) =>
        Run($"Connect-Bitrix24 -Name {name} -WebhookUrl $webhook -Calendar {name} -CreateCalendar -AllowPlaintextSecretStore | Out-Null").Ok();

    /// <summary>
    /// Connects Bitrix24 through the OAuth application (a fresh token pair) as connection 'bitrix24', and Outlook with
    /// the access token; returns the pair given (so a test can look for it in the store and the streams).
    /// </summary>
    public (string Access, string Refresh) ConnectOAuth()
    {
        var (access, refresh) = Host.Bitrix24.IssueOAuthTokens();
        Run("Connect-OutlookCalendar -Endpoint $graph -AccessToken $token | Out-Null; " +
            "Connect-Bitrix24 -PortalUrl $portal -ClientCredential $client -RefreshToken $refresh -AccessToken $access -UserId $user -TokenEndpoint $tokenUrl -AllowPlaintextSecretStore | Out-Null",
            OAuthVars(access, refresh)).Ok();
        return (access, refresh);
    }

    public Dictionary<string, object?> OAuthVars(string access, string refresh) => new()
    {
        ["portal"] = Host.Bitrix24.BaseUrl,
        ["client"] = new PSCredential(Host.Bitrix24.ClientId, Secure(Host.Bitrix24.ClientSecret)),
        ["refresh"] = Secure(refresh),
        ["access"] = Secure(access),
        ["tokenUrl"] = Host.Bitrix24.OAuthTokenUrl,
        ["user"] = Host.Bitrix24.UserId,
    };

    public async Task DisposeAsync()
    {
        _ps?.Dispose();
        await Host.DisposeAsync();
    }
}
