using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using CalSync.Engine.Model;
using CalSync.Engine.Sides;
using CalSync.Engine.Sync;
using CalSync.Outlook.Http;
using CalSync.Outlook.Wire;
using Microsoft.Kiota.Abstractions;

namespace CalSync.Outlook.Reading;

/// <summary>
/// Reads the window through calendarView/delta (docs/graph-api.md, "Delta of the calendar view"): follows nextLinks
/// to the deltaLink, applies @removed tombstones to the previous snapshot (ids it does not hold are out-of-window
/// noise), restarts with a full pass on 410/SyncStateNotFound/resyncRequired, and runs a full pass anyway every
/// <see cref="OutlookConnectionOptions.FullReconciliationInterval"/> (delta misses deletions on consumer accounts).
/// Series masters (pattern, cancelledOccurrences, content) and origin stamps are fetched by id in $batch requests,
/// since delta can neither $select nor $expand.
/// </summary>
internal sealed class CalendarReader
{
    internal const string MasterSelect =
        "id,type,subject,body,start,end,isAllDay,originalStartTimeZone,originalEndTimeZone,location,showAs,sensitivity,importance,"
        + "isReminderOn,reminderMinutesBeforeStart,categories,attendees,recurrence,changeKey,lastModifiedDateTime,cancelledOccurrences,isCancelled,seriesMasterId,originalStart";

    /// <summary>The same fields for an occurrence or exception (cancelledOccurrences exists on series masters only).</summary>
    internal static readonly string InstanceSelect = MasterSelect.Replace(",cancelledOccurrences", "");

    private static readonly HashSet<string> ExpiredCodes = new(StringComparer.OrdinalIgnoreCase)
    {
        "SyncStateNotFound", "syncStateNotFound", "resyncRequired", "InvalidDeltaToken", "SyncStateInvalid",
    };

    private readonly OutlookGraphClient _graph;
    private readonly GraphBatch _batch;
    private readonly string _stampId;
    /// <summary>The $expand that brings an event's origin stamp along.</summary>
    private readonly string _stampExpand;
    private readonly Func<DateTime> _clock;

    public CalendarReader(OutlookGraphClient graph, GraphBatch batch, string stampId, Func<DateTime> clock)
    {
        _graph = graph;
        _batch = batch;
        _stampId = stampId;
        _stampExpand = $"singleValueExtendedProperties($filter=id eq '{stampId}')";
        _clock = clock;
    }

    /// <summary>A $batch GET of one event with the given $select and its stamp.</summary>
    private BatchStep GetWithStamp(string id, string select) =>
        new("GET", "/me/events/" + Uri.EscapeDataString(id) + "?$select=" + select + "&$expand=" + Uri.EscapeDataString(_stampExpand));

    /// <summary>Whether the last read was a full pass (diagnostics and tests).</summary>
    public bool LastReadWasFull { get; private set; }

