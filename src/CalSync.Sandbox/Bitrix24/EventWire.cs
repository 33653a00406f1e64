using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace CalSync.Sandbox.Bitrix24;

internal enum EventView { List, ById }

/// <summary>One expanded occurrence of a recurring master (wall clock in the master's zones).</summary>
internal sealed record Occurrence(DateTime From, DateTime To, int Index);

/// <summary>The instants Bitrix24 derives from a row, including the server-zone skew (docs/bitrix24-api.md, "Portal culture and dates").</summary>
internal static class EventTimes
{
    public static int OffsetFrom(Bitrix24Event e) => e.AllDay ? 0 : Zones.OffsetSeconds(Zones.Find(e.TimeZoneFrom!), e.From);
    public static int OffsetTo(Bitrix24Event e) => e.AllDay ? 0 : Zones.OffsetSeconds(Zones.Find(e.TimeZoneTo!), e.To);

    /// <summary>DATE_FROM_TS_UTC = mktime(DATE_FROM) in the server zone − TZ_OFFSET_FROM: right only when the server runs on UTC.</summary>
    public static long FromTimestamp(Portal portal, Bitrix24Event e, DateTime? occurrenceFrom = null) =>
        portal.ServerTimestamp(occurrenceFrom ?? e.From) - OffsetFrom(e);

    /// <summary>DATE_TO_TS_UTC; for a recurring master the end of the whole series (last date + 1 day).</summary>
    public static long ToTimestamp(Portal portal, Bitrix24Event e, DateTime? occurrenceTo = null)
    {
        if (occurrenceTo is null && e.RecurrenceRule is { } rule)
        {
            // calculateUntilForCountRRule knows no HOURLY: 0, so the row is in no window.
            if (rule is { Frequency: "HOURLY", Count: not null }) return 0;
            var last = RecurrenceExpander.LastDate(DateOnly.FromDateTime(e.From), rule);
            var end = last >= RecurrenceExpander.MaxDate ? RecurrenceExpander.MaxDate : last.AddDays(1);
            return portal.ServerTimestamp(end.ToDateTime(TimeOnly.MinValue)) - OffsetTo(e);
        }
        return portal.ServerTimestamp(occurrenceTo ?? e.To) - OffsetTo(e);
    }

    /// <summary>DT_LENGTH: seconds; all-day events count whole days (a one-day event is 86400).</summary>
    public static long Length(Bitrix24Event e) => e.AllDay
        ? ((e.To.Date - e.From.Date).Days + 1) * 86400L
        : (long)(Zones.ToUtc(e.To, Zones.Find(e.TimeZoneTo!)) - Zones.ToUtc(e.From, Zones.Find(e.TimeZoneFrom!))).TotalSeconds;

    public static DateTime StartUtc(Bitrix24Event e, DateTime? occurrenceFrom = null) =>
        e.AllDay ? DateTime.SpecifyKind(occurrenceFrom ?? e.From, DateTimeKind.Utc) : Zones.ToUtc(occurrenceFrom ?? e.From, Zones.Find(e.TimeZoneFrom!));
}

