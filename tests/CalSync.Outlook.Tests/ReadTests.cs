using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using CalSync.Engine.Model;
using CalSync.Engine.Sides;

namespace CalSync.Outlook.Tests;

public sealed class ReadTests
{
    [Fact]
    public async Task Reads_zoned_single_as_Berlin_with_same_utc_instants_across_dst_and_all_day_as_dates()
    {
        await using var g = await Sandbox.StartAsync();
        // 2025-03-30 is the DST change in Berlin: 09:00 local is 08:00Z before and 07:00Z after.
        Sandbox.Seed(g, "Before DST", "2025-03-28T09:00:00", "2025-03-28T10:00:00", "W. Europe Standard Time");
        Sandbox.Seed(g, "After DST", "2025-03-31T09:00:00", "2025-03-31T10:30:00", "W. Europe Standard Time");
        g.SeedEvent("""{"subject":"Holiday","isAllDay":true,"start":{"dateTime":"2025-03-10T00:00:00","timeZone":"Pacific Standard Time"},"end":{"dateTime":"2025-03-11T00:00:00","timeZone":"Pacific Standard Time"}}""");
        using var side = Sandbox.Side(g);

        var snapshot = await side.ReadAsync(Sandbox.Window, null, default);

        var before = snapshot.Events.Single(e => e.Title == "Before DST");
        Assert.Equal("Europe/Berlin", before.Start.TimeZone);
        Assert.Equal(new DateTime(2025, 3, 28, 8, 0, 0, DateTimeKind.Utc), before.Start.Value);
        Assert.Equal(new DateTime(2025, 3, 28, 9, 0, 0), before.Start.Local);
        var after = snapshot.Events.Single(e => e.Title == "After DST");
        Assert.Equal("Europe/Berlin", after.Start.TimeZone);
        Assert.Equal(new DateTime(2025, 3, 31, 7, 0, 0, DateTimeKind.Utc), after.Start.Value);
        Assert.Equal(new DateTime(2025, 3, 31, 8, 30, 0, DateTimeKind.Utc), after.End.Value);
        Assert.Equal("Agenda for Before DST", before.Description); // HTML body became plain text

        var holiday = snapshot.Events.Single(e => e.Title == "Holiday");
        Assert.True(holiday.IsAllDay);
        Assert.Equal(new DateTime(2025, 3, 10), holiday.Start.Value);
        Assert.Equal(new DateTime(2025, 3, 11), holiday.End.Value); // one day, end exclusive
    }

    [Fact]
    public async Task All_day_series_made_in_a_zone_east_of_utc_keys_its_exceptions_by_their_own_dates()
    {
        await using var g = await Sandbox.StartAsync();
        // An Outlook client in Lord Howe (UTC+11) makes an all-day weekly series: originalStart of an occurrence is its
        // local midnight, 13:00Z the day before.
        var seriesId = g.SeedEvent("""
            {"subject":"Gym","isAllDay":true,"start":{"dateTime":"2025-03-03T00:00:00","timeZone":"Lord Howe Standard Time"},
             "end":{"dateTime":"2025-03-04T00:00:00","timeZone":"Lord Howe Standard Time"},
             "recurrence":{"pattern":{"type":"weekly","interval":1,"daysOfWeek":["monday"]},
                           "range":{"type":"numbered","startDate":"2025-03-03","numberOfOccurrences":4,"recurrenceTimeZone":"Lord Howe Standard Time"}}}
            """);
        var instances = await Sandbox.InstancesAsync(g, seriesId, "2025-03-01T00:00:00Z", "2025-05-01T00:00:00Z");
        var tenth = instances.Single(i => i!["start"]!["dateTime"]!.GetValue<string>().StartsWith("2025-03-10"))!["id"]!.GetValue<string>();
        await Sandbox.SendAsync(g, HttpMethod.Patch, Sandbox.Path(tenth), """{"subject":"Gym (other room)"}""");
        using var side = Sandbox.Side(g);
        var series = Assert.Single((await side.ReadAsync(Sandbox.Window, null, default)).Events);
        var exception = Assert.Single(series.Recurrence!.Exceptions);
        Assert.Equal(new DateTime(2025, 3, 10), exception.OriginalDate);
        Assert.Equal("Gym (other room)", exception.Occurrence.Title);
        Assert.Equal(new DateTime(2025, 3, 10), exception.Occurrence.Start.Value);
    }

