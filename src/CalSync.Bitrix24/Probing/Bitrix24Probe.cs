using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using CalSync.Bitrix24.Wire;
using CalSync.Bitrix24.Rest;
using CalSync.Engine.Model;
using CalSync.Engine.Probing;
using CalSync.Engine.Sides;

namespace CalSync.Bitrix24.Probing;

/// <summary>
/// The conformance probe of a Bitrix24 connection (docs/bitrix24-api.md, "Conformance probe"): in a scratch calendar
/// (section) it makes and deletes itself, the connector's REST client (same auth, bucket and retries as a sync) and row
/// parsing check the portal behaviours the sync relies on. Nothing outside the scratch section is read or written,
/// except the list of the user's calendar names (to find sections a killed probe left); the scope is the sync's (calendar).
/// </summary>
public static class Bitrix24Probe
{
    private const string Doc = "docs/bitrix24-api.md#";
    private const string FarZone = "Pacific/Kiritimati"; // UTC+14: no one's user zone in practice, so a reset to the user's zone shows

    /// <summary>What the probe creates, for -WhatIf.</summary>
    public static IReadOnlyList<string> WillCreate => new[]
    {
        $"a Bitrix24 calendar '{ProbeScratch.Prefix}<UTC stamp>' holding 6 test meetings (deleted with the calendar at the end)",
        "a burst of up to 70 calendar.section.get calls (300 on the Enterprise tier) until the portal answers its rate limit: other apps of the portal may wait a few seconds",
    };

