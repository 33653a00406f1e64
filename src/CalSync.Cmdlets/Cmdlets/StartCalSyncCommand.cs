using EngineKind = CalSync.Engine.Store.ConnectionKind;
using System;
using System.Collections.Generic;
using System.Management.Automation;
using CalSync.Engine.Store;
using CalSync.Engine.Sync;
using E = CalSync.Engine.Sync;
using CalSync.PowerShell.Infrastructure;
using CalSync.PowerShell.Sides;

namespace CalSync.PowerShell.Cmdlets;

/// <summary>
/// Runs syncs once: reads both calendars, plans, writes the changes and records the run. -WhatIf prints the exact
/// plan and writes nothing. Output: the run's history record. Failures are errors with stable ids (EmptySideGuard,
/// SignInRequired, SideUnavailable, ItemFailed, CalSync.Store.Locked), one per failed sync: one sync's failure never
/// stops the others, and under -ErrorAction Stop the first one stops the command.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "CalSync", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(CalSyncRun))]
public sealed class StartCalSyncCommand : CalSyncCmdlet
{
    private static int _activityIds;

    /// <summary>The syncs to run; wildcards allowed (-Name * runs all).</summary>
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

    /// <summary>Run although a side that had linked meetings suddenly returns none (the empty-side guard).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>How long to wait for another run of the same sync to finish (default 30 seconds; 0: do not wait).</summary>
    [Parameter]
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(30);

    protected override void ProcessRecord()
    {
        foreach (var pattern in Name)
        {
            var definitions = new List<SyncDefinition>();
            if (!Guard(pattern, () =>
            {
                if (WildcardPattern.ContainsWildcardCharacters(pattern))
                    definitions.AddRange(Store.GetSyncs(pattern, e => WriteError(StoreError(e, e.Path))));
                else
                    definitions.Add(Store.GetSync(pattern) ?? throw new CalSyncException(ErrorIds.SyncNotFound, $"There is no sync named '{pattern}'. List the syncs with Get-CalSync, or define one with New-CalSync."));
            })) continue;
            foreach (var definition in definitions) Run(definition);
        }
    }

    private void Run(SyncDefinition definition)
    {
        var whatIf = IsWhatIf();
        var target = $"sync '{definition.Name}' ({definition.OutlookConnection} <-> {definition.Bitrix24Connection})";
        if (!whatIf && !ShouldProcess(target, "Start")) return;

        var store = Store;
        var factory = new SideFactory(store, PostDebug, PostWarning);
        var activity = System.Threading.Interlocked.Increment(ref _activityIds);
        var title = $"Start-CalSync '{definition.Name}'";
        var progress = new PumpedProgress(this, activity, title);
        RunResult result;
        try
        {
            result = Await(async ct =>
            {
                var outlookConnection = factory.Connection(definition.OutlookConnection, EngineKind.Outlook);
                var bitrix24Connection = factory.Connection(definition.Bitrix24Connection, EngineKind.Bitrix24);
                using var bitrix24 = factory.Bitrix24(bitrix24Connection);
                using var outlook = await factory.OutlookAsync(outlookConnection, ct).ConfigureAwait(false);
                var runner = new SyncRunner(store, outlook, bitrix24);
                return await runner.RunAsync(definition, new RunOptions
                {
                    Merge = InitialMerge is { } merge ? EnumMap.To<E.InitialMerge>(merge) : null, Force = Force, WhatIf = whatIf, LockWait = LockTimeout < TimeSpan.Zero ? TimeSpan.Zero : LockTimeout,
                    Progress = progress, Log = PostVerbose,
                }, ct).ConfigureAwait(false);
            });
        }
        catch (OperationCanceledException) when (Cancellation.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (Exception e) when (Known(e, definition.Name) is { } error)
        {
            WriteProgress(new ProgressRecord(activity, title, "Failed") { RecordType = ProgressRecordType.Completed });
            WriteError(error);
            return;
        }
        WriteProgress(new ProgressRecord(activity, title, "Done") { RecordType = ProgressRecordType.Completed });

        if (whatIf && result.Plan is { } plan)
        {
            ShouldProcess($"{title}: {plan}", $"{title}: {plan}", "Start-CalSync");
            return;
        }

        // A run that could not plan is an error under -WhatIf too; only a real run has a record to output.
        var record = result.Record;
        if (!whatIf) WriteObject(new CalSyncRun(record));
        if (record.ErrorId is not { } id) return;
        var message = $"The sync '{definition.Name}' {(record.Outcome == E.RunOutcome.CompletedWithErrors ? "completed with errors" : "did not complete")}: {record.Message ?? id}";
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
        WriteError(new ErrorRecord(new CalSyncException(id, message), id, category, definition.Name));
    }

    /// <summary>The engine's progress, shown through Write-Progress on the pipeline thread.</summary>
    private sealed class PumpedProgress : IProgress<RunProgress>
    {
        private readonly StartCalSyncCommand _cmdlet;
        private readonly int _activity;
        private readonly string _title;

        public PumpedProgress(StartCalSyncCommand cmdlet, int activity, string title)
        {
            _cmdlet = cmdlet;
            _activity = activity;
            _title = title;
        }

        public void Report(RunProgress value) => _cmdlet.Post(() =>
        {
            var record = new ProgressRecord(_activity, _title, string.IsNullOrEmpty(value.Activity) ? "Working" : value.Activity);
            if (value.Total > 0) record.PercentComplete = Math.Min(100, Math.Max(0, value.Done * 100 / value.Total));
            _cmdlet.WriteProgress(record);
        });
    }
}
