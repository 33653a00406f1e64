using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using CalSync.Bitrix24.Rest;
using CalSync.Engine.Model;

namespace CalSync.Bitrix24.Mapping;

/// <summary>One row of <c>calendar.event.get</c> / <c>getbyid</c>, read tolerantly.</summary>
internal sealed class EventRow
{
    public string Id = "";
    public string ParentId = "";
    public string SectionId = "";
    public string Version = "";
    public string Name = "";
    public string Description = "";
    public string Location = "";
    public bool AllDay;
    public EventTime Start = EventTime.AllDay(new DateTime(2000, 1, 1));
    public EventTime End = EventTime.AllDay(new DateTime(2000, 1, 2));
    /// <summary>The series' first occurrence (from ~DATE_FROM on expanded rows, DATE_FROM on getbyid).</summary>
    public EventTime? SeriesStart;
    public EventTime? SeriesEnd;
    public string Accessibility = "busy";
    public bool Private;
    public string Importance = "normal";
    public int? ReminderMinutes;
    public DateTime? TimestampX;
    public JsonElement? RRule;
    public IReadOnlyList<DateTime> ExDates = Array.Empty<DateTime>();
    public string? RecurrenceId;
    public DateTime? OriginalDate;
    public bool IsMeeting;
    public IReadOnlyList<Attendee> Attendees = Array.Empty<Attendee>();
    public JsonElement Raw;

    public bool IsSeries => RRule is not null;
    public bool IsException => !IsSeries && RecurrenceId is not null;

    /// <summary>The key that tells expanded rows of one series apart: ID plus its own start.</summary>
    public string RowKey => Id + "|" + Start;

    public static EventRow Parse(JsonElement e)
    {
        var row = new EventRow
        {
            Raw = e,
            Id = e.Str("ID") ?? "",
            ParentId = e.Str("PARENT_ID") ?? "",
            SectionId = e.Str("SECTION_ID") ?? e.Str("SECT_ID") ?? "",
            Version = e.Str("VERSION") ?? "",
            Name = e.Str("NAME") ?? "",
            Description = BbCode.ToPlainText(e.Str("DESCRIPTION")),
            Location = e.Str("LOCATION") ?? "",
            AllDay = e.Str("DT_SKIP_TIME") == "Y",
            Accessibility = e.Str("ACCESSIBILITY") ?? "busy",
            Private = e.Bool("PRIVATE_EVENT"),
            Importance = e.Str("IMPORTANCE") ?? "normal",
            ReminderMinutes = Reminder(e.Prop("REMIND")),
            TimestampX = Bitrix24Dates.ParseCulture(e.Str("TIMESTAMP_X")),
            RRule = e.Obj("RRULE") is { } rr && rr.Str("FREQ") is "DAILY" or "WEEKLY" or "MONTHLY" or "YEARLY" ? rr : null,
            ExDates = Bitrix24Dates.ParseDateList(e.Str("EXDATE")),
            IsMeeting = e.Bool("IS_MEETING"),
        };
        if (row.ParentId.Length == 0) row.ParentId = row.Id;
        var rid = e.Str("RECURRENCE_ID");
        row.RecurrenceId = string.IsNullOrEmpty(rid) || rid == "0" || rid == row.Id ? null : rid;
        row.OriginalDate = Bitrix24Dates.ParseCulture(e.Str("ORIGINAL_DATE_FROM"))?.Date;

        var tzFrom = Zone(e.Str("TZ_FROM"));
        var tzTo = Zone(e.Str("TZ_TO")) ?? tzFrom;
        tzFrom ??= tzTo ?? Zones.Utc;
        tzTo ??= tzFrom;
        var from = Bitrix24Dates.ParseFormatted(e.Str("DATE_FROM_FORMATTED")) ?? Bitrix24Dates.ParseCulture(e.Str("DATE_FROM")) ?? new DateTime(2000, 1, 1);
        var to = Bitrix24Dates.ParseFormatted(e.Str("DATE_TO_FORMATTED")) ?? Bitrix24Dates.ParseCulture(e.Str("DATE_TO")) ?? from;
        (row.Start, row.End) = Times(row.AllDay, from, to, tzFrom, tzTo);
        if (row.RRule is not null)
        {
            var expanded = e.Prop("~DATE_FROM") is not null;
            var sFrom = expanded ? Bitrix24Dates.ParseCulture(e.Str("~DATE_FROM")) : from;
            var sTo = expanded ? Bitrix24Dates.ParseCulture(e.Str("~DATE_TO")) : to;
            if (sFrom is { } sf)
                (row.SeriesStart, row.SeriesEnd) = Times(row.AllDay, sf, sTo ?? sf + (to - from), tzFrom, tzTo);
        }

        var attendees = new List<Attendee>();
        var host = e.Str("MEETING_HOST");
        if (row.IsMeeting)
        {
            foreach (var a in Json.Items(e.Prop("ATTENDEE_LIST")))
            {
                var id = a.Str("id");
                if (id is null || id == host) continue;
                var response = a.Str("status") switch
                {
                    "Y" => AttendeeResponse.Accepted,
                    "N" => AttendeeResponse.Declined,
                    _ => AttendeeResponse.None,
                };
                attendees.Add(new Attendee("Bitrix24 user " + id, "", true, response));
            }
        }
        row.Attendees = attendees;
        return row;
    }

