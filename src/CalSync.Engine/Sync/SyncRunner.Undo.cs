using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CalSync.Engine.Mapping;
using CalSync.Engine.Model;
using CalSync.Engine.Sides;

namespace CalSync.Engine.Sync;

/// <summary>What an undo does: which sides lose their copies, plan only or not.</summary>
public sealed record UndoOptions
{
    /// <summary>The sides whose copies are removed (an unfinished removal's sides are added).</summary>
    public IReadOnlyCollection<Side> Sides { get; init; } = new[] { Side.Outlook, Side.Bitrix24 };
    /// <summary>Plan only: nothing is written to either calendar or to the store.</summary>
    public bool WhatIf { get; init; }
    public DateTimeOffset? Now { get; init; }
    public TimeSpan LockWait { get; init; } = TimeSpan.FromSeconds(30);
    public IProgress<RunProgress>? Progress { get; init; }
    public Action<string>? Log { get; init; }
}

/// <summary>
/// Undo and reset (docs/architecture.md, "Undo and reset"): <see cref="RemoveCopiesAsync"/> takes back what the sync
/// did, deleting the copies CalSync made and never an original, through the same sides and writers as a run;
/// <see cref="Reset"/> forgets the links and cursors so the next run matches the calendars again. Both hold the sync's
/// lock, as a run does, and write a history record.
/// </summary>
public sealed partial class SyncRunner
{
    internal static string PendingMessage(string name, PendingRemoval removal) =>
        $"A removal of the copies of '{name}' ({string.Join(" and ", removal.Sides)}) started {removal.At:yyyy-MM-dd HH:mm} UTC and did not finish; {Copies(removal.Targets.Count)} may remain. " +
        $"Nothing was read or written. Run Remove-CalSyncCopy -Name '{name}' to finish it.";

    private static string Copies(int n) => n == 1 ? "1 copy" : $"{n} copies";

