using System.Globalization;
using CalSync.Engine.Sync;
using CalSync.Integration.Tests.Support;
using Xunit;

namespace CalSync.Integration.Tests.Scenarios;

/// <summary>
/// SCENARIO 26 continued: what owners do to series after they were synced (move, edit, cancel, split, delete one or all),
/// and series that started before the window or never end, on both services.
/// </summary>
public sealed class SeriesLifecycleScenarios(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private static readonly DateTime Monday10 = new(2025, 3, 3, 10, 0, 0);

    private static async Task AssertSameOccurrencesAsync(SandboxHarness h, int? expected = null)
    {
        var a = h.Occurrences(await h.ReadOutlookAsync());
        var b = h.Occurrences(await h.ReadBitrix24Async());
        Assert.True(string.Join("\n", a) == string.Join("\n", b), $"Outlook:\n{string.Join("\n", a)}\nBitrix24:\n{string.Join("\n", b)}");
        if (expected is { } n) Assert.Equal(n, a.Count);
    }

    private static Dictionary<string, object?> Weekly(int? count = 6, string? until = null) => new()
    {
        ["rrule"] = count is null && until is null
            ? new Dictionary<string, object?> { ["FREQ"] = "WEEKLY", ["BYDAY"] = new[] { "MO" } }
            : until is null
                ? new Dictionary<string, object?> { ["FREQ"] = "WEEKLY", ["BYDAY"] = new[] { "MO" }, ["COUNT"] = count }
                : new Dictionary<string, object?> { ["FREQ"] = "WEEKLY", ["BYDAY"] = new[] { "MO" }, ["UNTIL"] = until },
    };

    [Theory]
    [MemberData(nameof(Portals.All), MemberType = typeof(Portals))]
    public async Task OutlookSeriesCopiedAsABitrix24Series_OccurrenceEditsOnEitherSideTravelAsExceptions(string culture, string serverZone)
    {
        await using var h = new SandboxHarness(fixture.Host, culture, serverZone);
        var a1 = h.OutlookAddWeekly("Standup", Monday10, count: 6);
        await h.RunAsync(InitialMerge.TwoWay);
        var b1 = Assert.Single(h.State.Links).Bitrix24Id;
        await AssertSameOccurrencesAsync(h, 6);

        // Bitrix24 owner moves the 10 March occurrence ("this occurrence").
        h.Bitrix24Update(b1, new Dictionary<string, object?>
        {
            ["recurrence_mode"] = "this", ["current_date_from"] = "2025-03-10",
            ["from"] = "2025-03-10 15:00:00", ["to"] = "2025-03-10 16:00:00", ["timezone_from"] = "Europe/Berlin", ["timezone_to"] = "Europe/Berlin",
        });
        var run = await h.RunAsync();
        Assert.True(1 == run.Outlook.Updated && 0 == run.Bitrix24.Writes, SandboxHarness.Describe(run));
        await AssertSameOccurrencesAsync(h, 6);
        await h.AssertQuietAsync();

        // Outlook owner moves the same occurrence again and renames the 24 March one.
        await h.OutlookPatchAsync(await h.OutlookInstanceIdAsync(a1, new DateTime(2025, 3, 10)), """
            {"start":{"dateTime":"2025-03-10T17:00:00","timeZone":"W. Europe Standard Time"},"end":{"dateTime":"2025-03-10T17:30:00","timeZone":"W. Europe Standard Time"}}
            """);
        await h.OutlookPatchAsync(await h.OutlookInstanceIdAsync(a1, new DateTime(2025, 3, 24)), """{"subject":"Standup (demo day)"}""");
        var back = await h.RunAsync();
        Assert.True(0 == back.Failed && 0 == back.Outlook.Writes && back.Bitrix24.Writes >= 1, SandboxHarness.Describe(back));
        Assert.Equal(1, h.Bitrix24Stored.Count(r => r.RecurrenceRule is not null));
        await AssertSameOccurrencesAsync(h, 6);
        await h.AssertQuietAsync(2);

        // The master is renamed on Bitrix24 (no recurrence_mode): the exceptions keep their own content.
        h.Bitrix24Update(b1, new Dictionary<string, object?> { ["name"] = "Daily standup" });
        var rename = await h.RunAsync();
        Assert.True(0 == rename.Failed && 0 == rename.Bitrix24.Writes, SandboxHarness.Describe(rename));
        var titles = h.Occurrences(await h.ReadOutlookAsync()).Select(o => o.Title).ToList();
        Assert.Contains("Standup (demo day)", titles);
        Assert.True(titles.Count(t => t == "Daily standup") >= 4, string.Join(", ", titles));
        await AssertSameOccurrencesAsync(h, 6);
        await h.AssertQuietAsync();

        // "All occurrences" on Bitrix24 copies the new name onto the exceptions too; Outlook follows.
        h.Bitrix24Update(b1, new Dictionary<string, object?> { ["name"] = "Team standup", ["recurrence_mode"] = "all" });
        var renameAll = await h.RunAsync();
        Assert.True(0 == renameAll.Failed && 0 == renameAll.Bitrix24.Writes, SandboxHarness.Describe(renameAll));
        Assert.All(h.Occurrences(await h.ReadOutlookAsync()), o => Assert.Equal("Team standup", o.Title));
        await AssertSameOccurrencesAsync(h, 6);
        await h.AssertQuietAsync();

        // The Outlook owner deletes the series: the Bitrix24 series and its exception rows go.
        await h.OutlookDeleteAsync(a1);
        h.OutlookAdd("Something else", Monday10.AddDays(2)); // keep the side from looking suddenly empty
        var delete = await h.RunAsync();
        Assert.True(1 == delete.Bitrix24.Deleted && 0 == delete.Failed, SandboxHarness.Describe(delete));
        Assert.Equal(new[] { "Something else" }, h.Bitrix24Stored.Select(r => r.Name));
        await h.AssertQuietAsync();
    }

    /// <summary>
    /// recurrence_mode=this gives the new exception the master's reminder (docs/bitrix24-api.md): the connector follows it
    /// with an update of the new row, so one run ends with the right reminder and the run after writes nothing.
    /// </summary>
    [Fact]
    public async Task AnOccurrenceWithAnotherReminderArrivesWithItInOneRun()
    {
        await using var h = new SandboxHarness(fixture.Host);
        var a1 = h.OutlookAddWeekly("Standup", Monday10, count: 4);
        await h.OutlookPatchAsync(a1, """{"isReminderOn":true,"reminderMinutesBeforeStart":15}""");
        await h.RunAsync(InitialMerge.TwoWay);
        var b1 = int.Parse(Assert.Single(h.State.Links).Bitrix24Id, CultureInfo.InvariantCulture);
        Assert.Equal(new[] { new CalSync.Sandbox.Bitrix24.Bitrix24Reminder("min", 15) }, h.Bitrix24Stored.Single(r => r.Id == b1).Reminders);

        await h.OutlookPatchAsync(await h.OutlookInstanceIdAsync(a1, new DateTime(2025, 3, 10)),
            """{"subject":"Standup (demo)","isReminderOn":true,"reminderMinutesBeforeStart":120}""");
        var run = await h.RunAsync();
        Assert.True(0 == run.Failed && 1 == run.Bitrix24.Updated, SandboxHarness.Describe(run));
        var exception = Assert.Single(h.Bitrix24Stored, r => r.RecurrenceId == b1 && !r.Deleted);
        Assert.Equal("Standup (demo)", exception.Name);
        Assert.Equal(120, exception.Reminders.Sum(r => r.Type switch { "hour" => r.Count * 60, "day" => r.Count * 1440, _ => r.Count }));
        Assert.Equal(new[] { new CalSync.Sandbox.Bitrix24.Bitrix24Reminder("min", 15) }, h.Bitrix24Stored.Single(r => r.Id == b1).Reminders);
        await AssertSameOccurrencesAsync(h, 4);
        await h.AssertQuietAsync();
    }

    [Theory]
    [InlineData("en", "UTC")]
    [InlineData("de", "Asia/Kolkata")]
    public async Task Bitrix24SeriesSplitWithNextAndDeletedOnOutlook(string culture, string serverZone)
    {
        await using var h = new SandboxHarness(fixture.Host, culture, serverZone);
        var b1 = h.Bitrix24Add("Sync", Monday10, extra: Weekly(8));
        h.Bitrix24Add("Other", Monday10.AddDays(2));
        await h.RunAsync(InitialMerge.TwoWay);
        await AssertSameOccurrencesAsync(h, 9);

        // "This and following": from 24 March the series moves to 14:00 (Bitrix24 splits it in two).
        h.Bitrix24Update(b1, new Dictionary<string, object?>
        {
            ["recurrence_mode"] = "next", ["current_date_from"] = "2025-03-24",
            ["from"] = "2025-03-24 14:00:00", ["to"] = "2025-03-24 15:00:00", ["timezone_from"] = "Europe/Berlin", ["timezone_to"] = "Europe/Berlin",
        });
        var split = await h.RunAsync();
        Assert.True(0 == split.Failed && 0 == split.Bitrix24.Writes, SandboxHarness.Describe(split));
        await AssertSameOccurrencesAsync(h, 9);
        await h.AssertQuietAsync();

        // The Outlook owner deletes the copy of the first part: the first part goes on Bitrix24, the rest stays.
        var first = h.State.Links.Single(l => l.Bitrix24Id == b1).OutlookId;
        await h.OutlookDeleteAsync(first);
        var delete = await h.RunAsync();
        Assert.True(1 == delete.Bitrix24.Deleted && 0 == delete.Failed, SandboxHarness.Describe(delete));
        await AssertSameOccurrencesAsync(h, 6);
        await h.AssertQuietAsync();
    }

    [Theory]
    [InlineData("en", "UTC")]
    [InlineData("de", "America/Los_Angeles")]
    public async Task SeriesThatStartedBeforeTheWindowOrNeverEnd(string culture, string serverZone)
    {
        await using var h = new SandboxHarness(fixture.Host, culture, serverZone);
        // Both started in December, long before the window (30 days back from 3 March); both never end.
        h.OutlookAdd("Outlook weekly", new DateTime(2024, 12, 2, 9, 0, 0), extra: """
            "recurrence":{"pattern":{"type":"weekly","interval":1,"daysOfWeek":["monday"],"firstDayOfWeek":"sunday"},"range":{"type":"noEnd","startDate":"2024-12-02","recurrenceTimeZone":"W. Europe Standard Time"}}
            """);
        h.Bitrix24Add("Bitrix weekly", new DateTime(2024, 12, 3, 11, 0, 0), extra: new Dictionary<string, object?>
        {
            ["rrule"] = new Dictionary<string, object?> { ["FREQ"] = "WEEKLY", ["BYDAY"] = new[] { "TU" } },
        });
        h.Bitrix24Add("Bitrix until", new DateTime(2024, 12, 4, 8, 0, 0), extra: new Dictionary<string, object?>
        {
            ["rrule"] = new Dictionary<string, object?> { ["FREQ"] = "WEEKLY", ["BYDAY"] = new[] { "WE" }, ["UNTIL"] = "2025-04-30" },
        });
        var run = await h.RunAsync(InitialMerge.TwoWay);
        Assert.True(3 == run.Created && 0 == run.Failed, SandboxHarness.Describe(run));
        Assert.All(h.State.Links, l => Assert.Equal(l.OutlookHash, l.Bitrix24Hash));
        await AssertSameOccurrencesAsync(h);
        await h.AssertQuietAsync(2);

        // Weeks later the window has moved on: still nothing to write.
        h.Now = h.Now.AddDays(45);
        await h.AssertQuietAsync();
        await AssertSameOccurrencesAsync(h);
    }

    [Theory]
    [InlineData("en", "UTC")]
    [InlineData("de", "Asia/Kolkata")]
    public async Task AllDaySeriesBothWays(string culture, string serverZone)
    {
        await using var h = new SandboxHarness(fixture.Host, culture, serverZone);
        h.Graph.SeedEvent("""
            {"subject":"Outlook all-day weekly","isAllDay":true,"start":{"dateTime":"2025-03-05T00:00:00","timeZone":"UTC"},"end":{"dateTime":"2025-03-06T00:00:00","timeZone":"UTC"},
             "recurrence":{"pattern":{"type":"weekly","interval":1,"daysOfWeek":["wednesday"],"firstDayOfWeek":"sunday"},"range":{"type":"numbered","startDate":"2025-03-05","numberOfOccurrences":4}}}
            """);
        h.Bitrix24.SeedEvent(new Dictionary<string, object?>
        {
            ["name"] = "Bitrix all-day weekly", ["from"] = "2025-03-07", ["to"] = "2025-03-07", ["skip_time"] = "Y", ["section"] = h.Bitrix24.DefaultSectionId,
            ["rrule"] = new Dictionary<string, object?> { ["FREQ"] = "WEEKLY", ["BYDAY"] = new[] { "FR" }, ["COUNT"] = 4 },
        });
        var run = await h.RunAsync(InitialMerge.TwoWay);
        Assert.True(2 == run.Created && 0 == run.Failed, SandboxHarness.Describe(run));
        var copy = Assert.Single(h.Bitrix24Stored, r => r.Name == "Outlook all-day weekly");
        Assert.Equal((true, new DateTime(2025, 3, 5), new DateTime(2025, 3, 5)), (copy.AllDay, copy.From, copy.To));
        await AssertSameOccurrencesAsync(h, 8);
        await h.AssertQuietAsync(2);
    }

    [Theory]
    [InlineData("en", "UTC")]
    [InlineData("de", "America/Los_Angeles")]
    public async Task OutlookMasterEditsReachTheBitrix24ExceptionRowsThatInheritThem(string culture, string serverZone)
    {
        await using var h = new SandboxHarness(fixture.Host, culture, serverZone);
        var a1 = h.OutlookAddWeekly("Standup", Monday10, count: 5, location: "Room 1");
        await h.OutlookPatchAsync(await h.OutlookInstanceIdAsync(a1, new DateTime(2025, 3, 17)), """
            {"start":{"dateTime":"2025-03-18T09:00:00","timeZone":"W. Europe Standard Time"},"end":{"dateTime":"2025-03-18T10:00:00","timeZone":"W. Europe Standard Time"}}
            """);
        await h.RunAsync(InitialMerge.TwoWay);
        Assert.Contains(h.Bitrix24Stored, r => r.RecurrenceId is not null);
        await AssertSameOccurrencesAsync(h, 5);

        await h.OutlookPatchAsync(a1, """{"subject":"Team standup","location":{"displayName":"Room 2"}}""");
        var run = await h.RunAsync();
        Assert.True(0 == run.Failed && 0 == run.Outlook.Writes, SandboxHarness.Describe(run));
        var bitrix24 = await h.ReadBitrix24Async();
        Assert.All(h.Occurrences(bitrix24), o => Assert.Equal("Team standup", o.Title));
        Assert.Equal("Room 2", Assert.Single(Assert.Single(bitrix24).Recurrence!.Exceptions).Occurrence.Location);
        await AssertSameOccurrencesAsync(h, 5);
        await h.AssertQuietAsync(2);
    }

    [Fact]
    public async Task Bitrix24OwnerDeletesTheWholeSeriesCopy()
    {
        await using var h = new SandboxHarness(fixture.Host);
        var a1 = h.OutlookAddWeekly("Standup", Monday10, count: 4);
        h.OutlookAdd("Keep", Monday10.AddDays(1));
        await h.RunAsync(InitialMerge.TwoWay);
        var b1 = h.State.Links.Single(l => l.OutlookId == a1).Bitrix24Id;
        h.Bitrix24Delete(b1);
        var run = await h.RunAsync();
        Assert.True(1 == run.Outlook.Deleted && 0 == run.Failed, SandboxHarness.Describe(run));
        Assert.DoesNotContain(h.OutlookStored, e => (string?)e["id"] == a1);
        await AssertSameOccurrencesAsync(h, 1);
        await h.AssertQuietAsync();
    }
}
