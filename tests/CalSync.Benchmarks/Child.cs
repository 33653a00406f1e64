using System.Diagnostics;
using System.Text.Json;
using CalSync.Bitrix24;
using CalSync.Store;
using CalSync.Engine.Sync;
using CalSync.Outlook;

namespace CalSync.Benchmarks;

/// <summary>One sync of a job: its name and where its two calendars are.</summary>
public sealed record JobSync(string Name, string? CalendarId, string SectionId);

/// <summary>
/// What the child process runs: one "Start-CalSync" of one or more syncs (in order, in one process, so they share the
/// process-wide Bitrix24 bucket and Graph mailbox gate, like <c>Start-CalSync -Name *</c>).
/// </summary>
public sealed record Job
{
    public string StoreRoot { get; init; } = "";
    public string GraphUrl { get; init; } = "";
    public string AccessToken { get; init; } = "";
    public string WebhookUrl { get; init; } = "";
    public List<JobSync> Syncs { get; init; } = new();
    public InitialMerge? Merge { get; init; }
    /// <summary>How many times to run the syncs in this process (the first with <see cref="Merge"/>, later ones without).</summary>
    public int Repeat { get; init; } = 1;
    /// <summary>Report each run's phases (<c>--profile</c>).</summary>
    public bool Phases { get; init; }
}

/// <summary>Runs a <see cref="Job"/> (the <c>run-job</c> command) and prints its <see cref="JobResult"/> as one JSON line.</summary>
public static class Child
{
    public static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public static async Task<int> MainAsync(string jobPath)
    {
        var job = JsonSerializer.Deserialize<Job>(await File.ReadAllTextAsync(jobPath), Json)!;
        var failed = false;
        for (var i = 0; i < job.Repeat; i++)
        {
            // After each run the parent counts the services' journals; it answers on stdin before the next run.
            if (i > 0 && Console.In.ReadLine() is null) break;
            var result = await RunAsync(i == 0 ? job : job with { Merge = null });
            Console.Out.WriteLine("RESULT " + JsonSerializer.Serialize(result, Json));
            Console.Out.Flush();
            failed |= result.Error is not null;
        }
        return failed ? 1 : 0;
    }

