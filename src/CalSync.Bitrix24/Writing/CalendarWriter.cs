using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using CalSync.Bitrix24.Wire;
using CalSync.Bitrix24.Rest;
using CalSync.Engine.Model;
using CalSync.Engine.Sides;
using CalSync.Bitrix24.Reading;

namespace CalSync.Bitrix24.Writing;

/// <summary>
/// Writes through <c>batch</c> of up to 50 commands: each operation becomes its steps (add, update with the whole time
/// block, recurrence_mode=this for occurrences, delete, or an invitation's answer), sent in order; then the VERSIONs
/// written are learned. Edits of exceptions go to their own rows, which the last read found (<see cref="ReadState"/>).
/// </summary>
internal sealed class CalendarWriter(Bitrix24ConnectionOptions options, Bitrix24RestClient client, CalendarReader reader, CalendarCommands commands, ReadState state)
{
    private readonly Bitrix24ConnectionOptions _options = options;
    private readonly Bitrix24RestClient _client = client;
    private readonly CalendarReader _reader = reader;
    private readonly CalendarCommands _commands = commands;
    private readonly ReadState _state = state;

    public async Task<IReadOnlyList<WriteResult>> WriteAsync(IReadOnlyList<WriteOperation> operations, WriteHalt? halt, CancellationToken cancellationToken)
    {
        var results = new WriteResult?[operations.Count];
        if (operations.Count == 0) return Array.Empty<WriteResult>();
        try
        {
            if (_state.SectionId is null) await _reader.ResolveSectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Bitrix24SectionException e)
        {
            throw new SideUnavailableException(Side.Bitrix24, e.Message, isAuthentication: false, e);
        }
        await LookUpExceptionRowsAsync(operations, cancellationToken).ConfigureAwait(false);

        var writes = new List<PendingWrite>();
        var refused = false;
        for (var i = 0; i < operations.Count; i++)
        {
            var write = Prepare(i, operations[i]);
            if (write.Failure is not null)
            {
                results[i] = WriteResult.Fail(operations[i].OperationId, write.Failure);
                refused = true;
                if (halt is not null) break;
                continue;
            }
            writes.Add(write);
        }

        await ExecuteAsync(writes, halt, cancellationToken).ConfigureAwait(false);
        if (refused) halt?.Halt(); // after what came before it was sent
        var succeeded = writes.Where(p => p.Done && p.Errors.Count == 0).ToList();
        await SetExceptionRemindersAsync(succeeded, cancellationToken).ConfigureAwait(false);
        await ReadVersionsAsync(succeeded, cancellationToken).ConfigureAwait(false);

        foreach (var write in writes)
        {
            var id = write.Op.OperationId;
            if (write.Errors.Count > 0)
            {
                var partial = write.AnyStepSucceeded && write.ResultId is not null ? $" (the event was written as {write.ResultId}, but not completely)" : "";
                results[write.Index] = new WriteResult(id, WriteStatus.Failed, write.AnyStepSucceeded ? write.ResultId : null, Error: write.Errors[0] + partial);
            }
            else if (write.Done)
            {
                results[write.Index] = WriteResult.Ok(id, write.ResultId ?? write.Op.TargetId ?? "", write.Version);
            }
        }
        for (var i = 0; i < results.Length; i++) results[i] ??= WriteResult.Skipped(operations[i].OperationId);
        return results!;
    }

    private sealed class Step
    {
        public Step(string method, List<KeyValuePair<string, object?>> parameters, bool idFromFirst)
        {
            Method = method;
            Parameters = parameters;
            IdFromFirst = idFromFirst;
        }

        public string Method { get; }
        public List<KeyValuePair<string, object?>> Parameters { get; }
        /// <summary>The step's "id" is the first step's result (a just-created series).</summary>
        public bool IdFromFirst { get; }
        public bool Executed;
        public bool Succeeded;
        /// <summary>
        /// A recurrence_mode=this edit whose new row takes the master's reminder, not the one sent (docs/bitrix24-api.md,
        /// "recurrence_mode=this"): the occurrence (series id, null for the series the write creates; original date) whose
        /// row is then updated with <see cref="Desired"/>.
        /// </summary>
        public (string? SeriesId, DateTime Date)? NewException;
        public CalEvent? Desired;
    }

