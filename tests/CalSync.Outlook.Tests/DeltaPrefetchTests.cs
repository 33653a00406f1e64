using System.Text;
using CalSync.Engine.Sides;
using CalSync.Sandbox.Graph;

namespace CalSync.Outlook.Tests;

/// <summary>
/// The delta read asks for page N+1 as soon as page N's nextLink is read, before N's items are parsed (the documented
/// order puts the link first); a page with the link after its items still reads, only without the head start.
/// </summary>
public sealed class DeltaPrefetchTests
{
    [Theory]
    [InlineData(false, 2)]
    [InlineData(true, 1)]
    public async Task The_next_page_is_requested_before_the_items_of_this_one_are_parsed(bool linksAfterValue, int requests)
    {
        await using var g = await Sandbox.StartAsync();
        g.DeltaLinksAfterValue = linksAfterValue;
        for (var i = 0; i < 5; i++) Sandbox.Seed(g, "Meeting " + i, $"2025-03-1{i}T10:00:00", $"2025-03-1{i}T11:00:00");
        // The first page's items cannot be parsed: a read that sends nothing before parsing them never asks for page 2.
        var tap = new DeltaTap { Rewrite = (n, body) => n == 1 ? body.Replace("\"value\":[", "\"value\":[garbled,") : body };
        using var side = Sandbox.Side(g, Sandbox.Options(g, () => tap) with { PageSize = 2 });

        var ex = await Assert.ThrowsAsync<SideUnavailableException>(() => side.ReadAsync(Sandbox.Window, null, default));

        Assert.Contains("cannot be read", ex.Message);
        Assert.Equal(requests, tap.Sent);
        // The page asked for ahead was awaited before the read failed: nothing of the read is still running.
        Assert.Equal(tap.Sent, tap.Answered);
    }

    [Fact]
    public async Task Both_link_orders_read_the_same_snapshot_with_the_same_requests()
    {
        await using var g = await Sandbox.StartAsync();
        g.OperationLatency = TimeSpan.FromMilliseconds(20); // the service takes a while per page, so requests overlap the parse
        g.EmptyDeltaPages = 1;
        for (var i = 0; i < 9; i++) Sandbox.Seed(g, "Meeting " + i, $"2025-03-1{i}T10:00:00", $"2025-03-1{i}T11:00:00");
        g.SeedEvent("""{"subject":"Weekly","start":{"dateTime":"2025-03-03T12:00:00","timeZone":"UTC"},"end":{"dateTime":"2025-03-03T13:00:00","timeZone":"UTC"},"recurrence":{"pattern":{"type":"weekly","interval":1,"daysOfWeek":["monday"]},"range":{"type":"numbered","startDate":"2025-03-03","numberOfOccurrences":3}}}""");
        using var side = Sandbox.Side(g, Sandbox.Options(g) with { PageSize = 2 });
        async Task<(string Events, string[] Requests)> ReadAsync(bool linksAfterValue, Engine.Sides.SideCursor? cursor)
        {
            g.DeltaLinksAfterValue = linksAfterValue;
            g.Journal.Clear();
            var snapshot = await side.ReadAsync(Sandbox.Window, cursor, default);
            Assert.Equal(cursor is null, side.LastReadWasFullPass);
            return (Sandbox.Text(snapshot.Events), Shapes(g));
        }

        static void Same((string Events, string[] Requests) a, (string Events, string[] Requests) b)
        {
            Assert.Equal(a.Events, b.Events);
            Assert.Equal(a.Requests, b.Requests);
        }
        var full = await ReadAsync(false, null);
        Same(full, await ReadAsync(true, null));
        Assert.True(full.Requests.Count(r => r == "skiptoken") >= 5, string.Join(", ", full.Requests)); // several pages were followed

        // The same round (one cursor) read both ways after five additions: three pages of changes.
        var cursor = (await side.ReadAsync(Sandbox.Window, null, default)).Cursor;
        for (var i = 0; i < 5; i++) Sandbox.Seed(g, "Added " + i, $"2025-04-1{i}T10:00:00", $"2025-04-1{i}T11:00:00");
        var next = await ReadAsync(false, cursor);
        Same(next, await ReadAsync(true, cursor));
        Assert.Equal(3, next.Requests.Count(r => r is "deltatoken" or "skiptoken") - 1); // the empty page, then 2 + 2 + 1
        Assert.Contains("Added 4", next.Events);
    }

    public enum PrefetchFault { DeltaTokenExpired, Throttled, SignInExpired }

