using System.Net;
using System.Text;
using System.Text.Json;
using CalSync.Bitrix24;
using CalSync.Bitrix24.Wire;
using CalSync.Bitrix24.Rest;
using Xunit;

namespace CalSync.Bitrix24.Tests;

/// <summary>
/// The window read parses <c>calendar.event.get</c> results straight from the answer (<see cref="EventRow.Read"/>,
/// <see cref="BatchAnswer"/>): it must read what the document path (<see cref="EventRow.Parse"/>) reads.
/// </summary>
public class BatchAnswerTests
{
    // Rows that exercise the tolerant reads: numbers as strings and as numbers, maps as objects or [], escaped names,
    // both cultures, TZ_FROM/TZ_TO, RRULE objects and "", EXDATE, RECURRENCE_ID / ORIGINAL_DATE_FROM, meetings.
    private static readonly string[] Rows =
    {
        """
        {"ID":"3042","PARENT_ID":"3042","NAME":"New event","DATE_FROM":"01.11.2025 11:59:00","DATE_TO":"01.11.2025 12:59:00","ORIGINAL_DATE_FROM":null,
         "TZ_FROM":"Europe/Minsk","TZ_TO":"Europe/Minsk","DT_SKIP_TIME":"N","DT_LENGTH":3600,"TIMESTAMP_X":"31.10.2025 14:59:29",
         "DESCRIPTION":"[b]Event[/b] description, see [url=https://example.com]the plan[/url]","PRIVATE_EVENT":"1","ACCESSIBILITY":"quest",
         "IMPORTANCE":"normal","IS_MEETING":true,"MEETING_STATUS":"H","MEETING_HOST":"1","MEETING":{"HOST_NAME":"...","NOTIFY":true},
         "LOCATION":"Office","REMIND":[{"type":"day","count":1},{"type":"min","count":"30"}],
         "RRULE":{"FREQ":"DAILY","COUNT":3,"INTERVAL":10,"UNTIL":"11.11.2025","~UNTIL":"11.11.2025","UNTIL_TS":1762819200},
         "EXDATE":"04.11.2025;06.11.2025","VERSION":"1","ATTENDEES_CODES":["U1","U10"],"RECURRENCE_ID":null,"SECTION_ID":"1648",
         "DATE_FROM_FORMATTED":"Sat Nov 01 2025 11:59:00","DATE_TO_FORMATTED":"Sat Nov 01 2025 12:59:00","SECT_ID":"1648",
         "ATTENDEE_LIST":[{"id":1,"entryId":"3042","status":"H"},{"id":10,"entryId":"3044","status":"Y"},{"id":"11","status":"N"}],
         "~DATE_FROM":"01.11.2025 11:59:00","~DATE_TO":"01.11.2025 12:59:00","RINDEX":0}
        """,
        """
        {"ID":12,"NAME":"x","DT_SKIP_TIME":"Y","DATE_FROM":"03/10/2025","DATE_TO":"03/10/2025","RRULE":"","RELATIONS":"","PRIVATE_EVENT":"",
         "REMIND":[],"ATTENDEE_LIST":[],"RECURRENCE_ID":"0","VERSION":3,"TZ_FROM":"","EXDATE":false,"MEETING":null}
        """,
        """
        {"ID":"77","PARENT_ID":77,"\u004eAME":"escaped name","SECT_ID":9,"DATE_FROM":"12/11/2024 05:59:00 pm","DATE_TO":"12/11/2024 07:00:00 pm",
         "TZ_FROM":"America/New_York","TZ_TO":"Europe/London","REMIND":{"0":{"type":"hour","count":"2"},"1":"junk",
         "2":{"type":"min","count":45.0}},"PRIVATE_EVENT":1,"IS_MEETING":"Y","MEETING_HOST":10,
         "ATTENDEE_LIST":{"a":{"id":10,"status":"Y"},"b":{"id":"12","status":"Q"}},"RECURRENCE_ID":"70","ORIGINAL_DATE_FROM":"12/10/2024 05:00:00 pm",
         "VERSION":"4","TIMESTAMP_X":"12/01/2024 09:00:00 am","ACCESSIBILITY":null,"IMPORTANCE":"high","LOCATION":null,"EXTRA":{"deep":[1,[2,{"x":3}]]}}
        """,
        """
        {"ID":"80","NAME":"weekly","DATE_FROM":"02.12.2024 09:00:00","DATE_TO":"02.12.2024 10:00:00","TZ_FROM":"Europe/Berlin",
         "RRULE":{"FREQ":"WEEKLY","INTERVAL":"2","BYDAY":{"MO":"MO","WE":"WE"},"UNTIL":"01.01.2038","~UNTIL":""},
         "DATE_FROM_FORMATTED":"Mon Dec 02 2024 09:00:00","DATE_TO_FORMATTED":"Mon Dec 2 2024 10:00:00","IS_MEETING":false,
         "ATTENDEE_LIST":[{"id":3,"status":"Y"}],"VERSION":"2","RRULE":{"FREQ":"MONTHLY","INTERVAL":1}}
        """,
        "null",
        "[1,2]",
    };