    private sealed class PendingWrite
    {
        public int Index;
        public WriteOperation Op = null!;
        public string? Failure;
        public List<Step> Steps = new();
        public string? ResultId;
        public string? Version;
        /// <summary>The id to re-read VERSION from (null: none, e.g. deletes).</summary>
        public string? VersionFrom;
        public (string SeriesId, DateTime Date, DateTime NewDate)? Occurrence;
        public bool AnyStepSucceeded;
        public bool Done;
        public List<string> Errors = new();
        public string? FirstResult;
    }

    private List<KeyValuePair<string, object?>> Base(string? id = null)
    {
        var p = new List<KeyValuePair<string, object?>>();
        if (id is not null) p.Add(new("id", id));
        p.Add(new("type", _options.CalendarType));
        p.Add(new("ownerId", _client.UserId));
        return p;
    }

    private PendingWrite Prepare(int index, WriteOperation op)
    {
        var write = new PendingWrite { Index = index, Op = op };
        try
        {
            switch (op.Kind)
            {
                case WriteKind.Create:
                    PrepareCreate(write, op);
                    break;
                case WriteKind.Update:
                    PrepareUpdate(write, op);
                    break;
                case WriteKind.Decline:
                    PrepareDecline(write, op);
                    break;
                default:
                    PrepareDelete(write, op);
                    break;
            }
        }
        catch (ArgumentException e)
        {
            write.Failure = e.Message;
        }
        catch (UnknownTimeZoneException e)
        {
            write.Failure = e.Message;
        }
        return write;
    }

    private void PrepareCreate(PendingWrite write, WriteOperation op)
    {
        var d = op.Desired ?? throw new ArgumentException("A create carries no event.");
        if (d.SeriesId is not null && d.OriginalDate is { } od)
        {
            PrepareOccurrence(write, d.SeriesId, od, d, existing: null);
            return;
        }
        if (d.Recurrence is { } r && Capabilities.CannotExpress(r, d) is { } why)
            throw new ArgumentException("Bitrix24 cannot store this series: " + why);
        var add = Base();
        add.Add(new("section", _state.SectionId));
        EventParams.AddAll(add, d, withRRule: true);
        write.Steps.Add(new Step("calendar.event.add", add, false));
        if (d.Recurrence is { } rec)
            foreach (var x in rec.Normalized().Exceptions)
                write.Steps.Add(ThisStep(null, x.OriginalDate, x.Occurrence, null, d.ReminderMinutes));
    }

    /// <summary>A recurrence_mode=this edit, followed by an update of the new row when the reminder differs from the master's (<paramref name="masterReminder"/>; <c>-1</c>: unknown).</summary>
    private Step ThisStep(string? seriesId, DateTime date, CalEvent desired, CalEvent? existing, int? masterReminder)
    {
        var step = new Step("calendar.event.update", ThisOccurrence(seriesId, date, desired, existing), idFromFirst: seriesId is null);
        if (masterReminder == -1 || desired.ReminderMinutes != masterReminder)
        {
            step.NewException = (seriesId, date.Date);
            step.Desired = desired;
        }
        return step;
    }

    private List<KeyValuePair<string, object?>> ThisOccurrence(string? seriesId, DateTime date, CalEvent desired, CalEvent? existing)
    {
        var p = Base(seriesId);
        p.Add(new("recurrence_mode", "this"));
        p.Add(new("current_date_from", Bitrix24Dates.Date(date)));
        if (existing is null) EventParams.AddAll(p, desired, withRRule: false, isUpdate: true);
        else EventParams.AddChanged(p, desired, existing, forceTimes: true);
        return p;
    }

    private void PrepareOccurrence(PendingWrite write, string seriesId, DateTime date, CalEvent desired, CalEvent? existing)
    {
        write.ResultId = OccurrenceKey.Make(seriesId, date);
        write.Occurrence = (seriesId, date.Date, desired.Start.Local.Date);
        if (_state.ExceptionRows.TryGetValue((seriesId, date.Date), out var row))
        {
            // Already an exception: edit its own row (a second "this" would split it again).
            var p = Base(row.RowId);
            if (existing is null) EventParams.AddAll(p, desired, withRRule: false, isUpdate: true);
            else EventParams.AddChanged(p, desired, existing, forceTimes: false);
            write.Steps.Add(new Step("calendar.event.update", p, false));
        }
        else
        {
            // An occurrence as read carries its master's reminder.
            write.Steps.Add(ThisStep(seriesId, date, desired, existing, existing is null ? -1 : existing.ReminderMinutes));
        }
    }

