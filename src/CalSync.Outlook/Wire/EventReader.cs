using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CalSync.Engine.Mapping;
using CalSync.Engine.Model;
using CalSync.Engine.Sides;

namespace CalSync.Outlook.Wire;

/// <summary>Graph events (read with Prefer outlook.timezone="UTC") into <see cref="StoredItem"/>s, and those into the model.</summary>
internal static class EventReader
{
    private static readonly string[] WireFormats =
    {
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd",
    };

    public static StoredItem ToStored(WireEvent ev, string stampPropertyId)
    {
        var type = TypeName(ev.Type);
        var isAllDay = ev.IsAllDay == true;
        var zone = ZoneOf(ev.OriginalStartTimeZone, ev.Start?.TimeZone);
        var endZone = ZoneOf(ev.OriginalEndTimeZone, ev.End?.TimeZone ?? ev.Start?.TimeZone);
        if (!string.IsNullOrEmpty(ev.OriginalStartTimeZone) && string.IsNullOrEmpty(ev.OriginalEndTimeZone)) endZone = zone;
        var item = new StoredItem
        {
            Id = ev.Id ?? "",
            Type = type,
            SeriesMasterId = ev.SeriesMasterId,
            ChangeKey = ev.ChangeKey ?? EtagOf(ev.ETag),
            Thin = ev.Subject is null && ev.Body is null && type is "occurrence" or "exception",
            OriginalStartUtc = ev.OriginalStart?.UtcDateTime,
            Subject = ev.Subject ?? "",
            Body = HtmlText.ToPlainText(ev.Body?.Content, !Is(ev.Body?.ContentType, "text")),
            Location = ev.Location?.DisplayName ?? "",
            IsAllDay = isAllDay,
            IsCancelled = ev.IsCancelled == true,
            StartZone = isAllDay ? Zones.Utc : zone,
            EndZone = isAllDay ? Zones.Utc : endZone,
            Start = isAllDay ? ParseWire(ev.Start?.DateTime).Date : ToUtc(ev.Start),
            End = isAllDay ? ParseWire(ev.End?.DateTime).Date : ToUtc(ev.End ?? ev.Start),
            ShowAs = Word(ev.ShowAs, Vocabulary.OutlookShowAs) is >= 0 and var showAs ? (ShowAs)showAs : ShowAs.Busy,
            Sensitivity = Word(ev.Sensitivity, Vocabulary.OutlookSensitivity) is >= 0 and var sensitivity ? (Sensitivity)sensitivity : Sensitivity.Normal,
            Importance = Word(ev.Importance, Vocabulary.ImportanceNames) is >= 0 and var importance ? (Importance)importance : Importance.Normal,
            ReminderMinutes = ev.IsReminderOn == true ? ev.ReminderMinutesBeforeStart ?? 15 : null,
            Categories = ev.Categories?.Where(c => !string.IsNullOrEmpty(c)).Select(c => c!).ToList() ?? new List<string>(),
            Attendees = ev.Attendees?.Where(a => a?.EmailAddress is not null).Select(a => new StoredAttendee
            {
                Name = a!.EmailAddress!.Name ?? "",
                Email = a.EmailAddress.Address ?? "",
                Required = !Is(a.Type, "optional"),
                Response = a.Status?.Response?.ToLowerInvariant() switch
                {
                    "accepted" => AttendeeResponse.Accepted,
                    "tentativelyaccepted" => AttendeeResponse.Tentative,
                    "declined" => AttendeeResponse.Declined,
                    _ => AttendeeResponse.None,
                },
            }).ToList() ?? new List<StoredAttendee>(),
            LastModified = ev.LastModified ?? default,
            Recurrence = ev.Recurrence?.Pattern is null ? null : ToStored(ev.Recurrence),
            CancelledDates = ev.CancelledOccurrences?.Select(ParseCancelledOccurrence).Where(d => d is not null).Select(d => d!.Value).ToList() ?? new List<DateTime>(),
        };
        if (ev.ExtendedProperties is { } props)
        {
            item.StampKnown = true;
            item.Stamp = props.FirstOrDefault(p => string.Equals(p?.Id, stampPropertyId, StringComparison.OrdinalIgnoreCase))?.Value;
        }
        if (item.Recurrence is not null && item.Recurrence.Zone is null) item.Recurrence.Zone = item.StartZone;
        return item;
    }

