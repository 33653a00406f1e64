using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CalSync.Sandbox.Bitrix24;
using CalSync.Sandbox.Graph;

namespace CalSync.Fidelity.Tests;

/// <summary>Writes corpus meetings into the stand-ins the way a user's own client would (not through CalSync).</summary>
public static class Seeding
{
    private static readonly string[] GraphDays = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
    private static readonly string[] Indexes = ["first", "second", "third", "fourth", "last"];

    // ---------------------------------------------------------------- Graph

    public static string GraphZoneName(Meeting m, int variant) =>
        m.Zone != "UTC" && variant % 2 == 0 && TimeZoneInfo.TryConvertIanaIdToWindowsId(m.Zone, out var windows) ? windows : m.Zone;

    /// <summary>Plain text as an Outlook client stores it: HTML paragraphs.</summary>
    public static string Html(string text) =>
        "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\"></head><body>"
        + string.Concat(text.Split('\n').Select(l => "<p>" + WebUtility.HtmlEncode(l) + "</p>")) + "</body></html>";

    public static JsonObject GraphJson(Meeting m, int variant)
    {
        var zone = GraphZoneName(m, variant);
        JsonObject Time(DateTime t) => GraphTime(m, t, zone);
        var o = new JsonObject
        {
            ["subject"] = m.Title,
            ["body"] = new JsonObject { ["contentType"] = "html", ["content"] = Html(m.Body) },
            ["start"] = Time(m.Start),
            ["end"] = Time(m.End),
            ["isAllDay"] = m.AllDay,
            ["showAs"] = m.ShowAs,
            ["sensitivity"] = m.Sensitivity,
            ["importance"] = m.Importance,
            ["isReminderOn"] = m.ReminderMinutes is not null,
            ["reminderMinutesBeforeStart"] = m.ReminderMinutes ?? 15,
            ["categories"] = new JsonArray(m.Categories.Select(c => (JsonNode)c).ToArray()),
        };
        if (m.Location.Length > 0) o["location"] = new JsonObject { ["displayName"] = m.Location };
        if (m.Attendees.Length > 0)
            o["attendees"] = new JsonArray(m.Attendees.Select(a => (JsonNode)new JsonObject
            {
                ["type"] = "required",
                ["emailAddress"] = new JsonObject { ["name"] = a.Name, ["address"] = a.Email },
            }).ToArray());
        if (m.Recurrence is { } p)
        {
            var pattern = new JsonObject { ["type"] = Type(p.Kind), ["interval"] = p.Interval };
            if (p.Days.Length > 0) pattern["daysOfWeek"] = new JsonArray(p.Days.Select(d => (JsonNode)GraphDays[(int)d]).ToArray());
            if (p.Kind == PatternKind.Weekly) pattern["firstDayOfWeek"] = GraphDays[(int)p.FirstDayOfWeek];
            if (p.DayOfMonth > 0) pattern["dayOfMonth"] = p.DayOfMonth;
            if (p.Month > 0) pattern["month"] = p.Month;
            if (p.Kind is PatternKind.RelativeMonthly or PatternKind.RelativeYearly) pattern["index"] = Indexes[p.Index];
            var range = new JsonObject { ["startDate"] = m.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ["recurrenceTimeZone"] = zone };
            if (p.Count is { } c) { range["type"] = "numbered"; range["numberOfOccurrences"] = c; }
            else if (p.Until is { } u) { range["type"] = "endDate"; range["endDate"] = u.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture); }
            else range["type"] = "noEnd";
            o["recurrence"] = new JsonObject { ["pattern"] = pattern, ["range"] = range };
        }
        return o;
    }

    public static JsonObject GraphTime(Meeting m, DateTime t, string zone) => new()
    {
        ["dateTime"] = t.ToString(m.AllDay ? "yyyy-MM-dd'T'00:00:00" : "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture),
        ["timeZone"] = zone,
    };

    private static string Type(PatternKind kind) => kind switch
    {
        PatternKind.Daily => "daily",
        PatternKind.Weekly => "weekly",
        PatternKind.AbsoluteMonthly => "absoluteMonthly",
        PatternKind.RelativeMonthly => "relativeMonthly",
        PatternKind.AbsoluteYearly => "absoluteYearly",
        _ => "relativeYearly",
    };

    public static HttpClient GraphHttp(GraphService g)
    {
        var http = new HttpClient { BaseAddress = new Uri(g.BaseUrl + "/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", g.AccessToken);
        http.DefaultRequestHeaders.Add("Prefer", "outlook.timezone=\"UTC\"");
        http.DefaultRequestHeaders.Add("Prefer", "outlook.body-content-type=\"text\"");
        return http;
    }

    public static async Task SeedGraphAsync(GraphService g, IEnumerable<Meeting> meetings)
    {
        using var http = GraphHttp(g);
        var variant = 0;
        foreach (var m in meetings)
        {
            var id = g.SeedEvent(GraphJson(m, variant++).ToJsonString());
            if (m.Cancelled.Length == 0 && m.Moved.Length == 0) continue;
            var byDate = await InstanceIdsAsync(http, id, m, m.Cancelled.Concat(m.Moved.Select(x => x.OriginalDate)));
            foreach (var date in m.Cancelled)
            {
                using var response = await http.DeleteAsync("me/events/" + Uri.EscapeDataString(Required(byDate, date, m)));
                Check(response, m, "cancel");
            }
            foreach (var x in m.Moved)
            {
                var zone = GraphZoneName(m, variant - 1);
                var patch = new JsonObject
                {
                    ["subject"] = x.Title,
                    ["location"] = new JsonObject { ["displayName"] = x.Location },
                    ["start"] = GraphTime(m, x.NewStart, zone),
                    ["end"] = GraphTime(m, x.NewEnd, zone),
                };
                await PatchAsync(http, Required(byDate, x.OriginalDate, m), patch, m, "move");
            }
        }
    }

    /// <summary>The ids of a series' instances on the given local dates (the meeting's zone; dates for all-day).</summary>
    public static async Task<Dictionary<DateTime, string>> InstanceIdsAsync(HttpClient http, string seriesId, Meeting m, IEnumerable<DateTime> dates)
    {
        var wanted = dates.Select(d => d.Date).ToList();
        var from = wanted.Min().AddDays(-2).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var to = wanted.Max().AddDays(3).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var page = JsonNode.Parse(await http.GetStringAsync($"me/events/{Uri.EscapeDataString(seriesId)}/instances?startDateTime={from}T00:00:00Z&endDateTime={to}T00:00:00Z&$top=1000"))!;
        var byDate = new Dictionary<DateTime, string>();
        foreach (var instance in page["value"]!.AsArray())
        {
            var start = DateTime.Parse(instance!["start"]!["dateTime"]!.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
            var date = m.AllDay ? start.Date : TimeZoneInfo.ConvertTimeFromUtc(start, FindZone(m.Zone)).Date;
            byDate[date] = instance["id"]!.GetValue<string>();
        }
        return byDate;
    }

    public static async Task PatchAsync(HttpClient http, string id, JsonObject patch, Meeting m, string what)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, "me/events/" + Uri.EscapeDataString(id))
        {
            Content = new StringContent(patch.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        using var response = await http.SendAsync(request);
        Check(response, m, what);
    }

    public static string Required(Dictionary<DateTime, string> byDate, DateTime date, Meeting m) =>
        byDate.TryGetValue(date.Date, out var id) ? id : throw new InvalidOperationException($"{m.Tag}: no instance on {date:yyyy-MM-dd}");

    private static void Check(HttpResponseMessage response, Meeting m, string what)
    {
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"{m.Tag}: {what} failed: {(int)response.StatusCode} {response.Content.ReadAsStringAsync().Result}");
    }

    public static TimeZoneInfo FindZone(string zone) => zone == "UTC" ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(zone);

    // ---------------------------------------------------------------- Bitrix24

    private static readonly string[] DayCodes = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"];

    public static void AddTimes(Dictionary<string, object?> p, Meeting m, DateTime start, DateTime end)
    {
        if (m.AllDay)
        {
            p["from"] = start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            p["to"] = end.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            p["skip_time"] = "Y";
        }
        else
        {
            p["from"] = start.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
            p["to"] = end.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
            p["timezone_from"] = m.Zone;
            p["timezone_to"] = m.Zone;
            p["skip_time"] = "N";
        }
    }

    /// <summary>The <c>remind</c> parameter in the given unit; an empty string clears the reminder.</summary>
    public static object Remind(int? minutes, string unit) => minutes is not { } value
        ? ""
        : new List<object?> { new Dictionary<string, object?> { ["type"] = unit, ["count"] = unit switch { "hour" => value / 60, "day" => value / 1440, _ => value } } };

    public static Dictionary<string, object?> BitrixParams(Meeting m)
    {
        var p = new Dictionary<string, object?>
        {
            ["name"] = m.Title,
            ["description"] = m.Body,
            ["location"] = m.Location,
            ["accessibility"] = m.ShowAs,
            ["private_event"] = m.Sensitivity == "private" ? "Y" : "N",
            ["importance"] = m.Importance,
        };
        AddTimes(p, m, m.Start, m.End);
        if (m.ReminderMinutes is not null) p["remind"] = Remind(m.ReminderMinutes, m.ReminderUnit);
        if (m.Recurrence is { } r)
        {
            var rule = new Dictionary<string, object?>
            {
                ["FREQ"] = r.Kind switch { PatternKind.Daily => "DAILY", PatternKind.Weekly => "WEEKLY", PatternKind.AbsoluteMonthly => "MONTHLY", _ => "YEARLY" },
                ["INTERVAL"] = r.Interval,
            };
            if (r.Kind == PatternKind.Weekly) rule["BYDAY"] = r.Days.Select(d => (object?)DayCodes[(int)d]).ToList();
            if (r.Count is { } c) rule["COUNT"] = c;
            else if (r.Until is { } u) rule["UNTIL"] = u.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            p["rrule"] = rule;
        }
        return p;
    }

    public static void SeedBitrix(Bitrix24Service b, IEnumerable<Meeting> meetings)
    {
        foreach (var m in meetings)
        {
            var id = b.SeedEvent(BitrixParams(m));
            foreach (var date in m.Cancelled) b.ExcludeOccurrence(id, DateOnly.FromDateTime(date));
            foreach (var x in m.Moved) EditOccurrence(b, id, m, x);
        }
    }

    /// <summary>One occurrence edited as the portal form does: <c>recurrence_mode=this</c> with the whole time block.</summary>
    public static void EditOccurrence(Bitrix24Service b, int seriesId, Meeting m, MovedOccurrence x)
    {
        var p = new Dictionary<string, object?>
        {
            ["id"] = seriesId, ["type"] = "user", ["ownerId"] = b.UserId, ["recurrence_mode"] = "this",
            ["current_date_from"] = x.OriginalDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["name"] = x.Title, ["location"] = x.Location,
        };
        AddTimes(p, m, x.NewStart, x.NewEnd);
        b.Call("calendar.event.update", p);
    }
}
