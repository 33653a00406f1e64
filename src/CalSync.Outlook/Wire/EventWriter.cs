using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CalSync.Engine.Model;
using Microsoft.Kiota.Abstractions;
using TimeZoneConverter;
using G = Microsoft.Graph.Models;

namespace CalSync.Outlook.Wire;

/// <summary>Model events into Graph request bodies: full bodies for creates, only what changed for updates.</summary>
internal static class EventWriter
{
    public static G.Event ForCreate(CalEvent desired, string stampPropertyId, string? transactionId)
    {
        var ev = new G.Event
        {
            Subject = desired.Title,
            Body = new G.ItemBody { ContentType = G.BodyType.Text, Content = desired.Description ?? "" },
            ShowAs = ToGraph(desired.ShowAs),
            Sensitivity = ToGraph(desired.Sensitivity),
            Importance = ToGraph(desired.Importance),
            IsReminderOn = desired.ReminderMinutes is not null,
            Categories = desired.Categories.ToList(),
        };
        if (desired.ReminderMinutes is { } minutes) ev.ReminderMinutesBeforeStart = minutes;
        if (!string.IsNullOrEmpty(desired.Location)) ev.Location = new G.Location { DisplayName = desired.Location };
        SetTimes(ev, desired);
        if (desired.Attendees.Count > 0) ev.Attendees = desired.Attendees.Select(ToGraph).ToList();
        if (desired.Recurrence is { } recurrence) ev.Recurrence = ToGraph(recurrence, desired);
        if (!string.IsNullOrEmpty(desired.OriginStamp)) ev.SingleValueExtendedProperties = Stamp(stampPropertyId, desired.OriginStamp!);
        if (!string.IsNullOrEmpty(transactionId)) ev.TransactionId = transactionId;
        return ev;
    }

    /// <summary>The fields of <paramref name="desired"/> that differ from <paramref name="existing"/>; null when nothing differs.
    /// Attendees are sent only when they differ (sending them makes the server mail the attendees).</summary>
    public static G.Event? ForUpdate(CalEvent existing, CalEvent desired, string stampPropertyId, bool includeRecurrence)
    {
        var ev = new G.Event();
        var any = false;
        if (existing.Title != desired.Title) { ev.Subject = desired.Title; any = true; }
        if (Norm(existing.Description) != Norm(desired.Description)) { ev.Body = new G.ItemBody { ContentType = G.BodyType.Text, Content = desired.Description ?? "" }; any = true; }
        if ((existing.Location ?? "") != (desired.Location ?? "")) { ev.Location = new G.Location { DisplayName = desired.Location ?? "" }; any = true; }
        if (existing.Start != desired.Start || existing.End != desired.End) { SetTimes(ev, desired); any = true; }
        if (existing.ShowAs != desired.ShowAs) { ev.ShowAs = ToGraph(desired.ShowAs); any = true; }
        if (existing.Sensitivity != desired.Sensitivity) { ev.Sensitivity = ToGraph(desired.Sensitivity); any = true; }
        if (existing.Importance != desired.Importance) { ev.Importance = ToGraph(desired.Importance); any = true; }
        if (existing.ReminderMinutes != desired.ReminderMinutes)
        {
            ev.IsReminderOn = desired.ReminderMinutes is not null;
            if (desired.ReminderMinutes is { } m) ev.ReminderMinutesBeforeStart = m;
            any = true;
        }
        if (!existing.Categories.SequenceEqual(desired.Categories)) { ev.Categories = desired.Categories.ToList(); any = true; }
        if (!SameAttendees(existing.Attendees, desired.Attendees)) { ev.Attendees = desired.Attendees.Select(ToGraph).ToList(); any = true; }
        if (includeRecurrence && !SamePattern(existing.Recurrence, desired.Recurrence, existing, desired))
        {
            if (desired.Recurrence is null) ev.AdditionalData["recurrence"] = null!;
            else ev.Recurrence = ToGraph(desired.Recurrence, desired);
            if (ev.Start is null) SetTimes(ev, desired);
            any = true;
        }
        if (!string.IsNullOrEmpty(desired.OriginStamp) && desired.OriginStamp != existing.OriginStamp)
        {
            ev.SingleValueExtendedProperties = Stamp(stampPropertyId, desired.OriginStamp!);
            any = true;
        }
        return any ? ev : null;
    }

