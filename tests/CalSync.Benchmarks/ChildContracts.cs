namespace CalSync.Benchmarks;

// What the benchmark and its child processes exchange as JSON (compiled into CalSync.Benchmarks.PowerShellHost too).

/// <summary>What the PowerShell child runs: a setup script, then measured scripts one after another (one runspace).</summary>
public sealed record PsJob
{
    public string StoreRoot { get; init; } = "";
    public string Manifest { get; init; } = "";
    public Dictionary<string, string> Variables { get; init; } = new();
    public string Setup { get; init; } = "";
    public List<string> Measured { get; init; } = new();
}

/// <summary>What the child reports: per-sync outcomes and the process's own CPU and memory.</summary>
public sealed record JobResult
{
    public List<string> Outcomes { get; init; } = new();
    public int Created { get; init; }
    public int Updated { get; init; }
    public int Deleted { get; init; }
    public int Matched { get; init; }
    public int Failed { get; init; }
    /// <summary>Writes the engine made on each side (creates + updates + deletes).</summary>
    public int OutlookWrites { get; init; }
    public int Bitrix24Writes { get; init; }
    public int OutlookBatches { get; init; }
    public int Bitrix24Requests { get; init; }
    /// <summary>Bitrix24 requests sent again after a rate-limit or transient failure.</summary>
    public int Bitrix24Retries { get; init; }
    public double WallSeconds { get; init; }
    /// <summary>CPU (user+sys) of the runs only.</summary>
    public double CpuRunSeconds { get; init; }
    /// <summary>CPU (user+sys) of the whole process, runtime start and JIT included.</summary>
    public double CpuProcessSeconds { get; init; }
    public double PeakWorkingSetMB { get; init; }
    public double PeakGcHeapMB { get; init; }
    public double AllocatedMB { get; init; }
    public long StateFileBytes { get; init; }
    public string? Error { get; init; }
    /// <summary>With --profile: one line a phase, wall, CPU and allocations since the previous mark.</summary>
    public List<string> Phases { get; init; } = new();
}
