using System;
using System.Collections.Generic;
using System.Linq;
using CalSync.Engine.Model;
using CalSync.Outlook.Mapping;
using G = Microsoft.Graph.Models;

namespace CalSync.Outlook.Writing;

/// <summary>
/// What a series write must do to single occurrences after the master is written: cancel (DELETE the instance),
/// change (PATCH the instance into an exception), or revert an exception that the desired series no longer has.
/// When the pattern changed every desired exception and cancellation is applied again.
/// </summary>
internal sealed class OccurrencePlan
{
    private readonly CalEvent? _existing;
    private readonly string _stampId;
    private readonly List<OccurrenceException> _change = new();
    private readonly List<OccurrenceException> _revert = new();

    private OccurrencePlan(CalEvent? existing, string stampId)
    {
        _existing = existing;
        _stampId = stampId;
    }

    public List<DateTime> Cancel { get; } = new();
    public bool IsEmpty => Cancel.Count == 0 && _change.Count == 0 && _revert.Count == 0;
    public IReadOnlyCollection<DateTime> Dates => Cancel.Concat(_change.Select(e => e.OriginalDate.Date)).Concat(_revert.Select(e => e.OriginalDate.Date)).Distinct().ToList();

    public static OccurrencePlan For(CalEvent? existing, CalEvent desired, bool patternChanged, string stampId)
    {
        var plan = new OccurrencePlan(patternChanged ? null : existing, stampId);
        var want = desired.Recurrence?.Normalized() ?? new Recurrence();
        var have = patternChanged ? new Recurrence() : existing?.Recurrence?.Normalized() ?? new Recurrence();
        var haveCancelled = new HashSet<DateTime>(have.Cancelled.Select(d => d.Date));
        plan.Cancel.AddRange(want.Cancelled.Select(d => d.Date).Where(d => !haveCancelled.Contains(d)));
        var haveExceptions = have.Exceptions.GroupBy(e => e.OriginalDate.Date).ToDictionary(g => g.Key, g => g.First());
        var wantDates = new HashSet<DateTime>(want.Exceptions.Select(e => e.OriginalDate.Date));
        foreach (var exception in want.Exceptions)
        {
            if (haveExceptions.TryGetValue(exception.OriginalDate.Date, out var before)
                && EventWriter.ForUpdate(Plain(before.Occurrence), Plain(exception.Occurrence), stampId, includeRecurrence: false) is null) continue;
            plan._change.Add(exception);
        }
        foreach (var old in have.Exceptions)
            if (!wantDates.Contains(old.OriginalDate.Date) && !want.Cancelled.Any(d => d.Date == old.OriginalDate.Date)) plan._revert.Add(old);
        return plan;
    }

    /// <summary>The PATCH body for each occurrence to change or revert, keyed by original date. Times are always sent.</summary>
    public IEnumerable<(DateTime Date, G.Event Patch)> Patches(CalEvent series)
    {
        var existingExceptions = _existing?.Recurrence?.Exceptions.GroupBy(e => e.OriginalDate.Date).ToDictionary(g => g.Key, g => g.First().Occurrence)
                                 ?? new Dictionary<DateTime, CalEvent>();
        foreach (var exception in _change)
        {
            var date = exception.OriginalDate.Date;
            var baseline = existingExceptions.TryGetValue(date, out var before) ? before : SeriesOccurrence(series, date);
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
}
