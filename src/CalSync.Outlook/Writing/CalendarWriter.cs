using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using CalSync.Engine.Model;
using CalSync.Engine.Sides;
using CalSync.Outlook.Http;
using CalSync.Outlook.Wire;
using Microsoft.Kiota.Abstractions;
using G = Microsoft.Graph.Models;

namespace CalSync.Outlook.Writing;

/// <summary>
/// Executes the engine's writes. Plain creates, updates and deletes travel in $batch requests of up to 20; writes that
/// need several dependent requests (a series with exceptions or cancellations, one occurrence of a series) run on
/// their own, in order. With a halt the steps of a batch are chained with dependsOn (Graph then answers 424 for
/// everything after a failure), a failure sets the halt, and nothing is sent once it is set (by either side).
/// </summary>
internal sealed class CalendarWriter
{
    private readonly OutlookGraphClient _graph;
    private readonly GraphBatch _batch;
    private readonly string _stampId;

    public CalendarWriter(OutlookGraphClient graph, GraphBatch batch, string stampId)
    {
        _graph = graph;
        _batch = batch;
        _stampId = stampId;
    }

    public async Task<IReadOnlyList<WriteResult>> WriteAsync(IReadOnlyList<WriteOperation> operations, WriteHalt? halt, CancellationToken cancellationToken)
    {
        var results = new WriteResult?[operations.Count];
        var i = 0;
        while (i < operations.Count && halt?.IsHalted != true)
        {
            var from = i;
            var run = new List<int>();
            while (i + run.Count < operations.Count && run.Count < 20 && IsSimple(operations[i + run.Count])) run.Add(i + run.Count);
            if (run.Count > 0)
            {
                await WriteSimpleAsync(operations, run, halt is not null, results, cancellationToken).ConfigureAwait(false);
                i += run.Count;
            }
            else
            {
                results[i] = await WriteComplexAsync(operations[i], cancellationToken).ConfigureAwait(false);
                i++;
            }
            for (var k = from; k < i; k++)
                if (results[k] is { Status: not WriteStatus.Succeeded }) halt?.Halt();
        }
        return results.Select((r, k) => r ?? WriteResult.Skipped(operations[k].OperationId)).ToList();
    }

    private bool IsSimple(WriteOperation op)
    {
        switch (op.Kind)
        {
            case WriteKind.Delete:
                return op.TargetId is not null && !OccurrenceKey.TryParse(op.TargetId, out _, out _);
            case WriteKind.Create:
                return op.Desired?.Recurrence is not { } r || (r.Exceptions.Count == 0 && r.Cancelled.Count == 0);
            default:
                if (op.TargetId is null || OccurrenceKey.TryParse(op.TargetId, out _, out _)) return false;
                var desired = op.Desired?.Recurrence;
                if (desired is null) return true;
                if (op.Existing is null) return desired.Exceptions.Count == 0 && desired.Cancelled.Count == 0;
                if (EventWriter.DropsOccurrences(op.Existing, op.Desired!)) return desired.Exceptions.Count == 0 && desired.Cancelled.Count == 0;
                return OccurrenceChanges.For(op.Existing, op.Desired!, patternChanged: false, _stampId).IsEmpty;
        }
    }

