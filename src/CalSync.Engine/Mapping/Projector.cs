using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using CalSync.Engine.Model;

namespace CalSync.Engine.Mapping;

/// <summary>
/// Applies a mapping profile to meetings: which are synced (filters), what travels (the view) and what
/// a copy on the other side must look like (<see cref="Apply"/>).
/// </summary>
public sealed class Projector
{
    /// <summary>Bump when <see cref="View"/> projects differently: every link is then projected again once.</summary>
    private const int ProjectionVersion = 1;

    private string? _fingerprint;

    public Projector(MappingProfile profile) => Profile = profile;

    public MappingProfile Profile { get; }

    /// <summary>
    /// Everything a view depends on besides the event: the projection code and the profile's fields, value
    /// translations and marks. A link's stored hash counts as the view of an unchanged version only under the same fingerprint.
    /// </summary>
    public string Fingerprint => _fingerprint ??= EventView.HashOf(string.Join("\n", new[] { $"projection {ProjectionVersion}", $"carry {Profile.Carry}" }
        .Concat(Profile.Fields.Select(f => $"field {f.Outlook} {f.Bitrix24} {f.Direction} {string.Join(",", f.Values.Select(v => v.Key + "=" + v.Value))}"))
        .Concat(Profile.Marks.Select(m => $"mark {m.Field} {m.ToBitrix24} {m.ToOutlook}"))));

    /// <summary>Whether the filters let this meeting of <paramref name="side"/> take part in the sync.</summary>
    public bool IsSynced(CalEvent e, Side side)
    {
        // Loops, not Any with a lambda: called for every item of both sides on every run.
        foreach (var c in Profile.Exclude)
            if (Matches(c, e)) return false;
        if (Profile.Include.Count == 0) return true;
        foreach (var c in Profile.Include)
            if (Matches(c, e)) return true;
        return false;
    }

    /// <summary>The meeting as it travels from <paramref name="from"/>: times, recurrence and the mapped fields.</summary>
    public EventView View(CalEvent e, Side from) => new(this, e, from, Hash(e, from), MatchKey(e, from));

    /// <summary>
    /// The <see cref="EventView.Hash"/> of <see cref="View"/>, without the match key (a planned copy is compared by its
    /// hash alone). A view keeps only its hash: its fields are projected again when shown.
    /// </summary>
    public string Hash(CalEvent e, Side from) => EventView.HashOf(Fields(e, from).Sorted);

    internal ViewFields Fields(CalEvent e, Side from)
    {
        var fields = new ViewFields();
        AddAll(fields, e, from);
        return fields;
    }

    private void AddAll(ViewFields fields, CalEvent e, Side from)
    {
        AddTimes(fields, e);
        if (e.Recurrence is { } recurrence) fields["recurrence"] = RecurrenceText(recurrence, from);
        AddFields(fields, e, from);
    }

    /// <summary>Start, end, all-day and normalised title (marks removed; empty in busy-only, whose copies all share the placeholder).</summary>
    public string MatchKey(CalEvent e, Side side)
    {
        var title = Profile.Carry == Carry.BusyOnly ? "" : CollapseSpaces(Unmark(e.Title, MeetingField.Subject, side).Trim()).ToLowerInvariant();
        return string.Concat(e.Start.ToString(), "|", e.End.ToString(), e.IsAllDay ? "|1|" : "|0|", title);
    }

    /// <summary>
    /// Each run of white space as one space: what the regex <c>\s+</c> matched (<see cref="char.IsWhiteSpace(char)"/>), without
    /// building a compiled regex in every new process (tens of milliseconds of a run that has nothing to match).
    /// </summary>
    internal static string CollapseSpaces(string text)
    {
        // Most titles have nothing to collapse: no white space but single plain spaces.
        var i = 0;
        while (i < text.Length && !(char.IsWhiteSpace(text[i]) && (text[i] != ' ' || i + 1 < text.Length && char.IsWhiteSpace(text[i + 1])))) i++;
        if (i == text.Length) return text;
        var builder = new StringBuilder(text.Length);
        var inSpace = false;
        foreach (var c in text)
        {
            var space = char.IsWhiteSpace(c);
            if (!space) builder.Append(c);
            else if (!inSpace) builder.Append(' ');
            inSpace = space;
        }
        return builder.ToString();
    }

