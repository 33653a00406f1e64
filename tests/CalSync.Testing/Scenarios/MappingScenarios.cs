using System.Text.Json;
using CalSync.Engine.Model;
using CalSync.Engine.Sync;
using Xunit;
using static CalSync.Testing.Scenarios.Meeting;

namespace CalSync.Testing.Scenarios;

/// <summary>
/// Scenarios 21-25 (busy-only mappings, filters, the window), written once for both layers; the layers' classes hold
/// what only one layer can show (projection hashes, requests sent, stored rows).
/// </summary>
public abstract class MappingScenarios : RigScenarios
{
    /// <summary>Every piece of the therapy meeting's text: none of it may reach a busy-only copy.</summary>
    protected static readonly string[] SourceText = { "Therapy", "Dr X", "Praxis Mitte", "Bring the referral", "anna@example.com", "Anna Berg", "bob@example.com", "Bob", "carol@example.com", "Carol", "Health" };

    protected static Meeting Therapy(ShowAs showAs = ShowAs.Busy) =>
        new Meeting("Therapy – Dr X", Monday10.AddHours(4), Location: "Praxis Mitte", Body: "Bring the referral", ReminderMinutes: 15)
        {
            ShowAs = showAs,
            Sensitivity = Sensitivity.Private,
            Categories = ["Health"],
            Attendees = [new Attendee("Anna Berg", "anna@example.com"), new Attendee("Bob", "bob@example.com"), new Attendee("Carol", "carol@example.com", Required: false)],
        };

    protected static SyncDefinition BusyOnly(bool oneWay = true) => new() { Name = "busy", Mapping = oneWay ? "busy-only-one-way" : "busy-only" };

    [Fact]
    public async Task S21_BusyOnlyOneWay_CopyCarriesTimeAndPrivacyOnly()
    {
        await using var rig = NewRig(BusyOnly());
        await CopyCarriesTimeAndPrivacyOnly(rig);
    }

    protected static async Task CopyCarriesTimeAndPrivacyOnly(ISyncRig rig)
    {
        var a1 = rig.Add(Side.Outlook, Therapy());
        var run = await rig.RunAsync(InitialMerge.TwoWay);
        Assert.Equal(SyncDirection.OutlookToBitrix24, run.Direction);
        var a = Assert.Single(await rig.MeetingsAsync(Side.Outlook), e => e.Id == a1);
        var b1 = Assert.Single(await rig.MeetingsAsync(Side.Bitrix24));
        Assert.Equal("Busy", b1.Title);
        Assert.Equal(a.Start, b1.Start);
        Assert.Equal(a.End, b1.End);
        Assert.Equal("Europe/Berlin", b1.Start.TimeZone);
        Assert.Equal(new DateTime(2025, 3, 3, 13, 0, 0, DateTimeKind.Utc), b1.Start.Value);
        Assert.Equal(ShowAs.Busy, b1.ShowAs);
        Assert.Equal(Sensitivity.Private, b1.Sensitivity);
        Assert.Equal("", b1.Description);
        Assert.Equal("", b1.Location);
        Assert.Empty(b1.Attendees);
        Assert.Empty(b1.Categories);
        Assert.Null(b1.ReminderMinutes);
        var copy = JsonSerializer.Serialize(b1) + JsonSerializer.Serialize(rig.Stored(Side.Bitrix24, b1.Id));
        foreach (var text in SourceText) Assert.DoesNotContain(text, copy);
        Assert.Equal(0, rig.Writes(Side.Outlook));
        await rig.AssertQuietAsync(2);
    }

    [Theory]
    [InlineData(ShowAs.Tentative, ShowAs.Tentative)]
    [InlineData(ShowAs.Oof, ShowAs.Oof)]
    [InlineData(ShowAs.Busy, ShowAs.Busy)]
    [InlineData(ShowAs.WorkingElsewhere, ShowAs.Busy)]
    public async Task S22_BusyOnly_ShowAsTranslation(ShowAs outlook, ShowAs bitrix24)
    {
        await using var rig = NewRig(BusyOnly());
        await ShowAsTranslated(rig, outlook, bitrix24);
    }

    /// <summary>Returns the copy's id.</summary>
    protected static async Task<string> ShowAsTranslated(ISyncRig rig, ShowAs outlook, ShowAs bitrix24)
    {
        rig.Add(Side.Outlook, Therapy(outlook));
        await rig.RunAsync(InitialMerge.TwoWay);
        var copy = Assert.Single(await rig.MeetingsAsync(Side.Bitrix24));
        Assert.Equal(bitrix24, copy.ShowAs);
        await rig.AssertQuietAsync();
        return copy.Id;
    }

