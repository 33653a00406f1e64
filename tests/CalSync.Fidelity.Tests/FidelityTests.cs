using System.Diagnostics;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace CalSync.Fidelity.Tests;

/// <summary>
/// Issue 7: recurring series, exceptions, all-day meetings and time zones survive the round trip through both connectors.
/// Default run: a seeded subset in-process and in four process time zones; CALSYNC_FIDELITY_FULL=1: the whole corpus everywhere.
/// </summary>
public sealed class FidelityTests(ITestOutputHelper output)
{
    [Fact]
    public void Corpus_is_reproducible_and_covers_every_shape_zone_and_pattern()
    {
        var corpus = CorpusGenerator.Generate(FidelitySettings.Seed);
        var again = CorpusGenerator.Generate(FidelitySettings.Seed);
        Assert.True(corpus.Count >= 1000);
        Assert.Equal(corpus.Select(m => IcalOracle.ToICalendar(m) + m.Body + m.ShowAs + m.Sensitivity + m.ReminderMinutes),
            again.Select(m => IcalOracle.ToICalendar(m) + m.Body + m.ShowAs + m.Sensitivity + m.ReminderMinutes));
        Assert.Equal(20, corpus.Select(m => m.Zone).Distinct().Count());
        foreach (var zone in new[] { "Asia/Kolkata", "Asia/Kathmandu", "Australia/Adelaide", "Australia/Lord_Howe", "America/Santiago", "Europe/Berlin" })
            Assert.Contains(corpus, m => m.Zone == zone && !m.AllDay);
        foreach (var shape in new[] { "timed", "all-day", "multi-day all-day", "multi-day timed", "zero-length", "dst-edge single", "dst-edge series",
                     "daily", "weekly", "monthly", "monthly 29-31", "yearly", "relative monthly", "relative yearly", "all-day series" })
            Assert.Contains(corpus, m => m.Shape == shape);
        var series = corpus.Where(m => m.Recurrence is not null).ToList();
        Assert.Contains(series, m => m.Recurrence!.Count is not null);
        Assert.Contains(series, m => m.Recurrence!.Until is not null);
        Assert.Contains(series, m => m.Recurrence!.Count is null && m.Recurrence.Until is null);
        Assert.Contains(series, m => m.Recurrence!.Kind == PatternKind.Weekly && m.Recurrence.Days.Length > 1 && m.Recurrence.Interval > 1);
        Assert.Contains(series, m => m.Cancelled.Length > 0 && m.Origin == Origin.Outlook);
        Assert.Contains(series, m => m.Cancelled.Length > 0 && m.Origin == Origin.Bitrix24);
        Assert.Contains(series, m => m.Moved.Length > 0 && m.AllDay);
        Assert.Contains(series, m => m.Moved.Length > 0 && !m.AllDay && m.Origin == Origin.Bitrix24);
        Assert.Contains(corpus, m => m.Title.Length > 200);
        Assert.Contains(corpus, m => m.Body.Length > 5000);
        Assert.Contains(corpus, m => m.Title.Any(char.IsSurrogate));
    }

    [Fact]
    public void Edits_are_reproducible_and_cover_every_kind_on_both_origins()
    {
        var corpus = CorpusGenerator.Generate(FidelitySettings.Seed);
        var edits = corpus.Select(m => Edits.Plan(m, FidelitySettings.Seed)).ToList();
        // The same edit whether the meeting runs alone, in a subset or in the whole corpus.
        var subset = CorpusGenerator.Subset(corpus, 90).Select(m => Edits.Plan(m, FidelitySettings.Seed)).ToList();
        Assert.All(subset, e => Assert.Equal(IcalOracle.ToICalendar(e.After), IcalOracle.ToICalendar(edits.Single(x => x.Before.Tag == e.Before.Tag).After)));
        Assert.All(edits, e => Assert.NotEqual(EditKind.None, e.Kinds));
        Assert.Contains(edits, e => System.Numerics.BitOperations.PopCount((uint)e.Kinds) > 2); // some meetings get several edits
        foreach (var origin in new[] { Origin.Outlook, Origin.Bitrix24 })
        {
            var mine = edits.Where(e => e.Before.Origin == origin).ToList();
            foreach (var kind in Edits.Kinds) Assert.Contains(mine, e => e.Kinds.HasFlag(kind));
            Assert.Contains(mine, e => e.Kinds.HasFlag(EditKind.Time) && e.After.AllDay && e.After.Start != e.Before.Start);
            // Timed series moved in a zone of their own (the portals' user zones are none of the corpus zones).
            Assert.Contains(mine, e => e.Kinds.HasFlag(EditKind.Time) && e.After.Recurrence is not null && !e.After.AllDay && e.After.Zone != "UTC" && e.After.Start != e.Before.Start);
            Assert.Contains(mine, e => e.Occurrence is { OwnReminder: true });
            Assert.Contains(mine, e => e.Occurrence is { } x && x.NewStart != x.OriginalDate + e.After.Start.TimeOfDay);
        }
    }

