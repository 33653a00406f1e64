using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace CalSync.Benchmarks;

/// <summary>
/// 8: the resident mode through the module at a one-minute interval, against the real limits (issue 21). A user edits
/// meetings on both stand-ins (creates, updates, deletes, both directions, at random moments in the next two weeks)
/// while <c>Start-CalSync -Resident</c> runs; each edit's time until its copy shows it on the other side is the
/// freshness. Then the process runs idle cycles: requests, Bitrix24 bytes and CPU per idle cycle, peak working set.
/// </summary>
public static class ResidentScenario
{
    private sealed record Edit(string Kind, Func<Task> Make, Func<bool> Visible)
    {
        public DateTime MadeAt { get; set; }
        public double? Seconds { get; set; }
    }

    public static async Task<List<Row>> RunAsync(BenchOptions o)
    {
        var manifest = Path.GetFullPath(o.ModulePath ?? ModuleScenario.DefaultManifest());
        if (!File.Exists(manifest))
        {
            o.Log($"[8] skipped: no built module at {manifest} (dotnet build first)");
            return new List<Row>();
        }
        var pairs = Math.Max(400, (int)Math.Round(10_000 * o.Scale));
        var editCount = Math.Max(12, (int)Math.Round(24 * Math.Min(1, o.Scale * 4)));
        await using var env = await BenchEnvironment.StartAsync(o);
        o.Log($"[8] seeding {pairs} identical pairs");
        var outlookIds = new string[pairs];
        var bitrix24Ids = new int[pairs];
        for (var i = 0; i < pairs; i++)
        {
            outlookIds[i] = env.SeedOutlook($"Meeting #{i}", env.SlotLocal(i));
            bitrix24Ids[i] = env.SeedBitrix24($"Meeting #{i}", env.SlotLocal(i));
        }
        // Meetings 1 to 13 days ahead: the range a double booking is made in.
        var hot = Enumerable.Range(0, pairs).Where(i => i % 380 is >= 26 and <= 38).ToList();

        await using var child = await env.StartPowerShellAsync(new PsJob
        {
            StoreRoot = env.StoreRoot, Manifest = manifest,
            Setup = "Import-Module $manifest; Connect-OutlookCalendar -Endpoint $graph -AccessToken $token | Out-Null; " +
                    "Connect-Bitrix24 -WebhookUrl $webhook -AllowPlaintextSecretStore | Out-Null; " +
                    "New-CalSync -Name Work -Interval ([TimeSpan]::FromMinutes(1)) | Out-Null",
            Measured = new()
            {
                "Start-CalSync -Name Work -InitialMerge TwoWay | Out-Null",
                "Start-CalSync -Name Work | Out-Null",
                "Start-CalSync -Name Work -Resident",
                "Start-CalSync -Name Work -Resident",
            },
        });
        var rows = new List<Row>();
        (SideRequests Graph, SideRequests Bitrix24, long Bytes) Take()
        {
            var taken = (BenchEnvironment.CountGraph(env.Graph.Journal.Requests), BenchEnvironment.CountBitrix24(env.Bitrix24.Journal.Requests), env.Bitrix24.Journal.AnswerBytes);
            env.Graph.Journal.Clear();
            env.Bitrix24.Journal.Clear();
            return taken;
        }
        async Task<JobResult> Result(string step) =>
            await child.ResultAsync() ?? new JobResult { Error = $"the child ended during {step}: {(await child.ErrorsAsync()).Trim()}" };

        var merge = await Result("the initial merge");
        var (g, b, _) = Take();
        rows.Add(new Row { Id = "8 setup", Title = $"Initial merge of {pairs:N0} identical pairs", Graph = g, Bitrix24 = b, Result = merge, Problems = Problems(merge) });
        await env.PrepareAsync();
        await child.NextAsync();
        var plain = await Result("the plain run");
        (g, b, var windowBytes) = Take();
        rows.Add(new Row
        {
            Id = "8 plain", Title = $"A plain Start-CalSync no-op at {pairs:N0} links (the whole Bitrix24 window)", Graph = g, Bitrix24 = b, MinGraph = 1, MinBitrix24 = 1,
            Result = plain, Problems = Problems(plain), Note = $"Bitrix24 answers {windowBytes / 1048576.0:0.00} MB",
        });

        // Edits while the resident mode runs.
        var history = () => env.Store.History.Read("Work").Count;
        await env.PrepareAsync();
        var runsBefore = history();
        await child.NextAsync();
        var started = Stopwatch.StartNew();
        while (history() == runsBefore && started.Elapsed < TimeSpan.FromMinutes(3)) await Task.Delay(500);
        var edits = Edits(env, editCount, hot, outlookIds, bitrix24Ids);
        var random = new Random(8);
        var span = TimeSpan.FromMinutes(Math.Max(2, editCount / 4.0));
        var plan = edits.Select(e => (Edit: e, At: TimeSpan.FromSeconds(random.NextDouble() * span.TotalSeconds))).OrderBy(p => p.At).ToList();
        o.Log($"[8] {editCount} edits over {span.TotalMinutes:0} min while the resident mode runs at a one-minute interval");
        var clock = Stopwatch.StartNew();
        var poller = Task.Run(async () =>
        {
            var deadline = span + TimeSpan.FromMinutes(5);
            while (clock.Elapsed < deadline && edits.Any(e => e.Seconds is null))
            {
                foreach (var e in edits.Where(e => e.MadeAt != default && e.Seconds is null))
                    if (e.Visible()) e.Seconds = (DateTime.UtcNow - e.MadeAt).TotalSeconds;
                await Task.Delay(1000);
            }
        });
        foreach (var (edit, at) in plan)
        {
            var wait = at - clock.Elapsed;
            if (wait > TimeSpan.Zero) await Task.Delay(wait);
            await edit.Make();
            edit.MadeAt = DateTime.UtcNow;
        }
        await poller;
        child.Terminate();
        var editing = await Result("the edits");
        var editCycles = history() - runsBefore;
        (g, b, _) = Take();
        rows.Add(new Row
        {
            Id = "8a", Title = $"Resident, 1-minute interval: {editCount} edits (create/update/delete, both directions) during {editCycles} cycles", Graph = g, Bitrix24 = b,
            Result = editing, Problems = Problems(editing).Concat(edits.Where(e => e.Seconds is null).Select(e => $"{e.Kind} never showed")).ToList(),
            Note = Freshness(edits),
        });

        // Idle cycles: each one's Bitrix24 bytes, taken when its history record appears.
        await env.PrepareAsync();
        runsBefore = history();
        await child.NextAsync();
        const int idleCycles = 4;
        var perCycle = new List<long>();
        var bytesBefore = env.Bitrix24.Journal.AnswerBytes;
        started.Restart();
        while (perCycle.Count < idleCycles && started.Elapsed < TimeSpan.FromMinutes(idleCycles + 2))
        {
            await Task.Delay(250);
            if (history() - runsBefore <= perCycle.Count) continue;
            var now = env.Bitrix24.Journal.AnswerBytes;
            perCycle.Add(now - bytesBefore);
            bytesBefore = now;
        }
        child.Terminate();
        var idle = await Result("the idle cycles");
        var cycles = Math.Max(1, history() - runsBefore);
        (g, b, _) = Take();
        // A far read comes every FarReadInterval (20 one-minute cycles): the average idle cycle is 19 hot reads and one whole one.
        var hotCycles = perCycle.Where(x => x < windowBytes / 2).ToList();
        var hotBytes = hotCycles.Count > 0 ? hotCycles.Average() : double.NaN;
        var average = (hotBytes * 19 + windowBytes) / 20;
        rows.Add(new Row
        {
            Id = "8b", Title = $"Resident, idle: {cycles} cycles at {pairs:N0} links", Graph = g, Bitrix24 = b, MinGraph = cycles, MinBitrix24 = cycles,
            Result = idle, Problems = Problems(idle),
            Note = string.Create(CultureInfo.InvariantCulture,
                $"per idle cycle: {(double)(g.Http + b.Http) / cycles:0.00} requests, CPU {idle.CpuRunSeconds / cycles:0.000} s; Bitrix24 answers {hotBytes / 1024:0} KB a hot-only cycle ({hotCycles.Count} of {perCycle.Count}), {average / 1024:0} KB on average with a whole read every 20 = {average / Math.Max(1, windowBytes):0.000} of the whole window's {windowBytes / 1048576.0:0.00} MB; peak working set {idle.PeakWorkingSetMB:0} MB"),
        });
        return rows;
    }

