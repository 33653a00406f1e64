using System.Globalization;
using CalSync.Engine.Model;
using CalSync.Engine.Sync;
using CalSync.Integration.Tests.Support;
using CalSync.Testing.Scenarios;
using Xunit;

namespace CalSync.Integration.Tests.Scenarios;

/// <summary>
/// docs/scenarios.md 26-28 through both real connectors and the sandbox; here scenario 26 (series edited through the
/// services' own instances), and 27-28 under every Bitrix24 portal set-up with the rows stored.
/// </summary>
public sealed class RecurrenceScenarios(SandboxFixture fixture) : Testing.Scenarios.RecurrenceScenarios, IClassFixture<SandboxFixture>
{
    protected override ISyncRig NewRig(SyncDefinition? definition = null) => new SandboxRig(fixture.Host, definition: definition);

    private static readonly DateTime Monday10 = new(2025, 3, 3, 10, 0, 0);

    private static string Dump(IEnumerable<(DateTime Start, DateTime End, string Title)> occurrences) =>
        string.Join("\n", occurrences.Select(o => $"{o.Start:yyyy-MM-dd HH:mm}Z-{o.End:HH:mm}Z {o.Title}"));

    private static async Task AssertSameOccurrencesAsync(SandboxHarness h, int expected)
    {
        var a = h.Occurrences(await h.ReadOutlookAsync());
        var b = h.Occurrences(await h.ReadBitrix24Async());
        Assert.True(Dump(a) == Dump(b), $"Outlook:\n{Dump(a)}\nBitrix24:\n{Dump(b)}");
        Assert.Equal(expected, a.Count);
    }

    /// <summary>Weekly Monday 10:00 Berlin from 3 March, six times; 10 March moved to Tuesday 11 March 14:00 and renamed; 17 March cancelled.</summary>
    private static async Task<string> OutlookSeriesWithMovedAndCancelledAsync(SandboxHarness h, bool cancel = true)
    {
        var a1 = h.OutlookAddWeekly("Standup", Monday10, count: 6);
        var moved = await h.OutlookInstanceIdAsync(a1, new DateTime(2025, 3, 10));
        await h.OutlookPatchAsync(moved, """
            {"subject":"Standup (moved)","start":{"dateTime":"2025-03-11T14:00:00","timeZone":"W. Europe Standard Time"},"end":{"dateTime":"2025-03-11T15:00:00","timeZone":"W. Europe Standard Time"}}
            """);
        if (cancel) await h.OutlookDeleteAsync(await h.OutlookInstanceIdAsync(a1, new DateTime(2025, 3, 17)));
        return a1;
    }

    [Theory]
    [MemberData(nameof(Portals.All), MemberType = typeof(Portals))]
    public async Task S26_OutlookSeriesWithMovedAndCancelledOccurrence_BecomesExactSingleEventsOnBitrix24(string culture, string serverZone)
    {
        await using var h = new SandboxHarness(fixture.Host, culture, serverZone);
        var a1 = await OutlookSeriesWithMovedAndCancelledAsync(h);
        var run = await h.RunAsync(InitialMerge.TwoWay);
        Assert.True(5 == run.Bitrix24.Created, SandboxHarness.Describe(run));

        var rows = h.Bitrix24Stored;
        Assert.Equal(5, rows.Count);
        Assert.All(rows, r => Assert.Null(r.RecurrenceRule));
        Assert.Contains(rows, r => r.Name == "Standup (moved)" && r.From == new DateTime(2025, 3, 11, 14, 0, 0) && r.TimeZoneFrom == "Europe/Berlin");
        Assert.DoesNotContain(rows, r => r.From.Date == new DateTime(2025, 3, 17));
        await AssertSameOccurrencesAsync(h, 5);
        await h.AssertQuietAsync(2);

        // Deleting one of those single events on Bitrix24 cancels that occurrence on Outlook; the series stays.
        var single = rows.Single(r => r.From.Date == new DateTime(2025, 3, 24));
        h.Bitrix24Delete(single.Id.ToString(CultureInfo.InvariantCulture));
        var delete = await h.RunAsync();
        Assert.True(1 == delete.Outlook.Deleted, SandboxHarness.Describe(delete));
        var series = Assert.Single(h.OutlookStored);
        Assert.Equal(a1, (string?)series["id"]);
        Assert.Contains(new DateTime(2025, 3, 24), Assert.Single(await h.ReadOutlookAsync()).Recurrence!.Cancelled);
        await AssertSameOccurrencesAsync(h, 4);
        await h.AssertQuietAsync();
    }

