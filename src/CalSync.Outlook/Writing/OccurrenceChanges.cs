using System;
using System.Collections.Generic;
using System.Linq;
using CalSync.Engine.Model;
using CalSync.Outlook.Wire;
using G = Microsoft.Graph.Models;

namespace CalSync.Outlook.Writing;

/// <summary>
/// What a series write must do to single occurrences after the master is written: cancel (DELETE the instance),
/// change (PATCH the instance into an exception), or revert an exception that the desired series no longer has.
/// When the pattern changed every desired exception and cancellation is applied again.
/// </summary>
internal sealed class OccurrenceChanges
{
    private readonly CalEvent? _existing;
    private readonly CalEvent? _desired;
    private readonly string _stampId;
    private readonly List<OccurrenceException> _change = new();
    private readonly List<OccurrenceException> _revert = new();

    private OccurrenceChanges(CalEvent? existing, CalEvent? desired, string stampId)
    {
        _existing = existing;
        _desired = desired;
        _stampId = stampId;
    }

    public List<DateTime> Cancel { get; } = new();
    public bool IsEmpty => Cancel.Count == 0 && _change.Count == 0 && _revert.Count == 0;
    public IReadOnlyCollection<DateTime> Dates => Cancel.Concat(_change.Select(e => e.OriginalDate.Date)).Concat(_revert.Select(e => e.OriginalDate.Date)).Distinct().ToList();

    public static OccurrenceChanges For(CalEvent? existing, CalEvent desired, bool patternChanged, string stampId)
    {
        var changes = new OccurrenceChanges(patternChanged ? null : existing, desired, stampId);
        var want = desired.Recurrence?.Normalized() ?? new Recurrence();
        var have = patternChanged ? new Recurrence() : existing?.Recurrence?.Normalized() ?? new Recurrence();
        var haveCancelled = new HashSet<DateTime>(have.Cancelled.Select(d => d.Date));
        changes.Cancel.AddRange(want.Cancelled.Select(d => d.Date).Where(d => !haveCancelled.Contains(d)));
        var haveExceptions = have.Exceptions.GroupBy(e => e.OriginalDate.Date).ToDictionary(g => g.Key, g => g.First());
        var wantDates = new HashSet<DateTime>(want.Exceptions.Select(e => e.OriginalDate.Date));
        foreach (var exception in want.Exceptions)
        {
            if (haveExceptions.TryGetValue(exception.OriginalDate.Date, out var before)
                && EventWriter.ForUpdate(changes.AfterMasterPatch(before.Occurrence, exception.Occurrence), Plain(exception.Occurrence), stampId, includeRecurrence: false) is null) continue;
            changes._change.Add(exception);
        }
        foreach (var old in have.Exceptions)
            if (!wantDates.Contains(old.OriginalDate.Date) && !want.Cancelled.Any(d => d.Date == old.OriginalDate.Date)) changes._revert.Add(old);
        return changes;
    }

    /// <summary>The PATCH body for each occurrence to change or revert, keyed by original date. Times are always sent.</summary>
    public IEnumerable<(DateTime Date, G.Event Patch)> Patches(CalEvent series)
    {
        var existingExceptions = _existing?.Recurrence?.Exceptions.GroupBy(e => e.OriginalDate.Date).ToDictionary(g => g.Key, g => g.First().Occurrence)
                                 ?? new Dictionary<DateTime, CalEvent>();
        foreach (var exception in _change)
        {
            var date = exception.OriginalDate.Date;
            var baseline = existingExceptions.TryGetValue(date, out var before) ? AfterMasterPatch(before, exception.Occurrence) : SeriesOccurrence(series, date);
            var target = Plain(exception.Occurrence);
            var patch = EventWriter.ForUpdate(Plain(baseline), target, _stampId, includeRecurrence: false) ?? new G.Event();
            EventWriter.SetTimes(patch, target);
            yield return (date, patch);
        }
        foreach (var exception in _revert)
        {
            var date = exception.OriginalDate.Date;
            var target = SeriesOccurrence(series, date);
            var patch = EventWriter.ForUpdate(Plain(exception.Occurrence), target, _stampId, includeRecurrence: false) ?? new G.Event();
            EventWriter.SetTimes(patch, target);
            yield return (date, patch);
        }
    }

    /// <summary>The series' content at one original date, at the series' own time of day.</summary>
    internal static CalEvent SeriesOccurrence(CalEvent series, DateTime date)
    {
        var plain = Plain(series);
        if (series.IsAllDay)
        {
            var days = series.End.Value - series.Start.Value;
            return plain with { Start = EventTime.AllDay(date), End = EventTime.AllDay(date + days) };
        }
        var start = EventTime.FromLocal(date.Date + series.Start.Local.TimeOfDay, series.Start.TimeZone);
        var end = EventTime.Timed(start.Value + (series.End.Value - series.Start.Value), series.End.TimeZone);
        return plain with { Start = start, End = end };
    }

    private static CalEvent Plain(CalEvent e) => e with { Recurrence = null, OriginStamp = null, Id = "", Version = null };

    /// <summary>
    /// What an existing exception is to be compared with once the master's PATCH is applied. Outlook exceptions inherit
    /// every field they do not override, so a master field that changes may change the exception too; whether it does
    /// cannot be read. For each such field the baseline takes a value other than the desired one, so the exception's
    /// desired value is always sent; other fields keep the exception's own value.
    /// </summary>
    private CalEvent AfterMasterPatch(CalEvent exception, CalEvent desired)
    {
        var plain = Plain(exception);
        if (_existing is null || _desired is null) return plain;
        var (m0, m1) = (_existing, _desired);
        T Pick<T>(T own, T before, T after, T want, Func<T, T, bool> same) => same(before, after) ? own : !same(before, want) ? before : after;
        bool Same<T>(T x, T y) => EqualityComparer<T>.Default.Equals(x, y);
        bool SameList<T>(IReadOnlyList<T> x, IReadOnlyList<T> y) => x.SequenceEqual(y);
        return plain with
        {
            Title = Pick(plain.Title, m0.Title, m1.Title, desired.Title, Same),
            Description = Pick(plain.Description, m0.Description, m1.Description, desired.Description, Same),
            Location = Pick(plain.Location, m0.Location, m1.Location, desired.Location, Same),
            ShowAs = Pick(plain.ShowAs, m0.ShowAs, m1.ShowAs, desired.ShowAs, Same),
            Sensitivity = Pick(plain.Sensitivity, m0.Sensitivity, m1.Sensitivity, desired.Sensitivity, Same),
            Importance = Pick(plain.Importance, m0.Importance, m1.Importance, desired.Importance, Same),
            ReminderMinutes = Pick(plain.ReminderMinutes, m0.ReminderMinutes, m1.ReminderMinutes, desired.ReminderMinutes, Same),
            Categories = Pick(plain.Categories, m0.Categories, m1.Categories, desired.Categories, SameList),
        };
    }
}
