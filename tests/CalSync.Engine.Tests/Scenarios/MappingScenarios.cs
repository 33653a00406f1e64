using System.Text.Json;
using CalSync.Engine.Mapping;
using CalSync.Engine.Model;
using CalSync.Engine.Sync;
using CalSync.Engine.Tests.Support;
using Xunit;
using static CalSync.Engine.Tests.Support.SyncHarness;

namespace CalSync.Engine.Tests.Scenarios;

/// <summary>docs/scenarios.md 21-25: busy-only mappings, filters and the window.</summary>
public sealed class MappingScenarios
{
    private static readonly string[] SourceText = { "Therapy", "Dr X", "Praxis Mitte", "Bring the referral", "anna@example.com", "Anna Berg", "bob@example.com", "Bob", "carol@example.com", "Carol", "Health" };

    private static CalEvent Therapy() => Meeting("Therapy – Dr X", hour: 14, location: "Praxis Mitte", body: "Bring the referral") with
    {
        Sensitivity = Sensitivity.Private,
        ShowAs = ShowAs.Busy,
        ReminderMinutes = 15,
        Categories = new[] { "Health" },
        Attendees = new[] { new Attendee("Anna Berg", "anna@example.com"), new Attendee("Bob", "bob@example.com"), new Attendee("Carol", "carol@example.com") },
    };

    [Fact]
    public void S21_BusyOnlyOneWay_CopyCarriesTimeAndPrivacyOnly()
    {
        using var h = new SyncHarness(new SyncDefinition { Name = "busy", Mapping = "busy-only-one-way" });
        var a1 = h.A.Add(Therapy());
        var run = h.Run(InitialMerge.TwoWay);
        Assert.Equal(SyncDirection.OutlookToBitrix24, run.Direction);
        var b1 = Assert.Single(h.B.Events);
        Assert.Equal("Busy", b1.Title);
        Assert.Equal(a1.Start, b1.Start);
        Assert.Equal(a1.End, b1.End);
        Assert.Equal("Europe/Berlin", b1.Start.TimeZone);
        Assert.Equal(ShowAs.Busy, b1.ShowAs);
        Assert.Equal(Sensitivity.Private, b1.Sensitivity);
        Assert.Equal("", b1.Description);
        Assert.Equal("", b1.Location);
        Assert.Empty(b1.Attendees);
        Assert.Empty(b1.Categories);
        Assert.Null(b1.ReminderMinutes);
        var written = JsonSerializer.Serialize(b1);
        foreach (var text in SourceText) Assert.DoesNotContain(text, written);
        h.AssertQuiet(2);
    }

    [Theory]
    [InlineData(ShowAs.Tentative, ShowAs.Tentative)]
    [InlineData(ShowAs.Oof, ShowAs.Oof)]
    [InlineData(ShowAs.Busy, ShowAs.Busy)]
    [InlineData(ShowAs.WorkingElsewhere, ShowAs.Busy)]
    public void S22_BusyOnly_ShowAsTranslation(ShowAs outlook, ShowAs bitrix24)
    {
        using var h = new SyncHarness(new SyncDefinition { Name = "busy", Mapping = "busy-only-one-way" });
        h.A.Add(Therapy() with { ShowAs = outlook });
        h.Run(InitialMerge.TwoWay);
        Assert.Equal(bitrix24, Assert.Single(h.B.Events).ShowAs);
        h.AssertQuiet();
    }

    [Fact]
    public void S22_BusyOnly_FreeIsNotSyncedAndAnExistingCopyIsRemoved()
    {
        using var h = new SyncHarness(new SyncDefinition { Name = "busy", Mapping = "busy-only-one-way" });
        h.A.Add(Meeting("Lunch") with { ShowAs = ShowAs.Free });
        var a2 = h.A.Add(Meeting("Call", day: 4));
        h.A.Add(Meeting("Other", day: 9));
        h.Run(InitialMerge.TwoWay);
        Assert.Equal(2, h.B.Events.Count);
        h.A.Edit(a2.Id, e => e with { ShowAs = ShowAs.Free });
        var run = h.Run();
        Assert.Equal(1, run.Bitrix24.Deleted);
        Assert.Single(h.B.Events);
        h.AssertQuiet();
    }

    [Fact]
    public void S23_BusyOnlyTwoWay_NeverCopiesAPlaceholderBack()
    {
        for (var repeat = 0; repeat < 4; repeat++)
        {
            using var h = new SyncHarness(new SyncDefinition { Name = "busy", Mapping = "busy-only" });
            h.A.Add(Therapy());
            h.B.Add(Meeting("Board meeting", day: 5) with { Description = "Budget" });
            h.Run(InitialMerge.TwoWay);
            Assert.Equal(2, h.A.Events.Count);
            Assert.Equal(2, h.B.Events.Count);
            Assert.Contains(h.A.Events, e => e.Title == "Busy");
            Assert.Contains(h.B.Events, e => e.Title == "Busy");
            Assert.DoesNotContain(h.A.Events, e => e.Title == "Board meeting" || e.Description == "Budget");
            h.AssertQuiet(3);
            Assert.Equal(2, h.A.Events.Count);
            Assert.Equal(2, h.B.Events.Count);
        }
    }

