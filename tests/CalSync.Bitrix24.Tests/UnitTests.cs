using System.Globalization;
using System.Text.Json;
using CalSync.Bitrix24;
using CalSync.Bitrix24.Wire;
using CalSync.Bitrix24.Rest;
using CalSync.Engine.Model;
using Xunit;

namespace CalSync.Bitrix24.Tests;

public class CannotExpressTests
{
    private static readonly Bitrix24CalendarSide Side = new(new Bitrix24ConnectionOptions { WebhookUrl = "https://example.bitrix24.com/rest/1/abcdefgh/" });

    private static CalEvent Series(DateTime localStart, Recurrence r) => Make.Timed("S", localStart, TimeSpan.FromHours(1)) with { Recurrence = r };

    [Fact]
    public void Expressible_patterns_pass()
    {
        Assert.Null(Side.CannotExpress(new Recurrence { Kind = RecurrenceKind.Daily, Interval = 3 }, Series(new DateTime(2025, 3, 3, 9, 0, 0), new Recurrence())));
        var weekly = new Recurrence { Kind = RecurrenceKind.Weekly, Interval = 2, DaysOfWeek = new[] { DayOfWeek.Monday, DayOfWeek.Friday }, Count = 10 };
        Assert.Null(Side.CannotExpress(weekly, Series(new DateTime(2025, 3, 3, 9, 0, 0), weekly)));
        var monthly = new Recurrence { Kind = RecurrenceKind.AbsoluteMonthly, DayOfMonth = 15 };
        Assert.Null(Side.CannotExpress(monthly, Series(new DateTime(2025, 3, 15, 9, 0, 0), monthly)));
        var yearly = new Recurrence { Kind = RecurrenceKind.AbsoluteYearly, DayOfMonth = 10, Month = 3 };
        Assert.Null(Side.CannotExpress(yearly, Series(new DateTime(2025, 3, 10, 9, 0, 0), yearly)));
    }

    [Fact]
    public void Relative_patterns_are_refused()
    {
        var r = new Recurrence { Kind = RecurrenceKind.RelativeMonthly, DaysOfWeek = new[] { DayOfWeek.Tuesday }, Index = WeekIndex.Second };
        Assert.Contains("relative", Side.CannotExpress(r, Series(new DateTime(2025, 3, 11, 9, 0, 0), r)));
        var y = new Recurrence { Kind = RecurrenceKind.RelativeYearly, DaysOfWeek = new[] { DayOfWeek.Monday }, Index = WeekIndex.Last, Month = 5 };
        Assert.NotNull(Side.CannotExpress(y, Series(new DateTime(2025, 5, 26, 9, 0, 0), y)));
    }

    [Theory]
    [InlineData(29)]
    [InlineData(30)]
    [InlineData(31)]
    public void Monthly_on_the_29th_to_31st_is_refused(int day)
    {
        var r = new Recurrence { Kind = RecurrenceKind.AbsoluteMonthly, DayOfMonth = day };
        Assert.Contains("1st of the next month", Side.CannotExpress(r, Series(new DateTime(2025, 1, day, 9, 0, 0), r)));
    }

    [Fact]
    public void A_cancelled_occurrence_is_refused()
    {
        var r = new Recurrence { Kind = RecurrenceKind.Weekly, DaysOfWeek = new[] { DayOfWeek.Monday }, Cancelled = new[] { new DateTime(2025, 3, 10) } };
        Assert.Contains("single occurrence", Side.CannotExpress(r, Series(new DateTime(2025, 3, 3, 9, 0, 0), r)));
    }

    [Fact]
    public void Multi_week_pattern_that_depends_on_the_first_day_of_the_week_is_refused()
    {
        var sundayWeeks = new Recurrence { Kind = RecurrenceKind.Weekly, Interval = 2, DaysOfWeek = new[] { DayOfWeek.Sunday, DayOfWeek.Wednesday }, FirstDayOfWeek = DayOfWeek.Sunday };
        Assert.Contains("Monday", Side.CannotExpress(sundayWeeks, Series(new DateTime(2025, 3, 2, 9, 0, 0), sundayWeeks)));
        var mondayWeeks = sundayWeeks with { FirstDayOfWeek = DayOfWeek.Monday };
        Assert.Null(Side.CannotExpress(mondayWeeks, Series(new DateTime(2025, 3, 2, 9, 0, 0), mondayWeeks)));
        var weekly = sundayWeeks with { Interval = 1 };
        Assert.Null(Side.CannotExpress(weekly, Series(new DateTime(2025, 3, 2, 9, 0, 0), weekly)));
    }

