using System.Globalization;
using CalSync.Engine.Sync;

namespace CalSync.Benchmarks;

/// <summary>The scenarios of issue 9. Sizes are the issue's at scale 1.</summary>
public static class Scenarios
{
    private static int Scaled(double full, double scale, int least) => Math.Max(least, (int)Math.Round(full * scale));

    private static Row Measure(string id, string title, (JobResult Result, SideRequests Graph, SideRequests Bitrix24) run,
        int graphDeltaItems, int syncs, double latency, string note = "")
    {
        var (result, graph, bitrix24) = run;
        var minGraph = 0;
        var minBitrix24 = 0;
        // Per sync: the delta pages and write batches Graph needs at least; one window batch plus write batches for Bitrix24.
        var perSyncGraphWrites = Floor.Ceil(result.OutlookWrites, syncs);
        var perSyncBitrix24Writes = Floor.Ceil(result.Bitrix24Writes, syncs);
        var graphReadPages = syncs * Math.Max(1, Floor.Ceil(Floor.Ceil(graphDeltaItems, syncs), BenchEnvironment.GraphPageSize));
        var graphWriteBatches = syncs * Floor.Ceil(perSyncGraphWrites, 20);
        var bitrix24WriteBatches = syncs * Floor.Ceil(perSyncBitrix24Writes, 50);
        minGraph = graphReadPages + graphWriteBatches;
        minBitrix24 = syncs + bitrix24WriteBatches;
        var seconds = latency;
        var floor = syncs == 1
            ? Floor.Seconds(graphReadPages, graphWriteBatches, graphReadPages + result.OutlookWrites, 1, bitrix24WriteBatches, seconds)
            // Syncs run one after another; the Bitrix24 portal's bucket is shared by all of them.
            : Math.Max((graphReadPages + graphWriteBatches) * seconds, Floor.Bitrix24Time(minBitrix24, seconds));

        var problems = new List<string>();
        if (result.Error is not null) problems.Add(result.Error);
        foreach (var outcome in result.Outcomes.Where(o => !o.StartsWith("Succeeded", StringComparison.Ordinal) && !o.StartsWith("NoChanges", StringComparison.Ordinal)).Distinct())
            problems.Add("outcome " + outcome);
        if (result.Outcomes.Count != syncs) problems.Add($"{result.Outcomes.Count} of {syncs} syncs ran");
        // Request-count identities: what the client says it sent is what the services saw, and every engine write is
        // exactly one write request on its side.
        if (result.OutlookBatches != graph.Batches) problems.Add($"Graph $batch: client sent {result.OutlookBatches}, service saw {graph.Batches}");
        if (result.Bitrix24Requests != bitrix24.Http) problems.Add($"Bitrix24: client sent {result.Bitrix24Requests}, service saw {bitrix24.Http}");
        if (result.OutlookWrites != graph.AllWrites) problems.Add($"Outlook: engine wrote {result.OutlookWrites}, service saw {graph.AllWrites} write requests");
        if (result.Bitrix24Writes != bitrix24.AllWrites) problems.Add($"Bitrix24: engine wrote {result.Bitrix24Writes}, service saw {bitrix24.AllWrites} write commands");
        return new Row
        {
            Id = id, Title = title, Graph = graph, Bitrix24 = bitrix24, MinGraph = minGraph, MinBitrix24 = minBitrix24,
            FloorSeconds = floor, Result = result, Problems = problems, Note = note,
        };
    }

    private static JobSync[] One(string name) => new[] { new JobSync(name, null, "") };

    private static async Task<JobSync[]> DefaultSync(BenchEnvironment env, string name)
    {
        env.DefineSync(name);
        await Task.CompletedTask;
        return new[] { new JobSync(name, null, env.Bitrix24.DefaultSectionId.ToString(CultureInfo.InvariantCulture)) };
    }

