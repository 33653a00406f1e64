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
using CalSync.Engine.Sides;

namespace CalSync.Bitrix24.Reading;

/// <summary>
/// Reads the synced calendar (section): the window in one <c>batch</c> for a no-op run, series grouped from their
/// expanded rows, and rows by id. What a read learns that writes need goes into the <see cref="ReadState"/>.
/// </summary>
internal sealed class CalendarReader(Bitrix24ConnectionOptions options, Bitrix24RestClient client, Bitrix24Sections sections, CalendarCommands commands, ReadState state)
{
    /// <summary>Resolves the configured section (by id or name), refusing ones synced by Bitrix24's own connectors.</summary>
    public async Task<Bitrix24Section> ResolveSectionAsync(CancellationToken cancellationToken)
    {
        var all = await sections.ListAsync(cancellationToken).ConfigureAwait(false);
        var chosen = Bitrix24Sections.Choose(all, options.SectionId, options.SectionName);
        state.SectionId = chosen.Id;
        return chosen;
    }

    public async Task<SideSnapshot> ReadAsync(SyncWindow window, SideCursor? cursor, bool whole, CancellationToken cancellationToken)
    {
        try
        {
            var far = whole || options.FarReadInterval <= TimeSpan.Zero ? null : FarCache.Decode(cursor?.Data);
            return await ReadCoreAsync(window, Bitrix24Cursor.Parse(cursor?.Text), far, allowReresolve: true, cancellationToken).ConfigureAwait(false);
        }
        catch (Bitrix24SectionException e)
        {
            throw new SideUnavailableException(Side.Bitrix24, e.Message, isAuthentication: false, e);
        }
        catch (Bitrix24ApiException e)
        {
            throw new SideUnavailableException(Side.Bitrix24, "Bitrix24 could not be read: " + e.Message, isAuthentication: false, e);
        }
    }

    private string SectionFrom => !string.IsNullOrWhiteSpace(options.SectionId) ? "id:" + options.SectionId!.Trim() : "name:" + (options.SectionName ?? "").Trim();

