using System.Text.Json.Nodes;
using CalSync.Sandbox.Graph;

namespace CalSync.Outlook.Tests;

/// <summary>
/// A secondary calendar (docs/graph-api.md, "Delta on a secondary calendar"): delta when the service allows it; when it
/// refuses, the calendar view compared with the snapshot. And a cursor of another mailbox is never used ("Reconnecting").
/// </summary>
public class SecondaryCalendarTests
{
    private static async Task<string> NewCalendarAsync(GraphService g, string name)
    {
        using var http = Sandbox.Raw(g);
        var response = await http.PostAsync("me/calendars", new StringContent($$"""{"name":"{{name}}"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(201, (int)response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
    }

    private static string SeedIn(GraphService g, string calendarId, string subject, string day) => g.SeedEvent($$$"""
        {"subject":"{{{subject}}}","start":{"dateTime":"{{{day}}}T10:00:00","timeZone":"UTC"},"end":{"dateTime":"{{{day}}}T11:00:00","timeZone":"UTC"}}
        """, calendarId);

    [Fact]
    public async Task A_secondary_calendar_is_read_through_its_own_delta_when_the_service_allows_it()
    {
        await using var g = await Sandbox.StartAsync();
        var work = await NewCalendarAsync(g, "Work");
        SeedIn(g, work, "In Work", "2025-03-10");
        Sandbox.Seed(g, "In the default calendar", "2025-03-11T10:00:00", "2025-03-11T11:00:00");
        using var side = Sandbox.Side(g, Sandbox.Options(g) with { CalendarId = work });

        var first = await side.ReadAsync(Sandbox.Window, null, default);
        Assert.Equal(["In Work"], first.Events.Select(e => e.Title));
        Assert.All(Sandbox.Requests(g).Where(r => r.Path.Contains("calendarView", StringComparison.OrdinalIgnoreCase)),
            r => Assert.Contains($"/me/calendars/{work}/calendarView/delta", r.Path));
        Assert.Contains(Sandbox.Requests(g), r => r.Path.Contains("calendarView"));
        g.Journal.Clear();

        SeedIn(g, work, "Added", "2025-03-12");
        var second = await side.ReadAsync(Sandbox.Window, first.Cursor, default);
        Assert.False(side.LastReadWasFullPass);
        Assert.Equal(["In Work", "Added"], second.Events.Select(e => e.Title));
        Assert.Contains(Sandbox.Requests(g), r => r.Path.Contains("$deltatoken="));
    }

    [Fact]
    public async Task When_delta_is_refused_the_calendar_view_is_compared_with_the_snapshot_and_an_unchanged_calendar_costs_one_request()
    {
        await using var g = await Sandbox.StartAsync();
        g.RefuseSecondaryCalendarDelta = true;
        var work = await NewCalendarAsync(g, "Work");
        var kept = SeedIn(g, work, "Kept", "2025-03-10");
        var edited = SeedIn(g, work, "Edited", "2025-03-11");
        var deleted = SeedIn(g, work, "Deleted", "2025-03-12");
        var movedOut = SeedIn(g, work, "Moved out", "2025-03-13");
        Sandbox.Seed(g, "In the default calendar", "2025-03-11T10:00:00", "2025-03-11T11:00:00");
        var logged = new List<string>();
        using var side = Sandbox.Side(g, Sandbox.Options(g) with { CalendarId = work, Log = logged.Add });

        // The first read asks for delta once; refused, it reads the calendar view.
        var first = await side.ReadAsync(Sandbox.Window, null, default);
        Assert.Equal(["Kept", "Edited", "Deleted", "Moved out"], first.Events.Select(e => e.Title));
        Assert.Single(Sandbox.Requests(g), r => r.Path.Contains("/delta"));
        Assert.Contains(logged, l => l.Contains("no delta on this calendar"));

        // Nothing changed: one listing of ids and change keys, no delta probe again, the snapshot handed back as read.
        g.Journal.Clear();
        var unchanged = await side.ReadAsync(Sandbox.Window, first.Cursor, default);
        var request = Assert.Single(Sandbox.Requests(g));
        Assert.Contains($"/me/calendars/{work}/calendarView?", request.Path);
        Assert.Contains("$select=id,changeKey", request.Path);
        Assert.False(side.LastReadWasFullPass);
        Assert.Equal(Sandbox.Text(first.Events), Sandbox.Text(unchanged.Events));
        Assert.Same(first.Cursor!.Data, unchanged.Cursor!.Data);

        // Changes: the difference against the snapshot. A meeting moved out of the window and a deleted one are both
        // simply absent (the engine confirms absences by id before deleting anything).
        await Sandbox.SendAsync(g, HttpMethod.Patch, Sandbox.Path(edited), """{"subject":"Edited again"}""");
        await Sandbox.SendAsync(g, HttpMethod.Delete, Sandbox.Path(deleted));
        await Sandbox.SendAsync(g, HttpMethod.Patch, Sandbox.Path(movedOut),
            """{"start":{"dateTime":"2025-09-01T10:00:00","timeZone":"UTC"},"end":{"dateTime":"2025-09-01T11:00:00","timeZone":"UTC"}}""");
        SeedIn(g, work, "Added", "2025-03-14");
        g.Journal.Clear();
        var changed = await side.ReadAsync(Sandbox.Window, unchanged.Cursor, default);
        Assert.Equal(["Kept", "Edited again", "Added"], changed.Events.Select(e => e.Title));
        Assert.Equal(kept, changed.Events[0].Id);
        Assert.DoesNotContain(Sandbox.Requests(g), r => r.Path.Contains("/delta"));

        // The read-by-id that confirms absences tells the deleted meeting from the moved one.
        var confirmed = await side.ReadByIdAsync([deleted, movedOut], default);
        Assert.Equal([movedOut], confirmed.Keys);
    }

    [Fact]
    public async Task A_cursor_of_another_mailbox_is_never_used_and_its_delta_link_is_never_sent()
    {
        await using var first = await Sandbox.StartAsync();
        await using var second = await Sandbox.StartAsync();
        Sandbox.Seed(first, "First account's", "2025-03-10T10:00:00", "2025-03-10T11:00:00");
        Sandbox.Seed(second, "Second account's", "2025-03-10T10:00:00", "2025-03-10T11:00:00");
        using var firstSide = Sandbox.Side(first, Sandbox.Options(first) with { Account = "first@outlook.com" });
        var cursor = (await firstSide.ReadAsync(Sandbox.Window, null, default)).Cursor;
        first.Journal.Clear();

        // Another endpoint and account: a full pass there, nothing sent to the first one.
        using var secondSide = Sandbox.Side(second, Sandbox.Options(second) with { Account = "second@outlook.com" });
        var read = await secondSide.ReadAsync(Sandbox.Window, cursor, default);
        Assert.True(secondSide.LastReadWasFullPass);
        Assert.Equal(["Second account's"], read.Events.Select(e => e.Title));
        Assert.Empty(first.Journal.Requests);
        Assert.DoesNotContain(Sandbox.Requests(second), r => r.Path.Contains("$deltatoken"));

        // The same endpoint, another account: the same.
        using var otherAccount = Sandbox.Side(first, Sandbox.Options(first) with { Account = "someone.else@outlook.com" });
        await otherAccount.ReadAsync(Sandbox.Window, cursor, default);
        Assert.True(otherAccount.LastReadWasFullPass);
        Assert.DoesNotContain(Sandbox.Requests(first), r => r.Path.Contains("$deltatoken"));

        // The same account again: the delta link is used.
        first.Journal.Clear();
        await firstSide.ReadAsync(Sandbox.Window, cursor, default);
        Assert.False(firstSide.LastReadWasFullPass);
        Assert.Contains(Sandbox.Requests(first), r => r.Path.Contains("$deltatoken"));
    }
}