    public static async Task<JobResult> RunAsync(Job job)
    {
        var process = Process.GetCurrentProcess();
        long peakHeap = 0;
        using var sampler = new Timer(_ => { var h = GC.GetTotalMemory(false); if (h > Interlocked.Read(ref peakHeap)) Interlocked.Exchange(ref peakHeap, h); }, null, 0, 20);
        var store = new CalSyncStore(job.StoreRoot);
        var outcomes = new List<string>();
        int created = 0, updated = 0, deleted = 0, matched = 0, failed = 0, batches = 0, b24 = 0, b24Retries = 0, outlookWrites = 0, bitrix24Writes = 0;
        string? error = null;
        var allocated0 = GC.GetTotalAllocatedBytes(precise: false);
        process.Refresh();
        var cpu0 = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var phases = job.Phases ? new PhaseClock() : null;
        try
        {
            foreach (var sync in job.Syncs)
            {
                var definition = store.Definitions.Get(sync.Name) ?? throw new InvalidOperationException($"no sync {sync.Name} in the store");
                using var outlook = await OutlookCalendarSide.ConnectAsync(new OutlookConnectionOptions
                {
                    Endpoint = job.GraphUrl, AccessToken = job.AccessToken, CalendarId = sync.CalendarId, TokenCacheMode = TokenCacheMode.InMemory,
                });
                using var bitrix24 = new Bitrix24CalendarSide(new Bitrix24ConnectionOptions { WebhookUrl = job.WebhookUrl, SectionId = sync.SectionId });
                var run = await new SyncRunner(store, outlook, bitrix24).RunAsync(definition, new RunOptions { Merge = job.Merge, LockWait = TimeSpan.FromSeconds(5), Progress = phases, Log = phases is null ? null : phases.Mark }, CancellationToken.None);
                var r = run.Record;
                outcomes.Add(r.Outcome + (r.Message is null ? "" : ": " + r.Message));
                created += r.Created; updated += r.Updated; deleted += r.Deleted; matched += r.Matched; failed += r.Failed;
                outlookWrites += r.Outlook.Writes; bitrix24Writes += r.Bitrix24.Writes;
                batches += outlook.BatchRequestsSent;
                b24 += bitrix24.Client.RequestCount;
                b24Retries += bitrix24.Client.Retries;
            }
        }
        catch (Exception e)
        {
            error = e.GetType().Name + ": " + e.Message;
        }
        watch.Stop();
        process.Refresh();
        var cpu1 = process.TotalProcessorTime;
        // The state file and the cursor files next to it (state/<sync>.<side>.<hash>.cursor).
        var stateBytes = job.Syncs.Sum(s =>
        {
            var path = store.States.PathOf(s.Name);
            var bytes = File.Exists(path) ? new FileInfo(path).Length : 0;
            if (Directory.Exists(store.States.Directory))
                foreach (var cursor in Directory.GetFiles(store.States.Directory, Path.GetFileNameWithoutExtension(path) + ".*.cursor")) bytes += new FileInfo(cursor).Length;
            return bytes;
        });
        return new JobResult
        {
            Outcomes = outcomes, Created = created, Updated = updated, Deleted = deleted, Matched = matched, Failed = failed,
            OutlookWrites = outlookWrites, Bitrix24Writes = bitrix24Writes, OutlookBatches = batches, Bitrix24Requests = b24, Bitrix24Retries = b24Retries,
            WallSeconds = watch.Elapsed.TotalSeconds,
            CpuRunSeconds = (cpu1 - cpu0).TotalSeconds,
            CpuProcessSeconds = cpu1.TotalSeconds,
            PeakWorkingSetMB = process.PeakWorkingSet64 / 1048576.0,
            PeakGcHeapMB = Math.Max(Interlocked.Read(ref peakHeap), GC.GetTotalMemory(false)) / 1048576.0,
            AllocatedMB = (GC.GetTotalAllocatedBytes(precise: false) - allocated0) / 1048576.0,
            StateFileBytes = stateBytes,
            Error = error,
            Phases = phases?.Lines ?? new List<string>(),
        };
    }

    /// <summary>
    /// Marks the runner's own log lines and progress reports with the wall time, process CPU and allocations since the
    /// previous mark: where a run spends, phase by phase (read, plan, journal, writes of each side, save).
    /// </summary>
    private sealed class PhaseClock : IProgress<RunProgress>
    {
        private readonly Process _process = Process.GetCurrentProcess();
        private readonly Stopwatch _watch = Stopwatch.StartNew();
        private TimeSpan _wall, _cpu = Process.GetCurrentProcess().TotalProcessorTime;
        private long _allocated = GC.GetTotalAllocatedBytes(precise: false);
        private TimeSpan _paused = GC.GetTotalPauseDuration();
        private int _gen2 = GC.CollectionCount(2);

        public List<string> Lines { get; } = new();

        public void Report(RunProgress value) => Mark(value.Activity);

        public void Mark(string message)
        {
            lock (Lines)
            {
                _process.Refresh();
                var (wall, cpu, allocated, paused, gen2) = (_watch.Elapsed, _process.TotalProcessorTime, GC.GetTotalAllocatedBytes(precise: false), GC.GetTotalPauseDuration(), GC.CollectionCount(2));
                var what = message.Split('\n')[0];
                Lines.Add($"   until {(what.Length > 64 ? what[..64] + "…" : what),-66} wall {(wall - _wall).TotalMilliseconds,6:0} ms  cpu {(cpu - _cpu).TotalMilliseconds,6:0} ms  alloc {(allocated - _allocated) / 1048576.0,6:0.0} MB  GC pauses {(paused - _paused).TotalMilliseconds,5:0} ms, {gen2 - _gen2} gen2");
                (_wall, _cpu, _allocated, _paused, _gen2) = (wall, cpu, allocated, paused, gen2);
            }
        }
    }
}