    /// <summary>
    /// Deletes every copy the sync made on the chosen sides, found by the links (the side that is not the link's origin),
    /// by the origin stamp on Outlook copies, by the copies the history records as created or recovered, and by an
    /// unfinished removal. Originals and Bitrix24 invitations are never deleted. The copies to delete are saved (and their
    /// links dropped) before the first delete and after each side's deletes, so a rerun after a crash finishes the job.
    /// Both sides done: the sync starts over (no links, no cursors, like a new sync). One side: the originals whose copies
    /// went stay out of the sync until they change (a baseline, as after -InitialMerge None).
    /// </summary>
    public async Task<RunResult> RemoveCopiesAsync(SyncDefinition definition, UndoOptions options, CancellationToken cancellationToken)
    {
        var log = options.Log ?? (_ => { });
        var started = options.Now ?? DateTimeOffset.UtcNow;
        var projector = new Projector(MappingLoader.Resolve(definition.Mapping));
        using var runLock = options.WhatIf ? null : _store.AcquireLock(definition.Name, options.LockWait, cancellationToken);
        var state = _store.LoadState(definition.Name);
        var sides = options.Sides.Concat(state.PendingRemoval?.Sides ?? Array.Empty<Side>()).Distinct().OrderBy(s => s).ToArray();
        var record = new RunRecord
        {
            SyncName = definition.Name, RunId = Guid.NewGuid(), Start = started, Direction = definition.Direction,
            Mode = RunMode.RemoveCopies(sides),
        };
        var window = SyncWindow.Around(started.UtcDateTime, definition.WindowPastDays, definition.WindowFutureDays);

        options.Progress?.Report(new RunProgress("Finding the copies", 0, 1));
        var found = new Dictionary<Side, Found>();
        try
        {
            var history = _store.ReadHistory(definition.Name);
            foreach (var side in sides)
                found[side] = await FindAsync(side, definition, state, history, projector, window, log, cancellationToken).ConfigureAwait(false);
        }
        catch (SideUnavailableException e)
        {
            return Finish(_store, record with { Outcome = RunOutcome.Failed, ErrorId = RunErrorIds.Of(e), Message = e.Message }, null, options.WhatIf, options.Progress);
        }

        var plan = new Plan
        {
            Mode = record.Mode,
            Writes = found.Values.SelectMany(f => f.Deletes).ToList(),
            Outcomes = found.Values.SelectMany(f => f.Kept).ToList(),
        };
        log(plan.ToString());
        var namer = new Namer(Array.Empty<CalEvent>(), Array.Empty<CalEvent>(), projector.Profile.Carry == Carry.BusyOnly);
        if (options.WhatIf) return new RunResult(record with { Outcome = RunOutcome.WhatIf, End = DateTimeOffset.UtcNow, Items = Outcomes(plan, null, namer) }, plan);

        // Before the first delete: the links of the copies go and the copies to delete are saved. Killed from here on, no
        // run takes a deleted copy for a deletion to follow, and the next Remove-CalSyncCopy knows what is left.
        var targets = plan.Writes.Select(w => new RemovalTarget(w.TargetSide, w.TargetId!)).ToList();
        var removal = new PendingRemoval { Sides = sides, Targets = targets, At = started };
        state = Without(state, sides, found) with { PendingRemoval = removal };
        _store.SaveState(definition.Name, state);

        var results = new Dictionary<string, WriteResult>(StringComparer.Ordinal);
        try
        {
            foreach (var side in sides)
            {
                var deletes = found[side].Deletes;
                if (deletes.Count == 0) continue;
                options.Progress?.Report(new RunProgress($"Deleting {Copies(deletes.Count)} from {side}", 0, deletes.Count));
                log($"Sending {deletes.Count} deletion(s) to {side}.");
                var operations = deletes.Select(w => new WriteOperation(w.OperationId, WriteKind.Delete, w.TargetId, null, w.Existing)).ToArray();
                foreach (var result in await SideOf(side).WriteAsync(operations, null, cancellationToken).ConfigureAwait(false))
                    results[result.OperationId] = result;
                // Progress is saved side by side: a rerun does not look again for what is known gone.
                state = state with { PendingRemoval = removal with { Targets = Remaining(plan, results) } };
                _store.SaveState(definition.Name, state);
            }
        }
        catch (SideUnavailableException e)
        {
            record = record with { ErrorId = RunErrorIds.Of(e), Message = e.Message };
        }

        var remaining = Remaining(plan, results);
        var items = Outcomes(plan, results, namer);
        if (remaining.Count == 0)
        {
            // Done. Both sides: the sync starts over, as a new one (a plain run then takes only new data, -InitialMerge merges again).
            _store.SaveState(definition.Name, sides.Length == 2 ? new SyncState() : state with { PendingRemoval = null });
            return Finish(_store, record with { Outcome = plan.Writes.Count == 0 ? RunOutcome.NoChanges : RunOutcome.Succeeded, Items = items }, plan, options.WhatIf, options.Progress);
        }
        var failed = results.Values.FirstOrDefault(r => r.Status == WriteStatus.Failed);
        var message = record.Message ?? (failed is null ? "" : $"{failed.OperationId}: {failed.Error}");
        return Finish(_store, record with
        {
            Outcome = results.Count == 0 ? RunOutcome.Failed : RunOutcome.CompletedWithErrors,
            ErrorId = record.ErrorId ?? RunErrorIds.ItemFailed,
            Message = $"{Copies(remaining.Count)} not deleted ({message}). Run Remove-CalSyncCopy -Name '{definition.Name}' again to finish; Start-CalSync refuses until then.",
            Items = items,
        }, plan, options.WhatIf, options.Progress);
    }

    /// <summary>
    /// Forgets the links, the cursors and everything else the sync learned, keeping both calendars as they are; the next
    /// run merges in the sync's direction, matching each copy to its original (Outlook copies by their origin stamp, the
    /// rest by start, end and title: avoid-duplicates, without which the reset is refused).
    /// </summary>
    public static RunRecord Reset(IRunPersistence store, SyncDefinition definition, UndoOptions options, CancellationToken cancellationToken)
    {
        var direction = Planner.EffectiveDirection(definition, MappingLoader.Resolve(definition.Mapping));
        var merge = direction switch
        {
            SyncDirection.OutlookToBitrix24 => InitialMerge.OutlookToBitrix24,
            SyncDirection.Bitrix24ToOutlook => InitialMerge.Bitrix24ToOutlook,
            _ => InitialMerge.TwoWay,
        };
        var record = new RunRecord { SyncName = definition.Name, RunId = Guid.NewGuid(), Start = options.Now ?? DateTimeOffset.UtcNow, Direction = direction, Mode = RunMode.Reset };
        if (!definition.AvoidDuplicates)
            return Finish(store, record with
            {
                Outcome = RunOutcome.Aborted, ErrorId = RunErrorIds.ResetNeedsAvoidDuplicates,
                Message = $"The sync '{definition.Name}' does not avoid duplicates: after a reset its next run could not match the copies on Bitrix24 (only Outlook copies carry a stamp) and would copy their meetings again. " +
                          $"Nothing was changed. Run Set-CalSync -Name '{definition.Name}' -AvoidDuplicates $true first, then Reset-CalSync again.",
            }, null, options.WhatIf, options.Progress).Record;
        using var runLock = options.WhatIf ? null : store.AcquireLock(definition.Name, options.LockWait, cancellationToken);
        var state = store.LoadState(definition.Name);
        if (state.PendingRemoval is { } removal)
            return Finish(store, record with { Outcome = RunOutcome.Aborted, ErrorId = RunErrorIds.RemovalPending, Message = PendingMessage(definition.Name, removal) }, null, options.WhatIf, options.Progress).Record;
        record = record with
        {
            Outcome = options.WhatIf ? RunOutcome.WhatIf : RunOutcome.Succeeded,
            Message = $"{(options.WhatIf ? "Would forget" : "Forgot")} {state.Links.Count} link(s), {state.Unlinked.Count} item(s) left out of the sync and both read cursors; the calendars stay as they are. " +
                      $"The next run merges ({RunMode.Of(merge)}) and matches the meetings again.",
        };
        // A new state that only asks for the merge: a plain Start-CalSync (a schedule) re-matches instead of taking only new data.
        if (!options.WhatIf) store.SaveState(definition.Name, new SyncState { PendingMerge = merge });
        return Finish(store, record, null, options.WhatIf, options.Progress).Record;
    }

