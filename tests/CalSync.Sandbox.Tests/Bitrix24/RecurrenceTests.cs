using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace CalSync.Sandbox.Tests.Bitrix24;

/// <summary>docs/bitrix24-api.md: the calendar.event.get window and "Recurrence" (expansion, exceptions and splits), the delete cascade of "calendar.event.delete".</summary>
public sealed class RecurrenceTests
{
    private static object Weekly(object rrule, string from = "2024-12-02 10:00:00", string to = "2024-12-02 11:00:00") =>
        new { type = "user", ownerId = 1, name = "Series", from, to, timezone_from = "Europe/Berlin", rrule };

    private static string[] Dates(JsonArray items, string field = "DATE_FROM") => items.Select(i => (string)i![field]!).ToArray();

    [Fact]
    public async Task Series_expands_to_one_item_per_occurrence_sharing_the_master_id()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var id = await b24.AddAsync(Weekly(new { FREQ = "WEEKLY", BYDAY = new[] { "MO", "WE" }, COUNT = 4 }));
        var items = await b24.GetEventsAsync("2024-11-01", "2025-01-31");

        Assert.Equal(["12/02/2024 10:00:00 am", "12/04/2024 10:00:00 am", "12/09/2024 10:00:00 am", "12/11/2024 10:00:00 am"], Dates(items));
        Assert.All(items, i => JsonAssert.String(id.ToString(), i!["ID"]));
        Assert.Equal(["Mon Dec 02 2024 10:00:00", "Wed Dec 04 2024 10:00:00", "Mon Dec 09 2024 10:00:00", "Wed Dec 11 2024 10:00:00"], Dates(items, "DATE_FROM_FORMATTED"));
        Assert.All(items, i => JsonAssert.String("12/02/2024 10:00:00 am", i!["~DATE_FROM"]));
        Assert.Equal([0, 1, 2, 3], items.Select(i => (int)i!["RINDEX"]!).ToArray());
        // TS fields stay the master's on every instance.
        Assert.Single(items.Select(i => (string?)i!["DATE_FROM_TS_UTC"]).Distinct());
        JsonAssert.Kind(JsonValueKind.Object, items[0]!["RRULE"]);
    }

    [Fact]
    public async Task Wall_clock_stays_constant_across_dst()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        await b24.AddAsync(Weekly(new { FREQ = "DAILY", COUNT = 3 }, "2025-10-25 10:00:00", "2025-10-25 11:00:00"));
        var items = await b24.GetEventsAsync("2025-10-24", "2025-10-28");
        Assert.Equal(["10/25/2025 10:00:00 am", "10/26/2025 10:00:00 am", "10/27/2025 10:00:00 am"], Dates(items));
        Assert.All(items, i => JsonAssert.String("7200", i!["TZ_OFFSET_FROM"])); // the master's offset, not recomputed
    }

    [Fact]
    public async Task Weekly_without_byday_means_mondays()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        // Starts on a Wednesday: the first occurrence is the following Monday.
        await b24.AddAsync(Weekly(new { FREQ = "WEEKLY", COUNT = 2 }, "2024-12-04 10:00:00", "2024-12-04 11:00:00"));
        var items = await b24.GetEventsAsync("2024-12-01", "2024-12-31");
        Assert.Equal(["Mon Dec 09 2024 10:00:00", "Mon Dec 16 2024 10:00:00"], Dates(items, "DATE_FROM_FORMATTED"));
        Assert.Equal("""{"MO":"MO"}""", items[0]!["RRULE"]!["BYDAY"]!.ToJsonString());
    }

    [Fact]
    public async Task Monthly_on_the_31st_rolls_to_the_first_of_the_next_month()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        await b24.AddAsync(Weekly(new { FREQ = "MONTHLY", COUNT = 4 }, "2025-01-31 09:00:00", "2025-01-31 09:30:00"));
        var items = await b24.GetEventsAsync("2025-01-01", "2025-06-30");
        Assert.Equal(["01/31/2025 09:00:00 am", "03/01/2025 09:00:00 am", "03/31/2025 09:00:00 am", "05/01/2025 09:00:00 am"], Dates(items));
    }

    [Fact]
    public async Task Until_is_inclusive_and_exdate_is_skipped()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var id = await b24.AddAsync(Weekly(new { FREQ = "DAILY", INTERVAL = 2, UNTIL = "2024-12-08" }));
        b24.Service.ExcludeOccurrence(id, new DateOnly(2024, 12, 4));
        var items = await b24.GetEventsAsync("2024-12-01", "2024-12-31");
        Assert.Equal(["12/02/2024 10:00:00 am", "12/06/2024 10:00:00 am", "12/08/2024 10:00:00 am"], Dates(items));
        JsonAssert.String("12/04/2024", items[0]!["EXDATE"]);
        JsonAssert.String("12/08/2024", items[0]!["RRULE"]!["UNTIL"]);
    }

    [Fact]
    public async Task Open_ended_rule_reports_2038_and_empty_tilde_until()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync(culture: "de");
        var id = await b24.AddAsync(Weekly(new { FREQ = "YEARLY" }));
        var rule = (await b24.GetByIdAsync(id))!["RRULE"]!;
        Assert.Equal("""{"FREQ":"YEARLY","INTERVAL":1,"UNTIL":"01.01.2038","~UNTIL":"","UNTIL_TS":2145916800}""", rule.ToJsonString());
    }

    [Fact]
    public async Task All_day_instances_use_date_only_strings()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync(culture: "de");
        await b24.AddAsync(new { type = "user", ownerId = 1, name = "Holiday", from = "2024-12-02", to = "2024-12-02", skip_time = "Y", rrule = new { FREQ = "DAILY", COUNT = 2 } });
        var items = await b24.GetEventsAsync("2024-12-01", "2024-12-31");
        Assert.Equal(["02.12.2024", "03.12.2024"], Dates(items));
        JsonAssert.String("02.12.2024", items[1]!["~DATE_FROM"]);
        JsonAssert.String("Tue Dec 03 2024", items[1]!["DATE_FROM_FORMATTED"]);
    }

    [Fact]
    public async Task Window_to_day_is_inclusive_and_rindex_is_window_relative()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        await b24.AddAsync(Weekly(new { FREQ = "DAILY" }, "2024-12-01 23:00:00", "2024-12-01 23:30:00"));
        var items = await b24.GetEventsAsync("2024-12-05", "2024-12-06");
        // Berlin 23:00 is 22:00 UTC, still inside the UTC "to" day.
        Assert.Equal(["12/05/2024 11:00:00 pm", "12/06/2024 11:00:00 pm"], Dates(items));
        Assert.Equal([0, 1], items.Select(i => (int)i!["RINDEX"]!).ToArray());
    }

    [Fact]
    public async Task Default_window_is_minus_30_to_plus_90_days_and_there_is_no_paging()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        foreach (var day in new[] { "2024-10-30", "2024-11-02", "2025-02-27", "2025-03-02" })
            await b24.AddAsync(new { type = "user", ownerId = 1, name = day, from = day + " 12:00:00", to = day + " 13:00:00", timezone_from = "UTC" });
        var reply = await b24.CallAsync("calendar.event.get", new { type = "user", ownerId = 1 });
        Assert.Equal(["2024-11-02", "2025-02-27"], reply.Result!.AsArray().Select(i => (string)i!["NAME"]!).ToArray());

        var daily = await b24.AddAsync(Weekly(new { FREQ = "DAILY" }, "2025-01-01 08:00:00", "2025-01-01 08:15:00"));
        var all = await b24.CallAsync("calendar.event.get", new { type = "user", ownerId = 1, from = "2025-01-01", to = "2025-12-31" });
        Assert.Equal(365, all.Result!.AsArray().Count(i => (string?)i!["ID"] == daily.ToString()));
        Assert.Null(all.Body!["next"]);
        Assert.Null(all.Body["total"]);
    }

    [Fact]
    public async Task Section_filter_intersects_and_drops_unknown_ids()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var other = b24.Service.SeedSection("Outlook");
        await b24.AddAsync(new { type = "user", ownerId = 1, name = "a", from = "2024-12-02", to = "2024-12-02", section = other });
        await b24.AddAsync(new { type = "user", ownerId = 1, name = "b", from = "2024-12-02", to = "2024-12-02" });

        var mine = await b24.CallAsync("calendar.event.get", new { type = "user", ownerId = 1, from = "2024-12-01", to = "2024-12-03", section = new[] { other, 999 } });
        Assert.Equal(["a"], mine.Result!.AsArray().Select(i => (string)i!["NAME"]!).ToArray());
        var scalar = await b24.GetAsync(b24.Service.WebhookUrl + $"calendar.event.get?type=user&ownerId=1&from=2024-12-01&to=2024-12-03&section={other}");
        Assert.Single(scalar.Result!.AsArray());
        var unknown = await b24.CallAsync("calendar.event.get", new { type = "user", ownerId = 1, from = "2024-12-01", to = "2024-12-03", section = new[] { 999 } });
        Assert.Empty(unknown.Result!.AsArray());
    }

    [Fact]
    public async Task This_mode_adds_exdate_and_an_exception_row_and_returns_the_master_id()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var master = await b24.AddAsync(Weekly(new { FREQ = "WEEKLY", BYDAY = new[] { "MO" }, COUNT = 3 }));
        var reply = await b24.CallAsync("calendar.event.update", new
        {
            id = master, type = "user", ownerId = 1, recurrence_mode = "this", current_date_from = "2024-12-09",
            from = "2024-12-10 14:00:00", to = "2024-12-10 15:00:00", timezone_from = "Europe/Berlin", name = "Moved",
        });
        Assert.Equal(master, reply.Result!.GetValue<int>());

        var m = (await b24.GetByIdAsync(master))!;
        JsonAssert.String("12/09/2024", m["EXDATE"]);
        JsonAssert.String("2", m["VERSION"]);

        var items = await b24.GetEventsAsync("2024-12-01", "2024-12-31");
        Assert.Equal(["12/02/2024 10:00:00 am", "12/10/2024 02:00:00 pm", "12/16/2024 10:00:00 am"], Dates(items));
        var exception = items[1]!;
        Assert.NotEqual(master.ToString(), (string?)exception["ID"]);
        JsonAssert.String("Moved", exception["NAME"]);
        Assert.Equal(master, (int)exception["RECURRENCE_ID"]!);
        JsonAssert.String("12/09/2024 10:00:00 am", exception["ORIGINAL_DATE_FROM"]);
        Assert.Equal($$"""{"COMMENT_XML_ID":"EVENT_{{master}}_12/09/2024"}""", exception["RELATIONS"]!.ToJsonString());
        Assert.Equal((string?)m["DAV_XML_ID"], (string?)exception["DAV_XML_ID"]);
        JsonAssert.String("", exception["RRULE"]);
        Assert.False(exception.AsObject().ContainsKey("RINDEX"));
    }

    /// <summary>docs/bitrix24-api.md, "recurrence_mode=this": the new exception takes the master's REMIND (CCalendar::SaveEvent).</summary>
    [Fact]
    public async Task This_mode_gives_the_exception_the_masters_reminder_whatever_remind_says()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var master = await b24.AddAsync(new
        {
            type = "user", ownerId = 1, name = "Weekly", from = "2024-12-02 10:00:00", to = "2024-12-02 11:00:00",
            timezone_from = "Europe/Berlin", remind = new[] { new { type = "min", count = 15 } },
            rrule = new { FREQ = "WEEKLY", BYDAY = new[] { "MO" }, COUNT = 3 },
        });
        await b24.CallAsync("calendar.event.update", new
        {
            id = master, type = "user", ownerId = 1, recurrence_mode = "this", current_date_from = "2024-12-09",
            from = "2024-12-09 10:00:00", to = "2024-12-09 11:00:00", timezone_from = "Europe/Berlin", name = "Moved",
            remind = new[] { new { type = "hour", count = 2 } },
        });
        var exception = (await b24.GetEventsAsync("2024-12-09", "2024-12-09")).Single(i => (string?)i!["NAME"] == "Moved")!;
        Assert.Equal("""[{"type":"min","count":15}]""", exception["REMIND"]!.ToJsonString());

        // An update of the exception row itself does set it.
        var row = int.Parse((string)exception["ID"]!);
        await b24.CallAsync("calendar.event.update", new
        {
            id = row, type = "user", ownerId = 1, from = "2024-12-09 10:00:00", to = "2024-12-09 11:00:00",
            timezone_from = "Europe/Berlin", remind = new[] { new { type = "hour", count = 2 } },
        });
        Assert.Equal("""[{"type":"hour","count":2}]""", (await b24.GetByIdAsync(row))!["REMIND"]!.ToJsonString());
    }

    [Fact]
    public async Task Recurrence_mode_is_validated()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var master = await b24.AddAsync(Weekly(new { FREQ = "DAILY", COUNT = 3 }));
        var bad = await b24.CallAsync("calendar.event.update", new { id = master, type = "user", ownerId = 1, recurrence_mode = "some" });
        Assert.Equal("Invalid edit type for recurring event.", bad.Description);
        var noDate = await b24.CallAsync("calendar.event.update", new { id = master, type = "user", ownerId = 1, recurrence_mode = "this" });
        Assert.Equal(HttpStatusCode.BadRequest, noDate.Status);
        Assert.Equal("Invalid parameter value for \"current_date_from\"", noDate.Description);
    }

    [Fact]
    public async Task Next_mode_truncates_the_master_and_starts_a_new_series()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var master = await b24.AddAsync(Weekly(new { FREQ = "DAILY", COUNT = 6 }));
        var reply = await b24.CallAsync("calendar.event.update", new
        {
            id = master, type = "user", ownerId = 1, recurrence_mode = "next", current_date_from = "2024-12-05", name = "Later",
        });
        var result = reply.Result!.AsObject();
        Assert.Equal(master, (int)result["id"]!);
        var series = (int)result["recEventId"]!;

        var old = (await b24.GetByIdAsync(master))!;
        JsonAssert.String("12/04/2024", old["RRULE"]!["UNTIL"]);
        Assert.Null(old["RRULE"]!["COUNT"]);
        var split = (await b24.GetByIdAsync(series))!;
        Assert.Equal($$"""{"ORIGINAL_RECURSION_ID":{{master}}}""", split["RELATIONS"]!.ToJsonString());
        Assert.NotEqual((string?)old["DAV_XML_ID"], (string?)split["DAV_XML_ID"]);

        var items = await b24.GetEventsAsync("2024-12-01", "2024-12-31");
        Assert.Equal(["Series", "Series", "Series", "Later", "Later", "Later"], items.Select(i => (string)i!["NAME"]!).ToArray());
        Assert.Equal("12/07/2024 10:00:00 am", (string?)items[5]!["DATE_FROM"]); // six occurrences in total, as before
    }

    [Fact]
    public async Task All_mode_edits_the_master_and_its_exceptions_keep_their_dates()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var master = await b24.AddAsync(Weekly(new { FREQ = "DAILY", COUNT = 3 }));
        await b24.CallAsync("calendar.event.update", new { id = master, type = "user", ownerId = 1, recurrence_mode = "this", current_date_from = "2024-12-03", from = "2024-12-03 16:00:00", to = "2024-12-03 17:00:00" });
        await b24.CallAsync("calendar.event.update", new { id = master, type = "user", ownerId = 1, recurrence_mode = "all", name = "Renamed", location = "Room 7" });

        var items = await b24.GetEventsAsync("2024-12-01", "2024-12-31");
        Assert.All(items, i => JsonAssert.String("Renamed", i!["NAME"]));
        Assert.Equal("12/03/2024 04:00:00 pm", (string?)items[1]!["DATE_FROM"]);
    }

    [Fact]
    public async Task Deleting_a_master_removes_its_exceptions_and_deleting_an_exception_removes_the_series()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        async Task<int> SeriesWithException()
        {
            var id = await b24.AddAsync(Weekly(new { FREQ = "DAILY", COUNT = 3 }));
            await b24.CallAsync("calendar.event.update", new { id, type = "user", ownerId = 1, recurrence_mode = "this", current_date_from = "2024-12-03", name = "Exception" });
            return id;
        }

        var first = await SeriesWithException();
        var delete = await b24.CallAsync("calendar.event.delete", new { id = first });
        JsonAssert.Kind(JsonValueKind.True, delete.Result);
        Assert.Empty(await b24.GetEventsAsync("2024-12-01", "2024-12-31"));

        var second = await SeriesWithException();
        var exceptionId = b24.Service.GetEvents().Single(e => e.RecurrenceId == second).Id;
        await b24.CallAsync("calendar.event.delete", new { id = exceptionId });
        Assert.Empty(await b24.GetEventsAsync("2024-12-01", "2024-12-31"));
        Assert.Null(await b24.GetByIdAsync(second));
        // Soft delete: the rows stay, flagged.
        Assert.Equal(4, b24.Service.GetEvents(includeDeleted: true).Count(e => e.Deleted));
    }
}
