using Xunit;

namespace CalSync.Sandbox.Tests.Bitrix24;

/// <summary>
/// calendar.event.update is not partial for the time block (docs/bitrix24-api.md, "calendar.event.update", from
/// CCalendarRestService::EventUpdate and processTimezone): without skip_time the event becomes timed, a missing zone is
/// the calling user's (timezone_to falls back to timezone_from first), a missing from/to keeps its stored wall clock.
/// </summary>
public sealed class UpdateTimeBlockTests
{
    [Fact]
    public async Task A_rename_without_skip_time_makes_an_all_day_event_timed()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync(userZone: "Europe/Berlin");
        var id = await b24.AddAsync(new { type = "user", ownerId = 1, name = "Holiday", from = "2024-12-24", to = "2024-12-24", skip_time = "Y" });
        JsonAssert.String("Y", (await b24.GetByIdAsync(id))!["DT_SKIP_TIME"]);

        await b24.CallAsync("calendar.event.update", new { id, type = "user", ownerId = 1, name = "Christmas Eve" });
        var e = (await b24.GetByIdAsync(id))!;
        JsonAssert.String("N", e["DT_SKIP_TIME"]);
        JsonAssert.String("Europe/Berlin", e["TZ_FROM"]);
        JsonAssert.String("Europe/Berlin", e["TZ_TO"]);
    }

    [Fact]
    public async Task A_rename_without_zones_puts_a_timed_event_in_the_users_zone_at_the_same_wall_clock()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync(userZone: "Europe/Berlin");
        var id = await b24.AddAsync(new { type = "user", ownerId = 1, name = "Call", from = "2024-12-11 10:00:00", to = "2024-12-11 11:00:00", timezone_from = "Asia/Kolkata", timezone_to = "Asia/Kolkata" });

        await b24.CallAsync("calendar.event.update", new { id, type = "user", ownerId = 1, name = "Call with Bangalore" });
        var e = (await b24.GetByIdAsync(id))!;
        JsonAssert.String("Europe/Berlin", e["TZ_FROM"]);
        JsonAssert.String("Europe/Berlin", e["TZ_TO"]);
        JsonAssert.String("12/11/2024 10:00:00 am", e["DATE_FROM"]); // same clock time, another zone: another instant
    }

    [Fact]
    public async Task Timezone_to_falls_back_to_timezone_from_and_a_full_block_keeps_everything()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync(userZone: "Europe/Berlin");
        var id = await b24.AddAsync(new { type = "user", ownerId = 1, name = "Call", from = "2024-12-11 10:00:00", to = "2024-12-11 11:00:00", timezone_from = "UTC" });

        await b24.CallAsync("calendar.event.update", new { id, type = "user", ownerId = 1, name = "Call 2", timezone_from = "Asia/Kolkata" });
        var e = (await b24.GetByIdAsync(id))!;
        JsonAssert.String("Asia/Kolkata", e["TZ_FROM"]);
        JsonAssert.String("Asia/Kolkata", e["TZ_TO"]);

        var allDay = await b24.AddAsync(new { type = "user", ownerId = 1, name = "Trip", from = "2024-12-20", to = "2024-12-22", skip_time = "Y" });
        await b24.CallAsync("calendar.event.update", new { id = allDay, type = "user", ownerId = 1, name = "Trip 2", from = "2024-12-20", to = "2024-12-22", skip_time = "Y" });
        var t = (await b24.GetByIdAsync(allDay))!;
        JsonAssert.String("Y", t["DT_SKIP_TIME"]);
        JsonAssert.String("Trip 2", t["NAME"]);
    }
}