    /// <summary>A single event, or a series master with its exceptions (in-window exception items of that master).</summary>
    public static CalEvent ToModel(StoredItem item, IEnumerable<StoredItem>? seriesMembers = null)
    {
        // One event per item, not a content event and then its copy with the ids (50,000 items: ~10 MB less garbage).
        var ev = Content(item, item.Id, item.ChangeKey, item.Stamp);
        if (item.Type != "seriesMaster" || item.Recurrence is null) return ev;

        var members = (seriesMembers ?? Enumerable.Empty<StoredItem>()).ToList();
        // All-day occurrences are keyed by their date in the zone the series was planned in (originalStart is that zone's midnight).
        var zone = item.IsAllDay ? item.Recurrence.Zone ?? Zones.Utc : item.Recurrence.Zone ?? item.StartZone;
        var cancelled = new HashSet<DateTime>(item.CancelledDates.Select(d => d.Date));
        var exceptions = new List<OccurrenceException>();
        var lastModified = item.LastModified;
        foreach (var member in members)
        {
            var date = OriginalDate(member, zone, item.IsAllDay);
            if (date is null) continue;
            if (member.IsCancelled) { cancelled.Add(date.Value); continue; }
            if (member.Type != "exception") continue;
            var content = member.Thin ? Content(item) with { Start = TimeOf(member.Start, member.StartZone, member.IsAllDay), End = TimeOf(member.End, member.EndZone, member.IsAllDay) } : Content(member);
            exceptions.Add(new OccurrenceException(date.Value, content with
            {
                Id = OccurrenceKey.Make(item.Id, date.Value),
                Version = member.ChangeKey,
                SeriesId = item.Id,
                OriginalDate = date.Value,
            }));
            if (member.LastModified > lastModified) lastModified = member.LastModified;
        }
        var r = item.Recurrence;
        var recurrence = new Recurrence
        {
            Kind = r.Kind,
            Interval = Math.Max(1, r.Interval),
            DaysOfWeek = r.DaysOfWeek.ToArray(),
            DayOfMonth = r.DayOfMonth,
            Month = r.Month,
            Index = r.Index,
            FirstDayOfWeek = r.FirstDayOfWeek,
            Count = r.Count,
            Until = r.Until,
            Cancelled = cancelled.ToArray(),
            Exceptions = exceptions.ToArray(),
        }.Normalized();
        return ev with { Recurrence = recurrence, LastModified = lastModified };
    }

    /// <summary>The occurrence's original local date in the series (Graph originalStart, in the series' zone).</summary>
    public static DateTime? OriginalDate(StoredItem member, string seriesZone, bool allDay)
    {
        if (member.OriginalStartUtc is { } original)
            return allDay ? AllDayDate(original, seriesZone) : Zones.ToLocal(original, seriesZone).Date;
        if (member.Type == "occurrence") return allDay ? member.Start.Date : Zones.ToLocal(member.Start, seriesZone).Date;
        return null;
    }

    /// <summary>The date of an all-day occurrence from its originalStart: midnight in the series' zone (UTC for CalSync's own series).</summary>
    private static DateTime AllDayDate(DateTime originalUtc, string seriesZone)
    {
        var local = Zones.ToLocal(originalUtc, seriesZone);
        // A zone the server stored differently from what it reports still puts the instant near a midnight: take the nearest.
        return local.TimeOfDay >= TimeSpan.FromHours(12) ? local.Date.AddDays(1) : local.Date;
    }

    private static CalEvent Content(StoredItem item, string id = "", string? version = null, string? originStamp = null) => new()
    {
        Id = id,
        Version = version,
        OriginStamp = originStamp,
        Title = item.Subject,
        Description = item.Body,
        Location = item.Location,
        Start = TimeOf(item.Start, item.StartZone, item.IsAllDay),
        End = TimeOf(item.End, item.EndZone, item.IsAllDay),
        ShowAs = item.ShowAs,
        Sensitivity = item.Sensitivity,
        Importance = item.Importance,
        ReminderMinutes = item.ReminderMinutes,
        Categories = item.Categories.ToArray(),
        Attendees = item.Attendees.Select(a => new Attendee(a.Name, a.Email, a.Required, a.Response)).ToArray(),
        LastModified = item.LastModified,
    };

    private static EventTime TimeOf(DateTime value, string zone, bool allDay) =>
        allDay ? EventTime.AllDay(value) : EventTime.Timed(DateTime.SpecifyKind(value, DateTimeKind.Utc), zone);

