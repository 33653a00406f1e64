namespace CalSync.Benchmarks;

/// <summary>5: Import-Module of the built module in the hosted PowerShell engine, and the first Start-CalSync.</summary>
public static class ModuleScenario
{
    public static Task<List<Row>> RunAsync(BenchOptions o)
    {
        o.Log("[5] not implemented yet");
        return Task.FromResult(new List<Row>());
    }
}
