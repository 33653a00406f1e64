using CalSync.Engine.Sync;

namespace CalSync.PowerShell;

/// <summary>
/// The stable error ids of CalSync's cmdlets (the first part of FullyQualifiedErrorId). Scripts may depend on them.
/// Store errors use the store's own ids (CalSync.Store.Corrupt, CalSync.Store.Locked, ...); run failures the engine's
/// (<see cref="RunErrorIds"/>: the engine writes them into the runs it records, and the ids here refer to them).
/// </summary>
public static class ErrorIds
{
    public const string SyncNotFound = "SyncNotFound";
    public const string SyncExists = "SyncExists";
    public const string ConnectionNotFound = "ConnectionNotFound";
    public const string ConnectionKindMismatch = "ConnectionKindMismatch";
    public const string ConnectionSecretMissing = "ConnectionSecretMissing";
    public const string ConnectionInUse = "ConnectionInUse";
    /// <summary>Another sync already syncs the same Outlook calendar with the same Bitrix24 calendar.</summary>
    public const string CalendarPairInUse = "CalendarPairInUse";
    public const string MappingInvalid = "MappingInvalid";
    public const string FileExists = "FileExists";
    public const string SignInRequired = RunErrorIds.SignInRequired;
    public const string SignInFailed = "SignInFailed";
    public const string ClientIdRequired = "ClientIdRequired";
    public const string WebhookUrlInvalid = "WebhookUrlInvalid";
    public const string Bitrix24ConnectFailed = "Bitrix24ConnectFailed";
    public const string Bitrix24CalendarInvalid = "Bitrix24CalendarInvalid";
    public const string OutlookConnectFailed = "OutlookConnectFailed";
    public const string OutlookCalendarInvalid = "OutlookCalendarInvalid";
    public const string EmptySideGuard = RunErrorIds.EmptySideGuard;
    public const string SideUnavailable = RunErrorIds.SideUnavailable;
    public const string ItemFailed = RunErrorIds.ItemFailed;
    public const string RunFailed = "RunFailed";
    /// <summary>The history's id of a run stopped before it finished (Ctrl+C, a stopped pipeline).</summary>
    public const string RunStopped = "RunStopped";
    public const string MeetingInvalid = RunErrorIds.MeetingInvalid;
    public const string ScheduleNotSupported = "ScheduleNotSupported";
    public const string ScheduleIntervalInvalid = "ScheduleIntervalInvalid";
    public const string ScheduleFailed = "ScheduleFailed";
    public const string ScheduleNotFound = "ScheduleNotFound";
    /// <summary>A schedule of a sync whose connection lives in this session only (Connect-OutlookCalendar -AccessToken).</summary>
    public const string ConnectionSessionOnly = "ConnectionSessionOnly";
    public const string InvalidSetting = "InvalidSetting";
    /// <summary>A removal of copies did not finish: runs and resets refuse until Remove-CalSyncCopy finishes it.</summary>
    public const string RemovalPending = RunErrorIds.RemovalPending;
    public const string ResetNeedsAvoidDuplicates = RunErrorIds.ResetNeedsAvoidDuplicates;
}
