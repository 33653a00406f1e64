using System.Globalization;
using System.Text.Json.Nodes;

namespace CalSync.Sandbox.Graph;

/// <summary>A <c>patternedRecurrence</c>, validated, with the server's default values filled in.</summary>
internal sealed class Recurrence
{
    private static readonly string[] PatternTypes = ["daily", "weekly", "absoluteMonthly", "relativeMonthly", "absoluteYearly", "relativeYearly"];
    private static readonly string[] RangeTypes = ["endDate", "noEnd", "numbered"];
    private static readonly string[] Indexes = ["first", "second", "third", "fourth", "last"];
    private static readonly string[] Days = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

    /// <summary>Guards noEnd series against runaway expansion.</summary>
    private const int MaxOccurrences = 5000;

    public required string PatternType { get; init; }
    public int Interval { get; init; }
    public int Month { get; init; }
    public int DayOfMonth { get; init; }
    public required IReadOnlyList<DayOfWeek> DaysOfWeek { get; init; }
    public DayOfWeek FirstDayOfWeek { get; init; }
    public required string Index { get; init; }
    public required string RangeType { get; init; }
    public DateOnly StartDate { get; init; }
    public DateOnly? EndDate { get; init; }
    public int NumberOfOccurrences { get; init; }
    public required string RecurrenceTimeZone { get; init; }

    public static Recurrence Parse(JsonObject json, string defaultZone)
    {
        var pattern = json.GetIgnoreCase("pattern") as JsonObject ?? throw GraphException.Validation();
        var range = json.GetIgnoreCase("range") as JsonObject ?? throw GraphException.Validation();

        var type = Enum(pattern, "type", PatternTypes, "microsoft.graph.recurrencePatternType") ?? throw GraphException.Validation();
        var days = (pattern.GetIgnoreCase("daysOfWeek") as JsonArray ?? [])
            .Select(d => (DayOfWeek)Array.IndexOf(Days, Normalize(d?.GetValue<string>(), Days, "microsoft.graph.dayOfWeek")))
            .Distinct().ToList();
        var rangeType = Enum(range, "type", RangeTypes, "microsoft.graph.recurrenceRangeType") ?? throw GraphException.Validation();
        var zone = range.GetIgnoreCase("recurrenceTimeZone")?.GetValue<string>();
        var recurrence = new Recurrence
        {
            PatternType = type,
            Interval = Int(pattern, "interval") is var i and > 0 ? i : 1,
            Month = Int(pattern, "month"),
            DayOfMonth = Int(pattern, "dayOfMonth"),
            DaysOfWeek = days,
            FirstDayOfWeek = (DayOfWeek)Array.IndexOf(Days, Enum(pattern, "firstDayOfWeek", Days, "microsoft.graph.dayOfWeek") ?? "sunday"),
            Index = Enum(pattern, "index", Indexes, "microsoft.graph.weekIndex") ?? "first",
            RangeType = rangeType,
            StartDate = Date(range, "startDate") ?? throw GraphException.Validation(),
            EndDate = rangeType == "endDate" ? Date(range, "endDate") ?? throw GraphException.Validation() : null,
            NumberOfOccurrences = Int(range, "numberOfOccurrences"),
            RecurrenceTimeZone = string.IsNullOrEmpty(zone) ? defaultZone : zone,
        };
        recurrence.Validate();
        return recurrence;
    }

    private void Validate()
    {
        TimeZones.Require(RecurrenceTimeZone);
        var valid = PatternType switch
        {
            "weekly" or "relativeMonthly" => DaysOfWeek.Count > 0,
            "absoluteMonthly" => DayOfMonth is >= 1 and <= 31,
            "absoluteYearly" => DayOfMonth is >= 1 and <= 31 && Month is >= 1 and <= 12,
            "relativeYearly" => DaysOfWeek.Count > 0 && Month is >= 1 and <= 12,
            _ => true,
        };
        valid &= RangeType switch
        {
            "numbered" => NumberOfOccurrences > 0,
            "endDate" => EndDate >= StartDate,
            _ => true,
        };
        if (!valid) throw GraphException.Validation();
    }