    [Fact]
    public async Task Round_trip_through_both_connectors_keeps_every_field_and_occurrence_and_then_writes_nothing()
    {
        var corpus = CorpusGenerator.Subset(CorpusGenerator.Generate(FidelitySettings.Seed), FidelitySettings.InProcessSize);
        var report = await RoundTrip.RunAsync(corpus, output.WriteLine);
        File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "fidelity-report.json"), JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
        AssertClean(report);
    }

    [Theory]
    [InlineData("UTC")]
    [InlineData("America/Los_Angeles")]
    [InlineData("Asia/Tokyo")]
    [InlineData("Australia/Lord_Howe")]
    public async Task Round_trip_with_the_process_in_another_time_zone(string zone)
    {
        // .NET reads TZ once and caches TimeZoneInfo.Local: each zone gets its own process running the same round trip.
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        start.ArgumentList.Add("roundtrip");
        start.ArgumentList.Add(FidelitySettings.Full ? "full" : FidelitySettings.PerZoneSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.Environment["TZ"] = zone;
        using var child = Process.Start(start)!;
        var stderr = child.StandardError.ReadToEndAsync();
        var stdout = await child.StandardOutput.ReadToEndAsync();
        await child.WaitForExitAsync();
        output.WriteLine(await stderr);
        Assert.True(child.ExitCode == 0, $"child exited {child.ExitCode}: {await stderr}");
        var line = stdout.Split('\n').Single(l => l.StartsWith(Program.Marker, StringComparison.Ordinal));
        var report = JsonSerializer.Deserialize<FidelityReport>(line[Program.Marker.Length..])!;
        if (zone != "UTC") Assert.Equal(zone, report.ProcessTimeZone);
        else Assert.Contains(report.ProcessTimeZone, new[] { "UTC", "Etc/UTC", "Universal", "Etc/Universal" });
        Assert.True(report.AllDay > 0 && report.Meetings > report.AllDay, "the subset checks all-day and timed meetings");
        AssertClean(report);
    }

    private void AssertClean(FidelityReport report)
    {
        Assert.True(report.Create.Total.OccurrencesCompared > 0);
        AssertClean(report.ProcessTimeZone, report.Meetings, "create", report.Create);
        // Every meeting edited once; each kind of edit somewhere in the run.
        Assert.Equal(report.Meetings, report.Edit.Total.Meetings / 2);
        foreach (var kind in Edits.Kinds) Assert.True(report.Edited.GetValueOrDefault(kind.ToString()) > 0, $"no {kind} edit");
        AssertClean(report.ProcessTimeZone, report.Meetings, "edit", report.Edit);
    }

    private void AssertClean(string zone, int meetings, string name, PassResult pass)
    {
        output.WriteLine($"process zone {zone}, {name} pass: {meetings} meetings, {pass.Total.OccurrencesCompared} occurrences and {pass.Total.FieldsCompared} fields compared; "
            + $"{pass.Total.OccurrenceDifferences} occurrence and {pass.Total.FieldDifferences} field differences; settling writes {pass.SettlingWrites}; {pass.Seconds}s");
        foreach (var sample in pass.Total.Samples.Concat(pass.Sources.Samples)) output.WriteLine("  " + sample);
        foreach (var run in pass.Runs.Concat(pass.SettlingOutcomes)) output.WriteLine("  " + run);
        Assert.True(pass.Total.OccurrencesCompared > 0);
        Assert.Equal(0, pass.Total.OccurrenceDifferences);
        Assert.Equal(0, pass.Total.FieldDifferences);
        Assert.Equal(0, pass.Sources.OccurrenceDifferences);
        Assert.Equal(0, pass.SettlingWrites);
        Assert.All(pass.SettlingOutcomes, o => Assert.StartsWith(o.Split(':')[0] + ": NoChanges", o));
        Assert.All(pass.Runs, r => { Assert.Contains("!0; Bitrix24", r); Assert.Contains("!0; linked", r); });
    }
}
