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

    [Fact]
    public void An_occurrence_spanning_a_DST_change_keeps_its_exact_length()
    {
        // Saturdays 22:30-02:30 in Chicago; on 31 October 2026 the night has an extra hour (02:00 CDT -> 01:00 CST).
        var series = new CalEvent
        {
            Id = "s",
            Start = EventTime.FromLocal(new DateTime(2026, 10, 24, 22, 30, 0), "America/Chicago"),
            End = EventTime.FromLocal(new DateTime(2026, 10, 25, 2, 30, 0), "America/Chicago"),
            Recurrence = new Recurrence { Kind = RecurrenceKind.Weekly, DaysOfWeek = new[] { DayOfWeek.Saturday }, Count = 2 },
        };
        var second = RecurrenceExpander.Expand(series, new DateTime(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc))[1].Event;
        Assert.Equal(new DateTime(2026, 11, 1, 3, 30, 0, DateTimeKind.Utc), second.Start.Value);
        Assert.Equal(TimeSpan.FromHours(4), second.End.Value - second.Start.Value);
    }
}