    /// <summary>Whether the pattern and range (not the exceptions) are the same, anchored at the same start date.</summary>
    public static bool SamePattern(Recurrence? a, Recurrence? b, CalEvent ea, CalEvent eb)
    {
        if (a is null || b is null) return a is null && b is null;
        var x = a.Normalized();
        var y = b.Normalized();
        return x.Kind == y.Kind && x.Interval == y.Interval && x.DaysOfWeek.SequenceEqual(y.DaysOfWeek)
               && Relevant(x, y, r => r.DayOfMonth, RecurrenceKind.AbsoluteMonthly, RecurrenceKind.AbsoluteYearly)
               && Relevant(x, y, r => r.Month, RecurrenceKind.AbsoluteYearly, RecurrenceKind.RelativeYearly)
               && Relevant(x, y, r => (int)r.Index, RecurrenceKind.RelativeMonthly, RecurrenceKind.RelativeYearly)
               && x.Count == y.Count && x.Until == y.Until
               && ea.Start.Local.Date == eb.Start.Local.Date;
    }

    /// <summary>
    /// Whether the master's update makes Exchange drop the series' edited and cancelled occurrences: a new pattern or
    /// new times (docs/graph-api.md, "Moving a series drops its edited and cancelled occurrences"); they must then all
    /// be applied again.
    /// </summary>
    public static bool DropsOccurrences(CalEvent existing, CalEvent desired) =>
        !SamePattern(existing.Recurrence, desired.Recurrence, existing, desired) || existing.Start != desired.Start || existing.End != desired.End;

    private static bool Relevant(Recurrence x, Recurrence y, Func<Recurrence, int> field, params RecurrenceKind[] kinds) =>
        !kinds.Contains(x.Kind) || field(x) == field(y);

    public static void SetTimes(G.Event ev, CalEvent desired)
    {
        ev.IsAllDay = desired.IsAllDay;
        ev.Start = ToWire(desired.Start);
        ev.End = ToWire(desired.End);
    }

