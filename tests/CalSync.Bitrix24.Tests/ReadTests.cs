using CalSync.Bitrix24;
using CalSync.Engine.Model;
using CalSync.Engine.Sides;
using Xunit;

namespace CalSync.Bitrix24.Tests;

public class ReadTests
{
    internal static Dictionary<string, object?> Weekly(Portal portal, string name, string from, string to, int count, string zone = "Europe/Berlin") => new()
    {
        ["name"] = name,
        ["from"] = from,
        ["to"] = to,
        ["timezone_from"] = zone,
        ["timezone_to"] = zone,
        ["section"] = portal.Service.DefaultSectionId,
        ["rrule"] = new Dictionary<string, object?> { ["FREQ"] = "WEEKLY", ["BYDAY"] = new[] { "MO" }, ["COUNT"] = count },
    };

    internal static void MoveOccurrence(Portal portal, int id, string date, string from, string to, string zone = "Europe/Berlin", string? name = null)
    {
        var p = new Dictionary<string, object?>
        {
            ["id"] = id, ["type"] = "user", ["ownerId"] = portal.Service.UserId,
            ["recurrence_mode"] = "this", ["current_date_from"] = date,
            ["from"] = from, ["to"] = to, ["timezone_from"] = zone, ["timezone_to"] = zone,
        };
        if (name is not null) p["name"] = name;
        portal.Service.Call("calendar.event.update", p);
    }

    [Theory]
    [InlineData("en", "UTC")]
    [InlineData("de", "UTC")]
    [InlineData("en", "America/Los_Angeles")]
    [InlineData("de", "Asia/Kolkata")]
    public async Task Series_with_a_moved_occurrence_and_an_exdate_reads_as_one_event(string culture, string serverZone)
    {
        await using var portal = await Portal.StartAsync(culture, serverZone);
        var id = portal.Service.SeedEvent(Weekly(portal, "Standup", "2025-03-03 10:00:00", "2025-03-03 10:30:00", 6));
        MoveOccurrence(portal, id, "2025-03-10", "2025-03-11 14:00:00", "2025-03-11 14:30:00", name: "Standup (moved)");
        portal.Service.ExcludeOccurrence(id, new DateOnly(2025, 3, 17));
        var side = portal.Side();

        var snapshot = await side.ReadAsync(Make.Window(new DateTime(2025, 3, 1), new DateTime(2025, 5, 1)), null, default);

        var series = Assert.Single(snapshot.Events);
        Assert.Equal(id.ToString(), series.Id);
        Assert.Equal("Standup", series.Title);
        Assert.Equal(new DateTime(2025, 3, 3, 9, 0, 0, DateTimeKind.Utc), series.Start.Value);
        Assert.Equal(new DateTime(2025, 3, 3, 9, 30, 0, DateTimeKind.Utc), series.End.Value);
        Assert.Equal("Europe/Berlin", series.Start.TimeZone);
        var r = series.Recurrence!;
        Assert.Equal(RecurrenceKind.Weekly, r.Kind);
        Assert.Equal(new[] { DayOfWeek.Monday }, r.DaysOfWeek);
        Assert.Equal(6, r.Count);
        Assert.Null(r.Until);
        Assert.Equal(new[] { new DateTime(2025, 3, 17) }, r.Cancelled);
        var x = Assert.Single(r.Exceptions);
        Assert.Equal(new DateTime(2025, 3, 10), x.OriginalDate);
        Assert.Equal("Standup (moved)", x.Occurrence.Title);
        Assert.Equal(new DateTime(2025, 3, 11, 13, 0, 0, DateTimeKind.Utc), x.Occurrence.Start.Value);
        Assert.Equal(OccurrenceKey.Make(id.ToString(), new DateTime(2025, 3, 10)), x.Occurrence.Id);
        // The series' version is the master's VERSION, which the occurrence edit and the EXDATE bumped.
        var master = portal.Service.GetEvents().Single(e => e.Id == id);
        Assert.Equal(master.Version.ToString(), series.Version);
        Assert.True(master.Version > 1);
    }

    [Theory]
    [InlineData("en", "UTC")]
    [InlineData("de", "America/New_York")]
    public async Task Timed_Berlin_events_keep_their_instants_across_the_DST_change(string culture, string serverZone)
    {
        await using var portal = await Portal.StartAsync(culture, serverZone);
        var side = portal.Side();
        var before = Make.Timed("Before DST", new DateTime(2025, 3, 29, 10, 0, 0), TimeSpan.FromHours(1));
        var after = Make.Timed("After DST", new DateTime(2025, 3, 31, 10, 0, 0), TimeSpan.FromHours(1));
        var daily = Make.Timed("Daily across DST", new DateTime(2025, 3, 28, 18, 0, 0), TimeSpan.FromHours(1)) with
        {
            Recurrence = new Recurrence { Kind = RecurrenceKind.Daily, Count = 5 },
        };

        var results = await side.WriteAsync(new[] { Make.Create("a", before), Make.Create("b", after), Make.Create("c", daily) }, new WriteHalt(), default);
        Assert.All(results, r => Assert.Equal(WriteStatus.Succeeded, r.Status));

        // Naive wall clock + IANA zone on the wire, never an offset.
        var commands = portal.Batches().SelectMany(b => b.Commands).Where(c => c.StartsWith("calendar.event.add")).ToList();
        Assert.Contains(commands, c => c.Contains("from=2025-03-31%2010%3A00%3A00") && c.Contains("timezone_from=Europe%2FBerlin"));
        Assert.DoesNotContain(commands, c => c.Contains("%2B01%3A00") || c.Contains("%2B02%3A00"));

        var events = (await side.ReadAsync(Make.Window(new DateTime(2025, 3, 20), new DateTime(2025, 4, 10)), null, default)).Events;
        var b = events.Single(e => e.Title == "Before DST");
        var a = events.Single(e => e.Title == "After DST");
        Assert.Equal(new DateTime(2025, 3, 29, 9, 0, 0), b.Start.Value);
        Assert.Equal(new DateTime(2025, 3, 31, 8, 0, 0), a.Start.Value);
        Assert.Equal(new DateTime(2025, 3, 31, 9, 0, 0), a.End.Value);
        Assert.Equal("Europe/Berlin", a.Start.TimeZone);
        var s = events.Single(e => e.Title == "Daily across DST");
        Assert.Equal(new DateTime(2025, 3, 28, 17, 0, 0), s.Start.Value);
        Assert.Equal(5, s.Recurrence!.Count);
        Assert.Empty(s.Recurrence.Cancelled);
        Assert.Equal(before.Start, b.Start);
        Assert.Equal(after.End, a.End);
    }

