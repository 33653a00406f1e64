using System.Diagnostics;
using CalSync.Engine.Sync;
using CalSync.Integration.Tests.Support;
using Xunit;

namespace CalSync.Integration.Tests.Scenarios;

/// <summary>docs/scenarios.md 9, 30 and 31 through both real connectors and the sandbox: lost answers, throttling, rate limits.</summary>
public sealed class ResilienceScenarios(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private static readonly DateTime Monday10 = new(2025, 3, 3, 10, 0, 0);

    /// <summary>Sends the request, then loses the first matching answer (the service did the work; the client never hears of it).</summary>
    private sealed class LoseFirstAnswer(Func<HttpRequestMessage, bool> match) : DelegatingHandler(new SocketsHttpHandler())
    {
        private int _lost;
        public int Lost => _lost;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (match(request) && Interlocked.CompareExchange(ref _lost, 1, 0) == 0)
            {
                response.Dispose();
                throw new HttpRequestException("The connection was reset before the answer arrived (simulated).");
            }
            return response;
        }
    }

    [Fact]
    public async Task S09_OutlookCreateWhoseAnswerIsLost_IsRetriedAndLeavesExactlyOneEvent()
    {
        await using var h = new SandboxHarness(fixture.Host);
        h.Bitrix24Add("Dentist", Monday10, location: "Room 1");
        var lose = new LoseFirstAnswer(r => r.Method == HttpMethod.Post);
        h.OutlookOptions = h.OutlookOptions with { HttpHandlerFactory = () => lose };
        var run = await h.RunAsync(InitialMerge.TwoWay);
        h.OutlookOptions = h.OutlookOptions with { HttpHandlerFactory = null };
        Assert.Equal(1, lose.Lost);
        Assert.True(1 == run.Outlook.Created && 0 == run.Failed, SandboxHarness.Describe(run));
        Assert.True(h.Graph.Journal.Requests.Count(r => r.Method == "POST" && r.PathAndQuery.EndsWith("/me/events", StringComparison.Ordinal)) >= 2); // sent twice
        var only = Assert.Single(h.OutlookStored);
        Assert.Equal((string?)only["id"], Assert.Single(h.State.Links).OutlookId);
        await h.AssertQuietAsync();
        Assert.Single(h.OutlookStored);
    }

    [Fact]
    public async Task S09_OutlookSeriesCreateWhoseAnswerIsLost_LeavesExactlyOneSeries()
    {
        await using var h = new SandboxHarness(fixture.Host);
        var b1 = h.Bitrix24Add("Standup", Monday10, extra: new Dictionary<string, object?>
        {
            ["rrule"] = new Dictionary<string, object?> { ["FREQ"] = "WEEKLY", ["BYDAY"] = new[] { "MO" }, ["COUNT"] = 4 },
        });
        h.Bitrix24Update(b1, new Dictionary<string, object?>
        {
            ["recurrence_mode"] = "this", ["current_date_from"] = "2025-03-10",
            ["from"] = "2025-03-10 12:00:00", ["to"] = "2025-03-10 13:00:00", ["timezone_from"] = "Europe/Berlin", ["timezone_to"] = "Europe/Berlin",
        });
        var lose = new LoseFirstAnswer(r => r.Method == HttpMethod.Post && r.RequestUri!.AbsolutePath.EndsWith("/me/events", StringComparison.Ordinal));
        h.OutlookOptions = h.OutlookOptions with { HttpHandlerFactory = () => lose };
        var run = await h.RunAsync(InitialMerge.TwoWay);
        h.OutlookOptions = h.OutlookOptions with { HttpHandlerFactory = null };
        Assert.Equal(1, lose.Lost);
        Assert.True(1 == run.Outlook.Created && 0 == run.Failed, SandboxHarness.Describe(run));
        Assert.Single(h.OutlookStored);
        var a = h.Occurrences(await h.ReadOutlookAsync());
        var b = h.Occurrences(await h.ReadBitrix24Async());
        Assert.Equal(b, a);
        await h.AssertQuietAsync();
    }

    [Fact]
    public async Task S30_Graph429WithRetryAfter_IsHonouredNothingFailsNoLinkDropped_AtMostFourConcurrent()
    {
        await using var h = new SandboxHarness(fixture.Host);
        for (var i = 0; i < 30; i++) h.Bitrix24Add($"Meeting {i:00}", Monday10.AddDays(i / 4).AddHours(i % 4));
        h.Graph.OperationLatency = TimeSpan.FromMilliseconds(20); // makes concurrency observable
        var first = await h.RunAsync(InitialMerge.TwoWay);
        Assert.Equal(30, first.Outlook.Created);
        Assert.Equal(30, h.State.Links.Count);

        // Every Bitrix24 meeting changes; while CalSync writes the 30 updates, Graph throttles.
        foreach (var e in h.Bitrix24Stored) h.Bitrix24Update(e.Id.ToString(), new Dictionary<string, object?> { ["location"] = "Room " + e.Id });
        h.Graph.ThrottleNext(3, 2);
        var watch = Stopwatch.StartNew();
        var run = await h.RunAsync();
        watch.Stop();
        Assert.True(30 == run.Outlook.Updated && 0 == run.Failed, SandboxHarness.Describe(run));
        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(2), $"the Retry-After of 2 s was not honoured ({watch.Elapsed})");
        Assert.Equal(30, h.State.Links.Count);
        Assert.Empty(h.State.Failed);
        Assert.InRange(h.Graph.MaxObservedConcurrency, 1, 4);
        Assert.InRange(h.LastOutlook!.MaxConcurrentRequestsObserved, 1, 4);
        Assert.All(await h.ReadOutlookAsync(), e => Assert.StartsWith("Room ", e.Location));
        h.Graph.OperationLatency = TimeSpan.Zero;
        await h.AssertQuietAsync();
    }

    [Fact]
    public async Task S31_Bitrix24QueryLimitExceeded_IsBackedOffAndTheRunCompletesUnderTheBucketRate()
    {
        // Scaled: the portal allows a burst of 5 and drains 10 a second; the client the same burst and 8 a second (headroom
        // for requests held up in flight: both clocks are real).
        await using var h = new SandboxHarness(fixture.Host, realBitrix24Limits: true);
        h.Bitrix24.Limits.BurstLimit = 5;
        h.Bitrix24.Limits.DrainPerSecond = 10;
        h.Bitrix24Options = h.Bitrix24Options with { RequestsPerSecond = 8, Burst = 5, ReadChunkDays = 7 };
        for (var i = 0; i < 60; i++) h.OutlookAdd($"Meeting {i:00}", Monday10.AddDays(i / 5).AddHours(i % 5));

        h.Bitrix24.ForceQueryLimit(2);
        var run = await h.RunAsync(InitialMerge.TwoWay);
        Assert.True(60 == run.Bitrix24.Created && 0 == run.Failed, SandboxHarness.Describe(run));
        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.True(h.LastBitrix24!.Client.Retries >= 2, $"retries: {h.LastBitrix24.Client.Retries}");
        Assert.Equal(60, h.Bitrix24Stored.Count);
        AssertUnderBucketRate(h, burst: 5, rate: 10);

        h.Bitrix24.ForceQueryLimit(1);
        await h.AssertQuietAsync();
        AssertUnderBucketRate(h, burst: 5, rate: 10);
    }

    private static void AssertUnderBucketRate(SandboxHarness h, int burst, int rate)
    {
        var times = h.Bitrix24.Journal.Requests.Where(r => r.Method != "BATCH").Select(r => r.At).OrderBy(t => t).ToList();
        for (var i = 0; i < times.Count; i++)
        {
            var inOneSecond = times.Count(t => t >= times[i] && t < times[i] + TimeSpan.FromSeconds(1));
            Assert.True(inOneSecond <= burst + rate + 1, $"{inOneSecond} requests within one second");
        }
    }

    /// <summary>
    /// The Outlook snapshot is kept in a file of its own (state/&lt;sync&gt;.outlook.&lt;hash&gt;.cursor), not as base64
    /// inside the state file. A state file as the previous release wrote it (v3: the snapshot inside the cursor text)
    /// still reads incrementally and is migrated by that run; a cursor file that is then damaged or deleted costs one
    /// full read of Outlook, with a log line naming the file, and nothing else.
    /// </summary>
    [Fact]
    public async Task OutlookSnapshotFile_AnOldStateOrALostOrDamagedSnapshotMeansOneFullRead()
    {
        await using var h = new SandboxHarness(fixture.Host);
        h.OutlookAdd("Dentist", Monday10);
        h.Bitrix24Add("Standup", Monday10.AddDays(1));
        await h.RunAsync(InitialMerge.TwoWay);
        await h.AssertQuietAsync();
        Assert.False(h.LastOutlook!.LastReadWasFullPass);
        var statePath = h.Store.States.PathOf(h.Definition.Name);
        string CursorFile() => Assert.Single(Directory.GetFiles(h.Store.States.Directory, "*.outlook.*.cursor"));
        var links = h.State.Links;

        // A cursor in a form CalSync does not write (the snapshot as base64 inside the cursor text, no cursor file).
        var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(statePath))!.AsObject();
        var text = (string)node["outlookCursor"]!;
        Assert.StartsWith("calsync.outlook.v4:", text);
        node["outlookCursor"] = "calsync.outlook.v3:" + text.Substring("calsync.outlook.v4:".Length) + "." + Convert.ToBase64String(File.ReadAllBytes(CursorFile()));
        node.Remove("outlookCursorFile");
        File.Delete(CursorFile());
        File.WriteAllText(statePath, node.ToJsonString());

        await h.AssertQuietAsync();
        Assert.True(h.LastOutlook!.LastReadWasFullPass); // not read: one full pass, nothing written
        var migrated = File.ReadAllText(statePath);
        Assert.DoesNotContain("calsync.outlook.v3", migrated);
        Assert.Contains("\"outlookCursorFile\":\"" + Path.GetFileName(CursorFile()) + "\"", migrated);
        Assert.Equal(links, h.State.Links);
        await h.AssertQuietAsync();
        Assert.False(h.LastOutlook!.LastReadWasFullPass);

        // A damaged snapshot file: kept aside, one full read, a log line naming it; then incremental again.
        var damaged = CursorFile();
        var bytes = File.ReadAllBytes(damaged);
        bytes[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(damaged, bytes);
        await h.AssertQuietAsync();
        Assert.True(h.LastOutlook!.LastReadWasFullPass);
        Assert.Contains(h.LastLog, l => l.Contains("'" + damaged + "' is damaged", StringComparison.Ordinal));
        await h.AssertQuietAsync();
        Assert.False(h.LastOutlook!.LastReadWasFullPass);

        // A deleted one: the same.
        var deleted = CursorFile();
        File.Delete(deleted);
        await h.AssertQuietAsync();
        Assert.True(h.LastOutlook!.LastReadWasFullPass);
        Assert.Contains(h.LastLog, l => l.Contains("'" + deleted + "' is missing", StringComparison.Ordinal));
        await h.AssertQuietAsync();
        Assert.False(h.LastOutlook!.LastReadWasFullPass);
        Assert.Equal(links, h.State.Links);
    }
}
