using CalSync.Engine.Model;
using CalSync.Engine.Probing;
using CalSync.Engine.Sides;
using CalSync.Engine.Sync;
using Xunit;

namespace CalSync.Engine.Tests.Probing;

/// <summary>Issue 22: which planned writes a failed probe holds back (the reasons are the planner's own words).</summary>
public sealed class ProbeGateTests
{
    private static ProbeGate.Failure Failed(string probe) =>
        new("conn", new ProbeResult(probe, "belief", "docs/graph-api.md#x", "expected", "observed", false), DateTimeOffset.UtcNow);

    private static PlannedWrite Write(WriteKind kind, Side target, string reason) =>
        new() { OperationId = $"{target}:{kind}:1", Kind = kind, TargetSide = target, Reason = reason };

    [Fact]
    public void A_failed_tombstone_probe_holds_back_only_Bitrix24_deletions_that_follow_an_Outlook_absence()
    {
        var refuse = ProbeGate.Refusal(new[] { Failed(ProbeNames.GraphDeltaTombstone) })!;

        Assert.StartsWith("Refused: The probe 'graph-delta-tombstone' of the connection 'conn' failed", refuse(Write(WriteKind.Delete, Side.Bitrix24, "deleted on Outlook")));
        Assert.Null(refuse(Write(WriteKind.Delete, Side.Outlook, "deleted on Bitrix24")));
        Assert.Null(refuse(Write(WriteKind.Delete, Side.Bitrix24, "its original now matches a filter of the mapping")));
        Assert.Null(refuse(Write(WriteKind.Create, Side.Bitrix24, "new on Outlook")));
    }

    [Fact]
    public void A_failed_date_format_probe_holds_back_every_write_and_a_failed_timestamp_probe_only_Newest_conflicts()
    {
        var dates = ProbeGate.Refusal(new[] { Failed(ProbeNames.Bitrix24DateFormat) })!;
        Assert.NotNull(dates(Write(WriteKind.Create, Side.Outlook, "new on Bitrix24")));
        Assert.NotNull(dates(Write(WriteKind.Update, Side.Bitrix24, "changed on Outlook")));

        var stamps = ProbeGate.Refusal(new[] { Failed(ProbeNames.Bitrix24TimestampZone) })!;
        Assert.NotNull(stamps(Write(WriteKind.Update, Side.Outlook, "changed on both sides; Bitrix24 wins (Newest)")));
        Assert.Null(stamps(Write(WriteKind.Update, Side.Outlook, "changed on both sides; Bitrix24 wins (Bitrix24Wins)")));
        Assert.Null(stamps(Write(WriteKind.Update, Side.Outlook, "changed on Bitrix24")));
    }

    [Fact]
    public void Probes_the_connector_works_around_hold_nothing_back()
    {
        Assert.Null(ProbeGate.Refusal(new[] { Failed(ProbeNames.GraphDstGap), Failed(ProbeNames.Bitrix24RateLimit) }));
        Assert.Null(ProbeGate.Refusal(Array.Empty<ProbeGate.Failure>()));
    }
}
