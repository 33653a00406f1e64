using System;

namespace CalSync.Engine.Sync;

public enum SyncDirection { TwoWay, OutlookToBitrix24, Bitrix24ToOutlook }

public enum InitialMerge { None, TwoWay, OutlookToBitrix24, Bitrix24ToOutlook }

public enum ConflictPolicy { Newest, OutlookWins, Bitrix24Wins }

/// <summary>A sync as the user defined it (<c>syncs/&lt;name&gt;.json</c>).</summary>
public sealed record SyncDefinition
{
    public const int CurrentSchema = 1;

    public int Schema { get; init; } = CurrentSchema;
    public string Name { get; init; } = "";
    public SyncDirection Direction { get; init; } = SyncDirection.TwoWay;
    /// <summary>How often the registered schedule runs the sync.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(10);
    public bool AllowDelete { get; init; } = true;
    public bool ProceedOnError { get; init; }
    public bool AvoidDuplicates { get; init; } = true;
    public int WindowPastDays { get; init; } = 30;
    public int WindowFutureDays { get; init; } = 365;
    public ConflictPolicy ConflictPolicy { get; init; } = ConflictPolicy.Newest;
    /// <summary>A built-in profile name (default, busy-only, busy-only-one-way) or a path to a YAML file.</summary>
    public string Mapping { get; init; } = "default";
    /// <summary>Name of the Outlook connection (connections/&lt;name&gt;.json).</summary>
    public string OutlookConnection { get; init; } = "";
    /// <summary>Name of the Bitrix24 connection (connections/&lt;name&gt;.json).</summary>
    public string Bitrix24Connection { get; init; } = "";
    public DateTimeOffset Created { get; init; }
    public DateTimeOffset Modified { get; init; }
}
