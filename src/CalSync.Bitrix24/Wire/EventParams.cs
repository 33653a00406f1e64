using System;
using System.Collections.Generic;
using System.Linq;
using CalSync.Engine.Mapping;
using CalSync.Engine.Model;

namespace CalSync.Bitrix24.Wire;

/// <summary>Builds add/update parameters from model events: naive wall clock + timezone_from/to, all-day with skip_time "Y" and an inclusive end date, RRULE.</summary>
internal static class EventParams
{
    public static void AddAll(List<KeyValuePair<string, object?>> p, CalEvent d, bool withRRule, bool isUpdate = false)
    {
        p.Add(new("name", d.Title));
        p.Add(new("description", d.Description));
        p.Add(new("location", d.Location));
        AddTimes(p, d.Start, d.End);
        p.Add(new("accessibility", Vocabulary.Bitrix24Name(d.ShowAs)));
        p.Add(new("private_event", IsPrivate(d) ? "Y" : "N"));
        p.Add(new("importance", Vocabulary.Name(d.Importance)));
        if (d.ReminderMinutes is { } m) AddRemind(p, m);
        else if (isUpdate) p.Add(new("remind", "")); // an update keeps (or an exception copies) the old reminder otherwise
        if (withRRule && d.Recurrence is { } r) p.Add(new("rrule", RRule(r, d.Start)));
    }

    /// <summary>
    /// What differs from <paramref name="e"/>, and with anything the whole time block: an update without
    /// <c>skip_time</c> makes the event timed and one without zones puts it in the webhook user's zone
    /// (docs/bitrix24-api.md, "calendar.event.update"). Returns whether anything differs.
    /// </summary>
    public static bool AddChanged(List<KeyValuePair<string, object?>> p, CalEvent d, CalEvent e, bool forceTimes)
    {
        var before = p.Count;
        if (d.Title != e.Title) p.Add(new("name", d.Title));
        if (d.Description != e.Description) p.Add(new("description", d.Description));
        if (d.Location != e.Location) p.Add(new("location", d.Location));
        var timesChanged = forceTimes || !Equals(d.Start, e.Start) || !Equals(d.End, e.End);
        if (Vocabulary.Bitrix24Name(d.ShowAs) != Vocabulary.Bitrix24Name(e.ShowAs)) p.Add(new("accessibility", Vocabulary.Bitrix24Name(d.ShowAs)));
        if (IsPrivate(d) != IsPrivate(e)) p.Add(new("private_event", IsPrivate(d) ? "Y" : "N"));
        if (d.Importance != e.Importance) p.Add(new("importance", Vocabulary.Name(d.Importance)));
        if (d.ReminderMinutes != e.ReminderMinutes)
        {
            if (d.ReminderMinutes is { } m) AddRemind(p, m);
            else p.Add(new("remind", ""));
        }
        if (!timesChanged && p.Count == before) return false;
        AddTimes(p, d.Start, d.End);
        return true;
    }

    public static void AddTimes(List<KeyValuePair<string, object?>> p, EventTime start, EventTime end)
    {
        if (start.IsAllDay)
        {
            var first = start.Value.Date;
            var last = end.Value.Date.AddDays(-1); // the model's end is exclusive, Bitrix24's is the inclusive last day
            if (last < first) last = first;
            p.Add(new("from", Bitrix24Dates.Date(first)));
            p.Add(new("to", Bitrix24Dates.Date(last)));
            p.Add(new("skip_time", "Y")); // the string: JSON true is ignored
        }
        else
        {
            p.Add(new("from", Bitrix24Dates.Naive(start.Local)));
            p.Add(new("to", Bitrix24Dates.Naive(end.IsAllDay ? end.Value : end.Local)));
            p.Add(new("timezone_from", start.TimeZone));
            p.Add(new("timezone_to", end.IsAllDay ? start.TimeZone : end.TimeZone));
            p.Add(new("skip_time", "N"));
        }
    }

    public static Dictionary<string, object?> RRule(Recurrence r, EventTime start)
    {
        var rule = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["FREQ"] = r.Kind switch
            {
                RecurrenceKind.Daily => "DAILY",
                RecurrenceKind.Weekly => "WEEKLY",
                RecurrenceKind.AbsoluteMonthly => "MONTHLY",
                _ => "YEARLY",
            },
            ["INTERVAL"] = Math.Max(1, r.Interval),
        };
        if (r.Kind == RecurrenceKind.Weekly)
        {
            // Always send BYDAY: Bitrix24 expands WEEKLY without it as Mondays.
            var days = r.DaysOfWeek.Count > 0 ? r.Normalized().DaysOfWeek : new[] { start.Local.DayOfWeek };
            rule["BYDAY"] = days.Select(EventRow.DayCode).ToList();
        }
        if (r.Count is { } c) rule["COUNT"] = c;
        else if (r.Until is { } u) rule["UNTIL"] = Bitrix24Dates.Date(u);
        return rule;
    }

    public static Dictionary<string, object?> NoRRule() => new(StringComparer.Ordinal) { ["FREQ"] = "NONE" };

    /// <summary>Whether two patterns are the same (exceptions and cancellations aside).</summary>
    public static bool SamePattern(Recurrence? a, Recurrence? b)
    {
        if (a is null || b is null) return a is null && b is null;
        var x = a.Normalized();
        var y = b.Normalized();
        return x.Kind == y.Kind && x.Interval == y.Interval && x.DaysOfWeek.SequenceEqual(y.DaysOfWeek)
            && x.DayOfMonth == y.DayOfMonth && x.Month == y.Month && x.Count == y.Count && x.Until == y.Until;
    }

    private static bool IsPrivate(CalEvent e) => e.Sensitivity is Sensitivity.Private or Sensitivity.Confidential or Sensitivity.Personal;

    private static void AddRemind(List<KeyValuePair<string, object?>> p, int minutes) =>
        p.Add(new("remind", new List<object?> { new Dictionary<string, object?> { ["type"] = "min", ["count"] = Math.Max(0, minutes) } }));
}
