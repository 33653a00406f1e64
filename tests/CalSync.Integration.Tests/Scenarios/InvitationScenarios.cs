using System.Globalization;
using System.Text.Json.Nodes;
using CalSync.Engine.Model;
using CalSync.Engine.Sync;
using CalSync.Integration.Tests.Support;
using Xunit;

namespace CalSync.Integration.Tests.Scenarios;

/// <summary>
/// Issue 16, invitations (docs/bitrix24-api.md, "Invitations"): a colleague's Bitrix24 meeting reaches Outlook as the
/// user's, and CalSync only answers it in Bitrix24, where deleting the user's copy as an administrator (the stand-in's
/// user is one) deletes the organizer's meeting for everyone.
/// </summary>
public sealed class InvitationScenarios(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private static readonly DateTime Wednesday10 = new(2025, 3, 5, 10, 0, 0);

    /// <summary>The colleague invites the user; returns the host's row.</summary>
    private static string Invite(SandboxHarness h, string name = "Quarterly review") =>
        h.Bitrix24.CallAsColleague("calendar.event.add", new Dictionary<string, object?>
        {
            ["type"] = "user", ["ownerId"] = h.Bitrix24.ColleagueId, ["name"] = name,
            ["from"] = SandboxHarness.B24Time(Wednesday10), ["to"] = SandboxHarness.B24Time(Wednesday10.AddHours(1)),
            ["timezone_from"] = "Europe/Berlin", ["timezone_to"] = "Europe/Berlin",
            ["is_meeting"] = "Y", ["attendees"] = new[] { h.Bitrix24.ColleagueId, h.Bitrix24.UserId },
        })!.GetValue<int>().ToString(CultureInfo.InvariantCulture);

    /// <summary>The host's meeting as the host reads it, over HTTP with the host's own webhook.</summary>
    private static async Task<JsonObject?> HostReadsAsync(SandboxHarness h, string hostId)
    {
        using var http = new HttpClient();
        var answer = JsonNode.Parse(await http.GetStringAsync(h.Bitrix24.ColleagueWebhookUrl + "calendar.event.getbyid.json?id=" + hostId))!;
        return answer["result"] as JsonObject;
    }

    private static CalSync.Sandbox.Bitrix24.Bitrix24Event Copy(SandboxHarness h, string hostId) =>
        Assert.Single(h.Bitrix24Stored, e => e.ParentId.ToString(CultureInfo.InvariantCulture) == hostId && e.Id != e.ParentId);

    [Fact]
    public async Task An_invitation_reaches_Outlook_and_deleting_its_copy_leaves_the_organizers_meeting()
    {
        await using var h = new SandboxHarness(fixture.Host);
        var host = Invite(h);
        h.OutlookAdd("Dentist", Wednesday10.AddDays(1));
        var first = await h.RunAsync(InitialMerge.TwoWay);
        Assert.True(1 == first.Outlook.Created && 1 == first.Bitrix24.Created, SandboxHarness.Describe(first));
        var copy = Assert.Single(await h.ReadOutlookAsync(), e => e.Title == "Quarterly review");
        Assert.Equal(ShowAs.Tentative, copy.ShowAs); // not answered yet
        Assert.StartsWith("Organizer: Colleague User", copy.Description); // Outlook makes the user its organizer

        await h.OutlookDeleteAsync(copy.Id);
        var run = await h.RunAsync();
        Assert.True(0 == run.Bitrix24.Writes && 0 == run.Failed, SandboxHarness.Describe(run));
        var unlink = Assert.Single(run.Items, i => i.Action == ItemAction.Unlink);
        Assert.Contains("invitation from Colleague User", unlink.Reason);

        Assert.NotNull(await HostReadsAsync(h, host));
        Assert.Equal("Q", Copy(h, host).MeetingStatus);
        Assert.Empty((await h.ReadOutlookAsync()).Where(e => e.Title == "Quarterly review")); // not copied again
        await h.AssertQuietAsync(2);
    }

    [Fact]
    public async Task With_DeclineInvitations_deleting_the_copy_declines_the_invitation()
    {
        await using var h = new SandboxHarness(fixture.Host, definition: new SyncDefinition { Name = "work", DeclineInvitations = true });
        var host = Invite(h);
        h.OutlookAdd("Dentist", Wednesday10.AddDays(1));
        await h.RunAsync(InitialMerge.TwoWay);
        var copy = Assert.Single(await h.ReadOutlookAsync(), e => e.Title == "Quarterly review");

        await h.OutlookDeleteAsync(copy.Id);
        var run = await h.RunAsync();
        Assert.True(1 == run.Bitrix24.Declined && 0 == run.Bitrix24.Deleted && 0 == run.Failed, SandboxHarness.Describe(run));
        Assert.Contains("the invitation from Colleague User is declined", h.LastResult!.Plan.ToString());
        Assert.Equal("N", Copy(h, host).MeetingStatus);
        Assert.NotNull(await HostReadsAsync(h, host));
        Assert.DoesNotContain(await h.ReadBitrix24Async(), e => e.Title == "Quarterly review"); // declined: not in the calendar CalSync reads
        await h.AssertQuietAsync(2);
    }

    [Fact]
    public async Task Edits_of_the_copy_stay_in_Outlook_and_the_organizers_edits_arrive()
    {
        await using var h = new SandboxHarness(fixture.Host);
        var host = Invite(h);
        await h.RunAsync(InitialMerge.TwoWay);
        var copy = Assert.Single(await h.ReadOutlookAsync());

        await h.OutlookPatchAsync(copy.Id, """{"subject":"Quarterly review (prep!)"}""");
        var run = await h.RunAsync();
        Assert.True(0 == run.Writes, SandboxHarness.Describe(run));
        Assert.Contains("not sent back to Bitrix24", h.LastResult!.Plan.ToString());
        Assert.Equal("Quarterly review", Copy(h, host).Name);
        await h.AssertQuietAsync();

        h.Bitrix24.CallAsColleague("calendar.event.update", new Dictionary<string, object?>
        {
            ["id"] = host, ["type"] = "user", ["ownerId"] = h.Bitrix24.ColleagueId, ["name"] = "Quarterly review (room 4)",
            ["from"] = SandboxHarness.B24Time(Wednesday10), ["to"] = SandboxHarness.B24Time(Wednesday10.AddHours(1)),
            ["timezone_from"] = "Europe/Berlin", ["timezone_to"] = "Europe/Berlin",
        });
        var hostEdit = await h.RunAsync();
        Assert.True(1 == hostEdit.Outlook.Updated && 0 == hostEdit.Bitrix24.Writes, SandboxHarness.Describe(hostEdit));
        Assert.Equal("Quarterly review (room 4)", Assert.Single(await h.ReadOutlookAsync()).Title);

        // Accepting in Bitrix24 (no new VERSION) turns the tentative copy busy.
        h.Bitrix24.Call("calendar.meeting.status.set", new Dictionary<string, object?> { ["eventId"] = host, ["status"] = "Y" });
        var accepted = await h.RunAsync();
        Assert.True(1 == accepted.Outlook.Updated, SandboxHarness.Describe(accepted));
        Assert.Equal(ShowAs.Busy, Assert.Single(await h.ReadOutlookAsync()).ShowAs);
        await h.AssertQuietAsync();
    }

    [Fact]
    public async Task A_declined_invitation_is_not_copied_and_declining_later_removes_the_copy()
    {
        await using var h = new SandboxHarness(fixture.Host);
        var declined = Invite(h, "Offsite");
        h.Bitrix24.Call("calendar.meeting.status.set", new Dictionary<string, object?> { ["eventId"] = declined, ["status"] = "N" });
        var later = Invite(h, "Retro");
        h.OutlookAdd("Dentist", Wednesday10.AddDays(1));
        await h.RunAsync(InitialMerge.TwoWay);
        Assert.Equal(["Dentist", "Retro"], (await h.ReadOutlookAsync()).Select(e => e.Title).Order());

        h.Bitrix24.Call("calendar.meeting.status.set", new Dictionary<string, object?> { ["eventId"] = later, ["status"] = "N" });
        var run = await h.RunAsync();
        Assert.True(1 == run.Outlook.Deleted && 0 == run.Bitrix24.Writes, SandboxHarness.Describe(run));
        Assert.Equal(["Dentist"], (await h.ReadOutlookAsync()).Select(e => e.Title));
        Assert.NotNull(await HostReadsAsync(h, later));
        await h.AssertQuietAsync();
    }

    [Fact]
    public async Task A_busy_only_copy_of_an_invitation_does_not_name_the_organizer()
    {
        await using var h = new SandboxHarness(fixture.Host, definition: new SyncDefinition { Name = "busy", Mapping = "busy-only" });
        Invite(h);
        var first = await h.RunAsync(InitialMerge.TwoWay);
        Assert.True(1 == first.Outlook.Created, SandboxHarness.Describe(first));
        var copy = Assert.Single(await h.ReadOutlookAsync());
        Assert.DoesNotContain("Colleague", copy.Description + copy.Title);
        await h.AssertQuietAsync();
    }
}
