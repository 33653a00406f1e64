using CalSync.Engine.Mapping;
using CalSync.Engine.Model;
using CalSync.Engine.Sides;
using CalSync.Store;
using CalSync.Engine.Sync;
using CalSync.Engine.Tests.Support;
using Xunit;
using static CalSync.Engine.Tests.Support.SyncHarness;

namespace CalSync.Engine.Tests.Scenarios;

/// <summary>
/// Issue 19, cases 2 and 5: a direction or filter change is a planned change (copies that now flow the wrong way or
/// are filtered out leave the sync; originals are never written), and a sync leaves the copies of another sync alone.
/// </summary>
public sealed class SettingsChangeScenarios
{
    /// <summary>A two-way merge of two Outlook and two Bitrix24 originals: each side then holds two copies.</summary>
    private static (CalEvent[] Outlook, CalEvent[] Bitrix24) Merged(SyncHarness h)
    {
        var outlook = new[] { h.A.Add(Meeting("Planning", location: "Room 1")), h.A.Add(Meeting("Review", day: 12)) };
        var bitrix24 = new[] { h.B.Add(Meeting("Board", day: 5, body: "Budget")), h.B.Add(Meeting("Offsite", day: 19)) };
        h.Run(InitialMerge.TwoWay);
        Assert.Equal(4, h.A.Events.Count);
        Assert.Equal(4, h.B.Events.Count);
        return (outlook, bitrix24);
    }

