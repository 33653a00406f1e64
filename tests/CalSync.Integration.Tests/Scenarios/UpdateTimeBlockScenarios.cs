using System.Globalization;
using CalSync.Engine.Sync;
using CalSync.Integration.Tests.Support;
using Xunit;

namespace CalSync.Integration.Tests.Scenarios;

/// <summary>
/// Issue 16, case 1: Bitrix24 applies defaults to whatever an update leaves out of the time block (docs/bitrix24-api.md,
/// "calendar.event.update"), so a rename on Outlook must still send it: an all-day meeting stays all-day, a meeting in
/// a zone other than the webhook user's (the portal user here is in UTC) stays in its zone at the same instant.
/// </summary>
public sealed class UpdateTimeBlockScenarios(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    [Fact]
    public async Task A_rename_on_Outlook_keeps_an_all_day_meeting_all_day_on_Bitrix24()
    {
        await using var h = new SandboxHarness(fixture.Host);
        var a1 = h.OutlookAddAllDay("Holiday", new DateTime(2025, 3, 7));
        h.OutlookAddAllDay("Conference", new DateTime(2025, 3, 12), days: 2);
        await h.RunAsync(InitialMerge.TwoWay);

        await h.OutlookPatchAsync(a1, """{"subject":"Public holiday"}""");
        var run = await h.RunAsync();
        Assert.Equal(1, run.Bitrix24.Updated);
        var row = Assert.Single(h.Bitrix24Stored, e => e.Name == "Public holiday");
        Assert.True(row.AllDay);
        Assert.Equal(new DateTime(2025, 3, 7), row.From);
        Assert.Equal(new DateTime(2025, 3, 7), row.To);
        await h.AssertQuietAsync();
    }

    [Fact]
    public async Task A_rename_on_Outlook_keeps_a_meeting_in_its_own_zone_at_the_same_instant()
    {
        await using var h = new SandboxHarness(fixture.Host);
        var a1 = h.OutlookAdd("Vendor call", new DateTime(2025, 3, 5, 10, 0, 0), zone: "India Standard Time");
        h.OutlookAdd("Review", new DateTime(2025, 3, 6, 10, 0, 0));
        await h.RunAsync(InitialMerge.TwoWay);

        await h.OutlookPatchAsync(a1, """{"subject":"Vendor call (Bangalore)"}""");
        var run = await h.RunAsync();
        Assert.Equal(1, run.Bitrix24.Updated);
        var row = Assert.Single(h.Bitrix24Stored, e => e.Name == "Vendor call (Bangalore)");
        Assert.False(row.AllDay);
        Assert.Equal(("Asia/Kolkata", "Asia/Kolkata"), (row.TimeZoneFrom, row.TimeZoneTo));
        Assert.Equal(new DateTime(2025, 3, 5, 10, 0, 0), row.From);
        Assert.Equal(new DateTime(2025, 3, 5, 11, 0, 0), row.To);
        await h.AssertQuietAsync();
    }
}
