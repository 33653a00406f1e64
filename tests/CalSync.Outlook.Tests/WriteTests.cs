using System.Diagnostics;
using System.Text.Json.Nodes;
using CalSync.Engine.Model;
using CalSync.Engine.Sides;

namespace CalSync.Outlook.Tests;

public sealed class WriteTests
{
    private static WriteOperation Create(string opId, CalEvent desired, string? tx = null) =>
        new(opId, WriteKind.Create, null, desired, null) { TransactionId = tx ?? "sync1:" + opId };

    [Fact]
    public async Task Create_writes_text_body_zone_transaction_id_and_origin_stamp_and_reads_them_back()
    {
        await using var g = await Sandbox.StartAsync();
        using var side = Sandbox.Side(g);
        var desired = Sandbox.Single("Dentist", new DateTime(2025, 3, 12, 9, 0, 0, DateTimeKind.Utc)) with { OriginStamp = "sync1|bitrix24|42", Sensitivity = Sensitivity.Private, ShowAs = ShowAs.Tentative };

        var result = Assert.Single(await side.WriteAsync(new[] { Create("c1", desired, "sync1:b42") }, halt: null, default));

        Assert.Equal(WriteStatus.Succeeded, result.Status);
        Assert.NotNull(result.Version);
        var stored = Assert.Single(g.GetEvents());
        Assert.Equal(result.Id, stored["id"]!.GetValue<string>());
        Assert.Equal("W. Europe Standard Time", stored["originalStartTimeZone"]!.GetValue<string>());
        var tx = stored["transactionId"]!.GetValue<string>();
        Assert.True(Guid.TryParse(tx, out _), tx); // GUID-shaped, derived from the engine's key
        var props = stored["singleValueExtendedProperties"]!.AsArray();
        Assert.Contains(props, p => p!["id"]!.GetValue<string>() == OutlookCalendarSide.OriginStampPropertyId && p["value"]!.GetValue<string>() == "sync1|bitrix24|42");
        var post = Sandbox.Requests(g).Single(r => r.Method == "POST" && r.Path.EndsWith("/me/events"));
        Assert.Contains("\"contentType\":\"text\"", post.Body);

        var read = Assert.Single((await side.ReadAsync(Sandbox.Window, null, default)).Events);
        Assert.Equal(result.Id, read.Id);
        Assert.Equal("sync1|bitrix24|42", read.OriginStamp);
        Assert.Equal(desired.Start, read.Start);
        Assert.Equal(desired.End, read.End);
        Assert.Equal("About Dentist", read.Description);
        Assert.Equal("Room 1", read.Location);
        Assert.Equal(Sensitivity.Private, read.Sensitivity);
        Assert.Equal(ShowAs.Tentative, read.ShowAs);
        Assert.Equal(15, read.ReminderMinutes);
        Assert.Equal(new[] { "Work" }, read.Categories);
    }

