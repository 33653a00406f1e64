using System.Text.Json.Nodes;
using CalSync.Sandbox.Bitrix24;
using CalSync.Sandbox.Graph;

namespace CalSync.Fidelity.Tests;

/// <summary>What a user changes in a meeting after it was synced.</summary>
[Flags]
public enum EditKind { None = 0, Title = 1, Time = 2, Location = 4, Reminder = 8, ShowAs = 16, Occurrence = 32 }

/// <summary>One meeting edited once on its source calendar: the edits, and the meeting as its source then holds it.</summary>
public sealed record MeetingEdit(Meeting Before, Meeting After, EditKind Kinds, MovedOccurrence? Occurrence);

/// <summary>
/// The edit pass: every meeting is edited once on the side it was first written to, the way the user's own client
/// does it (a Graph PATCH of the event or of one instance; a Bitrix24 portal-form update with the whole time block),
/// chosen from the corpus seed and the meeting's tag (the same edit whether the meeting runs in a subset or not).
/// </summary>
public static class Edits
{
    public static readonly EditKind[] Kinds = [EditKind.Title, EditKind.Time, EditKind.Location, EditKind.Reminder, EditKind.ShowAs, EditKind.Occurrence];

    private static readonly string[] Titles = ["Umbenannt: Überprüfung ✎", "会議（変更済み）", "Renamed 🚀 review", "Встреча перенесена", "a & b <edited> \"q\""];
    private static readonly string[] Places = ["", "Room 2 (new)", "Besprechungsraum „Nord“", "大阪オフィス 5F", "https://example.com/meet/xyz?a=1&b=2"];
    private static readonly (int? Minutes, string Unit)[] Reminders = [(null, "min"), (0, "min"), (10, "min"), (45, "min"), (120, "hour"), (2880, "day")];

    public static MeetingEdit Plan(Meeting m, int seed)
    {
        var r = new Random(seed ^ m.Tag.Aggregate(17, (h, c) => unchecked(h * 31 + c)));
        // Moving an all-day series would move its pattern's days; its occurrences are moved instead.
        var allowed = Kinds.Where(k => k switch
        {
            EditKind.Occurrence => m.Recurrence is not null,
            EditKind.Time => !(m.AllDay && m.Recurrence is not null),
            _ => true,
        }).ToList();
        var kinds = allowed.Where(_ => r.Next(5) < 2).Aggregate(EditKind.None, (all, k) => all | k);
        if (kinds == EditKind.None) kinds = allowed[r.Next(allowed.Count)];

        var after = m;
        if (kinds.HasFlag(EditKind.Title)) after = after with { Title = $"[{m.Tag}] " + Titles[r.Next(Titles.Length)] };
        if (kinds.HasFlag(EditKind.Location)) after = after with { Location = Other(r, Places, m.Location) };
        if (kinds.HasFlag(EditKind.ShowAs))
            after = after with { ShowAs = Other(r, m.Origin == Origin.Outlook ? ["busy", "tentative", "oof", "free", "workingElsewhere"] : ["busy", "quest", "absent", "free"], m.ShowAs) };
        if (kinds.HasFlag(EditKind.Reminder))
        {
            var (minutes, unit) = OtherReminder(r, m.ReminderMinutes);
            after = after with { ReminderMinutes = minutes, ReminderUnit = unit };
        }
        // A Bitrix24 exception is a row of its own: an update of the master leaves its reminder and show-as as they were.
        if (m.Origin == Origin.Bitrix24)
            after = after with
            {
                Moved = after.Moved.Select(x => x with
                {
                    OwnReminder = x.OwnReminder || kinds.HasFlag(EditKind.Reminder),
                    Reminder = x.OwnReminder ? x.Reminder : m.ReminderMinutes,
                    ShowAs = x.ShowAs ?? (kinds.HasFlag(EditKind.ShowAs) ? m.ShowAs : null),
                }).ToArray(),
            };
        if (kinds.HasFlag(EditKind.Time)) after = Reschedule(r, after);

        MovedOccurrence? occurrence = null;
        if (kinds.HasFlag(EditKind.Occurrence))
        {
            occurrence = EditOne(r, after);
            if (occurrence is null) kinds &= ~EditKind.Occurrence;
            else after = after with { Moved = [.. after.Moved, occurrence] };
        }
        if (kinds == EditKind.None)
        {
            kinds = EditKind.Title;
            after = after with { Title = $"[{m.Tag}] " + Titles[0] };
        }
        return new MeetingEdit(m, after, kinds, occurrence);
    }

    private static T Other<T>(Random r, T[] values, T current)
    {
        var others = values.Where(v => !Equals(v, current)).ToList();
        return others[r.Next(others.Count)];
    }

    private static (int? Minutes, string Unit) OtherReminder(Random r, int? current)
    {
        var others = Reminders.Where(v => v.Minutes != current).ToList();
        return others[r.Next(others.Count)];
    }

