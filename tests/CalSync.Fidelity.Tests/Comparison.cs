using System.Globalization;
using TimeZoneConverter;

namespace CalSync.Fidelity.Tests;

public enum Target { Outlook, Bitrix24 }

/// <summary>Tallies of one comparison and the first differences in words.</summary>
public sealed class Tally
{
    public int Meetings { get; set; }
    public int FieldsCompared { get; set; }
    public int FieldDifferences { get; set; }
    public int OccurrencesCompared { get; set; }
    public int OccurrenceDifferences { get; set; }
    public List<string> Samples { get; set; } = new();
    public int SampleLimit { get; set; } = 60;
    public SortedDictionary<string, int> ByShape { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Occurrences compared against a documented degradation instead of the source (docs/fidelity.md).</summary>
    public int Degraded { get; set; }

    public void Add(Tally other)
    {
        Meetings += other.Meetings;
        FieldsCompared += other.FieldsCompared;
        FieldDifferences += other.FieldDifferences;
        OccurrencesCompared += other.OccurrencesCompared;
        OccurrenceDifferences += other.OccurrenceDifferences;
        Degraded += other.Degraded;
        foreach (var s in other.Samples) if (Samples.Count < 60) Samples.Add(s);
        foreach (var (k, v) in other.ByShape) ByShape[k] = ByShape.GetValueOrDefault(k) + v;
    }

    public void Note(string text)
    {
        if (Samples.Count < SampleLimit) Samples.Add(text);
    }
}

/// <summary>
/// What a meeting must look like on a calendar after CalSync carried it there, with the documented degradations
/// (docs/fidelity.md) applied, and the comparison with what the calendar shows.
/// </summary>
public static class Comparison
{
    /// <summary>Whether Bitrix24 can hold the series as a series (docs/bitrix24-api.md, "Recurrence"); otherwise it travels as single events.</summary>
    public static bool BitrixCanHold(Meeting m)
    {
        if (m.Recurrence is not { } p) return true;
        if (m.Cancelled.Length > 0) return false; // no REST way to cancel one occurrence (docs/bitrix24-api.md, "What REST cannot express")
        switch (p.Kind)
        {
            case PatternKind.RelativeMonthly or PatternKind.RelativeYearly:
                return false;
            case PatternKind.AbsoluteMonthly when p.DayOfMonth > 28:
                return false; // Bitrix24 rolls a missing 29th-31st to the 1st of the next month
            case PatternKind.AbsoluteYearly when p.Month == 2 && p.DayOfMonth == 29:
                return false;
            case PatternKind.Weekly when !p.Days.Contains(m.Start.DayOfWeek):
                return false;
            case PatternKind.Weekly when p.Interval > 1 && p.FirstDayOfWeek != DayOfWeek.Monday && p.Days.Contains(DayOfWeek.Sunday) && p.Days.Length > 1:
                return false; // Bitrix24 weeks start on Monday
        }
        return true;
    }

    /// <summary>Show-as in <paramref name="target"/>'s words.</summary>
    public static string ShowAs(Origin origin, string showAs, Target target)
    {
        var common = origin == Origin.Outlook
            ? showAs switch { "workingElsewhere" or "unknown" => "busy", var s => s }
            : showAs switch { "quest" => "tentative", "absent" => "oof", var s => s };
        return target == Target.Outlook ? common : common switch { "tentative" => "quest", "oof" => "absent", var s => s };
    }

    public static string Sensitivity(Meeting m) => m.Sensitivity == "normal" ? "normal" : "private";

