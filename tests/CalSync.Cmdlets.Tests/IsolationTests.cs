using System.Reflection;
using System.Runtime.Loader;
using CalSync.Cmdlets.Tests.Support;
using CalSync.Sandbox;

namespace CalSync.Cmdlets.Tests;

/// <summary>
/// Another module's MSAL in the default load context cannot break CalSync: MSAL 4.61 (the test project's own
/// reference) is loaded first, then CalSync signs in through MSAL 4.92 (device code against the sandbox's sign-in
/// endpoints) and syncs.
/// </summary>
public sealed class IsolationTests
{
    [Fact]
    public async Task An_older_MSAL_in_the_default_context_does_not_stop_Connect_and_Start_CalSync()
    {
        // Another module's MSAL, loaded into the default context before CalSync is imported.
        var other = typeof(Microsoft.Identity.Client.PublicClientApplicationBuilder).Assembly;
        Assert.Equal(new Version(4, 61, 3, 0), other.GetName().Version);
        Assert.Same(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(other));

        await using var sandbox = await SandboxHost.StartAsync(new SandboxOptions { SeedSample = true });
        sandbox.Graph.DeviceCodeIntervalSeconds = 1;
        using var home = new StoreHome();
        using var ps = new PsSession();
        var vars = new Dictionary<string, object?>
        {
            ["graph"] = sandbox.Graph.BaseUrl, ["authority"] = sandbox.Graph.AuthorityUrl,
            ["webhook"] = SandboxFixture.Secure(sandbox.Bitrix24.WebhookUrl),
        };

        var connect = ps.Run("""
            Connect-OutlookCalendar -Endpoint $graph -Authority $authority -ClientId 11111111-2222-3333-4444-555555555555 -UseDeviceCode -AllowPlaintextTokenCache
            Connect-Bitrix24 -WebhookUrl $webhook -AllowPlaintextSecretStore | Out-Null
            New-CalSync -Name Work | Out-Null
            """, vars).Ok();
        Assert.Equal("DeviceCode", (string)connect.First.Auth);
        Assert.Equal(sandbox.Graph.UserEmail, (string)connect.First.Account, ignoreCase: true);
        Assert.Contains(connect.Information, i => i.Contains("code", StringComparison.OrdinalIgnoreCase)); // the device code was shown
        Assert.Contains(sandbox.Graph.SignInRequests, r => r.Contains("devicecode"));

        // A later command signs in silently from the token cache (MSAL again), then syncs.
        var run = ps.Run("Start-CalSync -Name Work -InitialMerge TwoWay").Ok();
        Assert.Equal("Succeeded", run.First.Outcome.ToString());
        Assert.True((int)run.First.Matched >= 1);
        Assert.True((int)run.First.Created >= 1);

        var msal = AppDomain.CurrentDomain.GetAssemblies().Where(a => a.GetName().Name == "Microsoft.Identity.Client").ToList();
        var ours = Assert.Single(msal, a => a.GetName().Version == new Version(4, 92, 0, 0));
        var context = AssemblyLoadContext.GetLoadContext(ours)!;
        Assert.Equal("CalSync", context.Name);
        Assert.Contains(context.Assemblies, a => a.GetName().Name == "CalSync.Outlook");
        Assert.Contains(context.Assemblies, a => a.GetName().Name == "Microsoft.Graph");
        Assert.Contains(msal, a => a == other);
        // The cmdlet assembly itself stays in the default context, where PowerShell loaded it.
        var cmdlets = AppDomain.CurrentDomain.GetAssemblies().Single(a => a.GetName().Name == "CalSync.Cmdlets");
        Assert.Same(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(cmdlets));
    }
}
