using System.Globalization;
using System.Text.Json.Nodes;
using CalSync.Sandbox.Bitrix24;
using CalSync.Sandbox.Graph;
using NodaTime;

namespace CalSync.Fidelity.Tests;

/// <summary>One occurrence as the calendar shows it to its user, read straight from a stand-in (no CalSync code).</summary>
public sealed record SeenOccurrence
{
    public required string Tag { get; init; }
    public required DateTime Start { get; init; }
    public required DateTime End { get; init; }
    public required bool AllDay { get; init; }
    /// <summary>The meeting's own zone as the calendar names it (null for all-day).</summary>
    public string? Zone { get; init; }
    public string Title { get; init; } = "";
    public string Body { get; init; } = "";
    public string Location { get; init; } = "";
    /// <summary>In the calendar's own words.</summary>
    public string ShowAs { get; init; } = "";
    public string Sensitivity { get; init; } = "";
    public string Importance { get; init; } = "";
    public int? Reminder { get; init; }
    public string Categories { get; init; } = "";
    public int Attendees { get; init; }
    /// <summary>The series the occurrence belongs to (null: a single event).</summary>
    public string? SeriesId { get; init; }

    public string Key => AllDay ? Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : Start.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

/// <summary>A series definition as stored (pattern and range in a neutral text).</summary>
public sealed record SeenSeries(string Id, string Tag, string Kind, int Interval, string Days, int? Count, DateTime? Until, string FirstDayOfWeek);

public static class Observation
{
    public static string? TagOf(string title) =>
        title.StartsWith('[') && title.IndexOf(']') is var end and > 1 ? title[1..end] : null;

    /// <summary>RFC 5545 reading of a wall clock: a skipped time moves forward by the gap, a repeated time takes the first instant.</summary>
    public static DateTime WallToUtc(DateTime wall, string zone)
    {
        if (zone is "UTC" or "Etc/UTC") return DateTime.SpecifyKind(wall, DateTimeKind.Utc);
        var tz = DateTimeZoneProviders.Tzdb[zone];
        var local = LocalDateTime.FromDateTime(DateTime.SpecifyKind(wall, DateTimeKind.Unspecified));
        return tz.ResolveLocal(local, NodaTime.TimeZones.Resolvers.LenientResolver).ToDateTimeUtc();
    }

    // ---------------------------------------------------------------- Graph

