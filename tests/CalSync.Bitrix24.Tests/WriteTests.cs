using CalSync.Bitrix24;
using CalSync.Engine.Model;
using CalSync.Engine.Sides;
using Xunit;

namespace CalSync.Bitrix24.Tests;

public class WriteTests
{
    private static readonly SyncWindow March = Make.Window(new DateTime(2025, 3, 1), new DateTime(2025, 4, 30));

    [Theory]
    [InlineData("en")]
    [InlineData("de")]
    public async Task Create_update_delete_sends_changed_fields_with_the_whole_time_block(string culture)
    {
        await using var portal = await Portal.StartAsync(culture, "Asia/Kolkata");
        var side = portal.Side();
        var e = Make.Timed("Review", new DateTime(2025, 3, 12, 15, 0, 0), TimeSpan.FromMinutes(45)) with
        {
            Description = "Agenda", Location = "Room 1", ShowAs = ShowAs.Tentative, Sensitivity = Sensitivity.Private,
            Importance = Importance.High, ReminderMinutes = 15,
        };
        var created = Assert.Single(await side.WriteAsync(new[] { Make.Create("c", e) }, new WriteHalt(), default));
        Assert.Equal(WriteStatus.Succeeded, created.Status);

        var read = Assert.Single((await side.ReadAsync(March, null, default)).Events);
        Assert.Equal(created.Id, read.Id);
        Assert.Equal(created.Version, read.Version);
        Assert.Equal(("Review", "Agenda", "Room 1", ShowAs.Tentative, Sensitivity.Private, Importance.High, 15),
            (read.Title, read.Description, read.Location, read.ShowAs, read.Sensitivity, read.Importance, read.ReminderMinutes));
        Assert.Equal(e.Start, read.Start);
        Assert.Equal(e.End, read.End);
        Assert.NotEqual(default, read.LastModified);

        portal.Service.Journal.Clear();
        var changed = read with { Title = "Review v2", ShowAs = ShowAs.Oof };
        var updated = Assert.Single(await side.WriteAsync(new[] { new WriteOperation("u", WriteKind.Update, read.Id, changed, read) }, new WriteHalt(), default));
        Assert.Equal(WriteStatus.Succeeded, updated.Status);
        var update = portal.Batches().SelectMany(b => b.Commands).Single(c => c.StartsWith("calendar.event.update"));
        Assert.Contains("name=Review%20v2", update);
        Assert.Contains("accessibility=absent", update);
        // The whole time block goes with any change: Bitrix24 makes an update without it timed and in the user's zone.
        Assert.Contains("skip_time=N", update);
        Assert.Contains("from=", update);
        Assert.Contains("to=", update);
        Assert.Contains("timezone_from=", update);
        Assert.Contains("timezone_to=", update);
        Assert.DoesNotContain("location=", update);
        Assert.DoesNotContain("description=", update);
        var reread = Assert.Single((await side.ReadAsync(March, null, default)).Events);
        Assert.Equal("Review v2", reread.Title);
        Assert.Equal(ShowAs.Oof, reread.ShowAs);
        Assert.Equal("Room 1", reread.Location);
        Assert.Equal(updated.Version, reread.Version);
        Assert.NotEqual(read.Version, reread.Version);

        var deleted = Assert.Single(await side.WriteAsync(new[] { new WriteOperation("d", WriteKind.Delete, read.Id, null, reread) }, new WriteHalt(), default));
        Assert.Equal(WriteStatus.Succeeded, deleted.Status);
        Assert.Empty((await side.ReadAsync(March, null, default)).Events);
        Assert.Empty(portal.Service.GetEvents());
    }