    /// <summary>
    /// What the item on the other side must be: <paramref name="existing"/> (as it is, or null for a new copy) with the
    /// travelling fields of <paramref name="source"/> written over it. A busy-only copy is rebuilt from the placeholder;
    /// an existing original (<paramref name="existingIsOriginal"/>) keeps everything the mapping does not carry back.
    /// </summary>
    public CalEvent Apply(CalEvent source, Side from, CalEvent? existing, bool existingIsOriginal = false)
    {
        var target = from.Other();
        var copy = Profile.Carry == Carry.BusyOnly && !(existingIsOriginal && existing is not null)
            ? new CalEvent { Title = Profile.Placeholder, ShowAs = ShowAs.Busy }
            : existing ?? new CalEvent();
        // The mapped fields are gathered first and set in one copy with the rest, not one copy of the event per field.
        var (title, description, location, showAs, sensitivity, importance, reminder, categories) =
            (copy.Title, copy.Description, copy.Location, copy.ShowAs, copy.Sensitivity, copy.Importance, copy.ReminderMinutes, copy.Categories);
        foreach (var map in Profile.Fields)
        {
            if (!map.Travels(from)) continue;
            var fromField = from == Side.Outlook ? map.Outlook : map.Bitrix24;
            var toField = target == Side.Outlook ? map.Outlook : map.Bitrix24;
            var value = Translate(map, Get(source, fromField, from), from);
            switch (toField)
            {
                case MeetingField.Subject: title = value; break;
                case MeetingField.Body: description = Organizer(source, target) + value; break;
                case MeetingField.Location: location = value; break;
                case MeetingField.ShowAs: showAs = target == Side.Outlook ? Vocabulary.FromOutlookShowAs(value) : Vocabulary.FromBitrix24Accessibility(value); break;
                case MeetingField.Sensitivity: sensitivity = target == Side.Outlook ? Vocabulary.FromOutlookSensitivity(value) : Vocabulary.FromBitrix24Private(value); break;
                case MeetingField.Importance: importance = Vocabulary.FromImportance(value); break;
                case MeetingField.Reminder: reminder = int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var m) ? m : null; break;
                case MeetingField.Categories: categories = value.Length == 0 ? Array.Empty<string>() : value.Split('|'); break;
            }
        }
        return copy with
        {
            Id = existing?.Id ?? "",
            Version = existing?.Version,
            SeriesId = existing?.SeriesId,
            OriginalDate = existing?.OriginalDate,
            OriginStamp = existing?.OriginStamp,
            Start = source.Start,
            End = source.End,
            Recurrence = source.Recurrence is null ? null : ApplyRecurrence(source.Recurrence, from, existing?.Recurrence, existingIsOriginal),
            Title = title, Description = description, Location = location, ShowAs = showAs, Sensitivity = sensitivity,
            Importance = importance, ReminderMinutes = reminder, Categories = categories,
        };
    }

    /// <summary>
    /// An invitation's copy in Outlook is the user's own item (Graph makes the mailbox its organizer), so its body names the
    /// colleague who organises the meeting; only where the body travels, so busy-only copies stay without it.
    /// </summary>
    private static string Organizer(CalEvent source, Side target) =>
        source.Invitation is { } invitation && target == Side.Outlook ? "Organizer: " + invitation.Organizer + "\n\n" : "";

    /// <summary>Whether <paramref name="current"/> shows other text than <paramref name="desired"/>: title, body, location, reminder, categories, attendees.</summary>
    public static bool TextDiffers(CalEvent desired, CalEvent current) =>
        desired.Title != current.Title || desired.Description != current.Description || desired.Location != current.Location
        || desired.ReminderMinutes != current.ReminderMinutes || !desired.Categories.SequenceEqual(current.Categories)
        || desired.Attendees.Count != current.Attendees.Count;

    private Recurrence ApplyRecurrence(Recurrence source, Side from, Recurrence? existing, bool existingIsOriginal) => source with
    {
        Exceptions = source.Exceptions.Select(x => new OccurrenceException(x.OriginalDate,
            Apply(x.Occurrence, from, existing?.Exceptions.FirstOrDefault(e => e.OriginalDate == x.OriginalDate)?.Occurrence, existingIsOriginal))).ToArray(),
    };

    private void AddTimes(ViewFields fields, CalEvent e)
    {
        fields["start"] = TimeText(e.Start);
        fields["end"] = TimeText(e.End);
        fields["allDay"] = e.IsAllDay ? "true" : "false";
    }

    private static string TimeText(EventTime t) => t.IsAllDay ? t.ToString() : t.Text(Zones.Canonical(t.TimeZone));

    private void AddFields(ViewFields fields, CalEvent e, Side from)
    {
        foreach (var map in Profile.Fields)
        {
            if (!map.Travels(from)) continue;
            var field = from == Side.Outlook ? map.Outlook : map.Bitrix24;
            fields[Key(map.Outlook)] = Common(map, Get(e, field, from), from);
        }
    }

    private string RecurrenceText(Recurrence r, Side from)
    {
        var n = r.Normalized();
        var text = $"{n.Kind};i={n.Interval};d={string.Join(",", n.DaysOfWeek)};dom={n.DayOfMonth};m={n.Month};x={n.Index};c={n.Count};u={n.Until:yyyy-MM-dd}";
        if (n.Kind == RecurrenceKind.Weekly && n.Interval > 1) text += $";w={n.FirstDayOfWeek}";
        if (n.Cancelled.Count > 0) text += ";cancelled=" + string.Join(",", n.Cancelled.Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        foreach (var x in n.Exceptions)
        {
            var fields = new ViewFields();
            AddTimes(fields, x.Occurrence);
            AddFields(fields, x.Occurrence, from);
            text += $";ex[{x.OriginalDate:yyyy-MM-dd}]={{{string.Join(",", fields.Sorted.Select(p => p.Key + ":" + p.Value))}}}";
        }
        return text;
    }

    // Literals: the enum's lower-cased name cost two strings per field of every view.
    private static string Key(MeetingField field) => field switch
    {
        MeetingField.Subject => "subject",
        MeetingField.Body => "body",
        MeetingField.Location => "location",
        MeetingField.ShowAs => "showAs",
        MeetingField.Sensitivity => "sensitivity",
        MeetingField.Importance => "importance",
        MeetingField.Reminder => "reminderMinutesBeforeStart",
        MeetingField.Categories => "categories",
        MeetingField.Attendees => "attendees",
        MeetingField.IsAllDay => "isAllDay",
        _ => field.ToString().ToLowerInvariant(),
    };

    /// <summary>The value of a field in the side's own words (show-as as "quest" on Bitrix24, "tentative" on Outlook).</summary>
    private string Get(CalEvent e, MeetingField field, Side side) => field switch
    {
        MeetingField.Subject => Unmark(NormaliseText(e.Title), field, side),
        MeetingField.Body => Unmark(NormaliseText(e.Description), field, side),
        MeetingField.Location => Unmark(NormaliseText(e.Location), field, side),
        MeetingField.ShowAs => side == Side.Outlook ? Vocabulary.OutlookName(e.ShowAs) : Vocabulary.Bitrix24Name(e.ShowAs),
        MeetingField.Sensitivity => side == Side.Outlook ? Vocabulary.OutlookName(e.Sensitivity) : Vocabulary.Bitrix24Name(e.Sensitivity),
        MeetingField.Importance => Vocabulary.Name(e.Importance),
        MeetingField.Reminder => e.ReminderMinutes?.ToString(CultureInfo.InvariantCulture) ?? "",
        MeetingField.Categories => string.Join("|", e.Categories.OrderBy(c => c, StringComparer.Ordinal)),
        MeetingField.Attendees => string.Join("|", e.Attendees.Select(a => a.Email.ToLowerInvariant()).OrderBy(a => a, StringComparer.Ordinal)),
        MeetingField.IsAllDay => e.IsAllDay ? "true" : "false",
        _ => "",
    };

    /// <summary>A value of <paramref name="from"/> in the shared (Outlook) vocabulary.</summary>
    private static string Common(FieldMap map, string value, Side from)
    {
        if (from == Side.Outlook || Vocabulary.Of(map.Outlook).Outlook is null) return value;
        // Loops by index: no enumerator per call (several calls per view).
        for (var i = 0; i < map.Values.Count; i++)
            if (map.Values[i].Value.Equals(value, StringComparison.OrdinalIgnoreCase)) return map.Values[i].Key;
        return map.Outlook switch
        {
            MeetingField.ShowAs => Vocabulary.OutlookName(Vocabulary.FromBitrix24Accessibility(value)),
            MeetingField.Sensitivity => Vocabulary.OutlookName(Vocabulary.FromBitrix24Private(value)),
            _ => value,
        };
    }

    /// <summary>A value of <paramref name="from"/> in the other side's words, with that side's marks applied.</summary>
    private string Translate(FieldMap map, string value, Side from)
    {
        var target = from.Other();
        if (Vocabulary.Of(map.Outlook).Outlook is not null)
        {
            var common = Common(map, value, from);
            if (target == Side.Outlook) return common;
            for (var i = 0; i < map.Values.Count; i++)
                if (map.Values[i].Key.Equals(common, StringComparison.OrdinalIgnoreCase)) return map.Values[i].Value;
            return map.Outlook switch
            {
                MeetingField.ShowAs => Vocabulary.Bitrix24Name(Vocabulary.FromOutlookShowAs(common)),
                MeetingField.Sensitivity => Vocabulary.Bitrix24Name(Vocabulary.FromOutlookSensitivity(common)),
                _ => common,
            };
        }
        var mark = MarkOn(map.Outlook, target);
        if (mark is null) return value;
        if (mark.Set is not null) return mark.Set;
        return (mark.Prefix ?? "") + value + (mark.Suffix ?? "");
    }

    /// <summary>Removes the marks CalSync put on copies living on <paramref name="side"/>, so a copy reads like its source.</summary>
    private string Unmark(string value, MeetingField field, Side side)
    {
        var mark = MarkOn(field, side);
        if (mark is null || mark.Set is not null) return value;
        if (mark.Prefix is { } prefix && value.StartsWith(prefix, StringComparison.Ordinal)) value = value.Substring(prefix.Length);
        if (mark.Suffix is { } suffix && value.EndsWith(suffix, StringComparison.Ordinal)) value = value.Substring(0, value.Length - suffix.Length);
        return value;
    }

    /// <summary>The first mark of the field toward <paramref name="side"/>; a loop, not FirstOrDefault with a closure (several calls per view).</summary>
    private MarkEdit? MarkOn(MeetingField field, Side side)
    {
        foreach (var m in Profile.Marks)
            if (m.Field == field) return m.Toward(side);
        return null;
    }

    private static string NormaliseText(string text) => text.Replace("\r\n", "\n").TrimEnd();

    private static bool Matches(Condition condition, CalEvent e)
    {
        IEnumerable<string> values = condition.Field switch
        {
            MeetingField.Categories => e.Categories,
            MeetingField.Attendees => e.Attendees.SelectMany(a => new[] { a.Name, a.Email }),
            MeetingField.Subject => new[] { e.Title },
            MeetingField.Body => new[] { e.Description },
            MeetingField.Location => new[] { e.Location },
            MeetingField.ShowAs => new[] { Vocabulary.OutlookName(e.ShowAs) },
            MeetingField.Sensitivity => new[] { Vocabulary.OutlookName(e.Sensitivity) },
            MeetingField.Importance => new[] { Vocabulary.Name(e.Importance) },
            MeetingField.Reminder => new[] { e.ReminderMinutes?.ToString(CultureInfo.InvariantCulture) ?? "" },
            MeetingField.IsAllDay => new[] { e.IsAllDay ? "true" : "false" },
            _ => Array.Empty<string>(),
        };
        return values.Any(v => condition.Operator switch
        {
            ConditionOperator.Equals => condition.Values[0].Equals(v, StringComparison.OrdinalIgnoreCase),
            ConditionOperator.Contains => v.IndexOf(condition.Values[0], StringComparison.OrdinalIgnoreCase) >= 0,
            ConditionOperator.Matches => condition.Pattern!.IsMatch(v),
            ConditionOperator.In => condition.Values.Any(x => x.Equals(v, StringComparison.OrdinalIgnoreCase)),
            _ => false,
        });
    }
}