    private void PrepareUpdate(PendingWrite write, WriteOperation op)
    {
        var d = op.Desired ?? throw new ArgumentException("An update carries no event.");
        RefuseInvitation(op);
        var target = op.TargetId ?? throw new ArgumentException("An update carries no target id.");
        if (OccurrenceKey.TryParse(target, out var seriesId, out var date))
        {
            PrepareOccurrence(write, seriesId, date, d, op.Existing);
            return;
        }
        if (d.Recurrence is { } r && Capabilities.CannotExpress(r, d) is { } why)
            throw new ArgumentException("Bitrix24 cannot store this series: " + why);
        write.ResultId = target;
        write.VersionFrom = target;
        var e = op.Existing;
        var p = Base(target);
        bool any;
        if (e is null)
        {
            EventParams.AddAll(p, d, withRRule: true, isUpdate: true);
            any = true;
        }
        else
        {
            var patternChanged = !EventParams.SamePattern(d.Recurrence, e.Recurrence);
            any = EventParams.AddChanged(p, d, e, forceTimes: patternChanged);
            if (patternChanged)
            {
                p.Add(new("rrule", d.Recurrence is { } rr ? EventParams.RRule(rr, d.Start) : EventParams.NoRRule()));
                any = true;
            }
        }
        if (any) write.Steps.Add(new Step("calendar.event.update", p, false));

        // Exceptions: new or changed ones; reverted ones go back to the pattern.
        var desiredX = d.Recurrence?.Exceptions ?? Array.Empty<OccurrenceException>();
        var existingX = e?.Recurrence?.Exceptions ?? Array.Empty<OccurrenceException>();
        foreach (var x in desiredX)
        {
            var before = existingX.FirstOrDefault(y => y.OriginalDate.Date == x.OriginalDate.Date);
            if (before is not null && SameContent(before.Occurrence, x.Occurrence)) continue;
            if (_state.ExceptionRows.TryGetValue((target, x.OriginalDate.Date), out var row))
            {
                var q = Base(row.RowId);
                if (before is null) EventParams.AddAll(q, x.Occurrence, withRRule: false, isUpdate: true);
                else EventParams.AddChanged(q, x.Occurrence, before.Occurrence, forceTimes: false);
                write.Steps.Add(new Step("calendar.event.update", q, false));
            }
            else
            {
                write.Steps.Add(ThisStep(target, x.OriginalDate, x.Occurrence, null, d.ReminderMinutes));
            }
        }
        foreach (var gone in existingX.Where(y => desiredX.All(x => x.OriginalDate.Date != y.OriginalDate.Date)))
        {
            if (!_state.ExceptionRows.TryGetValue((target, gone.OriginalDate.Date), out var row)) continue;
            var length = d.End.Value - d.Start.Value;
            var start = d.IsAllDay ? EventTime.AllDay(gone.OriginalDate.Date) : EventTime.FromLocal(gone.OriginalDate.Date + d.Start.Local.TimeOfDay, d.Start.TimeZone);
            var back = d with { Start = start, End = start.Add(length), Recurrence = null };
            var q = Base(row.RowId);
            EventParams.AddAll(q, back, withRRule: false, isUpdate: true);
            write.Steps.Add(new Step("calendar.event.update", q, false));
        }
        if (write.Steps.Count == 0) write.Done = true; // nothing differs: no request
    }

    private static bool SameContent(CalEvent a, CalEvent b)
    {
        var p = new List<KeyValuePair<string, object?>>();
        return !EventParams.AddChanged(p, a, b, forceTimes: false);
    }

    /// <summary>An invitation is answered on the user's own row (docs/bitrix24-api.md, "Invitations"), never deleted.</summary>
    private void PrepareDecline(PendingWrite write, WriteOperation op)
    {
        var target = op.TargetId ?? throw new ArgumentException("A decline carries no target id.");
        write.ResultId = target;
        write.Steps.Add(new Step("calendar.meeting.status.set", new List<KeyValuePair<string, object?>> { new("eventId", target), new("status", "N") }, false));
    }

    private static void RefuseInvitation(WriteOperation op)
    {
        if (op.Existing?.Invitation is { } invitation)
            throw new ArgumentException($"Bitrix24 event {op.TargetId} is an invitation from {invitation.Organizer}: CalSync only answers it, because editing or deleting it through REST would change or delete the organizer's meeting for everyone.");
    }