    private static (EventTime, EventTime) Times(bool allDay, DateTime from, DateTime to, string tzFrom, string tzTo)
    {
        if (allDay)
        {
            // Bitrix24's all-day DATE_TO is the inclusive last day; the model's end is exclusive.
            var last = to.Date < from.Date ? from.Date : to.Date;
            return (EventTime.AllDay(from.Date), EventTime.AllDay(last.AddDays(1)));
        }
        return (EventTime.FromLocal(from, tzFrom), EventTime.FromLocal(to, tzTo));
    }

    private static string? Zone(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return null;
        try { return Zones.ToIana(name!); }
        catch (UnknownTimeZoneException) { return null; }
    }

    private static int? Reminder(JsonElement? remind)
    {
        int? best = null;
        foreach (var r in Json.Items(remind))
        {
            var count = r.Long("count");
            if (count is null) continue;
            int? minutes = r.Str("type") switch
            {
                "min" => (int)count.Value,
                "hour" => (int)count.Value * 60,
                "day" => (int)count.Value * 1440,
                _ => null,
            };
            if (minutes is { } m && (best is null || m < best)) best = m;
        }
        return best;
    }

    public static ShowAs ToShowAs(string accessibility) => accessibility switch
    {
        "free" => ShowAs.Free,
        "quest" => ShowAs.Tentative,
        "absent" => ShowAs.Oof,
        _ => ShowAs.Busy,
    };

    public static string FromShowAs(ShowAs showAs) => showAs switch
    {
        ShowAs.Free => "free",
        ShowAs.Tentative => "quest",
        ShowAs.Oof => "absent",
        _ => "busy",
    };

    public static Importance ToImportance(string importance) => importance switch
    {
        "high" => Engine.Model.Importance.High,
        "low" => Engine.Model.Importance.Low,
        _ => Engine.Model.Importance.Normal,
    };

    public static string FromImportance(Importance importance) => importance switch
    {
        Engine.Model.Importance.High => "high",
        Engine.Model.Importance.Low => "low",
        _ => "normal",
    };

    /// <summary>The model event of this row alone (a single event, or one occurrence when id says so).</summary>
    public CalEvent ToCalEvent(string id, TimeSpan serverOffset) => new()
    {
        Id = id,
        Version = Version,
        Title = Name,
        Description = Description,
        Location = Location,
        Start = Start,
        End = End,
        ShowAs = ToShowAs(Accessibility),
        Sensitivity = Private ? Sensitivity.Private : Sensitivity.Normal,
        Importance = ToImportance(Importance),
        ReminderMinutes = ReminderMinutes,
        Attendees = Attendees,
        LastModified = TimestampX is { } ts ? new DateTimeOffset(DateTime.SpecifyKind(ts, DateTimeKind.Unspecified), serverOffset).ToUniversalTime() : default,
    };

