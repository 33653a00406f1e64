using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace CalSync.Sandbox.Graph;

internal sealed record CalendarInfo(string Id, string Name, bool IsDefault, bool CanEdit, string Color, string ChangeKey);

/// <summary>One item of a calendar view: a single instance, an occurrence or an exception.</summary>
internal sealed record ViewItem(
    string Id, string Type, StoredEvent Event, DateOnly? OriginalDate, OccurrenceOverride? Override,
    EventTime Start, EventTime End, string ChangeKey, DateTimeOffset LastModified)
{
    public bool Overlaps(DateTime fromUtc, DateTime toUtc)
    {
        var (start, end) = (Start.Utc, End.Utc);
        return start == end ? start >= fromUtc && start < toUtc : start < toUtc && end > fromUtc;
    }
}

/// <summary>
/// The mailbox's calendar store. All access goes through <see cref="Gate"/>; operations are in-memory and short.
/// Ids look like Outlook's (base64 with '/', '+', '=') so clients must escape them.
/// </summary>
internal sealed class Mailbox
{
    private readonly Dictionary<string, StoredEvent> _events = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string MasterId, DateOnly Date)> _occurrences = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _transactions = new(StringComparer.Ordinal);
    private readonly List<(long Sequence, string Id, string CalendarId)> _changes = [];
    private readonly List<CalendarInfo> _calendars = [];
    private readonly Random _random;
    private long _sequence;
    private DateTimeOffset _lastStamp;

    public Mailbox(int seed, string userId, string displayName, string email)
    {
        _random = new Random(seed);
        UserId = userId;
        DisplayName = displayName;
        Email = email;
        Reset();
    }

    public object Gate { get; } = new();
    public string UserId { get; }
    public string DisplayName { get; }
    public string Email { get; }
    public IReadOnlyList<CalendarInfo> Calendars => _calendars;
    public CalendarInfo DefaultCalendar => _calendars[0];
    public long Sequence => _sequence;

    /// <summary>Empties the mailbox: the default calendar and the read-only Birthdays calendar remain.</summary>
    public void Reset()
    {
        _events.Clear();
        _occurrences.Clear();
        _transactions.Clear();
        _changes.Clear();
        _calendars.Clear();
        _calendars.Add(new CalendarInfo(NewId(), "Calendar", true, true, "auto", NewChangeKey()));
        _calendars.Add(new CalendarInfo(NewId(), "Birthdays", false, false, "lightGreen", NewChangeKey()));
    }

    public CalendarInfo AddCalendar(string name)
    {
        var calendar = new CalendarInfo(NewId(), name, false, true, "auto", NewChangeKey());
        _calendars.Add(calendar);
        return calendar;
    }

    /// <summary>
    /// <c>DELETE /me/calendars/{id}</c> (<c>api/calendar-delete.md</c>): the calendar and its events. **Assumed**: the
    /// default and read-only calendars answer 400 <c>ErrorInvalidRequest</c> (no page names the code).
    /// </summary>
    public void DeleteCalendar(CalendarInfo calendar)
    {
        if (calendar.IsDefault || !calendar.CanEdit) throw new GraphException(400, "ErrorInvalidRequest", "The default calendar cannot be deleted.");
        foreach (var e in _events.Values.Where(e => e.CalendarId == calendar.Id).ToList()) Delete(e, null);
        _calendars.Remove(calendar);
    }

    public CalendarInfo FindCalendar(string id) =>
        _calendars.FirstOrDefault(c => c.Id == id) ?? throw GraphException.NotFound();

    public IEnumerable<StoredEvent> Events => _events.Values;

    // ---- ids ------------------------------------------------------------------------------

    /// <summary>An Outlook-like id: base64 with at least one '/' and '+', ending in '='.</summary>
    public string NewId()
    {
        var bytes = new byte[34];
        while (true)
        {
            _random.NextBytes(bytes);
            var id = "AQMkADAwATNiZmYAZC1" + Convert.ToBase64String(bytes);
            if (id.Contains('/') && id.Contains('+')) return id;
        }
    }

    private string NewChangeKey()
    {
        var bytes = new byte[22];
        _random.NextBytes(bytes);
        return Convert.ToBase64String(bytes);
    }

    private string NewICalUId()
    {
        var bytes = new byte[16];
        _random.NextBytes(bytes);
        return "040000008200E00074C5B7101A82E00800000000" + Convert.ToHexString(bytes) + "0000000000000000";
    }

    /// <summary>Occurrence ids are stable: derived from the master id and the original date.</summary>
    private string OccurrenceId(StoredEvent master, DateOnly date)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(master.Id + "|" + date.DayNumber));
        var id = "AQMkADAwATNiZmYAZC1" + Convert.ToBase64String([.. hash, (byte)(date.DayNumber >> 8), (byte)date.DayNumber]);
        _occurrences[id] = (master.Id, date);
        return id;
    }

    /// <summary>Occurrences carry their own iCalUId with the date in it, as Exchange's do.</summary>
    public static string OccurrenceICalUId(StoredEvent master, DateOnly date) =>
        master.ICalUId[..32] + date.Year.ToString("X4") + date.Month.ToString("X2") + date.Day.ToString("X2") + master.ICalUId[40..];

    private DateTimeOffset Stamp()
    {
        var now = DateTimeOffset.UtcNow;
        _lastStamp = now > _lastStamp ? now : _lastStamp.AddTicks(1);
        return _lastStamp;
    }

    private static string DerivedChangeKey(string masterKey, long version) =>
        Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(masterKey + "|" + version))[..22]);

    // ---- reads ----------------------------------------------------------------------------

    /// <summary>Resolves an event id: a stored single/master, or an occurrence/exception of a series.</summary>
    public bool TryResolve(string id, out StoredEvent stored, out DateOnly? occurrenceDate)
    {
        occurrenceDate = null;
        if (_events.TryGetValue(id, out stored!)) return true;
        if (_occurrences.TryGetValue(id, out var occ) && _events.TryGetValue(occ.MasterId, out stored!)
            && !stored.Cancelled.Contains(occ.Date) && stored.Recurrence is not null)
        {
            occurrenceDate = occ.Date;
            return true;
        }
        return false;
    }

    /// <summary>Probe knob: a repeated transactionId makes a second event.</summary>
    public bool IgnoreTransactionId { get; set; }
    /// <summary>Probe knob: DST-gap starts resolved backwards on create.</summary>
    public bool DstGapBackward { get; set; }

    public bool Exists(string id) => TryResolve(id, out _, out _);

    public ViewItem Single(StoredEvent e) =>
        new(e.Id, e.IsSeriesMaster ? "seriesMaster" : "singleInstance", e, null, null, e.Start, e.End, e.ChangeKey, e.LastModified);

    public ViewItem Occurrence(StoredEvent master, DateOnly date)
    {
        var id = OccurrenceId(master, date);
        var (start, end) = OriginalTimes(master, date);
        if (master.Exceptions.TryGetValue(date, out var ov))
        {
            var lastModified = ov.LastModified > master.LastModified ? ov.LastModified : master.LastModified;
            return new ViewItem(id, "exception", master, date, ov, ov.Start ?? start, ov.End ?? end, DerivedChangeKey(master.SeriesChangeKey, ov.Version), lastModified);
        }
        return new ViewItem(id, "occurrence", master, date, null, start, end, master.SeriesChangeKey, master.SeriesModified);
    }

    /// <summary>Where an occurrence falls before any edit: the master's wall time in the recurrence zone on that date.</summary>
    public static (EventTime Start, EventTime End) OriginalTimes(StoredEvent master, DateOnly date)
    {
        if (master.IsAllDay)
        {
            var days = master.End.Local.Date - master.Start.Local.Date;
            var local = date.ToDateTime(TimeOnly.MinValue);
            return (master.Start with { Local = local }, master.End with { Local = local + days });
        }
        var zone = TimeZones.Require(master.Recurrence!.RecurrenceTimeZone);
        var timeOfDay = TimeZones.FromUtc(master.Start.Utc, zone).TimeOfDay;
        var startUtc = TimeZones.ToUtc(date.ToDateTime(TimeOnly.MinValue) + timeOfDay, zone);
        var endUtc = startUtc + (master.End.Utc - master.Start.Utc);
        return (EventTime.FromUtc(startUtc, master.Start), EventTime.FromUtc(endUtc, master.End));
    }

    /// <summary>Occurrences and exceptions of a series that overlap the window (cancelled ones are gone).</summary>
    public IEnumerable<ViewItem> Instances(StoredEvent master, DateTime fromUtc, DateTime toUtc)
    {
        if (master.Recurrence is not { } rec) yield break;
        var until = DateOnly.FromDateTime(toUtc).AddDays(2);
        if (master.Exceptions.Count > 0 && master.Exceptions.Keys.Max() > until) until = master.Exceptions.Keys.Max();
        foreach (var date in rec.Dates(until))
        {
            if (master.Cancelled.Contains(date)) continue;
            var item = Occurrence(master, date);
            if (item.Overlaps(fromUtc, toUtc)) yield return item;
        }
    }

    /// <summary>calendarView: singles, occurrences and exceptions (never masters), ordered by start.</summary>
    public List<ViewItem> View(string? calendarId, DateTime fromUtc, DateTime toUtc)
    {
        var items = new List<ViewItem>();
        foreach (var e in _events.Values)
        {
            if (calendarId is not null && e.CalendarId != calendarId) continue;
            if (e.IsSeriesMaster) items.AddRange(Instances(e, fromUtc, toUtc));
            else if (Single(e) is var single && single.Overlaps(fromUtc, toUtc)) items.Add(single);
        }
        return items.OrderBy(i => i.Start.Utc).ThenBy(i => i.Id, StringComparer.Ordinal).ToList();
    }

    /// <summary>Ids of the calendar changed after <paramref name="sequence"/> that its calendar view delta may report.</summary>
    public IEnumerable<string> ChangedSince(long sequence, string calendarId) =>
        _changes.Where(c => c.Sequence > sequence && c.CalendarId == calendarId).Select(c => c.Id).Distinct();

    // ---- writes ---------------------------------------------------------------------------

    /// <summary>Creates an event; a repeated transactionId returns the event created first (<c>Deduplicated</c>).</summary>
    public (StoredEvent Event, bool Deduplicated) Create(string calendarId, EventPatch patch, JsonObject organizer)
    {
        var calendar = FindCalendar(calendarId);
        if (!calendar.CanEdit) throw new GraphException(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
        if (!IgnoreTransactionId && patch.TransactionId is { } tx && _transactions.TryGetValue(tx, out var existingId) && _events.TryGetValue(existingId, out var existing))
            return (existing, true);
        if (patch.Start is null || patch.End is null) throw GraphException.Validation();
        // Probe knob: a start in a DST gap is taken with the offset after the gap (an hour earlier than RFC 5545 says).
        if (DstGapBackward && patch.Start.Zone.IsInvalidTime(patch.Start.Local))
            patch.Start = patch.Start with { Local = patch.Start.Local.AddHours(-1) };

        var now = Stamp();
        var e = new StoredEvent
        {
            Id = NewId(),
            CalendarId = calendar.Id,
            ICalUId = NewICalUId(),
            Created = now,
            TransactionId = patch.TransactionId,
            Start = patch.Start,
            End = patch.End,
            Props = new JsonObject
            {
                ["subject"] = "", ["body"] = new JsonObject { ["contentType"] = "text", ["content"] = "" },
                ["isAllDay"] = false, ["isReminderOn"] = true, ["reminderMinutesBeforeStart"] = 15, ["responseRequested"] = true,
                ["allowNewTimeProposals"] = true, ["hideAttendees"] = false, ["isOnlineMeeting"] = false, ["isDraft"] = false,
                ["onlineMeetingProvider"] = "unknown", ["showAs"] = "busy", ["sensitivity"] = "normal", ["importance"] = "normal",
                ["categories"] = new JsonArray(), ["attendees"] = new JsonArray(), ["organizer"] = organizer,
            },
        };
        Apply(e, patch, isCreate: true);
        e.ChangeKey = e.SeriesChangeKey = NewChangeKey();
        e.LastModified = e.SeriesModified = now;
        _events[e.Id] = e;
        if (patch.TransactionId is { } newTx) _transactions[newTx] = e.Id;
        Log(e.IsSeriesMaster ? null : e.Id, e.CalendarId);
        return (e, false);
    }

    public void Update(StoredEvent e, DateOnly? occurrenceDate, EventPatch patch)
    {
        if (patch.TransactionId is { } tx && tx != e.TransactionId)
            throw new GraphException(400, "ErrorInvalidPropertyUpdate", "The transactionId property can't be changed after the event is created.");
        if (occurrenceDate is { } date)
        {
            UpdateOccurrence(e, date, patch);
            return;
        }
        var reschedules = patch.Start is not null || patch.End is not null || patch.SetsRecurrence || patch.Props.ContainsKey("isAllDay");
        Apply(e, patch, isCreate: false);
        if (reschedules && e.IsSeriesMaster)
        {
            // Exchange drops edited and deleted occurrences when the series' pattern or times change.
            e.Exceptions.Clear();
            e.Cancelled.Clear();
        }
        e.ChangeKey = e.SeriesChangeKey = NewChangeKey();
        e.LastModified = e.SeriesModified = Stamp();
        Log(e.IsSeriesMaster ? null : e.Id, e.CalendarId);
    }

    private void UpdateOccurrence(StoredEvent master, DateOnly date, EventPatch patch)
    {
        if (patch.SetsRecurrence) throw GraphException.Validation();
        if (!master.Exceptions.TryGetValue(date, out var ov)) master.Exceptions[date] = ov = new OccurrenceOverride();
        var (originalStart, originalEnd) = OriginalTimes(master, date);
        var start = patch.Start ?? ov.Start ?? originalStart;
        var end = patch.End ?? ov.End ?? originalEnd;
        if (end.Utc < start.Utc) throw GraphException.Validation();
        CheckCrossingBoundary(master, date, start, end);
        foreach (var (key, value) in patch.Props) ov.Props[key] = value?.DeepClone();
        foreach (var (key, value) in patch.ExtendedProperties) ov.ExtendedProperties[key] = value;
        if (patch.Start is not null) ov.Start = start;
        if (patch.End is not null) ov.End = end;
        ov.Version++;
        ov.LastModified = master.LastModified = Stamp();
        master.ChangeKey = NewChangeKey(); // the master's exception list changed; its occurrences did not
        Log(OccurrenceId(master, date), master.CalendarId);
    }

    /// <summary>An occurrence may not move onto or past the day of its neighbours (ErrorOccurrenceCrossingBoundary).</summary>
    private static void CheckCrossingBoundary(StoredEvent master, DateOnly date, EventTime start, EventTime end)
    {
        var dates = master.Recurrence!.Dates(date.AddYears(5)).ToList();
        var index = dates.IndexOf(date);
        var previous = index > 0 ? OriginalTimes(master, dates[index - 1]).Start.Local.Date : DateTime.MinValue;
        var next = index + 1 < dates.Count ? OriginalTimes(master, dates[index + 1]).Start.Local.Date : DateTime.MaxValue;
        var newDay = master.IsAllDay ? start.Local.Date : EventTime.FromUtc(start.Utc, master.Start).Local.Date;
        if (newDay <= previous || newDay >= next)
            throw new GraphException(400, "ErrorOccurrenceCrossingBoundary", "Modified occurrence is crossing or overlapping adjacent occurrence.");
    }

    public void Delete(StoredEvent e, DateOnly? occurrenceDate)
    {
        if (occurrenceDate is { } date)
        {
            var id = OccurrenceId(e, date);
            e.Cancelled.Add(date);
            e.Exceptions.Remove(date);
            e.ChangeKey = NewChangeKey();
            e.LastModified = Stamp();
            Log(id, e.CalendarId);
            return;
        }
        _events.Remove(e.Id);
        if (e.TransactionId is { } tx) _transactions.Remove(tx);
        Log(e.IsSeriesMaster ? null : e.Id, e.CalendarId);
    }

    public void AddExtension(StoredEvent e, JsonObject extension)
    {
        if (e.Extensions.Any(x => OpenExtension.Matches(x, extension.GetString("extensionName")!)))
            throw new GraphException(409, "ErrorItemAlreadyExists", "An object with this name already exists.");
        e.Extensions.Add(extension);
        e.ChangeKey = NewChangeKey();
        e.LastModified = Stamp();
        Log(e.IsSeriesMaster ? null : e.Id, e.CalendarId);
    }

    private void Apply(StoredEvent e, EventPatch patch, bool isCreate)
    {
        var props = (JsonObject)e.Props.DeepClone();
        foreach (var (key, value) in patch.Props) props[key] = value?.DeepClone();
        // location and locations always correspond; setting one replaces the other.
        if (patch.Props.ContainsKey("location") && !patch.Props.ContainsKey("locations"))
            props["locations"] = LocationsFrom(props["location"] as JsonObject);
        else if (patch.Props.ContainsKey("locations") && !patch.Props.ContainsKey("location"))
            props["location"] = (props["locations"] as JsonArray)?.FirstOrDefault()?.DeepClone();
        if (isCreate && props["organizer"] is null) props.Remove("organizer");

        var start = patch.Start ?? e.Start;
        var end = patch.End ?? e.End;
        var allDay = props["isAllDay"]?.GetValue<bool>() ?? false;
        if (end.Utc < start.Utc) throw GraphException.Validation();
        if (allDay && (start.Local.TimeOfDay != TimeSpan.Zero || end.Local.TimeOfDay != TimeSpan.Zero || end.Local.Date <= start.Local.Date
            || !string.Equals(start.ZoneName, end.ZoneName, StringComparison.OrdinalIgnoreCase)))
            throw GraphException.Validation();

        var recurrence = e.Recurrence;
        if (patch.SetsRecurrence)
            recurrence = patch.RecurrenceJson is { } json ? Recurrence.Parse(json, start.ZoneName) : null;

        e.Props = props;
        e.Start = start;
        e.End = end;
        e.Recurrence = recurrence;
        foreach (var (key, value) in patch.ExtendedProperties) e.ExtendedProperties[key] = value;
        foreach (var extension in patch.Extensions)
        {
            e.Extensions.RemoveAll(x => OpenExtension.Matches(x, extension.GetString("extensionName")!));
            e.Extensions.Add(extension);
        }
    }

    private static JsonArray LocationsFrom(JsonObject? location)
    {
        var name = location?.GetString("displayName") ?? "";
        if (name.Length == 0) return [];
        var copy = (JsonObject)location!.DeepClone();
        copy.Remove("uniqueId");
        copy["uniqueIdType"] = "unknown";
        return [copy];
    }

    /// <summary>Records a change for out-of-window delta reporting (masters never appear in calendar views).</summary>
    private void Log(string? viewId, string calendarId)
    {
        _sequence++;
        if (viewId is not null) _changes.Add((_sequence, viewId, calendarId));
    }
}
