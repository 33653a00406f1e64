using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace CalSync.Sandbox.Bitrix24;

/// <summary>
/// <c>calendar.event.add|update|delete</c> (docs/bitrix24-api.md: those three, "Input dates and zones", "Exceptions and splits"). Callers hold the state gate.
/// </summary>
internal sealed partial class EventCommands(Portal portal, CalendarState state, SectionCommands sections)
{
    private const string AddMethod = "calendar.event.add";
    private const string UpdateMethod = "calendar.event.update";

    // Parameters that move or reshape an occurrence; "all" does not copy them onto existing exceptions.
    private static readonly string[] TimeShapingKeys =
        ["from", "to", "from_ts", "to_ts", "skip_time", "skipTime", "timezone_from", "timezone_to", "rrule", "section"];

    [GeneratedRegex(@"^(CO|C|L|D)_\d+$")]
    private static partial Regex CrmField();

    // ParseRRULE's BYDAY pattern: unanchored and case-sensitive.
    [GeneratedRegex(@"(?:[-+]?\d+)?(MO|TU|WE|TH|FR|SA|SU)")]
    private static partial Regex RruleDay();

    private PortalCulture Culture => portal.Culture;

    public int Add(RestParams p)
    {
        // The source checks in this order with PHP empty() and names the first missing one; ownerId only has to be
        // there, and a from/to that strtotime cannot read is false, so missing (docs/bitrix24-api.md, "calendar.event.add").
        foreach (var name in new[] { "from", "to", "name", "ownerId", "type" })
        {
            var present = name switch
            {
                "from" => p.Has("from") ? IsReadableDate(p.String("from")) : p.Has("from_ts"),
                "to" => p.Has("to") ? IsReadableDate(p.String("to")) : p.Has("to_ts"),
                "ownerId" => p.Has(name),
                _ => !p.IsEmpty(name),
            };
            if (!present) throw Culture.Error(CalendarMessage.ParamMissing, name, AddMethod);
        }
        CheckTexts(p);
        var type = p.String("type")!;
        var ownerId = p.Int("ownerId");
        sections.CheckEditable(type, ownerId);
        var sectionId = SectionForAdd(p, type, ownerId);

        // EventAdd's defaultAttendeeId: the owner (the caller when 0); a meeting's host is the host parameter, else that.
        var defaultAttendee = ownerId != 0 ? ownerId : portal.CallerId;
        var host = p.String("is_meeting") == "Y" && p.Has("host") ? p.Int("host") : defaultAttendee;
        var now = portal.UtcNow;
        var id = state.NewEventId();
        var blank = new Bitrix24Event
        {
            Id = id, ParentId = id, CalType = type, OwnerId = ownerId, SectionId = sectionId, CreatedBy = portal.CallerId,
            Name = Culture.NewEventName, From = default, To = default, DavXmlId = state.NewDavXmlId(now),
            CreatedUtc = now, ModifiedUtc = now, MeetingHost = host, Attendees = [defaultAttendee],
        };
        var created = Apply(blank, p, isNew: true);
        state.Put(created);
        SyncInvitations(created, wasMeeting: false);
        return id;
    }