    private static StoredRecurrence ToStored(WireRecurrence recurrence)
    {
        var p = recurrence.Pattern!;
        var range = recurrence.Range;
        var stored = new StoredRecurrence
        {
            Kind = p.Type?.ToLowerInvariant() switch
            {
                "daily" => RecurrenceKind.Daily,
                "absolutemonthly" => RecurrenceKind.AbsoluteMonthly,
                "relativemonthly" => RecurrenceKind.RelativeMonthly,
                "absoluteyearly" => RecurrenceKind.AbsoluteYearly,
                "relativeyearly" => RecurrenceKind.RelativeYearly,
                _ => RecurrenceKind.Weekly,
            },
            Interval = p.Interval is > 0 ? p.Interval.Value : 1,
            DaysOfWeek = p.DaysOfWeek?.Select(ToDay).OfType<DayOfWeek>().Distinct().ToList() ?? new List<DayOfWeek>(),
            DayOfMonth = p.DayOfMonth ?? 0,
            Month = p.Month ?? 0,
            Index = p.Index?.ToLowerInvariant() switch
            {
                "second" => WeekIndex.Second,
                "third" => WeekIndex.Third,
                "fourth" => WeekIndex.Fourth,
                "last" => WeekIndex.Last,
                _ => WeekIndex.First,
            },
            FirstDayOfWeek = ToDay(p.FirstDayOfWeek) ?? DayOfWeek.Sunday,
        };
        if (Is(range?.Type, "numbered") && range!.NumberOfOccurrences is > 0) stored.Count = range.NumberOfOccurrences;
        else if (Is(range?.Type, "endDate") && DateTime.TryParse(range!.EndDate, CultureInfo.InvariantCulture, DateTimeStyles.None, out var end)) stored.Until = end.Date;
        if (!string.IsNullOrEmpty(range?.RecurrenceTimeZone))
        {
            try { stored.Zone = Zones.ToIana(range!.RecurrenceTimeZone!); } catch (UnknownTimeZoneException) { }
        }
        return stored;
    }

    /// <summary>Graph's day names (case as the SDK reads them: any); null for a name it does not know.</summary>
    private static DayOfWeek? ToDay(string? day) =>
        Enum.TryParse<DayOfWeek>(day, ignoreCase: true, out var value) && Enum.IsDefined(value) && !int.TryParse(day, out _) ? value : null;

    /// <summary>The position of a Graph enumeration word in its vocabulary (case as the SDK reads them: any); -1 when absent or unknown.</summary>
    private static int Word(string? value, string[] words) => value is null ? -1 : Array.FindIndex(words, w => w.Equals(value, StringComparison.OrdinalIgnoreCase));

    private static bool Is(string? value, string word) => string.Equals(value, word, StringComparison.OrdinalIgnoreCase);

    /// <summary>"OID.{masterId}.2020-04-30" (the id may contain dots): the date after the last dot.</summary>
    internal static DateTime? ParseCancelledOccurrence(string? value)
    {
        if (string.IsNullOrEmpty(value)) return null;
        var dot = value!.LastIndexOf('.');
        var text = dot >= 0 ? value.Substring(dot + 1) : value;
        return DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;
    }

    private static string TypeName(string? type) => type?.ToLowerInvariant() switch
    {
        "occurrence" => "occurrence",
        "exception" => "exception",
        "seriesmaster" => "seriesMaster",
        _ => "singleInstance",
    };

    private static string? EtagOf(string? s)
    {
        if (s is null) return null;
        s = s.StartsWith("W/", StringComparison.Ordinal) ? s.Substring(2) : s;
        return s.Trim('"');
    }

    /// <summary>The event's own zone as IANA: originalStartTimeZone (Windows or IANA), else the wire zone, else UTC.</summary>
    internal static string ZoneOf(string? original, string? wire)
    {
        foreach (var candidate in new[] { original, wire })
        {
            if (string.IsNullOrWhiteSpace(candidate) || candidate!.StartsWith("tzone://Microsoft/Custom", StringComparison.OrdinalIgnoreCase)) continue;
            try { return Zones.ToIana(candidate); } catch (UnknownTimeZoneException) { }
        }
        return Zones.Utc;
    }

    private static DateTime ToUtc(WireTime? value)
    {
        var local = ParseWire(value?.DateTime);
        var zone = value?.TimeZone;
        if (string.IsNullOrEmpty(zone) || Zones.ToIana(zone!) == Zones.Utc) return DateTime.SpecifyKind(local, DateTimeKind.Utc);
        return Zones.ToUtc(local, Zones.ToIana(zone!));
    }

    internal static DateTime ParseWire(string? text)
    {
        if (string.IsNullOrEmpty(text)) return default;
        if (DateTime.TryParseExact(text, WireFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var value)) return value;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var offset)) return offset.UtcDateTime;
        throw new FormatException($"Unreadable Graph date-time '{text}'.");
    }
}
