using CalSync.Engine.Model;
using CalSync.Engine.Sync;
using CalSync.Engine.Tests.Support;
using Xunit;
using static CalSync.Engine.Tests.Support.SyncHarness;

namespace CalSync.Engine.Tests.Scenarios;

/// <summary>
/// Issue 15, case 1: a change made on a busy-only copy travels back with only what the mapping carries back (times,
/// all-day, show-as, privacy); the original keeps its title, body, location and reminder.
/// </summary>
public sealed class CopyNeverOverwritesOriginalScenarios
{
    private static CalEvent Dentist() => Meeting("Dentist", location: "Main St 5", body: "Bring the X-ray") with { ReminderMinutes = 30 };

    [Fact]
    public void A_busy_block_moved_on_Bitrix24_moves_the_Outlook_original_and_nothing_else()
    {
        using var h = new SyncHarness(new SyncDefinition { Name = "busy", Mapping = "busy-only" });
        var original = h.A.Add(Dentist());
        h.Run(InitialMerge.TwoWay);
        var copy = Assert.Single(h.B.Events);
        Assert.Equal("Busy", copy.Title);

        h.B.Edit(copy.Id, e => e with { Start = EventTime.FromLocal(new DateTime(2025, 3, 3, 14, 0, 0), "Europe/Berlin"), End = EventTime.FromLocal(new DateTime(2025, 3, 3, 15, 0, 0), "Europe/Berlin") });
        var run = h.Run();
        Assert.Equal(1, run.Outlook.Updated);
        var after = h.A[original.Id];
        Assert.Equal("Dentist", after.Title);
        Assert.Equal("Bring the X-ray", after.Description);
        Assert.Equal("Main St 5", after.Location);
        Assert.Equal(30, after.ReminderMinutes);
        Assert.Equal(new DateTime(2025, 3, 3, 13, 0, 0), after.Start.SortKeyUtc);
        h.AssertQuiet();
        Assert.Equal("Busy", h.B.Events.Single().Title);
    }

    [Fact]
    public void A_busy_block_marked_tentative_on_Bitrix24_changes_only_show_as_of_the_original()
    {
        using var h = new SyncHarness(new SyncDefinition { Name = "busy", Mapping = "busy-only" });
        var original = h.A.Add(Dentist());
        h.Run(InitialMerge.TwoWay);
        var copy = h.B.Events.Single();

        h.B.Edit(copy.Id, e => e with { ShowAs = ShowAs.Tentative });
        h.Run();
        var after = h.A[original.Id];
        Assert.Equal(ShowAs.Tentative, after.ShowAs);
        Assert.Equal("Dentist", after.Title);
        Assert.Equal("Bring the X-ray", after.Description);
        h.AssertQuiet();
    }

    [Fact]
    public void The_original_moved_on_Outlook_still_updates_its_busy_block_as_a_placeholder()
    {
        using var h = new SyncHarness(new SyncDefinition { Name = "busy", Mapping = "busy-only" });
        var original = h.A.Add(Dentist());
        h.Run(InitialMerge.TwoWay);
        h.A.Edit(original.Id, e => e with { Title = "Dentist (Dr Who)", Start = e.Start.Add(TimeSpan.FromMinutes(60)), End = e.End.Add(TimeSpan.FromMinutes(60)) });
        h.Run();
        var copy = h.B.Events.Single();
        Assert.Equal("Busy", copy.Title);
        Assert.Equal("", copy.Description);
        Assert.Equal(new DateTime(2025, 3, 3, 10, 0, 0), copy.Start.SortKeyUtc);
        h.AssertQuiet();
    }

    [Fact]
    public void A_busy_block_edited_before_the_mapping_goes_back_to_default_is_made_again_from_its_original()
    {
        using var h = new SyncHarness(new SyncDefinition { Name = "busy", Mapping = "busy-only" });
        var original = h.B.Add(Meeting("Board meeting", body: "Budget"));
        h.Run(InitialMerge.TwoWay);
        var copy = h.A.Events.Single();
        h.A.Edit(copy.Id, e => e with { Location = "Room 25" }); // not carried by busy-only, but a new version

        h.Definition = h.Definition with { Mapping = "default" };
        var run = h.Run();
        Assert.Equal(0, run.Bitrix24.Updated);
        Assert.Equal(("Board meeting", "Budget"), (h.B[original.Id].Title, h.B[original.Id].Description));
        Assert.Equal(("Board meeting", "Budget"), (h.A[copy.Id].Title, h.A[copy.Id].Description));
        h.AssertQuiet();
    }

    [Fact]
    public void A_pair_beyond_the_window_when_the_mapping_changes_is_made_again_when_it_comes_back()
    {
        using var h = new SyncHarness();
        var original = h.A.Add(Dentist());
        h.A.Add(Meeting("Review", day: 12));
        h.Run(InitialMerge.TwoWay);
        var copy = h.State.Links.Single(l => l.OutlookId == original.Id).Bitrix24Id;
        h.A.Edit(original.Id, e => e with { Start = e.Start.Add(TimeSpan.FromDays(400)), End = e.End.Add(TimeSpan.FromDays(400)) });
        h.Run(); // the copy follows it beyond the window

        h.Definition = h.Definition with { Mapping = "busy-only" };
        h.Run(); // the pair is not read: it keeps the old mapping's form for now
        Assert.Equal("Dentist", h.B[copy].Title);

        h.Now = h.Now.AddDays(100); // the window reaches the pair, neither side changed: still a busy block, not "Dentist"
        var reached = h.Run();
        Assert.Equal(1, reached.Bitrix24.Updated);
        Assert.Equal(("Busy", "", ""), (h.B[copy].Title, h.B[copy].Description, h.B[copy].Location));
        Assert.Equal("Dentist", h.A[original.Id].Title);
        h.AssertQuiet();
    }

    [Fact]
    public void Matched_originals_on_both_sides_keep_their_details_when_one_moves()
    {
        using var h = new SyncHarness(new SyncDefinition { Name = "busy", Mapping = "busy-only" });
        var outlook = h.A.Add(Dentist());
        var bitrix24 = h.B.Add(Meeting("Zahnarzt", body: "Röntgenbild"));
        h.Run(InitialMerge.TwoWay); // busy-only matches by time: the two are one meeting, both originals
        Assert.Single(h.State.Links);

        h.B.Edit(bitrix24.Id, e => e with { Start = e.Start.Add(TimeSpan.FromMinutes(30)), End = e.End.Add(TimeSpan.FromMinutes(30)) });
        h.Run();
        Assert.Equal("Dentist", h.A[outlook.Id].Title);
        Assert.Equal("Bring the X-ray", h.A[outlook.Id].Description);
        Assert.Equal(new DateTime(2025, 3, 3, 9, 30, 0), h.A[outlook.Id].Start.SortKeyUtc);
        Assert.Equal("Zahnarzt", h.B[bitrix24.Id].Title);
        h.AssertQuiet();
    }
}
