using System.Text.Json.Nodes;
using Xunit;

namespace CalSync.Sandbox.Tests.Graph;

/// <summary>
/// Raw HTTP of the behaviours docs/graph-api.md records: delta tombstones (event-delta.md), delta refused on a
/// secondary calendar when told to, and the extended-property filter forms (singlevaluelegacyextendedproperty-get.md).
/// </summary>
public sealed class GraphDocumentedBehaviourTests(GraphFixture fixture) : IClassFixture<GraphFixture>
{
    private const string Stamp = "String {8f1c9e0a-4b6d-4a3e-9c52-6d7e1f20b3a4} Name CalSyncOrigin";

    private static string Escaped(string id) => Uri.EscapeDataString(id);

    private async Task<string> NewCalendarAsync(string name)
    {
        var (status, body, _) = await fixture.SendAsync(HttpMethod.Post, "me/calendars", new { name });
        Assert.Equal(201, status);
        return body!["id"]!.GetValue<string>();
    }

    /// <summary>Every page of a delta round: its items and the deltaLink.</summary>
    private async Task<(List<JsonObject> Items, string DeltaLink)> RoundAsync(string url)
    {
        var items = new List<JsonObject>();
        while (true)
        {
            var (status, body, _) = await fixture.GetAsync(url);
            Assert.Equal(200, status);
            items.AddRange(body!["value"]!.AsArray().Select(v => v!.AsObject()));
            if (body["@odata.deltaLink"] is { } delta) return (items, delta.GetValue<string>());
            url = body["@odata.nextLink"]!.GetValue<string>();
        }
    }

