using System.Globalization;
using System.Text;

namespace CalSync.Benchmarks;

public static class Program
{
    public const string Usage = """
        CalSync benchmarks: the real engine and connectors against the sandbox stand-ins, real limits on
        (Graph 10,000 requests / 10 min and 4 concurrent per mailbox; Bitrix24 2/s, burst 50, real clock).

          dotnet run -c Release --project tests/CalSync.Benchmarks -- [options]

          --scenario 1,2,3   scenarios to run (default: all of 1,2,3,4,5,6,7; 8, the resident mode's freshness and idle
                             cost, runs only when named: ~15 minutes of wall time)
          --scale 0.1        size factor (1 = the issue's sizes: 5,000 + 5,000; 10,000 / 50,000 links; 200 syncs)
          --latency-ms 50    latency added by the stand-ins to every HTTP request (default 50)
          --smoke            tiny run for CI: --scale 0.01 --latency-ms 5, scenarios 1,2,3,4,6 (6 through the engine)
          --refuse-secondary-delta  the Graph stand-in refuses delta on secondary calendars (scenario 6 then reads
                             each calendar's view: one id/changeKey listing per unchanged calendar)
          --in-process       run the syncs in this process (default: a child process, for clean CPU/memory figures)
          --engine-only      scenario 6 through the engine instead of the built module's Start-CalSync -Name *
          --profile          print each run's phases (wall, CPU, allocations between the runner's log lines and progress
                             reports); after scenario 2's no-op run, the phases of a no-op run through the public APIs
          --module PATH      the built module's CalSync.psd1 (scenarios 5, 6, 7, 8; default out/CalSync/CalSync.psd1)
          --child-env N=V    set an environment variable in the child processes only (repeatable), e.g. a runtime
                             setting such as DOTNET_TieredPGO=0; the stand-ins in this process keep theirs

        Exit code 0 when every run completed and the request-count identities held; timings are never asserted.
        """;

