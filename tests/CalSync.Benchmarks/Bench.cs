using System.Reflection;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CalSync.Store;
using CalSync.Engine.Sync;
using CalSync.Sandbox;
using CalSync.Sandbox.Bitrix24;
using CalSync.Sandbox.Graph;

namespace CalSync.Benchmarks;

public sealed record BenchOptions
{
    public HashSet<int> Scenarios { get; init; } = new() { 1, 2, 3, 4, 5, 6, 7 };
    public double Scale { get; init; } = 1.0;
    public TimeSpan Latency { get; init; } = TimeSpan.FromMilliseconds(50);
    /// <summary>Run each sync in a child process (clean CPU and memory figures); false runs it in this process.</summary>
    public bool ChildProcess { get; init; } = true;
    public string? ModulePath { get; init; }
    /// <summary>Scenario 6 through the engine even when the module is built.</summary>
    public bool EngineOnly6 { get; init; }
    /// <summary>The Graph stand-in refuses delta on secondary calendars (scenario 6's syncs then read their calendar views).</summary>
    public bool RefuseSecondaryDelta { get; init; }
    /// <summary>Print the phases of every measured run, and of a no-op run through the public APIs (scenario 2 and 4).</summary>
    public bool Profile { get; init; }
    /// <summary>Environment variables set in the child processes only (runtime settings under test, e.g. DOTNET_TieredPGO).</summary>
    public Dictionary<string, string> ChildEnvironment { get; init; } = new(StringComparer.Ordinal);
    public Action<string> Log { get; init; } = Console.Error.WriteLine;
}

/// <summary>Requests one side's service saw, by kind.</summary>
public sealed record SideRequests
{
    /// <summary>HTTP requests (what a network trace would show).</summary>
    public int Http => Reads + Writes + Batches;
    /// <summary>Plain (non-batch) HTTP reads and writes.</summary>
    public int Reads { get; init; }
    public int Writes { get; init; }
    public int Batches { get; init; }
    /// <summary>Commands inside batches, by kind.</summary>
    public int InnerReads { get; init; }
    public int InnerWrites { get; init; }
    /// <summary>Write commands sent in batches the service refused as a whole (rate limit), and sent again.</summary>
    public int RefusedWrites { get; init; }
    /// <summary>Service write requests (plain + inside batches).</summary>
    public int AllWrites => Writes + InnerWrites;

    public override string ToString() => $"{Http} (r {Reads}, w {Writes}, b {Batches}: {InnerReads}r+{InnerWrites}w)";
}

/// <summary>One measured row of the table.</summary>
public sealed record Row
{
    public string Id { get; init; } = "";
    public string Title { get; init; } = "";
    public SideRequests Graph { get; init; } = new();
    public SideRequests Bitrix24 { get; init; } = new();
    public int MinGraph { get; init; }
    public int MinBitrix24 { get; init; }
    public double FloorSeconds { get; init; }
    public JobResult Result { get; init; } = new();
    public List<string> Problems { get; init; } = new();
    public string Note { get; init; } = "";

    public double RequestRatio => (double)(Graph.Http + Bitrix24.Http) / Math.Max(1, MinGraph + MinBitrix24);
    public double WallRatio => FloorSeconds > 0 ? Result.WallSeconds / FloorSeconds : double.NaN;
}

/// <summary>The sandbox pair with the real limits on, a store, and the request counting around one measured run.</summary>
public sealed class BenchEnvironment : IAsyncDisposable
{
    public const int GraphPageSize = 100; // the connector's Prefer: odata.maxpagesize
    public const int Bitrix24Burst = 50;
    public const double Bitrix24Rate = 2;

    private readonly BenchOptions _options;
    private readonly HttpClient _http = new();
    private DateTime _bucketDrainedAt = DateTime.MinValue;

    private BenchEnvironment(BenchOptions options, SandboxHost host, string storeRoot)
    {
        _options = options;
        Host = host;
        StoreRoot = storeRoot;
        Store = new CalSyncStore(storeRoot);
    }

    public SandboxHost Host { get; }
    public GraphService Graph => Host.Graph;
    public Bitrix24Service Bitrix24 => Host.Bitrix24;
    public string StoreRoot { get; }
    public CalSyncStore Store { get; }
    public DateTime Today { get; } = DateTime.UtcNow.Date;

