using System;
using System.Collections.Generic;
using CalSync.Engine.Model;

namespace CalSync.Engine.Sync;

public enum RunOutcome { Succeeded, NoChanges, CompletedWithErrors, Failed, Aborted, WhatIf }

/// <summary>Counts for one side of a run: what happened to items on that side.</summary>
public sealed record SideCounts
{
    public int Created { get; set; }
    public int Updated { get; set; }
    public int Deleted { get; set; }
    /// <summary>Invitations answered "no" (WriteKind.Decline).</summary>
    public int Declined { get; set; }
    public int Matched { get; set; }
    public int Skipped { get; set; }
    public int Failed { get; set; }
    public int Recovered { get; set; }

    public int Writes => Created + Updated + Deleted + Declined;
}

public enum ItemAction { Create, Update, Delete, Link, Unlink, Recover, Skip, Conflict, Decline }

/// <summary>What happened to one item: the action on <see cref="TargetSide"/>, the ids and why.</summary>
public sealed record ItemOutcome
{
    public ItemAction Action { get; set; }
    public Side TargetSide { get; set; }
    public string? SourceId { get; set; }
    public string? TargetId { get; set; }
    public bool Succeeded { get; set; } = true;
    public string Reason { get; set; } = "";
    /// <summary>The meeting's title (null when the mapping shows busy time only, or the meeting is not known).</summary>
    public string? Title { get; set; }
    /// <summary>The meeting's start in its own zone (<see cref="Model.EventTime.Display"/>).</summary>
    public string? Start { get; set; }
    /// <summary>For conflicts and differences: the mapped projections of both sides before the run.</summary>
    public IReadOnlyDictionary<string, string>? OutlookBefore { get; set; }
    public IReadOnlyDictionary<string, string>? Bitrix24Before { get; set; }
}

/// <summary>One run of one sync (a line of <c>history/&lt;name&gt;.jsonl</c>).</summary>
public sealed record RunRecord
{
    public const int CurrentSchema = 1;

    public int Schema { get; set; } = CurrentSchema;
    public string SyncName { get; set; } = "";
    public Guid RunId { get; set; }
    public DateTimeOffset Start { get; set; }
    public DateTimeOffset End { get; set; }
    public RunOutcome Outcome { get; set; }
    /// <summary>The run's mode (<see cref="RunMode"/>).</summary>
    public string Mode { get; set; } = RunMode.Incremental;
    public SyncDirection Direction { get; set; }
    public SideCounts Outlook { get; set; } = new();
    public SideCounts Bitrix24 { get; set; } = new();
    public IReadOnlyList<ItemOutcome> Items { get; set; } = Array.Empty<ItemOutcome>();
    /// <summary>Why the run failed or what went wrong, in words (never a secret).</summary>
    public string? Message { get; set; }
    /// <summary>A stable id for what went wrong (e.g. EmptySideGuard, SignInRequired, ItemFailed); null when nothing did.</summary>
    public string? ErrorId { get; set; }
    /// <summary>The calendar whose failure stopped the run (a needed sign-in, an unreachable service); null otherwise.</summary>
    public Side? FailedSide { get; set; }

    public int Writes => Outlook.Writes + Bitrix24.Writes;
    public int Created => Outlook.Created + Bitrix24.Created;
    public int Updated => Outlook.Updated + Bitrix24.Updated;
    public int Deleted => Outlook.Deleted + Bitrix24.Deleted;
    public int Declined => Outlook.Declined + Bitrix24.Declined;
    public int Failed => Outlook.Failed + Bitrix24.Failed;
    /// <summary>Pairs linked by matching (each pair counts once).</summary>
    public int Matched => Bitrix24.Matched;
    public int Recovered => Outlook.Recovered + Bitrix24.Recovered;
}