/// <summary>
/// Renders a stored row as the event object of <c>calendar.event.get</c> / <c>getbyid</c> (docs/bitrix24-api.md, "The event object"):
/// numbers as strings, <c>""</c>-or-object fields, culture-formatted dates and the expansion-only fields.
/// </summary>
internal static class EventWire
{
    /// <summary><paramref name="attendees"/>: ATTENDEE_LIST, each attendee with their own row's ID and status (<see cref="EventQuery.Attendees"/>).</summary>
    public static JsonObject Build(Portal portal, Bitrix24Event e, EventView view, IReadOnlyList<(int Id, int EntryId, string Status)> attendees, Occurrence? occurrence = null)
    {
        var culture = portal.Culture;
        var list = view == EventView.List;
        var from = occurrence?.From ?? e.From;
        var to = occurrence?.To ?? e.To;
        // All-day recurring instances carry date-only strings (docs/bitrix24-api.md, "Expansion in calendar.event.get").
        var dateOnly = e.AllDay && occurrence is not null;
        string Date(DateTime wall) => portal.EventDateFormat is { } format ? wall.ToString(format, System.Globalization.CultureInfo.InvariantCulture)
            : dateOnly ? culture.FormatDate(DateOnly.FromDateTime(wall)) : culture.FormatDateTime(wall);

        var offsetFrom = EventTimes.OffsetFrom(e);
        var offsetTo = EventTimes.OffsetTo(e);
        var o = new JsonObject
        {
            ["ID"] = S(e.Id),
            ["PARENT_ID"] = S(e.ParentId),
        };
        if (list) o["ACTIVE"] = "Y";
        o["DELETED"] = e.Deleted ? "Y" : "N";
        o["CAL_TYPE"] = e.CalType;
        o["OWNER_ID"] = S(e.OwnerId);
        o["NAME"] = e.Name;
        o["DATE_FROM"] = Date(from);
        o["DATE_TO"] = Date(to);
        o["ORIGINAL_DATE_FROM"] = e.OriginalDateFrom is { } original ? culture.FormatDateTime(original) : null;
        o["TZ_FROM"] = e.TimeZoneFrom ?? "";
        o["TZ_TO"] = e.TimeZoneTo ?? "";
        o["TZ_OFFSET_FROM"] = S(offsetFrom);
        o["TZ_OFFSET_TO"] = S(offsetTo);
        // Instances keep the master's TS values (docs/bitrix24-api.md, "Expansion in calendar.event.get").
        o["DATE_FROM_TS_UTC"] = S(EventTimes.FromTimestamp(portal, e));
        o["DATE_TO_TS_UTC"] = S(EventTimes.ToTimestamp(portal, e));
        o["DT_SKIP_TIME"] = e.AllDay ? "Y" : "N";
        o["DT_LENGTH"] = EventTimes.Length(e);
        o["EVENT_TYPE"] = null;
        o["CREATED_BY"] = S(e.CreatedBy);
        o["DATE_CREATE"] = portal.FormatServerTime(e.CreatedUtc);
        o["TIMESTAMP_X"] = portal.FormatTimestampX(e.ModifiedUtc);
        o["DESCRIPTION"] = e.Description;
        if (list)
        {
            o["DT_FROM"] = null;
            o["DT_TO"] = null;
        }
        o["PRIVATE_EVENT"] = e.Private ? "1" : "";
        o["ACCESSIBILITY"] = e.Accessibility;
        o["IMPORTANCE"] = e.Importance;
        o["IS_MEETING"] = e.IsMeeting;
        o["MEETING_STATUS"] = e.MeetingStatus;
        o["MEETING_HOST"] = S(e.MeetingHost);
        o["MEETING"] = new JsonObject
        {
            ["HOST_NAME"] = portal.NameOf(e.MeetingHost),
            ["NOTIFY"] = e.Meeting.Notify,
            ["REINVITE"] = e.Meeting.Reinvite,
            ["ALLOW_INVITE"] = e.Meeting.AllowInvite,
            ["HIDE_GUESTS"] = e.Meeting.HideGuests,
            ["MEETING_CREATOR"] = e.MeetingHost,
            ["LANGUAGE_ID"] = culture.Code,
            ["MAIL_FROM"] = "",
        };
        o["LOCATION"] = e.Location;
        o["REMIND"] = new JsonArray(e.Reminders.Select(r => (JsonNode)new JsonObject { ["type"] = r.Type, ["count"] = r.Count }).ToArray());
        o["COLOR"] = e.Color;
        if (list) o["TEXT_COLOR"] = e.TextColor;
        o["RRULE"] = e.RecurrenceRule is { } rule ? Rule(culture, rule) : "";
        o["EXDATE"] = string.Join(';', e.ExcludedDates.Order().Select(culture.FormatDate));
        o["DAV_XML_ID"] = e.DavXmlId;
        o["G_EVENT_ID"] = "";
        o["DAV_EXCH_LABEL"] = "";
        o["CAL_DAV_LABEL"] = "";
        o["VERSION"] = S(e.Version);
        o["ATTENDEES_CODES"] = new JsonArray(e.Attendees.Select(a => (JsonNode)("U" + S(a))).ToArray());
        o["RECURRENCE_ID"] = e.RecurrenceId;
        o["RELATIONS"] = Relations(e);
        o["SECTION_ID"] = S(e.SectionId);
        o["SYNC_STATUS"] = null;
        o["UF_CRM_CAL_EVENT"] = e.CrmFields.Count > 0 ? new JsonArray(e.CrmFields.Select(f => (JsonNode)f).ToArray()) : false;
        o["UF_WEBDAV_CAL_EVENT"] = false;
        o["SECTION_DAV_XML_ID"] = null;
        o["DATE_FROM_FORMATTED"] = PortalCulture.Formatted(from, e.AllDay);
        o["DATE_TO_FORMATTED"] = PortalCulture.Formatted(to, e.AllDay);
        o["IS_DAYLIGHT_SAVING_TZ"] = !e.AllDay && Zones.Find(e.TimeZoneFrom!).SupportsDaylightSavingTime ? "Y" : "N";
        o["SECT_ID"] = S(e.SectionId);
        o["OPTIONS"] = null;
        o["ATTENDEE_LIST"] = new JsonArray(attendees.Select(a => (JsonNode)new JsonObject
        {
            ["id"] = a.Id,
            ["entryId"] = S(a.EntryId),
            ["status"] = a.Status,
        }).ToArray());
        o["COLLAB_ID"] = null;
        if (e.RecurrenceRule is { } described) o["~RRULE_DESCRIPTION"] = Describe(culture, e, described);
        o["attendeesEntityList"] = new JsonArray(e.Attendees.Select(a => (JsonNode)new JsonObject { ["entityId"] = "user", ["id"] = a }).ToArray());
        if (!list) o["~DESCRIPTION"] = WebUtility.HtmlEncode(e.Description).Replace("\n", "<br />");
        if (occurrence is not null)
        {
            o["~DATE_FROM"] = Date(e.From);
            o["~DATE_TO"] = Date(e.To);
            o["RINDEX"] = occurrence.Index;
        }
        var userOffset = e.AllDay ? 0 : (int)portal.UserZone.GetUtcOffset(EventTimes.StartUtc(e, from)).TotalSeconds;
        o["~USER_OFFSET_FROM"] = e.AllDay ? 0 : offsetFrom - userOffset;
        o["~USER_OFFSET_TO"] = e.AllDay ? 0 : offsetTo - userOffset;
        return o;
    }

