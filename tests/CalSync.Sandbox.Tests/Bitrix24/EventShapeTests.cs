using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace CalSync.Sandbox.Tests.Bitrix24;

/// <summary>docs/bitrix24-api.md, "The event object" (field names, wire types, "" vs object), "Portal culture and dates" and "Input dates and zones".</summary>
public sealed class EventShapeTests
{
    private static object Timed(string from = "2024-12-11 17:59:00", string to = "2024-12-11 18:59:00", string zone = "Europe/Berlin") =>
        new { type = "user", ownerId = 1, name = "Event Name", from, to, timezone_from = zone, timezone_to = zone };

    [Fact]
    public async Task Docs_add_example_reads_back_with_documented_types()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var id = await b24.AddAsync(new
        {
            type = "user", ownerId = 1, name = "New Event Name", description = "Description for event",
            from = "2024-06-14", to = "2024-06-14", skip_time = "Y", section = b24.Service.DefaultSectionId,
            color = "#9cbe1c", text_color = "#283033", accessibility = "absent", importance = "normal",
            is_meeting = "Y", private_event = "N", remind = new[] { new { type = "min", count = 20 } }, location = "New York",
            attendees = new[] { 1, 2, 3 }, meeting = new { notify = true, reinvite = false, allow_invite = false, hide_guests = false },
            rrule = new { FREQ = "WEEKLY", BYDAY = new[] { "MO", "WE" }, COUNT = 10, INTERVAL = 1 }, crm_fields = new[] { "C_5", "L_11" },
        });
        var e = (await b24.GetByIdAsync(id))!;