    [Theory]
    [InlineData("en", "UTC")]
    [InlineData("de", "Asia/Kolkata")]
    public async Task S26_OutlookSeriesWithAMovedOccurrenceStaysASeriesOnBitrix24(string culture, string serverZone)
    {
        await using var h = new SandboxHarness(fixture.Host, culture, serverZone);
        await OutlookSeriesWithMovedAndCancelledAsync(h, cancel: false);
        var run = await h.RunAsync(InitialMerge.TwoWay);
        Assert.True(1 == run.Bitrix24.Created, SandboxHarness.Describe(run));
        var master = Assert.Single(h.Bitrix24Stored, r => r.RecurrenceRule is not null);
        Assert.Equal(("WEEKLY", 6), (master.RecurrenceRule!.Frequency, master.RecurrenceRule.Count));
        Assert.Contains(h.Bitrix24Stored, r => r.RecurrenceId == master.Id && r.Name == "Standup (moved)");
        await AssertSameOccurrencesAsync(h, 6);
        await h.AssertQuietAsync(2);
    }

    [Fact]
    public async Task S26_CancellingAnOccurrenceLaterReplacesTheBitrix24SeriesWithSingleEvents()
    {
        await using var h = new SandboxHarness(fixture.Host);
        var a1 = h.OutlookAddWeekly("Standup", Monday10, count: 6);
        await h.RunAsync(InitialMerge.TwoWay);
        Assert.NotNull(Assert.Single(h.Bitrix24Stored).RecurrenceRule);
        await AssertSameOccurrencesAsync(h, 6);

        await h.OutlookDeleteAsync(await h.OutlookInstanceIdAsync(a1, new DateTime(2025, 3, 17)));
        var run = await h.RunAsync();
        Assert.True(1 == run.Bitrix24.Deleted && 5 == run.Bitrix24.Created, SandboxHarness.Describe(run));
        Assert.All(h.Bitrix24Stored, r => Assert.Null(r.RecurrenceRule));
        await AssertSameOccurrencesAsync(h, 5);
        await h.AssertQuietAsync(2);
    }

    [Theory]
    [MemberData(nameof(Portals.All), MemberType = typeof(Portals))]
    public async Task S26_Mirror_Bitrix24SeriesWithAnExceptionGivesTheSameOccurrencesOnOutlook(string culture, string serverZone)
    {
        await using var h = new SandboxHarness(fixture.Host, culture, serverZone);
        var b1 = h.Bitrix24Add("Standup", Monday10, extra: new Dictionary<string, object?>
        {
            ["rrule"] = new Dictionary<string, object?> { ["FREQ"] = "WEEKLY", ["BYDAY"] = new[] { "MO" }, ["COUNT"] = 6 },
        });
        h.Bitrix24Update(b1, new Dictionary<string, object?>
        {
            ["recurrence_mode"] = "this", ["current_date_from"] = "2025-03-24",
            ["from"] = "2025-03-25 09:00:00", ["to"] = "2025-03-25 10:00:00", ["timezone_from"] = "Europe/Berlin", ["timezone_to"] = "Europe/Berlin",
            ["name"] = "Standup (moved)",
        });
        h.Bitrix24.ExcludeOccurrence(int.Parse(b1, CultureInfo.InvariantCulture), new DateOnly(2025, 3, 17));

        var run = await h.RunAsync(InitialMerge.TwoWay);
        Assert.True(1 == run.Outlook.Created, SandboxHarness.Describe(run));
        var series = Assert.Single(await h.ReadOutlookAsync());
        Assert.True(series.IsSeries);
        Assert.Equal(new[] { new DateTime(2025, 3, 17) }, series.Recurrence!.Cancelled);
        Assert.Equal("Standup (moved)", Assert.Single(series.Recurrence.Exceptions).Occurrence.Title);
        await AssertSameOccurrencesAsync(h, 5);
        await h.AssertQuietAsync(2);

        // The owner moves another occurrence on Bitrix24: Outlook gets a second exception, nothing else changes.
        h.Bitrix24Update(b1, new Dictionary<string, object?>
        {
            ["recurrence_mode"] = "this", ["current_date_from"] = "2025-03-31",
            ["from"] = "2025-03-31 11:00:00", ["to"] = "2025-03-31 12:00:00", ["timezone_from"] = "Europe/Berlin", ["timezone_to"] = "Europe/Berlin",
        });
        var edit = await h.RunAsync();
        Assert.True(1 == edit.Outlook.Updated && 0 == edit.Bitrix24.Writes, SandboxHarness.Describe(edit));
        await AssertSameOccurrencesAsync(h, 5);
        await h.AssertQuietAsync();
    }

