using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using CalSync.Engine.Model;
using CalSync.Engine.Sync;

namespace CalSync.Engine.Probing;

/// <summary>
/// One belief about a live service checked by the conformance probe (Test-CalSyncService): what the docs entry says
/// (<see cref="Doc"/>, docs/graph-api.md or docs/bitrix24-api.md), what was expected and what the service did.
/// <see cref="Passed"/> is null when the belief could not be checked (<see cref="Observed"/> says why).
/// </summary>
public sealed record ProbeResult(string Name, string Belief, string Doc, string Expected, string Observed, bool? Passed);

/// <summary>The probes' names: what a failed result is recorded under and what a refusal names.</summary>
public static class ProbeNames
{
    public const string GraphDeltaTombstone = "graph-delta-tombstone";
    public const string GraphSecondaryDelta = "graph-delta-secondary-calendar";
    public const string GraphDeltaTimeZone = "graph-delta-timezone";
    public const string GraphMaxPageSize = "graph-maxpagesize";
    public const string GraphStampFilter = "graph-stamp-filter";
    public const string GraphTransactionId = "graph-transaction-id";
    public const string GraphDstGap = "graph-dst-gap";
    public const string Bitrix24SkipTime = "bitrix24-update-skip-time";
    public const string Bitrix24Zones = "bitrix24-update-zones";
    public const string Bitrix24ThisReminder = "bitrix24-this-mode-reminder";
    public const string Bitrix24TimestampZone = "bitrix24-timestamp-zone";
    public const string Bitrix24DateFormat = "bitrix24-date-format";
    public const string Bitrix24BatchReference = "bitrix24-batch-result-reference";
    public const string Bitrix24RateLimit = "bitrix24-rate-limit";
}

/// <summary>
/// The scratch calendar's name: users recognise it ("CalSync probe (safe to delete)") and a later probe finds what a
/// killed one left by the name and its UTC stamp, and deletes it first.
/// </summary>
public static class ProbeScratch
{
    public const string Prefix = "CalSync probe (safe to delete) ";
    private static readonly Regex Pattern = new(@"^CalSync probe \(safe to delete\) \d{8}T\d{6}Z$", RegexOptions.CultureInvariant);

    public static string NewName(DateTimeOffset now) => Prefix + now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    public static bool IsScratch(string? name) => name is not null && Pattern.IsMatch(name);
}

/// <summary>
/// Which planned writes a failed probe holds back (docs/graph-api.md and docs/bitrix24-api.md, "Conformance probe"):
/// a write that depends on a belief the service contradicted fails as an item naming the probe; the rest of the run
/// goes on, and the held-back write is planned again by the next run (so it happens once the probe passes again).
/// </summary>
public static class ProbeGate
{
    /// <summary>A failed probe of a connection (<paramref name="Connection"/>), as last recorded.</summary>
    public sealed record Failure(string Connection, ProbeResult Result, DateTimeOffset At);

    /// <summary>What a failed probe holds back, in words (for warnings and docs); null when it holds back nothing.</summary>
    public static string? Holds(string probe) => probe switch
    {
        ProbeNames.GraphDeltaTombstone => "no Bitrix24 meeting is deleted because its Outlook original is missing from a read",
        ProbeNames.Bitrix24DateFormat => "nothing is written to either calendar (Bitrix24's dates cannot be read safely)",
        ProbeNames.Bitrix24TimestampZone => "no conflict is decided by the Newest policy (Bitrix24's edit times cannot be compared)",
        _ => null,
    };

    private static bool Affects(string probe, PlannedWrite write) => probe switch
    {
        ProbeNames.GraphDeltaTombstone => write.Removes && write.TargetSide == Side.Bitrix24 && write.Reason.StartsWith("deleted on Outlook", StringComparison.Ordinal),
        ProbeNames.Bitrix24DateFormat => true,
        ProbeNames.Bitrix24TimestampZone => write.Reason.StartsWith("changed on both sides", StringComparison.Ordinal)
                                            && write.Reason.Contains("(" + nameof(ConflictPolicy.Newest) + ")", StringComparison.Ordinal),
        _ => false,
    };

    /// <summary>The refusal for <see cref="RunOptions.Refuse"/>: the message of the first failure that affects a write, or null.</summary>
    public static Func<PlannedWrite, string?>? Refusal(IReadOnlyList<Failure> failures)
    {
        var gating = failures.Where(f => Holds(f.Result.Name) is not null).ToList();
        if (gating.Count == 0) return null;
        return write => gating.FirstOrDefault(f => Affects(f.Result.Name, write)) is { } f ? "Refused: " + Message(f) : null;
    }

    /// <summary>Names the probe, what it observed and what to do.</summary>
    public static string Message(Failure f) =>
        $"The probe '{f.Result.Name}' of the connection '{f.Connection}' failed on {f.At.UtcDateTime:yyyy-MM-dd HH:mm} UTC "
        + $"(expected: {f.Result.Expected}; observed: {f.Result.Observed}), so {Holds(f.Result.Name)}. "
        + $"Run Test-CalSyncService -Connection '{f.Connection}' again: once it passes, the next Start-CalSync does this. "
        + $"If it still fails, the service behaves otherwise than {f.Result.Doc} says; see the entry there.";
}