    private async Task WriteSimpleAsync(IReadOnlyList<WriteOperation> operations, List<int> run, bool stopAtFailure, WriteResult?[] results, CancellationToken cancellationToken)
    {
        var steps = new List<BatchStep>();
        var stepOf = new Dictionary<int, int>();
        var me = _graph.Client.Me;
        foreach (var index in run)
        {
            var op = operations[index];
            try
            {
                switch (op.Kind)
                {
                    case WriteKind.Create:
                        var body = EventWriter.ForCreate(Required(op.Desired, op), _stampId, TransactionIdFor(op));
                        var post = _graph.Options.CalendarId is null ? me.Events.ToPostRequestInformation(body) : me.Calendars[_graph.Options.CalendarId].Events.ToPostRequestInformation(body);
                        stepOf[index] = steps.Count;
                        steps.Add(new BatchStep("POST", EventsPath(), post));
                        break;
                    case WriteKind.Update:
                        var desired = Required(op.Desired, op);
                        var patch = op.Existing is null ? EventWriter.ForCreate(desired with { Attendees = Array.Empty<Attendee>() }, _stampId, null)
                            : EventWriter.ForUpdate(op.Existing, desired, _stampId, includeRecurrence: true);
                        if (patch is null) { results[index] = WriteResult.Ok(op.OperationId, op.TargetId!, op.Existing?.Version); break; }
                        stepOf[index] = steps.Count;
                        steps.Add(new BatchStep("PATCH", EventPath(op.TargetId!), me.Events[op.TargetId].ToPatchRequestInformation(patch)));
                        break;
                    default:
                        stepOf[index] = steps.Count;
                        steps.Add(new BatchStep("DELETE", EventPath(op.TargetId!), NotFoundIsSuccess: true));
                        break;
                }
            }
            catch (Exception ex) when (ex is ArgumentException || ex is InvalidOperationException || ex is UnknownTimeZoneException)
            {
                results[index] = WriteResult.Fail(op.OperationId, ex.Message);
                if (stopAtFailure) break;
            }
        }
        if (steps.Count == 0) return;
        if (stopAtFailure && run.Any(k => results[k]?.Status == WriteStatus.Failed))
        {
            // a request could not even be built: keep order, send nothing after it
            var firstBad = run.First(k => results[k]?.Status == WriteStatus.Failed);
            foreach (var k in run.Where(k => k > firstBad)) results[k] = WriteResult.Skipped(operations[k].OperationId);
            steps = steps.Take(run.Where(k => k < firstBad && stepOf.ContainsKey(k)).Count()).ToList();
            if (steps.Count == 0) return;
        }
        IReadOnlyList<BatchStepResult> answers;
        try { answers = await _batch.RunAsync(steps, sequential: stopAtFailure, cancellationToken).ConfigureAwait(false); }
        catch (Exception ex) when (GraphErrors.AsSideFailure(ex, cancellationToken) is { } side && !(ex is SideUnavailableException)) { throw side; }
        foreach (var pair in stepOf)
        {
            var op = operations[pair.Key];
            if (pair.Value >= answers.Count) continue;
            var answer = answers[pair.Value];
            if (!answer.Attempted) results[pair.Key] = WriteResult.Skipped(op.OperationId);
            else if (!answer.Succeeded) results[pair.Key] = WriteResult.Fail(op.OperationId, $"Outlook {op.Kind.ToString().ToLowerInvariant()} failed: {answer.Error}");
            else if (op.Kind == WriteKind.Delete) results[pair.Key] = WriteResult.Ok(op.OperationId, op.TargetId!, null);
            else results[pair.Key] = WriteResult.Ok(op.OperationId, answer.GetString("id") ?? op.TargetId ?? "", answer.GetString("changeKey"));
        }
    }

    private async Task<WriteResult> WriteComplexAsync(WriteOperation op, CancellationToken cancellationToken)
    {
        try
        {
            if (op.TargetId is not null && OccurrenceKey.TryParse(op.TargetId, out var seriesId, out var date))
                return await WriteOccurrenceAsync(op, seriesId, date.Date, cancellationToken).ConfigureAwait(false);
            return await WriteSeriesAsync(op, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (GraphErrors.AsSideFailure(ex, cancellationToken) is { } side)
        {
            if (ReferenceEquals(side, ex)) throw;
            throw side;
        }
        catch (Exception ex) when (ex is ApiException || ex is OccurrenceWriteException || ex is ArgumentException || ex is UnknownTimeZoneException)
        {
            return WriteResult.Fail(op.OperationId, $"Outlook {op.Kind.ToString().ToLowerInvariant()} failed: {(ex is ApiException ? GraphErrors.Describe(ex) : ex.Message)}");
        }
    }

    private async Task<WriteResult> WriteSeriesAsync(WriteOperation op, CancellationToken cancellationToken)
    {
        var me = _graph.Client.Me;
        var desired = Required(op.Desired, op);
        string masterId;
        OccurrenceChanges changes;
        if (op.Kind == WriteKind.Create)
        {
            var body = EventWriter.ForCreate(desired, _stampId, TransactionIdFor(op));
            var created = _graph.Options.CalendarId is null
                ? await me.Events.PostAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false)
                : await me.Calendars[_graph.Options.CalendarId].Events.PostAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false);
            masterId = created?.Id ?? throw new OccurrenceWriteException("Outlook created the series but returned no id.");
            changes = OccurrenceChanges.For(null, desired, patternChanged: true, _stampId);
        }
        else
        {
            masterId = op.TargetId ?? throw new ArgumentException("An update needs a target id.");
            var existing = op.Existing;
            var patternChanged = existing is null || EventWriter.DropsOccurrences(existing, desired);
            var patch = existing is null ? EventWriter.ForCreate(desired with { Attendees = Array.Empty<Attendee>() }, _stampId, null)
                : EventWriter.ForUpdate(existing, desired, _stampId, includeRecurrence: true);
            if (patch is not null) await me.Events[masterId].PatchAsync(patch, cancellationToken: cancellationToken).ConfigureAwait(false);
            changes = OccurrenceChanges.For(existing, desired, patternChanged, _stampId);
        }
        if (!changes.IsEmpty)
        {
            try { await ApplyAsync(masterId, desired, changes, cancellationToken).ConfigureAwait(false); }
            catch (OccurrenceWriteException ex) when (op.Kind == WriteKind.Create)
            {
                throw new OccurrenceWriteException($"the series was created (id {masterId}) but {ex.Message}");
            }
        }
        var after = await me.Events[masterId].GetAsync(rc => rc.QueryParameters.Select = new[] { "id", "changeKey" }, cancellationToken).ConfigureAwait(false);
        return WriteResult.Ok(op.OperationId, masterId, after?.ChangeKey);
    }