    [Theory]
    [InlineData(false, PrefetchFault.DeltaTokenExpired)]
    [InlineData(true, PrefetchFault.DeltaTokenExpired)]
    [InlineData(false, PrefetchFault.Throttled)]
    [InlineData(false, PrefetchFault.SignInExpired)]
    public async Task A_failure_of_the_page_asked_for_ahead_is_handled_as_before(bool linksAfterValue, PrefetchFault fault)
    {
        await using var g = await Sandbox.StartAsync();
        g.DeltaLinksAfterValue = linksAfterValue;
        for (var i = 0; i < 3; i++) Sandbox.Seed(g, "Meeting " + i, $"2025-03-1{i}T10:00:00", $"2025-03-1{i}T11:00:00");
        var tap = new DeltaTap();
        using var side = Sandbox.Side(g, Sandbox.Options(g, () => tap) with { PageSize = 2, ThrottleRetries = 2 });
        var first = await side.ReadAsync(Sandbox.Window, null, default);
        for (var i = 0; i < 5; i++) Sandbox.Seed(g, "Added " + i, $"2025-04-1{i}T10:00:00", $"2025-04-1{i}T11:00:00");

        // The fault strikes while the incremental round's first page (of three) is on its way back: the request for
        // page 2 (sent while page 1 is parsed) is the one that meets it.
        tap.BeforeAnswer = request =>
        {
            if (!request.RequestUri!.Query.Contains("deltatoken", StringComparison.OrdinalIgnoreCase)) return;
            tap.BeforeAnswer = null;
            switch (fault)
            {
                case PrefetchFault.DeltaTokenExpired: g.ExpireDeltaTokens(); break;
                case PrefetchFault.Throttled: g.ThrottleNext(1, 1); break;
                case PrefetchFault.SignInExpired: g.ExpireAccessTokens(); break;
            }
        };
        g.Journal.Clear();

        if (fault == PrefetchFault.SignInExpired)
        {
            var ex = await Assert.ThrowsAnyAsync<SideUnavailableException>(() => side.ReadAsync(Sandbox.Window, first.Cursor, default));
            Assert.True(ex.IsAuthentication, ex.Message);
            Assert.Equal(tap.Sent, tap.Answered);
            return;
        }
        var second = await side.ReadAsync(Sandbox.Window, first.Cursor, default);

        Assert.Equal(8, second.Events.Count);
        var requests = Shapes(g);
        Assert.Equal(["deltatoken", "skiptoken"], requests.Take(2));
        if (fault == PrefetchFault.DeltaTokenExpired)
        {
            Assert.True(side.LastReadWasFullPass); // 410 SyncStateNotFound on page 2: the whole window again
            Assert.Equal("window", requests[2]);
        }
        else
        {
            Assert.False(side.LastReadWasFullPass); // 429 on page 2: retried after Retry-After, the round goes on
            Assert.Equal(["deltatoken", "skiptoken", "skiptoken", "skiptoken"], requests.Where(r => r != "other"));
        }
    }

    /// <summary>
    /// The requests the stand-in received: a delta request as the first of a full pass, of a round, or a further page;
    /// anything else (a $batch and its inner requests, which run in parallel, so in no fixed order) as "other".
    /// </summary>
    private static string[] Shapes(GraphService g) => g.Journal.Requests
        .Select(r => !r.PathAndQuery.Contains("/delta", StringComparison.OrdinalIgnoreCase) ? "other"
            : r.PathAndQuery.Contains("skiptoken", StringComparison.OrdinalIgnoreCase) ? "skiptoken"
            : r.PathAndQuery.Contains("deltatoken", StringComparison.OrdinalIgnoreCase) ? "deltatoken" : "window")
        .ToArray();

    /// <summary>The connector's wire: counts delta requests sent and answered, and can rewrite the nth delta answer or act just before one is returned.</summary>
    private sealed class DeltaTap : DelegatingHandler
    {
        private int _sent, _answered;

        public DeltaTap() : base(new SocketsHttpHandler()) { }

        public Func<int, string, string>? Rewrite { get; init; }
        public Action<HttpRequestMessage>? BeforeAnswer { get; set; }
        public int Sent => Volatile.Read(ref _sent);
        public int Answered => Volatile.Read(ref _answered);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var isDelta = request.RequestUri!.AbsolutePath.Contains("/delta", StringComparison.OrdinalIgnoreCase);
            var n = isDelta ? Interlocked.Increment(ref _sent) : 0;
            try
            {
                var response = await base.SendAsync(request, cancellationToken);
                if (!isDelta) return response;
                if (Rewrite is not null && response.IsSuccessStatusCode)
                {
                    var body = Rewrite(n, await response.Content.ReadAsStringAsync(cancellationToken));
                    var type = response.Content.Headers.ContentType;
                    response.Content = new StringContent(body, Encoding.UTF8);
                    response.Content.Headers.ContentType = type;
                }
                BeforeAnswer?.Invoke(request);
                return response;
            }
            finally
            {
                if (isDelta) Interlocked.Increment(ref _answered);
            }
        }
    }
}