    /// <summary>The meeting moved (and sometimes lengthened) in its own zone; a series keeps its days.</summary>
    private static Meeting Reschedule(Random r, Meeting m)
    {
        var length = m.End - m.Start;
        if (m.AllDay)
        {
            var days = CorpusGenerator.Pick(r, [(1, 2), (-2, 1), (7, 1)]);
            if (m.Start.AddDays(days) < CorpusGenerator.FirstDay || m.Start.AddDays(days) > CorpusGenerator.LastDay) days = -days;
            if (r.Next(3) == 0) length = length.Add(TimeSpan.FromDays(1));
            return m with { Start = m.Start.AddDays(days), End = m.Start.AddDays(days) + length };
        }
        if (r.Next(3) == 0) length = length.Add(TimeSpan.FromMinutes(30));
        TimeSpan shift;
        if (m.Recurrence is null)
        {
            shift = CorpusGenerator.Pick(r, [(TimeSpan.FromHours(1), 3), (TimeSpan.FromHours(-2), 1), (TimeSpan.FromDays(1), 1), (new TimeSpan(3, 0, 30, 0), 1), (TimeSpan.FromDays(-7), 1)]);
            var start = m.Start + shift;
            if (start < CorpusGenerator.FirstDay || start > CorpusGenerator.LastDay) shift = -shift;
        }
        else
        {
            // Same dates: Graph's range starts on the start's date, Bitrix24's exceptions are keyed by date.
            shift = CorpusGenerator.Pick(r, [(TimeSpan.FromHours(1), 2), (TimeSpan.FromHours(-1), 1), (TimeSpan.FromHours(2.5), 1), (TimeSpan.FromMinutes(-45), 1)]);
            if ((m.Start + shift).Date != m.Start.Date) shift = -shift;
            if ((m.Start + shift).Date != m.Start.Date) shift = TimeSpan.Zero;
            if (shift == TimeSpan.Zero && length == m.End - m.Start) length = length.Add(TimeSpan.FromMinutes(15));
        }
        var moved = m with { Start = m.Start + shift, End = m.Start + shift + length };
        // Exchange drops edited and cancelled occurrences when a series' times change (Mailbox.Update).
        return m.Origin == Origin.Outlook && m.Recurrence is not null ? moved with { Cancelled = [], Moved = [] } : moved;
    }

    /// <summary>One occurrence not yet cancelled or edited: moved and/or retitled, relocated, given its own reminder.</summary>
    private static MovedOccurrence? EditOne(Random r, Meeting m)
    {
        var dates = IcalOracle.PatternDates(m).Where(d => d >= CorpusGenerator.FirstDay.AddDays(2) && d <= CorpusGenerator.LastDay.AddDays(-2)).ToList();
        var taken = m.Cancelled.Concat(m.Moved.Select(x => x.OriginalDate)).Select(d => d.Date).ToHashSet();
        var candidates = Enumerable.Range(1, Math.Max(0, dates.Count - 2)).Where(i => !taken.Contains(dates[i])).ToList();
        if (candidates.Count == 0) return null;
        var i = candidates[r.Next(candidates.Count)];
        var x = CorpusGenerator.Move(r, m, dates, i, " (this one ✎)", "Ersatzraum Ψ");
        if (r.Next(3) == 0)
        {
            var start = dates[i] + m.Start.TimeOfDay;
            x = x with { NewStart = start, NewEnd = start + (m.End - m.Start) };
        }
        var plain = x.NewStart == dates[i] + m.Start.TimeOfDay && x.NewEnd - x.NewStart == m.End - m.Start && x.Title == m.Title && x.Location == m.Location;
        if (plain || r.Next(2) == 0) x = x with { OwnReminder = true, Reminder = OtherReminder(r, m.ReminderMinutes).Minutes };
        return x;
    }

