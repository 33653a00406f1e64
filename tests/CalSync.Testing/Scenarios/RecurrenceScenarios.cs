using CalSync.Engine.Model;
using CalSync.Engine.Sync;
using Xunit;
using static CalSync.Testing.Scenarios.Meeting;

namespace CalSync.Testing.Scenarios;

/// <summary>
/// Scenarios 27-28 (all-day meetings, time zones across a DST change), written once for both layers; scenario 26
/// (series and their exceptions) is set up differently per layer (a series value in memory, the services' own instance
/// edits over the stand-ins), so each layer's class holds it.
/// </summary>
public abstract class RecurrenceScenarios : RigScenarios
{
    private static readonly DateTime From = new(2025, 2, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime To = new(2026, 4, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Every occurrence a calendar shows, as (start, end, title), series expanded.</summary>
    protected static async Task<List<(EventTime Start, EventTime End, string Title)>> OccurrencesAsync(ISyncRig rig, Side side) =>
        (await rig.MeetingsAsync(side)).SelectMany(e => e.IsSeries ? RecurrenceExpander.Expand(e, From, To).Select(o => o.Event) : new[] { e })
            .Select(e => (e.Start, e.End, e.Title.Trim())).OrderBy(x => x.Start.SortKeyUtc).ThenBy(x => x.Item3, StringComparer.Ordinal).ToList();

    [Fact]
    public async Task S27_AllDayMeetingKeepsItsDate()
    {
        await using var rig = NewRig();
        await AllDayMeetingKeepsItsDate(rig);
    }

    /// <summary>Returns the ids of the two copies (on Bitrix24, on Outlook).</summary>
    protected static async Task<(string Bitrix24Copy, string OutlookCopy)> AllDayMeetingKeepsItsDate(ISyncRig rig)
    {
        var a1 = rig.Add(Side.Outlook, new Meeting("Conference", new DateTime(2025, 3, 10), Days: 1));
        rig.Add(Side.Bitrix24, new Meeting("Offsite", new DateTime(2025, 3, 12), Days: 1));
        var run = await rig.RunAsync(InitialMerge.TwoWay);
        Assert.Equal(2, run.Created);
        var b1 = Assert.Single(await rig.MeetingsAsync(Side.Bitrix24), e => e.Title == "Conference");
        Assert.True(b1.IsAllDay);
        Assert.Equal(new DateTime(2025, 3, 10), b1.Start.Value);
        Assert.Equal(new DateTime(2025, 3, 11), b1.End.Value);
        var copy = Assert.Single(await rig.MeetingsAsync(Side.Outlook), e => e.Title == "Offsite");
        Assert.True(copy.IsAllDay);
        Assert.Equal(new DateTime(2025, 3, 12), copy.Start.Value);
        Assert.Equal(new DateTime(2025, 3, 13), copy.End.Value);
        Assert.All(rig.State.Links, l => Assert.Equal(l.OutlookHash, l.Bitrix24Hash));
        await rig.AssertQuietAsync();

        await rig.EditAsync(Side.Bitrix24, b1.Id, new Change(Location: "Hall B"));
        var edit = await rig.RunAsync();
        Assert.Equal(1, edit.Outlook.Updated);
        var a = Assert.Single(await rig.MeetingsAsync(Side.Outlook), e => e.Id == a1);
        Assert.True(a.IsAllDay);
        Assert.Equal(new DateTime(2025, 3, 10), a.Start.Value);
        Assert.Equal(new DateTime(2025, 3, 11), a.End.Value);
        Assert.Equal("Hall B", a.Location);
        await rig.AssertQuietAsync();
        return (b1.Id, copy.Id);
    }

    [Fact]
    public async Task S28_WindowsZoneBecomesIanaWithTheSameInstantsAcrossDst()
    {
        await using var rig = NewRig();
        await SameInstantsAcrossDst(rig);
    }

    protected static async Task SameInstantsAcrossDst(ISyncRig rig)
    {
        // 10:00 Berlin every Monday from 17 March: CET (UTC+1) until 30 March, CEST (UTC+2) after.
        rig.Add(Side.Outlook, new Meeting("Standup", new DateTime(2025, 3, 17, 10, 0, 0)) { Weeks = 4 });
        rig.Add(Side.Outlook, new Meeting("Single across DST", new DateTime(2025, 3, 31, 9, 30, 0)));
        var run = await rig.RunAsync(InitialMerge.TwoWay);
        Assert.Equal(2, run.Bitrix24.Created);
        Assert.Equal("Europe/Berlin", Assert.Single(await rig.MeetingsAsync(Side.Outlook), e => e.IsSeries).Start.TimeZone);
        var b1 = Assert.Single(await rig.MeetingsAsync(Side.Bitrix24), e => e.IsSeries);
        Assert.Equal("Europe/Berlin", b1.Start.TimeZone);
        var hours = RecurrenceExpander.Expand(b1, From, To).Select(o => o.Event.Start.Value.Hour).ToArray();
        Assert.Equal(new[] { 9, 9, 8, 8 }, hours);
        var outlook = await OccurrencesAsync(rig, Side.Outlook);
        Assert.Equal(outlook, await OccurrencesAsync(rig, Side.Bitrix24));
        Assert.Equal(5, outlook.Count);
        Assert.All(rig.State.Links, l => Assert.Equal(l.OutlookHash, l.Bitrix24Hash));
        await rig.AssertQuietAsync(2);
    }
}