    [Theory]
    [InlineData("en")]
    [InlineData("de")]
    public async Task Series_is_created_with_its_exceptions_and_reads_back_the_same(string culture)
    {
        await using var portal = await Portal.StartAsync(culture);
        var side = portal.Side();
        var start = Make.Timed("Planning", new DateTime(2025, 3, 4, 9, 0, 0), TimeSpan.FromHours(1));
        var moved = Make.Timed("Planning (moved)", new DateTime(2025, 3, 13, 16, 0, 0), TimeSpan.FromHours(1));
        var series = start with
        {
            Recurrence = new Recurrence
            {
                Kind = RecurrenceKind.Weekly, DaysOfWeek = new[] { DayOfWeek.Tuesday, DayOfWeek.Thursday }, Until = new DateTime(2025, 3, 27),
                Exceptions = new[] { new OccurrenceException(new DateTime(2025, 3, 11), moved) },
            },
        };
        Assert.Null(side.CannotExpress(series.Recurrence!, series));

        var result = Assert.Single(await side.WriteAsync(new[] { Make.Create("s", series) }, new WriteHalt(), default));
        Assert.Equal(WriteStatus.Succeeded, result.Status);

        // One batch: the add, then "this" on $result of the add.
        var batch = Assert.Single(portal.Batches(), b => b.Commands.Any(c => c.StartsWith("calendar.event.add")));
        Assert.Contains(batch.Commands, c => c.Contains("rrule[FREQ]=WEEKLY") && c.Contains("rrule[BYDAY][]=TU") && c.Contains("rrule[BYDAY][]=TH") && c.Contains("rrule[UNTIL]=2025-03-27"));
        Assert.Contains(batch.Commands, c => c.StartsWith("calendar.event.update?id=$result[") && c.Contains("recurrence_mode=this") && c.Contains("current_date_from=2025-03-11"));

        var stored = portal.Service.GetEvents();
        var master = stored.Single(e => e.RecurrenceRule is not null);
        var exception = stored.Single(e => e.RecurrenceId == master.Id);
        Assert.Equal(master.Id.ToString(), result.Id);
        Assert.Equal(master.Version.ToString(), result.Version);
        Assert.Equal("Planning (moved)", exception.Name);

        var read = Assert.Single((await side.ReadAsync(March, null, default)).Events);
        Assert.Equal(series.Start, read.Start);
        Assert.Equal(RecurrenceKind.Weekly, read.Recurrence!.Kind);
        Assert.Equal(new[] { DayOfWeek.Tuesday, DayOfWeek.Thursday }, read.Recurrence.DaysOfWeek);
        Assert.Equal(new DateTime(2025, 3, 27), read.Recurrence.Until);
        Assert.Empty(read.Recurrence.Cancelled);
        var x = Assert.Single(read.Recurrence.Exceptions);
        Assert.Equal(new DateTime(2025, 3, 11), x.OriginalDate);
        Assert.Equal(moved.Start, x.Occurrence.Start);
        Assert.Equal("Planning (moved)", x.Occurrence.Title);
    }

    [Theory]
    [InlineData("en")]
    [InlineData("de")]
    public async Task One_occurrence_is_updated_with_recurrence_mode_this_then_through_its_own_row(string culture)
    {
        await using var portal = await Portal.StartAsync(culture, "America/Chicago");
        var id = portal.Service.SeedEvent(ReadTests.Weekly(portal, "1:1", "2025-03-03 11:00:00", "2025-03-03 11:30:00", 8));
        var side = portal.Side();
        var series = Assert.Single((await side.ReadAsync(March, null, default)).Events);
        var key = OccurrenceKey.Make(id.ToString(), new DateTime(2025, 3, 17));
        var occurrence = series with
        {
            Id = key, Recurrence = null, SeriesId = id.ToString(), OriginalDate = new DateTime(2025, 3, 17),
            Start = EventTime.FromLocal(new DateTime(2025, 3, 17, 11, 0, 0), "Europe/Berlin"),
            End = EventTime.FromLocal(new DateTime(2025, 3, 17, 11, 30, 0), "Europe/Berlin"),
        };
        var moved = occurrence with
        {
            Start = EventTime.FromLocal(new DateTime(2025, 3, 18, 15, 0, 0), "Europe/Berlin"),
            End = EventTime.FromLocal(new DateTime(2025, 3, 18, 15, 30, 0), "Europe/Berlin"),
        };

        var first = Assert.Single(await side.WriteAsync(new[] { new WriteOperation("o", WriteKind.Update, key, moved, occurrence) }, new WriteHalt(), default));
        Assert.Equal(WriteStatus.Succeeded, first.Status);
        Assert.Equal(key, first.Id);
        var command = portal.Batches().SelectMany(b => b.Commands).Single(c => c.StartsWith("calendar.event.update"));
        Assert.Contains($"id={id}&", command);
        Assert.Contains("recurrence_mode=this", command);
        Assert.Contains("current_date_from=2025-03-17", command);
        var exception = Assert.Single(portal.Service.GetEvents(), e => e.RecurrenceId == id);
        Assert.Equal(exception.Version.ToString(), first.Version);

        var read = Assert.Single((await side.ReadAsync(March, null, default)).Events);
        var x = Assert.Single(read.Recurrence!.Exceptions);
        Assert.Equal(moved.Start, x.Occurrence.Start);
        Assert.Empty(read.Recurrence.Cancelled);

        // A second edit goes to the exception's own row: no second split, still one exception.
        portal.Service.Journal.Clear();
        var renamed = x.Occurrence with { Title = "1:1 (renamed)" };
        var second = Assert.Single(await side.WriteAsync(new[] { new WriteOperation("o2", WriteKind.Update, key, renamed, x.Occurrence) }, new WriteHalt(), default));
        Assert.Equal(WriteStatus.Succeeded, second.Status);
        var command2 = portal.Batches().SelectMany(b => b.Commands).Single(c => c.StartsWith("calendar.event.update"));
        Assert.Contains($"id={exception.Id}&", command2);
        Assert.DoesNotContain("recurrence_mode", command2);
        Assert.Equal("1:1 (renamed)", Assert.Single(portal.Service.GetEvents(), e => e.RecurrenceId == id).Name);

        // Deleting one occurrence (or the exception row) through REST would delete the series: refused per item.
        var refused = await side.WriteAsync(new[]
        {
            new WriteOperation("d1", WriteKind.Delete, key, null, renamed),
            new WriteOperation("d2", WriteKind.Delete, exception.Id.ToString(), null, renamed),
        }, null, default);
        Assert.All(refused, r => Assert.Equal(WriteStatus.Failed, r.Status));
        Assert.Equal(2, portal.Service.GetEvents().Count);
    }

