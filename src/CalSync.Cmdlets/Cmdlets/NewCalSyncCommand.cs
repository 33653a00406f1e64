using System;
using System.Management.Automation;
using CalSync.Store;
using SyncDefinition = CalSync.Engine.Sync.SyncDefinition;
using E = CalSync.Engine.Sync;
using CalSync.PowerShell.Infrastructure;

namespace CalSync.PowerShell.Cmdlets;

/// <summary>Defines a sync between an Outlook connection and a Bitrix24 connection.</summary>
[Cmdlet(VerbsCommon.New, "CalSync", DefaultParameterSetName = BuiltInSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, HelpUri = CalSyncCmdlet.HelpBase + "new-calsync")]
[OutputType(typeof(CalSyncDefinition))]
public sealed class NewCalSyncCommand : CalSyncCmdlet
{
    private const string BuiltInSet = "BuiltInMapping";
    private const string FileSet = "MappingFile";

    /// <summary>The sync's name (letters, digits, '-', '_' and '.').</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>TwoWay (default), OutlookToBitrix24 or Bitrix24ToOutlook.</summary>
    [Parameter]
    public SyncDirection Direction { get; set; } = SyncDirection.TwoWay;

    /// <summary>How often the registered schedule runs the sync (default 10 minutes): minutes (-Interval 15) or a time span.</summary>
    [Parameter]
    [Interval]
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Whether a deletion on one side deletes the linked copy: $true (default) or $false (copies stay).</summary>
    /// <remarks>A value, not a switch: a switch that defaults to on can only be turned off with -AllowDelete:$false.</remarks>
    [Parameter]
    public bool AllowDelete { get; set; } = true;

    /// <summary>
    /// When the Outlook copy of a Bitrix24 invitation (a colleague's meeting) is deleted, decline the invitation. Without
    /// it the invitation stays as it is and is no longer synced; it is never deleted, since that would delete the
    /// organizer's meeting for everyone.
    /// </summary>
    [Parameter]
    public SwitchParameter DeclineInvitations { get; set; }

    /// <summary>Skip a failed item, record it and retry it next run, instead of stopping the run.</summary>
    [Parameter]
    public SwitchParameter ProceedOnError { get; set; }

    /// <summary>Whether unlinked meetings that already exist on both sides are matched instead of copied: $true (default) or $false.</summary>
    [Parameter]
    public bool AvoidDuplicates { get; set; } = true;

    /// <summary>Days before today that are synced (default 30).</summary>
    [Parameter]
    [ValidateRange(0, 3650)]
    public int PastDays { get; set; } = 30;

    /// <summary>Days after today that are synced (default 365).</summary>
    [Parameter]
    [ValidateRange(0, 3650)]
    public int FutureDays { get; set; } = 365;

    /// <summary>Who wins when both sides changed since the last run: Newest (default), OutlookWins, Bitrix24Wins.</summary>
    [Parameter]
    public ConflictPolicy ConflictPolicy { get; set; } = ConflictPolicy.Newest;

    /// <summary>A built-in mapping profile: default, busy-only or busy-only-one-way.</summary>
    [Parameter(ParameterSetName = BuiltInSet)]
    [ArgumentCompleter(typeof(MappingNameCompleter))]
    public string Mapping { get; set; } = "default";

    /// <summary>A mapping profile file (YAML); it is validated before the sync is saved.</summary>
    [Parameter(ParameterSetName = FileSet, Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string? MappingPath { get; set; }

    /// <summary>The Outlook connection (default: outlook).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(OutlookConnectionNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string OutlookConnection { get; set; } = "outlook";

    /// <summary>The Bitrix24 connection (default: bitrix24).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(Bitrix24ConnectionNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Bitrix24Connection { get; set; } = "bitrix24";

    protected override void ProcessRecord()
    {
        Guard(Name, () =>
        {
            var store = Store;
            StoreNames.Validate(Name, "sync");
            if (store.Definitions.Get(Name) is not null)
                throw new CalSyncException(ErrorIds.SyncExists, $"A sync named '{Name}' exists already. Change it with Set-CalSync, or remove it with Remove-CalSync first.");
            var mapping = SyncSettings.ValidateMapping(MappingPath is null ? Mapping : null, MappingPath, SessionState.Path.CurrentFileSystemLocation.ProviderPath);
            var now = DateTimeOffset.UtcNow;
            var definition = new SyncDefinition
            {
                Name = Name, Direction = EnumMap.To<E.SyncDirection>(Direction), Interval = Interval, AllowDelete = AllowDelete, DeclineInvitations = DeclineInvitations, ProceedOnError = ProceedOnError,
                AvoidDuplicates = AvoidDuplicates, WindowPastDays = PastDays, WindowFutureDays = FutureDays, ConflictPolicy = EnumMap.To<E.ConflictPolicy>(ConflictPolicy),
                Mapping = mapping, OutlookConnection = OutlookConnection, Bitrix24Connection = Bitrix24Connection, Created = now, Modified = now,
            };
            SyncSettings.ValidateNumbers(definition);
            SyncSettings.ValidateDirection(definition);
            SyncSettings.ValidateCalendarPair(store, definition);
            if (!ShouldProcess($"sync '{Name}' ({OutlookConnection} <-> {Bitrix24Connection}, {Direction}, mapping {mapping})", "Create")) return;
            store.Definitions.Save(definition);
            WriteVerbose($"Saved the sync '{Name}' in {store.Definitions.PathOf(Name)}.");
            WriteObject(new CalSyncDefinition(definition));
        });
    }
}
