using System.Text.Json.Nodes;

namespace CalSync.Sandbox.Bitrix24;

/// <summary><c>calendar.event.get</c> and <c>calendar.event.getbyid</c> (docs/bitrix24-api.md, "calendar.event.get", "getbyid", "Expansion in calendar.event.get"). Callers hold the state gate.</summary>
internal sealed class EventQuery(Portal portal, CalendarState state)
{
    private const long MaxTimestamp = 2145916800; // 2038-01-01, the portal's "no end"

    private PortalCulture Culture => portal.Culture;

    /// <summary>
    /// The whole window in one plain array (no paging), recurring masters expanded into one item per occurrence
    /// sharing the master's ID, deleted rows hidden.
    /// </summary>
    public JsonArray Get(RestParams p)
    {
        if (!p.Has("type")) throw Culture.Error(CalendarMessage.ParamMissing, "type", "calendar.event.get");
        var type = p.String("type")!;
        var ownerId = p.Int("ownerId");
        var (windowFrom, windowTo) = Window(p);

        HashSet<int>? sectionFilter = null;
        if (p.Has("section"))
        {
            // Unknown or foreign section IDs are silently dropped; none left means an empty answer.
            sectionFilter = p.List("section").Select(RestParams.ToInt)
                .Where(id => state.Section(id) is { Active: true } s && s.CalType == type && s.OwnerId == ownerId)
                .ToHashSet();
            if (sectionFilter.Count == 0) return [];
        }

        var items = new List<(DateTime StartUtc, int Id, JsonObject Item)>();
        foreach (var e in state.Events)
        {
            if (e.Deleted || e.CalType != type || e.OwnerId != ownerId) continue;
            if (state.Section(e.SectionId) is not { Active: true }) continue;
            if (sectionFilter is not null && !sectionFilter.Contains(e.SectionId)) continue;
            // The coarse row filter of GetList, on the (possibly skewed) stored timestamps.
            if (EventTimes.ToTimestamp(portal, e) < (windowFrom ?? long.MinValue) || EventTimes.FromTimestamp(portal, e) > windowTo) continue;

            var attendees = Attendees(e); // once per row: a meeting's list is a scan of the rows
            if (e.RecurrenceRule is null)
                items.Add((EventTimes.StartUtc(e), e.Id, EventWire.Build(portal, e, EventView.List, attendees)));
            else
                foreach (var occurrence in Expand(e, windowFrom, windowTo))
                    items.Add((EventTimes.StartUtc(e, occurrence.From), e.Id, EventWire.Build(portal, e, EventView.List, attendees, occurrence)));
        }
        return new JsonArray(items.OrderBy(i => i.StartUtc).ThenBy(i => i.Id).Select(i => (JsonNode)i.Item).ToArray());
    }

    /// <summary>The master as stored, without expansion; null when missing or deleted.</summary>
    public JsonNode? GetById(RestParams p)
    {
        var id = p.Int("id");
        if (id <= 0) throw Culture.Error(CalendarMessage.EventIdMissing);
        return state.Event(id) is { Deleted: false } e ? EventWire.Build(portal, e, EventView.ById, Attendees(e)) : null;
    }

    /// <summary>ATTENDEE_LIST of a row: the meeting's attendees (the host first), each with their own row and its status.</summary>
    public IReadOnlyList<(int Id, int EntryId, string Status)> Attendees(Bitrix24Event e)
    {
        if (!e.IsMeeting) return e.Attendees.Select(a => (a, a == e.OwnerId ? e.Id : 0, e.MeetingStatus)).ToList();
        var host = e.IsInvitation ? state.Event(e.ParentId) ?? e : e;
        var rows = state.Events.Where(r => !r.Deleted && (r.Id == host.Id || r.ParentId == host.Id)).ToList();
        return host.Attendees
            .Select(a => rows.FirstOrDefault(r => r.OwnerId == a) is { } row ? (a, row.Id, row.MeetingStatus) : (a, 0, "Q"))
            .ToList();
    }

    /// <summary>Occurrences overlapping the window, EXDATE skipped. RINDEX counts within the window unless COUNT is set.</summary>
    private IEnumerable<Occurrence> Expand(Bitrix24Event master, long? windowFrom, long windowTo)
    {
        var rule = master.RecurrenceRule!;
        var length = master.To - master.From;
        var time = TimeOnly.FromTimeSpan(master.From.TimeOfDay);
        var stopAfter = DateOnly.FromDateTime(Zones.ToWall(DateTime.UnixEpoch.AddSeconds(Math.Min(windowTo, MaxTimestamp)), portal.ServerZone)).AddDays(1);
        var windowIndex = 0;
        foreach (var (index, date) in RecurrenceExpander.Dates(DateOnly.FromDateTime(master.From), rule, stopAfter))
        {
            if (master.ExcludedDates.Contains(date)) continue;
            var from = date.ToDateTime(time);
            var to = from + length;
            if (EventTimes.ToTimestamp(portal, master, to) < (windowFrom ?? long.MinValue) || EventTimes.FromTimestamp(portal, master, from) > windowTo) continue;
            yield return new Occurrence(from, to, rule.Count is null ? windowIndex : index);
            windowIndex++;
        }
    }

    /// <summary>
    /// <c>from</c>/<c>to</c> read like strtotime in the server zone; the <c>to</c> day is inclusive (+86399 s).
    /// Neither given: now −30 days … now +90 days; only <c>from</c>: up to 2038; only <c>to</c>: no lower bound.
    /// </summary>
    private (long? From, long To) Window(RestParams p)
    {
        var from = Instant(p.String("from"));
        var to = Instant(p.String("to"));
        if (from is null && to is null)
        {
            var now = Zones.Unix(portal.UtcNow);
            return (now - 30 * 86400L, now + 90 * 86400L);
        }
        if (to is null) return (from, MaxTimestamp);
        var toDay = Zones.ToWall(DateTime.UnixEpoch.AddSeconds(to.Value), portal.ServerZone).Date;
        return (from, portal.ServerTimestamp(toDay) + 86399);
    }

    private long? Instant(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (InputDates.HasZone(text) && InputDates.TryParseZoned(Culture, text, out var utc)) return Zones.Unix(utc);
        return InputDates.TryParseNaive(Culture, text, out var wall) ? portal.ServerTimestamp(wall) : null;
    }
}
