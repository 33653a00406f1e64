using System;
using System.Management.Automation;
using CalSync.Engine.Sync;

namespace CalSync.PowerShell.Infrastructure;

/// <summary>What Start-CalSync and Get-CalSyncPlan share: the initial merge, and one run of the engine.</summary>
public abstract class SyncRunCmdlet : SyncCmdlet
{
    /// <summary>
    /// The first run's initial merge: None (only what changes from now on), TwoWay, OutlookToBitrix24 or
    /// Bitrix24ToOutlook. Without it a first run takes only new data, and an unfinished merge is continued.
    /// </summary>
    [Parameter]
    public InitialMerge? InitialMerge { get; set; }

    /// <summary>The engine's merge for <see cref="InitialMerge"/>.</summary>
    protected Engine.Sync.InitialMerge? Merge => InitialMerge is { } merge ? EnumMap.To<Engine.Sync.InitialMerge>(merge) : null;

    /// <summary>
    /// One run of the engine (a plan only with <see cref="RunOptions.WhatIf"/>), with its progress and verbose lines.
    /// Null when it could not start: the error is written, with the sync as its target.
    /// </summary>
    protected RunResult? RunSync(SyncDefinition definition, RunOptions options) =>
        WithSides(definition, (outlook, bitrix24, progress, ct) =>
            new SyncRunner(Store, outlook, bitrix24).RunAsync(definition, options with { Progress = progress, Log = PostVerbose }, ct));
}
