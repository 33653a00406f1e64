using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CalSync.Engine.Mapping;
using CalSync.Engine.Model;
using CalSync.Engine.Sides;

namespace CalSync.Engine.Sync;

public sealed record RunProgress(string Activity, int Done, int Total);

public sealed record RunOptions
{
    /// <summary>The initial merge to perform; null continues an unfinished one, or takes only new data on a first run.</summary>
    public InitialMerge? Merge { get; init; }
    /// <summary>Run even when a side that had linked meetings returns none: that side really is empty (the empty-side guard).</summary>
    public bool AllowEmptySide { get; init; }
    /// <summary>Plan only: nothing is written to either calendar or to the store.</summary>
    public bool WhatIf { get; init; }
    public DateTimeOffset? Now { get; init; }
    public TimeSpan LockWait { get; init; } = TimeSpan.FromSeconds(30);
    public IProgress<RunProgress>? Progress { get; init; }
    /// <summary>What happens, in words, for the verbose stream (never a secret).</summary>
    public Action<string>? Log { get; init; }
    /// <summary>Why a planned write must not be sent (a failed conformance probe, <see cref="Probing.ProbeGate"/>), or null.</summary>
    public Func<PlannedWrite, string?>? Refuse { get; init; }
}

public sealed record RunResult(RunRecord Record, Plan? Plan);

/// <summary>
/// One run of one sync: lock, load, read both sides, plan, journal the creates, write in batches, save the links
/// atomically, append the history record.
/// </summary>
public sealed partial class SyncRunner
{
    private readonly IRunPersistence _store;
    private readonly ICalendarSide _outlook;
    private readonly ICalendarSide _bitrix24;

    public SyncRunner(IRunPersistence store, ICalendarSide outlook, ICalendarSide bitrix24)
    {
        _store = store;
        _outlook = outlook;
        _bitrix24 = bitrix24;
    }

    private ICalendarSide SideOf(Side side) => side == Side.Outlook ? _outlook : _bitrix24;

