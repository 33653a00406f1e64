using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CalSync.Engine.Model;
using CalSync.Engine.Probing;
using CalSync.Engine.Sides;
using CalSync.Engine.Sync;
using CalSync.Outlook.Http;
using CalSync.Outlook.Reading;
using CalSync.Outlook.Writing;
using Microsoft.Kiota.Abstractions;
using G = Microsoft.Graph.Models;

namespace CalSync.Outlook.Probing;

/// <summary>
/// The conformance probe of an Outlook connection (docs/graph-api.md, "Conformance probe"): in a scratch calendar it
/// makes and deletes itself, the connector's own reader and writer (same client, sign-in and parsing as a sync) check
/// the Graph behaviours the sync relies on. Nothing outside the scratch calendar is read or written, except the list of
/// calendar names (to find scratch calendars a killed probe left); the scope is the sync's (Calendars.ReadWrite).
/// </summary>
public static class OutlookProbe
{
    private const string Doc = "docs/graph-api.md#";
    private const string DstGapZone = "Eastern Standard Time";
    private static readonly DateTime DstGapWall = new(2030, 3, 10, 2, 30, 0);

    /// <summary>What the probe creates, for -WhatIf.</summary>
    public static IReadOnlyList<string> WillCreate => new[]
    {
        $"an Outlook calendar '{ProbeScratch.Prefix}<UTC stamp>' holding 6 test meetings (deleted with the calendar at the end)",
    };

