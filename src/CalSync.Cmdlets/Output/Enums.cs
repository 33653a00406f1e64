using System;

namespace CalSync.PowerShell;

// The cmdlets' own copies of the engine's enums. Parameter and output types live in the cmdlet assembly: PowerShell
// reflects over the public types before the module initializer runs, and an enum field of an engine type would make
// the runtime load the engine in the default load context, outside the private one (see ModuleInitializer).

/// <summary>Which way meetings travel.</summary>
public enum SyncDirection { TwoWay, OutlookToBitrix24, Bitrix24ToOutlook }

/// <summary>What the first run does with meetings that exist already.</summary>
public enum InitialMerge { None, TwoWay, OutlookToBitrix24, Bitrix24ToOutlook }

/// <summary>Who wins when both sides changed since the last run.</summary>
public enum ConflictPolicy { Newest, OutlookWins, Bitrix24Wins }

/// <summary>One of the two calendars.</summary>
public enum CalendarSide { Outlook, Bitrix24 }

/// <summary>One of the two calendars, or both (Remove-CalSyncCopy -Side).</summary>
public enum CalendarSides { Both, Outlook, Bitrix24 }

/// <summary>What a connection connects to.</summary>
public enum ConnectionKind { Outlook, Bitrix24 }

/// <summary>How a run ended.</summary>
public enum RunOutcome { Succeeded, NoChanges, CompletedWithErrors, Failed, Aborted, WhatIf }

/// <summary>What a run did to one item.</summary>
public enum ItemAction { Create, Update, Delete, Link, Unlink, Recover, Skip, Conflict, Decline }

/// <summary>Free/busy state (Graph's vocabulary).</summary>
public enum ShowAs { Free, Tentative, Busy, Oof, WorkingElsewhere, Unknown }

/// <summary>Privacy of a meeting.</summary>
public enum Sensitivity { Normal, Personal, Private, Confidential }

/// <summary>Converts between the engine's enums and the cmdlets' copies, by name.</summary>
internal static class EnumMap
{
    public static T To<T>(Enum value) where T : struct => (T)Enum.Parse(typeof(T), value.ToString());
}
