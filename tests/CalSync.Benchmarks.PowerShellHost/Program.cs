using System.Diagnostics;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text.Json;

namespace CalSync.Benchmarks;

/// <summary>
/// The PowerShell child of scenarios 5 and 6: hosts the PowerShell 7.6 engine and references nothing of CalSync, so the
/// module loads exactly as shipped (out/CalSync, its ReadyToRun assemblies and private load context), as in pwsh.
/// Usage: CalSync.Benchmarks.PowerShellHost JOB.json (a <see cref="PsJob"/>); prints a RESULT line after each measured script.
/// </summary>
public static class Program
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public static async Task<int> Main(string[] args)
    {
        if (args.Length != 1) { Console.Error.WriteLine("usage: CalSync.Benchmarks.PowerShellHost JOB.json"); return 2; }
        return await ChildMainAsync(args[0]);
    }

    /// <summary>The child side: runs the job's scripts in one runspace, printing a RESULT line after each measured one.</summary>
    public static async Task<int> ChildMainAsync(string jobPath)
    {
        var job = JsonSerializer.Deserialize<PsJob>(await File.ReadAllTextAsync(jobPath), Json)!;
        Environment.SetEnvironmentVariable("CALSYNC_HOME", job.StoreRoot);
        var process = Process.GetCurrentProcess();
        var iss = InitialSessionState.CreateDefault2();
        using var runspace = RunspaceFactory.CreateRunspace(iss);
        runspace.Open();
        // Secrets travel as SecureString (the hosted engine has no ConvertTo-SecureString without its modules).
        foreach (var (name, value) in job.Variables)
            runspace.SessionStateProxy.SetVariable(name, name is "token" or "webhook" ? Secure(value) : value);
        runspace.SessionStateProxy.SetVariable("manifest", job.Manifest);
        if (job.Setup.Length > 0) Invoke(runspace, job.Setup);
        for (var i = 0; i < job.Measured.Count; i++)
        {
            if (i > 0 && Console.In.ReadLine() is null) break;
            process.Refresh();
            var cpu0 = process.TotalProcessorTime;
            var allocated0 = GC.GetTotalAllocatedBytes();
            var watch = Stopwatch.StartNew();
            var error = Invoke(runspace, job.Measured[i]);
            watch.Stop();
            process.Refresh();
            var result = new JobResult
            {
                Outcomes = new() { error is null ? "Succeeded" : "Failed" },
                WallSeconds = watch.Elapsed.TotalSeconds,
                CpuRunSeconds = (process.TotalProcessorTime - cpu0).TotalSeconds,
                CpuProcessSeconds = process.TotalProcessorTime.TotalSeconds,
                PeakWorkingSetMB = process.PeakWorkingSet64 / 1048576.0,
                PeakGcHeapMB = GC.GetTotalMemory(false) / 1048576.0,
                AllocatedMB = (GC.GetTotalAllocatedBytes() - allocated0) / 1048576.0,
                Error = error,
            };
            Console.Out.WriteLine("RESULT " + JsonSerializer.Serialize(result, Json));
            Console.Out.Flush();
        }
        return 0;
    }

    private static System.Security.SecureString Secure(string text)
    {
        var secure = new System.Security.SecureString();
        foreach (var c in text) secure.AppendChar(c);
        secure.MakeReadOnly();
        return secure;
    }

    private static string? Invoke(Runspace runspace, string script)
    {
        using var ps = PowerShell.Create();
        ps.Runspace = runspace;
        ps.AddScript(script);
        try
        {
            ps.Invoke();
        }
        catch (RuntimeException e)
        {
            return e.ErrorRecord?.FullyQualifiedErrorId + ": " + e.Message;
        }
        return ps.Streams.Error.Count > 0
            ? string.Join("; ", ps.Streams.Error.Select(e => e.FullyQualifiedErrorId + ": " + e.Exception.Message).Distinct())
            : null;
    }
}