    [Fact]
    public async Task Reads_weekly_series_as_one_event_with_moved_and_cancelled_occurrences()
    {
        await using var g = await Sandbox.StartAsync();
        var seriesId = g.SeedEvent("""
            {"subject":"Standup","start":{"dateTime":"2025-03-03T09:00:00","timeZone":"W. Europe Standard Time"},
             "end":{"dateTime":"2025-03-03T09:30:00","timeZone":"W. Europe Standard Time"},
             "recurrence":{"pattern":{"type":"weekly","interval":1,"daysOfWeek":["monday"]},
                           "range":{"type":"numbered","startDate":"2025-03-03","numberOfOccurrences":6}}}
            """);
        var instances = await Sandbox.InstancesAsync(g, seriesId, "2025-03-01T00:00:00Z", "2025-05-01T00:00:00Z");
        Assert.Equal(6, instances.Count);
        string IdOn(string date) => instances.Single(i => i!["start"]!["dateTime"]!.GetValue<string>().StartsWith(date))!["id"]!.GetValue<string>();
        // move 17 March to Tuesday 10:00 with its own subject; cancel 24 March
        await Sandbox.SendAsync(g, HttpMethod.Patch, Sandbox.Path(IdOn("2025-03-17")),
            """{"subject":"Standup (moved)","start":{"dateTime":"2025-03-18T10:00:00","timeZone":"W. Europe Standard Time"},"end":{"dateTime":"2025-03-18T10:30:00","timeZone":"W. Europe Standard Time"}}""");
        await Sandbox.SendAsync(g, HttpMethod.Delete, Sandbox.Path(IdOn("2025-03-24")));
        using var side = Sandbox.Side(g);

        var snapshot = await side.ReadAsync(Sandbox.Window, null, default);

        var series = Assert.Single(snapshot.Events);
        Assert.Equal(seriesId, series.Id);
        Assert.Equal("Standup", series.Title);
        Assert.Equal(new DateTime(2025, 3, 3, 8, 0, 0, DateTimeKind.Utc), series.Start.Value);
        Assert.Equal("Europe/Berlin", series.Start.TimeZone);
        var r = series.Recurrence!;
        Assert.Equal(RecurrenceKind.Weekly, r.Kind);
        Assert.Equal(new[] { DayOfWeek.Monday }, r.DaysOfWeek);
        Assert.Equal(6, r.Count);
        Assert.Equal(new[] { new DateTime(2025, 3, 24) }, r.Cancelled);
        var moved = Assert.Single(r.Exceptions);
        Assert.Equal(new DateTime(2025, 3, 17), moved.OriginalDate);
        Assert.Equal("Standup (moved)", moved.Occurrence.Title);
        Assert.Equal(new DateTime(2025, 3, 18, 9, 0, 0, DateTimeKind.Utc), moved.Occurrence.Start.Value);
        Assert.Equal(OccurrenceKey.Make(seriesId, new DateTime(2025, 3, 17)), moved.Occurrence.Id);
    }

    [Fact]
    public async Task Thin_delta_occurrences_take_their_content_from_the_series_master()
    {
        await using var g = await Sandbox.StartAsync();
        g.ThinOccurrences = true;
        g.SeedEvent("""
            {"subject":"Gym","location":{"displayName":"Club"},"start":{"dateTime":"2025-03-04T18:00:00","timeZone":"UTC"},"end":{"dateTime":"2025-03-04T19:00:00","timeZone":"UTC"},
             "recurrence":{"pattern":{"type":"daily","interval":7},"range":{"type":"endDate","startDate":"2025-03-04","endDate":"2025-03-25"}}}
            """);
        using var side = Sandbox.Side(g);

        var series = Assert.Single((await side.ReadAsync(Sandbox.Window, null, default)).Events);

        Assert.Equal("Gym", series.Title);
        Assert.Equal("Club", series.Location);
        Assert.Equal(RecurrenceKind.Daily, series.Recurrence!.Kind);
        Assert.Equal(7, series.Recurrence.Interval);
        Assert.Equal(new DateTime(2025, 3, 25), series.Recurrence.Until);
    }