    private void PrepareDelete(PendingWrite write, WriteOperation op)
    {
        var target = op.TargetId ?? throw new ArgumentException("A delete carries no target id.");
        RefuseInvitation(op);
        if (OccurrenceKey.TryParse(target, out _, out _))
            throw new ArgumentException("Bitrix24's REST API cannot delete a single occurrence of a series (deleting an exception would delete the whole series).");
        if (_state.ExceptionRows.Values.Any(v => v.RowId == target))
            throw new ArgumentException($"Bitrix24 event {target} is an exception of a series; deleting it through REST would delete the whole series.");
        write.ResultId = target;
        write.Steps.Add(new Step("calendar.event.delete", new List<KeyValuePair<string, object?>> { new("id", target) }, false));
    }

    /// <summary>
    /// Sends the writes' steps in batches of up to 50, in order. With a halt each batch stops at its first failure
    /// (halt=1), which sets the halt; once it is set (by either side) no further batch is sent.
    /// </summary>
    private async Task ExecuteAsync(List<PendingWrite> writes, WriteHalt? halt, CancellationToken cancellationToken)
    {
        var queue = new List<(PendingWrite Write, int Step)>();
        foreach (var write in writes.Where(p => !p.Done))
            for (var s = 0; s < write.Steps.Count; s++) queue.Add((write, s));

        var position = 0;
        var batchNo = 0;
        while (position < queue.Count && halt?.IsHalted != true)
        {
            var commands = new List<BatchCommand>();
            var map = new Dictionary<string, (PendingWrite Write, int Step)>(StringComparer.Ordinal);
            var inBatch = new HashSet<string>(StringComparer.Ordinal);
            var take = Math.Min(Bitrix24RestClient.MaxBatch, queue.Count - position);
            // Keep one operation's steps together when they fit in a batch of their own.
            if (position + take < queue.Count && take == Bitrix24RestClient.MaxBatch)
            {
                var cut = position + take;
                var writeAtCut = queue[cut].Write;
                var firstOfWrite = queue.FindIndex(position, q => q.Write == writeAtCut);
                if (firstOfWrite > position && writeAtCut.Steps.Count <= Bitrix24RestClient.MaxBatch) take = firstOfWrite - position;
            }
            for (var k = position; k < position + take; k++)
            {
                var (write, s) = queue[k];
                var key = "o" + write.Index.ToString(CultureInfo.InvariantCulture) + "_" + s.ToString(CultureInfo.InvariantCulture);
                var step = write.Steps[s];
                var parameters = step.Parameters;
                if (step.IdFromFirst)
                {
                    var firstKey = "o" + write.Index.ToString(CultureInfo.InvariantCulture) + "_0";
                    object? id = inBatch.Contains(firstKey) ? BatchReference.Result(firstKey) : write.FirstResult;
                    if (id is null) continue; // the series was not created; its failure is recorded
                    parameters = new List<KeyValuePair<string, object?>> { new("id", id) };
                    parameters.AddRange(step.Parameters.Where(p => p.Key != "id"));
                }
                commands.Add(new BatchCommand(key, step.Method, parameters));
                map[key] = (write, s);
                inBatch.Add(key);
            }
            position += take;
            batchNo++;
            if (commands.Count == 0) continue;

            var response = await _client.BatchAsync(commands, halt is not null, cancellationToken).ConfigureAwait(false);
            foreach (var command in commands)
            {
                var (write, s) = map[command.Key];
                if (response.Results.TryGetValue(command.Key, out var result))
                {
                    write.Steps[s].Executed = write.Steps[s].Succeeded = true;
                    write.AnyStepSucceeded = true;
                    if (s == 0 && write.Op.Kind == WriteKind.Create && write.Occurrence is null)
                    {
                        write.FirstResult = Json.AsString(result);
                        write.ResultId = write.FirstResult;
                        write.VersionFrom = write.FirstResult;
                    }
                }
                else if (response.Errors.TryGetValue(command.Key, out var error))
                {
                    write.Steps[s].Executed = true;
                    write.Errors.Add($"Bitrix24 rejected {command.Method}{(error.Code.Length > 0 ? " (" + error.Code + ")" : "")}: {error.Description}");
                    halt?.Halt();
                }
            }
            foreach (var write in map.Values.Select(v => v.Write).Distinct())
                if (write.Steps.All(s => s.Executed)) write.Done = true;
        }
        foreach (var write in writes.Where(p => !p.Done && p.Errors.Count == 0))
        {
            if (write.Steps.Count > 0 && write.Steps.All(s => s.Executed)) write.Done = true;
            else if (write.AnyStepSucceeded && halt?.IsHalted == true) write.Errors.Add("The writes stopped at an earlier failure before this operation was complete.");
        }
    }