    [Fact]
    public async Task Scenario9_a_create_whose_answer_is_lost_is_retried_and_leaves_exactly_one_event()
    {
        await using var g = await Sandbox.StartAsync();
        var lose = new LoseFirstAnswer(r => r.Method == HttpMethod.Post);
        using var side = Sandbox.Side(g, Sandbox.Options(g, () => lose) with { RequestTimeout = TimeSpan.FromSeconds(10) });

        var result = Assert.Single(await side.WriteAsync(new[] { Create("c1", Sandbox.Single("Once", new DateTime(2025, 3, 12, 9, 0, 0, DateTimeKind.Utc))) }, null, default));

        Assert.Equal(1, lose.Lost);
        Assert.Equal(WriteStatus.Succeeded, result.Status);
        Assert.Equal(2, g.Journal.Requests.Count(r => r.Method == "POST" && r.PathAndQuery.EndsWith("/me/events"))); // sent twice
        var only = Assert.Single(g.GetEvents());
        Assert.Equal(result.Id, only["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Scenario9_a_series_create_whose_answer_is_lost_is_retried_and_leaves_exactly_one_series()
    {
        await using var g = await Sandbox.StartAsync();
        var lose = new LoseFirstAnswer(r => r.Method == HttpMethod.Post && r.RequestUri!.AbsolutePath.EndsWith("/me/events"));
        using var side = Sandbox.Side(g, Sandbox.Options(g, () => lose));
        var series = Sandbox.Single("Series", new DateTime(2025, 3, 3, 8, 0, 0, DateTimeKind.Utc)) with
        {
            Recurrence = new Recurrence { Kind = RecurrenceKind.Weekly, DaysOfWeek = new[] { DayOfWeek.Monday }, Count = 4, Cancelled = new[] { new DateTime(2025, 3, 10) } },
        };

        var result = Assert.Single(await side.WriteAsync(new[] { Create("s1", series) }, null, default));

        Assert.Equal(1, lose.Lost);
        Assert.Equal(WriteStatus.Succeeded, result.Status);
        Assert.Single(g.GetEvents());
    }

    [Fact]
    public async Task Update_sends_only_the_fields_that_changed_and_never_resends_unchanged_attendees()
    {
        await using var g = await Sandbox.StartAsync();
        Sandbox.Seed(g, "Review", "2025-03-12T10:00:00", "2025-03-12T11:00:00", "UTC",
            ""","attendees":[{"type":"required","emailAddress":{"name":"Sam","address":"sam@example.com"}}]""");
        using var side = Sandbox.Side(g);
        var existing = Assert.Single((await side.ReadAsync(Sandbox.Window, null, default)).Events);
        Assert.Single(existing.Attendees);
        g.Journal.Clear();

        var desired = existing with { Title = "Review (v2)", Location = "Room 7" };
        var result = Assert.Single(await side.WriteAsync(new[] { new WriteOperation("u1", WriteKind.Update, existing.Id, desired, existing) }, null, default));

        Assert.Equal(WriteStatus.Succeeded, result.Status);
        Assert.NotEqual(existing.Version, result.Version);
        var patch = Sandbox.Requests(g).Single(r => r.Method == "PATCH");
        var body = JsonNode.Parse(patch.Body)!.AsObject();
        Assert.Equal(new[] { "location", "subject" }, body.Select(p => p.Key).Where(k => !k.StartsWith("@")).OrderBy(k => k));
        var stored = Assert.Single(g.GetEvents());
        Assert.Equal("Review (v2)", stored["subject"]!.GetValue<string>());
        Assert.Equal("Room 7", stored["location"]!["displayName"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_update_with_nothing_changed_sends_nothing()
    {
        await using var g = await Sandbox.StartAsync();
        Sandbox.Seed(g, "Same", "2025-03-12T10:00:00", "2025-03-12T11:00:00");
        using var side = Sandbox.Side(g);
        var existing = Assert.Single((await side.ReadAsync(Sandbox.Window, null, default)).Events);
        g.Journal.Clear();

        var result = Assert.Single(await side.WriteAsync(new[] { new WriteOperation("u1", WriteKind.Update, existing.Id, existing, existing) }, null, default));

        Assert.Equal(WriteStatus.Succeeded, result.Status);
        Assert.Empty(g.Journal.Requests);
    }

    [Fact]
    public async Task Delete_removes_the_event_and_a_second_delete_of_the_same_id_is_not_a_failure()
    {
        await using var g = await Sandbox.StartAsync();
        var id = Sandbox.Seed(g, "Bye", "2025-03-12T10:00:00", "2025-03-12T11:00:00");
        using var side = Sandbox.Side(g);

        var first = Assert.Single(await side.WriteAsync(new[] { new WriteOperation("d1", WriteKind.Delete, id, null, null) }, null, default));
        var again = Assert.Single(await side.WriteAsync(new[] { new WriteOperation("d2", WriteKind.Delete, id, null, null) }, null, default));

        Assert.True(first.Status == WriteStatus.Succeeded, first.Error);
        Assert.True(again.Status == WriteStatus.Succeeded, again.Error);
        Assert.Empty(g.GetEvents());
    }

    [Fact]
    public async Task Ids_with_slash_plus_and_equals_work_for_batched_and_direct_requests()
    {
        await using var g = await Sandbox.StartAsync();
        var a = Sandbox.Seed(g, "A", "2025-03-12T10:00:00", "2025-03-12T11:00:00");
        var b = Sandbox.Seed(g, "B", "2025-03-13T10:00:00", "2025-03-13T11:00:00");
        Assert.Contains('/', a);
        Assert.Contains('+', a);
        Assert.EndsWith("=", a);
        using var side = Sandbox.Side(g);
        var events = (await side.ReadAsync(Sandbox.Window, null, default)).Events;
        Assert.Contains(events, e => e.Id == a);
        var existing = events.Single(e => e.Id == a);

        var results = await side.WriteAsync(new[]
        {
            new WriteOperation("u", WriteKind.Update, a, existing with { Title = "A2" }, existing),
            new WriteOperation("d", WriteKind.Delete, b, null, null),
        }, null, default);

        Assert.All(results, r => Assert.Equal(WriteStatus.Succeeded, r.Status));
        var stored = Assert.Single(g.GetEvents());
        Assert.Equal(a, stored["id"]!.GetValue<string>());
        Assert.Equal("A2", stored["subject"]!.GetValue<string>());
        // the batch carried the ids percent-encoded, not split at '/'
        Assert.Contains(g.Journal.Requests, r => r.Method == "DELETE" && r.PathAndQuery.Contains(Uri.EscapeDataString(b)));
    }

    [Fact]
    public async Task Forty_five_creates_go_in_3_batches_and_never_more_than_4_requests_run_at_once()
    {
        await using var g = await Sandbox.StartAsync();
        g.OperationLatency = TimeSpan.FromMilliseconds(100);
        using var side = Sandbox.Side(g);
        var ops = Enumerable.Range(0, 45).Select(i => Create("c" + i, Sandbox.Single("Bulk " + i, new DateTime(2025, 3, 10, 8, 0, 0, DateTimeKind.Utc).AddHours(i)))).ToList();

        var results = await side.WriteAsync(ops, halt: null, default);

        Assert.All(results, r => Assert.Equal(WriteStatus.Succeeded, r.Status));
        Assert.Equal(ops.Select(o => o.OperationId), results.Select(r => r.OperationId));
        Assert.Equal(45, results.Select(r => r.Id).Distinct().Count());
        Assert.Equal(45, g.GetEvents().Count);
        Assert.Equal(3, side.BatchRequestsSent);
        Assert.Equal(3, g.Journal.Requests.Count(r => r.PathAndQuery.EndsWith("/$batch")));
        Assert.InRange(g.MaxObservedConcurrency, 2, 4); // the stand-in runs up to 4 inner requests of a batch at once
        Assert.InRange(side.MaxConcurrentRequestsObserved, 1, 4);
    }

    [Fact]
    public async Task Scenario30_inner_429s_wait_for_their_Retry_After_and_nothing_is_marked_failed()
    {
        await using var g = await Sandbox.StartAsync();
        using var side = Sandbox.Side(g);
        var ops = Enumerable.Range(0, 25).Select(i => Create("c" + i, Sandbox.Single("Bulk " + i, new DateTime(2025, 3, 10, 8, 0, 0, DateTimeKind.Utc).AddHours(i)))).ToList();
        g.ThrottleNext(3, 2); // the first three mailbox requests answer 429 with Retry-After: 2

        var clock = Stopwatch.StartNew();
        var results = await side.WriteAsync(ops, halt: null, default);
        clock.Stop();

        Assert.All(results, r => Assert.Equal(WriteStatus.Succeeded, r.Status));
        Assert.Equal(25, g.GetEvents().Count);
        Assert.Equal(28, g.Journal.Requests.Count(r => r.Method == "POST" && r.PathAndQuery.EndsWith("/me/events"))); // 3 re-sent
        Assert.Equal(3, side.BatchRequestsSent); // 20 + 5, then one batch with the 3 throttled ones
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(2), "Retry-After was not honoured: " + clock.Elapsed);
        Assert.InRange(g.MaxObservedConcurrency, 1, 4);
    }

    [Fact]
    public async Task Two_sides_on_one_mailbox_share_the_four_request_limit()
    {
        await using var g = await Sandbox.StartAsync();
        g.OperationLatency = TimeSpan.FromMilliseconds(30);
        for (var i = 0; i < 12; i++) Sandbox.Seed(g, "E" + i, $"2025-03-{10 + i}T10:00:00", $"2025-03-{10 + i}T11:00:00");
        using var one = Sandbox.Side(g);
        using var two = Sandbox.Side(g);
        var ops = Enumerable.Range(0, 30).Select(i => Create("x" + i, Sandbox.Single("X" + i, new DateTime(2025, 4, 1, 8, 0, 0, DateTimeKind.Utc).AddHours(i)))).ToList();

        await Task.WhenAll(
            one.WriteAsync(ops.Take(15).ToList(), null, default),
            two.WriteAsync(ops.Skip(15).ToList(), null, default),
            one.ReadAsync(Sandbox.Window, null, default),
            two.ReadAsync(Sandbox.Window, null, default));

        Assert.InRange(g.MaxObservedConcurrency, 1, 4);
        Assert.Equal(42, g.GetEvents().Count);
    }

    [Fact]
    public async Task A_failed_item_in_a_batch_is_reported_on_its_own_and_the_others_succeed()
    {
        await using var g = await Sandbox.StartAsync();
        var missing = Sandbox.Seed(g, "Will vanish", "2025-03-12T10:00:00", "2025-03-12T11:00:00");
        using var side = Sandbox.Side(g);
        var existing = Assert.Single((await side.ReadAsync(Sandbox.Window, null, default)).Events);
        await Sandbox.SendAsync(g, HttpMethod.Delete, Sandbox.Path(missing));

        var results = await side.WriteAsync(new[]
        {
            Create("c1", Sandbox.Single("One", new DateTime(2025, 3, 14, 8, 0, 0, DateTimeKind.Utc))),
            new WriteOperation("u1", WriteKind.Update, missing, existing with { Title = "x" }, existing),
            Create("c3", Sandbox.Single("Three", new DateTime(2025, 3, 15, 8, 0, 0, DateTimeKind.Utc))),
        }, halt: null, default);

        Assert.Equal(new[] { "c1", "u1", "c3" }, results.Select(r => r.OperationId));
        Assert.Equal(WriteStatus.Succeeded, results[0].Status);
        Assert.Equal(WriteStatus.Failed, results[1].Status);
        Assert.Contains("ErrorItemNotFound", results[1].Error);
        Assert.DoesNotContain(g.AccessToken, results[1].Error);
        Assert.Equal(WriteStatus.Succeeded, results[2].Status);
        Assert.Equal(2, g.GetEvents().Count);
    }

    [Fact]
    public async Task With_halt_on_error_nothing_after_the_first_failure_is_written()
    {
        await using var g = await Sandbox.StartAsync();
        var missing = Sandbox.Seed(g, "Will vanish", "2025-03-12T10:00:00", "2025-03-12T11:00:00");
        using var side = Sandbox.Side(g);
        var existing = Assert.Single((await side.ReadAsync(Sandbox.Window, null, default)).Events);
        await Sandbox.SendAsync(g, HttpMethod.Delete, Sandbox.Path(missing));

        var results = await side.WriteAsync(new[]
        {
            Create("c1", Sandbox.Single("One", new DateTime(2025, 3, 14, 8, 0, 0, DateTimeKind.Utc))),
            new WriteOperation("u1", WriteKind.Update, missing, existing with { Title = "x" }, existing),
            Create("c3", Sandbox.Single("Three", new DateTime(2025, 3, 15, 8, 0, 0, DateTimeKind.Utc))),
            Create("c4", Sandbox.Single("Four", new DateTime(2025, 3, 16, 8, 0, 0, DateTimeKind.Utc))),
        }, halt: new WriteHalt(), default);

        Assert.Equal(new[] { WriteStatus.Succeeded, WriteStatus.Failed, WriteStatus.NotAttempted, WriteStatus.NotAttempted }, results.Select(r => r.Status));
        Assert.Equal(new[] { "One" }, g.GetEvents().Select(e => e["subject"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_halt_set_by_the_other_side_stops_the_writes_at_the_next_batch_and_keeps_what_was_sent()
    {
        await using var g = await Sandbox.StartAsync();
        using var side = Sandbox.Side(g);
        var ops = Enumerable.Range(0, 30).Select(i => Create("x" + i, Sandbox.Single("X" + i, new DateTime(2025, 4, 1, 8, 0, 0, DateTimeKind.Utc).AddHours(i)))).ToList();
        var halt = new WriteHalt();
        g.Journal.WriteHandled += _ => halt.Halt(); // the other side failed while the first $batch was under way

        var results = await side.WriteAsync(ops, halt, default);

        Assert.Equal(Enumerable.Repeat(WriteStatus.Succeeded, 20).Concat(Enumerable.Repeat(WriteStatus.NotAttempted, 10)), results.Select(r => r.Status));
        Assert.Equal(20, g.GetEvents().Count);
        Assert.Equal(1, side.BatchRequestsSent);
    }

    [Fact]
    public async Task A_failed_item_sets_the_halt()
    {
        await using var g = await Sandbox.StartAsync();
        using var side = Sandbox.Side(g);
        var halt = new WriteHalt();
        var results = await side.WriteAsync(new[] { new WriteOperation("u1", WriteKind.Update, "no-such-event", Sandbox.Single("X", new DateTime(2025, 4, 1, 8, 0, 0, DateTimeKind.Utc)), null) }, halt, default);
        Assert.Equal(WriteStatus.Failed, Assert.Single(results).Status);
        Assert.True(halt.IsHalted);
    }

    [Fact]
    public async Task Scenario26_a_series_with_a_moved_and_a_cancelled_occurrence_is_created_and_reads_back_the_same()
    {
        await using var g = await Sandbox.StartAsync();
        using var side = Sandbox.Side(g);
        var start = new DateTime(2025, 3, 3, 8, 0, 0, DateTimeKind.Utc); // Monday 09:00 Berlin
        var master = Sandbox.Single("Weekly sync", start, 30) with { OriginStamp = "s|b|7" };
        var moved = Sandbox.Single("Weekly sync (moved)", new DateTime(2025, 3, 18, 13, 0, 0, DateTimeKind.Utc), 30);
        var desired = master with
        {
            Recurrence = new Recurrence
            {
                Kind = RecurrenceKind.Weekly, DaysOfWeek = new[] { DayOfWeek.Monday }, Count = 6,
                Cancelled = new[] { new DateTime(2025, 3, 24) },
                Exceptions = new[] { new OccurrenceException(new DateTime(2025, 3, 17), moved) },
            },
        };

        var result = Assert.Single(await side.WriteAsync(new[] { Create("s1", desired) }, null, default));

        Assert.Equal(WriteStatus.Succeeded, result.Status);
        var read = Assert.Single((await side.ReadAsync(Sandbox.Window, null, default)).Events);
        Assert.Equal(result.Id, read.Id);
        Assert.Equal(result.Version, read.Version);
        Assert.Equal("s|b|7", read.OriginStamp);
        Assert.Equal(desired.Start, read.Start);
        Assert.Equal(new[] { new DateTime(2025, 3, 24) }, read.Recurrence!.Cancelled);
        var exception = Assert.Single(read.Recurrence.Exceptions);
        Assert.Equal(new DateTime(2025, 3, 17), exception.OriginalDate);
        Assert.Equal("Weekly sync (moved)", exception.Occurrence.Title);
        Assert.Equal(moved.Start, exception.Occurrence.Start);
        Assert.Equal(6, read.Recurrence.Count);
        var instances = await Sandbox.InstancesAsync(g, result.Id!, "2025-03-01T00:00:00Z", "2025-05-01T00:00:00Z");
        Assert.Equal(5, instances.Count); // 6 minus the cancelled one
    }

    [Fact]
    public async Task Series_update_applies_new_exceptions_and_cancellations_through_instances()
    {
        await using var g = await Sandbox.StartAsync();
        g.SeedEvent("""
            {"subject":"Yoga","start":{"dateTime":"2025-03-05T18:00:00","timeZone":"W. Europe Standard Time"},"end":{"dateTime":"2025-03-05T19:00:00","timeZone":"W. Europe Standard Time"},
             "recurrence":{"pattern":{"type":"weekly","interval":1,"daysOfWeek":["wednesday"]},"range":{"type":"endDate","startDate":"2025-03-05","endDate":"2025-04-30"}}}
            """);
        using var side = Sandbox.Side(g);
        var existing = Assert.Single((await side.ReadAsync(Sandbox.Window, null, default)).Events);
        var occurrence = existing with { Recurrence = null, Title = "Yoga (late)", Start = EventTime.FromLocal(new DateTime(2025, 3, 12, 20, 0, 0), "Europe/Berlin"), End = EventTime.FromLocal(new DateTime(2025, 3, 12, 21, 0, 0), "Europe/Berlin") };
        var desired = existing with
        {
            Title = "Yoga class",
            Recurrence = existing.Recurrence! with
            {
                Cancelled = new[] { new DateTime(2025, 3, 19) },
                Exceptions = new[] { new OccurrenceException(new DateTime(2025, 3, 12), occurrence) },
            },
        };

        var result = Assert.Single(await side.WriteAsync(new[] { new WriteOperation("u1", WriteKind.Update, existing.Id, desired, existing) }, null, default));

        Assert.Equal(WriteStatus.Succeeded, result.Status);
        var read = Assert.Single((await side.ReadAsync(Sandbox.Window, null, default)).Events);
        Assert.Equal("Yoga class", read.Title);
        Assert.Equal(new[] { new DateTime(2025, 3, 19) }, read.Recurrence!.Cancelled);
        var ex = Assert.Single(read.Recurrence.Exceptions);
        Assert.Equal("Yoga (late)", ex.Occurrence.Title);
        Assert.Equal(new DateTime(2025, 3, 12, 19, 0, 0, DateTimeKind.Utc), ex.Occurrence.Start.Value);
    }

    [Fact]
    public async Task Moving_a_series_to_another_time_applies_its_cancellations_and_exceptions_again()
    {
        // Exchange drops cancelled and edited occurrences when the master's times change; the fidelity edit pass found a
        // moved Bitrix24 series whose cancelled occurrence came back on its Outlook copy.
        await using var g = await Sandbox.StartAsync();
        var seriesId = g.SeedEvent("""
            {"subject":"Yoga","start":{"dateTime":"2025-03-05T18:00:00","timeZone":"W. Europe Standard Time"},"end":{"dateTime":"2025-03-05T19:00:00","timeZone":"W. Europe Standard Time"},
             "recurrence":{"pattern":{"type":"weekly","interval":1,"daysOfWeek":["wednesday"]},"range":{"type":"numbered","startDate":"2025-03-05","numberOfOccurrences":6}}}
            """);
        var instances = await Sandbox.InstancesAsync(g, seriesId, "2025-03-01T00:00:00Z", "2025-05-01T00:00:00Z");
        await Sandbox.SendAsync(g, HttpMethod.Delete, Sandbox.Path(instances[2]!["id"]!.GetValue<string>()), null);
        await Sandbox.SendAsync(g, HttpMethod.Patch, Sandbox.Path(instances[1]!["id"]!.GetValue<string>()), """{"subject":"Yoga (late)","start":{"dateTime":"2025-03-12T20:00:00","timeZone":"W. Europe Standard Time"},"end":{"dateTime":"2025-03-12T21:00:00","timeZone":"W. Europe Standard Time"}}""");
        using var side = Sandbox.Side(g);
        var existing = Assert.Single((await side.ReadAsync(Sandbox.Window, null, default)).Events);
        Assert.Equal(new[] { new DateTime(2025, 3, 19) }, existing.Recurrence!.Cancelled);
        var desired = existing with
        {
            Start = EventTime.FromLocal(new DateTime(2025, 3, 5, 17, 0, 0), "Europe/Berlin"),
            End = EventTime.FromLocal(new DateTime(2025, 3, 5, 18, 30, 0), "Europe/Berlin"),
        };

        var result = Assert.Single(await side.WriteAsync(new[] { new WriteOperation("u1", WriteKind.Update, existing.Id, desired, existing) }, null, default));

        Assert.Equal(WriteStatus.Succeeded, result.Status);
        var read = Assert.Single((await side.ReadAsync(Sandbox.Window, null, default)).Events);
        Assert.Equal(desired.Start, read.Start);
        Assert.Equal(new[] { new DateTime(2025, 3, 19) }, read.Recurrence!.Cancelled);
        var ex = Assert.Single(read.Recurrence.Exceptions);
        Assert.Equal(("Yoga (late)", new DateTime(2025, 3, 12, 19, 0, 0, DateTimeKind.Utc)), (ex.Occurrence.Title, ex.Occurrence.Start.Value));
        Assert.Equal(5, (await Sandbox.InstancesAsync(g, seriesId, "2025-03-01T00:00:00Z", "2025-05-01T00:00:00Z")).Count);
    }

    [Fact]
    public async Task Renaming_a_series_keeps_the_desired_content_of_exceptions_that_inherited_the_old_name()
    {
        // Outlook exceptions inherit every field they do not override: the master's PATCH renames a moved occurrence too,
        // so the writer must send the exception's own (unchanged) name again.
        await using var g = await Sandbox.StartAsync();
        var seriesId = g.SeedEvent("""
            {"subject":"Standup","location":{"displayName":"Room 1"},"start":{"dateTime":"2025-03-03T10:00:00","timeZone":"W. Europe Standard Time"},"end":{"dateTime":"2025-03-03T10:30:00","timeZone":"W. Europe Standard Time"},
             "recurrence":{"pattern":{"type":"weekly","interval":1,"daysOfWeek":["monday"]},"range":{"type":"numbered","startDate":"2025-03-03","numberOfOccurrences":4}}}
            """);
        var instance = (await Sandbox.InstancesAsync(g, seriesId, "2025-03-10T00:00:00Z", "2025-03-11T00:00:00Z")).Single()!["id"]!.GetValue<string>();
        await Sandbox.SendAsync(g, HttpMethod.Patch, Sandbox.Path(instance), """{"start":{"dateTime":"2025-03-10T15:00:00","timeZone":"W. Europe Standard Time"},"end":{"dateTime":"2025-03-10T15:30:00","timeZone":"W. Europe Standard Time"}}""");
        using var side = Sandbox.Side(g);
        var existing = Assert.Single((await side.ReadAsync(Sandbox.Window, null, default)).Events);
        Assert.Equal(("Standup", "Room 1"), (Assert.Single(existing.Recurrence!.Exceptions).Occurrence.Title, existing.Recurrence.Exceptions[0].Occurrence.Location));
        // The master is renamed and moved to Room 2; the moved occurrence keeps its name and gets Room 2 as well.
        var exception = existing.Recurrence.Exceptions[0];
        var desired = existing with
        {
            Title = "Daily standup",
            Location = "Room 2",
            Recurrence = existing.Recurrence with { Exceptions = new[] { exception with { Occurrence = exception.Occurrence with { Location = "Room 2" } } } },
        };

        var result = Assert.Single(await side.WriteAsync(new[] { new WriteOperation("u1", WriteKind.Update, existing.Id, desired, existing) }, null, default));

        Assert.Equal(WriteStatus.Succeeded, result.Status);
        var read = Assert.Single((await side.ReadAsync(Sandbox.Window, null, default)).Events);
        Assert.Equal(("Daily standup", "Room 2"), (read.Title, read.Location));
        var ex = Assert.Single(read.Recurrence!.Exceptions).Occurrence;
        Assert.Equal(("Standup", "Room 2"), (ex.Title, ex.Location));
        Assert.Equal(new DateTime(2025, 3, 10, 14, 0, 0, DateTimeKind.Utc), ex.Start.Value);
    }

    [Fact]
    public async Task One_occurrence_is_updated_and_another_deleted_through_the_series_instances()
    {
        await using var g = await Sandbox.StartAsync();
        var seriesId = g.SeedEvent("""
            {"subject":"1:1","start":{"dateTime":"2025-03-04T15:00:00","timeZone":"UTC"},"end":{"dateTime":"2025-03-04T15:30:00","timeZone":"UTC"},
             "recurrence":{"pattern":{"type":"weekly","interval":1,"daysOfWeek":["tuesday"]},"range":{"type":"numbered","startDate":"2025-03-04","numberOfOccurrences":5}}}
            """);
        using var side = Sandbox.Side(g);
        var series = Assert.Single((await side.ReadAsync(Sandbox.Window, null, default)).Events);
        var existingOccurrence = series with { Recurrence = null, Id = OccurrenceKey.Make(seriesId, new DateTime(2025, 3, 11)), Start = EventTime.Timed(new DateTime(2025, 3, 11, 15, 0, 0, DateTimeKind.Utc), "UTC"), End = EventTime.Timed(new DateTime(2025, 3, 11, 15, 30, 0, DateTimeKind.Utc), "UTC") };
        var desiredOccurrence = existingOccurrence with { Title = "1:1 (agenda)" };
        g.Journal.Clear();

        var results = await side.WriteAsync(new[]
        {
            new WriteOperation("u1", WriteKind.Update, existingOccurrence.Id, desiredOccurrence, existingOccurrence),
            new WriteOperation("d1", WriteKind.Delete, OccurrenceKey.Make(seriesId, new DateTime(2025, 3, 18)), null, null),
        }, null, default);

        Assert.All(results, r => Assert.Equal(WriteStatus.Succeeded, r.Status));
        Assert.Equal(existingOccurrence.Id, results[0].Id);
        Assert.Contains(g.Journal.Requests, r => r.PathAndQuery.Contains("/instances", StringComparison.OrdinalIgnoreCase));
        var patch = Sandbox.Requests(g).Single(r => r.Method == "PATCH");
        Assert.Equal(new[] { "subject" }, JsonNode.Parse(patch.Body)!.AsObject().Select(p => p.Key).Where(k => !k.StartsWith("@")));
        var read = Assert.Single((await side.ReadAsync(Sandbox.Window, null, default)).Events);
        Assert.Equal(new[] { new DateTime(2025, 3, 18) }, read.Recurrence!.Cancelled);
        Assert.Equal("1:1 (agenda)", Assert.Single(read.Recurrence.Exceptions).Occurrence.Title);
        Assert.Equal(4, (await Sandbox.InstancesAsync(g, seriesId, "2025-03-01T00:00:00Z", "2025-05-01T00:00:00Z")).Count);
    }

    [Fact]
    public void CannotExpress_is_null_for_every_pattern_the_model_has_and_explains_broken_ones()
    {
        using var side = new OutlookCalendarSide(new OutlookConnectionOptions { Endpoint = "http://127.0.0.1:9/v1.0" }, new Auth.AccessTokenSource("t"));
        var series = Sandbox.Single("S", new DateTime(2025, 3, 3, 8, 0, 0, DateTimeKind.Utc));
        foreach (var kind in Enum.GetValues<RecurrenceKind>())
        {
            var r = new Recurrence { Kind = kind, DaysOfWeek = new[] { DayOfWeek.Monday }, DayOfMonth = 3, Month = 3, Index = WeekIndex.Last, Until = new DateTime(2025, 12, 31) };
            Assert.Null(side.CannotExpress(r, series));
        }
        Assert.NotNull(side.CannotExpress(new Recurrence { Kind = RecurrenceKind.Weekly }, series));
    }
}

/// <summary>Sends the first matching request to the server and then throws as if its answer had been lost on the way back.</summary>
internal sealed class LoseFirstAnswer : DelegatingHandler
{
    private readonly Func<HttpRequestMessage, bool> _match;
    private int _lost;

    public LoseFirstAnswer(Func<HttpRequestMessage, bool> match) : base(new SocketsHttpHandler()) => _match = match;

    public int Lost => _lost;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (_match(request) && Interlocked.CompareExchange(ref _lost, 1, 0) == 0)
        {
            response.Dispose();
            throw new HttpRequestException("The connection was reset before the answer arrived (simulated).");
        }
        return response;
    }
}
