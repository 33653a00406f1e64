using System;
using System.Collections.Generic;
using System.Linq;
using CalSync.Engine.Mapping;
using CalSync.Engine.Model;
using CalSync.Engine.Sides;

namespace CalSync.Bitrix24.Wire;

/// <summary>
/// Groups the expanded rows of <c>calendar.event.get</c> into model events: one event per single, one per series
/// (pattern, cancelled dates, exceptions keyed by their original date).
/// </summary>
internal sealed class EventAssembler
{
    private readonly IReadOnlyList<EventRow> _rows;

    public EventAssembler(IEnumerable<EventRow> rows)
    {
        // Chunks overlap at their edges: keep one row per (ID, start).
        var seen = new HashSet<(string, EventTime)>();
        var kept = new List<EventRow>((rows as ICollection<EventRow>)?.Count ?? 0);
        foreach (var r in rows)
            if (r.Id.Length > 0 && !r.IsDeclined && seen.Add(r.RowKey)) kept.Add(r);
        _rows = kept;
    }

    public IReadOnlyList<EventRow> Rows => _rows;

    /// <summary>Series whose definition must come from <c>getbyid</c>: masters of exceptions seen alone, and series rows without ~DATE_FROM.</summary>
    public IEnumerable<string> MastersNeeded()
    {
        var seriesIds = new HashSet<string>(_rows.Where(r => r.IsSeries).Select(r => r.Id), StringComparer.Ordinal);
        var needed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in _rows)
        {
            if (r.IsException && !seriesIds.Contains(r.RecurrenceId!)) needed.Add(r.RecurrenceId!);
            if (r.IsSeries && r.SeriesStart is null) needed.Add(r.Id);
        }
        return needed;
    }

    /// <summary>Builds the events. <paramref name="masters"/> holds getbyid rows (null: the master is gone).</summary>
    public List<CalEvent> Assemble(SyncWindow window, DateTime readFromDate, DateTime readToDate, IReadOnlyDictionary<string, EventRow?> masters,
        TimeSpan serverOffset, IDictionary<(string SeriesId, DateTime Date), (string RowId, string Version)> exceptionRows)
    {
        var events = new List<CalEvent>(_rows.Count);
        var exceptionsBySeries = _rows.Where(r => r.IsException).GroupBy(r => r.RecurrenceId!).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var seriesRows = _rows.Where(r => r.IsSeries).GroupBy(r => r.Id).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var seriesIds = seriesRows.Keys.Concat(exceptionsBySeries.Keys).Distinct(StringComparer.Ordinal).ToList();

        foreach (var single in _rows.Where(r => !r.IsSeries && !r.IsException))
            if (Overlaps(window, single)) events.Add(single.ToCalEvent(single.Id, serverOffset));

        foreach (var id in seriesIds)
        {
            seriesRows.TryGetValue(id, out var occurrences);
            exceptionsBySeries.TryGetValue(id, out var exceptions);
            occurrences ??= new List<EventRow>();
            exceptions ??= new List<EventRow>();
            masters.TryGetValue(id, out var master);
            var definition = master is { IsSeries: true } ? master : occurrences.FirstOrDefault();
            if (definition is null)
            {
                // The master is gone or not recurring any more: its exceptions stand alone.
                foreach (var x in exceptions)
                    if (Overlaps(window, x)) events.Add(x.ToCalEvent(x.Id, serverOffset));
                continue;
            }
            if (!occurrences.Any(r => Overlaps(window, r)) && !exceptions.Any(r => Overlaps(window, r))) continue;

            var start = master is { IsSeries: true } ? master.Start : definition.SeriesStart ?? definition.Start;
            var end = master is { IsSeries: true } ? master.End : definition.SeriesEnd ?? definition.End;
            var recurrence = definition.ToRecurrence(start);
            var exceptionList = new List<OccurrenceException>();
            var exceptionDates = new HashSet<DateTime>();
            foreach (var x in exceptions.OrderBy(x => x.OriginalDate ?? x.Start.Local.Date))
            {
                var date = (x.OriginalDate ?? x.Start.Local).Date;
                if (!exceptionDates.Add(date)) continue;
                var occurrence = x.ToCalEvent(OccurrenceKey.Make(id, date), serverOffset) with { SeriesId = id, OriginalDate = date };
                exceptionRows[(id, date)] = (x.Id, x.Version);
                // An exception row that was edited back to exactly its pattern occurrence is no exception any more.
                if (SameAsPattern(occurrence, definition, start, end, date)) continue;
                exceptionList.Add(new OccurrenceException(date, occurrence));
            }
            var cancelled = definition.ExDates
                .Where(d => d >= readFromDate && d <= readToDate && !exceptionDates.Contains(d))
                .ToList();
            var series = definition.ToCalEvent(id, serverOffset) with
            {
                Start = start,
                End = end,
                Recurrence = recurrence with { Exceptions = exceptionList, Cancelled = cancelled },
            };
            events.Add(series with { Recurrence = series.Recurrence!.Normalized() });
        }
        return events;
    }

    private static bool SameAsPattern(CalEvent occurrence, EventRow series, EventTime start, EventTime end, DateTime date)
    {
        var length = end.Value - start.Value;
        var patternStart = start.IsAllDay ? EventTime.AllDay(date) : EventTime.FromLocal(date + start.Local.TimeOfDay, start.TimeZone);
        var patternEnd = start.IsAllDay ? EventTime.AllDay(date + length) : EventTime.FromLocal((date + start.Local.TimeOfDay) + (end.Local - start.Local), end.TimeZone);
        return Equals(occurrence.Start, patternStart) && Equals(occurrence.End, patternEnd)
            && occurrence.Title == series.Name && occurrence.Description == series.Description && occurrence.Location == series.Location
            && occurrence.ShowAs == Vocabulary.FromBitrix24Accessibility(series.Accessibility) && occurrence.Sensitivity == (series.Private ? Sensitivity.Private : Sensitivity.Normal)
            && occurrence.Importance == Vocabulary.FromBitrix24Importance(series.Importance) && occurrence.ReminderMinutes == series.ReminderMinutes;
    }

    private static bool Overlaps(SyncWindow window, EventRow row) => window.Overlaps(row.Start.SortKeyUtc, row.End.SortKeyUtc);
}