    /// <summary>Returns the ID (int) or, for a <c>next</c> split, the documented object form (docs/bitrix24-api.md, "Exceptions and splits").</summary>
    public JsonNode Update(RestParams p)
    {
        // EventUpdate's necessaryParams, in this order with empty(); ownerId only has to be there.
        if (p.IsEmpty("id")) throw Culture.Error(CalendarMessage.ParamMissing, "id", UpdateMethod);
        if (!p.Has("ownerId")) throw Culture.Error(CalendarMessage.ParamMissing, "ownerId", UpdateMethod);
        if (p.IsEmpty("type")) throw Culture.Error(CalendarMessage.ParamMissing, "type", UpdateMethod);
        var id = p.Int("id");
        var type = p.String("type")!;
        var ownerId = p.Int("ownerId");
        sections.CheckEditable(type, ownerId);
        if (state.Event(id) is not { Deleted: false } current) throw Culture.Error(CalendarMessage.EventUpdateError);
        if (current.CalType != type || current.OwnerId != ownerId) throw Culture.Error(CalendarMessage.AccessDenied);
        if (p.Has("host") && p.Int("host") != current.MeetingHost) throw Culture.Error(CalendarMessage.AccessDenied);
        // An attendee's copy is edited only by naming its organizer (docs/bitrix24-api.md, "Invitations").
        if (current.IsInvitation && !p.Has("host")) throw Culture.Error(CalendarMessage.AccessDenied);
        CheckTexts(p);

        // A falsy recurrence_mode ("", "0") is no mode at all.
        var mode = RestParams.IsTruthyPhp(p["recurrence_mode"]) ? p.String("recurrence_mode") ?? "" : null;
        if (mode is not (null or "this" or "next" or "all")) throw Culture.Error(CalendarMessage.RecurrenceModeInvalid);
        DateOnly occurrenceDate = default;
        if (mode is "this" or "next" && !InputDates.TryParseDate(Culture, p.String("current_date_from"), out occurrenceDate))
            throw Culture.Error(CalendarMessage.ParamInvalid, "current_date_from");
        // Any section sent is looked up (isset), 0 included; the section filter drops only an empty string or "0".
        if (p.Has("section") && !(p.IsString("section") && p.IsEmpty("section")) && !sections.IsUsable(p.Int("section"), type, ownerId))
            throw Culture.Error(CalendarMessage.SectionInvalid);

        if (current.RecurrenceRule is null || mode is null) return Save(current, p);
        return mode switch
        {
            "this" => EditOccurrence(current, p, occurrenceDate),
            "next" => SplitSeries(current, p, occurrenceDate),
            _ => EditSeries(current, p),
        };
    }

    public bool Delete(RestParams p)
    {
        var id = p.Int("id");
        if (!p.Has("id") || id <= 0) throw Culture.Error(CalendarMessage.EventIdMissing);
        if (state.Event(id) is not { Deleted: false } target || !CanEdit(target))
            throw Culture.Error(CalendarMessage.EventDeleteError);
        if (target.IsInvitation) return DeleteInvitation(target);

        // Soft delete with the cascade of docs/bitrix24-api.md, "calendar.event.delete": a master takes its exceptions along; an exception takes its
        // whole series (REST calls DeleteEvent without a recursion mode).
        var doomed = new List<Bitrix24Event> { target };
        var seriesId = target.RecurrenceId ?? (target.RecurrenceRule is not null ? target.Id : (int?)null);
        if (seriesId is int masterId)
        {
            if (state.Event(masterId) is { } master) doomed.Add(master);
            doomed.AddRange(state.Events.Where(e => e.RecurrenceId == masterId));
        }
        SoftDelete(doomed);
        return true;
    }

    /// <summary>Rows and their attendees' copies (a host's meeting goes for everyone).</summary>
    private void SoftDelete(IEnumerable<Bitrix24Event> rows)
    {
        var doomed = rows.ToList();
        var hosts = doomed.Where(e => e.IsMeeting && !e.IsInvitation).Select(e => e.Id).ToHashSet();
        if (hosts.Count > 0) doomed.AddRange(state.Events.Where(e => e.IsInvitation && hosts.Contains(e.ParentId)));
        var now = portal.UtcNow;
        foreach (var e in doomed.Where(e => !e.Deleted).DistinctBy(e => e.Id))
            state.Put(e with { Deleted = true, ModifiedUtc = now });
    }

    /// <summary>
    /// CCalendarEvent::Delete on an attendee's copy (docs/bitrix24-api.md, "Invitations"): a caller with delete permission
    /// on the meeting (an administrator) deletes the host's meeting for everyone; anyone else declines it.
    /// </summary>
    private bool DeleteInvitation(Bitrix24Event copy)
    {
        if (portal.IsAdmin(portal.CallerId) && state.Event(copy.ParentId) is { Deleted: false } host)
        {
            SoftDelete([host]);
            return true;
        }
        if (copy.MeetingStatus is "Y" or "Q") state.Put(copy with { MeetingStatus = "N" });
        return true;
    }

