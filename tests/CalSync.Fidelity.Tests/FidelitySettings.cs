namespace CalSync.Fidelity.Tests;

/// <summary>The corpus seed and sizes; CALSYNC_FIDELITY_FULL=1 runs the whole corpus everywhere.</summary>
public static class FidelitySettings
{
    public const int Seed = 20260110;

    public static bool Full => Environment.GetEnvironmentVariable("CALSYNC_FIDELITY_FULL") == "1";

    /// <summary>Meetings in the in-process round trip: the whole corpus, or a seeded subset by default.</summary>
    public static int InProcessSize => Full ? int.MaxValue : 260;

    /// <summary>Meetings in each process-time-zone run.</summary>
    public static int PerZoneSize => Full ? int.MaxValue : 90;
}
