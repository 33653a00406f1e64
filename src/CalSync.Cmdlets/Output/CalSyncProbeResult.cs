using CalSync.Engine.Probing;

namespace CalSync.PowerShell;

/// <summary>
/// One belief about a live service checked by Test-CalSyncService: the docs entry that states it, what was expected,
/// what the service did, and whether it held (<see cref="Passed"/> is null when it could not be checked).
/// </summary>
public sealed class CalSyncProbeResult
{
    internal CalSyncProbeResult(string connection, ProbeResult r)
    {
        Connection = connection; Name = r.Name; Belief = r.Belief; Doc = r.Doc; Expected = r.Expected; Observed = r.Observed; Passed = r.Passed;
    }

    public string Connection { get; }
    public string Name { get; }
    public string Belief { get; }
    /// <summary>The entry in docs/graph-api.md or docs/bitrix24-api.md that holds the belief and its source.</summary>
    public string Doc { get; }
    public string Expected { get; }
    public string Observed { get; }
    /// <summary>True: the belief holds; false: the service did otherwise; null: not checked (Observed says why).</summary>
    public bool? Passed { get; }

    public override string ToString() => Name;
}
