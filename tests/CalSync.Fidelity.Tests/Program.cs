using System.Text.Json;

namespace CalSync.Fidelity.Tests;

/// <summary>
/// Console entry for the process-time-zone runs: .NET reads TZ once at start-up and caches TimeZoneInfo.Local, so a
/// round trip "in" another local zone needs its own process (<c>TZ=Australia/Lord_Howe dotnet CalSync.Fidelity.Tests.dll roundtrip 200</c>).
/// Prints the report as one JSON line after <see cref="Marker"/>.
/// </summary>
public static class Program
{
    public const string Marker = "FIDELITY-REPORT ";

    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "list")
        {
            foreach (var m in CorpusGenerator.Generate())
                Console.WriteLine($"{m.Tag} {m.Shape} allDay={m.AllDay} {m.Zone} {m.Start:yyyy-MM-dd HH:mm} {m.Recurrence} cancelled={m.Cancelled.Length} moved={m.Moved.Length} bitrixSeries={Comparison.BitrixCanHold(m)}");
            return 0;
        }
        if (args.Length > 0 && args[0] == "edits")
        {
            foreach (var e in CorpusGenerator.Generate().Select(m => Edits.Plan(m, FidelitySettings.Seed)))
                Console.WriteLine($"{e.Before.Tag} {e.Before.Shape} {e.Kinds}: {e.After.Zone} {e.After.Start:yyyy-MM-dd HH:mm}–{e.After.End:yyyy-MM-dd HH:mm} reminder={e.After.ReminderMinutes} showAs={e.After.ShowAs} occurrence={e.Occurrence}");
            return 0;
        }
        if (args.Length == 0 || args[0] != "roundtrip")
        {
            Console.Error.WriteLine("usage: CalSync.Fidelity.Tests roundtrip [size|full] [seed] | list | edits");
            return 2;
        }
        var seed = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : FidelitySettings.Seed;
        var corpus = CorpusGenerator.Generate(seed);
        var subset = args.Length > 1 && args[1] != "full" ? CorpusGenerator.Subset(corpus, int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture)) : corpus;
        if (Environment.GetEnvironmentVariable("CALSYNC_FIDELITY_TAGS") is { Length: > 0 } tags)
            subset = corpus.Where(m => tags.Split(',').Contains(m.Tag)).ToList();
        var report = await RoundTrip.RunAsync(subset, line => Console.Error.WriteLine(line), seed);
        Console.WriteLine(Marker + JsonSerializer.Serialize(report));
        return 0;
    }
}
