using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
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

    // The fields a row is built from; everything else in an answer is skipped.
    private const int FId = 0, FParentId = 1, FSectionId = 2, FSectId = 3, FVersion = 4, FName = 5, FDescription = 6, FLocation = 7,
        FSkipTime = 8, FAccessibility = 9, FImportance = 10, FTimestampX = 11, FExDate = 12, FRecurrenceId = 13, FOriginalDateFrom = 14,
        FTzFrom = 15, FTzTo = 16, FDateFromFormatted = 17, FDateToFormatted = 18, FDateFrom = 19, FDateTo = 20, FTildeDateFrom = 21,
        FTildeDateTo = 22, FMeetingHost = 23, FMeetingStatus = 24, FPrivate = 25, FIsMeeting = 26, FRRule = 27, FRemind = 28,
        FAttendeeList = 29, FMeeting = 30;

    private static readonly string[] Names =
    {
        "ID", "PARENT_ID", "SECTION_ID", "SECT_ID", "VERSION", "NAME", "DESCRIPTION", "LOCATION", "DT_SKIP_TIME", "ACCESSIBILITY",
        "IMPORTANCE", "TIMESTAMP_X", "EXDATE", "RECURRENCE_ID", "ORIGINAL_DATE_FROM", "TZ_FROM", "TZ_TO", "DATE_FROM_FORMATTED",
        "DATE_TO_FORMATTED", "DATE_FROM", "DATE_TO", "~DATE_FROM", "~DATE_TO", "MEETING_HOST", "MEETING_STATUS", "PRIVATE_EVENT",
        "IS_MEETING", "RRULE", "REMIND", "ATTENDEE_LIST", "MEETING",
    };

    private static readonly byte[][] NameBytes = Names.Select(n => Encoding.UTF8.GetBytes(n)).ToArray();

    /// <summary>The fields by name length: a row has some 90 properties, most of them not read.</summary>
    private static readonly int[][] ByLength = Enumerable.Range(0, Names.Max(n => n.Length) + 1)
        .Select(length => Enumerable.Range(0, Names.Length).Where(i => NameBytes[i].Length == length).ToArray()).ToArray();

    /// <summary>Date fields, read as dates straight from the answer: culture format, or *_FORMATTED.</summary>
    private static readonly bool?[] DateFormatted = Enumerable.Range(0, FPrivate)
        .Select(i => i is FDateFromFormatted or FDateToFormatted ? true : i is FTimestampX or FOriginalDateFrom or FDateFrom or FDateTo or FTildeDateFrom or FTildeDateTo ? false : (bool?)null)
        .ToArray();

    /// <summary>Fields whose text is mostly the same in every row (zones, flags, section): kept once, not once a row.</summary>
    private static readonly bool[] Repeats = Enumerable.Range(0, FPrivate)
        .Select(i => i is FSectionId or FSectId or FSkipTime or FAccessibility or FImportance or FTzFrom or FTzTo or FMeetingHost or FMeetingStatus).ToArray();

    /// <summary>
    /// What a row is built from, read either from a <see cref="JsonElement"/> or straight from a reader; one is used
    /// for all rows of an answer (<see cref="Reset"/> between them).
    /// </summary>
    internal sealed class Fields
    {
        /// <summary>Scalar fields as <see cref="Json.AsString"/> reads them (numbers as their text, false/null as null).</summary>
        public readonly string?[] Text = new string?[FPrivate];
        public readonly DateTime?[] Dates = new DateTime?[FPrivate];
        public bool Private;
        public bool IsMeeting;
        public bool HasTildeDateFrom;
        /// <summary>MEETING.HOST_NAME: the organizer's name.</summary>
        public string? HostName;
        public JsonElement? RRule;
        public readonly List<(string? Type, long? Count)> Remind = new();
        public readonly List<(string? Id, string? Status)> Attendees = new();
        /// <summary>The last text of each <see cref="Repeats"/> field and its bytes.</summary>
        public readonly string?[] LastText = new string?[FPrivate];
        public readonly byte[]?[] LastBytes = new byte[]?[FPrivate];

        public void Reset()
        {
            Array.Clear(Text, 0, Text.Length);
            Array.Clear(Dates, 0, Dates.Length);
            Private = IsMeeting = HasTildeDateFrom = false;
            HostName = null;
            RRule = null;
            Remind.Clear();
            Attendees.Clear();
        }
    }

    /// <summary>A row from a document (getbyid, write answers, the cursor's masters), read by the same <see cref="Read"/> as a streamed answer.</summary>
    public static EventRow Parse(JsonElement e)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(e.GetRawText()));
        reader.Read();
        var row = Read(ref reader);
        row.Raw = e;
        return row;
    }

    /// <summary>Reads one row from <paramref name="reader"/> over a complete buffer (on the row's start; left on its end).</summary>
    public static EventRow Read(ref Utf8JsonReader reader) =>
        TryRead(ref reader, new Fields()) ?? throw new JsonException("The event row ends before its last field.");

    /// <summary>
    /// Reads one row straight from <paramref name="reader"/> (on the row's start) and leaves it on the row's end: the
    /// no-op read meets thousands of rows, so no document and no copy of fields it does not use. Null when the reader's
    /// data ends inside the row (a streamed answer, more to come): the caller reads the row again, from its start,
    /// with more data. <see cref="Raw"/> stays unset.
    /// </summary>
    public static EventRow? TryRead(ref Utf8JsonReader reader, Fields f)
    {
        f.Reset();
        if (reader.TokenType != JsonTokenType.StartObject) return reader.TrySkip() ? Build(f) : null;
        while (true)
        {
            if (!reader.Read()) return null;
            if (reader.TokenType != JsonTokenType.PropertyName) break;
            var field = FieldOf(ref reader);
            if (!reader.Read()) return null;
            bool read;
            switch (field)
            {
                case -1:
                    read = reader.TrySkip();
                    break;
                case FPrivate:
                    read = TryReadBool(ref reader, out f.Private);
                    break;
                case FIsMeeting:
                    read = TryReadBool(ref reader, out f.IsMeeting);
                    break;
                case FRRule:
                    f.RRule = null;
                    read = reader.TokenType == JsonTokenType.StartObject ? JsonElement.TryParseValue(ref reader, out f.RRule) : reader.TrySkip();
                    break;
                case FRemind:
                    f.Remind.Clear();
                    read = TryReadItems(ref reader, "type", "count", f.Remind, null);
                    break;
                case FAttendeeList:
                    f.Attendees.Clear();
                    read = TryReadItems(ref reader, "id", "status", null, f.Attendees);
                    break;
                case FMeeting:
                    read = TryReadMember(ref reader, "HOST_NAME", out f.HostName);
                    break;
                default:
                    if (field == FTildeDateFrom) f.HasTildeDateFrom = true;
                    if (DateFormatted[field] is { } formatted) read = TryReadDate(ref reader, formatted, out f.Dates[field]);
                    else if (Repeats[field]) read = TryReadRepeated(ref reader, f, field);
                    else read = TryReadText(ref reader, out f.Text[field]);
                    break;
            }
            if (!read) return null;
        }
        return Build(f);
    }

    private static int FieldOf(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped) return Array.IndexOf(Names, reader.GetString());
        var name = reader.ValueSpan;
        if (name.Length >= ByLength.Length) return -1;
        foreach (var i in ByLength[name.Length])
            if (name.SequenceEqual(NameBytes[i])) return i;
        return -1;
    }

    // The readers below return false when the data ends inside the value (see TryRead).

    /// <summary>The value as <see cref="Json.AsString"/> reads it; objects and arrays are skipped (null).</summary>
    private static bool TryReadText(ref Utf8JsonReader reader, out string? text)
    {
        text = null;
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                text = reader.GetString();
                return true;
            case JsonTokenType.Number:
                text = Encoding.UTF8.GetString(reader.ValueSpan.ToArray());
                return true;
            case JsonTokenType.True:
                text = "true";
                return true;
            default:
                return reader.TrySkip();
        }
    }

    /// <summary>
    /// A date as <see cref="Bitrix24Dates.ParseFormatted"/> or <see cref="Bitrix24Dates.ParseCulture"/> reads its text;
    /// the usual shapes straight from the answer's bytes, without a string.
    /// </summary>
    private static bool TryReadDate(ref Utf8JsonReader reader, bool formatted, out DateTime? value)
    {
        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && reader.ValueSpan.Length <= 32)
        {
            var bytes = reader.ValueSpan;
            Span<char> chars = stackalloc char[bytes.Length];
            var ascii = true;
            for (var i = 0; i < bytes.Length && ascii; i++)
            {
                ascii = bytes[i] < 0x80;
                chars[i] = (char)bytes[i];
            }
            if (ascii && Bitrix24Dates.TryParseFast(chars, formatted, out var fast))
            {
                value = fast;
                return true;
            }
        }
        value = null;
        if (!TryReadText(ref reader, out var text)) return false;
        value = formatted ? Bitrix24Dates.ParseFormatted(text) : Bitrix24Dates.ParseCulture(text);
        return true;
    }

    /// <summary>As <see cref="TryReadText"/>; a string equal to the field's last one is that same string.</summary>
    private static bool TryReadRepeated(ref Utf8JsonReader reader, Fields f, int field)
    {
        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && f.LastBytes[field] is { } last && reader.ValueSpan.SequenceEqual(last))
        {
            f.Text[field] = f.LastText[field];
            return true;
        }
        if (!TryReadText(ref reader, out f.Text[field])) return false;
        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped)
        {
            f.LastBytes[field] = reader.ValueSpan.ToArray();
            f.LastText[field] = f.Text[field];
        }
        return true;
    }

    /// <summary>One member of an object as <see cref="TryReadText"/> reads it (null when it is no object or has no such member).</summary>
    private static bool TryReadMember(ref Utf8JsonReader reader, string name, out string? value)
    {
        value = null;
        if (reader.TokenType != JsonTokenType.StartObject) return reader.TrySkip();
        while (true)
        {
            if (!reader.Read()) return false;
            if (reader.TokenType != JsonTokenType.PropertyName) return true;
            var wanted = reader.ValueTextEquals(name);
            if (!reader.Read()) return false;
            if (!(wanted ? TryReadText(ref reader, out value) : reader.TrySkip())) return false;
        }
    }

    /// <summary>Bitrix24's flags: true, a non-zero integer, or Y/y/1/true/TRUE.</summary>
    private static bool TryReadBool(ref Utf8JsonReader reader, out bool value)
    {
        value = false;
        switch (reader.TokenType)
        {
            case JsonTokenType.True:
                value = true;
                return true;
            case JsonTokenType.Number:
                value = reader.TryGetInt64(out var n) && n != 0;
                return true;
            case JsonTokenType.String:
                value = reader.GetString() is "Y" or "y" or "1" or "true" or "TRUE";
                return true;
            default:
                return reader.TrySkip();
        }
    }

    /// <summary>As <see cref="Json.AsLong"/>.</summary>
    private static bool TryReadLong(ref Utf8JsonReader reader, out long? value)
    {
        value = null;
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                if (reader.TryGetInt64(out var l)) value = l;
                else if (reader.TryGetDouble(out var d)) value = (long)d;
                return true;
            case JsonTokenType.String:
                value = Json.ParseLong(reader.GetString());
                return true;
            default:
                return reader.TrySkip();
        }
    }

    /// <summary>
    /// As <see cref="Json.Items"/> over a list of small objects (REMIND, ATTENDEE_LIST): two fields of each object
    /// (the second as a number for REMIND); items that are not objects give nulls.
    /// </summary>
    private static bool TryReadItems(ref Utf8JsonReader reader, string first, string second, List<(string?, long?)>? numbers, List<(string?, string?)>? texts)
    {
        if (reader.TokenType is not (JsonTokenType.StartArray or JsonTokenType.StartObject)) return reader.TrySkip();
        var isObject = reader.TokenType == JsonTokenType.StartObject;
        while (true)
        {
            if (!reader.Read()) return false;
            if (reader.TokenType is JsonTokenType.EndArray or JsonTokenType.EndObject) return true;
            if (isObject && !reader.Read()) return false; // the map's key
            string? a = null, b = null;
            long? n = null;
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                while (true)
                {
                    if (!reader.Read()) return false;
                    if (reader.TokenType != JsonTokenType.PropertyName) break;
                    var isFirst = reader.ValueTextEquals(first);
                    var isSecond = !isFirst && reader.ValueTextEquals(second);
                    if (!reader.Read()) return false;
                    var read = isFirst ? TryReadText(ref reader, out a)
                        : isSecond && numbers is not null ? TryReadLong(ref reader, out n)
                        : isSecond ? TryReadText(ref reader, out b)
                        : reader.TrySkip();
                    if (!read) return false;
                }
            }
            else if (!reader.TrySkip())
            {
                return false;
            }
            numbers?.Add((a, n));
            texts?.Add((a, b));
        }
    }

    private static EventRow Build(Fields f)
    {
        var t = f.Text;
        var row = new EventRow
        {
            Id = t[FId] ?? "",
            ParentId = t[FParentId] ?? "",
            SectionId = t[FSectionId] ?? t[FSectId] ?? "",
            Version = t[FVersion] ?? "",
            Name = t[FName] ?? "",
            Description = BbCode.ToPlainText(t[FDescription]),
            Location = t[FLocation] ?? "",
            AllDay = t[FSkipTime] == "Y",
            Accessibility = t[FAccessibility] ?? "busy",
            Private = f.Private,
            Importance = t[FImportance] ?? "normal",
            ReminderMinutes = Reminder(f.Remind),
            TimestampX = f.Dates[FTimestampX],
            RRule = f.RRule is { } rr && rr.Str("FREQ") is "DAILY" or "WEEKLY" or "MONTHLY" or "YEARLY" ? rr : null,
            ExDates = Bitrix24Dates.ParseDateList(t[FExDate]),
            IsMeeting = f.IsMeeting,
            MeetingStatus = t[FMeetingStatus] ?? "H",
        };
        if (row.ParentId.Length == 0) row.ParentId = row.Id;
        var rid = t[FRecurrenceId];
        row.RecurrenceId = string.IsNullOrEmpty(rid) || rid == "0" || rid == row.Id ? null : rid;
        row.OriginalDate = f.Dates[FOriginalDateFrom]?.Date;

        var tzFrom = Zone(t[FTzFrom]);
        var tzTo = Zone(t[FTzTo]) ?? tzFrom;
        tzFrom ??= tzTo ?? Zones.Utc;
        tzTo ??= tzFrom;
        var d = f.Dates;
        var from = d[FDateFromFormatted] ?? d[FDateFrom] ?? new DateTime(2000, 1, 1);
        var to = d[FDateToFormatted] ?? d[FDateTo] ?? from;
        (row.Start, row.End) = Times(row.AllDay, from, to, tzFrom, tzTo);
        if (row.RRule is not null)
        {
            var expanded = f.HasTildeDateFrom;
            var sFrom = expanded ? d[FTildeDateFrom] : from;
            var sTo = expanded ? d[FTildeDateTo] : to;
            if (sFrom is { } sf)
                (row.SeriesStart, row.SeriesEnd) = Times(row.AllDay, sf, sTo ?? sf + (to - from), tzFrom, tzTo);
        }

        var attendees = new List<Attendee>();
        var host = t[FMeetingHost];
        if (row.IsInvitation) row.Organizer = f.HostName is { Length: > 0 } name ? name : "Bitrix24 user " + host;
        if (row.IsMeeting)
        {
            foreach (var (id, status) in f.Attendees)
            {
                if (id is null || id == host) continue;
                var response = status switch
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

    private static int? Reminder(List<(string? Type, long? Count)> remind)
    {
        int? best = null;
        foreach (var (type, count) in remind)
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
        ShowAs = IsInvitation && MeetingStatus == "Q" ? ShowAs.Tentative : ToShowAs(Accessibility),
        Invitation = IsInvitation ? new Invitation(Organizer, MeetingStatus == "Y" ? AttendeeResponse.Accepted : AttendeeResponse.None) : null,
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
