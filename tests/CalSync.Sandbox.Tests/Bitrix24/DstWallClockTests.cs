using Xunit;

namespace CalSync.Sandbox.Tests.Bitrix24;

/// <summary>Wall clocks on DST nights: a skipped time moves forward by the gap, a repeated time is the first (PHP, RFC 5545).</summary>
public sealed class DstWallClockTests
{
    [Fact]
    public async Task A_wall_clock_that_occurs_twice_is_the_first()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var id = await b24.AddAsync(new { type = "user", ownerId = 1, name = "Night", from = "2026-10-25 02:30:00", to = "2026-10-25 04:00:00", timezone_from = "Europe/Berlin", timezone_to = "Europe/Berlin" });
        var e = (await b24.GetByIdAsync(id))!;
        JsonAssert.String("7200", e["TZ_OFFSET_FROM"]); // still CEST
        Assert.Equal(2.5 * 3600, (double)e["DT_LENGTH"]!); // 00:30Z to 03:00Z
    }

    [Fact]
    public async Task A_skipped_wall_clock_moves_forward_by_the_gap()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var id = await b24.AddAsync(new { type = "user", ownerId = 1, name = "Night", from = "2026-03-29 02:30:00", to = "2026-03-29 04:00:00", timezone_from = "Europe/Berlin", timezone_to = "Europe/Berlin" });
        var e = (await b24.GetByIdAsync(id))!;
        Assert.Equal(1800, (double)e["DT_LENGTH"]!); // 02:30 is 03:30 CEST (01:30Z); 04:00 CEST is 02:00Z
    }
}
