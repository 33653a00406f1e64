using System.Net;
using Xunit;

namespace CalSync.Sandbox.Tests.Bitrix24;

/// <summary>Leaky bucket and operating limit (docs/bitrix24-api.md, "Limits"), driven by the manual clock.</summary>
public sealed class LimitsTests
{
    private static Task<Reply> Read(Bitrix24TestPortal b24) => b24.CallAsync("calendar.section.get", new { type = "user" });

    [Fact]
    public async Task Burst_of_50_then_503_query_limit_exceeded_and_recovery_at_2_per_second()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync(rateLimit: true);
        for (var i = 0; i < 49; i++) Assert.Equal(HttpStatusCode.OK, (await Read(b24)).Status);
        // A batch of several commands counts once.
        var batch = await b24.CallAsync("batch", new { cmd = new[] { "calendar.section.get?type=user", "calendar.section.get?type=user" } });
        Assert.Equal(HttpStatusCode.OK, batch.Status);

        var refused = await Read(b24);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.Status);
        Assert.Equal("""{"error":"QUERY_LIMIT_EXCEEDED","error_description":"Too many requests"}""", refused.Body!.ToJsonString());

        b24.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, (await Read(b24)).Status);
        Assert.Equal(HttpStatusCode.OK, (await Read(b24)).Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await Read(b24)).Status);

        b24.Clock.Advance(TimeSpan.FromSeconds(25));
        for (var i = 0; i < 50; i++) Assert.Equal(HttpStatusCode.OK, (await Read(b24)).Status);
    }

    [Fact]
    public async Task Enterprise_plan_and_forced_refusals()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync(rateLimit: true);
        b24.Service.Limits.UseEnterprisePlan();
        for (var i = 0; i < 60; i++) Assert.Equal(HttpStatusCode.OK, (await Read(b24)).Status);

        b24.Service.ForceQueryLimit(2);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await Read(b24)).Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await Read(b24)).Status);
        Assert.Equal(HttpStatusCode.OK, (await Read(b24)).Status);
    }

    [Fact]
    public async Task Operating_time_blocks_one_method_with_429_until_the_buckets_expire()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        b24.Service.Limits.OperatingLimitEnabled = true;
        b24.Service.Limits.OperatingLimit = TimeSpan.FromSeconds(250);
        b24.Service.Limits.SimulatedProcessingTime = TimeSpan.FromSeconds(100);
        var query = new { type = "user", ownerId = 1, from = "2024-12-01", to = "2024-12-31" };

        var operating = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            var ok = await b24.CallAsync("calendar.event.get", query);
            Assert.Equal(HttpStatusCode.OK, ok.Status);
            operating.Add(ok.Body!["time"]!["operating"]!.GetValue<double>());
            Assert.Equal((Bitrix24TestPortal.DefaultNow.ToUnixTimeSeconds() / 60 + 10) * 60, (long)ok.Body["time"]!["operating_reset_at"]!);
        }
        Assert.Equal([100, 200, 300], operating.Select(o => Math.Round(o / 100) * 100).ToArray());

        var blocked = await b24.CallAsync("calendar.event.get", query);
        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.Status);
        Assert.Equal("OPERATION_TIME_LIMIT", blocked.Error);
        Assert.Equal("Method is blocked due to operation time limit.", blocked.Description);
        Assert.Equal(HttpStatusCode.OK, (await Read(b24)).Status); // other methods keep working

        b24.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(HttpStatusCode.OK, (await b24.CallAsync("calendar.event.get", query)).Status);
    }
}