    /// <summary>
    /// Reads the window: with a usable <paramref name="far"/> cache the hot range only, the far range taken from the
    /// cache; otherwise everything, and (with <see cref="Bitrix24ConnectionOptions.FarReadInterval"/> set) a new cache.
    /// </summary>
    private async Task<SideSnapshot> ReadCoreAsync(SyncWindow window, Bitrix24Cursor cursor, FarCache? far, bool allowReresolve, CancellationToken cancellationToken)
    {
        var listedNow = false;
        if (cursor.SectionId is not null && cursor.SectionFrom == SectionFrom) state.SectionId = cursor.SectionId;
        if (state.SectionId is null || (string.IsNullOrWhiteSpace(options.SectionId) && cursor.SectionFrom != SectionFrom))
        {
            await ResolveSectionAsync(cancellationToken).ConfigureAwait(false);
            listedNow = true;
        }
        var sectionId = state.SectionId!;

        var readFrom = window.StartUtc.Date.AddDays(-1);
        var readTo = window.EndUtc.Date.AddDays(1);
        var ranges = ReadRanges.For(readFrom, readTo, (window.NowUtc == default ? window.StartUtc : window.NowUtc).Date, options.HotDays);
        var splitting = options.FarReadInterval > TimeSpan.Zero && ranges.HasFar;
        var hotOnly = splitting && far is not null && far.Ranges == ranges && far.SectionId == sectionId
            && window.NowUtc >= far.ReadAtUtc && window.NowUtc - far.ReadAtUtc < options.FarReadInterval;
        var reads = new List<BatchCommand>();
        if (!listedNow) reads.Add(new BatchCommand("s", "calendar.section.get", sections.GetParameters()));
        var chunk = 0;
        // Hot chunks ("c") are streamed into rows; far chunks ("f") are kept as Bitrix24 sent them, for the cache.
        void Chunks(string prefix, DateTime rangeFrom, DateTime rangeTo)
        {
            for (var from = rangeFrom; from <= rangeTo; from = from.AddDays(options.ReadChunkDays))
            {
                var to = from.AddDays(options.ReadChunkDays - 1);
                if (to > rangeTo) to = rangeTo;
                reads.Add(new BatchCommand(prefix + (chunk++).ToString(CultureInfo.InvariantCulture), "calendar.event.get", commands.EventGet(sectionId, from, to)));
            }
        }
        if (!splitting) Chunks("c", readFrom, readTo);
        else
        {
            Chunks("c", ranges.HotFrom, ranges.HotTo);
            if (!hotOnly)
                foreach (var (from, to) in ranges.Far()) Chunks("f", from, to);
        }
        foreach (var orphan in cursor.Orphans.Distinct(StringComparer.Ordinal))
            reads.Add(CalendarCommands.GetById("m" + orphan, orphan));

        var results = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        // Window chunks are read into rows as the answer comes: no document of the whole answer.
        var streamed = new EventRows(key => key.StartsWith("c", StringComparison.Ordinal));
        foreach (var batch in CalendarCommands.Chunk(reads, Bitrix24RestClient.MaxBatch))
        {
            var response = await client.BatchAsync(batch, halt: false, streamed, cancellationToken).ConfigureAwait(false);
            foreach (var error in response.Errors)
                if (!error.Key.StartsWith("m", StringComparison.Ordinal))
                    throw new Bitrix24ApiException(batch.First(c => c.Key == error.Key).Method, 400, error.Value.Code, error.Value.Description);
            foreach (var r in response.Results) results[r.Key] = r.Value;
        }
        var chunkRows = streamed.ByKey;

        if (results.TryGetValue("s", out var sectionList))
        {
            var listed = Bitrix24Sections.Parse(sectionList);
            var current = listed.FirstOrDefault(s => s.Id == sectionId);
            if (current is null && allowReresolve && string.IsNullOrWhiteSpace(options.SectionId))
            {
                // The cached section is gone: resolve the configured name again and read once more.
                state.SectionId = null;
                return await ReadCoreAsync(window, new Bitrix24Cursor(), null, allowReresolve: false, cancellationToken).ConfigureAwait(false);
            }
            Bitrix24Sections.Choose(listed, sectionId, null); // throws when missing or not local
        }

        var rows = new List<EventRow>(chunkRows.Values.Sum(l => l.Count));
        foreach (var r in results.Where(r => r.Key.StartsWith("c", StringComparison.Ordinal)).OrderBy(r => r.Key, StringComparer.Ordinal))
            foreach (var row in chunkRows.TryGetValue(r.Key, out var read) ? read : Json.Items(r.Value).Select(EventRow.Parse))
            {
                if (row.SectionId.Length == 0 || row.SectionId == sectionId) rows.Add(row);
            }
        var hotVersions = new Dictionary<string, string>(StringComparer.Ordinal);
        if (splitting)
            foreach (var row in rows) hotVersions[row.Id] = row.Version;
        IReadOnlyList<string> farAnswers;
        if (hotOnly)
        {
            var farRows = FarRows(far!.Answers, sectionId);
            // A hot row gone (deleted, or moved out of the hot range) or one whose VERSION differs from its far rows
            // (a series or a long meeting edited, or moved in from the far range): the far range is read now too.
            if (far.HotVersions.Keys.Any(id => !hotVersions.ContainsKey(id))
                || farRows.Any(r => hotVersions.TryGetValue(r.Id, out var v) && v != r.Version))
                return await ReadCoreAsync(window, cursor, null, allowReresolve, cancellationToken).ConfigureAwait(false);
            rows.AddRange(farRows);
            farAnswers = far.Answers;
        }
        else
        {
            farAnswers = results.Where(r => r.Key.StartsWith("f", StringComparison.Ordinal)).OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => r.Value.GetRawText()).ToList();
            rows.AddRange(FarRows(farAnswers, sectionId));
        }
        var assembler = new EventAssembler(rows);

        // Series definitions: from the first batch (orphans), the cursor cache (same VERSION), or getbyid now.
        var masters = new Dictionary<string, EventRow?>(StringComparer.Ordinal);
        var newCursor = new Bitrix24Cursor { SectionId = sectionId, SectionFrom = SectionFrom };
        var needed = assembler.MastersNeeded().ToList();
        // The VERSION of each series' first row (a lookup, not a scan of all rows per series).
        var seriesVersions = new Dictionary<string, string>(StringComparer.Ordinal);
        if (needed.Count > 0)
            foreach (var r in assembler.Rows)
                if (r.IsSeries && !seriesVersions.ContainsKey(r.Id)) seriesVersions[r.Id] = r.Version;
        var toFetch = new List<string>();
        foreach (var id in needed)
        {
            var rowVersion = seriesVersions.TryGetValue(id, out var v) ? v : null;
            if (results.TryGetValue("m" + id, out var fetched))
            {
                masters[id] = fetched.ValueKind == JsonValueKind.Object ? EventRow.Parse(fetched) : null;
            }
            else if (rowVersion is not null && cursor.Masters.TryGetValue(id, out var cached) && cached.Version == rowVersion)
            {
                using var doc = JsonDocument.Parse(cached.Row);
                masters[id] = EventRow.Parse(doc.RootElement.Clone());
            }
            else
            {
                toFetch.Add(id);
            }
        }
        foreach (var batch in CalendarCommands.Chunk(toFetch.Select(id => CalendarCommands.GetById("m" + id, id)).ToList(), Bitrix24RestClient.MaxBatch))
        {
            var response = await client.BatchAsync(batch, halt: false, cancellationToken).ConfigureAwait(false);
            foreach (var c in batch)
            {
                var id = c.Key.Substring(1);
                masters[id] = response.Results.TryGetValue(c.Key, out var m) && m.ValueKind == JsonValueKind.Object ? EventRow.Parse(m) : null;
            }
        }
        foreach (var id in needed)
        {
            var rowVersion = seriesVersions.TryGetValue(id, out var v) ? v : null;
            if (rowVersion is null) newCursor.Orphans.Add(id);
            else if (masters.TryGetValue(id, out var m) && m is not null)
                newCursor.Masters[id] = new CachedMaster { Version = m.Version, Row = m.Raw.GetRawText() };
        }