    public async Task<RunResult> RunAsync(SyncDefinition definition, RunOptions options, CancellationToken cancellationToken)
    {
        var log = options.Log ?? (_ => { });
        var started = options.Now ?? DateTimeOffset.UtcNow;
        // Before any reading or locking: a bad mapping file stops the run with its position.
        var projector = new Projector(MappingLoader.Resolve(definition.Mapping));
        var direction = Planner.EffectiveDirection(definition, projector.Profile);

        using var runLock = options.WhatIf ? null : _store.AcquireLock(definition.Name, options.LockWait, cancellationToken);
        var state = _store.LoadState(definition.Name);
        var merge = options.Merge ?? state.PendingMerge;
        var record = new RunRecord
        {
            SyncName = definition.Name, RunId = Guid.NewGuid(), Start = started, Direction = direction,
            Mode = RunMode.Of(merge ?? (state.Initialized ? null : InitialMerge.None)),
        };
        foreach (var warning in state.LoadWarnings) log(warning);
        // Half the copies of an unfinished removal are gone: a run would take that for deletions to follow on their originals.
        if (state.PendingRemoval is { } removal)
            return Finish(record with { Outcome = RunOutcome.Aborted, ErrorId = RunErrorIds.RemovalPending, Message = PendingMessage(definition.Name, removal) }, null, options);
        var window = SyncWindow.Around(started.UtcDateTime, definition.WindowPastDays, definition.WindowFutureDays);

        options.Progress?.Report(new RunProgress("Reading both calendars", 0, 2));
        SideSnapshot outlook, bitrix24;
        IReadOnlyList<CalEvent> outlookEvents, bitrix24Events;
        var elsewhere = new List<(Side, string)>();
        try
        {
            var readOutlook = _outlook.ReadAsync(window, state.CursorOf(Side.Outlook), cancellationToken);
            var readBitrix24 = _bitrix24.ReadAsync(window, state.CursorOf(Side.Bitrix24), cancellationToken);
            await Task.WhenAll(readOutlook, readBitrix24).ConfigureAwait(false);
            outlook = readOutlook.Result;
            bitrix24 = readBitrix24.Result;
            log($"Read {outlook.Events.Count} Outlook and {bitrix24.Events.Count} Bitrix24 meeting(s) between {window.StartUtc:yyyy-MM-dd} and {window.EndUtc:yyyy-MM-dd} (UTC).");

            var ids = (Outlook: IdsOf(outlook.Events), Bitrix24: IdsOf(bitrix24.Events));
            var confirmOutlook = ConfirmVanishedAsync(Side.Outlook, state, window, outlook.Events, ids.Outlook, ids.Bitrix24, elsewhere, options, cancellationToken);
            var confirmBitrix24 = ConfirmVanishedAsync(Side.Bitrix24, state, window, bitrix24.Events, ids.Bitrix24, ids.Outlook, elsewhere, options, cancellationToken);
            await Task.WhenAll(confirmOutlook, confirmBitrix24).ConfigureAwait(false);
            (outlookEvents, bitrix24Events) = (confirmOutlook.Result, confirmBitrix24.Result);
        }
        catch (SideUnavailableException e)
        {
            return Finish(record with { Outcome = RunOutcome.Failed, ErrorId = RunErrorIds.Of(e), Message = e.Message, FailedSide = e.Side }, null, options);
        }

        Plan Decide() => Planner.Decide(new PlanInput
        {
            Definition = definition, State = state, Projector = projector,
            Outlook = outlookEvents, Bitrix24 = bitrix24Events, Elsewhere = elsewhere, Window = window, Merge = merge,
            CannotExpress = (side, series) => SideOf(side).CannotExpress(series.Recurrence!, series),
            OtherSyncs = _store.SyncNames(),
        });
        var plan = Decide();
        // Bitrix24 read part of the window now and kept the rest as last read: a plan that writes anything there is
        // made again on a whole read, so no write rests on what may have changed since (docs/architecture.md, "Bitrix24 reads: hot and far").
        if (bitrix24.Fresh is { } fresh && plan.Writes.Any(w => Touches(w, Side.Bitrix24) && !IsInside(w, fresh)))
        {
            log("The plan writes beyond the part of Bitrix24 read now: reading its whole window.");
            try
            {
                bitrix24 = await _bitrix24.ReadWholeAsync(window, state.CursorOf(Side.Bitrix24), cancellationToken).ConfigureAwait(false);
                elsewhere.RemoveAll(e => e.Item1 == Side.Bitrix24);
                bitrix24Events = await ConfirmVanishedAsync(Side.Bitrix24, state, window, bitrix24.Events, IdsOf(bitrix24.Events), IdsOf(outlookEvents), elsewhere, options, cancellationToken).ConfigureAwait(false);
            }
            catch (SideUnavailableException e)
            {
                return Finish(record with { Outcome = RunOutcome.Failed, ErrorId = RunErrorIds.Of(e), Message = e.Message, FailedSide = e.Side }, null, options);
            }
            plan = Decide();
        }
        log(plan.ToString());
        var namer = new Namer(outlookEvents, bitrix24Events, projector.Profile.Carry == Carry.BusyOnly);
        if (options.WhatIf) return new RunResult(record with { Outcome = RunOutcome.WhatIf, End = DateTimeOffset.UtcNow, Items = Outcomes(plan, null, namer) }, plan);

        if (plan.SuddenlyEmpty is { } empty && !options.AllowEmptySide)
        {
            var message = $"{empty} returned no meetings although {state.Links.Count} are linked. Nothing was written or deleted. If the calendar really is empty, run Start-CalSync -Name '{definition.Name}' -AllowEmptySide.";
            // Refused: nothing was done, so the record counts nothing (the plan it refused is in the verbose stream).
            return Finish(record with { Outcome = RunOutcome.Aborted, ErrorId = RunErrorIds.EmptySideGuard, Message = message }, plan, options);
        }

        // Journal every create, and the merge asked for, before the first write: a run after a crash at any write finds
        // the copies it made and finishes the merge (a plain Start-CalSync continues it).
        var creates = plan.Writes.Where(w => w.Kind == WriteKind.Create).ToArray();
        var journal = creates.Select(w => new JournalEntry
        {
            TargetSide = w.TargetSide, SourceId = w.Source!.Id, OriginStamp = w.Desired!.OriginStamp ?? "",
            TransactionId = w.TransactionId ?? "", MatchKey = projector.MatchKey(w.Desired, w.TargetSide), At = DateTimeOffset.UtcNow,
        }).ToArray();
        if (journal.Length > 0 || (plan.Writes.Count > 0 && merge != state.PendingMerge))
            _store.SaveState(definition.Name, state with { Journal = state.Journal.Concat(journal).ToArray(), PendingMerge = merge });

        var results = new Dictionary<string, WriteResult>(StringComparer.Ordinal);
        var invalidMeetings = new List<string>();
        string? failure = null;
        try
        {
            failure = await ExecuteAsync(definition, plan, results, invalidMeetings, options, cancellationToken).ConfigureAwait(false);
        }
        catch (SideUnavailableException e)
        {
            failure = e.Message;
            record = record with { ErrorId = RunErrorIds.Of(e), FailedSide = e.Side };
        }
        catch (OperationCanceledException)
        {
            SaveAfterWrites(definition, state, plan, results, outlook, bitrix24, journal, merge, completed: false);
            throw;
        }

        var completed = failure is null || definition.ProceedOnError && record.ErrorId is null;
        SaveAfterWrites(definition, state, plan, results, outlook, bitrix24, journal, merge, completed);
        var items = Outcomes(plan, results, namer);
        var failed = items.Count(i => !i.Succeeded);
        var outcome = !completed ? RunOutcome.Failed
            : failed > 0 ? RunOutcome.CompletedWithErrors
            : plan.Writes.Count == 0 && !plan.Outcomes.Any(e => e.Action is ItemAction.Link or ItemAction.Recover or ItemAction.Unlink or ItemAction.Conflict) ? RunOutcome.NoChanges
            : RunOutcome.Succeeded;
        var summary = outcome switch
        {
            RunOutcome.CompletedWithErrors when invalidMeetings.Count > 0 => $"completed with errors ({failed}): {invalidMeetings[0]}",
            RunOutcome.CompletedWithErrors => $"completed with errors ({failed})",
            RunOutcome.Failed => $"stopped: {failure}",
            _ => null,
        };
        return Finish(record with
        {
            Outcome = outcome,
            Message = summary,
            ErrorId = record.ErrorId ?? (invalidMeetings.Count > 0 ? RunErrorIds.MeetingInvalid : failed > 0 ? RunErrorIds.ItemFailed : null),
            Items = items,
        }, plan, options);
    }