    /// <summary>1: initial two-way merge of N + N meetings, a quarter of them the same meeting on both sides; then the next two runs.</summary>
    public static async Task<List<Row>> InitialMergeAsync(BenchOptions o)
    {
        var n = Scaled(5000, o.Scale, 8);
        var shared = n / 4;
        await using var env = await BenchEnvironment.StartAsync(o);
        o.Log($"[1] seeding {n} + {n} meetings ({shared} on both sides)");
        for (var i = 0; i < shared; i++)
        {
            env.SeedOutlook($"Shared meeting #{i}", env.SlotLocal(i));
            env.SeedBitrix24($"Shared meeting #{i}", env.SlotLocal(i));
        }
        for (var i = shared; i < n; i++)
        {
            env.SeedOutlook($"Outlook meeting #{i}", env.SlotLocal(n + i));
            env.SeedBitrix24($"Bitrix24 meeting #{i}", env.SlotLocal(2 * n + i));
        }
        var sync = await DefaultSync(env, "merge");
        var latency = o.Latency.TotalSeconds;
        var rows = new List<Row>();
        o.Log("[1] initial merge");
        rows.Add(Measure("1", $"Initial two-way merge, {n:N0} + {n:N0} ({shared:N0} matching)", await env.RunAsync(sync, InitialMerge.TwoWay), n, 1, latency));
        o.Log("[1b] next run");
        rows.Add(Measure("1b", "Next run: its own creates come back in the Outlook delta", await env.RunAsync(sync, null), n - shared, 1, latency));
        o.Log("[1c] no-op run");
        rows.Add(Measure("1c", $"No-op run after it ({2 * n - shared:N0} links)", await env.RunAsync(sync, null), 0, 1, latency));
        return rows;
    }

    /// <summary>Seeds P identical pairs and links them with an initial merge (no writes).</summary>
    private static async Task<(BenchEnvironment Env, JobSync[] Sync, Row Setup, List<string> OutlookIds, List<int> Bitrix24Ids)> PairsAsync(BenchOptions o, string id, int pairs)
    {
        var env = await BenchEnvironment.StartAsync(o);
        o.Log($"[{id}] seeding {pairs} identical pairs");
        var outlookIds = new List<string>(pairs);
        var bitrix24Ids = new List<int>(pairs);
        for (var i = 0; i < pairs; i++)
        {
            outlookIds.Add(env.SeedOutlook($"Meeting #{i}", env.SlotLocal(i)));
            bitrix24Ids.Add(env.SeedBitrix24($"Meeting #{i}", env.SlotLocal(i)));
        }
        var sync = await DefaultSync(env, "pairs");
        o.Log($"[{id}] setup: initial merge links the pairs");
        var setup = Measure(id + " setup", $"Setup: initial merge links {pairs:N0} identical pairs", await env.RunAsync(sync, InitialMerge.TwoWay), pairs, 1, o.Latency.TotalSeconds);
        return (env, sync, setup, outlookIds, bitrix24Ids);
    }

    /// <summary>2 and 3: a no-op run at P links, then 1% changed on each side.</summary>
    public static async Task<List<Row>> NoOpAndChangesAsync(BenchOptions o, bool noOp, bool changes)
    {
        var pairs = Scaled(10_000, o.Scale, 10);
        var (env, sync, setup, outlookIds, bitrix24Ids) = await PairsAsync(o, "2", pairs);
        await using var _ = env;
        var latency = o.Latency.TotalSeconds;
        var rows = new List<Row> { setup };
        if (noOp)
        {
            // Five runs in one process: .NET recompiles hot code optimised in the background during the second, so
            // the fifth shows what a long PowerShell session (or a scheduler that keeps its process) pays per run.
            o.Log("[2] no-op run, five times in one process");
            var runs = await env.RunManyAsync(sync, null, 5);
            rows.Add(Measure("2", $"No-op incremental run at {pairs:N0} links (new process)", runs[0], 0, 1, latency));
            rows.Add(Measure("2w", "The same, again in the same process (warm, as in a PowerShell session)", runs[1], 0, 1, latency));
            rows.Add(Measure("2s", "The same, the fifth run in the process (steady state: hot code recompiled optimised)", runs[4], 0, 1, latency));
            if (o.Profile) await env.ProfileAsync(sync);
        }
        if (changes)
        {
            var k = Math.Max(1, pairs / 100);
            o.Log($"[3] changing {k} on each side");
            for (var i = 0; i < k; i++)
                await env.PatchOutlookAsync(outlookIds[i], $"{{\"subject\":\"Meeting #{i} (moved agenda)\"}}");
            for (var i = k; i < 2 * k; i++)
                env.Bitrix24.Call("calendar.event.update", new Dictionary<string, object?>
                {
                    ["id"] = bitrix24Ids[i], ["type"] = "user", ["ownerId"] = env.Bitrix24.UserId, ["name"] = $"Meeting #{i} (renamed)",
                });
            rows.Add(Measure("3", $"Incremental run, 1% changed on each side ({k:N0} + {k:N0})", await env.RunAsync(sync, null), k, 1, latency));
            rows.Add(Measure("3b", "Next run: its own updates come back in the Outlook delta", await env.RunAsync(sync, null), k, 1, latency));
        }
        return rows;
    }

