using System.Globalization;
using System.Text.Json.Nodes;
using CalSync.Sandbox.Graph;

namespace CalSync.Sandbox;

/// <summary>
/// The quick-start sample: two weeks of realistic meetings on each side, starting on the Monday of the anchor's
/// week. Single and recurring meetings (each side has a series with one moved and one cancelled occurrence),
/// all-day, private, several zones, and two meetings that exist identically on both sides.
/// </summary>
public static class SampleData
{
    public static void Seed(SandboxHost host, DateTime anchorUtc)
    {
        var monday = DateOnly.FromDateTime(anchorUtc).AddDays(-(((int)anchorUtc.DayOfWeek + 6) % 7));
        SeedOutlook(host.Graph, monday);
        SeedBitrix24(host.Bitrix24, monday);
    }

    /// <summary>Meetings that exist on both sides with the same time and title (the matcher should pair them).</summary>
    private static IEnumerable<(string Title, DateOnly Day, string From, string To, string Zone)> Shared(DateOnly monday) =>
    [
        ("Quarterly planning", monday.AddDays(1), "14:00", "15:30", "Europe/Berlin"),
        ("Lunch with Sam", monday.AddDays(10), "12:00", "13:00", "Europe/Berlin"),
    ];

    public static void SeedOutlook(GraphService graph, DateOnly monday)
    {
        string Day(DateOnly d, string time) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "T" + time + ":00";
        JsonObject Time(DateOnly d, string time, string zone) => new() { ["dateTime"] = Day(d, time), ["timeZone"] = zone };
        string Event(string subject, DateOnly day, string from, string to, string zone, Action<JsonObject>? more = null)
        {
            var e = new JsonObject
            {
                ["subject"] = subject,
                ["body"] = new JsonObject { ["contentType"] = "text", ["content"] = $"{subject} (sandbox sample)" },
                ["start"] = Time(day, from, zone),
                ["end"] = Time(day, to, zone),
            };
            more?.Invoke(e);
            return graph.SeedEvent(e.ToJsonString());
        }

        foreach (var (title, day, from, to, zone) in Shared(monday))
            Event(title, day, from, to, zone, e => e["location"] = new JsonObject { ["displayName"] = "Room 4.12" });

        // Daily stand-up on working days for two weeks; Wednesday moved an hour later, the second Friday cancelled.
        var standup = Event("Team stand-up", monday, "09:30", "09:45", "W. Europe Standard Time", e =>
        {
            e["isOnlineMeeting"] = false;
            e["recurrence"] = new JsonObject
            {
                ["pattern"] = new JsonObject { ["type"] = "weekly", ["interval"] = 1, ["daysOfWeek"] = new JsonArray("monday", "tuesday", "wednesday", "thursday", "friday") },
                ["range"] = new JsonObject { ["type"] = "numbered", ["startDate"] = monday.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ["numberOfOccurrences"] = 10 },
            };
        });
        var instances = InstanceIds(graph, standup);
        if (instances.Count == 10)
        {
            graph.PatchInProcess(instances[2], new JsonObject
            {
                ["start"] = Time(monday.AddDays(2), "10:30", "W. Europe Standard Time"),
                ["end"] = Time(monday.AddDays(2), "10:45", "W. Europe Standard Time"),
            }.ToJsonString());
            graph.DeleteInProcess(instances[9]);
        }

        Event("1:1 with manager", monday.AddDays(3), "16:00", "16:30", "UTC", e =>
        {
            e["showAs"] = "tentative";
            e["recurrence"] = new JsonObject
            {
                ["pattern"] = new JsonObject { ["type"] = "weekly", ["interval"] = 1, ["daysOfWeek"] = new JsonArray("thursday") },
                ["range"] = new JsonObject
                {
                    ["type"] = "endDate", ["startDate"] = monday.AddDays(3).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    ["endDate"] = monday.AddDays(13).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                },
            };
        });
        Event("Dentist", monday.AddDays(4), "08:00", "09:00", "America/New_York", e => e["sensitivity"] = "private");
        Event("Call with Tokyo office", monday.AddDays(8), "08:00", "09:00", "Tokyo Standard Time", e =>
            e["attendees"] = new JsonArray(new JsonObject
            {
                ["type"] = "required",
                ["emailAddress"] = new JsonObject { ["name"] = "Haruto Sato", ["address"] = "haruto.sato@example.jp" },
            }));
        Event("Company offsite", monday.AddDays(7), "00:00", "00:00", "UTC", e =>
        {
            e["isAllDay"] = true;
            e["end"] = Time(monday.AddDays(9), "00:00", "UTC");
            e["showAs"] = "oof";
        });
        Event("Focus time", monday.AddDays(9), "13:00", "15:00", "Pacific Standard Time", e => e["showAs"] = "workingElsewhere");
    }

    private static List<string> InstanceIds(GraphService graph, string masterId) => graph.InstanceIdsInProcess(masterId);

    public static void SeedBitrix24(Bitrix24.Bitrix24Service bitrix24, DateOnly monday)
    {
        string At(DateOnly d, string time) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + " " + time + ":00";
        int Event(string name, DateOnly day, string from, string to, string zone, Dictionary<string, object?>? more = null)
        {
            var p = new Dictionary<string, object?>
            {
                ["name"] = name,
                ["description"] = $"{name} (sandbox sample)",
                ["from"] = At(day, from),
                ["to"] = At(day, to),
                ["timezone_from"] = zone,
                ["timezone_to"] = zone,
            };
            foreach (var (key, value) in more ?? []) p[key] = value;
            return bitrix24.SeedEvent(p);
        }

        foreach (var (title, day, from, to, zone) in Shared(monday))
            Event(title, day, from, to, zone, new() { ["location"] = "Room 4.12" });

        // Sales sync every Monday and Wednesday, four times; the first Wednesday is moved, the second Monday cancelled.
        var sales = Event("Sales sync", monday, "11:00", "11:30", "Europe/Berlin", new()
        {
            ["rrule"] = new Dictionary<string, object?> { ["FREQ"] = "WEEKLY", ["BYDAY"] = new[] { "MO", "WE" }, ["COUNT"] = 4, ["INTERVAL"] = 1 },
        });
        bitrix24.Call("calendar.event.update", new Dictionary<string, object?>
        {
            ["id"] = sales, ["type"] = "user", ["ownerId"] = bitrix24.UserId, ["recurrence_mode"] = "this",
            ["current_date_from"] = monday.AddDays(2).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["from"] = At(monday.AddDays(2), "15:00"), ["to"] = At(monday.AddDays(2), "15:30"),
            ["timezone_from"] = "Europe/Berlin", ["timezone_to"] = "Europe/Berlin",
        });
        bitrix24.ExcludeOccurrence(sales, monday.AddDays(7));

        Event("Public holiday", monday.AddDays(11), "00:00", "00:00", "Europe/Berlin", new()
        {
            ["from"] = monday.AddDays(11).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["to"] = monday.AddDays(11).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["skip_time"] = "Y",
            ["accessibility"] = "absent",
        });
        Event("Doctor", monday.AddDays(3), "07:30", "08:15", "Europe/Berlin", new() { ["private_event"] = "Y" });
        Event("Vendor call (Bangalore)", monday.AddDays(9), "10:00", "11:00", "Asia/Kolkata", new() { ["accessibility"] = "quest" });
        Event("Customer visit", monday.AddDays(8), "13:00", "16:00", "Europe/London");
    }
}