    /// <summary>Whether the write reads or writes an item of <paramref name="side"/>.</summary>
    private static bool Touches(PlannedWrite write, Side side) => write.TargetSide == side || write.Source?.Side == side;

    /// <summary>Whether everything the write is about (what it writes, what it replaces, where its link was) lies inside <paramref name="part"/>; a series never does.</summary>
    private static bool IsInside(PlannedWrite write, SyncWindow part)
    {
        foreach (var e in new[] { write.Desired, write.Existing, write.Source?.Event })
            if (e is not null && (e.Recurrence is not null || !part.Contains(e.Start.SortKeyUtc, e.End.SortKeyUtc))) return false;
        return write.PreviousLink is not { } link || part.Contains(link.StartUtc, link.EndUtc);
    }

    private static HashSet<string> IdsOf(IReadOnlyList<CalEvent> events)
    {
        var ids = new HashSet<string>(events.Count, StringComparer.Ordinal);
        foreach (var e in events) ids.Add(e.Id);
        return ids;
    }

    /// <summary>
    /// Absence is not deletion: linked items that <paramref name="side"/>'s read lacks while their pair is present (in
    /// the window, or back in it) or was last seen in the window are read directly, in one batched read. Gone: they stay
    /// absent (the planner deletes or unlinks as before). Found whole: they join the side's events at their new place (a
    /// copy then follows them). Found but not whole: <paramref name="elsewhere"/>. An empty read is the empty-side
    /// guard's case (the run stops before any write) unless the run allows an empty side: then it is confirmed like any other.
    /// </summary>
    private async Task<IReadOnlyList<CalEvent>> ConfirmVanishedAsync(Side side, SyncState state, SyncWindow window, IReadOnlyList<CalEvent> read,
        HashSet<string> present, HashSet<string> presentOther, List<(Side, string)> elsewhere, RunOptions options, CancellationToken cancellationToken)
    {
        if ((read.Count == 0 && !options.AllowEmptySide) || state.Links.Count == 0) return read;
        var vanished = new List<string>();
        foreach (var link in state.Links)
        {
            var (id, pair) = side == Side.Outlook ? (link.OutlookId, link.Bitrix24Id) : (link.Bitrix24Id, link.OutlookId);
            // An occurrence of a series is confirmed with its series (a missing occurrence is a cancellation).
            if (present.Contains(id) || OccurrenceKey.TryParse(id, out _, out _)) continue;
            if (presentOther.Contains(pair) || window.Overlaps(link.StartUtc, link.EndUtc)) vanished.Add(id);
        }
        if (vanished.Count == 0) return read;
        var found = await SideOf(side).ReadByIdAsync(vanished, cancellationToken).ConfigureAwait(false);
        options.Log?.Invoke($"{vanished.Count} linked {side} meeting(s) missing from the read were read directly: {vanished.Count - found.Count} deleted, {found.Count} still exist.");
        if (found.Count == 0) return read;
        var events = new List<CalEvent>(read);
        foreach (var pair in found)
        {
            if (pair.Value is { } moved) events.Add(moved);
            else lock (elsewhere) elsewhere.Add((side, pair.Key));
        }
        return events;
    }

