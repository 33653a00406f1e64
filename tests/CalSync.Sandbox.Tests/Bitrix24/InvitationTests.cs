using System.Net;
using System.Text.Json.Nodes;
using Xunit;

namespace CalSync.Sandbox.Tests.Bitrix24;

/// <summary>
/// Meetings with two portal users (docs/bitrix24-api.md, "Invitations"): the host's row and one row per attendee in
/// their meeting calendar (CCalendarEvent::CreateChildEvents), answers with calendar.meeting.status.set
/// (CCalendarEvent::SetMeetingStatus), and what CCalendarEvent::Delete does to an attendee's copy.
/// </summary>
public sealed class InvitationTests
{
    private const int User = 1, Colleague = 2;

    private static async Task<int> InviteAsync(Bitrix24TestPortal b24, string name = "Review")
    {
        var reply = await b24.CallAsColleagueAsync("calendar.event.add", new
        {
            type = "user", ownerId = Colleague, name, from = "2024-12-11 10:00:00", to = "2024-12-11 11:00:00",
            timezone_from = "Europe/Berlin", is_meeting = "Y", attendees = new[] { Colleague, User },
        });
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        return reply.Result!.GetValue<int>();
    }

    private static async Task<JsonObject> CopyAsync(Bitrix24TestPortal b24) =>
        (JsonObject)(await b24.GetEventsAsync("2024-12-01", "2024-12-31")).Single()!;

    [Fact]
    public async Task An_invitation_is_a_row_of_the_users_own_in_their_meeting_calendar_pointing_at_the_hosts()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var host = await InviteAsync(b24);

        var copy = await CopyAsync(b24);
        Assert.NotEqual(host.ToString(), (string?)copy["ID"]);
        JsonAssert.String(host.ToString(), copy["PARENT_ID"]);
        JsonAssert.String(User.ToString(), copy["OWNER_ID"]);
        JsonAssert.String(b24.Service.DefaultSectionId.ToString(), copy["SECTION_ID"]);
        Assert.True(copy["IS_MEETING"]!.GetValue<bool>());
        JsonAssert.String("Q", copy["MEETING_STATUS"]);
        JsonAssert.String(Colleague.ToString(), copy["MEETING_HOST"]);
        JsonAssert.String("Colleague User", copy["MEETING"]!["HOST_NAME"]);
        Assert.Equal(
            $$"""[{"id":2,"entryId":"{{host}}","status":"H"},{"id":1,"entryId":"{{copy["ID"]}}","status":"Q"}]""",
            copy["ATTENDEE_LIST"]!.ToJsonString());

        var hostRow = (await b24.CallAsColleagueAsync("calendar.event.getbyid", new { id = host })).Result!;
        JsonAssert.String("H", hostRow["MEETING_STATUS"]);
        JsonAssert.String(host.ToString(), hostRow["PARENT_ID"]);
    }

    [Fact]
    public async Task The_users_answer_is_set_on_their_own_row_and_shows_in_the_hosts_attendee_list()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var host = await InviteAsync(b24);
        var copy = await CopyAsync(b24);
        var version = (string?)copy["VERSION"];

        Assert.True((await b24.CallAsync("calendar.meeting.status.set", new { eventId = (string?)copy["ID"], status = "y" })).Result!.GetValue<bool>());
        Assert.Equal("Y", (string?)(await b24.CallAsync("calendar.meeting.status.get", new { eventId = host })).Result);
        var after = await CopyAsync(b24);
        JsonAssert.String("Y", after["MEETING_STATUS"]);
        JsonAssert.String(version!, after["VERSION"]); // an answer is no save of the event
        var hostRow = (await b24.CallAsColleagueAsync("calendar.event.getbyid", new { id = host })).Result!;
        Assert.Contains("\"status\":\"Y\"", hostRow["ATTENDEE_LIST"]!.ToJsonString());

        var bad = await b24.CallAsync("calendar.meeting.status.set", new { eventId = host, status = "maybe" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
    }

    [Fact]
    public async Task An_administrator_deleting_their_copy_deletes_the_hosts_meeting_for_everyone()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync(userIsAdmin: true);
        var host = await InviteAsync(b24);
        var copy = await CopyAsync(b24);

        Assert.True((await b24.CallAsync("calendar.event.delete", new { id = (string?)copy["ID"] })).Result!.GetValue<bool>());

        Assert.Null((await b24.CallAsColleagueAsync("calendar.event.getbyid", new { id = host })).Result as JsonObject);
        Assert.Empty(await b24.GetEventsAsync("2024-12-01", "2024-12-31"));
    }

    [Fact]
    public async Task Anyone_else_deleting_their_copy_declines_it_and_the_meeting_stays()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync(userIsAdmin: false);
        var host = await InviteAsync(b24);
        var copy = await CopyAsync(b24);

        Assert.True((await b24.CallAsync("calendar.event.delete", new { id = (string?)copy["ID"] })).Result!.GetValue<bool>());

        Assert.NotNull((await b24.CallAsColleagueAsync("calendar.event.getbyid", new { id = host })).Result as JsonObject);
        JsonAssert.String("N", (await CopyAsync(b24))["MEETING_STATUS"]);
    }

    [Fact]
    public async Task A_copy_is_updated_only_naming_its_organizer_and_follows_the_hosts_edits()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var host = await InviteAsync(b24);
        var copyId = (string?)(await CopyAsync(b24))["ID"];

        var denied = await b24.CallAsync("calendar.event.update", new { id = copyId, type = "user", ownerId = User, name = "Mine" });
        Assert.Equal(HttpStatusCode.BadRequest, denied.Status);
        Assert.Equal("Access denied", denied.Description);
        var wrongHost = await b24.CallAsync("calendar.event.update", new { id = copyId, type = "user", ownerId = User, name = "Mine", host = User });
        Assert.Equal("Access denied", wrongHost.Description);

        await b24.CallAsync("calendar.meeting.status.set", new { eventId = copyId, status = "Y" });
        await b24.CallAsColleagueAsync("calendar.event.update", new
        {
            id = host, type = "user", ownerId = Colleague, name = "Review (moved)", from = "2024-12-12 10:00:00", to = "2024-12-12 11:00:00",
            timezone_from = "Europe/Berlin", timezone_to = "Europe/Berlin",
        });
        var copy = await CopyAsync(b24);
        JsonAssert.String("Review (moved)", copy["NAME"]);
        JsonAssert.String("12/12/2024 10:00:00 am", copy["DATE_FROM"]);
        JsonAssert.String("Y", copy["MEETING_STATUS"]);

        // The host takes the user off the list: the copy goes.
        await b24.CallAsColleagueAsync("calendar.event.update", new
        {
            id = host, type = "user", ownerId = Colleague, is_meeting = "Y", attendees = new[] { Colleague },
            from = "2024-12-12 10:00:00", to = "2024-12-12 11:00:00", timezone_from = "Europe/Berlin",
        });
        Assert.Empty(await b24.GetEventsAsync("2024-12-01", "2024-12-31"));
    }

    [Fact]
    public async Task The_colleague_cannot_touch_the_users_calendar_with_their_webhook()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var mine = await b24.AddAsync(new { type = "user", ownerId = User, name = "Private", from = "2024-12-11", to = "2024-12-11", skip_time = "Y" });
        var reply = await b24.CallAsColleagueAsync("calendar.event.delete", new { id = mine });
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.NotNull(await b24.GetByIdAsync(mine));
    }
}