    /// <summary>The series pattern of a recurring row (anchored at <paramref name="seriesStart"/>).</summary>
    public Recurrence ToRecurrence(EventTime seriesStart)
    {
        var rr = RRule!.Value;
        var interval = (int)Math.Max(1, rr.Long("INTERVAL") ?? 1);
        var local = seriesStart.Local;
        var count = rr.Long("COUNT") is { } c && c > 0 ? (int?)c : null;
        DateTime? until = null;
        if (count is null)
        {
            var untilText = rr.Str("UNTIL");
            var tilde = rr.Prop("~UNTIL");
            var untilDate = Bitrix24Dates.ParseCulture(untilText)?.Date
                ?? (rr.Long("UNTIL_TS") is { } ts ? DateTimeOffset.FromUnixTimeSeconds(ts).UtcDateTime.Date : (DateTime?)null);
            var openEnded = untilDate is null || untilDate.Value.Year >= 2038 || (tilde is { ValueKind: JsonValueKind.String } t && t.GetString() == "" && untilDate.Value.Year >= 2037);
            if (!openEnded) until = untilDate;
        }
        var kind = rr.Str("FREQ") switch
        {
            "DAILY" => RecurrenceKind.Daily,
            "WEEKLY" => RecurrenceKind.Weekly,
            "MONTHLY" => RecurrenceKind.AbsoluteMonthly,
            _ => RecurrenceKind.AbsoluteYearly,
        };
        var days = new List<DayOfWeek>();
        if (kind == RecurrenceKind.Weekly)
        {
            foreach (var pair in Json.MapEntries(rr.Prop("BYDAY")))
            {
                var code = Json.AsString(pair.Value) ?? pair.Key;
                if (DayFromCode(code) is { } d && !days.Contains(d)) days.Add(d);
                else if (DayFromCode(pair.Key) is { } k && !days.Contains(k)) days.Add(k);
            }
            if (days.Count == 0) days.Add(DayOfWeek.Monday); // Bitrix24 expands WEEKLY without BYDAY as Mondays
        }
        return new Recurrence
        {
            Kind = kind,
            Interval = interval,
            DaysOfWeek = days,
            DayOfMonth = kind is RecurrenceKind.AbsoluteMonthly or RecurrenceKind.AbsoluteYearly ? local.Day : 0,
            Month = kind == RecurrenceKind.AbsoluteYearly ? local.Month : 0,
            // Bitrix24 weeks start on Monday; it matters only for multi-week weekly patterns.
            FirstDayOfWeek = kind == RecurrenceKind.Weekly && interval > 1 ? DayOfWeek.Monday : DayOfWeek.Sunday,
            Count = count,
            Until = until,
        }.Normalized();
    }

    public static DayOfWeek? DayFromCode(string? code) => code?.Trim().ToUpperInvariant() switch
    {
        "MO" => DayOfWeek.Monday,
        "TU" => DayOfWeek.Tuesday,
        "WE" => DayOfWeek.Wednesday,
        "TH" => DayOfWeek.Thursday,
        "FR" => DayOfWeek.Friday,
        "SA" => DayOfWeek.Saturday,
        "SU" => DayOfWeek.Sunday,
        _ => null,
    };

    public static string DayCode(DayOfWeek day) => day switch
    {
        DayOfWeek.Monday => "MO",
        DayOfWeek.Tuesday => "TU",
        DayOfWeek.Wednesday => "WE",
        DayOfWeek.Thursday => "TH",
        DayOfWeek.Friday => "FR",
        DayOfWeek.Saturday => "SA",
        _ => "SU",
    };

    public static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