    /// <summary>Deletes scratch sections earlier probes left (by name and stamp); returns their names.</summary>
    public static async Task<IReadOnlyList<string>> RemoveLeftoversAsync(Bitrix24ConnectionOptions options, CancellationToken cancellationToken)
    {
        using var client = new Bitrix24RestClient(options);
        return await RemoveLeftoversAsync(client, new Bitrix24Sections(client, options.CalendarType), cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<string>> RemoveLeftoversAsync(Bitrix24RestClient client, Bitrix24Sections sections, CancellationToken cancellationToken)
    {
        var removed = new List<string>();
        foreach (var section in (await sections.ListAsync(cancellationToken).ConfigureAwait(false)).Where(s => ProbeScratch.IsScratch(s.Name)))
        {
            await sections.DeleteAsync(section.Id, cancellationToken).ConfigureAwait(false);
            removed.Add(section.Name);
        }
        return removed;
    }

    /// <summary>
    /// Runs every Bitrix24 probe. The scratch section is deleted in every path (a failure, a cancellation); a killed
    /// process leaves it to the next probe's <see cref="RemoveLeftoversAsync(Bitrix24ConnectionOptions, CancellationToken)"/>.
    /// </summary>
    public static async Task<IReadOnlyList<ProbeResult>> RunAsync(Bitrix24ConnectionOptions options, DateTimeOffset now, Action<string>? created, Action<string>? warn, CancellationToken cancellationToken)
    {
        using var client = new Bitrix24RestClient(options);
        var sections = new Bitrix24Sections(client, options.CalendarType);
        await RemoveLeftoversAsync(client, sections, cancellationToken).ConfigureAwait(false);
        var name = ProbeScratch.NewName(now);
        var section = await sections.CreateAsync(name, null, cancellationToken).ConfigureAwait(false);
        created?.Invoke(name);
        var results = new List<ProbeResult>();
        try
        {
            await new Run(client, options.CalendarType, section.Id, results).ProbeAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Also after a cancellation (Ctrl+C): the section and its events go, bounded so a dead portal cannot hang the stop.
            using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try { await sections.DeleteAsync(section.Id, cleanup.Token).ConfigureAwait(false); }
            catch (Exception ex) when (ex is Bitrix24ApiException or SideUnavailableException or OperationCanceledException or System.Net.Http.HttpRequestException)
            {
                warn?.Invoke($"The scratch calendar '{name}' could not be deleted ({ex.Message}); the next Test-CalSyncService deletes it, or delete it in Bitrix24.");
            }
        }
        // Last: the burst leaves the portal's bucket full for a few seconds, which nothing above should wait for.
        results.Add(await ProbeRateLimitAsync(options, cancellationToken).ConfigureAwait(false));
        return results;
    }

    private static async Task<ProbeResult> ProbeRateLimitAsync(Bitrix24ConnectionOptions options, CancellationToken ct)
    {
        // The connector paces itself below the documented limit; this client does not, and does not retry, so the portal's answer shows.
        var burst = options.Limits.burst;
        var count = burst + 20;
        const string belief = "A request over the portal's rate limit is answered 503 QUERY_LIMIT_EXCEEDED (the connector then waits and retries)";
        const string expected = "HTTP 503 QUERY_LIMIT_EXCEEDED, taken for the rate limit";
        using var client = new Bitrix24RestClient(options with { RequestsPerSecond = 1000, Burst = 100_000, MaxRetries = 0 });
        var sections = new Bitrix24Sections(client, options.CalendarType);
        string? observed = null;
        bool? passed = null;
        try
        {
            for (var i = 0; i < count && observed is null; i++)
            {
                try { await sections.ListAsync(ct).ConfigureAwait(false); }
                catch (SideUnavailableException ex) when (ex.InnerException is RetriableException r)
                {
                    passed = r.Reason == RetryReason.QueryLimit && r.Message.Contains("503 QUERY_LIMIT_EXCEEDED", StringComparison.Ordinal);
                    observed = r.Message.Substring(r.Message.IndexOf("HTTP", StringComparison.Ordinal) is var at and >= 0 ? at : 0)
                               + (r.Reason == RetryReason.QueryLimit ? ", taken for the rate limit" : r.Reason == RetryReason.OperatingLimit ? ", taken for the operating limit" : ", taken for a transient failure");
                }
                catch (Bitrix24ApiException ex)
                {
                    passed = false;
                    observed = $"HTTP {ex.HttpStatus} {ex.Code}, taken for an error (not retried)";
                }
            }
        }
        finally
        {
            // The shared bucket back to the tier, and full (as the portal's is): the next client of this portal in this process waits for it to drain.
            LeakyBucketRegistry.For(client.PortalHost, options.Limits.rate, burst, TimeProvider.System).Fill();
        }
        return new ProbeResult(ProbeNames.Bitrix24RateLimit, belief, Doc + "the-leaky-bucket-query_limit_exceeded", expected,
            observed ?? $"not reached within {count} requests (the portal's bucket is larger than the connection's tier says)", passed);
    }

    private sealed class Run(Bitrix24RestClient client, string type, string sectionId, List<ProbeResult> results)
    {
        private static readonly DateTime Day = new(2030, 1, 14);

        public async Task ProbeAsync(CancellationToken ct)
        {
            await SkipTimeAsync(ct).ConfigureAwait(false);
            await ZonesAsync(ct).ConfigureAwait(false);
            await DateFormatAsync(ct).ConfigureAwait(false);
            await ThisReminderAsync(ct).ConfigureAwait(false);
            await BatchReferenceAsync(ct).ConfigureAwait(false);
        }

        private async Task SkipTimeAsync(CancellationToken ct)
        {
            var id = await AddAsync(new CalEvent { Title = "CalSync probe: all day", Start = EventTime.AllDay(Day), End = EventTime.AllDay(Day.AddDays(1)) }, ct).ConfigureAwait(false);
            await RenameAsync(id, ct).ConfigureAwait(false);
            var row = await GetAsync(id, ct).ConfigureAwait(false);
            Add(ProbeNames.Bitrix24SkipTime, "An update without skip_time makes an all-day event timed (so every update sends the whole time block)",
                "calendareventupdate-the-time-block-is-never-partial", "timed (SKIP_TIME N)", row is null ? "the event could not be read back" : row.AllDay ? "still all-day (SKIP_TIME Y)" : "timed (SKIP_TIME N)",
                row is { AllDay: false });
        }

        private async Task ZonesAsync(CancellationToken ct)
        {
            var start = EventTime.FromLocal(Day.AddHours(10), FarZone);
            var id = await AddAsync(new CalEvent { Title = "CalSync probe: zone", Start = start, End = start.Add(TimeSpan.FromHours(1)) }, ct).ConfigureAwait(false);
            await RenameAsync(id, ct).ConfigureAwait(false);
            var row = await GetAsync(id, ct).ConfigureAwait(false);
            var observed = row is null ? "the event could not be read back" : $"{row.Start.TimeZone} at {row.Start.Local:HH:mm}";
            Add(ProbeNames.Bitrix24Zones, "An update without timezone_from/timezone_to puts a timed event in the calling user's zone at the same wall clock (so every update sends the zones)",
                "calendareventupdate-the-time-block-is-never-partial", $"the user's zone (not {FarZone}) at 10:00", observed,
                row is not null && row.Start.TimeZone != FarZone && row.Start.Local.TimeOfDay == TimeSpan.FromHours(10));
        }

        private async Task DateFormatAsync(CancellationToken ct)
        {
            // Day 13 or more and an afternoon hour: a day/month or 12/24-hour mix-up shows.
            var wall = new DateTime(2030, 1, 13, 15, 7, 0);
            var start = EventTime.FromLocal(wall, "Europe/Berlin");
            var id = await AddAsync(new CalEvent { Title = "CalSync probe: date format", Start = start, End = start.Add(TimeSpan.FromHours(1)) }, ct).ConfigureAwait(false);
            var raw = await GetRawAsync(id, ct).ConfigureAwait(false);
            var text = raw is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty("DATE_FROM", out var f) ? f.ToString() : null;
            DateTime? culture = null;
            try { culture = Bitrix24Dates.ParseCulture(text); }
            catch (FormatException) { }
            var row = raw is { ValueKind: JsonValueKind.Object } r ? EventRow.Parse(r) : null;
            var expected = wall.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
            var observed = culture is { } c ? $"DATE_FROM '{text}' read as {c:yyyy-MM-dd HH:mm}" : $"DATE_FROM '{text}' not readable";
            if (row is not null) observed += $", the event read as {row.Start.Local:yyyy-MM-dd HH:mm}";
            Add(ProbeNames.Bitrix24DateFormat, "Dates come in the portal culture's format, which the connector reads (DATE_FROM, EXDATE, TIMESTAMP_X)",
                "portal-culture-and-dates", $"DATE_FROM read as {expected}, the event read as {expected}", observed,
                culture == wall && row?.Start.Local == wall);

            // TIMESTAMP_X of the same row: the server's wall clock, read with the server's offset, is about now.
            var stamp = row?.TimestampX is { } ts && client.ServerUtcOffset is { } offset
                ? new DateTimeOffset(DateTime.SpecifyKind(ts, DateTimeKind.Unspecified), offset).ToUniversalTime() : (DateTimeOffset?)null;
            var now = DateTimeOffset.UtcNow;
            var off = stamp is { } s ? s - now : (TimeSpan?)null;
            Add(ProbeNames.Bitrix24TimestampZone, "TIMESTAMP_X is the server's wall clock, in the zone of the answer's time.date_start (so edits on both sides can be compared)",
                "timestamp_x-server-zone", "the edit's time within 10 minutes of this computer's clock",
                off is { } d ? $"{Math.Round(d.TotalMinutes):+0;-0;0} minutes from this computer's clock" : "no TIMESTAMP_X or server offset",
                off is { } d2 && Math.Abs(d2.TotalMinutes) <= 10);
        }

        private async Task ThisReminderAsync(CancellationToken ct)
        {
            var start = EventTime.FromLocal(Day.AddDays(7).AddHours(9), "UTC");
            var series = new CalEvent
            {
                Title = "CalSync probe: series", Start = start, End = start.Add(TimeSpan.FromMinutes(30)), ReminderMinutes = 15,
                Recurrence = new Recurrence { Kind = RecurrenceKind.Daily, Interval = 1, Count = 3 },
            };
            var id = await AddAsync(series, ct).ConfigureAwait(false);
            var date = start.Local.Date.AddDays(1);
            var p = Base(id);
            p.Add(new("recurrence_mode", "this"));
            p.Add(new("current_date_from", Bitrix24Dates.Date(date)));
            var occurrence = series with { Recurrence = null, Title = "CalSync probe: exception", Start = start.Add(TimeSpan.FromDays(1)), End = start.Add(TimeSpan.FromDays(1).Add(TimeSpan.FromMinutes(30))), ReminderMinutes = 60 };
            EventParams.AddAll(p, occurrence, withRRule: false, isUpdate: true);
            await client.CallAsync("calendar.event.update", p, ct).ConfigureAwait(false);
            var rows = await GetDayAsync(date, ct).ConfigureAwait(false);
            var exception = rows.FirstOrDefault(r => r.Id != id && r.Name == occurrence.Title);
            Add(ProbeNames.Bitrix24ThisReminder, "A recurrence_mode=this edit gives the new exception row the master's reminder, whatever remind says (so the connector updates that row afterwards)",
                "recurrence_modethis-the-new-exception-takes-the-masters-reminder", "the exception's reminder 15 minutes (the master's)",
                exception is null ? "no exception row found" : $"the exception's reminder {(exception.ReminderMinutes is { } m ? m + " minutes" : "none")}",
                exception?.ReminderMinutes == 15);
        }

        private async Task BatchReferenceAsync(CancellationToken ct)
        {
            var start = EventTime.FromLocal(Day.AddDays(3).AddHours(9), "UTC");
            var add = AddParams(new CalEvent { Title = "CalSync probe: batch", Start = start, End = start.Add(TimeSpan.FromMinutes(30)) });
            var answer = await client.BatchAsync(new[]
            {
                new BatchCommand("a", "calendar.event.add", add),
                new BatchCommand("b", "calendar.event.getbyid", new List<KeyValuePair<string, object?>> { new("id", BatchReference.Result("a")) }),
            }, halt: true, ct).ConfigureAwait(false);
            var added = answer.Results.TryGetValue("a", out var a) ? Json.AsString(a) : null;
            var got = answer.Results.TryGetValue("b", out var b) && b.ValueKind == JsonValueKind.Object ? EventRow.Parse(b).Id : null;
            var observed = added is null ? "the add failed" : answer.Errors.TryGetValue("b", out var e) ? $"the second command failed: {e.Code} {e.Description}".TrimEnd()
                : got is null ? "the second command found no event" : $"the second command read event {got} (the first made {added})";
            Add(ProbeNames.Bitrix24BatchReference, "In batch, $result[key] in a later command is replaced by the earlier command's result",
                "batch", "the second command reads the event the first made", observed, added is not null && got == added);
        }

        private List<KeyValuePair<string, object?>> Base(string? id)
        {
            var p = new List<KeyValuePair<string, object?>>();
            if (id is not null) p.Add(new("id", id));
            p.Add(new("type", type));
            p.Add(new("ownerId", client.UserId));
            return p;
        }

        private List<KeyValuePair<string, object?>> AddParams(CalEvent e)
        {
            var p = Base(null);
            p.Add(new("section", sectionId));
            EventParams.AddAll(p, e, withRRule: true);
            return p;
        }

        private async Task<string> AddAsync(CalEvent e, CancellationToken ct) =>
            Json.AsString(await client.CallAsync("calendar.event.add", AddParams(e), ct).ConfigureAwait(false))
            ?? throw new SideUnavailableException(Side.Bitrix24, "Bitrix24 did not return the probe meeting's id.", isAuthentication: false);

        /// <summary>An update that sends only the name: what the portal does with everything left out is the belief.</summary>
        private async Task RenameAsync(string id, CancellationToken ct)
        {
            var p = Base(id);
            p.Add(new("name", "CalSync probe: renamed"));
            await client.CallAsync("calendar.event.update", p, ct).ConfigureAwait(false);
        }

        private async Task<JsonElement?> GetRawAsync(string id, CancellationToken ct)
        {
            var result = await client.CallAsync("calendar.event.getbyid", new List<KeyValuePair<string, object?>> { new("id", id) }, ct).ConfigureAwait(false);
            return result.ValueKind == JsonValueKind.Object ? result : null;
        }

        private async Task<EventRow?> GetAsync(string id, CancellationToken ct) =>
            await GetRawAsync(id, ct).ConfigureAwait(false) is { } raw ? EventRow.Parse(raw) : null;

        private async Task<List<EventRow>> GetDayAsync(DateTime date, CancellationToken ct)
        {
            var p = Base(null);
            p.Add(new("from", Bitrix24Dates.Date(date)));
            p.Add(new("to", Bitrix24Dates.Date(date.AddDays(1))));
            p.Add(new("section", new List<object?> { sectionId }));
            var result = await client.CallAsync("calendar.event.get", p, ct).ConfigureAwait(false);
            return Json.Items(result).Select(EventRow.Parse).ToList();
        }

        private void Add(string name, string belief, string anchor, string expected, string observed, bool? passed) =>
            results.Add(new ProbeResult(name, belief, Doc + anchor, expected, observed, passed));
    }
}