    private async Task<WriteResult> WriteOccurrenceAsync(WriteOperation op, string seriesId, DateTime date, CancellationToken cancellationToken)
    {
        var me = _graph.Client.Me;
        var zone = await SeriesZoneAsync(seriesId, op, cancellationToken).ConfigureAwait(false);
        var instances = await FindInstancesAsync(seriesId, new[] { date }, zone.Zone, zone.AllDay, cancellationToken).ConfigureAwait(false);
        instances.TryGetValue(date, out var instance);
        if (op.Kind == WriteKind.Delete)
        {
            if (instance is not null) await DeleteIgnoringMissingAsync(instance.Id, cancellationToken).ConfigureAwait(false);
            return WriteResult.Ok(op.OperationId, op.TargetId!, null);
        }
        if (op.Kind == WriteKind.Create)
            throw new ArgumentException("One occurrence of an existing series cannot be created on its own; create the series or a single event.");
        if (instance is null) throw new OccurrenceWriteException($"no occurrence of series {seriesId} on {date:yyyy-MM-dd} (it was cancelled or the series changed).");
        var desired = Required(op.Desired, op);
        var patch = op.Existing is null ? EventWriter.ForCreate(desired with { Attendees = Array.Empty<Attendee>(), Recurrence = null, OriginStamp = null }, _stampId, null)
            : EventWriter.ForUpdate(op.Existing with { Recurrence = null }, desired with { Recurrence = null }, _stampId, includeRecurrence: false);
        if (patch is null) return WriteResult.Ok(op.OperationId, op.TargetId!, instance.ChangeKey);
        var updated = await me.Events[instance.Id].PatchAsync(patch, cancellationToken: cancellationToken).ConfigureAwait(false);
        return WriteResult.Ok(op.OperationId, op.TargetId!, updated?.ChangeKey);
    }

    private async Task ApplyAsync(string masterId, CalEvent series, OccurrenceChanges changes, CancellationToken cancellationToken)
    {
        var zone = series.IsAllDay ? Zones.Utc : series.Start.TimeZone;
        var instances = await FindInstancesAsync(masterId, changes.Dates, zone, series.IsAllDay, cancellationToken).ConfigureAwait(false);
        var steps = new List<BatchStep>();
        var what = new List<string>();
        var me = _graph.Client.Me;
        foreach (var date in changes.Cancel)
        {
            if (!instances.TryGetValue(date, out var instance)) continue; // already cancelled
            steps.Add(new BatchStep("DELETE", EventPath(instance.Id), NotFoundIsSuccess: true));
            what.Add($"cancel {date:yyyy-MM-dd}");
        }
        foreach (var (date, patch) in changes.Patches(series))
        {
            if (!instances.TryGetValue(date, out var instance))
                throw new OccurrenceWriteException($"no occurrence on {date:yyyy-MM-dd} to change (is the date part of the pattern?).");
            steps.Add(new BatchStep("PATCH", EventPath(instance.Id), me.Events[instance.Id].ToPatchRequestInformation(patch)));
            what.Add($"change {date:yyyy-MM-dd}");
        }
        if (steps.Count == 0) return;
        var answers = await _batch.RunAsync(steps, sequential: false, cancellationToken).ConfigureAwait(false);
        var errors = answers.Select((a, k) => a.Succeeded ? null : what[k] + ": " + (a.Error ?? "not attempted")).Where(e => e is not null).ToList();
        if (errors.Count > 0) throw new OccurrenceWriteException("occurrence changes failed: " + string.Join("; ", errors));
    }

