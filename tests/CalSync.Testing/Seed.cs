using System.Globalization;
using System.Text.Json.Nodes;
using CalSync.Sandbox;

namespace CalSync.Testing;

/// <summary>Meetings put straight into the stand-ins (as their APIs would store them).</summary>
public static class Seed
{
    /// <summary>A day inside every sync window: tomorrow, UTC.</summary>
    public static DateTime Day { get; } = DateTime.UtcNow.Date.AddDays(1);

    public static string Outlook(SandboxHost host, string subject, int hour, int minutes = 60, string zone = "Europe/Berlin", Action<JsonObject>? more = null)
    {
        var start = Day.AddHours(hour);
        var e = new JsonObject
        {
            ["subject"] = subject,
            ["body"] = new JsonObject { ["contentType"] = "text", ["content"] = "Notes for " + subject },
            ["start"] = new JsonObject { ["dateTime"] = start.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture), ["timeZone"] = zone },
            ["end"] = new JsonObject { ["dateTime"] = start.AddMinutes(minutes).ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture), ["timeZone"] = zone },
        };
        more?.Invoke(e);
        return host.Graph.SeedEvent(e.ToJsonString());
    }

    public static int Bitrix24(SandboxHost host, string name, int hour, int minutes = 60, string zone = "Europe/Berlin")
    {
        var start = Day.AddHours(hour);
        return host.Bitrix24.SeedEvent(new Dictionary<string, object?>
        {
            ["name"] = name,
            ["from"] = start.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            ["to"] = start.AddMinutes(minutes).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            ["timezone_from"] = zone,
            ["timezone_to"] = zone,
            ["section"] = host.Bitrix24.DefaultSectionId,
        });
    }

    public static IReadOnlyList<string> OutlookSubjects(SandboxHost host) =>
        host.Graph.GetEvents().Select(e => e["subject"]?.GetValue<string>() ?? "").OrderBy(s => s, StringComparer.Ordinal).ToList();

    public static IReadOnlyList<string> Bitrix24Names(SandboxHost host) =>
        host.Bitrix24.GetEvents().Select(e => e.Name).OrderBy(s => s, StringComparer.Ordinal).ToList();

    public static long Writes(SandboxHost host) => host.Graph.Journal.WriteCount + host.Bitrix24.Journal.WriteCount;
}