    /// <summary>The copies on one side to delete, and those kept (with why).</summary>
    private sealed record Found(List<PlannedWrite> Deletes, List<ItemOutcome> Kept, HashSet<string> LinkedCopies);

    private async Task<Found> FindAsync(Side side, SyncDefinition definition, SyncState state, IReadOnlyList<RunRecord> history,
        Projector projector, SyncWindow window, Action<string> log, CancellationToken cancellationToken)
    {
        // Why each id is taken for a copy; the first reason found is kept.
        var why = new Dictionary<string, string>(StringComparer.Ordinal);
        void Candidate(string id, string reason)
        {
            if (id.Length > 0 && !OccurrenceKey.TryParse(id, out _, out _)) why.TryAdd(id, reason);
        }

        var snapshot = await SideOf(side).ReadAsync(window, state.CursorOf(side), cancellationToken).ConfigureAwait(false);
        var read = new Dictionary<string, CalEvent>(StringComparer.Ordinal);
        foreach (var e in snapshot.Events) read[e.Id] = e;
        log($"Read {read.Count} {side} meeting(s) between {window.StartUtc:yyyy-MM-dd} and {window.EndUtc:yyyy-MM-dd} (UTC).");

        // What the state says is a copy; anything else on Outlook must carry this sync's stamp to go.
        var linkedCopies = new HashSet<string>(StringComparer.Ordinal);
        foreach (var link in state.Links)
        {
            var (id, other) = side == Side.Outlook ? (link.OutlookId, link.Bitrix24Id) : (link.Bitrix24Id, link.OutlookId);
            if (link.Origin != side.Other()) continue;
            linkedCopies.Add(id);
            Candidate(id, $"the copy of {side.Other()} meeting {other}");
        }
        foreach (var target in state.PendingRemoval?.Targets ?? Array.Empty<RemovalTarget>())
            if (target.Side == side && linkedCopies.Add(target.Id)) Candidate(target.Id, "left by an unfinished removal");
        // Outlook copies carry the stamp that names their sync and source: found without any state.
        foreach (var e in read.Values)
            if (Planner.TryParseStamp(e.OriginStamp, definition.Name, out var from, out var sourceId))
                Candidate(e.Id, $"stamped by CalSync as the copy of {from} meeting {sourceId}");
        // The history since the last reset (before it the ids may belong to another account or portal).
        var reset = history.Select((r, i) => (r, i)).LastOrDefault(x => x.r.Mode == RunMode.Reset && x.r.Outcome == RunOutcome.Succeeded);
        foreach (var item in history.Skip(reset.r is null ? 0 : reset.i + 1).SelectMany(r => r.Items))
            if (item.TargetSide == side && item.Succeeded && item.Action is ItemAction.Create or ItemAction.Recover && item.TargetId is { } id)
                Candidate(id, $"made by CalSync (history) as the copy of {side.Other()} meeting {item.SourceId}");

        // A create sent just before a crash, never saved: its copy has the match key the journal wrote.
        var linked = new HashSet<string>(state.Links.Select(l => side == Side.Outlook ? l.OutlookId : l.Bitrix24Id), StringComparer.Ordinal);
        foreach (var entry in state.Journal.Where(j => j.TargetSide == side && j.MatchKey.Length > 0))
            if (read.Values.FirstOrDefault(e => !linked.Contains(e.Id) && !why.ContainsKey(e.Id) && projector.MatchKey(e, side) == entry.MatchKey) is { } copy)
                Candidate(copy.Id, $"made by an interrupted run as the copy of {side.Other()} meeting {entry.SourceId}");

        // Copies beyond the window (or moved) are read directly: gone ones need nothing, ones not whole here are left alone.
        var elsewhere = why.Keys.Where(id => !read.ContainsKey(id)).ToList();
        var direct = elsewhere.Count == 0 ? new Dictionary<string, CalEvent?>() : await SideOf(side).ReadByIdAsync(elsewhere, cancellationToken).ConfigureAwait(false);
        var found = new Found(new List<PlannedWrite>(), new List<ItemOutcome>(), linkedCopies);
        foreach (var (id, reason) in why)
        {
            if (!read.TryGetValue(id, out var e))
            {
                if (!direct.TryGetValue(id, out var byId)) continue; // gone already
                if (byId is null)
                {
                    found.Kept.Add(Kept(side, id, "a copy that exists outside what this sync reads (another calendar, or a series beyond the window); left as it is"));
                    continue;
                }
                e = byId;
            }
            if (e.Invitation is { } invitation)
            {
                found.Kept.Add(Kept(side, id, $"an invitation from {invitation.Organizer}: never deleted (on Bitrix24 that would delete the organizer's meeting for everyone)"));
                continue;
            }
            // Every Outlook copy is stamped: one stamped by another sync, or one without a stamp that only the history names, is not known to be this sync's copy.
            if (side == Side.Outlook && !Planner.TryParseStamp(e.OriginStamp, definition.Name, out _, out _) && (e.OriginStamp is not null || !linkedCopies.Contains(id)))
            {
                found.Kept.Add(Kept(side, id, e.OriginStamp is null ? "no origin stamp of this sync on it; left as it is" : "its origin stamp names another sync; left as it is"));
                continue;
            }
            found.Deletes.Add(new PlannedWrite
            {
                OperationId = $"{side}:delete:{id}", TargetSide = side, Kind = WriteKind.Delete, TargetId = id, Existing = e, Reason = reason,
            });
        }
        found.Deletes.Sort((x, y) => x.Existing!.Start.SortKeyUtc.CompareTo(y.Existing!.Start.SortKeyUtc));
        return found;
    }