    [Fact]
    public void Rows_read_from_the_answer_equal_rows_parsed_from_a_document()
    {
        foreach (var json in Rows)
        {
            using var doc = JsonDocument.Parse(json);
            var parsed = EventRow.Parse(doc.RootElement.Clone());
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
            reader.Read();
            var read = EventRow.Read(ref reader);
            Assert.False(reader.Read()); // left on the row's end
            AssertSame(parsed, read);
        }
    }

    /// <summary>A whole answer read at once, with the event rows it streamed.</summary>
    private static (JsonElement Envelope, Dictionary<string, List<EventRow>> Rows) Read(ReadOnlySpan<byte> json, Func<string, bool> rowKeys)
    {
        var rows = new EventRows(rowKeys);
        return (BatchAnswer.Read(json, rows), rows.ByKey);
    }

    /// <summary>An answer read as it arrives from <paramref name="stream"/>, with the event rows it streamed.</summary>
    private static async Task<(JsonElement Envelope, Dictionary<string, List<EventRow>> Rows)> ReadAsync(Func<string, bool> rowKeys, int gather, Stream stream)
    {
        var rows = new EventRows(rowKeys);
        return (await BatchAnswer.For(rows, gather).ReadAsync(stream, CancellationToken.None), rows.ByKey);
    }

