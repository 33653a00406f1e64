using System;
using System.Management.Automation;
using CalSync.Store;
using E = CalSync.Engine.Sync;
using CalSync.PowerShell.Infrastructure;

namespace CalSync.PowerShell.Cmdlets;

/// <summary>Changes settings of a defined sync; only the parameters given change.</summary>
[Cmdlet(VerbsCommon.Set, "CalSync", DefaultParameterSetName = BuiltInSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, HelpUri = CalSyncCmdlet.HelpBase + "set-calsync")]
[OutputType(typeof(CalSyncDefinition))]
public sealed class SetCalSyncCommand : CalSyncCmdlet
{
    private const string BuiltInSet = "BuiltInMapping";
    private const string FileSet = "MappingFile";

    /// <summary>The sync to change.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(SyncNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>TwoWay, OutlookToBitrix24 or Bitrix24ToOutlook.</summary>
    [Parameter] public SyncDirection Direction { get; set; }
    /// <summary>How often the registered schedule runs the sync (re-register the schedule to apply it).</summary>
    [Parameter] [Interval] public TimeSpan Interval { get; set; }
    /// <summary>Whether a deletion on one side deletes the linked copy: $true or $false.</summary>
    [Parameter] public bool AllowDelete { get; set; }
    /// <summary>Whether deleting the Outlook copy of a Bitrix24 invitation declines the invitation (else it is only no longer synced).</summary>
    [Parameter] public SwitchParameter DeclineInvitations { get; set; }
    /// <summary>Whether a failed item is skipped (and retried next run) instead of stopping the run.</summary>
    [Parameter] public SwitchParameter ProceedOnError { get; set; }
    /// <summary>Whether unlinked meetings that exist on both sides are matched instead of copied: $true or $false.</summary>
    [Parameter] public bool AvoidDuplicates { get; set; }
    /// <summary>Days before today that are synced.</summary>
    [Parameter] [ValidateRange(0, 3650)] public int PastDays { get; set; }
    /// <summary>Days after today that are synced.</summary>
    [Parameter] [ValidateRange(0, 3650)] public int FutureDays { get; set; }
    /// <summary>Newest, OutlookWins or Bitrix24Wins.</summary>
    [Parameter] public ConflictPolicy ConflictPolicy { get; set; }

    /// <summary>A built-in mapping profile: default, busy-only or busy-only-one-way.</summary>
    [Parameter(ParameterSetName = BuiltInSet)]
    [ArgumentCompleter(typeof(MappingNameCompleter))]
    public string? Mapping { get; set; }

    /// <summary>A mapping profile file (YAML), validated before it is saved.</summary>
    [Parameter(ParameterSetName = FileSet, Mandatory = true)]
    public string? MappingPath { get; set; }

    /// <summary>The Outlook connection.</summary>
    [Parameter] [ArgumentCompleter(typeof(OutlookConnectionNameCompleter))] public string? OutlookConnection { get; set; }
    /// <summary>The Bitrix24 connection.</summary>
    [Parameter] [ArgumentCompleter(typeof(Bitrix24ConnectionNameCompleter))] public string? Bitrix24Connection { get; set; }

    /// <summary>Output the changed sync.</summary>
    [Parameter] public SwitchParameter PassThru { get; set; }

    private bool Has(string parameter) => MyInvocation.BoundParameters.ContainsKey(parameter);

    /// <summary>The sync's links; a state that cannot be read says nothing about its copies (the next run reports it).</summary>
    private static E.SyncState LoadState(CalSyncStore store, string name)
    {
        try { return store.States.Load(name); }
        catch (StoreException) { return new E.SyncState(); }
    }

    protected override void ProcessRecord()
    {
        Guard(Name, () =>
        {
            var store = Store;
            var d = store.Definitions.Get(Name) ?? throw new CalSyncException(ErrorIds.SyncNotFound, $"There is no sync named '{Name}'. List the syncs with Get-CalSync.");
            var changed = d with
            {
                Direction = Has(nameof(Direction)) ? EnumMap.To<E.SyncDirection>(Direction) : d.Direction,
                Interval = Has(nameof(Interval)) ? Interval : d.Interval,
                AllowDelete = Has(nameof(AllowDelete)) ? AllowDelete : d.AllowDelete,
                DeclineInvitations = Has(nameof(DeclineInvitations)) ? DeclineInvitations.IsPresent : d.DeclineInvitations,
                ProceedOnError = Has(nameof(ProceedOnError)) ? ProceedOnError.IsPresent : d.ProceedOnError,
                AvoidDuplicates = Has(nameof(AvoidDuplicates)) ? AvoidDuplicates : d.AvoidDuplicates,
                WindowPastDays = Has(nameof(PastDays)) ? PastDays : d.WindowPastDays,
                WindowFutureDays = Has(nameof(FutureDays)) ? FutureDays : d.WindowFutureDays,
                ConflictPolicy = Has(nameof(ConflictPolicy)) ? EnumMap.To<E.ConflictPolicy>(ConflictPolicy) : d.ConflictPolicy,
                OutlookConnection = OutlookConnection ?? d.OutlookConnection,
                Bitrix24Connection = Bitrix24Connection ?? d.Bitrix24Connection,
                Mapping = Mapping is null && MappingPath is null ? d.Mapping
                    : SyncSettings.ValidateMapping(Mapping, MappingPath, SessionState.Path.CurrentFileSystemLocation.ProviderPath),
                Modified = DateTimeOffset.UtcNow,
            };
            SyncSettings.ValidateNumbers(changed);
            SyncSettings.ValidateDirection(changed);
            if (OutlookConnection is not null || Bitrix24Connection is not null) SyncSettings.ValidateCalendarPair(store, changed);
            // What the next run does to the copies already made, from the state alone (docs/architecture.md, "Changing a sync's settings").
            var effect = E.SettingsChange.Describe(d, changed, LoadState(store, Name));
            var change = $"Change the settings of sync '{Name}'." + (effect is null ? "" : " " + effect.Text);
            if (!ShouldProcess(change, change + " Continue?", "Set-CalSync")) return;
            store.Definitions.Save(changed);
            if (effect is { RemovesCopies: true }) WriteWarning(effect.Text);
            else if (effect is not null) WriteInformation(new InformationRecord(effect.Text, "Set-CalSync"), new[] { "PSHOST" });
            if (changed.Interval != d.Interval)
                WriteWarning($"The interval changed: run Register-CalSyncSchedule -Name '{Name}' again to apply it to the schedule.");
            if (PassThru) WriteObject(new CalSyncDefinition(changed));
        });
    }
}
