using System;
using System.Collections.Generic;
using CalSync.Engine.Model;

namespace CalSync.Engine.Sync;

public enum RunOutcome { Succeeded, NoChanges, CompletedWithErrors, Failed, Aborted, WhatIf }

/// <summary>Counts for one side of a run: what happened to items on that side.</summary>
public sealed record SideCounts
{
    public int Created { get; init; }
    public int Updated { get; init; }
    public int Deleted { get; init; }
    public int Matched { get; init; }
    public int Skipped { get; init; }
    public int Failed { get; init; }
    public int Recovered { get; init; }

    public int Writes => Created + Updated + Deleted;
}

public enum ItemAction { Create, Update, Delete, Link, Unlink, Recover, Skip, Conflict }

/// <summary>What happened to one item: the action on <see cref="TargetSide"/>, the ids and why.</summary>
public sealed record ItemOutcome
{
    public ItemAction Action { get; init; }
    public Side TargetSide { get; init; }
    public string? SourceId { get; init; }
    public string? TargetId { get; init; }
    public bool Succeeded { get; init; } = true;
    public string Reason { get; init; } = "";
    /// <summary>For conflicts and differences: the mapped projections of both sides before the run.</summary>
    public IReadOnlyDictionary<string, string>? OutlookBefore { get; init; }
    public IReadOnlyDictionary<string, string>? Bitrix24Before { get; init; }
}

/// <summary>One run of one sync (a line of <c>history/&lt;name&gt;.jsonl</c>).</summary>
public sealed record RunRecord
{
    public const int CurrentSchema = 1;

    public int Schema { get; init; } = CurrentSchema;
    public string SyncName { get; init; } = "";
    public Guid RunId { get; init; }
    public DateTimeOffset Start { get; init; }
    public DateTimeOffset End { get; init; }
    public RunOutcome Outcome { get; init; }
    /// <summary>"Incremental" or "InitialMerge:&lt;mode&gt;".</summary>
    public string Mode { get; init; } = "Incremental";
    public SyncDirection Direction { get; init; }
    public SideCounts Outlook { get; init; } = new();
    public SideCounts Bitrix24 { get; init; } = new();
    public IReadOnlyList<ItemOutcome> Items { get; init; } = Array.Empty<ItemOutcome>();
    /// <summary>Why the run failed or what went wrong, in words (never a secret).</summary>
    public string? Message { get; init; }
    /// <summary>A stable id for what went wrong (e.g. EmptySideGuard, SignInRequired, ItemFailed); null when nothing did.</summary>
    public string? ErrorId { get; init; }

    public int Writes => Outlook.Writes + Bitrix24.Writes;
    public int Created => Outlook.Created + Bitrix24.Created;
    public int Updated => Outlook.Updated + Bitrix24.Updated;
    public int Deleted => Outlook.Deleted + Bitrix24.Deleted;
    public int Failed => Outlook.Failed + Bitrix24.Failed;
    /// <summary>Pairs linked by matching (each pair counts once).</summary>
    public int Matched => Bitrix24.Matched;
    public int Recovered => Outlook.Recovered + Bitrix24.Recovered;
}
