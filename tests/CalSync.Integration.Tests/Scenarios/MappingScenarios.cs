using System.Globalization;
using CalSync.Engine.Model;
using CalSync.Engine.Sync;
using CalSync.Integration.Tests.Support;
using CalSync.Testing.Scenarios;
using Xunit;

namespace CalSync.Integration.Tests.Scenarios;

/// <summary>
/// docs/scenarios.md 21-25 through both real connectors and the sandbox; here also the busy block under every Bitrix24
/// portal set-up, the rows stored and the requests sent.
/// </summary>
public sealed class MappingScenarios(SandboxFixture fixture) : Testing.Scenarios.MappingScenarios, IClassFixture<SandboxFixture>
{
    protected override ISyncRig NewRig(SyncDefinition? definition = null) => new SandboxRig(fixture.Host, definition: definition);

    private static readonly string[] RequestText = { "Therapy", "Dr X", "Praxis Mitte", "Bring the referral", "anna@example.com", "Anna Berg", "bob@example.com", "carol@example.com", "Carol", "Health" };

    [Theory]
    [MemberData(nameof(Portals.All), MemberType = typeof(Portals))]
    public async Task S21_BusyOnlyOneWay_CopyCarriesTimeAndPrivacyOnly_InEveryPortal(string culture, string serverZone)
    {
        await using var rig = new SandboxRig(fixture.Host, culture, serverZone, BusyOnly());
        await CopyCarriesTimeAndPrivacyOnly(rig);
        var b1 = Assert.Single(rig.H.Bitrix24Stored);
        Assert.Equal("Busy", b1.Name);
        Assert.Equal(new DateTime(2025, 3, 3, 14, 0, 0), b1.From);
        Assert.Equal(new DateTime(2025, 3, 3, 15, 0, 0), b1.To);
        Assert.Equal(("Europe/Berlin", "Europe/Berlin"), (b1.TimeZoneFrom, b1.TimeZoneTo));
        Assert.Equal("busy", b1.Accessibility);
        Assert.True(b1.Private);
        Assert.Equal("", b1.Description);
        Assert.Equal("", b1.Location);
        Assert.False(b1.IsMeeting);
        Assert.Empty(b1.Reminders);
        // No request sent to Bitrix24 (reads included) carries any of the source's text.
        foreach (var request in rig.H.Bitrix24.Journal.Requests)
            foreach (var text in RequestText)
            {
                Assert.DoesNotContain(text, request.Body);
                Assert.DoesNotContain(Uri.EscapeDataString(text), request.PathAndQuery);
            }
        Assert.Equal(0, rig.H.GraphWrites);
    }

    [Theory]
    [InlineData(ShowAs.Tentative, ShowAs.Tentative, "quest")]
    [InlineData(ShowAs.Oof, ShowAs.Oof, "absent")]
    [InlineData(ShowAs.Busy, ShowAs.Busy, "busy")]
    [InlineData(ShowAs.WorkingElsewhere, ShowAs.Busy, "busy")]
    public async Task S22_BusyOnly_ShowAsTranslation_StoredAccessibility(ShowAs outlook, ShowAs bitrix24, string accessibility)
    {
        await using var rig = new SandboxRig(fixture.Host, definition: BusyOnly());
        var copy = await ShowAsTranslated(rig, outlook, bitrix24);
        Assert.Equal(accessibility, Assert.Single(rig.H.Bitrix24Stored, e => e.Id.ToString(CultureInfo.InvariantCulture) == copy).Accessibility);
    }

    /// <summary>Issue 15, case 1: moving the busy block on Bitrix24 moves the Outlook original and sends nothing else.</summary>
    [Fact]
    public async Task BusyOnlyTwoWay_MovingTheCopySendsOnlyTheNewTimesToTheOriginal()
    {
        await using var rig = new SandboxRig(fixture.Host, definition: BusyOnly(oneWay: false));
        var h = rig.H;
        var original = rig.Add(Side.Outlook, Therapy());
        await h.RunAsync(InitialMerge.TwoWay);
        var copy = Assert.Single(h.Bitrix24Stored);
        Assert.Equal("Busy", copy.Name);

        h.Bitrix24Move(copy.Id.ToString(CultureInfo.InvariantCulture), new DateTime(2025, 3, 3, 16, 0, 0));
        h.Graph.Journal.Clear();
        var run = await h.RunAsync();
        Assert.Equal(1, run.Outlook.Updated);
        var patch = Assert.Single(h.Graph.Journal.Requests, r => r.IsWrite);
        foreach (var field in new[] { "subject", "body", "location", "isReminderOn", "categories", "attendees", "sensitivity" })
            Assert.DoesNotContain($"\"{field}\"", patch.Body);
        Assert.Contains("\"start\"", patch.Body);
        var stored = Assert.Single(h.OutlookStored, e => (string?)e["id"] == original);
        Assert.Equal("Therapy – Dr X", (string?)stored["subject"]);
        Assert.Contains("Bring the referral", (string?)stored["body"]?["content"]);
        var start = DateTime.Parse((string)stored["start"]!["dateTime"]!, CultureInfo.InvariantCulture);
        var zone = TimeZoneInfo.FindSystemTimeZoneById((string)stored["start"]!["timeZone"]!);
        Assert.Equal(new DateTime(2025, 3, 3, 15, 0, 0), TimeZoneInfo.ConvertTimeToUtc(start, zone)); // 16:00 in Berlin
        await h.AssertQuietAsync(2);
    }
}