    /// <summary>
    /// The host's save makes or updates one row per other attendee, in that attendee's meeting calendar, keeping their
    /// answer (new ones: <c>Q</c>); attendees no longer invited lose theirs (CCalendarEvent::CreateChildEvents).
    /// </summary>
    private void SyncInvitations(Bitrix24Event host, bool wasMeeting)
    {
        // A row that is not and was not a meeting has no copies: no scan of every row on each add (seeding thousands).
        if (host.IsInvitation || !host.IsMeeting && !wasMeeting) return;
        var copies = state.Events.Where(e => e.IsInvitation && e.ParentId == host.Id && !e.Deleted).ToList();
        var invited = host.IsMeeting ? host.Attendees.Where(a => a != host.MeetingHost && a != host.OwnerId).ToList() : [];
        var now = portal.UtcNow;
        foreach (var gone in copies.Where(c => !invited.Contains(c.OwnerId)))
            state.Put(gone with { Deleted = true, ModifiedUtc = now });
        foreach (var attendee in invited)
        {
            var copy = copies.FirstOrDefault(c => c.OwnerId == attendee);
            state.Put(host with
            {
                Id = copy?.Id ?? state.NewEventId(), ParentId = host.Id, CalType = "user", OwnerId = attendee,
                SectionId = copy?.SectionId ?? sections.DefaultFor("user", attendee), MeetingStatus = copy?.MeetingStatus ?? "Q",
                Version = copy is null ? 1 : copy.Version + 1, CreatedUtc = copy?.CreatedUtc ?? now, ModifiedUtc = now,
            });
        }
    }

    /// <summary><c>calendar.meeting.status.set</c>: the caller's own row of the meeting that <c>eventId</c> (any of its rows) belongs to.</summary>
    public JsonNode? SetMeetingStatus(RestParams p)
    {
        const string method = "calendar.meeting.status.set";
        if (!p.Has("eventId") || p.Int("eventId") <= 0) throw Culture.Error(CalendarMessage.ParamMissing, "eventId", method);
        if (string.IsNullOrEmpty(p.String("status"))) throw Culture.Error(CalendarMessage.ParamMissing, "status", method);
        var status = p.String("status")!.ToUpperInvariant();
        if (status is not ("Y" or "N" or "Q")) throw Culture.Error(CalendarMessage.ParamInvalid, "status");
        if (state.Event(p.Int("eventId")) is { IsMeeting: true, Deleted: false } e)
            foreach (var mine in state.Events.Where(r => r.ParentId == e.ParentId && r.OwnerId == portal.CallerId && r.CalType == "user" && !r.Deleted).ToList())
                state.Put(mine with { MeetingStatus = status }); // updateByFilter: VERSION and TIMESTAMP_X stay
        return true;
    }

    /// <summary><c>calendar.meeting.status.get</c>: the caller's answer to the meeting <c>eventId</c> belongs to.</summary>
    public JsonNode? GetMeetingStatus(RestParams p)
    {
        if (!p.Has("eventId") || p.Int("eventId") <= 0) throw Culture.Error(CalendarMessage.ParamMissing, "eventId", "calendar.meeting.status.get");
        var e = state.Event(p.Int("eventId")) is { IsMeeting: true, Deleted: false } row ? row : throw Culture.Error(CalendarMessage.EventIdMissing);
        return state.Events.FirstOrDefault(r => r.ParentId == e.ParentId && r.OwnerId == portal.CallerId && !r.Deleted)?.MeetingStatus
            ?? throw Culture.Error(CalendarMessage.AccessDenied);
    }

    private bool CanEdit(Bitrix24Event e)
    {
        try { sections.CheckEditable(e.CalType, e.OwnerId); return true; }
        catch (Bitrix24RestException) { return false; }
    }

    private JsonNode Save(Bitrix24Event current, RestParams p)
    {
        var saved = Touch(Apply(current, p, isNew: false));
        state.Put(saved);
        SyncInvitations(saved, current.IsMeeting);
        return current.Id;
    }