    public async Task<SideSnapshot> ReadAsync(SyncWindow window, SideCursor? cursorText, CancellationToken cancellationToken)
    {
        var now = _clock();
        var calendarId = _graph.Options.CalendarId;
        var mailbox = _graph.Options.MailboxKey;
        // A cursor of another mailbox (a reconnect to another account or endpoint) is not used at all: its delta link
        // must never be sent with this account's token, and its snapshot and stamps describe another calendar.
        var previous = OutlookCursor.TryDecode(cursorText) is { } decoded && decoded.Mailbox == mailbox ? decoded : null;
        // The answer of the delta probe on a secondary calendar, asked once and kept in the cursor.
        var deltaRefused = previous is not null && previous.CalendarId == calendarId && previous.DeltaRefused;
        var incremental = previous is not null && (previous.DeltaLink is not null || deltaRefused)
            && previous.WindowStartUtc == window.StartUtc && previous.WindowEndUtc == window.EndUtc
            && previous.CalendarId == calendarId
            && now - previous.FullPassUtc < _graph.Options.FullReconciliationInterval;

        DeltaRound? round = null;
        try
        {
            if (incremental && !deltaRefused)
            {
                try { round = await RunDeltaAsync(window, previous!.DeltaLink, cancellationToken).ConfigureAwait(false); }
                catch (DeltaExpiredException ex)
                {
                    _graph.Options.Log?.Invoke("Outlook delta token expired (" + ex.Message + "); reading the whole window again.");
                    incremental = false;
                }
            }
            if (!incremental && !deltaRefused)
            {
                try { round = await RunDeltaAsync(window, null, cancellationToken).ConfigureAwait(false); }
                catch (DeltaExpiredException ex)
                {
                    throw new SideUnavailableException(Side.Outlook, "Outlook refused a fresh delta round: " + ex.Message, isAuthentication: false, ex);
                }
            }
        }
        catch (DeltaRefusedException ex)
        {
            _graph.Options.Log?.Invoke("Outlook has no delta on this calendar (" + ex.Message + "); reading its calendar view instead.");
            deltaRefused = true;
        }
        if (deltaRefused) round = await ReadViewAsync(window, incremental ? previous : null, cancellationToken).ConfigureAwait(false);
        LastReadWasFull = !incremental;

        var old = previous ?? new OutlookCursor();
        var next = new OutlookCursor
        {
            WindowStartUtc = window.StartUtc,
            WindowEndUtc = window.EndUtc,
            CalendarId = calendarId,
            Mailbox = mailbox,
            DeltaRefused = deltaRefused,
            DeltaLink = round!.DeltaLink,
            FullPassUtc = incremental ? old.FullPassUtc : now,
            Items = incremental ? new Dictionary<string, StoredItem>(old.Items, StringComparer.Ordinal) : new Dictionary<string, StoredItem>(StringComparer.Ordinal),
            Masters = incremental ? new Dictionary<string, StoredItem>(old.Masters, StringComparer.Ordinal) : new Dictionary<string, StoredItem>(StringComparer.Ordinal),
        };

        // A round that changed nothing keeps the snapshot as read (no re-encoding of the whole window).
        var snapshotChanged = !incremental || round.Changed.Count > 0;
        var mastersToRead = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in round.Removed)
        {
            // An id we never held is a change outside the window, not a deletion of ours (docs/graph-api.md, "A tombstone
            // is not a deletion").
            if (next.Items.TryGetValue(id, out var gone))
            {
                snapshotChanged = true;
                next.Items.Remove(id);
                if (gone.SeriesMasterId is not null) mastersToRead.Add(gone.SeriesMasterId);
            }
        }
        var stampsToRead = new List<string>();
        var thinExceptions = new List<string>();
        foreach (var ev in round.Changed)
        {
            var item = EventReader.ToStored(ev, _stampId);
            if (string.IsNullOrEmpty(item.Id)) continue;
            if (item.Type == "seriesMaster") { mastersToRead.Add(item.Id); continue; }
            if (!window.Overlaps(item.Start, item.End))
            {
                if (next.Items.Remove(item.Id) && item.SeriesMasterId is not null) mastersToRead.Add(item.SeriesMasterId);
                continue;
            }
            var known = old.Items.TryGetValue(item.Id, out var before) ? before : null;
            if (item.IsSingle)
            {
                if (known is not null && known.StampKnown && known.ChangeKey == item.ChangeKey && item.ChangeKey is not null)
                {
                    item.Stamp = known.Stamp;
                    item.StampKnown = true;
                }
                if (!item.StampKnown) stampsToRead.Add(item.Id);
            }
            else if (item.SeriesMasterId is not null)
            {
                mastersToRead.Add(item.SeriesMasterId);
                if (item.Type == "exception" && item.Thin) thinExceptions.Add(item.Id);
            }
            next.Items[item.Id] = item;
        }

        // Every series with something in the window needs its master; masters no longer referenced are dropped.
        var referenced = new HashSet<string>(next.Items.Values.Where(i => i.SeriesMasterId is not null).Select(i => i.SeriesMasterId!), StringComparer.Ordinal);
        foreach (var id in next.Masters.Keys.Where(k => !referenced.Contains(k)).ToList()) snapshotChanged |= next.Masters.Remove(id);
        foreach (var id in referenced.Where(id => !next.Masters.ContainsKey(id))) mastersToRead.Add(id);
        mastersToRead.IntersectWith(referenced);
        snapshotChanged |= mastersToRead.Count > 0 || thinExceptions.Count > 0 || stampsToRead.Count > 0;

        await FetchAsync(next, old, mastersToRead.ToList(), thinExceptions, stampsToRead, cancellationToken).ConfigureAwait(false);

