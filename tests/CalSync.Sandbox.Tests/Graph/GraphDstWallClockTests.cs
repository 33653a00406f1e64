using CalSync.Sandbox.Graph;
using Xunit;

namespace CalSync.Sandbox.Tests.Graph;

/// <summary>Wall clocks on DST nights: a skipped time moves forward by the gap, a repeated time is the first (RFC 5545 §3.3.5).</summary>
public sealed class GraphDstWallClockTests
{
    [Theory]
    [InlineData("2026-10-25T02:30:00", "2026-10-25T00:30:00")] // twice in Berlin: the first (CEST)
    [InlineData("2026-03-29T02:30:00", "2026-03-29T01:30:00")] // skipped: 03:30 CEST
    public async Task Start_of_a_DST_night_wall_clock(string local, string utc)
    {
        await using var g = await GraphService.StartAsync(new GraphServiceOptions());
        g.SeedEvent("""{"subject":"Night","start":{"dateTime":"LOCAL","timeZone":"W. Europe Standard Time"},"end":{"dateTime":"2026-10-25T05:00:00","timeZone":"W. Europe Standard Time"}}""".Replace("LOCAL", local));
        var e = Assert.Single(g.GetEvents());
        Assert.StartsWith(utc, e["start"]!["dateTime"]!.GetValue<string>());
    }
}