    [Theory]
    [InlineData("en")]
    [InlineData("de")]
    public async Task Batch_of_120_creates_takes_three_batches_and_keeps_plus_signs(string culture)
    {
        await using var portal = await Portal.StartAsync(culture);
        var side = portal.Side();
        var ops = Enumerable.Range(0, 120)
            .Select(i => Make.Create("op" + i, Make.Timed($"C++ & a+b=c #{i}", new DateTime(2025, 3, 3, 8, 0, 0).AddHours(i), TimeSpan.FromMinutes(30)) with { Description = "50% off; x=1&y=2 #tag" }))
            .ToList();

        var results = await side.WriteAsync(ops, null, default);

        Assert.Equal(120, results.Count);
        Assert.All(results, r => Assert.Equal(WriteStatus.Succeeded, r.Status));
        Assert.Equal(ops.Select(o => o.OperationId), results.Select(r => r.OperationId));
        Assert.All(results, r => Assert.Equal("1", r.Version));
        var addBatches = portal.Batches().Where(b => b.Commands.Any(c => c.StartsWith("calendar.event.add"))).ToList();
        Assert.Equal(new[] { 50, 50, 20 }, addBatches.Select(b => b.Commands.Count));
        Assert.Contains("name=C%2B%2B%20%26%20a%2Bb%3Dc%20%230", addBatches[0].Commands[0]);
        var stored = portal.Service.GetEvents().ToDictionary(e => e.Id.ToString());
        for (var i = 0; i < 120; i++)
        {
            Assert.Equal($"C++ & a+b=c #{i}", stored[results[i].Id!].Name);
            Assert.Equal("50% off; x=1&y=2 #tag", stored[results[i].Id!].Description);
        }
    }

    [Fact]
    public async Task A_halt_set_by_the_other_side_stops_the_writes_at_the_next_batch_and_keeps_what_was_sent()
    {
        await using var portal = await Portal.StartAsync("en");
        var side = portal.Side();
        var ops = Enumerable.Range(0, 120)
            .Select(i => Make.Create("op" + i, Make.Timed("C" + i, new DateTime(2025, 3, 3, 8, 0, 0).AddHours(i), TimeSpan.FromMinutes(30))))
            .ToList();
        var halt = new WriteHalt();
        portal.Service.Journal.WriteHandled += _ => halt.Halt(); // the other side failed while the first batch was under way

        var results = await side.WriteAsync(ops, halt, default);

        Assert.Equal(Enumerable.Repeat(WriteStatus.Succeeded, 50).Concat(Enumerable.Repeat(WriteStatus.NotAttempted, 70)), results.Select(r => r.Status));
        Assert.Equal(50, portal.Service.GetEvents().Count);
        Assert.Single(portal.Batches(), b => b.Commands.Any(c => c.StartsWith("calendar.event.add")));
    }