    public static bool SameZone(string? a, string? b)
    {
        if (a is null || b is null) return a == b;
        static string Windows(string z) => z is "UTC" or "Etc/UTC" ? "UTC" : TZConvert.TryIanaToWindows(z, out var w) ? w : z;
        return string.Equals(Windows(a), Windows(b), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Compares one meeting with its copy on a calendar. <paramref name="asSeries"/>: the copy must be one series (else single events).</summary>
    public static Tally Compare(Meeting m, Target target, string calendarName, IReadOnlyList<SeenOccurrence> seen, IReadOnlyList<SeenSeries> series,
        IReadOnlyList<ExpectedOccurrence> expected, bool asSeries)
    {
        var t = new Tally { Meetings = 1, SampleLimit = 4 };
        t.ByShape[m.Shape] = 1;
        void Field(string name, object? want, object? got, string where)
        {
            t.FieldsCompared++;
            if (Equals(want, got)) return;
            t.FieldDifferences++;
            t.Note($"{calendarName} {m.Tag} ({m.Shape}) {where} {name}: expected «{Short(want)}», found «{Short(got)}»");
        }

        var inRange = seen.Where(s => s.AllDay
            ? s.Start >= CorpusGenerator.CompareFrom.Date && s.Start < CorpusGenerator.CompareTo.Date
            : s.Start >= CorpusGenerator.CompareFrom && s.Start < CorpusGenerator.CompareTo).ToList();
        var byKey = inRange.GroupBy(s => s.Key).ToDictionary(g => g.Key, g => new Queue<SeenOccurrence>(g));
        foreach (var want in expected)
        {
            t.OccurrencesCompared++;
            if (!byKey.TryGetValue(want.Key, out var queue) || queue.Count == 0)
            {
                t.OccurrenceDifferences++;
                t.Note($"{calendarName} {m.Tag} ({m.Shape}) missing occurrence {want.Key} (found: {string.Join(", ", inRange.Select(s => s.Key).Take(6))})");
                continue;
            }
            var got = queue.Dequeue();
            var at = want.Key;
            var end = want.End;
            if (target == Target.Bitrix24 && asSeries && !m.AllDay && !m.Moved.Any(x => x.Title == want.Title && Observation.WallToUtc(x.NewStart, m.Zone) == want.Start))
            {
                // Degradation: Bitrix24 expands a series keeping the wall-clock times, so an occurrence that spans a DST change
                // is an hour shorter or longer there, and one whose time the change skips is shorter by the gap (Graph and
                // RFC 5545 keep its exact length). The wall clock is the series' own time of day on the occurrence's date.
                var zone = Seeding.FindZone(m.Zone);
                var wallStart = TimeZoneInfo.ConvertTimeFromUtc(want.Start, zone).Date + m.Start.TimeOfDay;
                var wallEnd = Observation.WallToUtc(wallStart + (m.End - m.Start), m.Zone);
                if (wallEnd != end) { end = wallEnd; t.Degraded++; }
            }
            Field("end", end, got.End, at);
            Field("allDay", want.AllDay, got.AllDay, at);
            if (!m.AllDay)
            {
                t.FieldsCompared++;
                if (!SameZone(m.Zone, got.Zone))
                {
                    t.FieldDifferences++;
                    t.Note($"{calendarName} {m.Tag} {at} zone: expected «{m.Zone}», found «{got.Zone}»");
                }
            }
            Field("subject", want.Title, got.Title, at);
            Field("body", m.Body, got.Body, at);
            Field("location", want.Location, got.Location, at);
            Field("showAs", ShowAs(m.Origin, want.ShowAs, target), got.ShowAs, at);
            Field("sensitivity", Sensitivity(m), got.Sensitivity, at);
            Field("importance", m.Importance, got.Importance, at);
            Field("reminder", want.Reminder, got.Reminder, at);
            if (target == Target.Outlook)
            {
                // Categories and attendees do not travel (Bitrix24 has no categories; attendees are not carried).
                Field("categories", "", got.Categories, at);
                Field("attendees", 0, got.Attendees, at);
            }
            Field("form", asSeries ? "series" : "single", got.SeriesId is null ? "single" : "series", at);
        }
        foreach (var extra in byKey.Values.SelectMany(q => q))
        {
            t.OccurrenceDifferences++;
            t.Note($"{calendarName} {m.Tag} ({m.Shape}) unexpected occurrence {extra.Key} «{Short(extra.Title)}»");
        }

        // The series itself: one series with the source's pattern, or none at all.
        var seriesIds = inRange.Where(s => s.SeriesId is not null).Select(s => s.SeriesId!).Distinct().ToList();
        var mine = series.Where(s => s.Tag == m.Tag).ToList();
        Field("series count", asSeries && expected.Count > 0 ? 1 : 0, asSeries && expected.Count > 0 ? seriesIds.Count : mine.Count + seriesIds.Count, "series");
        if (asSeries && m.Recurrence is { } p && mine.Count == 1)
        {
            var s = mine[0];
            Field("pattern", Kind(m, p), s.Kind, "series");
            Field("interval", p.Interval, s.Interval, "series");
            Field("days", p.Kind == PatternKind.Weekly || target == Target.Outlook ? string.Join(",", p.Days.Order().Select(d => d.ToString()[..2])) : "", s.Days, "series");
            Field("count", p.Count, s.Count, "series");
            Field("until", p.Until, s.Until, "series");
        }
        return t;
    }

    private static string Kind(Meeting m, Pattern p) => p.Kind switch
    {
        PatternKind.Daily => "daily",
        PatternKind.Weekly => "weekly",
        PatternKind.AbsoluteMonthly => $"absoluteMonthly;dom={p.DayOfMonth}",
        PatternKind.AbsoluteYearly => $"absoluteYearly;dom={p.DayOfMonth};m={p.Month}",
        PatternKind.RelativeMonthly => $"relativeMonthly;x={Idx(p.Index)}",
        _ => $"relativeYearly;x={Idx(p.Index)};m={p.Month}",
    };

    private static string Idx(int i) => new[] { "first", "second", "third", "fourth", "last" }[i];

    private static string Short(object? value)
    {
        var text = value switch
        {
            null => "null",
            DateTime d => d.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
        return text.Length > 80 ? text[..80] + "…" : text;
    }
}