    private RunResult Finish(RunRecord record, Plan? plan, RunOptions options) => Finish(_store, record, plan, options.WhatIf, options.Progress);

    /// <summary>The record ended now, with each side's counts, appended to the history (not under -WhatIf).</summary>
    private static RunResult Finish(IRunPersistence store, RunRecord record, Plan? plan, bool whatIf, IProgress<RunProgress>? progress)
    {
        record = record with { End = DateTimeOffset.UtcNow };
        record = record with { Outlook = Count(record, Side.Outlook), Bitrix24 = Count(record, Side.Bitrix24) };
        if (!whatIf) store.AppendHistory(record); // -WhatIf writes nothing, not even a failed attempt
        progress?.Report(new RunProgress("Done", 1, 1));
        return new RunResult(record, plan);
    }

    private static SideCounts Count(RunRecord record, Side side)
    {
        var mine = record.Items.Where(i => i.TargetSide == side).ToArray();
        int N(ItemAction action, bool ok = true) => mine.Count(i => i.Action == action && i.Succeeded == ok);
        return new SideCounts
        {
            Created = N(ItemAction.Create), Updated = N(ItemAction.Update), Deleted = N(ItemAction.Delete), Declined = N(ItemAction.Decline),
            // A pair found by matching counts on both sides.
            Matched = record.Items.Count(i => i.Action == ItemAction.Link),
            Recovered = mine.Count(i => i.Action == ItemAction.Recover),
            Skipped = N(ItemAction.Skip),
            Failed = mine.Count(i => !i.Succeeded),
        };
    }