    /// <summary>Counts per kind (and of occurrences given their own reminder).</summary>
    public static SortedDictionary<string, int> Count(IEnumerable<MeetingEdit> edits)
    {
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var e in edits)
        {
            foreach (var k in Kinds.Where(k => e.Kinds.HasFlag(k))) counts[k.ToString()] = counts.GetValueOrDefault(k.ToString()) + 1;
            if (e.Occurrence is { OwnReminder: true }) counts["Occurrence reminder"] = counts.GetValueOrDefault("Occurrence reminder") + 1;
            if (e.Kinds.HasFlag(EditKind.Time)) counts[e.After.AllDay ? "Time (all-day)" : "Time (timed)"] = counts.GetValueOrDefault(e.After.AllDay ? "Time (all-day)" : "Time (timed)") + 1;
        }
        return counts;
    }

    // ---------------------------------------------------------------- Graph

    /// <summary>
    /// Outlook-origin edits in the order they were seeded (the index is the seeding variant, which chose the zone's
    /// name): one PATCH of the series master or single with the changed fields, then one PATCH of the edited instance.
    /// </summary>
    public static async Task ApplyGraphAsync(GraphService g, IReadOnlyList<MeetingEdit> edits)
    {
        using var http = Seeding.GraphHttp(g);
        var ids = g.GetEvents().Where(e => Observation.TagOf(e["subject"]?.GetValue<string>() ?? "") is not null)
            .ToDictionary(e => Observation.TagOf(e["subject"]!.GetValue<string>())!, e => e["id"]!.GetValue<string>());
        for (var variant = 0; variant < edits.Count; variant++)
        {
            var (m, after, kinds, x) = edits[variant];
            var id = ids[m.Tag];
            var zone = Seeding.GraphZoneName(after, variant);
            var full = Seeding.GraphJson(after, variant);
            var patch = new JsonObject();
            void Take(params string[] keys)
            {
                foreach (var key in keys) patch[key] = full[key]?.DeepClone();
            }
            if (kinds.HasFlag(EditKind.Title)) Take("subject");
            if (kinds.HasFlag(EditKind.Time)) Take("start", "end");
            if (kinds.HasFlag(EditKind.Location)) patch["location"] = new JsonObject { ["displayName"] = after.Location };
            if (kinds.HasFlag(EditKind.Reminder)) Take("isReminderOn", "reminderMinutesBeforeStart");
            if (kinds.HasFlag(EditKind.ShowAs)) Take("showAs");
            if (patch.Count > 0) await Seeding.PatchAsync(http, id, patch, m, "edit");
            if (x is null) continue;

            var instance = new JsonObject();
            var originalStart = x.OriginalDate.Date + after.Start.TimeOfDay;
            if (x.NewStart != originalStart || x.NewEnd - x.NewStart != after.End - after.Start)
            {
                instance["start"] = Seeding.GraphTime(after, x.NewStart, zone);
                instance["end"] = Seeding.GraphTime(after, x.NewEnd, zone);
            }
            if (x.Title != after.Title) instance["subject"] = x.Title;
            if (x.Location != after.Location) instance["location"] = new JsonObject { ["displayName"] = x.Location };
            if (x.OwnReminder)
            {
                instance["isReminderOn"] = x.Reminder is not null;
                instance["reminderMinutesBeforeStart"] = x.Reminder ?? 15;
            }
            var byDate = await Seeding.InstanceIdsAsync(http, id, after, [x.OriginalDate]);
            await Seeding.PatchAsync(http, Seeding.Required(byDate, x.OriginalDate, m), instance, m, "occurrence edit");
        }
    }

    // ---------------------------------------------------------------- Bitrix24

    private static readonly string[] TimeBlock = ["from", "to", "skip_time", "timezone_from", "timezone_to"];

    /// <summary>
    /// Bitrix24-origin edits as the portal form sends them: the changed fields with the whole time block (a partial
    /// one turns an all-day meeting timed or moves a timed one into the user's zone: docs/bitrix24-api.md,
    /// "calendar.event.update: the time block is never partial"), a series through its master (no
    /// <c>recurrence_mode</c>, as SandboxHarness.Bitrix24Update: its exception rows keep their own fields); one
    /// occurrence with <c>recurrence_mode=this</c>, and its own reminder by an update of the new exception row
    /// ("recurrence_mode=this: the new exception takes the master's reminder").
    /// </summary>
    public static void ApplyBitrix(Bitrix24Service b, IReadOnlyList<MeetingEdit> edits)
    {
        var ids = b.GetEvents().Where(e => e.RecurrenceId is null && Observation.TagOf(e.Name) is not null).ToDictionary(e => Observation.TagOf(e.Name)!, e => e.Id);
        foreach (var (m, after, kinds, x) in edits)
        {
            var id = ids[m.Tag];
            if ((kinds & ~EditKind.Occurrence) != EditKind.None)
            {
                var full = Seeding.BitrixParams(after);
                var p = Update(b, id);
                foreach (var key in TimeBlock.Where(full.ContainsKey)) p[key] = full[key];
                if (kinds.HasFlag(EditKind.Title)) p["name"] = after.Title;
                if (kinds.HasFlag(EditKind.Location)) p["location"] = after.Location;
                if (kinds.HasFlag(EditKind.ShowAs)) p["accessibility"] = after.ShowAs;
                if (kinds.HasFlag(EditKind.Reminder)) p["remind"] = Seeding.Remind(after.ReminderMinutes, after.ReminderUnit);
                b.Call("calendar.event.update", p);
            }
            if (x is null) continue;
            Seeding.EditOccurrence(b, id, after, x);
            if (!x.OwnReminder) continue;
            var row = b.GetEvents().Single(e => e.RecurrenceId == id && e.OriginalDateFrom?.Date == x.OriginalDate.Date);
            var q = Update(b, row.Id);
            q["remind"] = Seeding.Remind(x.Reminder, "min");
            Seeding.AddTimes(q, after, x.NewStart, x.NewEnd);
            b.Call("calendar.event.update", q);
        }
    }

    private static Dictionary<string, object?> Update(Bitrix24Service b, int id) =>
        new() { ["id"] = id, ["type"] = "user", ["ownerId"] = b.UserId };
}
