using EngineKind = CalSync.Engine.Store.ConnectionKind;
using System;
using System.Collections.Generic;
using System.Management.Automation;
using CalSync.Engine.Model;
using CalSync.Engine.Sides;
using CalSync.Engine.Store;
using CalSync.Engine.Sync;
using CalSync.PowerShell.Sides;

namespace CalSync.PowerShell.Infrastructure;

/// <summary>What Start-CalSync and Get-CalSyncPlan share: finding the syncs by name, and one run of the engine.</summary>
public abstract class SyncRunCmdlet : CalSyncCmdlet
{
    private static int _activityIds;

    /// <summary>The syncs; wildcards allowed (-Name * names all).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(SyncNameCompleter))]
    [Alias("SyncName")]
    [SupportsWildcards]
    public string[] Name { get; set; } = Array.Empty<string>();

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
    /// Null when it could not start or finish: the error is written, with the sync as its target, after the record that
    /// says so (not under -WhatIf).
    /// </summary>
    protected RunResult? RunSync(SyncDefinition definition, RunOptions options)
    {
        var started = DateTimeOffset.UtcNow;
        var store = Store;
        var factory = new SideFactory(store, PostDebug, PostWarning);
        var activity = System.Threading.Interlocked.Increment(ref _activityIds);
        var title = $"{MyInvocation.MyCommand.Name} '{definition.Name}'";
        var progress = new PumpedProgress(this, activity, title);
        try
        {
            var result = Await(async ct =>
            {
                var outlookConnection = factory.Connection(definition.OutlookConnection, EngineKind.Outlook);
                var bitrix24Connection = factory.Connection(definition.Bitrix24Connection, EngineKind.Bitrix24);
                using var bitrix24 = factory.Bitrix24(bitrix24Connection);
                using var outlook = await factory.OutlookAsync(outlookConnection, ct).ConfigureAwait(false);
                var runner = new SyncRunner(store, outlook, bitrix24);
                return await runner.RunAsync(definition, options with { Progress = progress, Log = PostVerbose }, ct).ConfigureAwait(false);
            });
            WriteProgress(new ProgressRecord(activity, title, "Done") { RecordType = ProgressRecordType.Completed });
            return result;
        }
        catch (Exception e) when (e is OperationCanceledException or PipelineStoppedException && Cancellation.IsCancellationRequested)
        {
            // Stopped while the engine ran, or while its progress was being shown (then the write throws).
            if (!options.WhatIf)
                Record(definition, options, started, Engine.Sync.RunOutcome.Aborted, ErrorIds.RunStopped, "The run was stopped before it finished; the next run goes on from what it saved.", null);
            if (e is PipelineStoppedException) throw;
            throw new PipelineStoppedException();
        }
        catch (Exception e) when (Known(e, definition.Name) is { } error)
        {
            WriteProgress(new ProgressRecord(activity, title, "Failed") { RecordType = ProgressRecordType.Completed });
            // The engine records the runs it finishes; this records the others (a held lock, a damaged state file, a
            // missing connection or sign-in), so the history and Get-CalSyncStatus show every attempt and why it failed.
            var id = error.FullyQualifiedErrorId.Split(',')[0];
            var side = (e is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerException : e) switch
            {
                SideUnavailableException unavailable => unavailable.Side,
                CalSyncException { ErrorId: ErrorIds.ConnectionSecretMissing } => Side.Bitrix24,
                _ => (Side?)null,
            };
            if (!options.WhatIf && Record(definition, options, started, Engine.Sync.RunOutcome.Failed, id, error.Exception.Message, side) is { } record)
                WriteObject(new CalSyncRun(record));
            WriteError(error);
            return null;
        }
    }

    /// <summary>Appends the record of an attempt the engine did not record; null (with a warning) when that fails too.</summary>
    private RunRecord? Record(SyncDefinition definition, RunOptions options, DateTimeOffset started, Engine.Sync.RunOutcome outcome, string errorId, string message, Side? side)
    {
        var record = new RunRecord
        {
            SyncName = definition.Name, RunId = Guid.NewGuid(), Start = started, End = DateTimeOffset.UtcNow, Outcome = outcome,
            Mode = options.Merge is { } merge ? "InitialMerge:" + merge : "Incremental", Direction = definition.Direction,
            ErrorId = errorId, Message = message, FailedSide = side,
        };
        try
        {
            Store.AppendHistory(record);
            return record;
        }
        catch (StoreException e)
        {
            WriteWarning($"The failed attempt of the sync '{definition.Name}' could not be recorded in its history: {e.Message}");
            return null;
        }
    }

    /// <summary>The error of a run that failed or did not complete, with the command that fixes a needed sign-in.</summary>
    protected static ErrorRecord RunError(SyncDefinition definition, RunRecord record, string id)
    {
        var message = $"The sync '{definition.Name}' {(record.Outcome == Engine.Sync.RunOutcome.CompletedWithErrors ? "completed with errors" : "did not complete")}: {record.Message ?? id}";
        // The connector says what Bitrix24 refused; the command that fixes it is the cmdlet layer's to name.
        if (id == ErrorIds.SignInRequired && message.IndexOf("Connect-", StringComparison.Ordinal) < 0 && message.IndexOf("Bitrix24", StringComparison.Ordinal) >= 0)
            message += $" Run Connect-Bitrix24 -Name '{definition.Bitrix24Connection}' again (with a new webhook URL or OAuth tokens), then Start-CalSync -Name '{definition.Name}'.";
        var category = id switch
        {
            ErrorIds.SignInRequired => ErrorCategory.AuthenticationError,
            ErrorIds.EmptySideGuard => ErrorCategory.InvalidResult,
            ErrorIds.SideUnavailable => ErrorCategory.ConnectionError,
            ErrorIds.ItemFailed => ErrorCategory.WriteError,
            ErrorIds.MeetingInvalid => ErrorCategory.InvalidData,
            _ => ErrorCategory.NotSpecified,
        };
        return new ErrorRecord(new CalSyncException(id, message), id, category, definition.Name);
    }

    /// <summary>The engine's progress, shown through Write-Progress on the pipeline thread.</summary>
    private sealed class PumpedProgress(SyncRunCmdlet cmdlet, int activity, string title) : IProgress<RunProgress>
    {
        public void Report(RunProgress value) => cmdlet.Post(() =>
        {
            var record = new ProgressRecord(activity, title, string.IsNullOrEmpty(value.Activity) ? "Working" : value.Activity);
            if (value.Total > 0) record.PercentComplete = Math.Min(100, Math.Max(0, value.Done * 100 / value.Total));
            cmdlet.WriteProgress(record);
        });
    }
}