    public static async Task<int> Main(string[] args)
    {
        if (args.Length >= 2 && args[0] == "run-job") return await Child.MainAsync(args[1]);
        if (args.Length >= 2 && args[0] == "profile-job")
        {
            await Profile.RunAsync(System.Text.Json.JsonSerializer.Deserialize<Job>(await File.ReadAllTextAsync(args[1]), Child.Json)!, Console.Out.WriteLine);
            return 0;
        }
        BenchOptions? options;
        try { options = Parse(args); }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(Usage);
            return 2;
        }
        if (options is null) { Console.WriteLine(Usage); return 0; }
        var rows = await RunAsync(options);
        Console.WriteLine(Table(rows, options));
        return rows.All(r => r.Problems.Count == 0) ? 0 : 1;
    }

    public static BenchOptions? Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--help" or "-h" or "-?":
                    return null;
                case "--scenario" or "--scenarios":
                    options = options with { Scenarios = Next().Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToHashSet() };
                    break;
                case "--scale":
                    options = options with { Scale = double.Parse(Next(), CultureInfo.InvariantCulture) };
                    break;
                case "--latency-ms":
                    options = options with { Latency = TimeSpan.FromMilliseconds(double.Parse(Next(), CultureInfo.InvariantCulture)) };
                    break;
                case "--smoke":
                    options = options with { Scale = 0.01, Latency = TimeSpan.FromMilliseconds(5), Scenarios = new() { 1, 2, 3, 4, 6 }, EngineOnly6 = true };
                    break;
                case "--engine-only":
                    options = options with { EngineOnly6 = true };
                    break;
                case "--refuse-secondary-delta":
                    options = options with { RefuseSecondaryDelta = true };
                    break;
                case "--in-process":
                    options = options with { ChildProcess = false };
                    break;
                case "--profile":
                    options = options with { Profile = true };
                    break;
                case "--module":
                    options = options with { ModulePath = Next() };
                    break;
                case "--child-env":
                    var pair = Next();
                    var equals = pair.IndexOf('=');
                    if (equals <= 0) throw new ArgumentException($"--child-env needs NAME=VALUE, not '{pair}'.");
                    options.ChildEnvironment[pair[..equals]] = pair[(equals + 1)..];
                    break;
                default:
                    throw new ArgumentException($"Unknown option {args[i]}.");
            }
        }
        return options;
    }

    public static async Task<List<Row>> RunAsync(BenchOptions options)
    {
        var rows = new List<Row>();
        var s = options.Scenarios;
        if (s.Contains(1)) rows.AddRange(await Scenarios.InitialMergeAsync(options));
        if (s.Contains(2) || s.Contains(3)) rows.AddRange(await Scenarios.NoOpAndChangesAsync(options, s.Contains(2), s.Contains(3)));
        if (s.Contains(4)) rows.AddRange(await Scenarios.LargeAsync(options));
        if (s.Contains(6)) rows.AddRange(options.EngineOnly6 ? await Scenarios.ManySyncsAsync(options) : await ModuleScenario.ManySyncsAsync(options));
        if (s.Contains(5)) rows.AddRange(await ModuleScenario.RunAsync(options));
        if (s.Contains(7)) rows.AddRange(await ModuleScenario.ScheduledNoOpAsync(options));
        if (s.Contains(8)) rows.AddRange(await ResidentScenario.RunAsync(options));
        foreach (var row in rows) options.Log($"{row.Id}: {row.Result.WallSeconds:0.00} s, Graph {row.Graph}, Bitrix24 {row.Bitrix24}{(row.Problems.Count > 0 ? "  PROBLEMS: " + string.Join("; ", row.Problems) : "")}");
        return rows;
    }

    public static string Table(IReadOnlyList<Row> rows, BenchOptions options)
    {
        var text = new StringBuilder();
        text.AppendLine($"Machine: {Environment.ProcessorCount} cores, {Machine.MemoryText()}, load average {Machine.LoadAverage()}; .NET {Environment.Version}; scale {options.Scale.ToString(CultureInfo.InvariantCulture)}, latency {options.Latency.TotalMilliseconds:0} ms per request");
        text.AppendLine();
        text.AppendLine("| # | Scenario | Graph HTTP (reads, writes, $batch: inner r+w) | Bitrix24 HTTP (batch: cmds r+w) | Requests / minimum | Wall s | Floor s | Wall / floor | CPU run s | CPU process s | Peak WS MB | Peak GC heap MB | Allocated MB | State KB |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in rows)
        {
            var x = r.Result;
            var requests = r.MinGraph + r.MinBitrix24 > 0 ? $"{r.Graph.Http + r.Bitrix24.Http} / {r.MinGraph + r.MinBitrix24} = {r.RequestRatio:0.00}" : "–";
            var floor = r.FloorSeconds > 0 ? r.FloorSeconds.ToString("0.00", CultureInfo.InvariantCulture) : "–";
            var ratio = r.FloorSeconds > 0 ? r.WallRatio.ToString("0.00", CultureInfo.InvariantCulture) : "–";
            text.Append($"| {r.Id} | {r.Title}{(r.Note.Length > 0 ? " (" + r.Note + ")" : "")}{(r.Problems.Count > 0 ? " **PROBLEMS: " + string.Join("; ", r.Problems) + "**" : "")} ");
            text.Append($"| {r.Graph.Http} ({r.Graph.Reads}, {r.Graph.Writes}, {r.Graph.Batches}: {r.Graph.InnerReads}+{r.Graph.InnerWrites}) ");
            text.Append($"| {r.Bitrix24.Http} ({r.Bitrix24.Batches}: {r.Bitrix24.InnerReads}+{r.Bitrix24.InnerWrites}{(x.Bitrix24Retries > 0 ? $"; {x.Bitrix24Retries} retried after 503" : "")}) ");
            text.Append($"| {requests} | {x.WallSeconds:0.00} | {floor} | {ratio} | {x.CpuRunSeconds:0.00} | {x.CpuProcessSeconds:0.00} | {x.PeakWorkingSetMB:0} | {x.PeakGcHeapMB:0} | {x.AllocatedMB:0} | {x.StateFileBytes / 1024.0:0} |");
            text.AppendLine();
        }
        return text.ToString();
    }
}

public static class Machine
{
    public static string LoadAverage()
    {
        try { return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "n/a"; }
        catch (UnauthorizedAccessException) { return "n/a"; }
    }

    public static string MemoryText()
    {
        var info = GC.GetGCMemoryInfo();
        return $"{info.TotalAvailableMemoryBytes / 1073741824.0:0.0} GB memory";
    }
}
