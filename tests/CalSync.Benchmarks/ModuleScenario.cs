using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text.Json;
using CalSync.Engine.Sync;

namespace CalSync.Benchmarks;

/// <summary>What the PowerShell child runs: a setup script, then measured scripts one after another (one runspace).</summary>
public sealed record PsJob
{
    public string StoreRoot { get; init; } = "";
    public string Manifest { get; init; } = "";
    public Dictionary<string, string> Variables { get; init; } = new();
    public string Setup { get; init; } = "";
    public List<string> Measured { get; init; } = new();
}

/// <summary>
/// 5: Import-Module of the built module in the hosted PowerShell 7.6 engine (System.Management.Automation 7.6.9) and
/// the first Start-CalSync of the session; 6 (module variant): many syncs in one <c>Start-CalSync -Name *</c>.
/// Every measured step runs in a fresh child process, so the import is really the first of the process.
/// </summary>
public static class ModuleScenario
{
    public static string DefaultManifest()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "out", "CalSync", "CalSync.psd1");
            if (File.Exists(candidate)) return candidate;
        }
        return Path.Combine("out", "CalSync", "CalSync.psd1");
    }

    private const string Connect =
        "Connect-OutlookCalendar -Endpoint $graph -AccessToken (ConvertTo-SecureString $token -AsPlainText -Force) | Out-Null; " +
        "Connect-Bitrix24 -WebhookUrl (ConvertTo-SecureString $webhook -AsPlainText -Force) -AllowPlaintextSecretStore | Out-Null; ";

    public static async Task<List<Row>> RunAsync(BenchOptions o)
    {
        var manifest = Path.GetFullPath(o.ModulePath ?? DefaultManifest());
        if (!File.Exists(manifest))
        {
            o.Log($"[5] skipped: no built module at {manifest} (dotnet build first)");
            return new List<Row>();
        }
        await using var env = await BenchEnvironment.StartAsync(o);
        var n = Math.Max(8, (int)Math.Round(200 * o.Scale));
        for (var i = 0; i < n; i++)
        {
            if (i < n / 4)
            {
                env.SeedOutlook($"Shared meeting #{i}", env.SlotLocal(i));
                env.SeedBitrix24($"Shared meeting #{i}", env.SlotLocal(i));
            }
            else
            {
                env.SeedOutlook($"Outlook meeting #{i}", env.SlotLocal(n + i));
                env.SeedBitrix24($"Bitrix24 meeting #{i}", env.SlotLocal(2 * n + i));
            }
        }
        var job = new PsJob
        {
            StoreRoot = env.StoreRoot, Manifest = manifest,
            Setup = "",
            Measured = new()
            {
                "Import-Module $manifest",
                Connect + "New-CalSync -Name Work | Out-Null",
                "Start-CalSync -Name Work -InitialMerge TwoWay | Out-Null",
                "Start-CalSync -Name Work | Out-Null",
                "Start-CalSync -Name Work | Out-Null",
            },
        };
        var titles = new[]
        {
            "Import-Module CalSync (new process, hosted PowerShell 7.6.9)",
            "Connect-OutlookCalendar, Connect-Bitrix24, New-CalSync",
            $"First Start-CalSync of the session: initial merge {n} + {n}",
            "Second Start-CalSync (own creates come back)",
            "Third Start-CalSync (no-op, warm session)",
        };
        var runs = await env.RunPowerShellAsync(job);
        var rows = new List<Row>();
        for (var i = 0; i < runs.Count; i++)
        {
            var (result, graph, bitrix24) = runs[i];
            rows.Add(new Row
            {
                Id = "5" + (char)('a' + i), Title = i < titles.Length ? titles[i] : job.Measured[i], Graph = graph, Bitrix24 = bitrix24,
                Result = result, Problems = result.Error is null ? new() : new() { result.Error },
            });
        }
        return rows;
    }

    /// <summary>The child side: runs the job's scripts in one runspace, printing a RESULT line after each measured one.</summary>
    public static async Task<int> ChildMainAsync(string jobPath)
    {
        var job = JsonSerializer.Deserialize<PsJob>(await File.ReadAllTextAsync(jobPath), Child.Json)!;
        Environment.SetEnvironmentVariable("CALSYNC_HOME", job.StoreRoot);
        var process = Process.GetCurrentProcess();
        var iss = InitialSessionState.CreateDefault2();
        using var runspace = RunspaceFactory.CreateRunspace(iss);
        runspace.Open();
        foreach (var (name, value) in job.Variables) runspace.SessionStateProxy.SetVariable(name, value);
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
            Console.Out.WriteLine("RESULT " + JsonSerializer.Serialize(result, Child.Json));
            Console.Out.Flush();
        }
        return 0;
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