    /// <summary>
    /// Writes the plan to both sides at once; returns why it stopped early (null when it did not). Meetings refused by
    /// <see cref="MeetingValidator"/> are added to <paramref name="invalidMeetings"/> (what is wrong, in words).
    /// </summary>
    private async Task<string?> ExecuteAsync(SyncDefinition definition, Plan plan, Dictionary<string, WriteResult> results, List<string> invalidMeetings, RunOptions options, CancellationToken cancellationToken)
    {
        var total = plan.Writes.Count;
        var done = 0;
        // A meeting the other side must not get (end before start, control characters, oversized text) is never sent:
        // it fails as an item up front, naming the meeting. Without proceed-on-error the run stops here, before any write.
        var invalid = new HashSet<string>(StringComparer.Ordinal);
        foreach (var write in plan.Writes)
        {
            if (MeetingValidator.Problem(write) is not { } problem) continue;
            invalid.Add(write.OperationId);
            results[write.OperationId] = WriteResult.Fail(write.OperationId, problem);
            invalidMeetings.Add(problem.Substring(RunErrorIds.MeetingInvalid.Length + 2));
            options.Log?.Invoke(problem);
        }
        if (invalidMeetings.Count > 0 && !definition.ProceedOnError) return invalidMeetings[0];
        // A write whose belief the service contradicted fails as an item; the others go on, and the next run plans it again.
        foreach (var write in plan.Writes)
        {
            if (invalid.Contains(write.OperationId) || options.Refuse?.Invoke(write) is not { } refusal) continue;
            invalid.Add(write.OperationId);
            results[write.OperationId] = WriteResult.Fail(write.OperationId, refusal);
            options.Log?.Invoke(refusal);
        }
        // Both sides are written at once: creates and updates first, deletions last, so a run that fails midway (an
        // expired sign-in, say) has deleted nothing. Without proceed-on-error the first failed item on either side
        // halts both at their next batch; what was sent still comes back and is linked.
        var halt = definition.ProceedOnError ? null : new WriteHalt();
        foreach (var deletions in new[] { false, true })
        {
            var bySide = new[] { Side.Bitrix24, Side.Outlook }
                .Select(side => (Side: side, Writes: plan.Writes.Where(w => w.TargetSide == side && w.Removes == deletions && !invalid.Contains(w.OperationId)).ToArray()))
                .Where(s => s.Writes.Length > 0).ToArray();
            if (bySide.Length == 0) continue;
            options.Progress?.Report(new RunProgress("Writing " + string.Join(" and ", bySide.Select(s => $"{s.Writes.Length} change(s) to {s.Side}")), done, total));
            foreach (var (side, writes) in bySide)
                options.Log?.Invoke($"Sending {writes.Length} {(deletions ? "deletion(s)" : "create(s)/update(s)")} to {side}.");

            var writing = bySide.Select(s => WriteSideAsync(s.Side, s.Writes)).ToArray();
            try { await Task.WhenAll(writing).ConfigureAwait(false); }
            finally
            {
                // Both sides have answered, even when one failed as a whole: keep what the other one wrote.
                foreach (var task in writing.Where(t => t.Status == TaskStatus.RanToCompletion))
                    foreach (var result in task.Result) results[result.OperationId] = result;
            }
            if (halt is null) continue;
            foreach (var (side, task) in bySide.Zip(writing, (s, t) => (s.Side, t)))
                if (task.Result.FirstOrDefault(r => r.Status == WriteStatus.Failed) is { } failed)
                    return $"{side} refused {failed.OperationId}: {failed.Error}";
        }
        return null;

        async Task<IReadOnlyList<WriteResult>> WriteSideAsync(Side side, PlannedWrite[] writes)
        {
            var operations = writes.Select(w => new WriteOperation(w.OperationId, w.Kind, w.TargetId, w.Desired, w.Existing) { TransactionId = w.TransactionId }).ToArray();
            IReadOnlyList<WriteResult> written;
            try { written = await SideOf(side).WriteAsync(operations, halt, cancellationToken).ConfigureAwait(false); }
            catch
            {
                halt?.Halt(); // the other side stops at its next batch
                throw;
            }
            options.Progress?.Report(new RunProgress($"Wrote {writes.Length} change(s) to {side}", Interlocked.Add(ref done, writes.Length), total));
            return written;
        }
    }

    private void SaveAfterWrites(SyncDefinition definition, SyncState state, Plan plan, Dictionary<string, WriteResult> results,
        SideSnapshot outlook, SideSnapshot bitrix24, JournalEntry[] journal, InitialMerge? merge, bool completed)
    {
        var links = new List<Link>(plan.Links);
        var keptJournal = new List<JournalEntry>();
        var failed = new List<FailedItem>();
        // Looked up once per failed write: a run where a side refuses thousands of creates stays linear.
        var earlierFailures = state.Failed.ToLookup(f => f.Id, StringComparer.Ordinal);
        var journalOf = journal.ToLookup(j => (j.TargetSide, j.SourceId));
        foreach (var write in plan.Writes)
        {
            results.TryGetValue(write.OperationId, out var result);
            if (result?.Status == WriteStatus.Succeeded)
            {
                if (!write.Removes && !write.LeavesSync) links.Add(LinkAfter(write, result));
                continue;
            }
            if (write.PreviousLink is not null) links.Add(write.PreviousLink);
            if (result?.Status == WriteStatus.Failed)
            {
                var id = write.Source?.Id ?? write.TargetId ?? "";
                failed.Add(new FailedItem(write.TargetSide, id, result.Error ?? "", 1 + earlierFailures[id].Count()));
                // A create that failed may still have reached the service (a lost answer): keep looking for its copy.
                if (write.Kind == WriteKind.Create) keptJournal.AddRange(journalOf[(write.TargetSide, write.Source!.Id)]);
            }
        }
        _store.SaveState(definition.Name, state.WithCursors(_outlook.CursorAfterWrites(outlook.Cursor), _bitrix24.CursorAfterWrites(bitrix24.Cursor)) with
        {
            Initialized = state.Initialized || completed,
            PendingMerge = completed ? null : merge,
            Links = links,
            ViewFingerprint = plan.ViewFingerprint,
            Unlinked = plan.Unlinked,
            Journal = keptJournal,
            Failed = failed,
            LastRun = DateTimeOffset.UtcNow,
        });
    }

