using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Security;
using CalSync.QuickStart;
using CalSync.Sandbox;

// The quick start: both stand-ins with sample meetings, a throw-away store, and a short CalSync session in the real
// PowerShell 7.6 engine (hosted here), printed as a PowerShell user would see it.
var root = FindRoot();
var manifest = Path.Combine(root, "out", "CalSync", "CalSync.psd1");
if (!File.Exists(manifest))
{
    Console.Error.WriteLine($"The module is not built ({manifest}). Run: dotnet build CalSync.sln");
    return 2;
}
var home = Directory.CreateTempSubdirectory("calsync-quickstart-").FullName;
Environment.SetEnvironmentVariable("CALSYNC_HOME", home);

await using var sandbox = await SandboxHost.StartAsync(new SandboxOptions { SeedSample = true });
Console.WriteLine("CalSync quick start");
Console.WriteLine($"  Outlook.com stand-in (Graph): {sandbox.Graph.BaseUrl}");
Console.WriteLine($"  Bitrix24 stand-in:            {sandbox.Bitrix24.BaseUrl}");
Console.WriteLine($"  CalSync store (CALSYNC_HOME): {home}");
Console.WriteLine();

var iss = InitialSessionState.CreateDefault2();
iss.ImportPSModule(new[] { manifest });
iss.Variables.Add(new SessionStateVariableEntry("graph", sandbox.Graph.BaseUrl, "Graph stand-in"));
iss.Variables.Add(new SessionStateVariableEntry("token", Secure(sandbox.Graph.AccessToken), "Graph stand-in access token"));
iss.Variables.Add(new SessionStateVariableEntry("webhook", Secure(sandbox.Bitrix24.WebhookUrl), "Bitrix24 stand-in webhook URL"));
using var runspace = RunspaceFactory.CreateRunspace(ScriptHost.ForConsole(), iss);
runspace.Open();

string[] session =
{
    "Connect-OutlookCalendar -Endpoint $graph -AccessToken $token",
    "Connect-Bitrix24 -WebhookUrl $webhook -AllowPlaintextSecretStore",
    "New-CalSync -Name Demo",
    "Start-CalSync -Name Demo -InitialMerge TwoWay -WhatIf",
    "Start-CalSync -Name Demo -InitialMerge TwoWay",
    "Start-CalSync -Name Demo",
    "Get-CalSyncHistory -Name Demo",
};
var failed = false;
foreach (var command in session)
{
    Console.WriteLine("PS> " + command);
    using var ps = PowerShell.Create();
    ps.Runspace = runspace;
    ps.AddScript(command + " | Out-Default");
    try { ps.Invoke(); }
    catch (RuntimeException e) { Console.WriteLine(e.ErrorRecord?.ToString() ?? e.Message); failed = true; }
    foreach (var error in ps.Streams.Error) { Console.WriteLine($"{error} [{error.FullyQualifiedErrorId}]"); failed = true; }
}
Console.WriteLine($"Outlook now has {sandbox.Graph.GetEvents().Count} meetings, Bitrix24 {sandbox.Bitrix24.GetEvents().Count}.");
Console.WriteLine("Try it yourself: every command above works the same in pwsh against your real calendars (see README.md).");
try { Directory.Delete(home, recursive: true); } catch (IOException) { }
return failed ? 1 : 0;

static SecureString Secure(string value)
{
    var s = new SecureString();
    foreach (var c in value) s.AppendChar(c);
    s.MakeReadOnly();
    return s;
}

static string FindRoot()
{
    foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CalSync.sln"))) return dir.FullName;
    throw new InvalidOperationException("Run the quick start from the CalSync repository (CalSync.sln not found).");
}
