using CalSync.Sandbox.Bitrix24;
using CalSync.Sandbox.Graph;

namespace CalSync.Sandbox;

/// <summary>What to start: both stand-ins on loopback, optionally seeded with the quick-start sample.</summary>
public sealed record SandboxOptions
{
    /// <summary>0 picks a free port.</summary>
    public int GraphPort { get; init; }
    /// <summary>0 picks a free port.</summary>
    public int Bitrix24Port { get; init; }
    /// <summary>Seed both calendars with two weeks of realistic sample meetings.</summary>
    public bool SeedSample { get; init; }
    /// <summary>Bitrix24 portal culture: "en" or "de".</summary>
    public string Bitrix24Culture { get; init; } = "en";
    /// <summary>The day the sample is built around (default: today, UTC).</summary>
    public DateTime? SampleAnchorUtc { get; init; }
}

/// <summary>Both stand-ins, started together (the <c>serve</c> command, the quick start and the tests use this).</summary>
public sealed class SandboxHost : IAsyncDisposable
{
    private SandboxHost(GraphService graph, Bitrix24Service bitrix24)
    {
        Graph = graph;
        Bitrix24 = bitrix24;
    }

    public GraphService Graph { get; }
    public Bitrix24Service Bitrix24 { get; }

    public static async Task<SandboxHost> StartAsync(SandboxOptions options, CancellationToken cancellationToken = default)
    {
        var graph = await GraphService.StartAsync(new GraphServiceOptions { Port = options.GraphPort }, cancellationToken);
        try
        {
            var bitrix24 = await Bitrix24Service.StartAsync(new Bitrix24ServiceOptions { Port = options.Bitrix24Port, Culture = options.Bitrix24Culture }, cancellationToken);
            var host = new SandboxHost(graph, bitrix24);
            if (options.SeedSample) SampleData.Seed(host, options.SampleAnchorUtc ?? DateTime.UtcNow);
            return host;
        }
        catch
        {
            await graph.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Bitrix24.DisposeAsync();
        await Graph.DisposeAsync();
    }
}