    /// <summary>
    /// RRULE as ParseRRULE returns it: FREQ only when one of the four it knows (not HOURLY), BYDAY keyed by day code,
    /// UNTIL as stored (the maximum date without one, a COUNT rule included) in the short culture format, "~UNTIL" empty
    /// for the maximum date, UNTIL_TS at UTC midnight.
    /// </summary>
    private static JsonObject Rule(PortalCulture culture, Bitrix24RecurrenceRule rule)
    {
        var o = new JsonObject();
        if (rule.Frequency != "HOURLY") o["FREQ"] = rule.Frequency;
        if (rule.Count is int count) o["COUNT"] = count;
        if (rule.Frequency == "WEEKLY")
        {
            var days = new JsonObject();
            foreach (var day in RecurrenceExpander.EffectiveDays(rule)) days[DayCodes.Code(day)] = DayCodes.Code(day);
            o["BYDAY"] = days;
        }
        o["INTERVAL"] = rule.Interval;
        var until = rule.Until ?? RecurrenceExpander.MaxDate;
        o["UNTIL"] = culture.FormatDate(until);
        o["~UNTIL"] = until == RecurrenceExpander.MaxDate ? "" : culture.FormatDate(until);
        o["UNTIL_TS"] = Zones.Unix(until.ToDateTime(TimeOnly.MinValue));
        return o;
    }

    private static JsonNode Relations(Bitrix24Event e)
    {
        if (e.OriginalRecursionId is null && e.CommentXmlId is null) return "";
        var o = new JsonObject();
        if (e.OriginalRecursionId is int original) o["ORIGINAL_RECURSION_ID"] = original;
        if (e.CommentXmlId is { } comment) o["COMMENT_XML_ID"] = comment;
        return o;
    }