    [Fact]
    public async Task Second_read_without_changes_costs_one_delta_request_and_returns_the_same_snapshot()
    {
        await using var g = await Sandbox.StartAsync();
        g.DefaultPageSize = 2;
        for (var i = 0; i < 5; i++) Sandbox.Seed(g, "Meeting " + i, $"2025-03-1{i}T10:00:00", $"2025-03-1{i}T11:00:00");
        g.SeedEvent("""{"subject":"Weekly","start":{"dateTime":"2025-03-03T12:00:00","timeZone":"UTC"},"end":{"dateTime":"2025-03-03T13:00:00","timeZone":"UTC"},"recurrence":{"pattern":{"type":"weekly","interval":1,"daysOfWeek":["monday"]},"range":{"type":"numbered","startDate":"2025-03-03","numberOfOccurrences":3}}}""");
        using var side = Sandbox.Side(g, Sandbox.Options(g) with { PageSize = 2 });
        var first = await side.ReadAsync(Sandbox.Window, null, default);
        Assert.True(side.LastReadWasFullPass);
        Assert.Equal(6, first.Events.Count);
        Assert.Contains(g.Journal.Requests, r => r.PathAndQuery.Contains("skiptoken", StringComparison.OrdinalIgnoreCase)); // several pages were followed
        g.Journal.Clear();

        var second = await side.ReadAsync(Sandbox.Window, first.Cursor, default);

        var request = Assert.Single(g.Journal.Requests);
        Assert.Contains("deltatoken", request.PathAndQuery, StringComparison.OrdinalIgnoreCase);
        Assert.False(side.LastReadWasFullPass);
        Assert.Equal(Sandbox.Text(first.Events), Sandbox.Text(second.Events));
        // Nothing changed: a new delta link, the snapshot part handed back as read (the same array: the store does not
        // write it again); it reads the same again.
        Assert.NotEqual(first.Cursor!.Text, second.Cursor!.Text);
        Assert.NotNull(first.Cursor.Data);
        Assert.Same(first.Cursor.Data, second.Cursor.Data);
        var third = await side.ReadAsync(Sandbox.Window, second.Cursor, default);
        Assert.False(side.LastReadWasFullPass);
        Assert.Equal(Sandbox.Text(first.Events), Sandbox.Text(third.Events));
    }

    private static void SameCursor(Engine.Sides.SideCursor? expected, Engine.Sides.SideCursor? actual)
    {
        Assert.Equal(expected!.Text, actual!.Text);
        Assert.Equal(expected.Data, actual.Data);
    }

    /// <summary>The cursor in a form CalSync does not write (header and snapshot, both base64, inside the text).</summary>
    private static string InTheText(Engine.Sides.SideCursor cursor) =>
        "calsync.outlook.v3:" + cursor.Text!.Substring("calsync.outlook.v4:".Length) + "." + Convert.ToBase64String(cursor.Data!);