    [Fact]
    public async Task A_batch_answer_with_rows_errors_and_other_results_is_read_in_one_pass()
    {
        var answer = """
        {"result":{"result":{"s":[{"ID":"5","NAME":"Cal"}],"c0":[ROWS01],"c1":{"0":ROW2,"1":ROW3},"c2":false,"m4":{"ID":"4","VERSION":"7"}},
          "result_error":{"c3":{"error":"ERROR_CORE","error_description":"Unknown section \u00fc"},"m9":"NOT_FOUND"},
          "result_total":[],"result_next":[],"result_time":{"c0":{"start":1.5,"operating_reset_at":1700000000}}},
         "time":{"start":1.25,"date_start":"2025-01-01T10:00:00+03:00","operating_reset_at":1700000100}}
        """.Replace("ROWS01", string.Join(",", Rows.Take(2))).Replace("ROW2", Rows[2]).Replace("ROW3", Rows[3]);
        using var client = Client(answer);
        var commands = new[] { "s", "c0", "c1", "c2", "c3", "m4", "m9" }
            .Select(k => new BatchCommand(k, "calendar.event.get", new List<KeyValuePair<string, object?>>())).ToList();
        var streamed = new EventRows(k => k.StartsWith("c", StringComparison.Ordinal));
        var response = await client.BatchAsync(commands, halt: false, streamed, CancellationToken.None);

        Assert.Equal(new[] { "c0", "c1" }, streamed.ByKey.Keys.OrderBy(k => k));
        Assert.Equal(new[] { "3042", "12" }, streamed.ByKey["c0"].Select(r => r.Id));
        Assert.Equal(new[] { "77", "80" }, streamed.ByKey["c1"].Select(r => r.Id));
        using (var doc = JsonDocument.Parse(answer))
        {
            var c1 = doc.RootElement.GetProperty("result").GetProperty("result").GetProperty("c1");
            AssertSame(EventRow.Parse(c1.GetProperty("0")), streamed.ByKey["c1"][0]);
        }
        // Everything else is kept as it came; row results stand as [] among the results.
        Assert.Equal(JsonValueKind.Array, response.Results["c0"].ValueKind);
        Assert.Equal(0, response.Results["c0"].GetArrayLength());
        Assert.Equal(JsonValueKind.False, response.Results["c2"].ValueKind);
        Assert.Equal("Cal", response.Results["s"][0].GetProperty("NAME").GetString());
        Assert.Equal("7", response.Results["m4"].GetProperty("VERSION").GetString());
        Assert.Equal(("ERROR_CORE", "Unknown section \u00fc"), (response.Errors["c3"].Code, response.Errors["c3"].Description));
        Assert.Equal(("NOT_FOUND", ""), (response.Errors["m9"].Code, response.Errors["m9"].Description));
        Assert.Equal(TimeSpan.FromHours(3), client.ServerUtcOffset);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000), client.OperatingResetAt);
    }

    [Fact]
    public async Task Empty_maps_come_as_arrays()
    {
        using var client = Client("""{"result":{"result":[],"result_error":[],"result_total":[],"result_next":[],"result_time":[]},"time":{"start":1}}""");
        var commands = new[] { new BatchCommand("c0", "calendar.event.get", new List<KeyValuePair<string, object?>>()) };
        var streamed = new EventRows(_ => true);
        var response = await client.BatchAsync(commands, halt: false, streamed, CancellationToken.None);
        Assert.Empty(response.Results);
        Assert.Empty(streamed.ByKey);
        Assert.Empty(response.Errors);

        // PHP's list-like map: entries keyed by position, as Json.MapEntries keys them.
        var (envelope, rows) = Read("""{"result":{"result":[[{"ID":"1"}],{"ID":"2"}]}}"""u8, k => k == "0");
        Assert.Equal("1", Assert.Single(rows["0"]).Id);
        Assert.Equal(JsonValueKind.Object, envelope.GetProperty("result").GetProperty("result")[1].ValueKind);
    }

    [Theory]
    [InlineData("""{"result":{"result":{"c0":[{"ID":1}""")]
    [InlineData("""{"result":{"result":{"c0":[]}}} x""")]
    [InlineData("<html>502 Bad Gateway</html>")]
    [InlineData("")]
    public void An_answer_that_is_not_json_is_refused_like_the_document_refuses_it(string text)
    {
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(text));
        Assert.ThrowsAny<JsonException>(() => Read(Encoding.UTF8.GetBytes(text), _ => true));
    }

    // An answer with multi-byte characters (2-, 3- and 4-byte, and escaped) in names, keys and values, rows as a list
    // and as a map, an empty row list, other results and errors around them.
    private static readonly string Streamed = """
        {"result":{"result":{"s":[{"ID":"5","NAME":"Kalender \u00fc"}],"c0":[ROW0,{"ID":"9","NAME":"Grüße 日本 😀","DESCRIPTION":"\ud83d\ude00 é",
         "DATE_FROM":"01.11.2025 11:59:00","DATE_TO":"01.11.2025 12:59:00","TZ_FROM":"Europe/Berlin","REMIND":[{"type":"min","count":"15"}],"VERSION":"2"}],
         "c1":{"a😀":ROW2,"b":ROW3},"c2":[],"m4":{"ID":"4","NAME":"ñ"}},
         "result_error":{"c3":{"error":"ERROR_CORE","error_description":"Ungültig 😀"}},"result_total":{"c0":2},"result_next":[],
         "result_time":{"c0":{"start":1.5}}},"time":{"start":1.25,"date_start":"2025-01-01T10:00:00+03:00"}}
        """.Replace("ROW0", Rows[0]).Replace("ROW2", Rows[2]).Replace("ROW3", Rows[3]);

    [Fact]
    public async Task An_answer_split_anywhere_is_read_as_the_whole_answer_is()
    {
        var bytes = Encoding.UTF8.GetBytes(Streamed);
        var (envelope, rows) = Read(bytes, IsRowKey);
        using var doc = JsonDocument.Parse(bytes);
        var results = doc.RootElement.GetProperty("result").GetProperty("result");
        Assert.Equal(new[] { "c0", "c1", "c2" }, rows.Keys.OrderBy(k => k));
        foreach (var key in rows.Keys)
        {
            var expected = Json.Items(results.GetProperty(key)).Select(EventRow.Parse).ToList();
            Assert.Equal(expected.Count, rows[key].Count);
            for (var i = 0; i < expected.Count; i++) AssertSame(expected[i], rows[key][i]);
        }
        Assert.Equal("Grüße 日本 😀", rows["c0"][1].Name);

        // Every cut: inside multi-byte characters, escapes, names, numbers, literals and between any two tokens.
        for (var cut = 1; cut < bytes.Length; cut++)
        {
            var (e, r) = await ReadAsync(IsRowKey, 0, new Pieces(bytes, cut));
            Assert.Equal(envelope.GetRawText(), e.GetRawText());
            Assert.Equal(rows.Keys.OrderBy(k => k), r.Keys.OrderBy(k => k));
            foreach (var key in rows.Keys)
                for (var i = 0; i < rows[key].Count; i++) AssertSame(rows[key][i], r[key][i]);
        }
        // And a byte at a time, parsed at every byte or when enough has come.
        foreach (var gather in new[] { 0, BatchAnswer.BufferSize / 2 })
        {
            var (oneByOne, r) = await ReadAsync(IsRowKey, gather, new Pieces(bytes, 1, 1));
            Assert.Equal(envelope.GetRawText(), oneByOne.GetRawText());
            Assert.Equal(rows["c1"].Count, r["c1"].Count);
        }
    }

    [Fact]
    public async Task A_row_longer_than_the_buffer_is_read_whole()
    {
        var description = string.Join(" ", Enumerable.Repeat("Zeile ü 😀", BatchAnswer.BufferSize / 4));
        var answer = """{"result":{"result":{"c0":[{"ID":"1","DESCRIPTION":"TEXT"},{"ID":"2"}]}}}""".Replace("TEXT", description);
        var (_, rows) = await ReadAsync(IsRowKey, BatchAnswer.BufferSize / 2, new Pieces(Encoding.UTF8.GetBytes(answer), 4096, 4096));
        Assert.Equal(description, rows["c0"][0].Description);
        Assert.Equal("2", rows["c0"][1].Id);
    }

    [Fact]
    public async Task An_answer_that_breaks_off_is_refused_naming_where()
    {
        var bytes = Encoding.UTF8.GetBytes(Streamed);
        for (var length = 0; length < bytes.Length; length++)
        {
            var e = await Assert.ThrowsAnyAsync<JsonException>(() => ReadAsync(IsRowKey, 0, new Pieces(bytes.Take(length).ToArray(), 100)));
            Assert.True(e.Message.Contains($"answer ({length} bytes) is not complete JSON"), length + ": " + e.Message);
        }

        // Through the client: retried like any unreadable answer, then reported with the reason.
        using var client = new Bitrix24RestClient(new Bitrix24ConnectionOptions
        {
            WebhookUrl = $"https://b{Guid.NewGuid():N}.example.com/rest/1/secret0123456789/", MaxRetries = 1, QueryLimitBackoff = TimeSpan.FromMilliseconds(1),
        }, new HttpClient(new Answer(Streamed.Substring(0, Streamed.Length / 2))));
        var commands = new[] { new BatchCommand("c0", "calendar.event.get", new List<KeyValuePair<string, object?>>()) };
        var failure = await Assert.ThrowsAsync<CalSync.Engine.Sides.SideUnavailableException>(() => client.BatchAsync(commands, halt: false, new EventRows(IsRowKey), CancellationToken.None));
        Assert.Contains($"answer ({Encoding.UTF8.GetByteCount(Streamed.Substring(0, Streamed.Length / 2))} bytes) is not complete JSON", failure.Message);
        Assert.Equal(2, client.RequestCount);
    }

    private static bool IsRowKey(string key) => key.StartsWith("c", StringComparison.Ordinal);

    /// <summary>A response stream that gives its bytes in pieces: the first <c>first</c> bytes, then <c>size</c> at a time.</summary>
    private sealed class Pieces(byte[] bytes, int first, int size = int.MaxValue) : Stream
    {
        private int _position;

        public override int Read(byte[] buffer, int offset, int count)
        {
            var piece = Math.Min(Math.Min(count, _position == 0 ? first : size), bytes.Length - _position);
            Array.Copy(bytes, _position, buffer, offset, piece);
            _position += piece;
            return piece;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private static Bitrix24RestClient Client(string answer) =>
        new(new Bitrix24ConnectionOptions { WebhookUrl = $"https://b{Guid.NewGuid():N}.example.com/rest/1/secret0123456789/" },
            new HttpClient(new Answer(answer)));

    private static void AssertSame(EventRow expected, EventRow actual)
    {
        Assert.Equal(
            (expected.Id, expected.ParentId, expected.SectionId, expected.Version, expected.Name, expected.Description, expected.Location, expected.AllDay),
            (actual.Id, actual.ParentId, actual.SectionId, actual.Version, actual.Name, actual.Description, actual.Location, actual.AllDay));
        Assert.Equal((expected.Start, expected.End, expected.SeriesStart, expected.SeriesEnd), (actual.Start, actual.End, actual.SeriesStart, actual.SeriesEnd));
        Assert.Equal((expected.Accessibility, expected.Private, expected.Importance, expected.ReminderMinutes, expected.TimestampX),
            (actual.Accessibility, actual.Private, actual.Importance, actual.ReminderMinutes, actual.TimestampX));
        Assert.Equal(expected.RRule?.GetRawText(), actual.RRule?.GetRawText());
        Assert.Equal(expected.ExDates, actual.ExDates);
        Assert.Equal((expected.RecurrenceId, expected.OriginalDate, expected.IsMeeting), (actual.RecurrenceId, actual.OriginalDate, actual.IsMeeting));
        Assert.Equal(expected.Attendees, actual.Attendees);
        if (expected.IsSeries) Assert.Equal(expected.ToRecurrence(expected.SeriesStart ?? expected.Start), actual.ToRecurrence(actual.SeriesStart ?? actual.Start));
    }

    private sealed class Answer(string json) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") });
    }
}