    private static string Describe(PortalCulture culture, Bitrix24Event e, Bitrix24RecurrenceRule rule)
    {
        var de = culture.Code == "de";
        var n = rule.Interval;
        var days = culture.DayNames(RecurrenceExpander.EffectiveDays(rule));
        var what = rule.Frequency switch
        {
            "DAILY" => n == 1 ? (de ? "täglich" : "every day") : (de ? $"alle {n} Tage" : $"every {n} days"),
            "WEEKLY" => (n == 1 ? (de ? "wöchentlich am: " : "every week on: ") : (de ? $"alle {n} Wochen am: " : $"every {n} weeks on: ")) + days,
            "MONTHLY" => n == 1 ? (de ? "monatlich" : "every month") : (de ? $"alle {n} Monate" : $"every {n} months"),
            "YEARLY" => n == 1 ? (de ? "jährlich" : "every year") : (de ? $"alle {n} Jahre" : $"every {n} years"),
            _ => "", // GetRRULEDescription has no text for a rule without FREQ (HOURLY)
        };
        var text = $"{what}, {(de ? "ab" : "from")} {culture.FormatDate(DateOnly.FromDateTime(e.From))}";
        // The stored UNTIL, else the COUNT (GetRRULEDescription).
        if (rule.Until is { } until && until < RecurrenceExpander.MaxDate) return $"{text} {(de ? "bis" : "to")} {culture.FormatDate(until)}";
        return rule.Count is int count ? $"{text}, {count} {(de ? "Mal" : "time(s)")}" : text;
    }

    public static JsonObject Section(Portal portal, Bitrix24Section s)
    {
        var access = new JsonObject();
        foreach (var (code, level) in s.Access) access[code] = level;
        var export = new JsonObject { ["ALLOW"] = s.ExportAllow };
        if (s.ExportSet is { } set) export["SET"] = set;
        return new JsonObject
        {
            ["ID"] = S(s.Id),
            ["NAME"] = s.Name,
            ["GAPI_CALENDAR_ID"] = null,
            ["DESCRIPTION"] = s.Description,
            ["COLOR"] = s.Color,
            ["TEXT_COLOR"] = s.TextColor,
            ["EXPORT"] = export,
            ["CAL_TYPE"] = s.CalType,
            ["OWNER_ID"] = S(s.OwnerId),
            ["CREATED_BY"] = S(s.CreatedBy),
            // Sections use Y-m-d H:i:s whatever the culture (docs/bitrix24-api.md, "Sections").
            ["DATE_CREATE"] = Zones.ToWall(s.CreatedUtc, portal.ServerZone).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            ["TIMESTAMP_X"] = Zones.ToWall(s.ModifiedUtc, portal.ServerZone).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            ["CAL_DAV_CON"] = null,
            ["SYNC_TOKEN"] = null,
            ["PAGE_TOKEN"] = null,
            ["EXTERNAL_TYPE"] = s.ExternalType,
            // PHP serialises an empty array as [].
            ["ACCESS"] = access.Count > 0 ? access : new JsonArray(),
            ["IS_COLLAB"] = false,
            ["PERM"] = new JsonObject
            {
                ["view_time"] = true, ["view_title"] = true, ["view_full"] = true, ["add"] = true,
                ["edit"] = true, ["edit_section"] = true, ["access"] = true,
            },
        };
    }

    private static string S(long value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>iCalendar day codes (MO, TU, ...).</summary>
internal static class DayCodes
{
    public static string Code(DayOfWeek day) => day switch
    {
        DayOfWeek.Monday => "MO", DayOfWeek.Tuesday => "TU", DayOfWeek.Wednesday => "WE", DayOfWeek.Thursday => "TH",
        DayOfWeek.Friday => "FR", DayOfWeek.Saturday => "SA", _ => "SU",
    };

    public static DayOfWeek? Parse(string? code) => code?.Trim().ToUpperInvariant() switch
    {
        "MO" => DayOfWeek.Monday, "TU" => DayOfWeek.Tuesday, "WE" => DayOfWeek.Wednesday, "TH" => DayOfWeek.Thursday,
        "FR" => DayOfWeek.Friday, "SA" => DayOfWeek.Saturday, "SU" => DayOfWeek.Sunday, _ => null,
    };
}