    private Bitrix24Event Touch(Bitrix24Event e) => e with { Version = e.Version + 1, ModifiedUtc = portal.UtcNow };

    /// <summary><c>this</c>: EXDATE on the master plus a standalone exception row; the answer is the master's ID (docs/bitrix24-api.md, "Exceptions and splits").</summary>
    private JsonNode EditOccurrence(Bitrix24Event master, RestParams p, DateOnly date)
    {
        var start = date.ToDateTime(TimeOnly.FromTimeSpan(master.From.TimeOfDay));
        var end = start + (master.To - master.From);
        state.Put(Touch(master with { ExcludedDates = master.ExcludedDates.Append(date).Distinct().ToList() }));

        var now = portal.UtcNow;
        var id = state.NewEventId();
        var exceptionBase = master with
        {
            Id = id, ParentId = id, RecurrenceRule = null, ExcludedDates = [], RecurrenceId = master.Id,
            OriginalDateFrom = start, OriginalRecursionId = null,
            CommentXmlId = $"EVENT_{master.Id}_{Culture.FormatDate(date)}",
            From = start, To = end, Version = 1, CreatedUtc = now, ModifiedUtc = now,
        };
        // The new row keeps the master's REMIND whatever "remind" says (docs/bitrix24-api.md, "recurrence_mode=this").
        var exception = Apply(exceptionBase, portal.ThisModeTakesRemind ? Without(p, "rrule") : Without(p, "rrule", "remind"), isNew: false) with { RecurrenceRule = null };
        state.Put(exception);
        return master.Id;
    }

    /// <summary><c>next</c>: the master ends the day before; a new series starts at the occurrence (docs/bitrix24-api.md, "Exceptions and splits").</summary>
    private JsonNode SplitSeries(Bitrix24Event master, RestParams p, DateOnly date)
    {
        var rule = master.RecurrenceRule!;
        var first = DateOnly.FromDateTime(master.From);
        if (date <= first) return EditSeries(master, p);

        var before = RecurrenceExpander.Dates(first, rule, date.AddDays(-1)).Count();
        state.Put(Touch(master with { RecurrenceRule = rule with { Until = date.AddDays(-1), Count = null } }));

        var now = portal.UtcNow;
        var id = state.NewEventId();
        var start = date.ToDateTime(TimeOnly.FromTimeSpan(master.From.TimeOfDay));
        var seriesBase = master with
        {
            Id = id, ParentId = id, DavXmlId = state.NewDavXmlId(now), OriginalRecursionId = master.Id,
            RecurrenceId = null, CommentXmlId = null, OriginalDateFrom = null,
            From = start, To = start + (master.To - master.From), Version = 1, CreatedUtc = now, ModifiedUtc = now,
            RecurrenceRule = rule with { Count = rule.Count is int count ? Math.Max(1, count - before) : null },
        };
        var series = Apply(seriesBase, p, isNew: false);
        state.Put(series);
        // Exceptions after the split belong to the new series.
        foreach (var exception in state.Events.Where(e => e.RecurrenceId == master.Id && e.OriginalDateFrom is { } o && DateOnly.FromDateTime(o) >= date).ToList())
            state.Put(exception with { RecurrenceId = id });

        return new JsonObject
        {
            ["originalDate"] = Culture.FormatDateTime(start),
            ["originalDavXmlId"] = master.DavXmlId,
            ["instanceTz"] = master.TimeZoneFrom ?? "",
            ["recEventId"] = id,
            ["id"] = master.Id,
        };
    }

    /// <summary><c>all</c>: edits the master and copies the non-time changes onto its exceptions.</summary>
    private JsonNode EditSeries(Bitrix24Event master, RestParams p)
    {
        var saved = Touch(Apply(master, p, isNew: false));
        state.Put(saved);
        SyncInvitations(saved, master.IsMeeting);
        var shared = Without(p, TimeShapingKeys);
        foreach (var exception in state.Events.Where(e => e.RecurrenceId == master.Id && !e.Deleted).ToList())
            state.Put(Touch(Apply(exception, shared, isNew: false)));
        return master.Id;
    }

