using CalSync.Bitrix24;
using CalSync.Bitrix24.Rest;
using CalSync.Engine.Sides;
using CalSync.Testing;
using Xunit;

namespace CalSync.Bitrix24.Tests;

public class LimitTests
{
    private static readonly SyncWindow Window = Make.Window(new DateTime(2025, 3, 1), new DateTime(2025, 3, 20));

    [Fact]
    public async Task Query_limit_is_backed_off_and_the_run_stays_under_the_bucket_rate()
    {
        // SCENARIO 31, scaled: the portal allows a burst of 5 and drains 10 a second.
        await using var portal = await Portal.StartAsync();
        portal.Service.Limits.BurstLimit = 5;
        portal.Service.Limits.DrainPerSecond = 10;
        portal.Service.SeedEvent(new Dictionary<string, object?> { ["name"] = "Lunch", ["from"] = "2025-03-05 12:00:00", ["to"] = "2025-03-05 13:00:00", ["timezone_from"] = "Europe/Berlin", ["section"] = portal.Service.DefaultSectionId });
        // The client drains at half the portal's rate with a smaller burst: both clocks are real, so requests held up
        // in flight (a GC pause, a busy machine) and arriving together must not push the portal's count over its limit.
        var options = portal.Options() with { RequestsPerSecond = 5, Burst = 3 };
        var one = portal.Side(options);
        var two = portal.Side(options);
        Assert.Same(one.Client.Bucket, two.Client.Bucket); // one bucket per portal, shared by every client in the process
        // A cold server answers its first requests slowly (JIT), which would bunch the first burst: warm it, then let
        // both buckets refill.
        await one.ReadAsync(Window, null, default);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var warm = portal.Http.Count;
        var retriesBefore = one.Client.Retries + two.Client.Retries;

        portal.Service.ForceQueryLimit(2);
        var reads = new List<Task<SideSnapshot>>();
        for (var i = 0; i < 12; i++) reads.Add((i % 2 == 0 ? one : two).ReadAsync(Window, null, default));
        var snapshots = await Task.WhenAll(reads);

        Assert.All(snapshots, s => Assert.Single(s.Events));
        // Only the two forced refusals were retried: the client bucket kept every other request under the portal's limit.
        Assert.Equal(2, one.Client.Retries + two.Client.Retries - retriesBefore);
        var delays = one.Client.RetryDelays.Concat(two.Client.RetryDelays).ToList();
        Assert.Equal(2, delays.Count);
        Assert.All(delays, d => Assert.True(d >= TimeSpan.FromMilliseconds(40)));
        var times = portal.Http.Skip(warm).Select(r => r.At).OrderBy(t => t).ToList();
        Assert.Equal(12 + 2, times.Count);
        for (var i = 0; i < times.Count; i++)
        {
            var inOneSecond = times.Count(t => t >= times[i] && t < times[i] + TimeSpan.FromSeconds(1));
            Assert.True(inOneSecond <= 5 + 10 + 1, $"{inOneSecond} requests within one second");
        }
    }

    [Fact]
    public async Task Without_the_shared_bucket_the_same_load_would_be_refused()
    {
        // The control for the test above: a client that ignores the portal's rate gets QUERY_LIMIT_EXCEEDED, and still completes by backing off.
        await using var portal = await Portal.StartAsync();
        portal.Service.Limits.BurstLimit = 3;
        portal.Service.Limits.DrainPerSecond = 10;
        var side = portal.Side(portal.Options() with { RequestsPerSecond = 1000, Burst = 1000, MaxRetries = 12 });
        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => side.ReadAsync(Window, null, default)));
        Assert.True(side.Client.Retries > 0);
    }

    [Fact]
    public async Task Operating_limit_waits_until_operating_reset_at()
    {
        var clock = new AdvancingClock();
        await using var portal = await Portal.StartAsync(clock: clock, rateLimit: false);
        portal.Service.Limits.OperatingLimitEnabled = true;
        portal.Service.Limits.OperatingLimit = TimeSpan.FromSeconds(5);
        portal.Service.Limits.SimulatedProcessingTime = TimeSpan.FromSeconds(3);
        portal.Service.SeedEvent(new Dictionary<string, object?> { ["name"] = "Lunch", ["from"] = "2025-03-05 12:00:00", ["to"] = "2025-03-05 13:00:00", ["timezone_from"] = "Europe/Berlin", ["section"] = portal.Service.DefaultSectionId });
        portal.Service.SeedEvent(new Dictionary<string, object?> { ["name"] = "Late", ["from"] = "2025-05-25 12:00:00", ["to"] = "2025-05-25 13:00:00", ["timezone_from"] = "Europe/Berlin", ["section"] = portal.Service.DefaultSectionId });
        var side = portal.Side(portal.Options() with { ReadChunkDays = 14 }, clock);
        var started = clock.GetUtcNow();

        var snapshot = await side.ReadAsync(Make.Window(new DateTime(2025, 3, 1), new DateTime(2025, 6, 1)), null, default);

        Assert.Equal(new[] { "Late", "Lunch" }, snapshot.Events.Select(e => e.Title).OrderBy(t => t));
        Assert.True(side.Client.Retries > 0);
        // Each wait ran until the portal's operating_reset_at (minutes away), not a short backoff.
        var waits = side.Client.RetryDelays;
        Assert.NotEmpty(waits);
        Assert.All(waits, w => Assert.InRange(w, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(11)));
        Assert.True(clock.GetUtcNow() - started + TimeSpan.FromSeconds(1) >= waits.Aggregate(TimeSpan.Zero, (a, b) => a + b), $"clock moved {clock.GetUtcNow() - started}; waits {string.Join(",", waits)}; timers {string.Join(",", clock.Waits)}");
        // The refused commands were sent again on their own.
        var batches = portal.Batches();
        Assert.True(batches.Count > 1);
        Assert.True(batches[^1].Commands.Count < batches[0].Commands.Count);
    }

    [Fact]
    public async Task Leaky_bucket_spaces_requests_after_the_burst()
    {
        var clock = new AdvancingClock();
        var bucket = new LeakyBucket(2, 3, clock);
        for (var i = 0; i < 3; i++) await bucket.AcquireAsync(default);
        Assert.Empty(clock.Waits);
        await bucket.AcquireAsync(default);
        await bucket.AcquireAsync(default);
        Assert.Equal(2, clock.Waits.Count);
        Assert.All(clock.Waits, w => Assert.InRange(w.TotalMilliseconds, 400, 1100));
    }
}