    private static Link LinkAfter(PlannedWrite write, WriteResult result)
    {
        var source = write.Source!;
        var targetId = result.Id ?? write.TargetId!;
        var target = write.Desired!;
        var range = Planner.LinkFor(source.Event, target) with { Origin = write.Origin };
        return source.Side == Side.Outlook
            ? range with { OutlookId = source.Id, OutlookVersion = source.Event.Version, OutlookHash = source.View.Hash, Bitrix24Id = targetId, Bitrix24Version = result.Version, Bitrix24Hash = write.DesiredHash }
            : range with { Bitrix24Id = source.Id, Bitrix24Version = source.Event.Version, Bitrix24Hash = source.View.Hash, OutlookId = targetId, OutlookVersion = result.Version, OutlookHash = write.DesiredHash };
    }

    /// <summary>Per-item outcomes for the history: every write with its result, then what happened without a write.</summary>
    private static IReadOnlyList<ItemOutcome> Outcomes(Plan plan, Dictionary<string, WriteResult>? results, Namer namer)
    {
        var items = new List<ItemOutcome>();
        foreach (var write in plan.Writes)
        {
            WriteResult? result = null;
            results?.TryGetValue(write.OperationId, out result);
            if (results is not null && (result is null || result.Status == WriteStatus.NotAttempted)) continue;
            var item = new ItemOutcome
            {
                Action = write.Kind switch { WriteKind.Create => ItemAction.Create, WriteKind.Update => ItemAction.Update, WriteKind.Decline => ItemAction.Decline, _ => ItemAction.Delete },
                TargetSide = write.TargetSide,
                SourceId = write.Source?.Id,
                TargetId = result?.Id ?? write.TargetId,
                Succeeded = result is null || result.Status == WriteStatus.Succeeded,
                Reason = result?.Status == WriteStatus.Failed ? $"{write.Reason}; failed: {result.Error}" : write.Reason,
            };
            namer.Name(item, write.Desired ?? write.Existing ?? write.Source?.Event);
            items.Add(item);
        }
        foreach (var e in plan.Outcomes) namer.Name(e, null);
        items.AddRange(plan.Outcomes);
        return items;
    }

    /// <summary>
    /// Names the meeting an outcome is about, for people reading the history or a plan: its title (not when the mapping
    /// shows busy time only) and its start in its own zone. Ids alone say nothing to anyone.
    /// </summary>
    private sealed class Namer(IReadOnlyList<CalEvent> outlook, IReadOnlyList<CalEvent> bitrix24, bool busyOnly)
    {
        private Dictionary<string, CalEvent>? _outlook, _bitrix24;

        public void Name(ItemOutcome item, CalEvent? meeting)
        {
            var start = meeting?.Start;
            if (meeting is null && (Find(item.TargetSide, item.TargetId) ?? Find(item.TargetSide.Other(), item.SourceId)) is var (found, at))
                (meeting, start) = (found, at);
            if (meeting is null) return;
            item.Title = busyOnly ? null : meeting.Title;
            item.Start = start?.Display();
        }

        /// <summary>The meeting with this id on that side and its start (an occurrence: its series and its own start).</summary>
        private (CalEvent, EventTime)? Find(Side side, string? id)
        {
            if (id is null) return null;
            var byId = side == Side.Outlook
                ? _outlook ??= ById(outlook)
                : _bitrix24 ??= ById(bitrix24);
            if (byId.TryGetValue(id, out var e)) return (e, e.Start);
            if (!OccurrenceKey.TryParse(id, out var seriesId, out var date) || !byId.TryGetValue(seriesId, out var series)) return null;
            return (series, series.IsAllDay ? EventTime.AllDay(date) : EventTime.FromLocal(date.Date + series.Start.Local.TimeOfDay, series.Start.TimeZone));
        }

        private static Dictionary<string, CalEvent> ById(IReadOnlyList<CalEvent> events)
        {
            var byId = new Dictionary<string, CalEvent>(events.Count, StringComparer.Ordinal);
            foreach (var e in events) byId[e.Id] = e;
            return byId;
        }
    }
}