    /// <summary>Deletes scratch calendars earlier probes left (by name and stamp); returns their names.</summary>
    public static async Task<IReadOnlyList<string>> RemoveLeftoversAsync(OutlookConnectionOptions options, CancellationToken cancellationToken)
    {
        var tokens = await OutlookCalendarSide.TokensAsync(options, cancellationToken).ConfigureAwait(false);
        using var graph = new OutlookGraphClient(options with { CalendarId = null }, tokens);
        return await RemoveLeftoversAsync(graph, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<string>> RemoveLeftoversAsync(OutlookGraphClient graph, CancellationToken cancellationToken)
    {
        var removed = new List<string>();
        var page = await graph.Client.Me.Calendars.GetAsync(rc => rc.QueryParameters.Select = new[] { "id", "name" }, cancellationToken).ConfigureAwait(false);
        var leftovers = new List<G.Calendar>();
        while (page?.Value is { } value)
        {
            leftovers.AddRange(value.Where(c => c.Id is not null && ProbeScratch.IsScratch(c.Name)));
            if (string.IsNullOrEmpty(page.OdataNextLink)) break;
            page = await graph.Client.Me.Calendars.WithUrl(page.OdataNextLink).GetAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        foreach (var calendar in leftovers)
        {
            await graph.Client.Me.Calendars[calendar.Id].DeleteAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            removed.Add(calendar.Name!);
        }
        return removed;
    }

    /// <summary>
    /// Runs every Graph probe. The scratch calendar is deleted in every path (a failure, a cancellation); a killed
    /// process leaves it to the next probe's <see cref="RemoveLeftoversAsync(OutlookConnectionOptions, CancellationToken)"/>.
    /// <paramref name="created"/> hears the scratch calendar's name as soon as it exists, <paramref name="warn"/> a
    /// scratch calendar that could not be deleted (the next probe deletes it).
    /// </summary>
    public static async Task<IReadOnlyList<ProbeResult>> RunAsync(OutlookConnectionOptions options, DateTimeOffset now, Action<string>? created, Action<string>? warn, CancellationToken cancellationToken)
    {
        var tokens = await OutlookCalendarSide.TokensAsync(options, cancellationToken).ConfigureAwait(false);
        using var graph = new OutlookGraphClient(options with { CalendarId = null }, tokens);
        await RemoveLeftoversAsync(graph, cancellationToken).ConfigureAwait(false);
        var name = ProbeScratch.NewName(now);
        var calendar = await graph.Client.Me.Calendars.PostAsync(new G.Calendar { Name = name }, cancellationToken: cancellationToken).ConfigureAwait(false);
        var calendarId = calendar?.Id ?? throw new SideUnavailableException(Side.Outlook, "Outlook did not return the probe calendar's id.", isAuthentication: false);
        created?.Invoke(name);
        try
        {
            using var scratch = new OutlookGraphClient(options with { CalendarId = calendarId, PageSize = 2 }, tokens);
            return await new Run(scratch, now).ProbeAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Also after a cancellation (Ctrl+C): the calendar and everything in it goes, bounded so a dead service cannot hang the stop.
            using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try { await graph.Client.Me.Calendars[calendarId].DeleteAsync(cancellationToken: cleanup.Token).ConfigureAwait(false); }
            catch (Exception ex) when (ex is ApiException or OperationCanceledException or System.Net.Http.HttpRequestException)
            {
                warn?.Invoke($"The scratch calendar '{name}' could not be deleted ({ex.Message}); the next Test-CalSyncService deletes it, or delete it in Outlook.");
            }
        }
    }

    private sealed class Run
    {
        private readonly OutlookGraphClient _graph;
        private readonly CalendarReader _reader;
        private readonly CalendarWriter _writer;
        private readonly SyncWindow _window;
        private readonly List<ProbeResult> _results = new();

        public Run(OutlookGraphClient graph, DateTimeOffset now)
        {
            _graph = graph;
            var batch = new GraphBatch(graph);
            _reader = new CalendarReader(graph, batch, OutlookCalendarSide.OriginStampPropertyId, () => now.UtcDateTime);
            _writer = new CalendarWriter(graph, batch, OutlookCalendarSide.OriginStampPropertyId);
            var day = now.UtcDateTime.Date.AddDays(1);
            _window = new SyncWindow(day, day.AddDays(14));
        }

        public async Task<IReadOnlyList<ProbeResult>> ProbeAsync(CancellationToken ct)
        {
            // Delta on the scratch (secondary) calendar: the rounds below need it.
            CalendarReader.DeltaRound? first = null;
            string refusal = "";
            try { first = await _reader.RunDeltaAsync(_window, null, ct).ConfigureAwait(false); }
            catch (CalendarReader.DeltaRefusedException ex) { refusal = ex.Message; }
            Add(ProbeNames.GraphSecondaryDelta, "Delta of the calendar view works on a calendar other than the default one (v1.0 documents it for the default calendar; the connector falls back to comparing views)",
                "delta-on-a-secondary-calendar", "a delta round ending in a deltaLink",
                first is null ? "refused: " + refusal : "a delta round ending in a deltaLink", first is not null);

            // Three stamped meetings in Tokyo time; the second create repeats the first one's transactionId.
            var made = new List<string>();
            for (var i = 0; i < 3; i++)
                made.Add(await CreateAsync(Meeting(i), "calsync-probe-" + i, ct).ConfigureAwait(false));
            var repeat = await CreateAsync(Meeting(0), "calsync-probe-0", ct).ConfigureAwait(false);
            Add(ProbeNames.GraphTransactionId, "A create repeating a transactionId returns the event made first instead of a second one",
                "creating-with-a-transactionid", "the id of the event made first",
                repeat == made[0] ? "the id of the event made first" : "a second event (another id)", repeat == made[0]);

            await ProbeStampFilterAsync(made, ct).ConfigureAwait(false);
            await ProbeDstGapAsync(ct).ConfigureAwait(false);

            if (first?.DeltaLink is not { } link)
            {
                const string skipped = "not checked: this service has no delta on a secondary calendar, and the probe reads no other calendar";
                Add(ProbeNames.GraphMaxPageSize, MaxPageBelief, "delta-pages", "pages of at most 2 events, 3 in all", skipped, null);
                Add(ProbeNames.GraphDeltaTimeZone, ZoneBelief, "prefer-outlooktimezone-in-delta", "start and end in UTC", skipped, null);
                Add(ProbeNames.GraphDeltaTombstone, TombstoneBelief, "a-tombstone-is-not-a-deletion", "a tombstone (@removed) for it, and the event still readable by id", skipped, null);
                return _results;
            }
            var round = await _reader.RunDeltaAsync(_window, link, ct).ConfigureAwait(false);
            var ours = round.Changed.Where(e => e.Id is not null && made.Contains(e.Id)).ToList();
            var pages = string.Join("+", round.PageSizes);
            Add(ProbeNames.GraphMaxPageSize, MaxPageBelief, "delta-pages", "pages of at most 2 events, 3 in all",
                $"pages of {pages} event(s), {ours.Count} of the 3 in all", round.PageSizes.All(n => n <= 2) && ours.Count == 3);
            var zones = ours.SelectMany(e => new[] { e.Start?.TimeZone, e.End?.TimeZone }).Distinct().ToList();
            Add(ProbeNames.GraphDeltaTimeZone, ZoneBelief, "prefer-outlooktimezone-in-delta", "start and end in UTC",
                ours.Count == 0 ? "no event in the round" : "start and end in " + string.Join(", ", zones.Select(z => z ?? "(none)")),
                ours.Count > 0 && zones.All(z => z == "UTC"));

            // Moved out of the window: the next round should say so with a tombstone, and the event still exists.
            var moved = await MoveOutAsync(made[1], ct).ConfigureAwait(false);
            var after = await _reader.RunDeltaAsync(_window, round.DeltaLink, ct).ConfigureAwait(false);
            var exists = (await _reader.ReadByIdAsync(new[] { made[1] }, ct).ConfigureAwait(false)).ContainsKey(made[1]);
            var observed = after.Removed.Contains(made[1]) ? "a tombstone (@removed)"
                : after.Changed.Any(e => e.Id == made[1]) ? "the event as a change (no tombstone)"
                : "nothing about the moved event";
            Add(ProbeNames.GraphDeltaTombstone, TombstoneBelief, "a-tombstone-is-not-a-deletion", "a tombstone (@removed) for it, and the event still readable by id",
                observed + (exists ? ", and the event still readable by id" : ", and the event not readable by id"), moved && after.Removed.Contains(made[1]) && exists);
            return _results;
        }

        private const string MaxPageBelief = "Delta honours Prefer: odata.maxpagesize (pages no larger than asked) and pages with @odata.nextLink";
        private const string ZoneBelief = "Delta honours Prefer: outlook.timezone=\"UTC\" (times come in UTC)";
        private const string TombstoneBelief = "A meeting moved out of the delta's date range comes as a tombstone, the same as a deletion (so absence is confirmed by id before deleting)";

        private async Task ProbeStampFilterAsync(List<string> made, CancellationToken ct)
        {
            const string expected = "the 3 stamped events listed with their stamps";
            const string belief = "Events can be listed with $filter=singleValueExtendedProperties/Any(ep: ep/id eq '…' and startswith(ep/value, 'calsync|'))";
            Dictionary<string, string?> stamped;
            try { stamped = await _reader.ListStampedAsync(ct).ConfigureAwait(false); }
            catch (ApiException ex) when (ex.ResponseStatusCode is 400 or 501)
            {
                Add(ProbeNames.GraphStampFilter, belief, "listing-stamped-events", expected, "refused: " + GraphErrors.Describe(ex), false);
                return;
            }
            var listed = made.Distinct().Count(id => stamped.TryGetValue(id, out var s) && s?.StartsWith(Planner.OriginStampPrefix, StringComparison.Ordinal) == true);
            Add(ProbeNames.GraphStampFilter, belief, "listing-stamped-events", expected, $"{listed} of the 3 stamped events listed with their stamps", listed == 3);
        }

        private async Task ProbeDstGapAsync(CancellationToken ct)
        {
            // A wall time that does not exist (02:30 on the day New York springs forward), as an Outlook user may type it.
            var body = new G.Event
            {
                Subject = "CalSync probe: DST gap",
                Start = new G.DateTimeTimeZone { DateTime = DstGapWall.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture), TimeZone = DstGapZone },
                End = new G.DateTimeTimeZone { DateTime = DstGapWall.AddHours(1).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture), TimeZone = DstGapZone },
            };
            var ev = await _graph.Client.Me.Calendars[_graph.Options.CalendarId].Events.PostAsync(body, cancellationToken: ct).ConfigureAwait(false);
            var read = ev?.Id is { } id ? (await _reader.ReadByIdAsync(new[] { id }, ct).ConfigureAwait(false)).GetValueOrDefault(id) : null;
            var expected = new DateTime(2030, 3, 10, 7, 30, 0, DateTimeKind.Utc); // 02:30 at the offset before the gap (-05:00)
            Add(ProbeNames.GraphDstGap, "A start in a DST gap is read with the offset before the gap (RFC 5545 §3.3.5: 02:30 becomes 03:30 daylight time)",
                "dst-gaps", "2030-03-10 07:30 UTC",
                read is null ? "the event could not be read back" : read.Start.Value.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC",
                read is not null && read.Start.Value == expected);
        }

        private CalEvent Meeting(int i)
        {
            var start = EventTime.FromLocal(_window.StartUtc.AddDays(2 + i).AddHours(10), "Asia/Tokyo");
            return new CalEvent
            {
                Title = "CalSync probe " + (i + 1), Start = start, End = start.Add(TimeSpan.FromMinutes(30)),
                OriginStamp = Planner.OriginStampPrefix + "calsync-probe|Bitrix24|" + i,
            };
        }

        private async Task<string> CreateAsync(CalEvent desired, string transactionKey, CancellationToken ct)
        {
            var op = new WriteOperation("probe:create:" + transactionKey, WriteKind.Create, null, desired, null) { TransactionId = transactionKey };
            var result = (await _writer.WriteAsync(new[] { op }, null, ct).ConfigureAwait(false))[0];
            return result.Status == WriteStatus.Succeeded && result.Id is { } id ? id
                : throw new SideUnavailableException(Side.Outlook, "Outlook refused the probe's test meeting: " + result.Error, isAuthentication: false);
        }

        private async Task<bool> MoveOutAsync(string id, CancellationToken ct)
        {
            var existing = (await _reader.ReadByIdAsync(new[] { id }, ct).ConfigureAwait(false)).GetValueOrDefault(id);
            if (existing is null) return false;
            var start = EventTime.Timed(_window.EndUtc.AddDays(30), existing.Start.TimeZone);
            var op = new WriteOperation("probe:update:" + id, WriteKind.Update, id, existing with { Start = start, End = start.Add(TimeSpan.FromMinutes(30)) }, existing);
            return (await _writer.WriteAsync(new[] { op }, null, ct).ConfigureAwait(false))[0].Status == WriteStatus.Succeeded;
        }

        private void Add(string name, string belief, string anchor, string expected, string observed, bool? passed) =>
            _results.Add(new ProbeResult(name, belief, Doc + anchor, expected, observed, passed));
    }
}
