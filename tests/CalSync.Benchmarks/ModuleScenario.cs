using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CalSync.Engine.Sync;

namespace CalSync.Benchmarks;

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
        "Connect-OutlookCalendar -Endpoint $graph -AccessToken $token | Out-Null; " +
        "Connect-Bitrix24 -WebhookUrl $webhook -AllowPlaintextSecretStore | Out-Null; ";

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

    /// <summary>
    /// 7: the no-op run of a scheduled task through the module as shipped, at 10,000 links: a new process imports the
    /// module and runs Start-CalSync (ReadyToRun engine and connectors, private load context), then runs it again in the
    /// same session up to a fifth time. The links are made by an initial merge in an earlier process.
    /// </summary>
    public static async Task<List<Row>> ScheduledNoOpAsync(BenchOptions o)
    {
        var manifest = Path.GetFullPath(o.ModulePath ?? DefaultManifest());
        if (!File.Exists(manifest))
        {
            o.Log($"[7] skipped: no built module at {manifest} (dotnet build first)");
            return new List<Row>();
        }
        var pairs = Math.Max(10, (int)Math.Round(10_000 * o.Scale));
        await using var env = await BenchEnvironment.StartAsync(o);
        o.Log($"[7] seeding {pairs} identical pairs");
        for (var i = 0; i < pairs; i++)
        {
            env.SeedOutlook($"Meeting #{i}", env.SlotLocal(i));
            env.SeedBitrix24($"Meeting #{i}", env.SlotLocal(i));
        }
        var setup = await env.RunPowerShellAsync(new PsJob
        {
            StoreRoot = env.StoreRoot, Manifest = manifest,
            Setup = "Import-Module $manifest; " + Connect + "New-CalSync -Name Work | Out-Null",
            Measured = new() { "Start-CalSync -Name Work -InitialMerge TwoWay | Out-Null" },
        });
        const string run = "Start-CalSync -Name Work | Out-Null";
        var runs = await env.RunPowerShellAsync(new PsJob
        {
            StoreRoot = env.StoreRoot, Manifest = manifest,
            // An access token is kept for one session only, so a scheduled script in token mode connects first.
            Measured = new() { "Import-Module $manifest", "Connect-OutlookCalendar -Endpoint $graph -AccessToken $token | Out-Null", run, run, run, run, run },
        });
        var latency = o.Latency.TotalSeconds;
        var rows = new List<Row>();
        void Add(string id, string title, (JobResult Result, SideRequests Graph, SideRequests Bitrix24) r, int minGraph, int minBitrix24) => rows.Add(new Row
        {
            Id = id, Title = title, Graph = r.Graph, Bitrix24 = r.Bitrix24, MinGraph = minGraph, MinBitrix24 = minBitrix24,
            FloorSeconds = minGraph + minBitrix24 == 0 ? 0 : Math.Max(minGraph, minBitrix24) * latency,
            Result = r.Result, Problems = r.Result.Error is null ? new() : new() { r.Result.Error },
        });
        Add("7 setup", $"Setup through the module: Start-CalSync -InitialMerge TwoWay links {pairs:N0} identical pairs", setup[0], (pairs + 99) / 100, 1);
        if (runs.Count < 7)
        {
            rows.Add(new Row { Id = "7", Title = "Scheduled no-op through the module", Result = runs[^1].Result, Problems = new() { runs[^1].Result.Error ?? "the child stopped early" } });
            return rows;
        }
        Add("7a", "Scheduled run, new process: Import-Module CalSync", runs[0], 0, 0);
        Add("7b", "Scheduled run: Connect-OutlookCalendar -AccessToken (token mode lasts one session)", runs[1], 0, 0);
        Add("7c", $"Scheduled run: first Start-CalSync of the process, no-op at {pairs:N0} links (module as shipped)", runs[2], 1, 1);
        Add("7d", "The same, second Start-CalSync in that session", runs[3], 1, 1);
        Add("7e", "The same, fifth Start-CalSync in that session (steady state)", runs[6], 1, 1);
        return rows;
    }

    /// <summary>
    /// 6 through the module: N syncs (own Outlook calendar connection and own Bitrix24 calendar connection each, one
    /// portal) in one <c>Start-CalSync -Name *</c> per run, in one PowerShell session.
    /// </summary>
    public static async Task<List<Row>> ManySyncsAsync(BenchOptions o)
    {
        var manifest = Path.GetFullPath(o.ModulePath ?? DefaultManifest());
        if (!File.Exists(manifest)) return await Scenarios.ManySyncsAsync(o);
        var count = Math.Max(2, (int)Math.Round(200 * o.Scale));
        await using var env = await BenchEnvironment.StartAsync(o);
        o.Log($"[6] seeding {count} syncs (own Outlook calendar and Bitrix24 section each, 5 + 5 meetings, 1 shared)");
        var setup = new System.Text.StringBuilder("Import-Module $manifest; ");
        for (var s = 0; s < count; s++)
        {
            var calendar = await env.CreateOutlookCalendarAsync($"Bench {s}");
            var section = env.Bitrix24.SeedSection($"Bench {s}");
            for (var i = 0; i < 5; i++)
            {
                env.SeedOutlook(i == 0 ? $"Shared {s}" : $"Outlook {s}.{i}", env.SlotLocal(s * 10 + i), calendar);
                env.SeedBitrix24(i == 0 ? $"Shared {s}" : $"Bitrix24 {s}.{i}", env.SlotLocal(i == 0 ? s * 10 : s * 10 + 5 + i), section);
            }
            var n = s.ToString("D3", CultureInfo.InvariantCulture);
            setup.Append($"Connect-OutlookCalendar -Name o{n} -Endpoint $graph -AccessToken $token -CalendarId '{calendar}' | Out-Null; ");
            setup.Append($"Connect-Bitrix24 -Name b{n} -WebhookUrl $webhook -Calendar 'Bench {s}' -AllowPlaintextSecretStore | Out-Null; ");
            setup.Append($"New-CalSync -Name team-{n} -OutlookConnection o{n} -Bitrix24Connection b{n} | Out-Null; ");
        }
        var job = new PsJob
        {
            StoreRoot = env.StoreRoot, Manifest = manifest,
            Measured = new()
            {
                setup.ToString(),
                "Start-CalSync -Name * -InitialMerge TwoWay | Out-Null",
                "Start-CalSync -Name * | Out-Null",
                "Start-CalSync -Name * | Out-Null",
            },
        };
        var latency = o.Latency.TotalSeconds;
        var runs = await env.RunPowerShellAsync(job);
        var rows = new List<Row>();
        var titles = new[]
        {
            $"Setup: Import-Module, {count} × (Connect-OutlookCalendar, Connect-Bitrix24 -Calendar, New-CalSync)",
            $"Start-CalSync -Name * over {count} syncs, one portal: initial merge (4+4 copies each)",
            $"Start-CalSync -Name * over {count} syncs: next run (own creates come back)",
            $"Start-CalSync -Name * over {count} syncs: no-op",
        };
        for (var i = 0; i < runs.Count; i++)
        {
            var (result, graph, bitrix24) = runs[i];
            var writesEach = i == 1 ? 1 : 0;
            var deltaPagesEach = 1;
            int minGraph = count * (deltaPagesEach + writesEach), minBitrix24 = count * (1 + writesEach);
            rows.Add(new Row
            {
                Id = i == 0 ? "6 setup" : "6" + (char)('a' + i - 1), Title = titles[i], Graph = graph, Bitrix24 = bitrix24,
                MinGraph = i == 0 ? 0 : minGraph, MinBitrix24 = i == 0 ? 0 : minBitrix24,
                FloorSeconds = i == 0 ? 0 : Math.Max(minGraph * latency, Floor.Bitrix24Time(minBitrix24, latency)),
                Result = result, Problems = result.Error is null ? new() : new() { result.Error },
                Note = i == 0 ? "" : "through the module (Start-CalSync -Name *), hosted PowerShell",
            });
        }
        return rows;
    }
}
