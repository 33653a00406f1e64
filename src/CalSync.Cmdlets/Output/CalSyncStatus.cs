using System;
using System.Collections.Generic;
using RunRecord = CalSync.Engine.Sync.RunRecord;
using SyncDefinition = CalSync.Engine.Sync.SyncDefinition;

namespace CalSync.PowerShell;

/// <summary>
/// One sync at a glance, for people and monitoring (Get-CalSyncStatus): its last attempt, last success, how many
/// attempts in a row failed, when the next scheduled run is due, its links and its connections.
/// </summary>
public sealed class CalSyncStatus
{
    internal CalSyncStatus(SyncDefinition d, IReadOnlyList<RunRecord> history, int? links, ConnectionHealth outlook, ConnectionHealth bitrix24)
    {
        Name = d.Name; Interval = d.Interval; Links = links;
        OutlookConnection = d.OutlookConnection; OutlookHealth = outlook;
        Bitrix24Connection = d.Bitrix24Connection; Bitrix24Health = bitrix24;
        if (history.Count == 0) return;
        var last = history[history.Count - 1];
        LastRun = last.Start; LastOutcome = EnumMap.To<RunOutcome>(last.Outcome);
        NextDue = last.Start + d.Interval;
        if (last.ErrorId is not null) (LastErrorId, LastError) = (last.ErrorId, last.Message ?? last.ErrorId);
        var gaps = new List<TimeSpan>();
        for (var i = history.Count - 1; i > 0 && gaps.Count < PacingRuns; i--) gaps.Add(history[i].Start - history[i - 1].Start);
        if (gaps.Count > 0)
        {
            gaps.Sort();
            AchievedInterval = gaps[gaps.Count / 2];
            Paced = AchievedInterval > TimeSpan.FromTicks(d.Interval.Ticks * 3 / 2);
        }
        for (var i = history.Count - 1; i >= 0; i--)
        {
            if (Succeeded(history[i]))
            {
                LastSuccess = history[i].Start;
                break;
            }
            ConsecutiveFailures++;
        }
    }

    /// <summary>A run succeeded when it finished with nothing wrong (Succeeded, NoChanges); any other attempt failed.</summary>
    internal static bool Succeeded(RunRecord r) => r.ErrorId is null && r.Outcome is Engine.Sync.RunOutcome.Succeeded or Engine.Sync.RunOutcome.NoChanges;

    public string Name { get; }
    /// <summary>When the newest attempt started (null: never run).</summary>
    public DateTimeOffset? LastRun { get; }
    public RunOutcome? LastOutcome { get; }
    /// <summary>When the newest successful run started (null: none yet).</summary>
    public DateTimeOffset? LastSuccess { get; }
    /// <summary>Attempts since the last success that failed (all of them when none succeeded).</summary>
    public int ConsecutiveFailures { get; }
    /// <summary>
    /// When the next run is due on a schedule (Register-CalSyncSchedule): the last attempt's start plus the interval
    /// (cron runs on the clock's grid, so up to a minute later). CalSync does not ask the scheduler: without a schedule
    /// no run comes by itself, and this only says when one would be due. Null before the first run.
    /// </summary>
    public DateTimeOffset? NextDue { get; }
    public TimeSpan Interval { get; }
    /// <summary>The median time between the starts of the last runs (up to <see cref="PacingRuns"/> of them; null before the second run).</summary>
    public TimeSpan? AchievedInterval { get; }
    /// <summary>
    /// Runs come at least half as far apart again as <see cref="Interval"/>: in the resident mode, the syncs sharing a
    /// Bitrix24 portal need more requests than its bucket allows, and every sync's interval is stretched the same
    /// (docs/scale.md); for scheduled runs, the schedule did not run (the machine was off, a run failed to start).
    /// </summary>
    public bool Paced { get; }
    /// <summary>Linked meeting pairs (null when the state file cannot be read).</summary>
    public int? Links { get; }
    public string OutlookConnection { get; }
    public ConnectionHealth OutlookHealth { get; }
    public string Bitrix24Connection { get; }
    public ConnectionHealth Bitrix24Health { get; }
    /// <summary>Why the newest attempt failed (null when it succeeded).</summary>
    public string? LastError { get; }
    public string? LastErrorId { get; }

    internal const int PacingRuns = 5;

    public override string ToString() => Name;
}