    [Fact]
    public void Other_unstorable_shapes_are_refused()
    {
        var offDay = new Recurrence { Kind = RecurrenceKind.Weekly, DaysOfWeek = new[] { DayOfWeek.Tuesday } };
        Assert.NotNull(Side.CannotExpress(offDay, Series(new DateTime(2025, 3, 3, 9, 0, 0), offDay))); // starts on a Monday
        var otherDay = new Recurrence { Kind = RecurrenceKind.AbsoluteMonthly, DayOfMonth = 5 };
        Assert.NotNull(Side.CannotExpress(otherDay, Series(new DateTime(2025, 3, 3, 9, 0, 0), otherDay)));
        var leap = new Recurrence { Kind = RecurrenceKind.AbsoluteYearly, DayOfMonth = 29, Month = 2 };
        Assert.NotNull(Side.CannotExpress(leap, Series(new DateTime(2028, 2, 29, 9, 0, 0), leap)));
    }
}

public class WireFormatTests
{
    [Fact]
    public void Batch_commands_percent_encode_values_and_use_php_array_names()
    {
        var command = CommandEncoder.Encode("calendar.event.add", new List<KeyValuePair<string, object?>>
        {
            new("name", "C++ & a+b=c #1"),
            new("from", "2025-03-20T15:00:00+02:00"),
            new("section", new List<object?> { "21", "44" }),
            new("rrule", new Dictionary<string, object?> { ["FREQ"] = "WEEKLY", ["BYDAY"] = new List<string> { "MO", "WE" } }),
            new("remind", new List<object?> { new Dictionary<string, object?> { ["type"] = "min", ["count"] = 15 } }),
            new("id", BatchReference.Result("o1_0")),
        });
        Assert.Equal(
            "calendar.event.add?name=C%2B%2B%20%26%20a%2Bb%3Dc%20%231&from=2025-03-20T15%3A00%3A00%2B02%3A00&section[]=21&section[]=44"
            + "&rrule[FREQ]=WEEKLY&rrule[BYDAY][]=MO&rrule[BYDAY][]=WE&remind[0][type]=min&remind[0][count]=15&id=$result[o1_0]",
            command);
    }