    private async Task<(string Zone, bool AllDay)> SeriesZoneAsync(string seriesId, WriteOperation op, CancellationToken cancellationToken)
    {
        var request = _graph.Client.Me.Events[seriesId].ToGetRequestInformation(rc =>
        {
            rc.QueryParameters.Select = new[] { "id", "isAllDay", "originalStartTimeZone", "recurrence", "start" };
            rc.Headers.Add("Prefer", "outlook.timezone=\"UTC\"");
        });
        WireEvent? master;
        using (var body = await _graph.SendForBodyAsync(request, "series " + seriesId, cancellationToken).ConfigureAwait(false))
            master = await JsonSerializer.DeserializeAsync(body, OutlookJson.Default.WireEvent, cancellationToken).ConfigureAwait(false);
        if (master is null) throw new OccurrenceWriteException($"series {seriesId} not found.");
        var stored = EventReader.ToStored(master, _stampId);
        return (stored.IsAllDay ? stored.Recurrence?.Zone ?? Zones.Utc : stored.Recurrence?.Zone ?? stored.StartZone, stored.IsAllDay);
    }

    /// <summary>The instances of a series around the given original dates, keyed by original local date (GET /instances).</summary>
    private async Task<Dictionary<DateTime, StoredItem>> FindInstancesAsync(string masterId, IReadOnlyCollection<DateTime> dates, string zone, bool allDay, CancellationToken cancellationToken)
    {
        var found = new Dictionary<DateTime, StoredItem>();
        if (dates.Count == 0) return found;
        var wanted = new HashSet<DateTime>(dates.Select(d => d.Date));
        var from = wanted.Min().AddDays(-2).ToString("yyyy-MM-dd'T'00:00:00'Z'", CultureInfo.InvariantCulture);
        var to = wanted.Max().AddDays(3).ToString("yyyy-MM-dd'T'00:00:00'Z'", CultureInfo.InvariantCulture);
        var builder = _graph.Client.Me.Events[masterId].Instances;
        var request = builder.ToGetRequestInformation(rc =>
        {
            rc.QueryParameters.StartDateTime = from;
            rc.QueryParameters.EndDateTime = to;
            rc.Headers.Add("Prefer", "outlook.timezone=\"UTC\"");
            rc.Headers.Add("Prefer", "odata.maxpagesize=100");
        });
        while (true)
        {
            EventPage page;
            using (var body = await _graph.SendForBodyAsync(request, "the instances of series " + masterId, cancellationToken).ConfigureAwait(false))
                page = await EventPage.ReadAsync(body, cancellationToken).ConfigureAwait(false);
            foreach (var ev in page.Events)
            {
                var item = EventReader.ToStored(ev, _stampId);
                var date = EventReader.OriginalDate(item, zone, allDay);
                if (date is { } d && wanted.Contains(d) && !item.IsCancelled) found[d] = item;
            }
            if (string.IsNullOrEmpty(page.NextLink)) break;
            request = builder.WithUrl(page.NextLink).ToGetRequestInformation(rc => rc.Headers.Add("Prefer", "outlook.timezone=\"UTC\""));
        }
        return found;
    }

    private async Task DeleteIgnoringMissingAsync(string id, CancellationToken cancellationToken)
    {
        try { await _graph.Client.Me.Events[id].DeleteAsync(cancellationToken: cancellationToken).ConfigureAwait(false); }
        catch (ApiException ex) when (ex.ResponseStatusCode == 404) { }
    }

    private string EventsPath() =>
        _graph.Options.CalendarId is null ? "/me/events" : "/me/calendars/" + Uri.EscapeDataString(_graph.Options.CalendarId) + "/events";

    private static string EventPath(string id) => "/me/events/" + Uri.EscapeDataString(id);

    private static CalEvent Required(CalEvent? desired, WriteOperation op) =>
        desired ?? throw new ArgumentException($"Operation {op.OperationId} ({op.Kind}) carries no desired event.");

    /// <summary>
    /// Graph's transactionId for a create: the engine's key when it is already a GUID, otherwise a GUID derived from it
    /// (SHA-256, so the same key always gives the same GUID and a retried create stays one event).
    /// </summary>
    internal static string? TransactionIdFor(WriteOperation op)
    {
        var key = op.TransactionId;
        if (string.IsNullOrEmpty(key)) return null;
        if (Guid.TryParse(key, out var guid)) return guid.ToString("D", CultureInfo.InvariantCulture).ToUpperInvariant();
        using var sha = SHA256.Create();
        var bytes = sha.ComputeHash(Encoding.UTF8.GetBytes(key)).Take(16).ToArray();
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x50);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes).ToString("D", CultureInfo.InvariantCulture).ToUpperInvariant();
    }
}

/// <summary>A part of a series write that failed (reported for the operation, not for the whole side).</summary>
internal sealed class OccurrenceWriteException : Exception
{
    public OccurrenceWriteException(string message) : base(message) { }
}