    [Theory]
    [InlineData("en", false)]
    [InlineData("de", false)]
    [InlineData("en", true)]
    [InlineData("de", true)]
    public async Task A_rejected_item_becomes_its_own_failure(string culture, bool halt)
    {
        // SCENARIO 29: five items, Bitrix24 rejects the third with HTTP 400 and an empty code, in the portal's language.
        await using var portal = await Portal.StartAsync(culture);
        var side = portal.Side();
        var ghost = Make.Timed("Ghost", new DateTime(2025, 3, 5, 9, 0, 0), TimeSpan.FromHours(1)) with { Id = "987654" };
        var ops = new List<WriteOperation>
        {
            Make.Create("1", Make.Timed("One", new DateTime(2025, 3, 3, 9, 0, 0), TimeSpan.FromHours(1))),
            Make.Create("2", Make.Timed("Two", new DateTime(2025, 3, 4, 9, 0, 0), TimeSpan.FromHours(1))),
            new("3", WriteKind.Update, "987654", ghost with { Title = "Ghost 2" }, ghost),
            Make.Create("4", Make.Timed("Four", new DateTime(2025, 3, 6, 9, 0, 0), TimeSpan.FromHours(1))),
            Make.Create("5", Make.Timed("Five", new DateTime(2025, 3, 7, 9, 0, 0), TimeSpan.FromHours(1))),
        };

        var signal = halt ? new WriteHalt() : null;
        var results = await side.WriteAsync(ops, signal, default);
        Assert.Equal(halt, signal?.IsHalted == true);

        Assert.Equal(new[] { "1", "2", "3", "4", "5" }, results.Select(r => r.OperationId));
        Assert.Equal(WriteStatus.Succeeded, results[0].Status);
        Assert.Equal(WriteStatus.Succeeded, results[1].Status);
        Assert.Equal(WriteStatus.Failed, results[2].Status);
        Assert.False(string.IsNullOrEmpty(results[2].Error));
        var writeBatch = portal.Batches().First(b => b.Commands.Any(c => c.StartsWith("calendar.event.add")));
        Assert.Contains(halt ? "\"halt\":1" : "\"halt\":0", writeBatch.Request.Body);
        if (halt)
        {
            Assert.Equal(WriteStatus.NotAttempted, results[3].Status);
            Assert.Equal(WriteStatus.NotAttempted, results[4].Status);
            Assert.Equal(new[] { "One", "Two" }, portal.Service.GetEvents().Select(e => e.Name).OrderBy(n => n.Length));
        }
        else
        {
            Assert.Equal(WriteStatus.Succeeded, results[3].Status);
            Assert.Equal(WriteStatus.Succeeded, results[4].Status);
            Assert.Equal(4, portal.Service.GetEvents().Count);
        }
    }

    [Theory]
    [InlineData("en")]
    [InlineData("de")]
    public async Task Series_update_changes_pattern_and_reminder_and_reverts_a_removed_exception(string culture)
    {
        await using var portal = await Portal.StartAsync(culture);
        var side = portal.Side();
        var moved = Make.Timed("Sync (moved)", new DateTime(2025, 3, 12, 16, 0, 0), TimeSpan.FromHours(1));
        var series = Make.Timed("Sync", new DateTime(2025, 3, 3, 9, 0, 0), TimeSpan.FromHours(1)) with
        {
            ReminderMinutes = 10,
            Recurrence = new Recurrence
            {
                Kind = RecurrenceKind.Weekly, DaysOfWeek = new[] { DayOfWeek.Monday }, Count = 6,
                Exceptions = new[] { new OccurrenceException(new DateTime(2025, 3, 10), moved) },
            },
        };
        Assert.Equal(WriteStatus.Succeeded, Assert.Single(await side.WriteAsync(new[] { Make.Create("s", series) }, new WriteHalt(), default)).Status);
        var read = Assert.Single((await side.ReadAsync(March, null, default)).Events);
        Assert.Single(read.Recurrence!.Exceptions);

        var desired = read with { ReminderMinutes = null, Recurrence = read.Recurrence with { Count = 4, Exceptions = Array.Empty<OccurrenceException>() } };
        var result = Assert.Single(await side.WriteAsync(new[] { new WriteOperation("u", WriteKind.Update, read.Id, desired, read) }, new WriteHalt(), default));
        Assert.Equal(WriteStatus.Succeeded, result.Status);

        var after = Assert.Single((await side.ReadAsync(March, null, default)).Events);
        Assert.Equal(4, after.Recurrence!.Count);
        Assert.Null(after.ReminderMinutes);
        Assert.Empty(after.Recurrence.Exceptions);
        Assert.Empty(after.Recurrence.Cancelled);
        Assert.Equal(result.Version, after.Version);

        // Nothing differs now: an update of the same content sends nothing.
        portal.Service.Journal.Clear();
        var again = Assert.Single(await side.WriteAsync(new[] { new WriteOperation("u2", WriteKind.Update, after.Id, after, after) }, new WriteHalt(), default));
        Assert.Equal(WriteStatus.Succeeded, again.Status);
        Assert.DoesNotContain(portal.Batches(), b => b.Commands.Any(c => c.StartsWith("calendar.event.update")));
    }
}
