using EngineKind = CalSync.Store.ConnectionKind;
using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using CalSync.Engine.Sides;
using CalSync.Engine.Sync;
using CalSync.PowerShell.Sides;

namespace CalSync.PowerShell.Infrastructure;

/// <summary>
/// What the cmdlets that act on syncs by name share (Start-CalSync, Get-CalSyncPlan, Remove-CalSyncCopy, Reset-CalSync):
/// finding the syncs, the engine's work over both connected calendars, and the error of a run that did not complete.
/// </summary>
public abstract class SyncCmdlet : CalSyncCmdlet
{
    private static int _activityIds;

    /// <summary>The syncs; wildcards allowed (-Name * names all).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(SyncNameCompleter))]
    [Alias("SyncName")]
    [SupportsWildcards]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>Above zero: Bitrix24's far range is read this often only, the hot range every run (the resident mode sets it).</summary>
    protected TimeSpan FarReadInterval { get; set; }

    /// <summary>
    /// Engine work over the sync's two calendars (connected from its connections), with its progress shown. Null when it
    /// could not start or failed as a whole: the error is written, with the sync as its target, after the record
    /// <paramref name="record"/> made of it, if any (given the error, null when the work was stopped, and the exception).
    /// </summary>
    protected T? WithSides<T>(SyncDefinition definition, Func<ICalendarSide, ICalendarSide, IProgress<RunProgress>, CancellationToken, Task<T>> work,
        Func<ErrorRecord?, Exception, RunRecord?>? record = null) where T : class
    {
        var store = Store;
        var factory = new SideFactory(store, PostDebug, PostWarning);
        var activity = Interlocked.Increment(ref _activityIds);
        var title = $"{MyInvocation.MyCommand.Name} '{definition.Name}'";
        var progress = new PumpedProgress(this, activity, title);
        try
        {
            var result = Await(async ct =>
            {
                var outlookConnection = factory.Connection(definition.OutlookConnection, EngineKind.Outlook);
                var bitrix24Connection = factory.Connection(definition.Bitrix24Connection, EngineKind.Bitrix24);
                using var bitrix24 = factory.Bitrix24(bitrix24Connection, FarReadInterval);
                using var outlook = await factory.OutlookAsync(outlookConnection, ct).ConfigureAwait(false);
                return await work(outlook, bitrix24, progress, ct).ConfigureAwait(false);
            });
            WriteProgress(new ProgressRecord(activity, title, "Done") { RecordType = ProgressRecordType.Completed });
            return result;
        }
        catch (Exception e) when (e is OperationCanceledException or PipelineStoppedException && Cancellation.IsCancellationRequested)
        {
            // Stopped while the engine worked, or while its progress was being shown (then the write throws).
            record?.Invoke(null, e);
            if (e is PipelineStoppedException) throw;
            throw new PipelineStoppedException();
        }
        catch (Exception e) when (Known(e, definition.Name) is { } error)
        {
            WriteProgress(new ProgressRecord(activity, title, "Failed") { RecordType = ProgressRecordType.Completed });
            if (record?.Invoke(error, e) is { } attempt) WriteObject(new CalSyncRun(attempt));
            WriteError(error);
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
            ErrorIds.RemovalPending or ErrorIds.ResetNeedsAvoidDuplicates => ErrorCategory.InvalidOperation,
            _ => ErrorCategory.NotSpecified,
        };
        return new ErrorRecord(new CalSyncException(id, message), id, category, definition.Name);
    }

    /// <summary>The engine's progress, shown through Write-Progress on the pipeline thread.</summary>
    private sealed class PumpedProgress(SyncCmdlet cmdlet, int activity, string title) : IProgress<RunProgress>
    {
        public void Report(RunProgress value) => cmdlet.Post(() =>
        {
            var record = new ProgressRecord(activity, title, string.IsNullOrEmpty(value.Activity) ? "Working" : value.Activity);
            if (value.Total > 0) record.PercentComplete = Math.Min(100, Math.Max(0, value.Done * 100 / value.Total));
            cmdlet.WriteProgress(record);
        });
    }
}