    [Fact]
    public void ChangingTheMappingProjectsEveryLinkedItemAgain()
    {
        using var h = new SyncHarness();
        var a1 = h.A.Add(Meeting("Planning", location: "Room 1"));
        h.A.Add(Meeting("Review", day: 12));
        h.Run(InitialMerge.TwoWay);
        h.AssertQuiet();
        Assert.Equal(new Projector(MappingLoader.BuiltIn("default")).Fingerprint, h.State.ViewFingerprint);
        Assert.All(h.State.Links, l => Assert.NotNull(l.OutlookHashVersion));

        h.Definition = h.Definition with { Mapping = "busy-only" };
        // Issue 19: the copies become busy blocks (no title, no location); the originals are not written.
        var switched = h.Run();
        Assert.Equal(2, switched.Bitrix24.Updated);
        Assert.Equal(0, switched.Outlook.Updated);
        Assert.All(h.B.Events, e => Assert.Equal(("Busy", ""), (e.Title, e.Location)));
        Assert.Equal("Room 1", h.A[a1.Id].Location);
        h.AssertQuiet();
        var busy = new Projector(MappingLoader.BuiltIn("busy-only"));
        Assert.Equal(busy.Fingerprint, h.State.ViewFingerprint);
        foreach (var link in h.State.Links)
        {
            Assert.Equal(busy.View(h.A[link.OutlookId], Side.Outlook).Hash, link.OutlookHash);
            Assert.Equal(busy.View(h.B[link.Bitrix24Id], Side.Bitrix24).Hash, link.Bitrix24Hash);
        }
        // The new hashes are the ones compared from now on: a real edit is still one.
        h.A.Edit(a1.Id, e => e with { Start = e.Start.Add(TimeSpan.FromHours(1)), End = e.End.Add(TimeSpan.FromHours(1)) });
        Assert.Equal(1, h.Run().Bitrix24.Updated);
        h.AssertQuiet();

        // And back: the copies get their details again from their originals.
        h.Definition = h.Definition with { Mapping = "default" };
        Assert.Equal(2, h.Run().Bitrix24.Updated);
        Assert.Contains(h.B.Events, e => e.Title == "Planning" && e.Location == "Room 1");
        Assert.Contains(h.B.Events, e => e.Title == "Review");
        h.AssertQuiet();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void S24_FilteredMeetingsAreLeftOutAndAMatchingLinkedOneIsRemovedFromTheSync(bool allowDelete)
    {
        using var h = new SyncHarness();
        h.Definition = new SyncDefinition { Name = "work", Mapping = CalSync.Testing.MappingFiles.ExcludingPrivateAndNoSync(h.Root), AllowDelete = allowDelete };
        var a1 = h.A.Add(Meeting("Planning"));
        h.A.Add(Meeting("Review", day: 12));
        h.A.Add(Meeting("Doctor", day: 5) with { Categories = new[] { "Private" } });
        h.A.Add(Meeting("Party #nosync", day: 6));
        var first = h.Run(InitialMerge.TwoWay);
        Assert.Equal(2, first.Bitrix24.Created);
        Assert.Equal(2, h.B.Events.Count);
        var b1 = h.State.Links.Single(l => l.OutlookId == a1.Id).Bitrix24Id;

        h.A.Edit(a1.Id, e => e with { Title = "Planning #nosync" });
        var run = h.Run();
        Assert.Equal(allowDelete, !h.B.Contains(b1));
        Assert.Equal(allowDelete ? 1 : 0, run.Bitrix24.Deleted);
        Assert.DoesNotContain(h.State.Links, l => l.OutlookId == a1.Id);
        Assert.Equal(0, h.A.Writes);
        h.AssertQuiet(2);
        Assert.Equal(0, h.A.Writes);
    }

    [Fact]
    public void S25_PairThatAgesOutOfTheWindowIsUnlinkedWithoutDeletes()
    {
        using var h = new SyncHarness(new SyncDefinition { Name = "work", WindowPastDays = 30, WindowFutureDays = 365 });
        h.A.Add(Meeting("Old one"));
        h.A.Add(Meeting("Later", day: 3) with { Start = EventTime.AllDay(new DateTime(2025, 9, 1)), End = EventTime.AllDay(new DateTime(2025, 9, 2)) });
        h.Run(InitialMerge.TwoWay);
        Assert.Equal(2, h.State.Links.Count);
        h.Now = h.Now.AddDays(40);
        var run = h.Run();
        Assert.Equal(0, run.Writes);
        Assert.Single(h.State.Links);
        Assert.Contains(run.Items, i => i.Action == ItemAction.Unlink && i.Reason.Contains("window"));
        Assert.Equal(2, h.B.Events.Count);
        h.AssertQuiet();
    }
}