    private static RestParams Without(RestParams p, params string[] keys)
    {
        var copy = (JsonObject)p.Values.DeepClone();
        foreach (var key in keys) copy.Remove(key);
        return new RestParams(copy);
    }

    private bool IsReadableDate(string? text) =>
        text is not null && (InputDates.HasZone(text) ? InputDates.TryParseZoned(Culture, text, out _) : InputDates.TryParseNaive(Culture, text, out _));

    private void CheckTexts(RestParams p)
    {
        if (p.Has("name") && !p.IsString("name")) throw Culture.Error(CalendarMessage.ParamInvalid, "name");
        if (p.Has("description") && !p.IsString("description")) throw Culture.Error(CalendarMessage.ParamInvalid, "description");
    }

    private int SectionForAdd(RestParams p, string type, int ownerId)
    {
        var requested = p.Int("section");
        if (p.Has("section") && requested > 0)
            return sections.IsUsable(requested, type, ownerId) ? requested : throw Culture.Error(CalendarMessage.SectionInvalid);
        if (p.Has("auto_detect_section") && p.String("auto_detect_section") != "Y")
            throw Culture.Error(CalendarMessage.ParamMissing, "section", AddMethod);
        return sections.DefaultFor(type, ownerId);
    }

    /// <summary>Merges the given parameters into a row; absent parameters keep their current values.</summary>
    private Bitrix24Event Apply(Bitrix24Event e, RestParams p, bool isNew)
    {
        if (p.Has("name"))
        {
            var name = p.String("name")!.Trim();
            e = e with { Name = name.Length == 0 ? Culture.NewEventName : name };
        }
        if (p.Has("description")) e = e with { Description = p.String("description")!.Trim() };
        if (p.Has("section") && p.Int("section") > 0) e = e with { SectionId = p.Int("section") };
        if (p.Has("color")) e = e with { Color = SectionCommands.NormalizeColor(p.String("color")) };
        if (p.Has("text_color")) e = e with { TextColor = SectionCommands.NormalizeColor(p.String("text_color")) };
        if (p.Has("accessibility"))
            e = e with { Accessibility = p.String("accessibility") is "busy" or "absent" or "quest" or "free" ? p.String("accessibility")! : "busy" };
        if (p.Has("importance"))
            e = e with { Importance = p.String("importance") is "high" or "normal" or "low" ? p.String("importance")! : "normal" };
        if (p.Has("private_event")) e = e with { Private = p.String("private_event") == "Y" };
        if (p.Has("location")) e = e with { Location = p.String("location") ?? "" };
        if (p.Has("remind")) e = e with { Reminders = Reminders(p.List("remind")) };
        if (p.Object("meeting") is { } meeting)
            e = e with
            {
                Meeting = new Bitrix24MeetingOptions(
                    RestParams.IsTruthy(meeting["notify"]), RestParams.IsTruthy(meeting["reinvite"]),
                    RestParams.IsTruthy(meeting["allow_invite"]), RestParams.IsTruthy(meeting["hide_guests"])),
            };
        e = ApplyAttendees(e, p);
        if (p.Has("crm_fields"))
        {
            if (!p.IsList("crm_fields")) throw Culture.Error(CalendarMessage.CrmFieldsNotArray);
            var fields = p.List("crm_fields").Select(RestParams.ToScalarString).ToList();
            if (fields.Any(f => f is null || !CrmField().IsMatch(f))) throw Culture.Error(CalendarMessage.ParamInvalid, "crm_fields");
            e = e with { CrmFields = fields.Select(f => f!).ToList() };
        }
        if (p.Has("rrule"))
        {
            var rule = ParseRule(p["rrule"]);
            // An unusable rule clears RRULE and EXDATE (docs/bitrix24-api.md, "RRULE in and out").
            e = e with { RecurrenceRule = rule, ExcludedDates = rule is null ? [] : e.ExcludedDates };
        }
        return ApplyTimes(e, p, isNew);
    }