        var events = Assemble(next);
        return new SideSnapshot(events, next.Encode(snapshotChanged ? null : old.EncodedSnapshot));
    }

    internal static IReadOnlyList<CalEvent> Assemble(OutlookCursor state)
    {
        var events = new List<CalEvent>();
        foreach (var item in state.Items.Values.Where(i => i.IsSingle && !i.IsCancelled).OrderBy(i => i.Start).ThenBy(i => i.Id, StringComparer.Ordinal))
            events.Add(EventReader.ToModel(item));
        var members = state.Items.Values.Where(i => i.SeriesMasterId is not null).ToLookup(i => i.SeriesMasterId!, StringComparer.Ordinal);
        foreach (var master in state.Masters.Values.OrderBy(m => m.Start).ThenBy(m => m.Id, StringComparer.Ordinal))
        {
            var own = members[master.Id].ToList();
            if (own.Count == 0) continue;
            if (own.All(m => m.IsCancelled)) continue;
            events.Add(EventReader.ToModel(master, own));
        }
        return events;
    }

    /// <summary>From this many events whose stamp is unknown on, the stamps are listed rather than read one by one.</summary>
    internal const int StampListThreshold = 100;

    /// <summary>Page size of the stamp listing ($top; Outlook serves up to 1000).</summary>
    internal const int StampListPageSize = 1000;

    private async Task FetchAsync(OutlookCursor next, OutlookCursor old, List<string> masters, List<string> thinExceptions, List<string> stamps, CancellationToken cancellationToken)
    {
        // Many unknown stamps (a first full pass, or the copies the last run made coming back in the delta): one listing
        // of the calendar's stamped events, a page per 1000, instead of one GET per event (each of which counts against
        // the mailbox's 10,000 requests / 10 min).
        if (stamps.Count >= StampListThreshold && await ListStampsAsync(next, old, stamps, cancellationToken).ConfigureAwait(false))
            stamps = new List<string>();
        var steps = new List<BatchStep>();
        foreach (var id in masters) steps.Add(GetWithStamp(id, MasterSelect));
        foreach (var id in thinExceptions) steps.Add(new BatchStep("GET", "/me/events/" + Uri.EscapeDataString(id) + "?$select=" + InstanceSelect));
        foreach (var id in stamps) steps.Add(GetWithStamp(id, "id,changeKey"));
        if (steps.Count == 0) return;
        var results = await _batch.RunAsync(steps, sequential: false, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < steps.Count; i++)
        {
            var result = results[i];
            if (i < masters.Count)
            {
                var id = masters[i];
                if (result.Succeeded && Parse(result.Body) is { } master) next.Masters[id] = EventReader.ToStored(master, _stampId);
                else if (result.Status == 404) DropSeries(next, id);
                else throw Unreadable("series " + id, result);
            }
            else if (i < masters.Count + thinExceptions.Count)
            {
                var id = thinExceptions[i - masters.Count];
                if (result.Succeeded && Parse(result.Body) is { } full && next.Items.TryGetValue(id, out var thin))
                {
                    var item = EventReader.ToStored(full, _stampId);
                    item.OriginalStartUtc ??= thin.OriginalStartUtc;
                    item.SeriesMasterId ??= thin.SeriesMasterId;
                    next.Items[id] = item;
                }
                else if (result.Status == 404) next.Items.Remove(id);
                else throw Unreadable("occurrence " + id, result);
            }
            else
            {
                var id = stamps[i - masters.Count - thinExceptions.Count];
                if (!next.Items.TryGetValue(id, out var item)) continue;
                if (result.Succeeded && Parse(result.Body) is { } stamped)
                {
                    var read = EventReader.ToStored(stamped, _stampId);
                    item.Stamp = read.Stamp;
                    item.StampKnown = true;
                }
                else if (result.Status == 404) next.Items.Remove(id);
                else throw Unreadable("event " + id, result);
            }
        }
    }

    /// <summary>
    /// Lists the events that carry a stamp (<c>$filter=singleValueExtendedProperties/Any(ep: ep/id eq '…' and
    /// startswith(ep/value, 'calsync|'))</c>, docs/graph-api.md, "Listing stamped events") and gives every wanted item its
    /// stamp, or none when it is not listed. False (the stamps are then read one by one) when the service refuses the
    /// filter, or when it lists nothing while the last snapshot of this calendar held stamped copies: an empty answer
    /// then means "unknown", never "no copies" (taking it for "no copies" would make every copy again).
    /// </summary>
    private async Task<bool> ListStampsAsync(OutlookCursor next, OutlookCursor old, List<string> wanted, CancellationToken cancellationToken)
    {
        Dictionary<string, string?> found;
        try { found = await ListStampedAsync(cancellationToken).ConfigureAwait(false); }
        catch (ApiException ex) when (ex.ResponseStatusCode is 400 or 501)
        {
            _graph.Options.Log?.Invoke("Outlook refused the stamp listing (" + GraphErrors.Describe(ex) + "); reading stamps one by one.");
            return false;
        }
        if (found.Count == 0 && old.Items.Values.Any(i => i.Stamp is not null))
        {
            _graph.Options.Log?.Invoke("Outlook listed no stamped events, but the last read held CalSync's copies; reading stamps one by one.");
            return false;
        }
        foreach (var id in wanted)
        {
            if (!next.Items.TryGetValue(id, out var item)) continue;
            item.Stamp = found.TryGetValue(id, out var stamp) ? stamp : null;
            item.StampKnown = true;
        }
        return true;
    }

    /// <summary>Every stamped event of the calendar (all of the mailbox without a calendar id) with its stamp; a refused filter throws.</summary>
    internal async Task<Dictionary<string, string?>> ListStampedAsync(CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, string?>(StringComparer.Ordinal);
        var filter = $"singleValueExtendedProperties/Any(ep: ep/id eq '{_stampId}' and startswith(ep/value, '{Planner.OriginStampPrefix}'))";
        var calendarId = _graph.Options.CalendarId;
        var me = _graph.Client.Me;
        {
            void Query(RequestConfiguration<Microsoft.Graph.Me.Events.EventsRequestBuilder.EventsRequestBuilderGetQueryParameters> rc)
            {
                rc.QueryParameters.Filter = filter;
                rc.QueryParameters.Select = new[] { "id", "changeKey" };
                rc.QueryParameters.Expand = new[] { _stampExpand };
                rc.QueryParameters.Top = StampListPageSize;
            }
            void QueryIn(RequestConfiguration<Microsoft.Graph.Me.Calendars.Item.Events.EventsRequestBuilder.EventsRequestBuilderGetQueryParameters> rc)
            {
                rc.QueryParameters.Filter = filter;
                rc.QueryParameters.Select = new[] { "id", "changeKey" };
                rc.QueryParameters.Expand = new[] { _stampExpand };
                rc.QueryParameters.Top = StampListPageSize;
            }
            RequestInformation Request(string? link) => calendarId is null
                ? (link is null ? me.Events.ToGetRequestInformation(Query) : me.Events.WithUrl(link).ToGetRequestInformation())
                : (link is null ? me.Calendars[calendarId].Events.ToGetRequestInformation(QueryIn) : me.Calendars[calendarId].Events.WithUrl(link).ToGetRequestInformation());
            string? link = null;
            do
            {
                var page = await ReadPageAsync(Request(link), cancellationToken).ConfigureAwait(false);
                foreach (var ev in page.Events)
                    if (ev.Id is not null) found[ev.Id] = EventReader.ToStored(ev, _stampId).Stamp;
                link = page.NextLink;
            } while (!string.IsNullOrEmpty(link));
        }
        return found;
    }

    private static void DropSeries(OutlookCursor next, string masterId)
    {
        next.Masters.Remove(masterId);
        foreach (var id in next.Items.Values.Where(i => i.SeriesMasterId == masterId).Select(i => i.Id).ToList()) next.Items.Remove(id);
    }

    /// <summary>
    /// The named events as they are now, wherever they are ($batch GETs of /me/events/{id}; docs/graph-api.md, "Reading
    /// one event"): 404 means gone; a single meeting comes back whole; a series master or an occurrence exists but is
    /// not given whole (its exceptions would need the window).
    /// </summary>
    public async Task<IReadOnlyDictionary<string, CalEvent?>> ReadByIdAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        var list = ids.ToList();
        var steps = list.Select(id => GetWithStamp(id, MasterSelect)).ToList();
        var results = await _batch.RunAsync(steps, sequential: false, cancellationToken).ConfigureAwait(false);
        var found = new Dictionary<string, CalEvent?>(StringComparer.Ordinal);
        for (var i = 0; i < list.Count; i++)
        {
            var result = results[i];
            if (result.Status == 404) continue;
            if (!result.Succeeded || Parse(result.Body) is not { } read) throw Unreadable("event " + list[i], result);
            var item = EventReader.ToStored(read, _stampId);
            if (item.IsCancelled) continue;
            found[list[i]] = item.Type == "singleInstance" ? EventReader.ToModel(item) : null;
        }
        return found;
    }

    private static SideUnavailableException Unreadable(string what, BatchStepResult result) =>
        new(Side.Outlook, $"Outlook could not read {what}: {result.Error ?? "HTTP " + result.Status}", isAuthentication: false);

    private static WireEvent? Parse(JsonElement? body) =>
        body is { ValueKind: JsonValueKind.Object } element ? element.Deserialize(OutlookJson.Default.WireEvent) : null;

    internal sealed class DeltaRound
    {
        public List<WireEvent> Changed { get; } = new();
        /// <summary>How many items each page held (the conformance probe checks odata.maxpagesize with it).</summary>
        public List<int> PageSizes { get; } = new();
        public List<string> Removed { get; } = new();
        public string? DeltaLink { get; set; }
    }

    private sealed class DeltaExpiredException : Exception
    {
        public DeltaExpiredException(string message, Exception inner) : base(message, inner) { }
    }

    /// <summary>The service has no delta on this (secondary) calendar: v1.0 documents it for the primary one only.</summary>
    internal sealed class DeltaRefusedException : Exception
    {
        public DeltaRefusedException(string message, Exception inner) : base(message, inner) { }
    }

    /// <summary>Page size of the calendar view reads that stand in for delta (Prefer: odata.maxpagesize).</summary>
    internal const int ViewListPageSize = 1000;

    /// <summary>
    /// A delta round made from the calendar view, for a calendar without delta (docs/graph-api.md, "Delta on a secondary
    /// calendar"): one listing of ids and change keys; when it matches the snapshot, that is all (nothing changed).
    /// Otherwise the view is read whole and compared with the snapshot: changed and new items, and tombstones for the
    /// snapshot's ids no longer in the window. Without a snapshot every item counts as changed.
    /// </summary>
    private async Task<DeltaRound> ReadViewAsync(SyncWindow window, OutlookCursor? snapshot, CancellationToken cancellationToken)
    {
        var round = new DeltaRound();
        if (snapshot is not null)
        {
            var keys = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var ev in await ReadViewPagesAsync(window, new[] { "id", "changeKey" }, cancellationToken).ConfigureAwait(false))
                if (ev.Id is not null) keys[ev.Id] = ev.ChangeKey;
            if (keys.Count == snapshot.Items.Count
                && keys.All(k => k.Value is not null && snapshot.Items.TryGetValue(k.Key, out var known) && known.ChangeKey == k.Value))
                return round;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var ev in await ReadViewPagesAsync(window, null, cancellationToken).ConfigureAwait(false))
        {
            if (ev.Id is null) continue;
            seen.Add(ev.Id);
            if (snapshot is not null && ev.ChangeKey is not null && snapshot.Items.TryGetValue(ev.Id, out var known) && known.ChangeKey == ev.ChangeKey) continue;
            round.Changed.Add(ev);
        }
        if (snapshot is not null) round.Removed.AddRange(snapshot.Items.Keys.Where(id => !seen.Contains(id)));
        return round;
    }

    private async Task<List<WireEvent>> ReadViewPagesAsync(SyncWindow window, string[]? select, CancellationToken cancellationToken)
    {
        var view = _graph.Client.Me.Calendars[_graph.Options.CalendarId].CalendarView;
        var start = window.StartUtc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var end = window.EndUtc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var items = new List<WireEvent>();
        string? link = null;
        do
        {
            var request = (link is null ? view : view.WithUrl(link)).ToGetRequestInformation(rc =>
            {
                if (link is null)
                {
                    rc.QueryParameters.StartDateTime = start;
                    rc.QueryParameters.EndDateTime = end;
                    rc.QueryParameters.Select = select;
                }
                AddPrefer(rc.Headers, ViewListPageSize);
            });
            var page = await ReadPageAsync(request, cancellationToken).ConfigureAwait(false);
            items.AddRange(page.Events);
            link = page.NextLink;
        } while (!string.IsNullOrEmpty(link));
        return items;
    }

    internal async Task<DeltaRound> RunDeltaAsync(SyncWindow window, string? link, CancellationToken cancellationToken)
    {
        var round = new DeltaRound();
        var start = window.StartUtc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var end = window.EndUtc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var me = _graph.Client.Me;
        var calendarId = _graph.Options.CalendarId;
        RequestInformation Request(string? link)
        {
            if (calendarId is null)
            {
                var builder = link is null ? me.CalendarView.Delta : me.CalendarView.Delta.WithUrl(link);
                return builder.ToGetRequestInformation(rc =>
                {
                    if (link is null) { rc.QueryParameters.StartDateTime = start; rc.QueryParameters.EndDateTime = end; }
                    AddPrefer(rc.Headers);
                });
            }
            var delta = me.Calendars[calendarId].CalendarView.Delta;
            return (link is null ? delta : delta.WithUrl(link)).ToGetRequestInformation(rc =>
            {
                if (link is null) { rc.QueryParameters.StartDateTime = start; rc.QueryParameters.EndDateTime = end; }
                AddPrefer(rc.Headers);
            });
        }

        // The next page is requested as soon as this page's nextLink is read: the documented page names it before its
        // items (docs/graph-api.md, "Delta pages"), so the service builds page N+1 while page N is parsed. A page with the link after its
        // items simply requests the next one when parsed. At most two pages are in flight: the one being parsed and
        // the one requested (the mailbox allows four; no writes run during the read).
        Task<Stream>? pending = SendPageAsync(Request(link), cancellationToken);
        var firstPage = true;
        try
        {
            while (true)
            {
                var answer = pending!;
                pending = null;
                var page = await ReadPageAsync(answer, next => pending ??= SendPageAsync(Request(next), cancellationToken), cancellationToken).ConfigureAwait(false);
                firstPage = false;
                round.PageSizes.Add(page.Value?.Count ?? 0);
                foreach (var ev in page.Events)
                {
                    if (ev.Id is null) continue;
                    if (ev.Removed) round.Removed.Add(ev.Id);
                    else round.Changed.Add(ev);
                }
                if (!string.IsNullOrEmpty(page.NextLink))
                {
                    pending ??= SendPageAsync(Request(page.NextLink), cancellationToken);
                    continue;
                }
                if (string.IsNullOrEmpty(page.DeltaLink))
                    throw new SideUnavailableException(Side.Outlook, "Outlook ended a delta round without a deltaLink.", isAuthentication: false);
                round.DeltaLink = page.DeltaLink;
                return round;
            }
        }
        catch (ApiException ex) when (ex.ResponseStatusCode == 410 || (GraphErrors.CodeOf(ex) is { } code && ExpiredCodes.Contains(code)))
        {
            throw new DeltaExpiredException(GraphErrors.Describe(ex), ex);
        }
        catch (ApiException ex) when (calendarId is not null && firstPage && ex.ResponseStatusCode is 400 or 404 or 405 or 501)
        {
            throw new DeltaRefusedException(GraphErrors.Describe(ex), ex);
        }
        finally
        {
            // A page that failed to parse (or a cancelled read) may leave the next page requested: wait for it, so no
            // request outlives the read, and drop its outcome (the first failure is the one reported).
            if (pending is not null)
            {
                try { (await pending.ConfigureAwait(false))?.Dispose(); }
                catch (Exception) { }
            }
        }
    }

    private Task<Stream> SendPageAsync(RequestInformation request, CancellationToken cancellationToken) =>
        _graph.SendForBodyAsync(request, "a page of events", cancellationToken);

    private Task<EventPage> ReadPageAsync(RequestInformation request, CancellationToken cancellationToken) =>
        ReadPageAsync(SendPageAsync(request, cancellationToken), onNextLink: null, cancellationToken);

    private static async Task<EventPage> ReadPageAsync(Task<Stream> answer, Action<string>? onNextLink, CancellationToken cancellationToken)
    {
        using var stream = await answer.ConfigureAwait(false);
        try { return await EventPage.ReadAsync(stream, onNextLink, cancellationToken).ConfigureAwait(false); }
        catch (JsonException ex)
        {
            throw new SideUnavailableException(Side.Outlook, "Outlook answered a page of events that cannot be read: " + ex.Message, isAuthentication: false, ex);
        }
    }

    private void AddPrefer(RequestHeaders headers, int? pageSize = null)
    {
        headers.Add("Prefer", "odata.maxpagesize=" + Math.Max(1, pageSize ?? _graph.Options.PageSize).ToString(CultureInfo.InvariantCulture));
        headers.Add("Prefer", "outlook.timezone=\"UTC\"");
        headers.Add("Prefer", "outlook.body-content-type=\"text\"");
    }
}