    public static async Task<List<SeenOccurrence>> ReadGraphAsync(GraphService g)
    {
        using var http = Seeding.GraphHttp(g);
        var from = CorpusGenerator.CompareFrom.AddDays(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var to = CorpusGenerator.CompareTo.AddDays(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        string? url = $"me/calendarView?startDateTime={from}&endDateTime={to}&$top=1000";
        var seen = new List<SeenOccurrence>();
        while (url is not null)
        {
            var page = JsonNode.Parse(await http.GetStringAsync(url))!;
            foreach (var e in page["value"]!.AsArray())
            {
                var title = e!["subject"]?.GetValue<string>() ?? "";
                if (TagOf(title) is not { } tag) continue;
                var allDay = e["isAllDay"]?.GetValue<bool>() == true;
                DateTime Parse(string name)
                {
                    var text = e[name]!["dateTime"]!.GetValue<string>();
                    var value = DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
                    return allDay ? DateTime.SpecifyKind(value.Date, DateTimeKind.Unspecified) : DateTime.SpecifyKind(value, DateTimeKind.Utc);
                }
                var type = e["type"]?.GetValue<string>();
                seen.Add(new SeenOccurrence
                {
                    Tag = tag,
                    Start = Parse("start"),
                    End = Parse("end"),
                    AllDay = allDay,
                    Zone = allDay ? null : e["originalStartTimeZone"]?.GetValue<string>(),
                    Title = title,
                    Body = (e["body"]?["content"]?.GetValue<string>() ?? "").Replace("\r\n", "\n").Trim(),
                    Location = e["location"]?["displayName"]?.GetValue<string>() ?? "",
                    ShowAs = e["showAs"]?.GetValue<string>() ?? "",
                    Sensitivity = e["sensitivity"]?.GetValue<string>() ?? "",
                    Importance = e["importance"]?.GetValue<string>() ?? "",
                    Reminder = e["isReminderOn"]?.GetValue<bool>() == true ? e["reminderMinutesBeforeStart"]?.GetValue<int>() : null,
                    Categories = string.Join("|", (e["categories"]?.AsArray() ?? []).Select(c => c!.GetValue<string>())),
                    Attendees = e["attendees"]?.AsArray().Count ?? 0,
                    SeriesId = type is "occurrence" or "exception" ? e["seriesMasterId"]?.GetValue<string>() : null,
                });
            }
            var next = page["@odata.nextLink"]?.GetValue<string>();
            url = next is null ? null : next.Replace(g.BaseUrl + "/", "");
        }
        return seen;
    }

    private static readonly string[] GraphDays = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

    public static List<SeenSeries> GraphSeries(GraphService g)
    {
        var list = new List<SeenSeries>();
        foreach (var e in g.GetEvents())
        {
            if (e["recurrence"] is not JsonObject r || TagOf(e["subject"]?.GetValue<string>() ?? "") is not { } tag) continue;
            var p = r["pattern"]!;
            var range = r["range"]!;
            var kind = p["type"]!.GetValue<string>();
            var days = (p["daysOfWeek"]?.AsArray() ?? []).Select(d => Array.IndexOf(GraphDays, d!.GetValue<string>().ToLowerInvariant())).Order().Select(i => ((DayOfWeek)i).ToString()[..2]);
            var rangeType = range["type"]!.GetValue<string>();
            var detail = kind switch
            {
                "absoluteMonthly" => $";dom={p["dayOfMonth"]}",
                "absoluteYearly" => $";dom={p["dayOfMonth"]};m={p["month"]}",
                "relativeMonthly" => $";x={p["index"]}",
                "relativeYearly" => $";x={p["index"]};m={p["month"]}",
                _ => "",
            };
            list.Add(new SeenSeries(e["id"]!.GetValue<string>(), tag, kind + detail, p["interval"]!.GetValue<int>(), string.Join(",", days),
                rangeType == "numbered" ? range["numberOfOccurrences"]!.GetValue<int>() : null,
                rangeType == "endDate" ? DateTime.ParseExact(range["endDate"]!.GetValue<string>(), "yyyy-MM-dd", CultureInfo.InvariantCulture) : null,
                p["firstDayOfWeek"]?.GetValue<string>() ?? "sunday"));
        }
        return list;
    }

    // ---------------------------------------------------------------- Bitrix24

    private static readonly string[] Formatted = ["ddd MMM dd yyyy HH:mm:ss", "ddd MMM d yyyy HH:mm:ss", "ddd MMM dd yyyy", "ddd MMM d yyyy"];

    private static JsonArray BitrixRows(Bitrix24Service b) =>
        b.Call("calendar.event.get", new Dictionary<string, object?>
        {
            ["type"] = "user", ["ownerId"] = b.UserId,
            ["from"] = CorpusGenerator.CompareFrom.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["to"] = CorpusGenerator.CompareTo.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        })!.AsArray();

    public static List<SeenOccurrence> ReadBitrix(Bitrix24Service b)
    {
        var seen = new List<SeenOccurrence>();
        foreach (var row in BitrixRows(b))
        {
            var title = row!["NAME"]?.GetValue<string>() ?? "";
            if (TagOf(title) is not { } tag) continue;
            var allDay = row["DT_SKIP_TIME"]?.GetValue<string>() == "Y";
            DateTime Wall(string name) => DateTime.ParseExact(row[name]!.GetValue<string>(), Formatted, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces);
            var zoneFrom = row["TZ_FROM"]?.GetValue<string>() is { Length: > 0 } zf ? zf : "UTC";
            var zoneTo = row["TZ_TO"]?.GetValue<string>() is { Length: > 0 } zt ? zt : zoneFrom;
            var rrule = row["RRULE"];
            var isSeries = rrule is JsonObject;
            var recurrenceId = row["RECURRENCE_ID"]?.ToString();
            var id = row["ID"]!.ToString();
            seen.Add(new SeenOccurrence
            {
                Tag = tag,
                Start = allDay ? Wall("DATE_FROM_FORMATTED").Date : WallToUtc(Wall("DATE_FROM_FORMATTED"), zoneFrom),
                End = allDay ? Wall("DATE_TO_FORMATTED").Date.AddDays(1) : WallToUtc(Wall("DATE_TO_FORMATTED"), zoneTo),
                AllDay = allDay,
                Zone = allDay ? null : zoneFrom,
                Title = title,
                Body = (row["DESCRIPTION"]?.GetValue<string>() ?? "").Replace("\r\n", "\n").Trim(),
                Location = row["LOCATION"]?.GetValue<string>() ?? "",
                ShowAs = row["ACCESSIBILITY"]?.GetValue<string>() ?? "",
                Sensitivity = row["PRIVATE_EVENT"]?.ToString() is "1" or "Y" or "true" ? "private" : "normal",
                Importance = row["IMPORTANCE"]?.GetValue<string>() ?? "",
                Reminder = Reminder(row["REMIND"]),
                SeriesId = isSeries ? id : recurrenceId is { Length: > 0 } and not "0" && recurrenceId != id ? recurrenceId : null,
            });
        }
        return seen;
    }

    private static int? Reminder(JsonNode? remind)
    {
        if (remind is not JsonArray list || list.Count == 0) return null;
        return list.Select(r => r!["type"]!.GetValue<string>() switch
        {
            "hour" => int.Parse(r["count"]!.ToString(), CultureInfo.InvariantCulture) * 60,
            "day" => int.Parse(r["count"]!.ToString(), CultureInfo.InvariantCulture) * 1440,
            _ => int.Parse(r["count"]!.ToString(), CultureInfo.InvariantCulture),
        }).Min();
    }

    public static List<SeenSeries> BitrixSeries(Bitrix24Service b)
    {
        var list = new List<SeenSeries>();
        foreach (var e in b.GetEvents())
        {
            if (e.RecurrenceRule is not { } rule || TagOf(e.Name) is not { } tag) continue;
            var kind = rule.Frequency switch { "DAILY" => "daily", "WEEKLY" => "weekly", "MONTHLY" => "absoluteMonthly", _ => "absoluteYearly" };
            var detail = kind switch
            {
                "absoluteMonthly" => $";dom={e.From.Day}",
                "absoluteYearly" => $";dom={e.From.Day};m={e.From.Month}",
                _ => "",
            };
            var days = kind == "weekly" ? string.Join(",", rule.ByDay.Order().Select(d => d.ToString()[..2])) : "";
            list.Add(new SeenSeries(e.Id.ToString(CultureInfo.InvariantCulture), tag, kind + detail, rule.Interval, days, rule.Count,
                rule.Until is { } u && u < new DateOnly(2038, 1, 1) ? u.ToDateTime(TimeOnly.MinValue) : null, "monday"));
        }
        return list;
    }
}