    /// <summary><c>is_meeting=Y</c> without <c>attendees</c> clears the list; omitting <c>is_meeting</c> keeps it (docs/bitrix24-api.md, "calendar.event.update").</summary>
    private Bitrix24Event ApplyAttendees(Bitrix24Event e, RestParams p)
    {
        List<int> WithHost(IEnumerable<int> others) => new[] { e.MeetingHost }.Concat(others.Where(id => id > 0)).Distinct().ToList();
        var attendees = p.List("attendees").Select(RestParams.ToInt);
        if (p.Has("is_meeting"))
        {
            var isMeeting = p.String("is_meeting") == "Y";
            return e with { IsMeeting = isMeeting, Attendees = isMeeting && p.Has("attendees") ? WithHost(attendees) : [e.MeetingHost] };
        }
        return p.Has("attendees") && e.IsMeeting ? e with { Attendees = WithHost(attendees) } : e;
    }

    private static List<Bitrix24Reminder> Reminders(IReadOnlyList<JsonNode?> items) =>
        items.OfType<JsonObject>()
            .Select(r => (Type: RestParams.ToScalarString(r["type"]), Count: RestParams.ToInt(r["count"])))
            .Where(r => r.Type is "min" or "hour" or "day")
            .Select(r => new Bitrix24Reminder(r.Type!, r.Count))
            .ToList();

    /// <summary>
    /// checkRecurringRuleField: keys and FREQ are compared exactly, and HOURLY is kept although ParseRRULE knows only
    /// the other four (docs/bitrix24-api.md, "RRULE in and out").
    /// </summary>
    private Bitrix24RecurrenceRule? ParseRule(JsonNode? node)
    {
        if (node is not JsonObject rule) return null;
        var freq = RestParams.ToScalarString(rule["FREQ"]);
        if (freq is not ("HOURLY" or "DAILY" or "WEEKLY" or "MONTHLY" or "YEARLY")) return null;
        var interval = Math.Max(1, RestParams.ToInt(rule["INTERVAL"]));
        var count = RestParams.ToInt(rule["COUNT"]);
        DateOnly? until = InputDates.TryParseDate(Culture, RestParams.ToScalarString(rule["UNTIL"]), out var u) ? u : null;
        var byDay = freq == "WEEKLY" ? ByDay(rule["BYDAY"]) : [];
        return new Bitrix24RecurrenceRule(freq, interval, byDay, count > 0 ? count : null, until);
    }

    /// <summary>
    /// A comma list is upper-cased and kept where it names a day; a list is stored as sent, and ParseRRULE then reads
    /// each code case-sensitively (a positional <c>1MO</c> as the day).
    /// </summary>
    private static List<DayOfWeek> ByDay(JsonNode? node)
    {
        var codes = node is JsonValue
            ? (RestParams.ToScalarString(node) ?? "").Split(',').Select(c => c.ToUpperInvariant()).Where(c => DayCodes.Parse(c) is not null && c.Length == 2)
            : RestParams.AsList(node).SelectMany(d => (RestParams.ToScalarString(d) ?? "").Split(','));
        return codes.Select(c => RruleDay().Match(c)).Where(m => m.Success)
            .Select(m => DayCodes.Parse(m.Groups[1].Value)).OfType<DayOfWeek>().Distinct().ToList();
    }

