using System.Collections.Concurrent;
using System.Diagnostics;
using CalSync.Sandbox;

namespace CalSync.Reliability.Tests.Support;

/// <summary>
/// A CalSync script run in a child process (this assembly in child mode, see <see cref="Program"/>) against the
/// sandbox of the test process; <see cref="Kill"/> is SIGKILL (Process.Kill), not an exception: no finally block,
/// no dispose, no flush runs in the child.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            _lines.Enqueue(e.Data);
            if (e.Data == "READY") _ready.TrySetResult();
        };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _lines.Enqueue("STDERR " + e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>
    /// A child that imports the module and warms up (connects and plans a -WhatIf run in a store of its own, reading
    /// the sandbox only), then waits: <see cref="Go"/> gives it the store to run <paramref name="script"/> in.
    /// </summary>
    public static ChildProcess StartWarm(SandboxHost host, string warmStoreRoot, string script) =>
        Start(host, warmStoreRoot, script, warm: true);

    /// <summary>Starts the script in the store at <paramref name="storeRoot"/> now.</summary>
    public static ChildProcess Start(SandboxHost host, string storeRoot, string script) => Start(host, storeRoot, script, warm: false);

    /// <summary>
    /// Starts the script now with <paramref name="environment"/> on top of the usual one (a null value removes the
    /// variable): native code such as libsecret reads the process environment, which only a new process can change.
    /// </summary>
    public static ChildProcess Start(SandboxHost host, string storeRoot, string script, IReadOnlyDictionary<string, string?> environment) =>
        Start(host, storeRoot, script, warm: false, environment);

    private static ChildProcess Start(SandboxHost host, string storeRoot, string script, bool warm, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var directory = AppContext.BaseDirectory;
        var apphost = Path.Combine(directory, OperatingSystem.IsWindows() ? "CalSync.Reliability.Tests.exe" : "CalSync.Reliability.Tests");
        var info = File.Exists(apphost)
            ? new ProcessStartInfo(apphost)
            : new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet") { ArgumentList = { Path.Combine(directory, "CalSync.Reliability.Tests.dll") } };
        info.ArgumentList.Add(Program.ChildSwitch);
        info.ArgumentList.Add(script);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.RedirectStandardInput = true;
        if (warm)
        {
            info.Environment["CALSYNC_CHILD_WAIT"] = "1";
            info.Environment["CALSYNC_CHILD_WARMUP"] =
                "Connect-OutlookCalendar -Endpoint $graph -AccessToken $token | Out-Null; Connect-Bitrix24 -WebhookUrl $webhook -AllowPlaintextSecretStore | Out-Null\n" +
                "if (-not (Get-CalSync -Name Warm -ErrorAction SilentlyContinue)) { New-CalSync -Name Warm | Out-Null }\n" +
                "Start-CalSync -Name Warm -InitialMerge TwoWay -WhatIf";
        }
        info.UseShellExecute = false;
        info.Environment["CALSYNC_HOME"] = storeRoot;
        info.Environment["CALSYNC_CHILD_MANIFEST"] = Paths.Manifest;
        info.Environment["CALSYNC_CHILD_GRAPH"] = host.Graph.BaseUrl;
        info.Environment["CALSYNC_CHILD_AUTHORITY"] = host.Graph.AuthorityUrl;
        info.Environment["CALSYNC_CHILD_TOKEN"] = host.Graph.AccessToken;
        info.Environment["CALSYNC_CHILD_WEBHOOK"] = host.Bitrix24.WebhookUrl;
        // Two cores shared with others: no tiered-compilation background work beyond what a user's pwsh would do.
        info.Environment["DOTNET_TieredPGO"] = "0";
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null) info.Environment.Remove(name);
            else info.Environment[name] = value;
        }
        return new ChildProcess(Process.Start(info)!);
    }

    public int Id => _process.Id;

    /// <summary>For a warm child: run the script now, in the store at <paramref name="storeRoot"/>.</summary>
    public void Go(string storeRoot)
    {
        _process.StandardInput.WriteLine(storeRoot);
        _process.StandardInput.Flush();
    }

    public IReadOnlyList<string> Lines => _lines.ToArray();

    public string Transcript => string.Join("\n", _lines);

    public bool WaitReady(TimeSpan timeout) => _ready.Task.Wait(timeout);

    /// <summary>SIGKILL on Unix (TerminateProcess on Windows). Safe to call from the sandbox's request thread.</summary>
    public void Kill()
    {
        try { _process.Kill(entireProcessTree: false); } catch (InvalidOperationException) { }
    }

    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout)) return false;
        _process.WaitForExit(); // drains the redirected streams
        return true;
    }

    public int ExitCode => _process.ExitCode;

    public void Dispose()
    {
        if (!_process.HasExited) Kill();
        _process.WaitForExit(5000);
        _process.Dispose();
    }
}
