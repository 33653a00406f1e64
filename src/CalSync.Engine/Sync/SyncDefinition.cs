using System;

namespace CalSync.Engine.Sync;

public enum SyncDirection { TwoWay, OutlookToBitrix24, Bitrix24ToOutlook }

public enum InitialMerge { None, TwoWay, OutlookToBitrix24, Bitrix24ToOutlook }

public enum ConflictPolicy { Newest, OutlookWins, Bitrix24Wins }

/// <summary>A sync as the user defined it (<c>syncs/&lt;name&gt;.json</c>).</summary>
public sealed record SyncDefinition
{
    public const int CurrentSchema = 1;

    public int Schema { get; set; } = CurrentSchema;
    public string Name { get; set; } = "";
    public SyncDirection Direction { get; set; } = SyncDirection.TwoWay;
    /// <summary>How often the registered schedule runs the sync.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(10);
    public bool AllowDelete { get; set; } = true;
    public bool ProceedOnError { get; set; }
    public bool AvoidDuplicates { get; set; } = true;
    /// <summary>When the Outlook copy of a Bitrix24 invitation is deleted (allow-delete on): decline the invitation instead of only no longer syncing it.</summary>
    public bool DeclineInvitations { get; set; }
    public int WindowPastDays { get; set; } = 30;
    public int WindowFutureDays { get; set; } = 365;
    public ConflictPolicy ConflictPolicy { get; set; } = ConflictPolicy.Newest;
    /// <summary>A built-in profile name (default, busy-only, busy-only-one-way) or a path to a YAML file.</summary>
    public string Mapping { get; set; } = "default";
    /// <summary>Name of the Outlook connection (connections/&lt;name&gt;.json).</summary>
    public string OutlookConnection { get; set; } = "";
    /// <summary>Name of the Bitrix24 connection (connections/&lt;name&gt;.json).</summary>
    public string Bitrix24Connection { get; set; } = "";
    public DateTimeOffset Created { get; set; }
    public DateTimeOffset Modified { get; set; }
}