    /// <summary>
    /// Reads from/to (docs/bitrix24-api.md, "Input dates and zones"): with an offset or Z the instant is shifted by the user's CURRENT offset and stored in the
    /// user's zone (the DST hazard); a naive datetime is wall clock in <c>timezone_from</c>/<c>timezone_to</c> or the
    /// user's zone; <c>skip_time=Y</c> (the string only) makes an all-day event whose <c>to</c> is the last day.
    /// An update is not partial for the time block (docs/bitrix24-api.md, "calendar.event.update"): without
    /// <c>skip_time</c> the event is timed, a missing zone is the calling user's, and a missing from/to keeps its stored
    /// wall-clock value.
    /// </summary>
    private Bitrix24Event ApplyTimes(Bitrix24Event e, RestParams p, bool isNew)
    {
        var allDay = p.Has("skip_time") ? p.String("skip_time") == "Y"
            : p.Has("skipTime") ? p.String("skipTime") == "Y"
            : !isNew && portal.UpdateKeepsSkipTime && e.AllDay;
        var fromGiven = p.Has("from") || p.Has("from_ts");
        var toGiven = p.Has("to") || p.Has("to_ts");
        if (!isNew && !fromGiven && !toGiven && allDay && e.AllDay) return e;

        if (allDay)
        {
            var fromDate = fromGiven ? DateOnly.FromDateTime(ReadEnd(p, "from", "from_ts", null).Wall) : DateOnly.FromDateTime(e.From);
            var days = e.AllDay ? (e.To.Date - e.From.Date).Days : 0;
            var toDate = toGiven ? DateOnly.FromDateTime(ReadEnd(p, "to", "to_ts", null).Wall) : fromDate.AddDays(Math.Max(0, days));
            if (toDate < fromDate) toDate = fromDate;
            return e with
            {
                AllDay = true, From = fromDate.ToDateTime(TimeOnly.MinValue), To = toDate.ToDateTime(TimeOnly.MinValue),
                TimeZoneFrom = null, TimeZoneTo = null,
            };
        }

        // EventUpdate's processTimezone: timezone_to, else timezone_from, else the calling user's zone, for each end.
        var zoneFromParam = p.Has("timezone_from") ? p.String("timezone_from") : null;
        var zoneToParam = p.Has("timezone_to") ? p.String("timezone_to") : zoneFromParam;
        if (!isNew && portal.UpdateKeepsZones && zoneFromParam is null && zoneToParam is null && !e.AllDay)
            (zoneFromParam, zoneToParam) = (e.TimeZoneFrom, e.TimeZoneTo ?? e.TimeZoneFrom);
        var (fromWall, fromZone) = fromGiven ? ReadEnd(p, "from", "from_ts", zoneFromParam) : (e.From, ZoneOrDefault(zoneFromParam));
        var (toWall, toZone) = toGiven ? ReadEnd(p, "to", "to_ts", zoneToParam) : (e.To, ZoneOrDefault(zoneToParam));
        if (Zones.ToUtc(toWall, Zones.Find(toZone)) < Zones.ToUtc(fromWall, Zones.Find(fromZone))) (toWall, toZone) = (fromWall, fromZone);
        return e with { AllDay = false, From = fromWall, To = toWall, TimeZoneFrom = fromZone, TimeZoneTo = toZone };
    }

    private (DateTime Wall, string Zone) ReadEnd(RestParams p, string key, string tsKey, string? zoneParam)
    {
        if (p.Has(key))
        {
            var text = p.String(key) ?? throw Culture.Error(CalendarMessage.ParamInvalid, key);
            if (InputDates.HasZone(text))
            {
                if (!InputDates.TryParseZoned(Culture, text, out var utc)) throw Culture.Error(CalendarMessage.ParamInvalid, key);
                // The user's offset NOW, not at the event's date (docs/bitrix24-api.md, "Input dates and zones", 1).
                return (DateTime.SpecifyKind(utc + portal.UserZone.GetUtcOffset(portal.UtcNow), DateTimeKind.Unspecified), portal.UserZoneId);
            }
            if (!InputDates.TryParseNaive(Culture, text, out var wall)) throw Culture.Error(CalendarMessage.ParamInvalid, key);
            return (wall, ZoneOrDefault(zoneParam));
        }
        var seconds = p.Int(tsKey);
        return (Zones.ToWall(DateTime.UnixEpoch.AddSeconds(seconds), portal.ServerZone), portal.UserZoneId);
    }

    /// <summary>No zone parameter means the user's zone; an unknown one falls back to the server zone (docs/bitrix24-api.md, "Input dates and zones").</summary>
    private string ZoneOrDefault(string? zoneParam) =>
        zoneParam is null ? portal.UserZoneId : Zones.Normalize(zoneParam) ?? portal.ServerZoneId;
}