    public JsonObject ToJson() => new()
    {
        ["pattern"] = new JsonObject
        {
            ["type"] = PatternType,
            ["interval"] = Interval,
            ["month"] = Month,
            ["dayOfMonth"] = DayOfMonth,
            ["daysOfWeek"] = new JsonArray(DaysOfWeek.Select(d => (JsonNode)Days[(int)d]).ToArray()),
            ["firstDayOfWeek"] = Days[(int)FirstDayOfWeek],
            ["index"] = Index,
        },
        ["range"] = new JsonObject
        {
            ["type"] = RangeType,
            ["startDate"] = StartDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["endDate"] = (EndDate ?? DateOnly.MinValue).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["recurrenceTimeZone"] = RecurrenceTimeZone,
            ["numberOfOccurrences"] = NumberOfOccurrences,
        },
    };

    /// <summary>The dates the series falls on, in order, up to <paramref name="until"/> (inclusive).</summary>
    public IEnumerable<DateOnly> Dates(DateOnly until)
    {
        var count = 0;
        foreach (var date in Candidates())
        {
            if (date < StartDate) continue;
            if (RangeType == "endDate" && date > EndDate) yield break;
            if (RangeType == "numbered" && count >= NumberOfOccurrences) yield break;
            if (date > until || count >= MaxOccurrences) yield break;
            count++;
            yield return date;
        }
    }

    private IEnumerable<DateOnly> Candidates()
    {
        switch (PatternType)
        {
            case "daily":
                for (var d = StartDate; ; d = d.AddDays(Interval)) yield return d;
            case "weekly":
                var weekStart = StartDate.AddDays(-(((int)StartDate.DayOfWeek - (int)FirstDayOfWeek + 7) % 7));
                for (var w = weekStart; ; w = w.AddDays(7 * Interval))
                    for (var i = 0; i < 7; i++)
                        if (DaysOfWeek.Contains(w.AddDays(i).DayOfWeek)) yield return w.AddDays(i);
            case "absoluteMonthly":
                for (var m = new DateOnly(StartDate.Year, StartDate.Month, 1); ; m = m.AddMonths(Interval))
                    yield return DayInMonth(m.Year, m.Month, DayOfMonth);
            case "relativeMonthly":
                for (var m = new DateOnly(StartDate.Year, StartDate.Month, 1); ; m = m.AddMonths(Interval))
                    yield return Relative(m.Year, m.Month);
            case "absoluteYearly":
                for (var y = StartDate.Year; ; y += Interval) yield return DayInMonth(y, Month, DayOfMonth);
            case "relativeYearly":
                for (var y = StartDate.Year; ; y += Interval) yield return Relative(y, Month);
        }
    }

    /// <summary>Day 31 in a shorter month falls on its last day.</summary>
    private static DateOnly DayInMonth(int year, int month, int day) =>
        new(year, month, Math.Min(day, DateTime.DaysInMonth(year, month)));

    /// <summary>
    /// The first (…fourth, last) day in the month that is one of the pattern's days: with several days,
    /// "second weekday" counts matching days ("the first day that satisfies the pattern").
    /// </summary>
    private DateOnly Relative(int year, int month)
    {
        var matching = Enumerable.Range(1, DateTime.DaysInMonth(year, month))
            .Select(d => new DateOnly(year, month, d))
            .Where(d => DaysOfWeek.Contains(d.DayOfWeek))
            .ToList();
        return Index == "last" ? matching[^1] : matching[Array.IndexOf(Indexes, Index)];
    }

    private static string? Enum(JsonObject obj, string name, string[] allowed, string typeName)
    {
        var node = obj.GetIgnoreCase(name);
        return node is null ? null : Normalize(node.GetValue<string>(), allowed, typeName);
    }

    private static string Normalize(string? value, string[] allowed, string typeName) =>
        allowed.FirstOrDefault(a => string.Equals(a, value, StringComparison.OrdinalIgnoreCase))
        ?? throw new GraphException(400, "RequestBodyRead", $"Cannot convert the literal '{value}' to the expected type '{typeName}'.");

    private static int Int(JsonObject obj, string name) =>
        obj.GetIgnoreCase(name) is JsonValue v && v.TryGetValue<int>(out var n) ? n : 0;

    private static DateOnly? Date(JsonObject obj, string name)
    {
        var text = obj.GetIgnoreCase(name) is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        if (text is null || text == "0001-01-01") return null;
        return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d
            : throw new GraphException(400, "RequestBodyRead", $"Cannot convert the literal '{text}' to the expected type 'Edm.Date'.");
    }
}
