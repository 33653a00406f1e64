using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using CalSync.Engine.Mapping;
using CalSync.Engine.Model;
using CalSync.Engine.Sides;

namespace CalSync.Engine.Sync;

/// <summary>A meeting of one side as the planner sees it: the event (a series, a single, or one occurrence of a series that travels on its own) and its view.</summary>
public sealed record SyncItem
{
    private readonly Projector _projector;
    private EventView? _view;

    /// <summary>The view is projected on first use: a linked item the planner knows unchanged is never projected.</summary>
    internal SyncItem(Side side, CalEvent @event, Projector projector)
    {
        Side = side;
        Event = @event;
        _projector = projector;
    }

    public Side Side { get; }
    public CalEvent Event { get; }
    public EventView View => _view ??= _projector.View(Event, Side);
    public string Id => Event.Id;
}

/// <summary>
/// One write the run will make, with what it needs to update the link state once it succeeded:
/// the source item and the hashes both sides will have afterwards.
/// </summary>
public sealed record PlannedWrite
{
    public string OperationId { get; init; } = "";
    public Side TargetSide { get; init; }
    public WriteKind Kind { get; init; }
    public string? TargetId { get; init; }
    public CalEvent? Desired { get; init; }
    public CalEvent? Existing { get; init; }
    /// <summary>The item whose content is written (null for deletes).</summary>
    public SyncItem? Source { get; init; }
    /// <summary>Hash the target's view will have after the write.</summary>
    public string DesiredHash { get; init; } = "";
    /// <summary>The link this write replaces or removes; kept unchanged if the write fails, so the next run retries.</summary>
    public Link? PreviousLink { get; init; }
    public string? TransactionId { get; init; }
    /// <summary>The link's <see cref="Link.Origin"/> after the write.</summary>
    public Side? Origin { get; init; }
    public string Reason { get; init; } = "";

    /// <summary>The write takes the item out of the sync (a delete, or a declined invitation): no link after it, sent last.</summary>
    public bool Removes => Kind is WriteKind.Delete or WriteKind.Decline;

    /// <summary>The pair leaves the sync once this is written (no link after it): an original took its copy's change and now matches a filter.</summary>
    public bool LeavesSync { get; init; }

    public override string ToString() => AppendTo(new StringBuilder()).ToString();

    /// <summary>Written straight into the plan's text: a plan logs thousands of writes.</summary>
    internal StringBuilder AppendTo(StringBuilder text)
    {
        text.Append(Kind.ToString()).Append(" on ").Append(TargetSide.ToString()).Append(": ");
        // A removal names the meeting it takes as it was read (its id alone says nothing to a person).
        var meeting = Removes ? Existing : Desired;
        if (meeting is null) text.Append(TargetId);
        else text.Append('\'').Append(meeting.Title.Length > 0 ? meeting.Title : "(no title)").Append("' ").Append(meeting.Start.Display());
        if (TargetId is not null && meeting is not null) text.Append(" (").Append(TargetId).Append(')');
        return text.Append(" — ").Append(Reason);
    }
}

/// <summary>
/// What a run will do: a plain value. <c>Start-CalSync -WhatIf</c> prints it; tests assert on it.
/// <see cref="Links"/> and <see cref="Unlinked"/> are the state after the run if every write succeeds,
/// without the links the writes will make.
/// </summary>
public sealed record Plan
{
    public string Mode { get; init; } = RunMode.Incremental;
    public IReadOnlyList<PlannedWrite> Writes { get; init; } = Array.Empty<PlannedWrite>();
    public IReadOnlyList<Link> Links { get; init; } = Array.Empty<Link>();
    public IReadOnlyList<UnlinkedItem> Unlinked { get; init; } = Array.Empty<UnlinkedItem>();
    /// <summary>What happens without a write (links made by matching, recovered copies, unlinks, conflicts, skips).</summary>
    public IReadOnlyList<ItemOutcome> Outcomes { get; init; } = Array.Empty<ItemOutcome>();
    /// <summary>A side that had linked meetings and now returned none: the run must not delete anything (unless forced).</summary>
    public Side? SuddenlyEmpty { get; init; }
    /// <summary>The mapping and projection code <see cref="Links"/>' hash versions hold under (<see cref="SyncState.ViewFingerprint"/>).</summary>
    public string? ViewFingerprint { get; init; }

    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append("Plan (").Append(Mode).Append("): ").Append(Writes.Count).Append(" write(s)");
        foreach (var side in new[] { Side.Outlook, Side.Bitrix24 })
        {
            var mine = Writes.Where(w => w.TargetSide == side).ToArray();
            if (mine.Length == 0) continue;
            text.Append($"; {side}: {mine.Count(w => w.Kind == WriteKind.Create)} create, {mine.Count(w => w.Kind == WriteKind.Update)} update, {mine.Count(w => w.Kind == WriteKind.Delete)} delete");
            if (mine.Count(w => w.Kind == WriteKind.Decline) is > 0 and var declines) text.Append($", {declines} decline");
        }
        foreach (var write in Writes) write.AppendTo(text.AppendLine().Append("  "));
        // Skips that share a reason (thousands filtered out by the mapping) take one line.
        foreach (var group in Outcomes.GroupBy(e => e.Action == ItemAction.Skip ? e.Reason : null))
        {
            if (group.Key is not null && group.Count() > 1)
            {
                text.AppendLine().Append("  Skip ").Append(group.Count()).Append(" items — ").Append(group.Key);
                continue;
            }
            foreach (var e in group) text.AppendLine().Append("  ").Append(e.Action).Append(' ').Append(e.TargetSide).Append(": ").Append(e.TargetId ?? e.SourceId).Append(" — ").Append(e.Reason);
        }
        return text.ToString();
    }
}