    /// <summary>
    /// VERSION after a write that was exactly one save of one row, without asking: <c>calendar.event.add</c> stores
    /// VERSION 1, and every save adds one, so an update of a single (non-recurring) event read at VERSION n leaves n+1.
    /// Should someone else have saved it in between, the next read sees another VERSION and compares hashes, so their
    /// edit is not lost. Null: re-read it (series with exceptions, occurrences, several steps).
    /// </summary>
    private static string? KnownVersion(PendingWrite write)
    {
        if (write.Steps.Count != 1 || write.Occurrence is not null) return null;
        var method = write.Steps[0].Method;
        if (write.Op.Kind == WriteKind.Create && method == "calendar.event.add") return "1";
        if (write.Op.Kind == WriteKind.Update && method == "calendar.event.update"
            && write.Op.Existing is { Recurrence: null } existing && write.Op.Desired is { Recurrence: null }
            && int.TryParse(existing.Version, NumberStyles.None, CultureInfo.InvariantCulture, out var read) && read < int.MaxValue)
            return (read + 1).ToString(CultureInfo.InvariantCulture);
        return null;
    }

    /// <summary>Re-reads VERSION of what was written (getbyid; exception rows by a small event.get around the date).</summary>
    private async Task ReadVersionsAsync(List<PendingWrite> writes, CancellationToken cancellationToken)
    {
        var commands = new List<BatchCommand>();
        var byKey = new Dictionary<string, PendingWrite>(StringComparer.Ordinal);
        foreach (var write in writes)
        {
            var key = "v" + write.Index.ToString(CultureInfo.InvariantCulture);
            if (write.Occurrence is { } occ)
            {
                var from = Earlier(occ.Date, occ.NewDate).AddDays(-1);
                var to = Later(occ.Date, occ.NewDate).AddDays(1);
                commands.Add(new BatchCommand(key, "calendar.event.get", _commands.EventGet(_state.SectionId!, from, to)));
            }
            else if (KnownVersion(write) is { } version)
            {
                write.Version = version; // no request: a single save's VERSION is known (docs/bitrix24-api.md, "The event object")
                continue;
            }
            else if (write.VersionFrom is { } id && write.Op.Kind != WriteKind.Delete)
            {
                commands.Add(CalendarCommands.GetById(key, id));
            }
            else continue;
            byKey[key] = write;
        }
        foreach (var batch in CalendarCommands.Chunk(commands, Bitrix24RestClient.MaxBatch))
        {
            BatchResponse response;
            try
            {
                response = await _client.BatchAsync(batch, halt: false, cancellationToken).ConfigureAwait(false);
            }
            catch (SideUnavailableException) when (!cancellationToken.IsCancellationRequested)
            {
                return; // the writes are done; versions stay unknown and the next read compares hashes
            }
            foreach (var c in batch)
            {
                if (!response.Results.TryGetValue(c.Key, out var result)) continue;
                var write = byKey[c.Key];
                if (write.Occurrence is { } occ)
                {
                    foreach (var item in Json.Items(result))
                    {
                        var row = EventRow.Parse(item);
                        if (row.IsException && row.RecurrenceId == occ.SeriesId && (row.OriginalDate ?? row.Start.Local.Date) == occ.Date)
                        {
                            write.Version = row.Version;
                            _state.ExceptionRows[(occ.SeriesId, occ.Date)] = (row.Id, row.Version);
                        }
                    }
                }
                else if (result.ValueKind == JsonValueKind.Object)
                {
                    write.Version = result.Str("VERSION");
                }
            }
        }
    }

