using System.Globalization;
using System.Text.Json.Nodes;
using CalSync.Sandbox;

namespace CalSync.Reliability.Tests.Support;

/// <summary>A two-way merge workload: meetings only in Outlook, only in Bitrix24, and on both (some differing in location).</summary>
public static class Meetings
{
    public static DateTime Start(int i) => Seed.Day.AddDays(i / 8).AddHours(8 + i % 8);

    public static string Title(int i) => "M" + i.ToString("000", CultureInfo.InvariantCulture);

    public static string Outlook(SandboxHost host, string title, DateTime start, int minutes = 45, string location = "", string body = "", Action<JsonObject>? more = null)
    {
        var e = new JsonObject
        {
            ["subject"] = title,
            ["body"] = new JsonObject { ["contentType"] = "text", ["content"] = body },
            ["start"] = new JsonObject { ["dateTime"] = start.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture), ["timeZone"] = "Europe/Berlin" },
            ["end"] = new JsonObject { ["dateTime"] = start.AddMinutes(minutes).ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture), ["timeZone"] = "Europe/Berlin" },
        };
        if (location.Length > 0) e["location"] = new JsonObject { ["displayName"] = location };
        more?.Invoke(e);
        return host.Graph.SeedEvent(e.ToJsonString());
    }

    public static int Bitrix24(SandboxHost host, string title, DateTime start, int minutes = 45, string location = "", string description = "")
    {
        var p = new Dictionary<string, object?>
        {
            ["name"] = title,
            ["from"] = start.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            ["to"] = start.AddMinutes(minutes).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            ["timezone_from"] = "Europe/Berlin",
            ["timezone_to"] = "Europe/Berlin",
            ["section"] = host.Bitrix24.DefaultSectionId,
        };
        if (location.Length > 0) p["location"] = location;
        if (description.Length > 0) p["description"] = description;
        return host.Bitrix24.SeedEvent(p);
    }

    /// <summary>
    /// Seeds <paramref name="count"/> meetings: 40% only in Outlook, 40% only in Bitrix24, 20% on both sides (every
    /// other such pair differs in its location, so the merge updates one side). Returns every title.
    /// </summary>
    public static IReadOnlyList<string> SeedMerge(SandboxHost host, int count)
    {
        var titles = new List<string>();
        var outlookOnly = count * 2 / 5;
        var bitrix24Only = count * 2 / 5;
        for (var i = 0; i < count; i++)
        {
            var title = Title(i);
            titles.Add(title);
            if (i < outlookOnly) Outlook(host, title, Start(i), body: "Agenda " + title);
            else if (i < outlookOnly + bitrix24Only) Bitrix24(host, title, Start(i), description: "Agenda " + title);
            else
            {
                Outlook(host, title, Start(i), location: i % 2 == 0 ? "Room " + i : "");
                Bitrix24(host, title, Start(i));
            }
        }
        return titles;
    }
}
