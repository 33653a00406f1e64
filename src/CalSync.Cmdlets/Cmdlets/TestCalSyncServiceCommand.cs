using EngineKind = CalSync.Store.ConnectionKind;
using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using CalSync.Bitrix24.Probing;
using CalSync.Engine.Probing;
using CalSync.Store;
using CalSync.Outlook.Probing;
using CalSync.PowerShell.Infrastructure;
using CalSync.PowerShell.Sides;

namespace CalSync.PowerShell.Cmdlets;

/// <summary>
/// Checks, against the live service of each connection, the behaviours CalSync relies on (docs/graph-api.md and
/// docs/bitrix24-api.md, "Conformance probe"), in a scratch calendar it creates and deletes. The result is kept per
/// connection; Start-CalSync holds back the writes whose belief failed.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "CalSyncService", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, HelpUri = CalSyncCmdlet.HelpBase + "test-calsyncservice")]
[OutputType(typeof(CalSyncProbeResult))]
public sealed class TestCalSyncServiceCommand : CalSyncCmdlet
{
    /// <summary>The connections to probe (Outlook or Bitrix24); Get-CalSyncConnection output can be piped in.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(ConnectionNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Connection { get; set; } = Array.Empty<string>();

    protected override void ProcessRecord()
    {
        foreach (var name in Connection)
            Guard(name, () => Probe(name));
    }

    private void Probe(string name)
    {
        var record = Store.Connections.Get(name)
            ?? throw new CalSyncException(ErrorIds.ConnectionNotFound, $"There is no connection named '{name}'. List connections with Get-CalSyncConnection.");
        var outlook = record.Kind == EngineKind.Outlook;
        var creates = outlook ? OutlookProbe.WillCreate : Bitrix24Probe.WillCreate;
        if (!ShouldProcess($"{(outlook ? "Outlook" : "Bitrix24")} connection '{name}'", "Run the conformance probe: create " + string.Join("; ", creates) + "; then delete it all"))
            return;
        var factory = new SideFactory(Store, PostDebug, PostWarning);
        var now = DateTimeOffset.UtcNow;
        void Created(string scratch) => PostVerbose($"Created the scratch calendar '{scratch}'; it is deleted when the probe ends.");
        IReadOnlyList<ProbeResult> results;
        try
        {
            results = outlook
                ? Await(ct => OutlookProbe.RunAsync(factory.RunOptions(record), now, Created, PostWarning, ct))
                : Await(ct => Bitrix24Probe.RunAsync(factory.Bitrix24Options(record), now, Created, PostWarning, ct));
        }
        catch (StoreException e) { throw KeyStoreOptIn.Explain(e, outlook ? KeyStoreOptIn.OutlookCommand : KeyStoreOptIn.Bitrix24Command); }
        Store.Probes.Save(record, now, results);
        foreach (var result in results)
        {
            if (result.Passed == false)
                WriteWarning($"The probe '{result.Name}' failed on '{name}': expected {result.Expected}, observed {result.Observed} (see {result.Doc}). "
                             + (ProbeGate.Holds(result.Name) is { } holds ? $"Until it passes, {holds}." : "CalSync works around it; nothing is held back."));
            WriteObject(new CalSyncProbeResult(name, result));
        }
    }
}