    /// <summary>
    /// Gives the rows that recurrence_mode=this made the reminder they were sent (the service gives them the master's):
    /// one event.get around each date finds the row, then one update per row whose reminder differs, with the whole time
    /// block. The row's id is known only after the first batch, so this cannot go into it.
    /// </summary>
    private async Task SetExceptionRemindersAsync(List<PendingWrite> writes, CancellationToken cancellationToken)
    {
        var wanted = new List<(PendingWrite Write, string SeriesId, DateTime Date, CalEvent Desired)>();
        foreach (var write in writes)
            foreach (var step in write.Steps)
                if (step is { Succeeded: true, NewException: { } x, Desired: { } desired } && (x.SeriesId ?? write.FirstResult) is { } seriesId)
                    wanted.Add((write, seriesId, x.Date, desired));
        if (wanted.Count == 0) return;

        var reads = wanted.Select((w, i) => new BatchCommand("r" + i.ToString(CultureInfo.InvariantCulture), "calendar.event.get",
            _commands.EventGet(_state.SectionId!, Earlier(w.Date, w.Desired.Start.Local.Date).AddDays(-1), Later(w.Date, w.Desired.Start.Local.Date).AddDays(1)))).ToList();
        var updates = new List<(BatchCommand Command, PendingWrite Write)>();
        foreach (var batch in CalendarCommands.Chunk(reads, Bitrix24RestClient.MaxBatch))
        {
            var response = await _client.BatchAsync(batch, halt: false, cancellationToken).ConfigureAwait(false);
            foreach (var command in batch)
            {
                var (write, seriesId, date, desired) = wanted[int.Parse(command.Key.AsSpan(1), CultureInfo.InvariantCulture)];
                if (!response.Results.TryGetValue(command.Key, out var result))
                {
                    write.Errors.Add($"The exception of {date:yyyy-MM-dd} was written but its reminder could not be set: it was not found.");
                    continue;
                }
                var row = Json.Items(result).Select(EventRow.Parse)
                    .FirstOrDefault(r => r.IsException && r.RecurrenceId == seriesId && (r.OriginalDate ?? r.Start.Local).Date == date);
                if (row is null || row.ReminderMinutes == desired.ReminderMinutes) continue;
                var q = Base(row.Id);
                EventParams.AddAll(q, desired, withRRule: false, isUpdate: true);
                updates.Add((new BatchCommand("u" + updates.Count.ToString(CultureInfo.InvariantCulture), "calendar.event.update", q), write));
            }
        }
        foreach (var batch in CalendarCommands.Chunk(updates, Bitrix24RestClient.MaxBatch))
        {
            var response = await _client.BatchAsync(batch.Select(u => u.Command).ToList(), halt: false, cancellationToken).ConfigureAwait(false);
            foreach (var (command, write) in batch)
                if (response.Errors.TryGetValue(command.Key, out var error))
                    write.Errors.Add($"Bitrix24 rejected the reminder of a new exception (calendar.event.update): {error.Description}");
        }
    }

    private static DateTime Earlier(DateTime a, DateTime b) => a < b ? a : b;
    private static DateTime Later(DateTime a, DateTime b) => a > b ? a : b;

    /// <summary>Finds exception rows for occurrence writes whose dates the last read did not cover.</summary>
    private async Task LookUpExceptionRowsAsync(IReadOnlyList<WriteOperation> operations, CancellationToken cancellationToken)
    {
        var wanted = new List<(string SeriesId, DateTime Date, DateTime Around)>();
        foreach (var op in operations)
        {
            if (op.TargetId is null || !OccurrenceKey.TryParse(op.TargetId, out var seriesId, out var date)) continue;
            if (_state.ExceptionRows.ContainsKey((seriesId, date.Date))) continue;
            if (_state.ReadRange is { } range && date >= range.From && date <= range.To
                && (op.Existing is null || (op.Existing.Start.Local.Date >= range.From && op.Existing.Start.Local.Date <= range.To))) continue;
            wanted.Add((seriesId, date.Date, op.Existing?.Start.Local.Date ?? date.Date));
        }
        if (wanted.Count == 0) return;
        var commands = wanted.Select((w, i) => new BatchCommand("x" + i.ToString(CultureInfo.InvariantCulture), "calendar.event.get",
            _commands.EventGet(_state.SectionId!, Earlier(w.Date, w.Around).AddDays(-1), Later(w.Date, w.Around).AddDays(1)))).ToList();
        foreach (var batch in CalendarCommands.Chunk(commands, Bitrix24RestClient.MaxBatch))
        {
            var response = await _client.BatchAsync(batch, halt: false, cancellationToken).ConfigureAwait(false);
            foreach (var result in response.Results.Values)
                foreach (var item in Json.Items(result))
                {
                    var row = EventRow.Parse(item);
                    if (row.IsException) _state.ExceptionRows[(row.RecurrenceId!, (row.OriginalDate ?? row.Start.Local).Date)] = (row.Id, row.Version);
                }
        }
    }
}