    public static G.DateTimeTimeZone ToWire(EventTime time) => time.IsAllDay
        ? new G.DateTimeTimeZone { DateTime = time.Value.ToString("yyyy-MM-dd'T'00:00:00", CultureInfo.InvariantCulture), TimeZone = "UTC" }
        : new G.DateTimeTimeZone { DateTime = time.Local.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture), TimeZone = WireZone(time.TimeZone) };

    /// <summary>
    /// The zone name to send: the Windows name when it maps back to the same IANA zone (what Outlook stores and
    /// returns in originalStartTimeZone), otherwise the IANA name (Graph accepts IANA names too).
    /// </summary>
    public static string WireZone(string iana)
    {
        if (iana == Zones.Utc) return "UTC";
        try
        {
            if (TZConvert.TryIanaToWindows(iana, out var windows) && Zones.ToIana(windows) == iana) return windows;
        }
        catch (UnknownTimeZoneException) { }
        return iana;
    }

    public static G.PatternedRecurrence ToGraph(Recurrence recurrence, CalEvent series)
    {
        var r = recurrence.Normalized();
        var pattern = new G.RecurrencePattern
        {
            Type = r.Kind switch
            {
                RecurrenceKind.Daily => G.RecurrencePatternType.Daily,
                RecurrenceKind.AbsoluteMonthly => G.RecurrencePatternType.AbsoluteMonthly,
                RecurrenceKind.RelativeMonthly => G.RecurrencePatternType.RelativeMonthly,
                RecurrenceKind.AbsoluteYearly => G.RecurrencePatternType.AbsoluteYearly,
                RecurrenceKind.RelativeYearly => G.RecurrencePatternType.RelativeYearly,
                _ => G.RecurrencePatternType.Weekly,
            },
            Interval = Math.Max(1, r.Interval),
            FirstDayOfWeek = ToGraph(r.FirstDayOfWeek),
        };
        if (r.Kind is RecurrenceKind.Weekly or RecurrenceKind.RelativeMonthly or RecurrenceKind.RelativeYearly)
            pattern.DaysOfWeek = r.DaysOfWeek.Select(d => (G.DayOfWeekObject?)ToGraph(d)).ToList();
        if (r.Kind is RecurrenceKind.AbsoluteMonthly or RecurrenceKind.AbsoluteYearly) pattern.DayOfMonth = r.DayOfMonth;
        if (r.Kind is RecurrenceKind.AbsoluteYearly or RecurrenceKind.RelativeYearly) pattern.Month = r.Month;
        if (r.Kind is RecurrenceKind.RelativeMonthly or RecurrenceKind.RelativeYearly)
            pattern.Index = r.Index switch
            {
                WeekIndex.Second => G.WeekIndex.Second,
                WeekIndex.Third => G.WeekIndex.Third,
                WeekIndex.Fourth => G.WeekIndex.Fourth,
                WeekIndex.Last => G.WeekIndex.Last,
                _ => G.WeekIndex.First,
            };
        var start = series.Start.Local.Date;
        var range = new G.RecurrenceRange
        {
            StartDate = new Date(start.Year, start.Month, start.Day),
            RecurrenceTimeZone = series.IsAllDay ? "UTC" : WireZone(series.Start.TimeZone),
        };
        if (r.Count is { } count) { range.Type = G.RecurrenceRangeType.Numbered; range.NumberOfOccurrences = count; }
        else if (r.Until is { } until) { range.Type = G.RecurrenceRangeType.EndDate; range.EndDate = new Date(until.Year, until.Month, until.Day); }
        else range.Type = G.RecurrenceRangeType.NoEnd;
        return new G.PatternedRecurrence { Pattern = pattern, Range = range };
    }

    private static List<G.SingleValueLegacyExtendedProperty> Stamp(string id, string value) =>
        new() { new G.SingleValueLegacyExtendedProperty { Id = id, Value = value } };

    private static string Norm(string? text) => (text ?? "").Replace("\r\n", "\n").Trim();

    private static bool SameAttendees(IReadOnlyList<Attendee> a, IReadOnlyList<Attendee> b) =>
        a.Select(x => (x.Email.ToLowerInvariant(), x.Required)).OrderBy(x => x.Item1)
            .SequenceEqual(b.Select(x => (x.Email.ToLowerInvariant(), x.Required)).OrderBy(x => x.Item1));

    private static G.Attendee ToGraph(Attendee a) => new()
    {
        EmailAddress = new G.EmailAddress { Name = a.Name, Address = a.Email },
        Type = a.Required ? G.AttendeeType.Required : G.AttendeeType.Optional,
    };

    private static G.FreeBusyStatus ToGraph(ShowAs value) => value switch
    {
        ShowAs.Free => G.FreeBusyStatus.Free,
        ShowAs.Tentative => G.FreeBusyStatus.Tentative,
        ShowAs.Oof => G.FreeBusyStatus.Oof,
        ShowAs.WorkingElsewhere => G.FreeBusyStatus.WorkingElsewhere,
        ShowAs.Unknown => G.FreeBusyStatus.Unknown,
        _ => G.FreeBusyStatus.Busy,
    };

    private static G.Sensitivity ToGraph(Sensitivity value) => value switch
    {
        Sensitivity.Personal => G.Sensitivity.Personal,
        Sensitivity.Private => G.Sensitivity.Private,
        Sensitivity.Confidential => G.Sensitivity.Confidential,
        _ => G.Sensitivity.Normal,
    };

    private static G.Importance ToGraph(Importance value) => value switch
    {
        Importance.Low => G.Importance.Low,
        Importance.High => G.Importance.High,
        _ => G.Importance.Normal,
    };

    private static G.DayOfWeekObject ToGraph(DayOfWeek day) => day switch
    {
        DayOfWeek.Monday => G.DayOfWeekObject.Monday,
        DayOfWeek.Tuesday => G.DayOfWeekObject.Tuesday,
        DayOfWeek.Wednesday => G.DayOfWeekObject.Wednesday,
        DayOfWeek.Thursday => G.DayOfWeekObject.Thursday,
        DayOfWeek.Friday => G.DayOfWeekObject.Friday,
        DayOfWeek.Saturday => G.DayOfWeekObject.Saturday,
        _ => G.DayOfWeekObject.Sunday,
    };
}