    [Theory]
    [InlineData("en", "UTC")]
    [InlineData("de", "UTC")]
    [InlineData("en", "Pacific/Auckland")]
    [InlineData("de", "America/Los_Angeles")]
    public async Task All_day_event_round_trips_with_the_inclusive_end_converted(string culture, string serverZone)
    {
        await using var portal = await Portal.StartAsync(culture, serverZone);
        var side = portal.Side();
        var oneDay = Make.AllDay("Holiday", new DateTime(2025, 3, 10));
        var twoDays = Make.AllDay("Conference", new DateTime(2025, 3, 20), days: 2);

        var results = await side.WriteAsync(new[] { Make.Create("1", oneDay), Make.Create("2", twoDays) }, new WriteHalt(), default);
        Assert.All(results, r => Assert.Equal(WriteStatus.Succeeded, r.Status));

        var stored = portal.Service.GetEvents().Single(e => e.Name == "Holiday");
        Assert.True(stored.AllDay);
        Assert.Equal(new DateTime(2025, 3, 10), stored.From.Date);
        Assert.Equal(new DateTime(2025, 3, 10), stored.To.Date); // Bitrix24's end is the inclusive last day
        var add = portal.Batches().SelectMany(b => b.Commands).First(c => c.Contains("Holiday"));
        Assert.Contains("skip_time=Y", add);
        Assert.Contains("from=2025-03-10", add);
        Assert.Contains("to=2025-03-10", add);

        var events = (await side.ReadAsync(Make.Window(new DateTime(2025, 3, 1), new DateTime(2025, 4, 1)), null, default)).Events;
        var read = events.Single(e => e.Title == "Holiday");
        Assert.True(read.IsAllDay);
        Assert.Equal(oneDay.Start, read.Start);
        Assert.Equal(oneDay.End, read.End);
        var conference = events.Single(e => e.Title == "Conference");
        Assert.Equal(new DateTime(2025, 3, 22), conference.End.Value);
        Assert.Equal(results[0].Version, read.Version);
    }

    [Theory]
    [InlineData("en")]
    [InlineData("de")]
    public async Task A_no_op_second_read_costs_one_request(string culture)
    {
        await using var portal = await Portal.StartAsync(culture, "Europe/Moscow");
        // A series whose only occurrence in the window is an exception moved into it: its master must come from getbyid.
        var id = portal.Service.SeedEvent(Weekly(portal, "Old series", "2025-01-06 09:00:00", "2025-01-06 10:00:00", 2));
        MoveOccurrence(portal, id, "2025-01-13", "2025-03-12 09:00:00", "2025-03-12 10:00:00");
        portal.Service.SeedEvent(Weekly(portal, "Weekly", "2025-03-03 10:00:00", "2025-03-03 10:30:00", 10));
        portal.Service.SeedEvent(new Dictionary<string, object?> { ["name"] = "Lunch", ["from"] = "2025-03-05 12:00:00", ["to"] = "2025-03-05 13:00:00", ["timezone_from"] = "Europe/Berlin", ["section"] = portal.Service.DefaultSectionId });
        var side = portal.Side(portal.Options(sectionName: "Sandbox User"));
        var window = Make.Window(new DateTime(2025, 3, 1), new DateTime(2025, 6, 30));

        var first = await side.ReadAsync(window, null, default);
        Assert.Equal(3, first.Events.Count);
        var old = first.Events.Single(e => e.Title == "Old series");
        Assert.Equal(new DateTime(2025, 1, 6, 8, 0, 0), old.Start.Value);
        Assert.Equal(new DateTime(2025, 1, 13), Assert.Single(old.Recurrence!.Exceptions).OriginalDate);

        portal.Service.Journal.Clear();
        var second = await side.ReadAsync(window, first.Cursor, default);
        Assert.Single(portal.Http);
        Assert.Equal(first.Events.Select(e => e.Id).OrderBy(x => x), second.Events.Select(e => e.Id).OrderBy(x => x));
        Assert.Equal(first.Events.Single(e => e.Title == "Old series").Recurrence!.Exceptions.Single().Occurrence.Start,
            second.Events.Single(e => e.Title == "Old series").Recurrence!.Exceptions.Single().Occurrence.Start);

        // A fresh side instance (next run, new process) with the saved cursor is just as cheap.
        portal.Service.Journal.Clear();
        var third = await portal.Side(portal.Options(sectionName: "Sandbox User")).ReadAsync(window, second.Cursor, default);
        Assert.Single(portal.Http);
        Assert.Equal(3, third.Events.Count);
    }
}