    public static async Task<BenchEnvironment> StartAsync(BenchOptions options)
    {
        // Real limits: Graph 10,000 requests / 10 min and 4 concurrent per mailbox (on by default); Bitrix24 leaky
        // bucket 2/s burst 50 on the real clock (the default TimeProvider.System).
        var host = await SandboxHost.StartAsync(new SandboxOptions());
        var root = Path.Combine(Path.GetTempPath(), "calsync-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        var env = new BenchEnvironment(options, host, root);
        env.ApplyLatency();
        return env;
    }

    private void ApplyLatency()
    {
        Graph.Faults.Latency = _options.Latency;
        Bitrix24.Faults.Latency = _options.Latency;
        Graph.RefuseSecondaryCalendarDelta = _options.RefuseSecondaryDelta; // Graph.Reset clears it before every run
    }

    // ---- seeding ------------------------------------------------------------------------------------

    /// <summary>Slot i of the window: a 30-minute meeting on a working hour, spread over −25…+355 days.</summary>
    public DateTime SlotLocal(int i)
    {
        var day = Today.AddDays(-25 + i % 380);
        return day.AddHours(7 + (i / 380) % 12).AddMinutes(15 * ((i / 4560) % 4));
    }

    public string SeedOutlook(string title, DateTime local, string? calendarId = null)
    {
        var e = new JsonObject
        {
            ["subject"] = title,
            ["body"] = new JsonObject { ["contentType"] = "text", ["content"] = "Agenda: " + title + ". Bring the numbers." },
            ["start"] = new JsonObject { ["dateTime"] = local.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture), ["timeZone"] = "Europe/Berlin" },
            ["end"] = new JsonObject { ["dateTime"] = local.AddMinutes(30).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture), ["timeZone"] = "Europe/Berlin" },
            ["location"] = new JsonObject { ["displayName"] = "Room " + (title.Length % 20) },
        };
        return Graph.SeedEvent(e.ToJsonString(), calendarId);
    }

    public int SeedBitrix24(string title, DateTime local, int? sectionId = null)
    {
        var p = new Dictionary<string, object?>
        {
            ["name"] = title,
            ["description"] = "Agenda: " + title + ". Bring the numbers.",
            ["from"] = local.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            ["to"] = local.AddMinutes(30).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            ["timezone_from"] = "Europe/Berlin",
            ["timezone_to"] = "Europe/Berlin",
            ["location"] = "Room " + (title.Length % 20),
            ["remind"] = new[] { new Dictionary<string, object?> { ["type"] = "min", ["count"] = 15 } },
        };
        if (sectionId is not null) p["section"] = sectionId;
        return Bitrix24.SeedEvent(p);
    }

    public async Task PatchOutlookAsync(string id, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, Graph.BaseUrl + "/me/events/" + Uri.EscapeDataString(id))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Graph.AccessToken);
        using var response = await _http.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }

    public async Task DeleteOutlookAsync(string id)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, Graph.BaseUrl + "/me/events/" + Uri.EscapeDataString(id));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Graph.AccessToken);
        using var response = await _http.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }

    public async Task<string> CreateOutlookCalendarAsync(string name)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Graph.BaseUrl + "/me/calendars")
        {
            Content = new StringContent(new JsonObject { ["name"] = name }.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Graph.AccessToken);
        using var response = await _http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
    }

    public void DefineSync(string name)
    {
        var now = DateTimeOffset.UtcNow;
        Store.Definitions.Save(new SyncDefinition
        {
            Name = name, OutlookConnection = "bench-outlook", Bitrix24Connection = "bench-bitrix24", Created = now, Modified = now,
        });
    }

    // ---- one measured run ---------------------------------------------------------------------------

    /// <summary>
    /// Runs one job (a Start-CalSync of the given syncs) with clean counters: the Graph request window is reset
    /// (earlier setup phases would otherwise eat the 10,000 / 10 min budget) and the Bitrix24 bucket has drained.
    /// With <paramref name="repeat"/> &gt; 1 the same process runs the syncs again (warm: JIT done, as in a PowerShell
    /// session), each run counted on its own.
    /// </summary>
    public async Task<(JobResult Result, SideRequests Graph, SideRequests Bitrix24)> RunAsync(IReadOnlyList<JobSync> syncs, InitialMerge? merge) =>
        (await RunManyAsync(syncs, merge, 1))[0];

    public async Task<List<(JobResult Result, SideRequests Graph, SideRequests Bitrix24)>> RunManyAsync(IReadOnlyList<JobSync> syncs, InitialMerge? merge, int repeat)
    {
        var job = new Job
        {
            StoreRoot = StoreRoot, GraphUrl = Graph.BaseUrl, AccessToken = Graph.AccessToken, WebhookUrl = Bitrix24.WebhookUrl,
            Syncs = syncs.ToList(), Merge = merge, Repeat = repeat, Phases = _options.Profile,
        };
        var runs = new List<(JobResult, SideRequests, SideRequests)>();
        await PrepareAsync();
        if (!_options.ChildProcess)
        {
            for (var i = 0; i < repeat; i++)
            {
                if (i > 0) await PrepareAsync();
                runs.Add(Collect(await Child.RunAsync(i == 0 ? job : job with { Merge = null })));
            }
            return runs;
        }

        var jobPath = Path.Combine(StoreRoot, "job.json");
        await File.WriteAllTextAsync(jobPath, JsonSerializer.Serialize(job, Child.Json));
        return await SpawnAsync("run-job", jobPath, repeat);
    }

    /// <summary>Runs the module job in a child process (PowerShell hosted there): one counted row per measured script.</summary>
    public async Task<List<(JobResult Result, SideRequests Graph, SideRequests Bitrix24)>> RunPowerShellAsync(PsJob job)
    {
        job = job with
        {
            Variables = new Dictionary<string, string>(job.Variables) { ["graph"] = Graph.BaseUrl, ["token"] = Graph.AccessToken, ["webhook"] = Bitrix24.WebhookUrl },
        };
        var jobPath = Path.Combine(StoreRoot, "ps-job.json");
        await File.WriteAllTextAsync(jobPath, JsonSerializer.Serialize(job, Child.Json));
        await PrepareAsync();
        return await SpawnAsync("run-ps", jobPath, job.Measured.Count);
    }

    /// <summary>
    /// Starts the PowerShell child of <paramref name="job"/> for the caller to drive (scenario 8): it runs the first
    /// measured script at once; <see cref="PsChild.NextAsync"/> runs the next, <see cref="PsChild.Terminate"/> sends
    /// SIGTERM (which ends a resident Start-CalSync after its run in progress).
    /// </summary>
    public async Task<PsChild> StartPowerShellAsync(PsJob job)
    {
        job = job with
        {
            Variables = new Dictionary<string, string>(job.Variables) { ["graph"] = Graph.BaseUrl, ["token"] = Graph.AccessToken, ["webhook"] = Bitrix24.WebhookUrl },
        };
        var jobPath = Path.Combine(StoreRoot, "ps-child.json");
        await File.WriteAllTextAsync(jobPath, JsonSerializer.Serialize(job, Child.Json));
        await PrepareAsync();
        var start = ChildStartInfo();
        start.RedirectStandardError = true;
        start.RedirectStandardInput = true;
        start.ArgumentList.Add(PowerShellHostPath());
        start.ArgumentList.Add(jobPath);
        return new PsChild(Process.Start(start)!);
    }

    /// <summary>The PowerShell child, built beside this project (its path is stamped into this assembly at build).</summary>
    private static string PowerShellHostPath()
    {
        var path = typeof(Child).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "PowerShellHost").Value!;
        return File.Exists(path) ? path : throw new FileNotFoundException($"The benchmark's PowerShell child is not built: {path}. Build tests/CalSync.Benchmarks again.", path);
    }

    private async Task<List<(JobResult Result, SideRequests Graph, SideRequests Bitrix24)>> SpawnAsync(string command, string jobPath, int expected)
    {
        var runs = new List<(JobResult, SideRequests, SideRequests)>();
        var start = ChildStartInfo();
        start.RedirectStandardError = true;
        start.RedirectStandardInput = true;
        if (command == "run-ps")
        {
            start.ArgumentList.Add(PowerShellHostPath());
        }
        else
        {
            start.ArgumentList.Add(typeof(Child).Assembly.Location);
            start.ArgumentList.Add(command);
        }
        start.ArgumentList.Add(jobPath);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        while (runs.Count < expected && await process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (!line.StartsWith("RESULT ", StringComparison.Ordinal)) continue;
            runs.Add(Collect(JsonSerializer.Deserialize<JobResult>(line[7..], Child.Json)!));
            if (runs.Count < expected)
            {
                await PrepareAsync();
                await process.StandardInput.WriteLineAsync("next");
                await process.StandardInput.FlushAsync();
            }
        }
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        if (runs.Count == 0) runs.Add(Collect(new JobResult { Error = $"child exited {process.ExitCode} without a result: {(await stderr).Trim()}" }));
        return runs;
    }

    /// <summary>A child process of the dotnet host running this benchmark, its output read, with the --child-env variables.</summary>
    private ProcessStartInfo ChildStartInfo()
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet")
        {
            RedirectStandardOutput = true, UseShellExecute = false,
        };
        foreach (var (name, value) in _options.ChildEnvironment) start.Environment[name] = value;
        return start;
    }

    /// <summary>Runs the profile of a no-op run in a child process and logs its output.</summary>
    public async Task ProfileAsync(IReadOnlyList<JobSync> syncs)
    {
        var job = new Job { StoreRoot = StoreRoot, GraphUrl = Graph.BaseUrl, AccessToken = Graph.AccessToken, WebhookUrl = Bitrix24.WebhookUrl, Syncs = syncs.ToList() };
        var jobPath = Path.Combine(StoreRoot, "profile-job.json");
        await File.WriteAllTextAsync(jobPath, JsonSerializer.Serialize(job, Child.Json));
        await PrepareAsync();
        var start = ChildStartInfo();
        start.ArgumentList.Add(typeof(Child).Assembly.Location);
        start.ArgumentList.Add("profile-job");
        start.ArgumentList.Add(jobPath);
        using var process = Process.Start(start)!;
        _options.Log(await process.StandardOutput.ReadToEndAsync());
        await process.WaitForExitAsync();
        Collect(new JobResult());
    }

    public async Task PrepareAsync()
    {
        // The Bitrix24 stand-in's bucket cannot be reset without emptying the calendar: wait until it has drained.
        var wait = _bucketDrainedAt - DateTime.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            _options.Log($"  (waiting {wait.TotalSeconds:0.0} s for the Bitrix24 bucket to drain)");
            await Task.Delay(wait);
        }
        Graph.Reset(clearEvents: false);
        Bitrix24.Journal.Clear();
        ApplyLatency();
    }

    private (JobResult, SideRequests, SideRequests) Collect(JobResult result)
    {
        var graph = CountGraph(Graph.Journal.Requests);
        var bitrix24 = CountBitrix24(Bitrix24.Journal.Requests);
        foreach (var phase in result.Phases) _options.Log(phase);
        if (Environment.GetEnvironmentVariable("CALSYNC_BENCH_DUMP") is { Length: > 0 })
            foreach (var r in Graph.Journal.Requests) _options.Log($"    graph {r.Method} {Uri.UnescapeDataString(r.PathAndQuery)}");
        _bucketDrainedAt = DateTime.UtcNow + TimeSpan.FromSeconds(Math.Min(Bitrix24Burst, bitrix24.Http) / Bitrix24Rate + 0.5);
        return (result, graph, bitrix24);
    }

    /// <summary>
    /// Graph journal: the outer HTTP requests and, recorded separately, every inner request of a $batch. Inner ones are
    /// the steps listed in the $batch bodies; the rest are plain HTTP requests.
    /// </summary>
    public static SideRequests CountGraph(IReadOnlyList<RecordedRequest> journal)
    {
        int batches = 0, innerReads = 0, innerWrites = 0, all = journal.Count, plainReads = 0, plainWrites = 0;
        var innerByKey = new Dictionary<(string, string), int>();
        foreach (var r in journal.Where(r => IsBatch(r)))
        {
            batches++;
            if (JsonNode.Parse(r.Body)?["requests"] is JsonArray steps)
                foreach (var step in steps)
                {
                    var method = step?["method"]?.GetValue<string>().ToUpperInvariant() ?? "GET";
                    if (method == "GET") innerReads++; else innerWrites++;
                    var url = step?["url"]?.GetValue<string>() ?? "";
                    var key = (method, "/v1.0" + (url.StartsWith('/') ? url : "/" + url));
                    innerByKey[key] = innerByKey.GetValueOrDefault(key) + 1;
                }
        }
        foreach (var r in journal.Where(r => !IsBatch(r)))
        {
            // An inner request is journaled with its method and "/v1.0" + its url: take those off first.
            var key = (r.Method.ToUpperInvariant(), r.PathAndQuery);
            if (innerByKey.TryGetValue(key, out var left) && left > 0) { innerByKey[key] = left - 1; continue; }
            if (r.Method.Equals("GET", StringComparison.OrdinalIgnoreCase)) plainReads++; else plainWrites++;
        }
        _ = all;
        return new SideRequests { Reads = plainReads, Writes = plainWrites, Batches = batches, InnerReads = innerReads, InnerWrites = innerWrites };

        static bool IsBatch(RecordedRequest r) => r.PathAndQuery.EndsWith("/$batch", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Bitrix24 journal: every entry is an HTTP request; batch bodies carry their commands (decoded parameters).</summary>
    public static SideRequests CountBitrix24(IReadOnlyList<RecordedRequest> journal)
    {
        int reads = 0, writes = 0, batches = 0, innerReads = 0, innerWrites = 0;
        // Sub-calls of a batch are journaled too, as "BATCH" entries: they are not HTTP requests.
        foreach (var r in journal.Where(r => r.Method != "BATCH"))
        {
            var method = r.PathAndQuery.Split('?')[0].TrimEnd('/').Split('/').Last().ToLowerInvariant();
            if (method.EndsWith(".json", StringComparison.Ordinal)) method = method[..^5];
            if (method == "batch")
            {
                batches++;
                var cmd = JsonNode.Parse(r.Body)?["cmd"];
                IEnumerable<JsonNode?> commands = cmd is JsonObject o ? o.Select(p => p.Value) : cmd is JsonArray a ? a : Array.Empty<JsonNode?>();
                foreach (var c in commands)
                {
                    var name = (c?.GetValue<string>() ?? "").Split('?')[0].ToLowerInvariant();
                    if (IsBitrix24Write(name)) innerWrites++; else innerReads++;
                }
            }
            else if (IsBitrix24Write(method)) writes++;
            else reads++;
        }
        // Write commands the service executed are journaled as "BATCH" entries; a batch refused as a whole (503
        // QUERY_LIMIT_EXCEEDED) shows its commands in the body but ran none of them.
        var executed = journal.Count(r => r.Method == "BATCH");
        return new SideRequests { Reads = reads, Writes = writes, Batches = batches, InnerReads = innerReads, InnerWrites = executed, RefusedWrites = innerWrites - executed };
    }

    private static bool IsBitrix24Write(string method) =>
        method.EndsWith(".add", StringComparison.Ordinal) || method.EndsWith(".update", StringComparison.Ordinal) || method.EndsWith(".delete", StringComparison.Ordinal);

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await Host.DisposeAsync();
        if (Environment.GetEnvironmentVariable("CALSYNC_BENCH_KEEP") is { Length: > 0 }) { _options.Log("store kept: " + StoreRoot); return; }
        try { Directory.Delete(StoreRoot, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>The least a run can cost under the services' limits, for a given latency per HTTP request.</summary>
public static class Floor
{
    public static int GraphMinimum(int deltaItems, int writes) =>
        Math.Max(1, Ceil(deltaItems, BenchEnvironment.GraphPageSize)) + Ceil(writes, 20);

    public static int Bitrix24Minimum(int writes) => 1 + Ceil(writes, 50);

    /// <summary>
    /// Seconds: both sides are read at once, then written at once. Graph: one request after another (a $batch occupies
    /// all four of the mailbox's concurrent slots); over 10,000 mailbox requests the rest waits for the 10-minute window.
    /// Bitrix24: one request after another, and beyond the burst of 50 at 2 a second.
    /// </summary>
    public static double Seconds(int graphReads, int graphWrites, int graphMailboxRequests, int bitrix24Reads, int bitrix24Writes, double latency)
    {
        var graphRead = graphReads * latency;
        var graphWrite = graphWrites * latency + Math.Max(0, (graphMailboxRequests - 1) / 10_000) * 600.0;
        var bitrix24Read = Bitrix24Time(bitrix24Reads, latency);
        var bitrix24Write = Bitrix24Time(bitrix24Reads + bitrix24Writes, latency) - bitrix24Read;
        return Math.Max(graphRead, bitrix24Read) + Math.Max(graphWrite, bitrix24Write);
    }

    public static double Bitrix24Time(int requests, double latency) =>
        requests <= BenchEnvironment.Bitrix24Burst ? requests * latency
            : Math.Max(requests * latency, (requests - BenchEnvironment.Bitrix24Burst) / BenchEnvironment.Bitrix24Rate + latency);

    public static int Ceil(int n, int size) => (n + size - 1) / size;
}

/// <summary>A PowerShell child driven one measured script at a time.</summary>
public sealed class PsChild(Process process) : IAsyncDisposable
{
    private readonly Task<string> _stderr = process.StandardError.ReadToEndAsync();

    /// <summary>The RESULT of the script running now; null when the child ended without one.</summary>
    public async Task<JobResult?> ResultAsync()
    {
        while (await process.StandardOutput.ReadLineAsync() is { } line)
            if (line.StartsWith("RESULT ", StringComparison.Ordinal)) return JsonSerializer.Deserialize<JobResult>(line[7..], Child.Json);
        return null;
    }

    public async Task NextAsync()
    {
        await process.StandardInput.WriteLineAsync("next");
        await process.StandardInput.FlushAsync();
    }

    public void Terminate()
    {
        using var kill = Process.Start("kill", new[] { "-TERM", process.Id.ToString(CultureInfo.InvariantCulture) });
        kill.WaitForExit();
    }

    public async Task<string> ErrorsAsync() => process.HasExited ? await _stderr : "";

    public async ValueTask DisposeAsync()
    {
        process.StandardInput.Close();
        if (!process.WaitForExit(30_000)) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        process.Dispose();
    }
}