    private static List<string> Problems(JobResult r) => r.Error is null ? new() : new() { r.Error };

    /// <summary>Edits spread evenly over the six kinds, each on its own meeting 1-13 days ahead.</summary>
    private static List<Edit> Edits(BenchEnvironment env, int count, List<int> hot, string[] outlookIds, int[] bitrix24Ids)
    {
        var edits = new List<Edit>();
        var next = 0;
        int Meeting() => hot[next++ % hot.Count];
        bool OnBitrix24(string name) => env.Bitrix24.GetEvents().Any(e => e.Name == name);
        bool OnOutlook(string subject) => env.Graph.GetSubjects().Contains(subject);
        for (var k = 0; k < count; k++)
        {
            var i = Meeting();
            var title = $"Meeting #{i}";
            var day = env.SlotLocal(i).AddHours(1).AddMinutes(30);
            edits.Add((k % 6) switch
            {
                0 => new Edit("Outlook create", () => { env.SeedOutlook($"New in Outlook {k}", day); return Task.CompletedTask; }, () => OnBitrix24($"New in Outlook {k}")),
                1 => new Edit("Outlook update", () => env.PatchOutlookAsync(outlookIds[i], $$"""{"subject":"Edited in Outlook {{k}}"}"""), () => OnBitrix24($"Edited in Outlook {k}")),
                2 => new Edit("Outlook delete", () => env.DeleteOutlookAsync(outlookIds[i]), () => !OnBitrix24(title)),
                3 => new Edit("Bitrix24 create", () => { env.SeedBitrix24($"New in Bitrix24 {k}", day); return Task.CompletedTask; }, () => OnOutlook($"New in Bitrix24 {k}")),
                4 => new Edit("Bitrix24 update", () =>
                {
                    env.Bitrix24.Call("calendar.event.update", new Dictionary<string, object?> { ["id"] = bitrix24Ids[i], ["type"] = "user", ["ownerId"] = env.Bitrix24.UserId, ["name"] = $"Edited in Bitrix24 {k}" });
                    return Task.CompletedTask;
                }, () => OnOutlook($"Edited in Bitrix24 {k}")),
                _ => new Edit("Bitrix24 delete", () =>
                {
                    env.Bitrix24.Call("calendar.event.delete", new Dictionary<string, object?> { ["id"] = bitrix24Ids[i] });
                    return Task.CompletedTask;
                }, () => !OnOutlook(title)),
            });
        }
        return edits;
    }

    private static string Freshness(List<Edit> edits)
    {
        static string Stats(IEnumerable<double> values)
        {
            var v = values.OrderBy(x => x).ToList();
            if (v.Count == 0) return "none";
            double P(double p) => v[Math.Min(v.Count - 1, (int)Math.Ceiling(p * v.Count) - 1)];
            return string.Create(CultureInfo.InvariantCulture, $"n {v.Count}, mean {v.Average():0} s, p50 {P(0.5):0} s, p95 {P(0.95):0} s, max {v[^1]:0} s");
        }
        var seen = edits.Where(e => e.Seconds is not null).ToList();
        var text = new StringBuilder("edit until the copy shows it: all " + Stats(seen.Select(e => e.Seconds!.Value)));
        foreach (var side in new[] { "Outlook", "Bitrix24" })
            text.Append($"; from {side} " + Stats(seen.Where(e => e.Kind.StartsWith(side, StringComparison.Ordinal)).Select(e => e.Seconds!.Value)));
        return text.ToString();
    }
}