    [Theory]
    [InlineData(SyncDirection.OutlookToBitrix24, true)]
    [InlineData(SyncDirection.OutlookToBitrix24, false)]
    [InlineData(SyncDirection.Bitrix24ToOutlook, true)]
    [InlineData(SyncDirection.Bitrix24ToOutlook, false)]
    public void After_a_direction_change_copies_from_the_side_no_longer_a_source_leave_the_sync(SyncDirection direction, bool allowDelete)
    {
        using var h = new SyncHarness(new SyncDefinition { Name = "work", AllowDelete = allowDelete });
        var (outlook, bitrix24) = Merged(h);
        var source = direction == SyncDirection.OutlookToBitrix24 ? h.A : h.B;
        var target = direction == SyncDirection.OutlookToBitrix24 ? h.B : h.A;
        var originals = direction == SyncDirection.OutlookToBitrix24 ? outlook : bitrix24;
        // The source side's copies: made from the side that is no longer a source.
        var stranded = h.State.Links.Where(l => l.Origin == target.Side).Select(l => source.Side == Side.Outlook ? l.OutlookId : l.Bitrix24Id).ToArray();
        Assert.Equal(2, stranded.Length);
        var before = (target.Writes, source.Writes);

        h.Definition = h.Definition with { Direction = direction };
        // -WhatIf shows those writes and makes none.
        var plan = h.Run(whatIf: true);
        Assert.Equal(RunOutcome.WhatIf, plan.Outcome);
        Assert.Equal(allowDelete ? 2 : 0, h.LastResult!.Plan!.Writes.Count(w => w.Kind == WriteKind.Delete && w.TargetSide == source.Side && stranded.Contains(w.TargetId)));
        Assert.Equal(before, (target.Writes, source.Writes));

        var run = h.Run();
        Assert.Equal(allowDelete ? 2 : 0, source.Side == Side.Outlook ? run.Outlook.Deleted : run.Bitrix24.Deleted);
        // Originals are never written: the target side (which holds the stranded copies' originals) is not touched.
        Assert.Equal(before.Item1, target.Writes);
        Assert.All(stranded, id => Assert.Equal(!allowDelete, source.Contains(id)));
        Assert.All(originals, o => Assert.True(source.Contains(o.Id)));
        // With allow-delete the pairs are gone; without it they rest (kept linked, nothing written either way).
        Assert.Equal(allowDelete ? 2 : 4, h.State.Links.Count);
        h.AssertQuiet();

        // From now on: a kept copy is not synced (its edit reaches no original, and nothing is copied back), and the
        // links whose original is on the source side still carry edits.
        if (!allowDelete)
        {
            source.Edit(stranded[0], e => e with { Location = "Edited copy" });
            target.Edit((direction == SyncDirection.OutlookToBitrix24 ? bitrix24 : outlook)[0].Id, e => e with { Location = "Edited original" });
            Assert.Equal(0, h.Run().Writes);
            Assert.DoesNotContain(target.Events, e => e.Location == "Edited copy");
            Assert.DoesNotContain(source.Events, e => e.Location == "Edited original");
        }
        source.Edit(originals[0].Id, e => e with { Title = originals[0].Title + " (moved)" });
        var edit = h.Run();
        Assert.Equal(1, edit.Writes);
        Assert.Contains(target.Events, e => e.Title == originals[0].Title + " (moved)");
        h.AssertQuiet();
        Assert.Equal(4 - (allowDelete ? 2 : 0), source.Events.Count);
        Assert.Equal(4, target.Events.Count);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Back_to_two_way_the_other_side_is_copied_again_without_duplicates(bool allowDelete)
    {
        using var h = new SyncHarness(new SyncDefinition { Name = "work", AllowDelete = allowDelete });
        var (_, bitrix24) = Merged(h);
        h.Definition = h.Definition with { Direction = SyncDirection.OutlookToBitrix24 };
        h.Run();
        Assert.Equal(allowDelete ? 2 : 4, h.A.Events.Count);
        // Meanwhile (one-way) a Bitrix24 original changes, and a busy-only mapping comes and goes.
        h.B.Edit(bitrix24[0].Id, e => e with { Title = "Board (moved)" });
        h.Definition = h.Definition with { Mapping = "busy-only" };
        h.Run();
        h.Definition = h.Definition with { Mapping = "default", Direction = SyncDirection.TwoWay };
        var run = h.Run();
        // Deleted copies are made again; kept ones resume, and take the change their original had meanwhile. The
        // Bitrix24 copies, busy blocks a run ago, get their details back; no original is written.
        Assert.Equal(allowDelete ? 2 : 0, run.Outlook.Created);
        Assert.Equal(allowDelete ? 0 : 1, run.Outlook.Updated);
        Assert.Equal(2, run.Bitrix24.Updated);
        Assert.Equal(0, run.Bitrix24.Created + run.Bitrix24.Deleted + run.Outlook.Deleted);
        Assert.Equal(["Board (moved)", "Offsite", "Planning", "Review"], h.A.Events.Select(e => e.Title).Order());
        Assert.Equal(["Board (moved)", "Offsite", "Planning", "Review"], h.B.Events.Select(e => e.Title).Order());
        h.AssertQuiet();
    }

    private static string Profile(SyncHarness h, string filters, string marks = "marks: []")
    {
        var path = Path.Combine(h.Root, "filtered.yaml");
        Directory.CreateDirectory(h.Root);
        var text = MappingLoader.BuiltInText("default");
        Assert.Contains("  exclude: []", text);
        Assert.Contains("marks: []", text);
        File.WriteAllText(path, text.Replace("  exclude: []", "  exclude:\n" + filters).Replace("marks: []", marks));
        return path;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_new_filter_removes_or_detaches_the_copies_of_meetings_it_excludes_and_never_writes_an_original(bool allowDelete)
    {
        using var h = new SyncHarness(new SyncDefinition { Name = "work", AllowDelete = allowDelete });
        // Outlook and Bitrix24 originals whose copies carry the same title: the new filter matches original and copy.
        var dentist = h.A.Add(Meeting("Dentist", day: 4));
        var physio = h.B.Add(Meeting("Physio dentist", day: 6));
        h.A.Add(Meeting("Planning"));
        h.Run(InitialMerge.TwoWay);
        var copies = h.State.Links.Where(l => l.OutlookId == dentist.Id || l.Bitrix24Id == physio.Id)
            .Select(l => l.OutlookId == dentist.Id ? (Side.Bitrix24, l.Bitrix24Id) : (Side.Outlook, l.OutlookId)).ToArray();
        Assert.Equal(2, copies.Length);
        var writes = (h.A.Writes, h.B.Writes);

        h.Definition = h.Definition with { Mapping = Profile(h, "    - { field: subject, contains: dentist }") };
        h.Run(whatIf: true);
        Assert.Equal(allowDelete ? 2 : 0, h.LastResult!.Plan!.Writes.Count(w => w.Kind == WriteKind.Delete));
        Assert.Equal(writes, (h.A.Writes, h.B.Writes));
        var run = h.Run();
        Assert.Equal(allowDelete ? 1 : 0, run.Outlook.Deleted);
        Assert.Equal(allowDelete ? 1 : 0, run.Bitrix24.Deleted);
        Assert.Equal(0, run.Outlook.Updated + run.Bitrix24.Updated + run.Outlook.Created + run.Bitrix24.Created);
        Assert.True(h.A.Contains(dentist.Id));
        Assert.True(h.B.Contains(physio.Id));
        foreach (var (side, id) in copies) Assert.Equal(!allowDelete, (side == Side.Outlook ? h.A : h.B).Contains(id));
        Assert.Single(h.State.Links);
        h.AssertQuiet();
        Assert.Equal(writes.Item1 + (allowDelete ? 1 : 0), h.A.Writes);
        Assert.Equal(writes.Item2 + (allowDelete ? 1 : 0), h.B.Writes);
    }

    [Fact]
    public void A_filter_that_matches_only_the_copies_never_deletes_their_originals()
    {
        // Copies on Bitrix24 are marked '[Outlook] '; a filter on that mark matches the copies, not their originals.
        using var h = new SyncHarness(new SyncDefinition { Name = "work" });
        h.Definition = h.Definition with
        {
            Mapping = Profile(h, "    - { field: subject, contains: '[Outlook]' }", "marks:\n  - field: subject\n    to-bitrix24: { prefix: '[Outlook] ' }"),
        };
        var planning = h.A.Add(Meeting("Planning"));
        h.Run(InitialMerge.TwoWay);
        Assert.Equal("[Outlook] Planning", Assert.Single(h.B.Events).Title);
        h.AssertQuiet(2);
        Assert.True(h.A.Contains(planning.Id));
        Assert.Single(h.B.Events);
        Assert.Single(h.State.Links);
        // It still syncs: an edit of the original reaches the copy.
        h.A.Edit(planning.Id, e => e with { Title = "Planning 2" });
        Assert.Equal(1, h.Run().Bitrix24.Updated);
        Assert.Equal("[Outlook] Planning 2", Assert.Single(h.B.Events).Title);
        h.AssertQuiet();
    }

    [Fact]
    public void A_filter_on_two_matched_originals_unlinks_them_and_deletes_neither()
    {
        using var h = new SyncHarness(new SyncDefinition { Name = "work" });
        var a = h.A.Add(Meeting("Dentist"));
        var b = h.B.Add(Meeting("Dentist"));
        h.Run(InitialMerge.TwoWay);
        Assert.Null(Assert.Single(h.State.Links).Origin);
        h.A.Edit(a.Id, e => e with { Categories = new[] { "Private" } });
        h.Definition = h.Definition with { Mapping = Profile(h, "    - { field: categories, contains: Private }") };
        var run = h.Run();
        Assert.Equal(0, run.Writes);
        Assert.True(h.A.Contains(a.Id));
        Assert.True(h.B.Contains(b.Id));
        Assert.Empty(h.State.Links);
        // The Bitrix24 original is no longer synced: it is not copied back as a second Dentist.
        h.AssertQuiet(2);
        Assert.Single(h.A.Events);
    }

    /// <summary>Two syncs on one Outlook calendar and two Bitrix24 calendars (allowed: only the same pair is refused).</summary>
    private sealed class SharedOutlook : IDisposable
    {
        public readonly string Root = Path.Combine(Path.GetTempPath(), "calsync-test-" + Guid.NewGuid().ToString("N"));
        public readonly CalSyncStore Store;
        public DateTimeOffset Now = new(2025, 3, 3, 8, 0, 0, TimeSpan.Zero);
        public readonly InMemoryCalendar Outlook, Work, Home;

        public SharedOutlook()
        {
            Store = new CalSyncStore(Root);
            Outlook = new InMemoryCalendar(Side.Outlook, () => Now);
            Work = new InMemoryCalendar(Side.Bitrix24, () => Now);
            Home = new InMemoryCalendar(Side.Bitrix24, () => Now);
            Store.Definitions.Save(new SyncDefinition { Name = "Work", OutlookConnection = "outlook", Bitrix24Connection = "work" });
            Store.Definitions.Save(new SyncDefinition { Name = "Home", OutlookConnection = "outlook", Bitrix24Connection = "home" });
        }

        public RunRecord Run(string name, InitialMerge? merge = null)
        {
            Now = Now.AddMinutes(1);
            var runner = new SyncRunner(Store, Outlook, name == "Work" ? Work : Home);
            return runner.RunAsync(Store.Definitions.Get(name)!, new RunOptions { Merge = merge, Now = Now }, CancellationToken.None).GetAwaiter().GetResult().Record;
        }

        public void Dispose()
        {
            try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public void A_sync_neither_links_onto_nor_copies_the_copies_another_sync_stamped()
    {
        using var s = new SharedOutlook();
        s.Outlook.Add(Meeting("Own meeting"));
        // The same stand-up on both Bitrix24 calendars: Work's Outlook copy of it must not pass for Home's.
        s.Work.Add(Meeting("Stand-up", day: 4));
        s.Home.Add(Meeting("Stand-up", day: 4));
        s.Home.Add(Meeting("Dinner", day: 5, hour: 19));

        s.Run("Work", InitialMerge.TwoWay);
        Assert.Equal(2, s.Outlook.Events.Count);
        var home = s.Run("Home", InitialMerge.TwoWay);
        Assert.Equal(2, home.Outlook.Created);  // its own copies of Stand-up and Dinner
        Assert.Equal(1, home.Bitrix24.Created); // only the Outlook original, not Work's copy of Stand-up
        Assert.Equal(0, home.Outlook.Updated + home.Bitrix24.Updated);
        Assert.Equal(2, s.Outlook.Events.Count(e => e.Title == "Stand-up"));
        Assert.Equal(new[] { "Dinner", "Own meeting", "Stand-up" }, s.Home.Events.Select(e => e.Title).Order());
        // Work, in turn, leaves Home's copies alone.
        var work = s.Run("Work");
        Assert.Equal(0, work.Writes);
        Assert.Equal(new[] { "Own meeting", "Stand-up" }, s.Work.Events.Select(e => e.Title).Order());
        Assert.Equal(0, s.Run("Home").Writes);
        Assert.Equal(0, s.Run("Work").Writes);
        // Each sync's copies follow only their own original.
        var dinner = s.Home.Events.Single(e => e.Title == "Dinner");
        s.Home.Edit(dinner.Id, e => e with { Title = "Late dinner" });
        Assert.Equal(1, s.Run("Home").Outlook.Updated);
        Assert.Equal(0, s.Run("Work").Writes);
        Assert.DoesNotContain(s.Work.Events, e => e.Title.Contains("dinner", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Copies_of_a_sync_that_no_longer_exists_are_matched_again()
    {
        using var s = new SharedOutlook();
        s.Work.Add(Meeting("Stand-up", day: 4));
        s.Run("Work", InitialMerge.TwoWay);
        s.Store.RemoveSync("Work");
        // Home, now on Work's Bitrix24 calendar, finds the copy Work left instead of making a second one.
        s.Store.Definitions.Save(new SyncDefinition { Name = "Home", OutlookConnection = "outlook", Bitrix24Connection = "work" });
        var runner = new SyncRunner(s.Store, s.Outlook, s.Work);
        var record = (await runner.RunAsync(s.Store.Definitions.Get("Home")!, new RunOptions { Merge = InitialMerge.TwoWay, Now = s.Now.AddMinutes(5) }, CancellationToken.None)).Record;
        Assert.Equal(0, record.Writes);
        Assert.Single(s.Outlook.Events);
        Assert.Equal(1, record.Matched);
    }
}
