using System;
using SyncDefinition = CalSync.Engine.Sync.SyncDefinition;

namespace CalSync.PowerShell;

/// <summary>A sync as Get-CalSync, New-CalSync and Set-CalSync show it.</summary>
public sealed class CalSyncDefinition
{
    internal CalSyncDefinition(SyncDefinition d)
    {
        Name = d.Name;
        Direction = EnumMap.To<SyncDirection>(d.Direction);
        Interval = d.Interval;
        AllowDelete = d.AllowDelete;
        DeclineInvitations = d.DeclineInvitations;
        ProceedOnError = d.ProceedOnError;
        AvoidDuplicates = d.AvoidDuplicates;
        PastDays = d.WindowPastDays;
        FutureDays = d.WindowFutureDays;
        ConflictPolicy = EnumMap.To<ConflictPolicy>(d.ConflictPolicy);
        Mapping = d.Mapping;
        OutlookConnection = d.OutlookConnection;
        Bitrix24Connection = d.Bitrix24Connection;
        Created = d.Created;
        Modified = d.Modified;
    }

    public string Name { get; }
    public SyncDirection Direction { get; }
    public TimeSpan Interval { get; }
    public bool AllowDelete { get; }
    public bool DeclineInvitations { get; }
    public bool ProceedOnError { get; }
    public bool AvoidDuplicates { get; }
    public int PastDays { get; }
    public int FutureDays { get; }
    public ConflictPolicy ConflictPolicy { get; }
    /// <summary>A built-in profile name or the full path of a mapping file.</summary>
    public string Mapping { get; }
    public string OutlookConnection { get; }
    public string Bitrix24Connection { get; }
    public DateTimeOffset Created { get; }
    public DateTimeOffset Modified { get; }

    public override string ToString() => Name;
}
