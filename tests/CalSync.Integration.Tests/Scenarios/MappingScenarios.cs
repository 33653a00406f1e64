using System.Globalization;
using CalSync.Engine.Sync;
using CalSync.Integration.Tests.Support;
using Xunit;

namespace CalSync.Integration.Tests.Scenarios;

/// <summary>docs/scenarios.md 21-25 through both real connectors and the sandbox: busy-only mappings, filters, the window.</summary>
public sealed class MappingScenarios(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private static readonly DateTime Monday10 = new(2025, 3, 3, 10, 0, 0);
    private static readonly string[] SourceText = { "Therapy", "Dr X", "Praxis Mitte", "Bring the referral", "anna@example.com", "Anna Berg", "bob@example.com", "carol@example.com", "Carol", "Health" };

    private static string Therapy(SandboxHarness h, string showAs = "busy") =>
        h.OutlookAdd("Therapy – Dr X", new DateTime(2025, 3, 3, 14, 0, 0), zone: "Europe/Berlin", location: "Praxis Mitte", body: "Bring the referral", extra: $$$"""
            "sensitivity":"private","showAs":"{{{showAs}}}","isReminderOn":true,"reminderMinutesBeforeStart":15,"categories":["Health"],
            "attendees":[{"type":"required","emailAddress":{"name":"Anna Berg","address":"anna@example.com"}},
                         {"type":"required","emailAddress":{"name":"Bob","address":"bob@example.com"}},
                         {"type":"optional","emailAddress":{"name":"Carol","address":"carol@example.com"}}]
            """);

    [Theory]
    [MemberData(nameof(Portals.All), MemberType = typeof(Portals))]
    public async Task S21_BusyOnlyOneWay_CopyCarriesTimeAndPrivacyOnly(string culture, string serverZone)
    {
        await using var h = new SandboxHarness(fixture.Host, culture, serverZone, new SyncDefinition { Name = "busy", Mapping = "busy-only-one-way" });
        Therapy(h);
        var run = await h.RunAsync(InitialMerge.TwoWay);
        Assert.Equal(SyncDirection.OutlookToBitrix24, run.Direction);
        var b1 = Assert.Single(h.Bitrix24Stored);
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
        var read = Assert.Single(await h.ReadBitrix24Async());
        Assert.Empty(read.Attendees);
        Assert.Equal(new DateTime(2025, 3, 3, 13, 0, 0, DateTimeKind.Utc), read.Start.Value);
        // No request sent to Bitrix24 (reads included) carries any of the source's text.
        foreach (var request in h.Bitrix24.Journal.Requests)
            foreach (var text in SourceText)
            {
                Assert.DoesNotContain(text, request.Body);
                Assert.DoesNotContain(Uri.EscapeDataString(text), request.PathAndQuery);
            }
        Assert.Equal(0, h.GraphWrites);
        await h.AssertQuietAsync(2);
    }

    [Theory]
    [InlineData("tentative", "quest")]
    [InlineData("oof", "absent")]
    [InlineData("busy", "busy")]
    [InlineData("workingElsewhere", "busy")]
    public async Task S22_BusyOnly_ShowAsTranslation(string outlook, string bitrix24)
    {
        await using var h = new SandboxHarness(fixture.Host, definition: new SyncDefinition { Name = "busy", Mapping = "busy-only-one-way" });
        Therapy(h, outlook);
        await h.RunAsync(InitialMerge.TwoWay);
        Assert.Equal(bitrix24, Assert.Single(h.Bitrix24Stored).Accessibility);
        await h.AssertQuietAsync();
    }

    [Fact]
    public async Task S22_BusyOnly_FreeIsNotSyncedAndAnExistingCopyIsRemoved()
    {
        await using var h = new SandboxHarness(fixture.Host, definition: new SyncDefinition { Name = "busy", Mapping = "busy-only-one-way" });
        h.OutlookAdd("Lunch", Monday10, extra: "\"showAs\":\"free\"");
        var a2 = h.OutlookAdd("Call", Monday10.AddDays(1));
        h.OutlookAdd("Other", Monday10.AddDays(6));
        await h.RunAsync(InitialMerge.TwoWay);
        Assert.Equal(2, h.Bitrix24Stored.Count);
        await h.OutlookPatchAsync(a2, """{"showAs":"free"}""");
        var run = await h.RunAsync();
        Assert.Equal(1, run.Bitrix24.Deleted);
        Assert.Single(h.Bitrix24Stored);
        await h.AssertQuietAsync();
    }

    [Fact]
    public async Task S23_BusyOnlyTwoWay_NeverCopiesAPlaceholderBack()
    {
        await using var h = new SandboxHarness(fixture.Host, definition: new SyncDefinition { Name = "busy", Mapping = "busy-only" });
        Therapy(h);
        h.Bitrix24Add("Board meeting", Monday10.AddDays(2), description: "Budget");
        await h.RunAsync(InitialMerge.TwoWay);
        Assert.Equal(2, h.OutlookStored.Count);
        Assert.Equal(2, h.Bitrix24Stored.Count);
        Assert.Contains(h.OutlookStored, e => (string?)e["subject"] == "Busy");
        Assert.Contains(h.Bitrix24Stored, e => e.Name == "Busy");
        Assert.DoesNotContain(h.OutlookStored, e => (string?)e["subject"] == "Board meeting" || ((string?)e["body"]?["content"] ?? "").Contains("Budget"));
        await h.AssertQuietAsync(3);
        Assert.Equal(2, h.OutlookStored.Count);
        Assert.Equal(2, h.Bitrix24Stored.Count);
    }

    /// <summary>Issue 15, case 1: moving the busy block on Bitrix24 moves the Outlook original and sends nothing else.</summary>
    [Fact]
    public async Task BusyOnlyTwoWay_MovingTheCopySendsOnlyTheNewTimesToTheOriginal()
    {
        await using var h = new SandboxHarness(fixture.Host, definition: new SyncDefinition { Name = "busy", Mapping = "busy-only" });
        var original = Therapy(h);
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

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task S24_FilteredMeetingsAreLeftOutAndAMatchingLinkedOneIsRemovedFromTheSync(bool allowDelete)
    {
        await using var h = new SandboxHarness(fixture.Host);
        h.Definition = new SyncDefinition { Name = "work", Mapping = CalSync.Testing.MappingFiles.ExcludingPrivateAndNoSync(h.Root), AllowDelete = allowDelete };
        var a1 = h.OutlookAdd("Planning", Monday10);
        h.OutlookAdd("Review", Monday10.AddDays(9));
        h.OutlookAdd("Doctor", Monday10.AddDays(2), extra: "\"categories\":[\"Private\"]");
        h.OutlookAdd("Party #nosync", Monday10.AddDays(3));
        var first = await h.RunAsync(InitialMerge.TwoWay);
        Assert.Equal(2, first.Bitrix24.Created);
        Assert.Equal(2, h.Bitrix24Stored.Count);
        var b1 = h.State.Links.Single(l => l.OutlookId == a1).Bitrix24Id;

        var graphWrites = h.GraphWrites;
        await h.OutlookPatchAsync(a1, """{"subject":"Planning #nosync"}""");
        graphWrites = h.GraphWrites;
        var run = await h.RunAsync();
        Assert.Equal(allowDelete, !h.Bitrix24Stored.Any(e => e.Id.ToString(CultureInfo.InvariantCulture) == b1));
        Assert.Equal(allowDelete ? 1 : 0, run.Bitrix24.Deleted);
        Assert.DoesNotContain(h.State.Links, l => l.OutlookId == a1);
        await h.AssertQuietAsync(2);
        Assert.Equal(graphWrites, h.GraphWrites);
        Assert.Equal(4, h.OutlookStored.Count);
    }

    [Fact]
    public async Task S25_PairThatAgesOutOfTheWindowIsUnlinkedWithoutDeletes()
    {
        await using var h = new SandboxHarness(fixture.Host, definition: new SyncDefinition { Name = "work", WindowPastDays = 30, WindowFutureDays = 365 });
        h.OutlookAdd("Old one", Monday10);
        h.OutlookAddAllDay("Later", new DateTime(2025, 9, 1));
        await h.RunAsync(InitialMerge.TwoWay);
        Assert.Equal(2, h.State.Links.Count);
        h.Now = h.Now.AddDays(40);
        var run = await h.RunAsync();
        Assert.True(0 == run.Writes, SandboxHarness.Describe(run));
        Assert.Single(h.State.Links);
        Assert.Contains(run.Items, i => i.Action == ItemAction.Unlink && i.Reason.Contains("window"));
        Assert.Equal(2, h.Bitrix24Stored.Count);
        Assert.Equal(2, h.OutlookStored.Count);
        await h.AssertQuietAsync();
    }
}
