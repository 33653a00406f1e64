using System.Text.Json.Nodes;
using CalSync.Reliability.Tests.Support;
using CalSync.Sandbox;

namespace CalSync.Reliability.Tests.Safety;

/// <summary>
/// Busy-only canary through the cmdlets, two-way and one-way, over creates, updates, a series and deletions: no
/// request to the Bitrix24 sandbox (path, query or body; raw, URL-encoded or JSON-escaped) contains any source title,
/// body, location, attendee or category text; and (two-way) no request to Graph carries the Bitrix24 side's text.
/// </summary>
public sealed class BusyOnlyCanaryTests : IClassFixture<SandboxFixture>, IDisposable
{
    private readonly SandboxFixture _rig;
    private readonly StoreHome _home;

    public BusyOnlyCanaryTests(SandboxFixture rig)
    {
        _rig = rig;
        rig.Reset();
        _home = new StoreHome();
        rig.ConnectBoth();
    }

    public void Dispose() => _home.Dispose();

    private static readonly string[] OutlookCanaries =
    {
        "Canary-Title-Therapy", "Canary Body referral", "Canary-Location Praxis", "canary.attendee@example.com", "Canary Attendee Name",
        "Canary-Category", "Canary-Series-Title", "Canary-Edited-Title", "Canary-Edited-Location", "Ümlaut-Canary-Ω",
    };

    private static readonly string[] Bitrix24Canaries = { "B24-Canary-Title", "B24 Canary description", "B24-Canary-Room" };

    private static void Seed(SandboxHost host, string title, DateTime start, Action<JsonObject>? more = null) =>
        Meetings.Outlook(host, title, start, more: e =>
        {
            e["body"] = new JsonObject { ["contentType"] = "html", ["content"] = "<p>Canary Body referral</p>" };
            e["location"] = new JsonObject { ["displayName"] = "Canary-Location Praxis" };
            e["attendees"] = new JsonArray(new JsonObject
            {
                ["type"] = "required", ["emailAddress"] = new JsonObject { ["address"] = "canary.attendee@example.com", ["name"] = "Canary Attendee Name" },
            });
            e["categories"] = new JsonArray("Canary-Category");
            e["sensitivity"] = "private";
            e["showAs"] = "busy";
            more?.Invoke(e);
        });

    [Theory]
    [InlineData("busy-only", "TwoWay")]
    [InlineData("busy-only-one-way", "OutlookToBitrix24")]
    public async Task No_request_to_Bitrix24_carries_any_source_text(string mapping, string direction)
    {
        var single = Meetings.Start(1);
        string id = "";
        Seed(_rig.Host, "Canary-Title-Therapy Ümlaut-Canary-Ω", single);
        Seed(_rig.Host, "Canary-Series-Title", Meetings.Start(9), e => e["recurrence"] = JsonNode.Parse(
            "{\"pattern\":{\"type\":\"weekly\",\"interval\":1,\"daysOfWeek\":[\"" + Meetings.Start(9).DayOfWeek.ToString().ToLowerInvariant() + "\"]},\"range\":{\"type\":\"numbered\",\"startDate\":\"" + Meetings.Start(9).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) + "\",\"numberOfOccurrences\":4}}"));
        id = Meetings.Outlook(_rig.Host, "Canary-Title-Therapy second", Meetings.Start(20), location: "Canary-Location Praxis", body: "Canary Body referral");
        if (direction == "TwoWay") Meetings.Bitrix24(_rig.Host, "B24-Canary-Title", Meetings.Start(30), location: "B24-Canary-Room", description: "B24 Canary description");

        _rig.Run($"New-CalSync -Name Work -Direction {direction} -Mapping {mapping} | Out-Null; Start-CalSync -Name Work -InitialMerge {direction}").Ok();
        Assert.All(_rig.Host.Bitrix24.GetEvents().Where(e => !e.Name.StartsWith("B24", StringComparison.Ordinal)), e =>
        {
            Assert.Equal("Busy", e.Name);
            Assert.Equal("", e.Description);
            Assert.Equal("", e.Location);
        });
        Assert.Equal(3, _rig.Host.Bitrix24.GetEvents().Count(e => e.Name == "Busy" && e.RecurrenceId is null));

        // An edit of the source's text and time: the update must not carry the new text either; then a deletion.
        await GraphCalls.PatchAsync(_rig.Host, id, "{\"subject\":\"Canary-Edited-Title\",\"location\":{\"displayName\":\"Canary-Edited-Location\"},\"start\":{\"dateTime\":\"" +
            Meetings.Start(21).ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + "\",\"timeZone\":\"Europe/Berlin\"},\"end\":{\"dateTime\":\"" + Meetings.Start(21).AddMinutes(45).ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + "\",\"timeZone\":\"Europe/Berlin\"}}");
        var update = _rig.Run("Start-CalSync -Name Work").Ok();
        Assert.Equal(1, (int)update.First.Updated);
        await GraphCalls.DeleteAsync(_rig.Host, id);
        Assert.Equal(1, (int)_rig.Run("Start-CalSync -Name Work").Ok().First.Deleted);
        Assert.Equal("NoChanges", _rig.Run("Start-CalSync -Name Work").Ok().First.Outcome.ToString());

        Assert.True(_rig.Host.Bitrix24.Journal.WriteCount >= 3);
        foreach (var request in _rig.Host.Bitrix24.Journal.Requests)
            foreach (var canary in OutlookCanaries)
                AssertAbsent(canary, request.PathAndQuery + "\n" + request.Body, "Bitrix24 " + request.Method + " " + request.PathAndQuery);
        if (direction == "TwoWay")
        {
            Assert.Contains(_rig.Host.Graph.GetEvents(), e => e["subject"]!.GetValue<string>() == "Busy");
            foreach (var request in _rig.Host.Graph.Journal.Requests)
                foreach (var canary in Bitrix24Canaries)
                    AssertAbsent(canary, request.PathAndQuery + "\n" + request.Body, "Graph " + request.Method + " " + request.PathAndQuery);
        }
    }

    private static void AssertAbsent(string canary, string text, string where)
    {
        foreach (var form in new[] { canary, Uri.EscapeDataString(canary), System.Net.WebUtility.UrlEncode(canary), System.Text.Json.JsonSerializer.Serialize(canary).Trim('"') })
            Assert.False(text.Contains(form, StringComparison.OrdinalIgnoreCase), $"'{form}' (from '{canary}') in {where}");
        // Decoded form too: the journal keeps bodies as received.
        Assert.False(Uri.UnescapeDataString(text.Replace('+', ' ')).Contains(canary, StringComparison.OrdinalIgnoreCase), $"'{canary}' (decoded) in {where}");
    }
}
