using Xunit;

namespace CalSync.Sandbox.Tests.Graph;

/// <summary>Recurrence patterns and ranges expand to the dates Outlook shows (checked through /instances).</summary>
public sealed class GraphRecurrenceTests(GraphFixture fixture) : IClassFixture<GraphFixture>
{
    private async Task<List<string>> StartsAsync(string pattern, string range, string start = "2032-01-05T09:00:00", string zone = "UTC", string to = "2033-01-01T00:00:00Z")
    {
        var json = $$$"""
            {"subject":"r","start":{"dateTime":"{{{start}}}","timeZone":"{{{zone}}}"},"end":{"dateTime":"{{{start[..11]}}}10:00:00","timeZone":"{{{zone}}}"},
             "recurrence":{"pattern":{{{pattern}}},"range":{{{range}}}}}
            """;
        var id = fixture.Service.SeedEvent(json);
        var (status, body, _) = await fixture.GetAsync($"me/events/{Uri.EscapeDataString(id)}/instances?startDateTime=2032-01-01T00:00:00Z&endDateTime={to}&$top=100");
        Assert.Equal(200, status);
        return body!["value"]!.AsArray().Select(i => i!["start"]!["dateTime"]!.GetValue<string>()[..16]).ToList();
    }

    [Fact]
    public async Task Daily_every_second_day_numbered()
    {
        Assert.Equal(["2032-01-05T09:00", "2032-01-07T09:00", "2032-01-09T09:00"],
            await StartsAsync("""{"type":"daily","interval":2}""", """{"type":"numbered","startDate":"2032-01-05","numberOfOccurrences":3}"""));
    }

    [Fact]
    public async Task Weekly_on_two_days_every_other_week_until_an_end_date()
    {
        // 2032-01-05 is a Monday.
        Assert.Equal(["2032-01-05T09:00", "2032-01-07T09:00", "2032-01-19T09:00", "2032-01-21T09:00"],
            await StartsAsync("""{"type":"weekly","interval":2,"daysOfWeek":["Monday","wednesday"]}""", """{"type":"endDate","startDate":"2032-01-05","endDate":"2032-01-25"}"""));
    }

    [Fact]
    public async Task Absolute_monthly_on_the_31st_falls_on_the_last_day_of_short_months()
    {
        Assert.Equal(["2032-01-31T09:00", "2032-02-29T09:00", "2032-03-31T09:00", "2032-04-30T09:00"],
            await StartsAsync("""{"type":"absoluteMonthly","interval":1,"dayOfMonth":31}""", """{"type":"numbered","startDate":"2032-01-31","numberOfOccurrences":4}""", start: "2032-01-31T09:00:00"));
    }

    [Fact]
    public async Task Relative_monthly_last_friday_and_relative_yearly_second_tuesday_of_march()
    {
        Assert.Equal(["2032-01-30T09:00", "2032-02-27T09:00", "2032-03-26T09:00"],
            await StartsAsync("""{"type":"relativeMonthly","interval":1,"daysOfWeek":["friday"],"index":"last"}""", """{"type":"numbered","startDate":"2032-01-05","numberOfOccurrences":3}"""));
        Assert.Equal(["2032-03-09T09:00", "2033-03-08T09:00"],
            await StartsAsync("""{"type":"relativeYearly","interval":1,"daysOfWeek":["tuesday"],"index":"second","month":3}""", """{"type":"numbered","startDate":"2032-01-05","numberOfOccurrences":2}""", to: "2034-01-01T00:00:00Z"));
    }

    [Fact]
    public async Task Absolute_yearly_and_no_end_series_are_bounded_by_the_window()
    {
        Assert.Equal(["2032-07-04T09:00", "2033-07-04T09:00"],
            await StartsAsync("""{"type":"absoluteYearly","interval":1,"dayOfMonth":4,"month":7}""", """{"type":"noEnd","startDate":"2032-01-05"}""", to: "2034-01-01T00:00:00Z"));
    }

    [Fact]
    public async Task Occurrences_keep_their_wall_time_across_daylight_saving_in_the_recurrence_zone()
    {
        // 09:00 Berlin is 08:00 UTC in winter and 07:00 UTC in summer (DST began 2032-03-28).
        Assert.Equal(["2032-03-22T08:00", "2032-03-29T07:00"],
            await StartsAsync("""{"type":"weekly","interval":1,"daysOfWeek":["monday"]}""", """{"type":"numbered","startDate":"2032-03-22","numberOfOccurrences":2,"recurrenceTimeZone":"Europe/Berlin"}""",
                start: "2032-03-22T09:00:00", zone: "Europe/Berlin"));
    }

    [Fact]
    public async Task Invalid_patterns_are_rejected()
    {
        var (status, body, _) = await fixture.SendAsync(HttpMethod.Post, "me/events", """
            {"subject":"bad","start":{"dateTime":"2032-01-05T09:00:00","timeZone":"UTC"},"end":{"dateTime":"2032-01-05T10:00:00","timeZone":"UTC"},
             "recurrence":{"pattern":{"type":"weekly","interval":1},"range":{"type":"noEnd","startDate":"2032-01-05"}}}
            """);
        Assert.Equal(400, status);
        Assert.Equal("ErrorPropertyValidationFailure", body!["error"]!["code"]!.GetValue<string>());
        var (enumStatus, enumBody, _) = await fixture.SendAsync(HttpMethod.Post, "me/events", """
            {"subject":"bad","start":{"dateTime":"2032-01-05T09:00:00","timeZone":"UTC"},"end":{"dateTime":"2032-01-05T10:00:00","timeZone":"UTC"},
             "recurrence":{"pattern":{"type":"fortnightly","interval":1},"range":{"type":"noEnd","startDate":"2032-01-05"}}}
            """);
        Assert.Equal(400, enumStatus);
        Assert.Equal("RequestBodyRead", enumBody!["error"]!["code"]!.GetValue<string>());
    }
}