    [Fact]
    public void The_cursor_round_trips_and_one_in_another_form_is_not_read()
    {
        var cursor = new Reading.OutlookCursor
        {
            WindowStartUtc = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc), WindowEndUtc = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc),
            CalendarId = "cal", DeltaLink = "https://graph/delta?$deltatoken=x", FullPassUtc = new DateTime(2025, 6, 1, 0, 0, 0, DateTimeKind.Utc),
        };
        cursor.Items["a"] = new Wire.StoredItem { Id = "a", Subject = "Dentist", ChangeKey = "ck1", Stamp = "calsync|x", StampKnown = true };
        cursor.Masters["m"] = new Wire.StoredItem { Id = "m", Type = "seriesMaster", Subject = "Weekly" };

        var encoded = cursor.Encode();
        Assert.StartsWith("calsync.outlook.v4:", encoded.Text);
        Assert.DoesNotContain(".", encoded.Text!.Substring("calsync.outlook.v4:".Length)); // the snapshot is not in the text
        var again = Reading.OutlookCursor.TryDecode(encoded)!;
        Assert.Equal(encoded, again.Encode(again.EncodedSnapshot));
        SameCursor(encoded, again.Encode());
        // Another form: the same parts, both inside the text.
        Assert.Null(Reading.OutlookCursor.TryDecode(InTheText(encoded)));
        Assert.Equal(("cal", "https://graph/delta?$deltatoken=x", cursor.FullPassUtc), (again.CalendarId, again.DeltaLink, again.FullPassUtc));
        Assert.Equal(("Dentist", "ck1", "calsync|x"), (again.Items["a"].Subject, again.Items["a"].ChangeKey, again.Items["a"].Stamp));
        Assert.Equal("Weekly", again.Masters["m"].Subject);

        // Another form: header and snapshot in one gzip'd JSON object.
        var json = JsonSerializer.SerializeToUtf8Bytes(new { cursor.WindowStartUtc, cursor.WindowEndUtc, cursor.CalendarId, cursor.DeltaLink, cursor.FullPassUtc, cursor.Items, cursor.Masters });
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(json);
        Assert.Null(Reading.OutlookCursor.TryDecode("calsync.outlook.v1:" + Convert.ToBase64String(buffer.ToArray())));
        // A header without its mailbox part.
        var header = Convert.FromBase64String(encoded.Text.Substring("calsync.outlook.v4:".Length));
        using var plain = new MemoryStream();
        using (var gzip = new GZipStream(new MemoryStream(header), CompressionMode.Decompress)) gzip.CopyTo(plain);
        var cut = plain.ToArray()[..(8 + 8 + 1 + "cal".Length + 1 + cursor.DeltaLink!.Length + 8)];
        using var packed = new MemoryStream();
        using (var gzip = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(cut);
        Assert.NotNull(Reading.OutlookCursor.TryDecode(encoded));
        Assert.Null(Reading.OutlookCursor.TryDecode(new Engine.Sides.SideCursor("calsync.outlook.v4:" + Convert.ToBase64String(packed.ToArray()), encoded.Data)));
        // v4 without its snapshot (the store lost the file) or with a damaged one: not read (a full pass).
        Assert.Null(Reading.OutlookCursor.TryDecode(encoded.Text));
        Assert.Null(Reading.OutlookCursor.TryDecode(new Engine.Sides.SideCursor(encoded.Text, encoded.Data![..^40])));
        Assert.Null(Reading.OutlookCursor.TryDecode(new Engine.Sides.SideCursor(encoded.Text, new byte[] { 1, 2, 3 })));

        Assert.Null(Reading.OutlookCursor.TryDecode("calsync.outlook.v2:nodot"));
        Assert.Null(Reading.OutlookCursor.TryDecode("calsync.outlook.v2:AAAA.AAAA"));
        Assert.Null(Reading.OutlookCursor.TryDecode("calsync.outlook.v3:AAAA.AAAA"));
    }

    [Fact]
    public async Task A_cursor_in_another_form_means_one_full_read_and_a_damaged_one_too()
    {
        await using var g = await Sandbox.StartAsync();
        await EventPageTests.SeedEveryShapeAsync(g);
        using var side = Sandbox.Side(g);
        var first = await side.ReadAsync(Sandbox.Window, null, default);
        Assert.StartsWith("calsync.outlook.v4:", first.Cursor!.Text);
        Assert.NotNull(first.Cursor.Data);
        var decoded = Reading.OutlookCursor.TryDecode(first.Cursor)!;
        SameCursor(first.Cursor, decoded.Encode()); // round-trips exactly
        Assert.Contains(decoded.Masters.Values, m => m.Recurrence is { Count: null, Until: not null, Zone: "Europe/Berlin" });
        Assert.Contains(decoded.Items.Values, i => i.Stamp == "s|Bitrix24|42" && i.Attendees.Count == 2);

        // The same cursor in a form CalSync does not write: one full read, and the cursor it leaves is read incrementally.
        g.Journal.Clear();
        var other = await side.ReadAsync(Sandbox.Window, InTheText(first.Cursor), default);
        Assert.True(side.LastReadWasFullPass);
        Assert.Equal(Sandbox.Text(first.Events), Sandbox.Text(other.Events));
        Assert.StartsWith("calsync.outlook.v4:", other.Cursor!.Text);
        g.Journal.Clear();
        var next = await side.ReadAsync(Sandbox.Window, other.Cursor, default);
        Assert.False(side.LastReadWasFullPass);
        Assert.Single(g.Journal.Requests);
        Assert.Equal(Sandbox.Text(first.Events), Sandbox.Text(next.Events));

        // Damage in the snapshot part (gzip's CRC, a cut) or a lost snapshot: not read, the next read is a full pass.
        var data = first.Cursor.Data!;
        var bytes = (byte[])data.Clone();
        bytes[20] ^= 0x5A;
        var flipped = new Engine.Sides.SideCursor(first.Cursor.Text, bytes);
        Assert.Null(Reading.OutlookCursor.TryDecode(flipped));
        Assert.Null(Reading.OutlookCursor.TryDecode(new Engine.Sides.SideCursor(first.Cursor.Text, data[..^40])));
        Assert.Null(Reading.OutlookCursor.TryDecode(first.Cursor.Text));
        var lost = await side.ReadAsync(Sandbox.Window, first.Cursor.Text, default);
        Assert.True(side.LastReadWasFullPass);
        Assert.Equal(Sandbox.Text(first.Events), Sandbox.Text(lost.Events));
        var third = await side.ReadAsync(Sandbox.Window, flipped, default);
        Assert.True(side.LastReadWasFullPass);
        Assert.Equal(Sandbox.Text(first.Events), Sandbox.Text(third.Events));
    }

    [Fact]
    public async Task Removed_tombstone_drops_the_event_and_a_change_is_picked_up()
    {
        await using var g = await Sandbox.StartAsync();
        g.EmptyDeltaPages = 1; // every round starts with "value": [] and a nextLink: keep following
        var keep = Sandbox.Seed(g, "Keep", "2025-03-10T10:00:00", "2025-03-10T11:00:00");
        var gone = Sandbox.Seed(g, "Gone", "2025-03-11T10:00:00", "2025-03-11T11:00:00");
        using var side = Sandbox.Side(g);
        var first = await side.ReadAsync(Sandbox.Window, null, default);
        await Sandbox.SendAsync(g, HttpMethod.Delete, Sandbox.Path(gone));
        await Sandbox.SendAsync(g, HttpMethod.Patch, Sandbox.Path(keep), """{"subject":"Keep (renamed)"}""");

        var second = await side.ReadAsync(Sandbox.Window, first.Cursor, default);

        Assert.False(side.LastReadWasFullPass);
        var only = Assert.Single(second.Events);
        Assert.Equal(keep, only.Id);
        Assert.Equal("Keep (renamed)", only.Title);
    }

    [Fact]
    public async Task Changes_and_removals_outside_the_window_are_not_deletions()
    {
        await using var g = await Sandbox.StartAsync();
        Sandbox.Seed(g, "Inside", "2025-03-10T10:00:00", "2025-03-10T11:00:00");
        var outside = Sandbox.Seed(g, "Outside", "2025-07-10T10:00:00", "2025-07-10T11:00:00");
        using var side = Sandbox.Side(g);
        var first = await side.ReadAsync(Sandbox.Window, null, default);
        Assert.Single(first.Events);
        // changes outside the window come back as @removed tombstones of ids the side never held
        await Sandbox.SendAsync(g, HttpMethod.Patch, Sandbox.Path(outside), """{"subject":"Outside (edited)"}""");
        var fresh = Sandbox.Seed(g, "New outside", "2025-08-01T10:00:00", "2025-08-01T11:00:00");
        await Sandbox.SendAsync(g, HttpMethod.Delete, Sandbox.Path(fresh));
        g.Journal.Clear();

        var second = await side.ReadAsync(Sandbox.Window, first.Cursor, default);

        Assert.False(side.LastReadWasFullPass);
        Assert.Equal(Sandbox.Text(first.Events), Sandbox.Text(second.Events));
    }

    [Fact]
    public async Task An_event_moved_out_of_the_window_leaves_the_snapshot()
    {
        await using var g = await Sandbox.StartAsync();
        var id = Sandbox.Seed(g, "Moves away", "2025-03-10T10:00:00", "2025-03-10T11:00:00");
        using var side = Sandbox.Side(g);
        var first = await side.ReadAsync(Sandbox.Window, null, default);
        Assert.Single(first.Events);
        await Sandbox.SendAsync(g, HttpMethod.Patch, Sandbox.Path(id),
            """{"start":{"dateTime":"2025-09-10T10:00:00","timeZone":"UTC"},"end":{"dateTime":"2025-09-10T11:00:00","timeZone":"UTC"}}""");

        var second = await side.ReadAsync(Sandbox.Window, first.Cursor, default);

        Assert.Empty(second.Events);
    }

    [Fact]
    public async Task Expired_delta_token_410_drops_the_token_and_reads_the_whole_window()
    {
        await using var g = await Sandbox.StartAsync();
        Sandbox.Seed(g, "A", "2025-03-10T10:00:00", "2025-03-10T11:00:00");
        using var side = Sandbox.Side(g);
        var first = await side.ReadAsync(Sandbox.Window, null, default);
        g.ExpireDeltaTokens();
        Sandbox.Seed(g, "B", "2025-03-12T10:00:00", "2025-03-12T11:00:00");
        g.Journal.Clear();

        var second = await side.ReadAsync(Sandbox.Window, first.Cursor, default);

        Assert.True(side.LastReadWasFullPass);
        Assert.Equal(new[] { "A", "B" }, second.Events.Select(e => e.Title).OrderBy(t => t));
        var requests = g.Journal.Requests;
        Assert.Contains("deltatoken", requests[0].PathAndQuery, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(requests.Skip(1), r => r.PathAndQuery.Contains("startDateTime", StringComparison.OrdinalIgnoreCase));
        // and the new cursor works incrementally again
        g.Journal.Clear();
        await side.ReadAsync(Sandbox.Window, second.Cursor, default);
        Assert.False(side.LastReadWasFullPass);
        Assert.Single(g.Journal.Requests);
    }

    [Fact]
    public async Task A_full_reconciliation_runs_when_the_interval_has_passed_and_finds_deletions_delta_missed()
    {
        await using var g = await Sandbox.StartAsync();
        Sandbox.Seed(g, "A", "2025-03-10T10:00:00", "2025-03-10T11:00:00");
        var now = new DateTime(2025, 3, 5, 12, 0, 0, DateTimeKind.Utc);
        using var side = Sandbox.Side(g, clock: () => now);
        var first = await side.ReadAsync(Sandbox.Window, null, default);

        now = now.AddHours(1);
        await side.ReadAsync(Sandbox.Window, first.Cursor, default);
        Assert.False(side.LastReadWasFullPass);

        now = now.AddHours(24);
        g.Journal.Clear();
        var later = await side.ReadAsync(Sandbox.Window, first.Cursor, default);
        Assert.True(side.LastReadWasFullPass);
        Assert.Contains(g.Journal.Requests, r => r.PathAndQuery.Contains("startDateTime", StringComparison.OrdinalIgnoreCase));
        Assert.Single(later.Events);
    }

    [Fact]
    public async Task A_different_window_starts_a_new_full_pass()
    {
        await using var g = await Sandbox.StartAsync();
        Sandbox.Seed(g, "A", "2025-03-10T10:00:00", "2025-03-10T11:00:00");
        Sandbox.Seed(g, "Late", "2025-05-10T10:00:00", "2025-05-10T11:00:00");
        using var side = Sandbox.Side(g);
        var first = await side.ReadAsync(Sandbox.Window, null, default);
        Assert.Single(first.Events);

        var wider = new SyncWindow(Sandbox.Window.StartUtc, Sandbox.Window.EndUtc.AddMonths(1));
        var second = await side.ReadAsync(wider, first.Cursor, default);

        Assert.True(side.LastReadWasFullPass);
        Assert.Equal(2, second.Events.Count);
    }

    [Fact]
    public async Task A_persistent_outage_is_a_side_failure_not_an_authentication_one()
    {
        await using var g = await Sandbox.StartAsync();
        g.Faults.ServerErrorRate = 1;
        using var side = Sandbox.Side(g, Sandbox.Options(g) with { ThrottleRetries = 1 });

        var ex = await Assert.ThrowsAsync<SideUnavailableException>(() => side.ReadAsync(Sandbox.Window, null, default));

        Assert.False(ex.IsAuthentication);
        Assert.Equal(Side.Outlook, ex.Side);
    }

    [Fact]
    public async Task A_dropped_connection_is_retried_and_the_read_completes()
    {
        await using var g = await Sandbox.StartAsync();
        Sandbox.Seed(g, "A", "2025-03-10T10:00:00", "2025-03-10T11:00:00");
        var lose = new LoseFirstAnswer(r => r.Method == HttpMethod.Get);
        using var side = Sandbox.Side(g, Sandbox.Options(g, () => lose));

        var snapshot = await side.ReadAsync(Sandbox.Window, null, default);

        Assert.Equal(1, lose.Lost);
        Assert.Single(snapshot.Events);
    }
}