    [Fact]
    public void A_captured_cloud_row_is_read_from_the_formatted_fields_not_the_skewed_timestamp()
    {
        // A Russian-locale cloud portal whose server ran at +03:00: DATE_FROM_TS_UTC is 3 h off (docs/bitrix24-api.md, "Portal culture and dates").
        const string json = """
        {"ID":"3042","PARENT_ID":"3042","ACTIVE":"Y","DELETED":"N","CAL_TYPE":"user","OWNER_ID":"1","NAME":"New event",
         "DATE_FROM":"01.11.2025 11:59:00","DATE_TO":"01.11.2025 12:59:00","ORIGINAL_DATE_FROM":null,
         "TZ_FROM":"Europe/Minsk","TZ_TO":"Europe/Minsk","TZ_OFFSET_FROM":"10800","TZ_OFFSET_TO":"10800",
         "DATE_FROM_TS_UTC":"1761976769","DATE_TO_TS_UTC":"1764583140","DT_SKIP_TIME":"N","DT_LENGTH":3600,
         "EVENT_TYPE":null,"CREATED_BY":"1","DATE_CREATE":"31.10.2025 14:59:29","TIMESTAMP_X":"31.10.2025 14:59:29",
         "DESCRIPTION":"[b]Event[/b] description, see [url=https://example.com]the plan[/url]","DT_FROM":null,"DT_TO":null,"PRIVATE_EVENT":"1","ACCESSIBILITY":"quest",
         "IMPORTANCE":"normal","IS_MEETING":true,"MEETING_STATUS":"H","MEETING_HOST":"1",
         "MEETING":{"HOST_NAME":"...","NOTIFY":true,"MAIL_FROM":false},
         "LOCATION":"Office","REMIND":[{"type":"day","count":1}],"COLOR":"#230000","TEXT_COLOR":"",
         "RRULE":{"FREQ":"DAILY","COUNT":3,"INTERVAL":10,"UNTIL":"11.11.2025","~UNTIL":"11.11.2025","UNTIL_TS":1762819200},
         "EXDATE":"","VERSION":"1","ATTENDEES_CODES":["U1","U10"],
         "RECURRENCE_ID":null,"RELATIONS":"","SECTION_ID":"1648","SYNC_STATUS":null,"UF_CRM_CAL_EVENT":false,
         "UF_WEBDAV_CAL_EVENT":false,"SECTION_DAV_XML_ID":null,"DATE_FROM_FORMATTED":"Sat Nov 01 2025 11:59:00",
         "DATE_TO_FORMATTED":"Sat Nov 01 2025 12:59:00","IS_DAYLIGHT_SAVING_TZ":"N","SECT_ID":"1648","OPTIONS":null,
         "ATTENDEE_LIST":[{"id":1,"entryId":"3042","status":"H"},{"id":10,"entryId":"3044","status":"Y"}],
         "~DATE_FROM":"01.11.2025 11:59:00","~DATE_TO":"01.11.2025 12:59:00","RINDEX":0}
        """;
        using var doc = JsonDocument.Parse(json);
        var row = EventRow.Parse(doc.RootElement.Clone());
        var e = row.ToCalEvent(row.Id, TimeSpan.FromHours(3));
        Assert.Equal(new DateTime(2025, 11, 1, 8, 59, 0), e.Start.Value);
        Assert.Equal("Europe/Minsk", e.Start.TimeZone);
        Assert.Equal(ShowAs.Tentative, e.ShowAs);
        Assert.Equal(Sensitivity.Private, e.Sensitivity);
        Assert.Equal(1440, e.ReminderMinutes);
        Assert.Equal("Event description, see the plan (https://example.com)", e.Description);
        Assert.Equal(new DateTimeOffset(2025, 10, 31, 11, 59, 29, TimeSpan.Zero), e.LastModified);
        var attendee = Assert.Single(e.Attendees);
        Assert.Equal(AttendeeResponse.Accepted, attendee.Response);
        Assert.True(row.IsSeries);
        var r = row.ToRecurrence(row.SeriesStart!);
        Assert.Equal((RecurrenceKind.Daily, 10, (int?)3, (DateTime?)null), (r.Kind, r.Interval, r.Count, r.Until));
    }

    [Theory]
    [InlineData("12/11/2024 05:59:00 pm", 2024, 12, 11, 17, 59)]
    [InlineData("12/11/2024 12:05:00 am", 2024, 12, 11, 0, 5)]
    [InlineData("11.12.2024 17:59:00", 2024, 12, 11, 17, 59)]
    [InlineData("12/11/2024", 2024, 12, 11, 0, 0)]
    [InlineData("11.12.2024", 2024, 12, 11, 0, 0)]
    [InlineData("Wed Dec 11 2024 17:59:00", 2024, 12, 11, 17, 59)]
    public void Culture_dates_of_en_and_de_portals_are_read(string text, int y, int mo, int d, int h, int mi)
    {
        Assert.Equal(new DateTime(y, mo, d, h, mi, 0), Bitrix24Dates.ParseCulture(text));
    }

    [Fact]
    public void Polymorphic_and_string_typed_fields_are_tolerated()
    {
        using var doc = JsonDocument.Parse("""
        {"ID":12,"NAME":"x","DT_SKIP_TIME":"Y","DATE_FROM":"03/10/2025","DATE_TO":"03/10/2025","RRULE":"","RELATIONS":"","PRIVATE_EVENT":"",
         "REMIND":[],"ATTENDEE_LIST":[],"RECURRENCE_ID":"0","VERSION":3,"TZ_FROM":"","EXDATE":false,"MEETING":null}
        """);
        var row = EventRow.Parse(doc.RootElement.Clone());
        Assert.Equal("12", row.Id);
        Assert.Equal("3", row.Version);
        Assert.False(row.IsSeries);
        Assert.False(row.IsException);
        Assert.Equal(EventTime.AllDay(new DateTime(2025, 3, 10)), row.Start);
        Assert.Equal(EventTime.AllDay(new DateTime(2025, 3, 11)), row.End);
        Assert.Null(row.ReminderMinutes);
    }
}
