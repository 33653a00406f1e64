using System.Diagnostics;
using CalSync.Bitrix24;
using CalSync.Engine.Sides;
using CalSync.Store;
using CalSync.Engine.Sync;
using CalSync.Outlook;
using CalSync.Sandbox.Bitrix24;
using CalSync.Sandbox.Graph;

namespace CalSync.Fidelity.Tests;

public sealed class LegResult
{
    public string Name { get; set; } = "";
    public Tally Tally { get; set; } = new();
}

/// <summary>One pass (the first copies, or the edits): its runs, the settling runs and the comparisons.</summary>
public sealed class PassResult
{
    public Tally Total { get; set; } = new();
    /// <summary>The seeded (or edited) calendars against the oracle (checks the corpus, the seeding and the stand-ins' own expansion).</summary>
    public Tally Sources { get; set; } = new();
    public List<LegResult> Legs { get; set; } = new();
    public List<string> Runs { get; set; } = new();
    /// <summary>Write requests the stand-ins received during the settling runs (must be 0).</summary>
    public long SettlingWrites { get; set; }
    public List<string> SettlingOutcomes { get; set; } = new();
    public double Seconds { get; set; }
}

public sealed class FidelityReport
{
    public string ProcessTimeZone { get; set; } = TimeZoneInfo.Local.Id;
    public int Meetings { get; set; }
    public int OutlookOrigin { get; set; }
    public int Bitrix24Origin { get; set; }
    public int Series { get; set; }
    public int AllDay { get; set; }
    public int SeriesAsSinglesOnBitrix24 { get; set; }
    public List<string> ZonesUsed { get; set; } = new();
    /// <summary>The first copies of the seeded meetings.</summary>
    public PassResult Create { get; set; } = new();
    /// <summary>Every meeting edited once on its source, synced, compared with the oracle of the edited source.</summary>
    public PassResult Edit { get; set; } = new();
    /// <summary>Meetings edited per kind (a meeting may have several).</summary>
    public SortedDictionary<string, int> Edited { get; set; } = new(StringComparer.Ordinal);
    public double Seconds { get; set; }
}