    [Fact]
    public async Task S22_BusyOnly_FreeIsNotSyncedAndAnExistingCopyIsRemoved()
    {
        await using var rig = NewRig(BusyOnly());
        rig.Add(Side.Outlook, new Meeting("Lunch", Monday10) { ShowAs = ShowAs.Free });
        var a2 = rig.Add(Side.Outlook, new Meeting("Call", Monday10.AddDays(1)));
        rig.Add(Side.Outlook, new Meeting("Other", Monday10.AddDays(6)));
        await rig.RunAsync(InitialMerge.TwoWay);
        Assert.Equal(2, rig.StoredCount(Side.Bitrix24));
        await rig.EditAsync(Side.Outlook, a2, new Change(ShowAs: ShowAs.Free));
        var run = await rig.RunAsync();
        Assert.Equal(1, run.Bitrix24.Deleted);
        Assert.Equal(1, rig.StoredCount(Side.Bitrix24));
        await rig.AssertQuietAsync();
    }

    [Fact]
    public Task S23_BusyOnlyTwoWay_NeverCopiesAPlaceholderBack() => NeverCopiesAPlaceholderBack(() => NewRig(BusyOnly(oneWay: false)), repeats: 4);

    protected static async Task NeverCopiesAPlaceholderBack(Func<ISyncRig> newRig, int repeats)
    {
        for (var repeat = 0; repeat < repeats; repeat++)
        {
            await using var rig = newRig();
            rig.Add(Side.Outlook, Therapy());
            rig.Add(Side.Bitrix24, new Meeting("Board meeting", Monday10.AddDays(2), Body: "Budget"));
            await rig.RunAsync(InitialMerge.TwoWay);
            Assert.Equal(2, rig.StoredCount(Side.Outlook));
            Assert.Equal(2, rig.StoredCount(Side.Bitrix24));
            var outlook = await rig.MeetingsAsync(Side.Outlook);
            Assert.Contains(outlook, e => e.Title == "Busy");
            Assert.Contains(await rig.MeetingsAsync(Side.Bitrix24), e => e.Title == "Busy");
            Assert.DoesNotContain(outlook, e => e.Title == "Board meeting" || e.Description.Contains("Budget"));
            await rig.AssertQuietAsync(3);
            Assert.Equal(2, rig.StoredCount(Side.Outlook));
            Assert.Equal(2, rig.StoredCount(Side.Bitrix24));
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task S24_FilteredMeetingsAreLeftOutAndAMatchingLinkedOneIsRemovedFromTheSync(bool allowDelete)
    {
        await using var rig = NewRig();
        rig.Definition = new SyncDefinition { Name = "work", Mapping = MappingFiles.ExcludingPrivateAndNoSync(rig.Root), AllowDelete = allowDelete };
        var a1 = rig.Add(Side.Outlook, new Meeting("Planning", Monday10));
        rig.Add(Side.Outlook, new Meeting("Review", Monday10.AddDays(9)));
        rig.Add(Side.Outlook, new Meeting("Doctor", Monday10.AddDays(2)) { Categories = ["Private"] });
        rig.Add(Side.Outlook, new Meeting("Party #nosync", Monday10.AddDays(3)));
        var first = await rig.RunAsync(InitialMerge.TwoWay);
        Assert.Equal(2, first.Bitrix24.Created);
        Assert.Equal(2, rig.StoredCount(Side.Bitrix24));
        var b1 = rig.State.Links.Single(l => l.OutlookId == a1).Bitrix24Id;

        await rig.EditAsync(Side.Outlook, a1, new Change(Title: "Planning #nosync"));
        var run = await rig.RunAsync();
        Assert.Equal(allowDelete, !(await rig.MeetingsAsync(Side.Bitrix24)).Any(e => e.Id == b1));
        Assert.Equal(allowDelete ? 1 : 0, run.Bitrix24.Deleted);
        Assert.DoesNotContain(rig.State.Links, l => l.OutlookId == a1);
        Assert.Equal(0, rig.Writes(Side.Outlook));
        await rig.AssertQuietAsync(2);
        Assert.Equal(0, rig.Writes(Side.Outlook));
        Assert.Equal(4, rig.StoredCount(Side.Outlook));
    }

    [Fact]
    public async Task S25_PairThatAgesOutOfTheWindowIsUnlinkedWithoutDeletes()
    {
        await using var rig = NewRig(new SyncDefinition { Name = "work", WindowPastDays = 30, WindowFutureDays = 365 });
        rig.Add(Side.Outlook, new Meeting("Old one", Monday10));
        rig.Add(Side.Outlook, new Meeting("Later", new DateTime(2025, 9, 1), Days: 1));
        await rig.RunAsync(InitialMerge.TwoWay);
        Assert.Equal(2, rig.State.Links.Count);
        rig.AdvanceClock(TimeSpan.FromDays(40));
        var run = await rig.RunAsync();
        Assert.Equal(0, run.Writes);
        Assert.Single(rig.State.Links);
        Assert.Contains(run.Items, i => i.Action == ItemAction.Unlink && i.Reason.Contains("window"));
        Assert.Equal(2, rig.StoredCount(Side.Bitrix24));
        Assert.Equal(2, rig.StoredCount(Side.Outlook));
        await rig.AssertQuietAsync();
    }
}