    [Fact]
    public async Task Delta_tombstones_deletions_moves_out_and_changes_outside_the_window_of_its_own_calendar_only()
    {
        var (from, to) = (new DateTime(2032, 3, 1), new DateTime(2032, 3, 8));
        var work = await NewCalendarAsync("Tombstones");
        var deleted = fixture.Service.SeedEvent(GraphFixture.EventJson("deleted", from.AddDays(1)), work);
        var movedOut = fixture.Service.SeedEvent(GraphFixture.EventJson("moved out", from.AddDays(2)), work);
        var edited = fixture.Service.SeedEvent(GraphFixture.EventJson("edited", from.AddDays(3)), work);
        var farAway = fixture.Service.SeedEvent(GraphFixture.EventJson("far away", to.AddDays(30)), work);
        var otherCalendar = fixture.Service.SeedEvent(GraphFixture.EventJson("default calendar", from.AddDays(1)));
        var otherOutside = fixture.Service.SeedEvent(GraphFixture.EventJson("default calendar outside", to.AddDays(5)));
        var view = $"me/calendars/{Escaped(work)}/calendarView/delta?{GraphFixture.Window(from, to)}";

        var (first, link) = await RoundAsync(view);
        Assert.Equal(["deleted", "moved out", "edited"], first.Select(e => e["subject"]!.GetValue<string>()));
        Assert.DoesNotContain(first, e => e.ContainsKey("@removed")); // a first round has nothing to remove

        Assert.Equal(204, (await fixture.SendAsync(HttpMethod.Delete, "me/events/" + Escaped(deleted))).Status);
        Assert.Equal(200, (await fixture.SendAsync(HttpMethod.Patch, "me/events/" + Escaped(movedOut), new
        {
            start = new { dateTime = $"{to.AddDays(10):yyyy-MM-ddTHH:mm:ss}", timeZone = "UTC" },
            end = new { dateTime = $"{to.AddDays(10).AddHours(1):yyyy-MM-ddTHH:mm:ss}", timeZone = "UTC" },
        })).Status);
        Assert.Equal(200, (await fixture.SendAsync(HttpMethod.Patch, "me/events/" + Escaped(edited), new { subject = "edited again" })).Status);
        Assert.Equal(200, (await fixture.SendAsync(HttpMethod.Patch, "me/events/" + Escaped(farAway), new { subject = "still far" })).Status);
        var addedOutside = fixture.Service.SeedEvent(GraphFixture.EventJson("added outside", from.AddDays(-20)), work);
        // Changes in another calendar: never reported by this calendar's delta (the round could not have held them).
        Assert.Equal(200, (await fixture.SendAsync(HttpMethod.Patch, "me/events/" + Escaped(otherCalendar), new { subject = "x" })).Status);
        Assert.Equal(204, (await fixture.SendAsync(HttpMethod.Delete, "me/events/" + Escaped(otherOutside))).Status);

        var (second, _) = await RoundAsync(link);
        var tombstones = second.Where(e => e.ContainsKey("@removed")).ToList();
        Assert.Equal(new[] { deleted, movedOut, farAway, addedOutside }.Order(StringComparer.Ordinal),
            tombstones.Select(e => e["id"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        // The documented shape: the id and @removed with reason "deleted", whether deleted or not, and nothing else.
        Assert.All(tombstones, t =>
        {
            Assert.Equal(["@odata.type", "id", "@removed"], t.Select(p => p.Key));
            Assert.Equal("#microsoft.graph.event", t["@odata.type"]!.GetValue<string>());
            Assert.Equal("""{"reason":"deleted"}""", t["@removed"]!.ToJsonString());
        });
        Assert.Equal(["edited again"], second.Where(e => !e.ContainsKey("@removed")).Select(e => e["subject"]!.GetValue<string>()));

        // The moved event is still there, read by id: the tombstone did not delete it.
        var (status, moved, _) = await fixture.GetAsync("me/events/" + Escaped(movedOut));
        Assert.Equal(200, status);
        Assert.Equal("moved out", moved!["subject"]!.GetValue<string>());
    }

    [Fact]
    public async Task Delta_on_a_secondary_calendar_is_refused_when_told_and_the_default_calendar_and_calendarView_still_work()
    {
        var (from, to) = (new DateTime(2032, 4, 1), new DateTime(2032, 4, 8));
        var work = await NewCalendarAsync("Refused");
        fixture.Service.SeedEvent(GraphFixture.EventJson("secondary", from.AddDays(1)), work);
        var defaultId = fixture.Service.GetCalendars()[0].Id;
        var window = GraphFixture.Window(from, to);
        try
        {
            Assert.Equal(200, (await fixture.GetAsync($"me/calendars/{Escaped(work)}/calendarView/delta?{window}")).Status);
            fixture.Service.RefuseSecondaryCalendarDelta = true;
            var (status, body, _) = await fixture.GetAsync($"me/calendars/{Escaped(work)}/calendarView/delta?{window}");
            Assert.Equal(400, status);
            Assert.Equal("BadRequest", body!["error"]!["code"]!.GetValue<string>());
            Assert.Equal("Resource not found for the segment 'delta'.", body["error"]!["message"]!.GetValue<string>());

            Assert.Equal(200, (await fixture.GetAsync($"me/calendarView/delta?{window}")).Status);
            Assert.Equal(200, (await fixture.GetAsync($"me/calendars/{Escaped(defaultId)}/calendarView/delta?{window}")).Status);
            var (viewStatus, view, _) = await fixture.GetAsync($"me/calendars/{Escaped(work)}/calendarView?{window}&$select=id,changeKey");
            Assert.Equal(200, viewStatus);
            Assert.Single(view!["value"]!.AsArray());

            // The knob is also on the control API.
            var knobs = JsonNode.Parse(await (await fixture.Http.GetAsync(fixture.Service.ControlUrl + "/faults")).Content.ReadAsStringAsync())!;
            Assert.True(knobs["refuseSecondaryCalendarDelta"]!.GetValue<bool>());
        }
        finally
        {
            fixture.Service.Reset();
        }
        Assert.False(fixture.Service.RefuseSecondaryCalendarDelta);
    }

    [Fact]
    public async Task Extended_property_filter_takes_startswith_and_eq_and_refuses_a_comparison_with_null()
    {
        var day = new DateTime(2032, 5, 3, 9, 0, 0);
        string Stamped(string subject, string value) => fixture.Service.SeedEvent(GraphFixture.EventJson(subject, day,
            extra: $$"""
            "singleValueExtendedProperties":[{"id":"{{Stamp}}","value":"{{value}}"}]
            """));
        var ours = Stamped("ours", "calsync|Work|Bitrix24|17");
        Stamped("not ours", "other|Work|Bitrix24|18");
        fixture.Service.SeedEvent(GraphFixture.EventJson("unstamped", day));

        string Url(string filter) => "me/events?$select=id&$filter=" + Uri.EscapeDataString(filter);
        var (status, body, _) = await fixture.GetAsync(Url($"singleValueExtendedProperties/Any(ep: ep/id eq '{Stamp}' and startswith(ep/value, 'calsync|'))"));
        Assert.Equal(200, status);
        Assert.Equal([ours], body!["value"]!.AsArray().Select(v => v!["id"]!.GetValue<string>()));

        (status, body, _) = await fixture.GetAsync(Url($"singleValueExtendedProperties/Any(ep: ep/id eq '{Stamp}' and ep/value eq 'calsync|Work|Bitrix24|17')"));
        Assert.Equal(200, status);
        Assert.Equal([ours], body!["value"]!.AsArray().Select(v => v!["id"]!.GetValue<string>()));

        foreach (var undocumented in new[] { "ep/value ne null", "null ne ep/value", "ep/value eq null" })
        {
            (status, body, _) = await fixture.GetAsync(Url($"singleValueExtendedProperties/Any(ep: ep/id eq '{Stamp}' and {undocumented})"));
            Assert.Equal(400, status);
            Assert.Equal("ErrorInvalidUrlQueryFilter", body!["error"]!["code"]!.GetValue<string>());
        }
    }
}