    private static ItemOutcome Kept(Side side, string id, string reason) =>
        new() { Action = ItemAction.Skip, TargetSide = side, TargetId = id, Reason = reason };

    /// <summary>
    /// The state without what the removal takes: every link with a copy about to go (whatever its origin says: a run must
    /// never see that copy's deletion) and every entry naming such a copy. The other item of such a link becomes a
    /// baseline (one side undone: it is copied again once it changes).
    /// </summary>
    private static SyncState Without(SyncState state, Side[] sides, Dictionary<Side, Found> found)
    {
        bool Goes(Side side, string id) => found.TryGetValue(side, out var f) && (f.LinkedCopies.Contains(id) || f.Deletes.Any(d => d.TargetId == id));
        var links = new List<Link>();
        var unlinked = state.Unlinked.Where(u => !Goes(u.Side, u.Id)).ToList();
        foreach (var link in state.Links)
        {
            if (Goes(Side.Outlook, link.OutlookId)) unlinked.Add(new UnlinkedItem(Side.Bitrix24, link.Bitrix24Id, link.Bitrix24Hash, UnlinkedReason.Baseline));
            else if (Goes(Side.Bitrix24, link.Bitrix24Id)) unlinked.Add(new UnlinkedItem(Side.Outlook, link.OutlookId, link.OutlookHash, UnlinkedReason.Baseline));
            else links.Add(link);
        }
        return state with
        {
            Links = links,
            Unlinked = unlinked,
            Journal = state.Journal.Where(j => !sides.Contains(j.TargetSide)).ToList(),
            Failed = state.Failed.Where(f => !Goes(f.Side, f.Id)).ToList(),
        };
    }

    private static List<RemovalTarget> Remaining(Plan plan, Dictionary<string, WriteResult> results) =>
        plan.Writes.Where(w => !results.TryGetValue(w.OperationId, out var r) || r.Status != WriteStatus.Succeeded)
            .Select(w => new RemovalTarget(w.TargetSide, w.TargetId!)).ToList();
}