        JsonAssert.String(id.ToString(), e["ID"]);
        JsonAssert.String(id.ToString(), e["PARENT_ID"]);
        JsonAssert.String("N", e["DELETED"]);
        JsonAssert.String("1", e["OWNER_ID"]);
        JsonAssert.String("06/14/2024 12:00:00 am", e["DATE_FROM"]);
        JsonAssert.String("06/14/2024 12:00:00 am", e["DATE_TO"]);
        JsonAssert.String("Y", e["DT_SKIP_TIME"]);
        Assert.Equal(86400, (int)e["DT_LENGTH"]!);
        JsonAssert.String("", e["TZ_FROM"]);
        JsonAssert.String("0", e["TZ_OFFSET_FROM"]);
        JsonAssert.String("", e["PRIVATE_EVENT"]);
        JsonAssert.String("absent", e["ACCESSIBILITY"]);
        JsonAssert.Kind(JsonValueKind.True, e["IS_MEETING"]);
        JsonAssert.String("H", e["MEETING_STATUS"]);
        JsonAssert.String("1", e["MEETING_HOST"]);
        Assert.True((bool)e["MEETING"]!["NOTIFY"]!);
        Assert.Equal(1, (int)e["MEETING"]!["MEETING_CREATOR"]!);
        Assert.Equal("""[{"type":"min","count":20}]""", e["REMIND"]!.ToJsonString());
        JsonAssert.String("#9cbe1c", e["COLOR"]);
        Assert.False(e.ContainsKey("TEXT_COLOR")); // removed by getbyid
        Assert.False(e.ContainsKey("ACTIVE"));
        Assert.Equal("""{"FREQ":"WEEKLY","COUNT":10,"BYDAY":{"MO":"MO","WE":"WE"},"INTERVAL":1,"UNTIL":"07/17/2024","~UNTIL":"07/17/2024","UNTIL_TS":1721174400}""",
            e["RRULE"]!.ToJsonString());
        JsonAssert.String("", e["EXDATE"]);
        Assert.Matches(@"^\d{8}T\d{6}Z-[0-9a-f]{32}@", (string?)e["DAV_XML_ID"]);
        JsonAssert.String("1", e["VERSION"]);
        Assert.Equal("""["U1","U2","U3"]""", e["ATTENDEES_CODES"]!.ToJsonString());
        JsonAssert.Kind(JsonValueKind.Null, e["RECURRENCE_ID"]);
        JsonAssert.String("", e["RELATIONS"]);
        JsonAssert.String(b24.Service.DefaultSectionId.ToString(), e["SECTION_ID"]);
        JsonAssert.String(b24.Service.DefaultSectionId.ToString(), e["SECT_ID"]);
        Assert.Equal("""["C_5","L_11"]""", e["UF_CRM_CAL_EVENT"]!.ToJsonString());
        JsonAssert.String("Fri Jun 14 2024", e["DATE_FROM_FORMATTED"]);
        Assert.Equal($$"""{"id":1,"entryId":"{{id}}","status":"H"}""", e["ATTENDEE_LIST"]![0]!.ToJsonString());
        Assert.Equal("""{"entityId":"user","id":2}""", e["attendeesEntityList"]![1]!.ToJsonString());
        JsonAssert.String("Description for event", e["~DESCRIPTION"]);
        Assert.StartsWith("every week on: Mon, Wed, from 06/14/2024", (string?)e["~RRULE_DESCRIPTION"]);
    }

    [Fact]
    public async Task Plain_timed_event_has_empty_string_polymorphic_fields_and_en_formats()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var id = await b24.AddAsync(Timed());
        var e = (await b24.GetByIdAsync(id))!;

        JsonAssert.String("12/11/2024 05:59:00 pm", e["DATE_FROM"]);
        JsonAssert.String("12/11/2024 06:59:00 pm", e["DATE_TO"]);
        JsonAssert.String("Europe/Berlin", e["TZ_FROM"]);
        JsonAssert.String("3600", e["TZ_OFFSET_FROM"]);
        JsonAssert.String("1733936340", e["DATE_FROM_TS_UTC"]);
        Assert.Equal(3600, (int)e["DT_LENGTH"]!);
        JsonAssert.String("N", e["DT_SKIP_TIME"]);
        JsonAssert.String("Wed Dec 11 2024 17:59:00", e["DATE_FROM_FORMATTED"]);
        JsonAssert.String("", e["RRULE"]);
        JsonAssert.String("", e["RELATIONS"]);
        JsonAssert.Kind(JsonValueKind.False, e["UF_CRM_CAL_EVENT"]);
        JsonAssert.Kind(JsonValueKind.False, e["IS_MEETING"]);
        JsonAssert.String("busy", e["ACCESSIBILITY"]);
        JsonAssert.String("normal", e["IMPORTANCE"]);
        JsonAssert.String("12/01/2024 09:00:00 am", e["DATE_CREATE"]);
        JsonAssert.String("12/01/2024 09:00:00 am", e["TIMESTAMP_X"]);
        Assert.Equal("""["U1"]""", e["ATTENDEES_CODES"]!.ToJsonString());
        Assert.False(e.ContainsKey("~RRULE_DESCRIPTION"));
        Assert.False(e.ContainsKey("RINDEX"));
    }

    [Fact]
    public async Task German_portal_uses_dd_mm_yyyy_24h_and_the_same_formatted_fields()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync(culture: "de");
        var id = await b24.AddAsync(Timed());
        var e = (await b24.GetByIdAsync(id))!;
        JsonAssert.String("11.12.2024 17:59:00", e["DATE_FROM"]);
        JsonAssert.String("01.12.2024 09:00:00", e["TIMESTAMP_X"]);
        JsonAssert.String("Wed Dec 11 2024 17:59:00", e["DATE_FROM_FORMATTED"]);
        Assert.Equal("de", (string?)e["MEETING"]!["LANGUAGE_ID"]);
    }

    [Fact]
    public async Task List_items_carry_list_only_fields()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        await b24.AddAsync(Timed());
        var item = (await b24.GetEventsAsync("2024-12-11", "2024-12-11")).Single()!.AsObject();
        JsonAssert.String("Y", item["ACTIVE"]);
        Assert.True(item.ContainsKey("TEXT_COLOR"));
        JsonAssert.Kind(JsonValueKind.Null, item["DT_FROM"]);
        Assert.False(item.ContainsKey("~DESCRIPTION"));
    }

    [Fact]
    public async Task Skip_time_must_be_the_string_Y()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var asBool = await b24.AddAsync(new { type = "user", ownerId = 1, name = "x", from = "2024-12-20", to = "2024-12-20", skip_time = true });
        Assert.Equal("N", (string?)(await b24.GetByIdAsync(asBool))!["DT_SKIP_TIME"]);

        var twoDays = await b24.AddAsync(new { type = "user", ownerId = 1, name = "x", from = "2024-12-20", to = "2024-12-21", skip_time = "Y", timezone_from = "Asia/Tokyo" });
        var e = (await b24.GetByIdAsync(twoDays))!;
        JsonAssert.String("Y", e["DT_SKIP_TIME"]);
        Assert.Equal(172800, (int)e["DT_LENGTH"]!);
        JsonAssert.String("12/21/2024 12:00:00 am", e["DATE_TO"]); // inclusive last day
        JsonAssert.String("1734652800", e["DATE_FROM_TS_UTC"]);
        JsonAssert.String("", e["TZ_FROM"]); // zone parameters are dropped for all-day events
        JsonAssert.String("Fri Dec 20 2024", e["DATE_FROM_FORMATTED"]);
    }

    [Fact]
    public async Task Offset_input_uses_the_users_current_offset_and_stores_the_user_zone()
    {
        // January clock (Berlin +1), July event (Berlin +2): the documented one-hour DST hazard.
        await using var b24 = await Bitrix24TestPortal.StartAsync(now: new DateTimeOffset(2025, 1, 15, 12, 0, 0, TimeSpan.Zero));
        var id = await b24.AddAsync(new { type = "user", ownerId = 1, name = "x", from = "2025-07-01T10:00:00Z", to = "2025-07-01T11:00:00Z", timezone_from = "Asia/Tokyo" });
        var e = (await b24.GetByIdAsync(id))!;
        JsonAssert.String("07/01/2025 11:00:00 am", e["DATE_FROM"]);
        JsonAssert.String("Europe/Berlin", e["TZ_FROM"]);
        JsonAssert.String("1751360400", e["DATE_FROM_TS_UTC"]); // 09:00Z, not the 10:00Z that was sent
    }

    [Fact]
    public async Task Naive_input_is_wall_clock_in_timezone_from_or_the_user_zone()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var newYork = await b24.AddAsync(new { type = "user", ownerId = 1, name = "x", from = "2025-03-20 15:00:00", to = "2025-03-20 16:00:00", timezone_from = "America/New_York" });
        var windows = await b24.AddAsync(new { type = "user", ownerId = 1, name = "x", from = "2025-03-20T15:00:00", to = "2025-03-20T16:00:00", timezone_from = "Pacific Standard Time" });
        var userZone = await b24.AddAsync(new { type = "user", ownerId = 1, name = "x", from = "2025-03-20 15:00", to = "2025-03-20 16:00" });

        var ny = (await b24.GetByIdAsync(newYork))!;
        JsonAssert.String("03/20/2025 03:00:00 pm", ny["DATE_FROM"]);
        JsonAssert.String("America/New_York", ny["TZ_FROM"]);
        JsonAssert.String("America/New_York", ny["TZ_TO"]); // timezone_from alone sets both
        JsonAssert.String("-14400", ny["TZ_OFFSET_FROM"]);
        JsonAssert.String("America/Los_Angeles", (await b24.GetByIdAsync(windows))!["TZ_FROM"]);
        JsonAssert.String("Europe/Berlin", (await b24.GetByIdAsync(userZone))!["TZ_FROM"]);
    }

    [Fact]
    public async Task Ts_utc_is_skewed_by_a_non_utc_server_zone()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync(serverZone: "Europe/Minsk", culture: "de");
        var id = await b24.AddAsync(Timed("2025-11-01 11:59:00", "2025-11-01 12:59:00", "Europe/Minsk"));
        var e = (await b24.GetByIdAsync(id))!;
        JsonAssert.String("01.11.2025 11:59:00", e["DATE_FROM"]);
        JsonAssert.String("10800", e["TZ_OFFSET_FROM"]);
        JsonAssert.String("1761976740", e["DATE_FROM_TS_UTC"]); // 05:59Z instead of the true 08:59Z (1761987540)
        JsonAssert.String("01.12.2024 12:00:00", e["TIMESTAMP_X"]); // server zone, +3
    }

    [Fact]
    public async Task Add_checks_required_parameters_in_source_order()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        async Task<string?> Missing(object body) => (await b24.CallAsync("calendar.event.add", body)).Description;

        Assert.Contains("\"from\"", await Missing(new { type = "user", ownerId = 1, name = "x" }));
        Assert.Contains("\"to\"", await Missing(new { type = "user", ownerId = 1, name = "x", from = "2024-12-01" }));
        Assert.Contains("\"name\"", await Missing(new { type = "user", ownerId = 1, from = "2024-12-01", to = "2024-12-01" }));
        Assert.Contains("\"ownerId\"", await Missing(new { type = "user", name = "x", from = "2024-12-01", to = "2024-12-01" }));
        Assert.Contains("\"type\"", await Missing(new { ownerId = 1, name = "x", from = "2024-12-01", to = "2024-12-01" }));
        Assert.Equal("Invalid parameter value for \"name\"", await Missing(new { type = "user", ownerId = 1, name = 5, from = "2024-12-01", to = "2024-12-01" }));
        Assert.Equal("You have specified an invalid calendar section ID or the current user does not have access to it",
            await Missing(new { type = "user", ownerId = 1, name = "x", from = "2024-12-01", to = "2024-12-01", section = 999 }));
        Assert.Equal("Event to CRM association list must be an array.",
            await Missing(new { type = "user", ownerId = 1, name = "x", from = "2024-12-01", to = "2024-12-01", crm_fields = "C_5" }));
        // from_ts alone passes the "from" check.
        Assert.Equal(HttpStatusCode.OK, (await b24.CallAsync("calendar.event.add", new { type = "user", ownerId = 1, name = "x", from_ts = 1733932740, to_ts = 1733936340 })).Status);
    }

    [Fact]
    public async Task Percent_23_in_json_colour_becomes_230000()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var id = await b24.AddAsync(new { type = "user", ownerId = 1, name = "x", from = "2024-12-01", to = "2024-12-01", color = "%23000000" });
        JsonAssert.String("#230000", (await b24.GetByIdAsync(id))!["COLOR"]);
    }

    [Fact]
    public async Task Update_is_partial_and_bumps_version_and_timestamp()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var id = await b24.AddAsync(new
        {
            type = "user", ownerId = 1, name = "Original", from = "2024-12-11 10:00:00", to = "2024-12-11 11:00:00",
            timezone_from = "Europe/Berlin", location = "Room 1", private_event = "Y", is_meeting = "Y", attendees = new[] { 2 },
        });
        b24.Clock.Advance(TimeSpan.FromHours(2));

        var reply = await b24.CallAsync("calendar.event.update", new { id, type = "user", ownerId = 1, name = "Modified event" });
        Assert.Equal(id, reply.Result!.GetValue<int>());
        var e = (await b24.GetByIdAsync(id))!;
        JsonAssert.String("Modified event", e["NAME"]);
        JsonAssert.String("Room 1", e["LOCATION"]);
        JsonAssert.String("1", e["PRIVATE_EVENT"]);
        JsonAssert.String("12/11/2024 10:00:00 am", e["DATE_FROM"]);
        JsonAssert.String("2", e["VERSION"]);
        JsonAssert.String("12/01/2024 11:00:00 am", e["TIMESTAMP_X"]);
        JsonAssert.String("12/01/2024 09:00:00 am", e["DATE_CREATE"]);
        Assert.Equal("""["U1","U2"]""", e["ATTENDEES_CODES"]!.ToJsonString());

        // is_meeting=Y without attendees clears them; an empty name becomes the default title.
        await b24.CallAsync("calendar.event.update", new { id, type = "user", ownerId = 1, is_meeting = "Y", name = " " });
        e = (await b24.GetByIdAsync(id))!;
        Assert.Equal("""["U1"]""", e["ATTENDEES_CODES"]!.ToJsonString());
        JsonAssert.String("New event", e["NAME"]);
        JsonAssert.String("3", e["VERSION"]);
    }

    [Fact]
    public async Task Update_and_delete_validate_their_ids()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        Assert.Equal("Event ID is not specified", (await b24.CallAsync("calendar.event.update", new { type = "user", ownerId = 1 })).Description);
        Assert.Equal("The mandatory parameter \"ownerId\" is not specified for the method \"calendar.event.update\"",
            (await b24.CallAsync("calendar.event.update", new { id = 5, type = "user" })).Description);
        Assert.Equal("Event ID is not specified", (await b24.CallAsync("calendar.event.delete", new { })).Description);
        var missing = await b24.CallAsync("calendar.event.delete", new { id = 424242 });
        Assert.Equal(HttpStatusCode.BadRequest, missing.Status);
        Assert.Equal("Error while deleting event", missing.Description);
        var getMissing = await b24.CallAsync("calendar.event.getbyid", new { id = 424242 });
        Assert.Equal(HttpStatusCode.OK, getMissing.Status);
        JsonAssert.Kind(JsonValueKind.Null, getMissing.Result);
    }
}
