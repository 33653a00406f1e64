using CalSync.Bitrix24;
using CalSync.Engine.Sides;
using Xunit;

namespace CalSync.Bitrix24.Tests;

public class SectionTests
{
    private static readonly SyncWindow Window = Make.Window(new DateTime(2025, 3, 1), new DateTime(2025, 3, 20));

    [Theory]
    [InlineData("office365")]
    [InlineData("google")]
    public async Task Sections_synced_by_Bitrix24_connectors_are_refused(string externalType)
    {
        await using var portal = await Portal.StartAsync();
        var id = portal.Service.SeedSection("Outlook calendar", externalType);

        var byName = portal.Side(portal.Options(sectionName: "Outlook calendar"));
        var error = await Assert.ThrowsAsync<SideUnavailableException>(() => byName.ReadAsync(Window, null, default));
        Assert.False(error.IsAuthentication);
        Assert.Contains(externalType, error.Message);
        Assert.Contains("connector", error.Message);

        var byId = portal.Side(portal.Options(sectionId: id.ToString()));
        var error2 = await Assert.ThrowsAsync<SideUnavailableException>(() => byId.ReadAsync(Window, null, default));
        Assert.Contains(externalType, error2.Message);
        var writeError = await Assert.ThrowsAsync<SideUnavailableException>(() =>
            portal.Side(portal.Options(sectionName: "Outlook calendar")).WriteAsync(new[] { Make.Create("x", Make.Timed("X", new DateTime(2025, 3, 3, 9, 0, 0), TimeSpan.FromHours(1))) }, new WriteHalt(), default));
        Assert.Contains(externalType, writeError.Message);
        Assert.DoesNotContain(portal.Service.GetEvents(), e => e.Name == "X");
    }

    [Fact]
    public async Task A_dedicated_section_can_be_created_and_is_used_by_name()
    {
        await using var portal = await Portal.StartAsync("de");
        var setup = portal.Side(portal.Options(sectionName: "CalSync"));
        var unknown = await Assert.ThrowsAsync<SideUnavailableException>(() => setup.ReadAsync(Window, null, default));
        Assert.Contains("no calendar named 'CalSync'", unknown.Message);

        var created = await setup.Sections.CreateAsync("CalSync", "#9cbe1c", default);
        Assert.True(created.IsLocal);
        Assert.Contains(portal.Service.GetSections(), s => s.Id.ToString() == created.Id && s.Name == "CalSync");

        var side = portal.Side(portal.Options(sectionName: "calsync"));
        var result = Assert.Single(await side.WriteAsync(new[] { Make.Create("x", Make.Timed("In CalSync", new DateTime(2025, 3, 3, 9, 0, 0), TimeSpan.FromHours(1))) }, new WriteHalt(), default));
        Assert.Equal(created.Id, portal.Service.GetEvents().Single(e => e.Id.ToString() == result.Id).SectionId.ToString());
        // Events of other calendars are not read.
        portal.Service.SeedEvent(new Dictionary<string, object?> { ["name"] = "Elsewhere", ["from"] = "2025-03-05 12:00:00", ["to"] = "2025-03-05 13:00:00", ["timezone_from"] = "UTC", ["section"] = portal.Service.DefaultSectionId });
        Assert.Equal("In CalSync", Assert.Single((await side.ReadAsync(Window, null, default)).Events).Title);
    }
}
