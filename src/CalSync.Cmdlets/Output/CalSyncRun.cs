using System;
using System.Collections.Generic;
using System.Linq;
using SideCounts = CalSync.Engine.Sync.SideCounts;
using ItemOutcome = CalSync.Engine.Sync.ItemOutcome;
using RunRecord = CalSync.Engine.Sync.RunRecord;

namespace CalSync.PowerShell;

/// <summary>What happened on one side in one run.</summary>
public sealed class CalSyncSideCounts
{
    internal CalSyncSideCounts(SideCounts c)
    {
        Created = c.Created; Updated = c.Updated; Deleted = c.Deleted; Declined = c.Declined; Matched = c.Matched;
        Skipped = c.Skipped; Failed = c.Failed; Recovered = c.Recovered;
    }

    public int Created { get; }
    public int Updated { get; }
    public int Deleted { get; }
    /// <summary>Invitations declined (Bitrix24).</summary>
    public int Declined { get; }
    public int Matched { get; }
    public int Skipped { get; }
    public int Failed { get; }
    public int Recovered { get; }
    public int Writes => Created + Updated + Deleted + Declined;

    public override string ToString() => $"+{Created} ~{Updated} -{Deleted}" + (Failed > 0 ? $" !{Failed}" : "");
}

/// <summary>One item of a run: the action on the target side, the ids and why.</summary>
public sealed class CalSyncRunItem
{
    internal CalSyncRunItem(ItemOutcome i, string? syncName = null)
    {
        SyncName = syncName;
        Action = EnumMap.To<ItemAction>(i.Action); TargetSide = EnumMap.To<CalendarSide>(i.TargetSide); SourceId = i.SourceId; TargetId = i.TargetId;
        Succeeded = i.Succeeded; Reason = i.Reason; Title = i.Title; Start = i.Start;
        OutlookBefore = i.OutlookBefore; Bitrix24Before = i.Bitrix24Before;
    }

    /// <summary>The sync the item belongs to (set by Get-CalSyncPlan; the run record has it for history items).</summary>
    public string? SyncName { get; }
    public ItemAction Action { get; }
    public CalendarSide TargetSide { get; }
    public string? SourceId { get; }
    public string? TargetId { get; }
    public bool Succeeded { get; }
    public string Reason { get; }
    /// <summary>The meeting's title (empty when the mapping shows busy time only).</summary>
    public string? Title { get; }
    /// <summary>The meeting's start in its own zone.</summary>
    public string? Start { get; }
    public IReadOnlyDictionary<string, string>? OutlookBefore { get; }
    public IReadOnlyDictionary<string, string>? Bitrix24Before { get; }
}

/// <summary>
/// One run of a sync: what Start-CalSync returns and Get-CalSyncHistory lists (a line of the sync's history).
/// The property names are those of the engine's run record.
/// </summary>
public sealed class CalSyncRun
{
    internal CalSyncRun(RunRecord r)
    {
        SyncName = r.SyncName; RunId = r.RunId; Start = r.Start; End = r.End; Outcome = EnumMap.To<RunOutcome>(r.Outcome); Mode = r.Mode;
        Direction = EnumMap.To<SyncDirection>(r.Direction); Outlook = new CalSyncSideCounts(r.Outlook); Bitrix24 = new CalSyncSideCounts(r.Bitrix24);
        Items = r.Items.Select(i => new CalSyncRunItem(i)).ToArray();
        Message = r.Message; ErrorId = r.ErrorId; FailedSide = r.FailedSide is { } side ? EnumMap.To<CalendarSide>(side) : null;
        Created = r.Created; Updated = r.Updated; Deleted = r.Deleted; Declined = r.Declined; Failed = r.Failed; Matched = r.Matched; Recovered = r.Recovered; Writes = r.Writes;
    }

    public string SyncName { get; }
    public Guid RunId { get; }
    public DateTimeOffset Start { get; }
    public DateTimeOffset End { get; }
    public TimeSpan Duration => End - Start;
    public RunOutcome Outcome { get; }
    /// <summary>"Incremental" or "InitialMerge:&lt;mode&gt;".</summary>
    public string Mode { get; }
    public SyncDirection Direction { get; }
    public CalSyncSideCounts Outlook { get; }
    public CalSyncSideCounts Bitrix24 { get; }
    public IReadOnlyList<CalSyncRunItem> Items { get; }
    public string? Message { get; }
    public string? ErrorId { get; }
    /// <summary>The calendar whose failure stopped the run (a needed sign-in, an unreachable service).</summary>
    public CalendarSide? FailedSide { get; }
    public int Created { get; }
    public int Updated { get; }
    public int Deleted { get; }
    public int Declined { get; }
    public int Failed { get; }
    public int Matched { get; }
    public int Recovered { get; }
    public int Writes { get; }

    public override string ToString() => $"{SyncName} {Start:u} {Outcome}";
}