    [Fact]
    public async Task S26_Mirror_RenamingTheOutlookCopyOfABitrix24SeriesWithACancellation_KeepsTheOccurrencesOneToOne()
    {
        await using var h = new SandboxHarness(fixture.Host);
        var b1 = h.Bitrix24Add("Standup", Monday10, extra: new Dictionary<string, object?>
        {
            ["rrule"] = new Dictionary<string, object?> { ["FREQ"] = "WEEKLY", ["BYDAY"] = new[] { "MO" }, ["COUNT"] = 6 },
        });
        h.Bitrix24.ExcludeOccurrence(int.Parse(b1, CultureInfo.InvariantCulture), new DateOnly(2025, 3, 17));
        await h.RunAsync(InitialMerge.TwoWay);
        var a1 = (string)Assert.Single(h.OutlookStored)["id"]!;
        await h.AssertQuietAsync();

        // Bitrix24's REST API cannot cancel one occurrence, so the renamed series now travels as single events.
        await h.OutlookPatchAsync(a1, """{"subject":"Standup v2"}""");
        var run = await h.RunAsync();
        Assert.True(run.Failed == 0, SandboxHarness.Describe(run));
        var outlook = h.Occurrences(await h.ReadOutlookAsync());
        Assert.All(outlook, o => Assert.Equal("Standup v2", o.Title));
        await AssertSameOccurrencesAsync(h, 5);
        h.AssertLinksOneToOne();
        await h.AssertQuietAsync(2);
        await AssertSameOccurrencesAsync(h, 5);
    }

    [Fact]
    public async Task S26_RelativeMonthlySeriesTravelsAsSingleEventsAndEditsComeBackAsExceptions()
    {
        await using var h = new SandboxHarness(fixture.Host);
        var a1 = h.OutlookAdd("Board", new DateTime(2025, 3, 4, 15, 0, 0), extra: """
            "recurrence":{"pattern":{"type":"relativeMonthly","interval":1,"daysOfWeek":["tuesday"],"index":"first"},
              "range":{"type":"numbered","startDate":"2025-03-04","numberOfOccurrences":4,"recurrenceTimeZone":"W. Europe Standard Time"}}
            """);
        var run = await h.RunAsync(InitialMerge.TwoWay);
        Assert.True(4 == run.Bitrix24.Created, SandboxHarness.Describe(run));
        Assert.All(h.Bitrix24Stored, r => Assert.Null(r.RecurrenceRule));
        await AssertSameOccurrencesAsync(h, 4);
        await h.AssertQuietAsync();

        var april = h.Bitrix24Stored.Single(r => r.From.Month == 4);
        h.Bitrix24Update(april.Id.ToString(CultureInfo.InvariantCulture), new Dictionary<string, object?> { ["location"] = "Room 9" });
        var edit = await h.RunAsync();
        Assert.True(1 == edit.Outlook.Updated, SandboxHarness.Describe(edit));
        var exception = Assert.Single(Assert.Single(await h.ReadOutlookAsync()).Recurrence!.Exceptions);
        Assert.Equal("Room 9", exception.Occurrence.Location);
        await AssertSameOccurrencesAsync(h, 4);
        await h.AssertQuietAsync(2);
        Assert.Equal(a1, (string?)Assert.Single(h.OutlookStored)["id"]);
    }

    [Theory]
    [MemberData(nameof(Portals.All), MemberType = typeof(Portals))]
    public async Task S27_AllDayMeetingKeepsItsDate_InEveryPortal(string culture, string serverZone)
    {
        await using var rig = new SandboxRig(fixture.Host, culture, serverZone);
        var (bitrix24Copy, outlookCopy) = await AllDayMeetingKeepsItsDate(rig);
        var b1 = Assert.Single(rig.H.Bitrix24Stored, r => r.Id.ToString(CultureInfo.InvariantCulture) == bitrix24Copy);
        Assert.True(b1.AllDay);
        Assert.Equal(new DateTime(2025, 3, 10), b1.From);
        Assert.Equal(new DateTime(2025, 3, 10), b1.To); // Bitrix24's end date is inclusive: one day
        var copy = Assert.Single(rig.H.OutlookStored, e => (string?)e["id"] == outlookCopy);
        Assert.True((bool)copy["isAllDay"]!);
        Assert.StartsWith("2025-03-12T00:00:00", (string)copy["start"]!["dateTime"]!);
        Assert.StartsWith("2025-03-13T00:00:00", (string)copy["end"]!["dateTime"]!);
    }

    [Theory]
    [MemberData(nameof(Portals.All), MemberType = typeof(Portals))]
    public async Task S28_WindowsZoneBecomesIanaWithTheSameInstantsAcrossDst_InEveryPortal(string culture, string serverZone)
    {
        await using var rig = new SandboxRig(fixture.Host, culture, serverZone);
        await SameInstantsAcrossDst(rig);
        var master = Assert.Single(rig.H.Bitrix24Stored, r => r.RecurrenceRule is not null);
        Assert.Equal(("Europe/Berlin", "Europe/Berlin"), (master.TimeZoneFrom, master.TimeZoneTo));
        Assert.Equal(new DateTime(2025, 3, 17, 10, 0, 0), master.From);
        await AssertSameOccurrencesAsync(rig.H, 5);
    }
}
