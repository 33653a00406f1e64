using CalSync.Engine.Sides;

namespace CalSync.Engine.Sync;

/// <summary>
/// The error ids the engine puts on the runs it records (<see cref="RunRecord.ErrorId"/>); the cmdlets raise them as
/// they are (their ErrorIds refer to these), and scripts may depend on them.
/// </summary>
public static class RunErrorIds
{
    public const string SignInRequired = "SignInRequired";
    public const string SideUnavailable = "SideUnavailable";
    public const string EmptySideGuard = "EmptySideGuard";
    public const string ItemFailed = "ItemFailed";
    /// <summary>A meeting the target cannot store (<see cref="MeetingValidator"/>).</summary>
    public const string MeetingInvalid = "MeetingInvalid";
    /// <summary>A run or reset refused because a removal of copies (<see cref="SyncRunner.RemoveCopiesAsync"/>) has not finished.</summary>
    public const string RemovalPending = "RemovalPending";
    /// <summary>A reset refused because the next run would not find Bitrix24's copies.</summary>
    public const string ResetNeedsAvoidDuplicates = "ResetNeedsAvoidDuplicates";

    /// <summary>The id of a run a side stopped: a sign-in it needs, or the side out of reach.</summary>
    public static string Of(SideUnavailableException e) => e.IsAuthentication ? SignInRequired : SideUnavailable;
}
