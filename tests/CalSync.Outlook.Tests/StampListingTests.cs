using System.Net;
using CalSync.Engine.Model;
using CalSync.Engine.Sides;
using CalSync.Engine.Sync;
using CalSync.Outlook.Reading;

namespace CalSync.Outlook.Tests;

/// <summary>Many unknown origin stamps are listed in pages, not read one GET at a time (issue 9).</summary>
public class StampListingTests
{
    [Fact]
    public async Task A_full_pass_over_many_events_lists_stamps_instead_of_reading_each()
    {
        await using var g = await Sandbox.StartAsync();
        using var side = Sandbox.Side(g);
        var start = new DateTime(2025, 3, 3, 8, 0, 0, DateTimeKind.Utc);
        var count = CalendarReader.StampListThreshold + 20;
        // Half of them are CalSync copies (written with a stamp), half the user's own meetings.
        var copies = Enumerable.Range(0, count / 2)
            .Select(i => new WriteOperation("c" + i, WriteKind.Create, null, Sandbox.Single($"Copy {i}", start.AddHours(i)) with { OriginStamp = Stamp(i) }, null))
            .ToList();
        Assert.All(await side.WriteAsync(copies, null, default), r => Assert.Equal(WriteStatus.Succeeded, r.Status));
        for (var i = 0; i < count - count / 2; i++)
            Sandbox.Seed(g, $"Own {i}", start.AddHours(i).AddMinutes(30).ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), start.AddHours(i).AddMinutes(45).ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture));
        g.Journal.Clear();

        var snapshot = await side.ReadAsync(Sandbox.Window, null, default);

        Assert.Equal(count, snapshot.Events.Count);
        Assert.All(snapshot.Events.Where(e => e.Title.StartsWith("Copy ")), e => Assert.Equal(Stamp(int.Parse(e.Title[5..])), e.OriginStamp));
        Assert.All(snapshot.Events.Where(e => e.Title.StartsWith("Own ")), e => Assert.Null(e.OriginStamp));
        var requests = Sandbox.Requests(g).ToList();
        Assert.DoesNotContain(requests, r => r.Path.Contains("$batch"));
        // The documented filter form (docs/graph-api.md, "Listing stamped events"), never the old `ne null`.
        var listing = Assert.Single(requests, r => r.Path.Contains("singleValueExtendedProperties/Any"));
        Assert.Contains($"and startswith(ep/value, '{Planner.OriginStampPrefix}')", listing.Path);
        Assert.DoesNotContain(" ne null", listing.Path);

        // The next round knows every stamp: an unchanged calendar costs one delta page.
        g.Journal.Clear();
        var again = await side.ReadAsync(Sandbox.Window, snapshot.Cursor, default);
        Assert.Equal(Sandbox.Text(snapshot.Events), Sandbox.Text(again.Events));
        Assert.Single(Sandbox.Requests(g));
    }

    private static string Stamp(int i) => Planner.OriginStamp("s", Side.Bitrix24, i.ToString(System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public async Task A_listing_that_finds_nothing_while_the_last_read_held_copies_is_unknown_and_the_stamps_are_read_one_by_one()
    {
        await using var g = await Sandbox.StartAsync();
        var empty = false;
        // A 200 with no events for the listing: what a service that does not match the filter would answer.
        var nothing = new AnswerInstead(r => empty && Uri.UnescapeDataString(r.RequestUri!.OriginalString).Contains("singleValueExtendedProperties/Any")
            ? (HttpStatusCode.OK, """{"value":[]}""")
            : null);
        using var side = Sandbox.Side(g, Sandbox.Options(g, () => nothing));
        var start = new DateTime(2025, 3, 3, 8, 0, 0, DateTimeKind.Utc);
        var count = CalendarReader.StampListThreshold + 5;
        var created = await side.WriteAsync(Enumerable.Range(0, count)
            .Select(i => new WriteOperation("c" + i, WriteKind.Create, null, Sandbox.Single($"Copy {i}", start.AddHours(i)) with { OriginStamp = Stamp(i) }, null))
            .ToList(), null, default);
        var first = await side.ReadAsync(Sandbox.Window, null, default);
        Assert.All(first.Events, e => Assert.Equal(Stamp(int.Parse(e.Title[5..])), e.OriginStamp));

        // Every copy changed (a new change key each): their stamps are unknown again, and the listing finds nothing.
        foreach (var result in created) await Sandbox.SendAsync(g, HttpMethod.Patch, Sandbox.Path(result.Id!), """{"importance":"high"}""");
        empty = true;
        g.Journal.Clear();
        var second = await side.ReadAsync(Sandbox.Window, first.Cursor, default);

        Assert.Equal(1, nothing.Answered);
        Assert.Equal(count, second.Events.Count);
        Assert.All(second.Events, e => Assert.Equal(Stamp(int.Parse(e.Title[5..])), e.OriginStamp));
        Assert.Contains(Sandbox.Requests(g), r => r.Path.Contains("$batch"));
    }

    [Fact]
    public async Task When_the_service_refuses_the_stamp_filter_the_stamps_are_read_one_by_one()
    {
        await using var g = await Sandbox.StartAsync();
        var refuse = new AnswerInstead(r => r.RequestUri!.OriginalString.Contains("singleValueExtendedProperties%2FAny") || r.RequestUri.OriginalString.Contains("singleValueExtendedProperties/Any")
            ? (HttpStatusCode.BadRequest, """{"error":{"code":"ErrorInvalidUrlQueryFilter","message":"The filter is not supported."}}""")
            : null);
        using var side = Sandbox.Side(g, Sandbox.Options(g, () => refuse));
        var start = new DateTime(2025, 3, 3, 8, 0, 0, DateTimeKind.Utc);
        var copies = Enumerable.Range(0, CalendarReader.StampListThreshold + 5)
            .Select(i => new WriteOperation("c" + i, WriteKind.Create, null, Sandbox.Single($"Copy {i}", start.AddHours(i)) with { OriginStamp = Stamp(i) }, null))
            .ToList();
        Assert.All(await side.WriteAsync(copies, null, default), r => Assert.Equal(WriteStatus.Succeeded, r.Status));
        g.Journal.Clear();

        var snapshot = await side.ReadAsync(Sandbox.Window, null, default);

        Assert.Equal(1, refuse.Answered);
        Assert.All(snapshot.Events, e => Assert.Equal(Stamp(int.Parse(e.Title[5..])), e.OriginStamp));
        Assert.Contains(Sandbox.Requests(g), r => r.Path.Contains("$batch"));
    }

    [Fact]
    public async Task A_delta_page_that_is_not_JSON_fails_the_read_with_a_clear_error()
    {
        await using var g = await Sandbox.StartAsync();
        Sandbox.Seed(g, "A", "2025-03-10T10:00:00", "2025-03-10T11:00:00");
        var garble = new AnswerInstead(r => r.RequestUri!.AbsolutePath.Contains("/delta") ? (HttpStatusCode.OK, """{"value":[{"id":"a","subject":""") : null);
        using var side = Sandbox.Side(g, Sandbox.Options(g, () => garble));

        var ex = await Assert.ThrowsAsync<SideUnavailableException>(() => side.ReadAsync(Sandbox.Window, null, default));

        Assert.Contains("page of events that cannot be read", ex.Message);
        Assert.False(ex.IsAuthentication);
    }
}

/// <summary>Answers matching requests itself (status and JSON body) instead of passing them to the stand-in.</summary>
internal sealed class AnswerInstead : DelegatingHandler
{
    private readonly Func<HttpRequestMessage, (HttpStatusCode Status, string Json)?> _answer;
    private int _answered;

    public AnswerInstead(Func<HttpRequestMessage, (HttpStatusCode, string)?> answer) : base(new SocketsHttpHandler()) => _answer = answer;

    public int Answered => _answered;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (_answer(request) is not { } answer) return base.SendAsync(request, cancellationToken);
        Interlocked.Increment(ref _answered);
        return Task.FromResult(new HttpResponseMessage(answer.Status)
        {
            RequestMessage = request,
            Content = new StringContent(answer.Json, System.Text.Encoding.UTF8, "application/json"),
        });
    }
}
