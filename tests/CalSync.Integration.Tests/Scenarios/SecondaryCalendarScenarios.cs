using CalSync.Engine.Sync;
using CalSync.Integration.Tests.Support;
using Xunit;

namespace CalSync.Integration.Tests.Scenarios;

/// <summary>
/// Issue 17: a secondary Outlook calendar syncs through the engine, the real Graph SDK and the stand-in, with delta on
/// it allowed and refused (docs/graph-api.md, "Delta on a secondary calendar"): creates, edits, deletions and a move out
/// of the window travel the same way, the default calendar stays out of it, and an unchanged calendar stays quiet.
/// </summary>
public sealed class SecondaryCalendarScenarios(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private static readonly DateTime Monday10 = new(2025, 3, 3, 10, 0, 0);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_secondary_calendar_syncs_both_ways(bool deltaRefused)
    {
        await using var h = new SandboxHarness(fixture.Host);
        await h.GraphSendAsync(HttpMethod.Post, "me/calendars", """{"name":"Work"}""");
        var work = h.Graph.GetCalendars().Single(c => c.Name == "Work").Id;
        h.Graph.RefuseSecondaryCalendarDelta = deltaRefused;
        h.OutlookOptions = h.OutlookOptions with { CalendarId = work };
        var dentist = h.OutlookAdd("Dentist", Monday10.AddDays(1), calendarId: work);
        var review = h.OutlookAdd("Review", Monday10.AddDays(2), calendarId: work);
        h.OutlookAdd("Private, in the default calendar", Monday10.AddDays(1));
        var planning = h.Bitrix24Add("Planning", Monday10.AddDays(3));

        var first = await h.RunAsync(InitialMerge.TwoWay);
        Assert.True(2 == first.Bitrix24.Created && 1 == first.Outlook.Created, SandboxHarness.Describe(first));
        var deltaRequests = h.Graph.Journal.Requests.Where(r => r.PathAndQuery.Contains("/delta", StringComparison.Ordinal)).ToList();
        if (deltaRefused) Assert.Single(deltaRequests); // asked once, refused
        else Assert.NotEmpty(deltaRequests);
        Assert.Equal(["Dentist", "Planning", "Review"], h.Bitrix24Stored.Select(e => e.Name).Order());
        Assert.Equal(["Dentist", "Planning", "Review"], (await h.ReadOutlookAsync()).Select(e => e.Title).Order()); // the copy is in Work (a read of its own, no cursor)
        h.Graph.Journal.Clear();
        await h.AssertQuietAsync();
        if (deltaRefused) Assert.DoesNotContain(h.Graph.Journal.Requests, r => r.PathAndQuery.Contains("/delta", StringComparison.Ordinal));
        else Assert.Contains(h.Graph.Journal.Requests, r => r.PathAndQuery.Contains("$deltatoken", StringComparison.Ordinal));

        // An edit and a move out of the window in Outlook, a deletion in Bitrix24.
        await h.OutlookPatchAsync(dentist, """{"subject":"Dentist (moved room)"}""");
        var far = Monday10.AddDays(400);
        await h.OutlookPatchAsync(review, $$$"""{"start":{"dateTime":"{{{SandboxHarness.GraphTime(far)}}}","timeZone":"W. Europe Standard Time"},"end":{"dateTime":"{{{SandboxHarness.GraphTime(far.AddHours(1))}}}","timeZone":"W. Europe Standard Time"}}""");
        h.Bitrix24Delete(planning);
        var changed = await h.RunAsync();
        Assert.True(1 == changed.Outlook.Deleted && 0 == changed.Bitrix24.Deleted, SandboxHarness.Describe(changed));
        Assert.Contains(h.Bitrix24Stored, e => e.Name == "Dentist (moved room)");
        Assert.Contains(h.Bitrix24Stored, e => e.Name == "Review"); // moved out of the window: not deleted
        Assert.Equal(["Dentist (moved room)"], (await h.ReadOutlookAsync()).Select(e => e.Title));
        Assert.Contains(h.OutlookStored, e => (string?)e["subject"] == "Private, in the default calendar");
        await h.AssertQuietAsync();
        Assert.Equal(2, h.Bitrix24Stored.Count);
    }
}