        var offset = client.ServerUtcOffset ?? TimeSpan.Zero;
        var exceptionRows = new Dictionary<(string, DateTime), (string, string)>();
        var events = assembler.Assemble(window, readFrom, readTo, masters, offset, exceptionRows);
        foreach (var pair in exceptionRows) state.ExceptionRows[pair.Key] = pair.Value;
        state.ReadRange = (readFrom, readTo);
        state.Fresh = null;
        if (!splitting) return new SideSnapshot(events, newCursor.Serialize());
        var cache = new FarCache
        {
            Ranges = ranges, SectionId = sectionId, ReadAtUtc = hotOnly ? far!.ReadAtUtc : window.NowUtc,
            Answers = farAnswers, HotVersions = hotVersions,
        };
        // Dates are read in the portal's days: a day's margin on each side keeps "fresh" to what the hot read surely covered.
        var hot = new SyncWindow(DateTime.SpecifyKind(ranges.HotFrom.AddDays(1), DateTimeKind.Utc), DateTime.SpecifyKind(ranges.HotTo, DateTimeKind.Utc));
        // A write beyond the hot range makes the kept far range stale, whether this read kept it or read it whole.
        state.Fresh = hot;
        var fresh = hotOnly ? hot : null;
        var data = hotOnly && far!.SameHot(hotVersions) ? far.Bytes : cache.Encode();
        return new SideSnapshot(events, new SideCursor(newCursor.Serialize(), data)) { Fresh = fresh };
    }

    private static List<EventRow> FarRows(IEnumerable<string> answers, string sectionId)
    {
        var rows = new List<EventRow>();
        foreach (var answer in answers)
        {
            using var doc = JsonDocument.Parse(answer);
            foreach (var item in Json.Items(doc.RootElement.Clone()))
            {
                var row = EventRow.Parse(item);
                if (row.SectionId.Length == 0 || row.SectionId == sectionId) rows.Add(row);
            }
        }
        return rows;
    }

    /// <summary>
    /// The named rows as they are now (<c>calendar.event.getbyid</c> in batches; docs/bitrix24-api.md, "getbyid"): a null
    /// result means deleted; a single meeting still in the synced calendar comes back whole; a series, a row in another
    /// calendar or another kind of row exists but is not given whole.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, CalEvent?>> ReadByIdAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, CalEvent?>(StringComparer.Ordinal);
        var reads = ids.Select(id => CalendarCommands.GetById("m" + id, id)).ToList();
        try
        {
            foreach (var batch in CalendarCommands.Chunk(reads, Bitrix24RestClient.MaxBatch))
            {
                var response = await client.BatchAsync(batch, halt: false, cancellationToken).ConfigureAwait(false);
                foreach (var error in response.Errors)
                    throw new Bitrix24ApiException("calendar.event.getbyid", 400, error.Value.Code, error.Value.Description);
                foreach (var c in batch)
                {
                    if (!response.Results.TryGetValue(c.Key, out var answer) || answer.ValueKind != JsonValueKind.Object) continue;
                    var row = EventRow.Parse(answer);
                    if (row.IsDeclined) continue; // declined: gone from the user's calendar
                    var whole = row.SectionId == state.SectionId && !row.IsSeries && !row.IsException;
                    found[c.Key.Substring(1)] = whole ? row.ToCalEvent(row.Id, client.ServerUtcOffset ?? TimeSpan.Zero) : null;
                }
            }
        }
        catch (Bitrix24ApiException e)
        {
            throw new SideUnavailableException(Side.Bitrix24, "Bitrix24 could not be read: " + e.Message, isAuthentication: false, e);
        }
        return found;
    }
}
