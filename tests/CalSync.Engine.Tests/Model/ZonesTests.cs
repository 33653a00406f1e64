using CalSync.Engine.Model;
using Xunit;

namespace CalSync.Engine.Tests.Model;

/// <summary>Wall clocks on DST nights read as RFC 5545 §3.3.5 says (what Ical.Net, PHP and the stand-ins do).</summary>
public sealed class ZonesTests
{
    [Theory]
    // Skipped: read with the offset before the gap.
    [InlineData("Europe/Berlin", "2026-03-29 02:30", "2026-03-29 01:30")]
    [InlineData("Australia/Lord_Howe", "2026-10-04 02:15", "2026-10-03 15:45")]
    // Twice: the first of the two.
    [InlineData("Europe/Berlin", "2026-10-25 02:30", "2026-10-25 00:30")]
    [InlineData("America/New_York", "2026-11-01 01:30", "2026-11-01 05:30")]
    [InlineData("Australia/Lord_Howe", "2026-04-05 01:45", "2026-04-04 14:45")]
    // Ordinary times are unaffected.
    [InlineData("Asia/Kathmandu", "2026-06-01 09:00", "2026-06-01 03:15")]
    public void Wall_clock_on_DST_nights_reads_as_RFC5545(string zone, string wall, string utc)
    {
        var parsed = DateTime.Parse(wall, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(DateTime.Parse(utc, System.Globalization.CultureInfo.InvariantCulture), Zones.ToUtc(parsed, zone));
        Assert.Equal(DateTimeKind.Utc, Zones.ToUtc(parsed, zone).Kind);
    }
}
