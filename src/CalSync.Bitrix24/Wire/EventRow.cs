using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;
using CalSync.Bitrix24.Rest;
using CalSync.Engine.Mapping;
using CalSync.Engine.Model;

namespace CalSync.Bitrix24.Wire;

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
    /// <summary>The row owner's answer: H (host, and every row that is no meeting), Q (not answered), Y, N.</summary>
    public string MeetingStatus = "H";
    /// <summary>For an invitation: the organizer's name.</summary>
    public string Organizer = "";
    public IReadOnlyList<Attendee> Attendees = Array.Empty<Attendee>();
    public JsonElement Raw;

    public bool IsSeries => RRule is not null;
    /// <summary>The user's own row of a colleague's meeting (docs/bitrix24-api.md, "Invitations").</summary>
    public bool IsInvitation => IsMeeting && ParentId != Id;
    /// <summary>A declined invitation is not in the user's calendar as far as CalSync is concerned: never copied as busy time.</summary>
    public bool IsDeclined => IsInvitation && MeetingStatus == "N";
    public bool IsException => !IsSeries && RecurrenceId is not null;

    /// <summary>The key that tells expanded rows of one series apart: ID plus its own start.</summary>
    public (string Id, EventTime Start) RowKey => (Id, Start);

    /// <summary>A row from a document (getbyid, write answers, the cursor's masters).</summary>
    public static EventRow Parse(JsonElement e)
    {
        var row = From(e.ValueKind == JsonValueKind.Object ? e.Deserialize(Bitrix24Json.Default.EventRowFields)! : new EventRowFields());
        row.Raw = e;
        return row;
    }

    /// <summary>A row straight from an answer (the reader on its start, the whole row in its data; left on its end).</summary>
    public static EventRow Read(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.StartObject) return From(JsonSerializer.Deserialize(ref reader, Bitrix24Json.Default.EventRowFields)!);
        reader.Skip();
        return From(new EventRowFields());
    }

    /// <summary>The row the service's fields describe (<see cref="Raw"/> stays unset).</summary>
    public static EventRow From(EventRowFields f)
    {
        var row = new EventRow
        {
            Id = f.Id ?? "",
            ParentId = f.ParentId ?? "",
            SectionId = f.SectionId ?? f.SectId ?? "",
            Version = f.Version ?? "",
            Name = f.Name ?? "",
            Description = BbCode.ToPlainText(f.Description),
            Location = f.Location ?? "",
            AllDay = f.SkipTime == "Y",
            Accessibility = f.Accessibility ?? "busy",
            Private = f.Private,
            Importance = f.Importance ?? "normal",
            ReminderMinutes = Reminder(f.Remind),
            TimestampX = f.TimestampX,
            RRule = f.RRule is { } rr && rr.Str("FREQ") is "DAILY" or "WEEKLY" or "MONTHLY" or "YEARLY" ? rr : null,
            ExDates = Bitrix24Dates.ParseDateList(f.ExDate),
            IsMeeting = f.IsMeeting,
            MeetingStatus = f.MeetingStatus ?? "H",
        };
        if (row.ParentId.Length == 0) row.ParentId = row.Id;
        var rid = f.RecurrenceId;
        row.RecurrenceId = string.IsNullOrEmpty(rid) || rid == "0" || rid == row.Id ? null : rid;
        row.OriginalDate = f.OriginalDateFrom?.Date;

        var tzFrom = Zone(f.TzFrom);
        var tzTo = Zone(f.TzTo) ?? tzFrom;
        tzFrom ??= tzTo ?? Zones.Utc;
        tzTo ??= tzFrom;
        var from = f.DateFromFormatted ?? Bitrix24Dates.ParseCulture(f.DateFrom) ?? new DateTime(2000, 1, 1);
        var to = f.DateToFormatted ?? Bitrix24Dates.ParseCulture(f.DateTo) ?? from;
        (row.Start, row.End) = Times(row.AllDay, from, to, tzFrom, tzTo);
        if (row.RRule is not null)
        {
            var expanded = f.HasSeriesDateFrom;
            var sFrom = expanded ? f.SeriesDateFrom : from;
            var sTo = expanded ? f.SeriesDateTo : to;
            if (sFrom is { } sf)
                (row.SeriesStart, row.SeriesEnd) = Times(row.AllDay, sf, sTo ?? sf + (to - from), tzFrom, tzTo);
        }

        var attendees = new List<Attendee>();
        var host = f.MeetingHost;
        if (row.IsInvitation) row.Organizer = f.Meeting?.HostName is { Length: > 0 } name ? name : "Bitrix24 user " + host;
        if (row.IsMeeting && f.Attendees is { } list)
        {
            foreach (var a in list)
            {
                if (a.Id is null || a.Id == host) continue;
                var response = a.Status switch
                {
                    "Y" => AttendeeResponse.Accepted,
                    "N" => AttendeeResponse.Declined,
                    _ => AttendeeResponse.None,
                };
                attendees.Add(new Attendee("Bitrix24 user " + a.Id, "", true, response));
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

    private static int? Reminder(List<EventRowFields.Reminder>? remind)
    {
        int? best = null;
        foreach (var (type, count) in remind ?? new())
        {
            if (count is null) continue;
            int? minutes = type switch
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

    /// <summary>
    /// The model event of this row alone (a single event, or one occurrence when id says so). An invitation not yet
    /// answered shows as tentative, and its change token holds the answer (answering does not change VERSION).
    /// </summary>
    public CalEvent ToCalEvent(string id, TimeSpan serverOffset) => new()
    {
        Id = id,
        Version = IsInvitation ? Version + MeetingStatus : Version,
        Title = Name,
        Description = Description,
        Location = Location,
        Start = Start,
        End = End,
        ShowAs = IsInvitation && MeetingStatus == "Q" ? ShowAs.Tentative : Vocabulary.FromBitrix24Accessibility(Accessibility),
        Invitation = IsInvitation ? new Invitation(Organizer, MeetingStatus == "Y" ? AttendeeResponse.Accepted : AttendeeResponse.None) : null,
        Sensitivity = Private ? Sensitivity.Private : Sensitivity.Normal,
        Importance = Vocabulary.FromBitrix24Importance(Importance),
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