    /// <summary>4: memory and no-op time at P links.</summary>
    public static async Task<List<Row>> LargeAsync(BenchOptions o)
    {
        var pairs = Scaled(50_000, o.Scale, 20);
        var (env, sync, setup, _, _) = await PairsAsync(o, "4", pairs);
        await using var _env = env;
        o.Log("[4] no-op run, twice in one process");
        var runs = await env.RunManyAsync(sync, null, 2);
        if (o.Profile) await env.ProfileAsync(sync);
        return new List<Row>
        {
            setup,
            Measure("4", $"No-op run at {pairs:N0} links (new process; memory)", runs[0], 0, 1, o.Latency.TotalSeconds),
            Measure("4w", "The same, again in the same process (warm)", runs[1], 0, 1, o.Latency.TotalSeconds),
        };
    }

    /// <summary>6: many syncs against one Bitrix24 portal in one run (the engine, one sync after another, one process).</summary>
    public static async Task<List<Row>> ManySyncsAsync(BenchOptions o)
    {
        var count = Scaled(200, o.Scale, 2);
        await using var env = await BenchEnvironment.StartAsync(o);
        o.Log($"[6] seeding {count} syncs (own Outlook calendar and Bitrix24 section each, 5 + 5 meetings, 1 shared)");
        var syncs = new List<JobSync>();
        for (var s = 0; s < count; s++)
        {
            var calendar = await env.CreateOutlookCalendarAsync($"Bench {s}");
            var section = env.Bitrix24.SeedSection($"Bench {s}");
            for (var i = 0; i < 5; i++)
            {
                env.SeedOutlook(i == 0 ? $"Shared {s}" : $"Outlook {s}.{i}", env.SlotLocal(s * 10 + i), calendar);
                env.SeedBitrix24(i == 0 ? $"Shared {s}" : $"Bitrix24 {s}.{i}", env.SlotLocal(i == 0 ? s * 10 : s * 10 + 5 + i), section);
            }
            var name = "team-" + s.ToString("D3", CultureInfo.InvariantCulture);
            env.DefineSync(name);
            syncs.Add(new JobSync(name, calendar, section.ToString(CultureInfo.InvariantCulture)));
        }
        var latency = o.Latency.TotalSeconds;
        o.Log("[6a] all syncs, initial merge");
        var first = Measure("6a", $"{count} syncs, one portal, one run: initial merge (4+4 copies each)", await env.RunAsync(syncs, InitialMerge.TwoWay), count * 5, count, latency,
            "through the engine (SyncRunner, one sync after another in one process), not Start-CalSync -Name *");
        o.Log("[6b] all syncs, next run");
        var second = Measure("6b", $"{count} syncs, next run (own creates come back)", await env.RunAsync(syncs, null), count * 4, count, latency,
            "through the engine");
        o.Log("[6c] all syncs, no-op");
        var third = Measure("6c", $"{count} syncs, no-op run", await env.RunAsync(syncs, null), 0, count, latency, "through the engine");
        return new List<Row> { first, second, third };
    }
}