/// <summary>
/// The round trip, through the real runner and both real connectors against the stand-ins:
/// Outlook-origin meetings: Outlook A → Bitrix24 B (sync "fwd"), then B → a fresh Outlook mailbox C (sync "back").
/// Bitrix24-origin meetings: Bitrix24 D → Outlook E (sync "rev"), then E → a fresh Bitrix24 portal F (sync "rev-back").
/// All four syncs run again and must write nothing; then every copy is compared with the Ical.Net expansion of its source.
/// Then every meeting is edited once on its source (<see cref="Edits"/>) and the same is done with the edited sources.
/// </summary>
public static class RoundTrip
{
    public static async Task<FidelityReport> RunAsync(IReadOnlyList<Meeting> corpus, Action<string>? log = null, int seed = FidelitySettings.Seed)
    {
        log ??= _ => { };
        var clock = Stopwatch.StartNew();
        var report = new FidelityReport
        {
            Meetings = corpus.Count,
            OutlookOrigin = corpus.Count(m => m.Origin == Origin.Outlook),
            Bitrix24Origin = corpus.Count(m => m.Origin == Origin.Bitrix24),
            Series = corpus.Count(m => m.Recurrence is not null),
            AllDay = corpus.Count(m => m.AllDay),
            SeriesAsSinglesOnBitrix24 = corpus.Count(m => m.Recurrence is not null && !Comparison.BitrixCanHold(m)),
            ZonesUsed = corpus.Where(m => !m.AllDay).Select(m => m.Zone).Distinct().Order().ToList(),
        };
        var outlookOrigin = corpus.Where(m => m.Origin == Origin.Outlook).ToList();
        var bitrixOrigin = corpus.Where(m => m.Origin == Origin.Bitrix24).ToList();

        await using var a = await StartGraphAsync();
        await using var c = await StartGraphAsync();
        await using var e = await StartGraphAsync();
        // Portals whose server and user zones differ from each other and from the meetings' zones.
        await using var b = await StartBitrixAsync("de", server: "America/Caracas", user: "Asia/Yangon");
        await using var d = await StartBitrixAsync("en", server: "Asia/Tokyo", user: "Pacific/Marquesas");
        await using var f = await StartBitrixAsync("en", server: "Europe/Moscow", user: "America/Anchorage");

        await Seeding.SeedGraphAsync(a, outlookOrigin);
        Seeding.SeedBitrix(d, bitrixOrigin);
        log($"seeded {outlookOrigin.Count} Outlook and {bitrixOrigin.Count} Bitrix24 meetings ({clock.Elapsed.TotalSeconds:F1}s)");

        var root = Path.Combine(Path.GetTempPath(), "calsync-fidelity-" + Guid.NewGuid().ToString("N"));
        try
        {
            var store = new CalSyncStore(root);
            var syncs = new (string Name, GraphService Outlook, Bitrix24Service Bitrix24)[] { ("fwd", a, b), ("back", c, b), ("rev", e, d), ("rev-back", e, f) };
            var calendars = new Calendars(a, b, c, d, e, f);
            report.Create = await PassAsync(store, syncs, calendars, InitialMerge.TwoWay, outlookOrigin, bitrixOrigin, "create", clock, log);

            // Edit pass: every meeting edited once on its source, then the same syncs, settling runs and comparisons.
            var passStart = clock.Elapsed;
            var outlookEdits = outlookOrigin.Select(m => Edits.Plan(m, seed)).ToList();
            var bitrixEdits = bitrixOrigin.Select(m => Edits.Plan(m, seed)).ToList();
            await Edits.ApplyGraphAsync(a, outlookEdits);
            Edits.ApplyBitrix(d, bitrixEdits);
            report.Edited = Edits.Count(outlookEdits.Concat(bitrixEdits));
            log($"edited {outlookEdits.Count + bitrixEdits.Count} meetings: {string.Join(", ", report.Edited.Select(k => $"{k.Key} {k.Value}"))} ({clock.Elapsed.TotalSeconds:F1}s)");
            report.Edit = await PassAsync(store, syncs, calendars, merge: null, outlookEdits.Select(x => x.After).ToList(), bitrixEdits.Select(x => x.After).ToList(), "edit", clock, log);
            report.Edit.Seconds = Math.Round((clock.Elapsed - passStart).TotalSeconds, 1);
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
        report.Seconds = Math.Round(clock.Elapsed.TotalSeconds, 1);
        return report;
    }

    private sealed record Calendars(GraphService A, Bitrix24Service B, GraphService C, Bitrix24Service D, GraphService E, Bitrix24Service F);

    /// <summary>Runs the four syncs, then all four again (they must write nothing), and compares every copy and source with the oracle.</summary>
    private static async Task<PassResult> PassAsync(CalSyncStore store, (string Name, GraphService Outlook, Bitrix24Service Bitrix24)[] syncs, Calendars cal,
        InitialMerge? merge, List<Meeting> outlookOrigin, List<Meeting> bitrixOrigin, string pass, Stopwatch clock, Action<string> log)
    {
        var result = new PassResult();
        var started = clock.Elapsed;
        foreach (var (name, outlook, bitrix24) in syncs)
        {
            var record = await RunAsync(store, name, outlook, bitrix24, merge);
            result.Runs.Add(Describe(record));
            log($"{pass} {Describe(record)} ({clock.Elapsed.TotalSeconds:F1}s)");
        }

        // Settling: every sync once more; nothing may be written anywhere.
        var graphs = new[] { cal.A, cal.C, cal.E };
        var portals = new[] { cal.B, cal.D, cal.F };
        foreach (var s in graphs) s.Journal.Clear();
        foreach (var s in portals) s.Journal.Clear();
        foreach (var (name, outlook, bitrix24) in syncs)
        {
            var record = await RunAsync(store, name, outlook, bitrix24, merge: null);
            result.SettlingOutcomes.Add(Describe(record));
        }
        result.SettlingWrites = graphs.Sum(s => s.Journal.WriteCount) + portals.Sum(s => s.Journal.WriteCount);
        log($"{pass} settling writes: {result.SettlingWrites} ({clock.Elapsed.TotalSeconds:F1}s)");

        // Compare every copy with the oracle.
        var seenA = await Observation.ReadGraphAsync(cal.A);
        var seenC = await Observation.ReadGraphAsync(cal.C);
        var seenE = await Observation.ReadGraphAsync(cal.E);
        var legs = new[]
        {
            ("Outlook → Bitrix24 (fwd)", outlookOrigin, Target.Bitrix24, Observation.ReadBitrix(cal.B), Observation.BitrixSeries(cal.B), (Func<Meeting, bool>)Comparison.BitrixCanHold, false),
            ("Bitrix24 → Outlook (back)", outlookOrigin, Target.Outlook, seenC, Observation.GraphSeries(cal.C), Comparison.BitrixCanHold, false),
            ("Bitrix24 → Outlook (rev)", bitrixOrigin, Target.Outlook, seenE, Observation.GraphSeries(cal.E), m => m.Recurrence is not null, false),
            ("Outlook → Bitrix24 (rev-back)", bitrixOrigin, Target.Bitrix24, Observation.ReadBitrix(cal.F), Observation.BitrixSeries(cal.F), Comparison.BitrixCanHold, false),
            ("source Outlook", outlookOrigin, Target.Outlook, seenA, Observation.GraphSeries(cal.A), m => m.Recurrence is not null, true),
            ("source Bitrix24", bitrixOrigin, Target.Bitrix24, Observation.ReadBitrix(cal.D), Observation.BitrixSeries(cal.D), m => m.Recurrence is not null, true),
        };
        foreach (var (name, meetings, target, seen, series, asSeries, isSource) in legs)
        {
            var byTag = seen.ToLookup(s => s.Tag);
            var leg = new LegResult { Name = name };
            foreach (var m in meetings)
            {
                var expected = IcalOracle.Occurrences(m);
                var mine = byTag[m.Tag].ToList();
                leg.Tally.Add(isSource ? CompareSource(m, target, name, mine, series, expected) : Comparison.Compare(m, target, name, mine, series, expected, asSeries(m) && m.Recurrence is not null));
            }
            result.Legs.Add(leg);
            if (isSource) result.Sources.Add(leg.Tally);
            else result.Total.Add(leg.Tally);
            log($"{pass} {name}: {leg.Tally.OccurrencesCompared} occurrences, {leg.Tally.FieldsCompared} fields, {leg.Tally.OccurrenceDifferences} occurrence and {leg.Tally.FieldDifferences} field differences");
        }
        result.Seconds = Math.Round((clock.Elapsed - started).TotalSeconds, 1);
        return result;
    }

    /// <summary>The seeded calendar itself against the oracle: occurrences only (its fields are the source's own words).</summary>
    private static Tally CompareSource(Meeting m, Target target, string name, List<SeenOccurrence> seen, IReadOnlyList<SeenSeries> series, IReadOnlyList<ExpectedOccurrence> expected)
    {
        var t = new Tally { Meetings = 1 };
        var keys = seen.Where(s => s.AllDay
            ? s.Start >= CorpusGenerator.CompareFrom.Date && s.Start < CorpusGenerator.CompareTo.Date
            : s.Start >= CorpusGenerator.CompareFrom && s.Start < CorpusGenerator.CompareTo).Select(s => (s.Key, s.End)).OrderBy(k => k.Key).ToList();
        var want = expected.Select(o => (o.Key, o.End)).OrderBy(k => k.Key).ToList();
        t.OccurrencesCompared += want.Count;
        var missing = want.Except(keys).ToList();
        var extra = keys.Except(want).ToList();
        t.OccurrenceDifferences += missing.Count + extra.Count;
        if (missing.Count + extra.Count > 0) t.Note($"{name} {m.Tag} ({m.Shape}): missing {string.Join(",", missing.Take(3))} extra {string.Join(",", extra.Take(3))}");
        return t;
    }

    private static string Describe(RunRecord r) =>
        $"{r.SyncName}: {r.Outcome}{(r.Message is null ? "" : " (" + r.Message + ")")}; Outlook +{r.Outlook.Created} ~{r.Outlook.Updated} -{r.Outlook.Deleted} !{r.Outlook.Failed}; "
        + $"Bitrix24 +{r.Bitrix24.Created} ~{r.Bitrix24.Updated} -{r.Bitrix24.Deleted} !{r.Bitrix24.Failed}; linked {r.Outlook.Matched}"
        + string.Concat(r.Items.Where(i => !i.Succeeded).Take(5).Select(i => "\n    failed: " + i.Reason));

    private static async Task<RunRecord> RunAsync(CalSyncStore store, string name, GraphService outlook, Bitrix24Service bitrix24, InitialMerge? merge)
    {
        using var outlookSide = await OutlookCalendarSide.ConnectAsync(new OutlookConnectionOptions
        {
            Endpoint = outlook.BaseUrl, AccessToken = outlook.AccessToken, TokenCacheMode = TokenCacheMode.InMemory,
        });
        using var bitrixSide = new Bitrix24CalendarSide(new Bitrix24ConnectionOptions
        {
            WebhookUrl = bitrix24.WebhookUrl,
            SectionId = bitrix24.DefaultSectionId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            RequestsPerSecond = 1000, Burst = 1000, QueryLimitBackoff = TimeSpan.FromMilliseconds(20),
        });
        var definition = new SyncDefinition
        {
            Name = name, Mapping = "default", ProceedOnError = true, WindowPastDays = 30, WindowFutureDays = 365,
            OutlookConnection = name + "-outlook", Bitrix24Connection = name + "-bitrix24",
        };
        var runner = new SyncRunner(store, outlookSide, bitrixSide);
        var result = await runner.RunAsync(definition, new RunOptions { Merge = merge, Now = new DateTimeOffset(CorpusGenerator.Now) }, CancellationToken.None);
        return result.Record;
    }

    private static async Task<GraphService> StartGraphAsync()
    {
        var g = await GraphService.StartAsync(new GraphServiceOptions());
        g.ThrottlingEnabled = false;
        return g;
    }

    private static Task<Bitrix24Service> StartBitrixAsync(string culture, string server, string user) =>
        Bitrix24Service.StartAsync(new Bitrix24ServiceOptions
        {
            Culture = culture, ServerTimeZone = server, UserTimeZone = user, RateLimitEnabled = false,
        });
}
