using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CalSync.Bitrix24;
using CalSync.Engine.Model;
using CalSync.Engine.Sides;
using CalSync.Store;
using CalSync.Engine.Sync;
using CalSync.Outlook;
using CalSync.Sandbox;
using CalSync.Sandbox.Bitrix24;
using CalSync.Sandbox.Graph;
using Xunit;

namespace CalSync.Integration.Tests.Support;

/// <summary>
/// The real runner, the real file store (in a temp directory) and both real connectors over the in-process sandbox.
/// Meetings are put on each side, edited and deleted as a user would (Graph over HTTP, Bitrix24 through the stand-in's
/// REST methods in-process, so user edits never show in the journal); every run gets fresh connector instances, as
/// each Start-CalSync does.
/// </summary>
public sealed class SandboxHarness : IAsyncDisposable
{
    private readonly List<IDisposable> _sides = new();
    private readonly HttpClient _graphHttp;

    public SandboxHarness(SandboxHost host, string culture = "en", string serverZone = "UTC", SyncDefinition? definition = null, bool realBitrix24Limits = false)
    {
        Host = host;
        Graph.Reset(clearEvents: true);
        Bitrix24.Reset();
        Bitrix24.Culture = culture;
        Bitrix24.ServerTimeZone = serverZone;
        // The portal's leaky bucket is tested on its own (SCENARIO 31); elsewhere it would only make the suite slow.
        Bitrix24.Limits.LeakyBucketEnabled = realBitrix24Limits;
        Root = Path.Combine(Path.GetTempPath(), "calsync-it-" + Guid.NewGuid().ToString("N"));
        Store = new CalSyncStore(Root);
        Definition = definition ?? new SyncDefinition { Name = "work" };
        OutlookOptions = new OutlookConnectionOptions
        {
            Endpoint = Graph.BaseUrl,
            AccessToken = Graph.AccessToken,
            TokenCacheMode = TokenCacheMode.InMemory,
        };
        Bitrix24Options = new Bitrix24ConnectionOptions
        {
            WebhookUrl = Bitrix24.WebhookUrl,
            SectionId = Bitrix24.DefaultSectionId.ToString(CultureInfo.InvariantCulture),
            QueryLimitBackoff = TimeSpan.FromMilliseconds(50),
            RequestsPerSecond = realBitrix24Limits ? null : 1000,
            Burst = realBitrix24Limits ? null : 10_000,
        };
        _graphHttp = new HttpClient { BaseAddress = new Uri(Graph.BaseUrl + "/") };
        _graphHttp.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Graph.AccessToken);
        _graphHttp.DefaultRequestHeaders.Add("Prefer", "outlook.timezone=\"UTC\"");
    }

    public SandboxHost Host { get; }
    public GraphService Graph => Host.Graph;
    public Bitrix24Service Bitrix24 => Host.Bitrix24;
    /// <summary>A Monday morning; each run moves the clock a minute on.</summary>
    public DateTimeOffset Now { get; set; } = new(2025, 3, 3, 8, 0, 0, TimeSpan.Zero);
    public string Root { get; }
    public CalSyncStore Store { get; }
    public SyncDefinition Definition { get; set; }
    public OutlookConnectionOptions OutlookOptions { get; set; }
    public Bitrix24ConnectionOptions Bitrix24Options { get; set; }
    /// <summary>Wraps the connectors of the next runs (e.g. to crash after a write).</summary>
    public Func<ICalendarSide, ICalendarSide> WrapOutlook { get; set; } = s => s;
    public Func<ICalendarSide, ICalendarSide> WrapBitrix24 { get; set; } = s => s;
    public RunResult? LastResult { get; private set; }
    /// <summary>The last run's log lines (RunOptions.Log).</summary>
    public IReadOnlyList<string> LastLog { get; private set; } = Array.Empty<string>();
    public OutlookCalendarSide? LastOutlook { get; private set; }
    public Bitrix24CalendarSide? LastBitrix24 { get; private set; }

    public SyncState State => Store.States.Load(Definition.Name);
    public SyncWindow Window => SyncWindow.Around(Now.UtcDateTime, Definition.WindowPastDays, Definition.WindowFutureDays);

    public int GraphWrites => Graph.Journal.Requests.Count(r => r.IsWrite);
    /// <summary>Write commands Bitrix24 received (inside batches or on their own).</summary>
    public int Bitrix24Writes => Bitrix24.Journal.Requests.Count(IsBitrix24WriteCommand);

    private static bool IsBitrix24WriteCommand(RecordedRequest r) => r.IsWrite && (r.Method == "BATCH" || !r.PathAndQuery.Contains("/batch", StringComparison.OrdinalIgnoreCase));

    // ------------------------------------------------------------------ runs

    public async Task<RunRecord> RunAsync(InitialMerge? merge = null, bool allowEmptySide = false, TimeSpan? lockWait = null)
    {
        Now = Now.AddMinutes(1);
        var outlook = await OutlookCalendarSide.ConnectAsync(OutlookOptions);
        var bitrix24 = new Bitrix24CalendarSide(Bitrix24Options);
        _sides.Add(outlook);
        _sides.Add(bitrix24);
        LastOutlook = outlook;
        LastBitrix24 = bitrix24;
        var runner = new SyncRunner(Store, WrapOutlook(outlook), WrapBitrix24(bitrix24));
        var log = new List<string>();
        var options = new RunOptions { Merge = merge, AllowEmptySide = allowEmptySide, Now = Now, LockWait = lockWait ?? TimeSpan.FromSeconds(5), Log = log.Add };
        LastLog = log;
        LastResult = await runner.RunAsync(Definition, options, CancellationToken.None);
        Now = Now.AddMinutes(1);
        return LastResult.Record;
    }

    /// <summary>Runs once more and asserts that nothing was written to either service (every scenario ends with this).</summary>
    public async Task<RunRecord> AssertQuietAsync(int times = 1)
    {
        RunRecord record = null!;
        for (var i = 0; i < times; i++)
        {
            var before = (GraphWrites, Bitrix24Writes);
            record = await RunAsync();
            var after = (GraphWrites, Bitrix24Writes);
            Assert.True(before == after, $"run {i + 1} of the quiet check wrote (Graph {after.Item1 - before.Item1}, Bitrix24 {after.Item2 - before.Item2}): {LastResult!.Plan}\n{Describe(record)}\nGraph: {WritesSince(Graph.Journal, before.Item1, r => r.IsWrite)}\nBitrix24: {WritesSince(Bitrix24.Journal, before.Item2, IsBitrix24WriteCommand)}");
            Assert.True(record.Outcome == RunOutcome.NoChanges, $"expected no changes, got {record.Outcome} ({record.Message}): {LastResult!.Plan}\n{Describe(record)}");
            Assert.Equal(0, record.Writes);
        }
        return record;
    }

    public static string Describe(RunRecord record) =>
        string.Join("\n", record.Items.Select(i => $"  {i.Action} on {i.TargetSide} {i.SourceId} -> {i.TargetId} ok={i.Succeeded}: {i.Reason}{Differences(i)}"));

    private static string Differences(ItemOutcome i)
    {
        if (i.OutlookBefore is null || i.Bitrix24Before is null) return "";
        var keys = i.OutlookBefore.Keys.Union(i.Bitrix24Before.Keys).Where(k => i.OutlookBefore.GetValueOrDefault(k) != i.Bitrix24Before.GetValueOrDefault(k));
        return " [" + string.Join("; ", keys.Select(k => $"{k}: '{i.OutlookBefore.GetValueOrDefault(k)}' vs '{i.Bitrix24Before.GetValueOrDefault(k)}'")) + "]";
    }

    private static string WritesSince(RequestJournal journal, int skip, Func<RecordedRequest, bool> isWrite) =>
        string.Join("\n  ", journal.Requests.Where(isWrite).Skip(skip).Select(r => $"{r.Method} {r.PathAndQuery} {Trim(r.Body)}"));

    private static string Trim(string s) => s.Length > 600 ? s[..600] + "…" : s;

    /// <summary>Every live item on one side is linked exactly once.</summary>
    public void AssertLinksOneToOne()
    {
        var links = State.Links;
        Assert.Equal(links.Count, links.Select(l => l.OutlookId).Distinct().Count());
        Assert.Equal(links.Count, links.Select(l => l.Bitrix24Id).Distinct().Count());
    }

    // ------------------------------------------------------------------ Outlook as its user

    public static string GraphTime(DateTime local) => local.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>A timed Outlook meeting (wall clock in <paramref name="zone"/>, a Windows or IANA name; the default calendar unless <paramref name="calendarId"/>); <paramref name="extra"/> is more JSON members.</summary>
    public string OutlookAdd(string subject, DateTime localStart, int minutes = 60, string zone = "W. Europe Standard Time", string location = "", string body = "", string extra = "", string? calendarId = null)
    {
        var json = new JsonObject
        {
            ["subject"] = subject,
            ["body"] = new JsonObject { ["contentType"] = "text", ["content"] = body },
            ["start"] = new JsonObject { ["dateTime"] = GraphTime(localStart), ["timeZone"] = zone },
            ["end"] = new JsonObject { ["dateTime"] = GraphTime(localStart.AddMinutes(minutes)), ["timeZone"] = zone },
        };
        if (location.Length > 0) json["location"] = new JsonObject { ["displayName"] = location };
        var text = json.ToJsonString();
        if (extra.Length > 0) text = text[..^1] + "," + extra + "}";
        return Graph.SeedEvent(text, calendarId);
    }

    /// <summary>A weekly Outlook series on the start's weekday, <paramref name="count"/> occurrences.</summary>
    public string OutlookAddWeekly(string subject, DateTime localStart, int count, int minutes = 60, string zone = "W. Europe Standard Time", string location = "")
    {
        var day = localStart.DayOfWeek.ToString().ToLowerInvariant();
        var recurrence = new JsonObject
        {
            ["pattern"] = new JsonObject { ["type"] = "weekly", ["interval"] = 1, ["daysOfWeek"] = new JsonArray(day), ["firstDayOfWeek"] = "sunday" },
            ["range"] = new JsonObject { ["type"] = "numbered", ["startDate"] = localStart.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ["numberOfOccurrences"] = count, ["recurrenceTimeZone"] = zone },
        };
        return OutlookAdd(subject, localStart, minutes, zone, location, extra: "\"recurrence\":" + recurrence.ToJsonString());
    }

    /// <summary>The instance of an Outlook series whose original start (UTC) falls on <paramref name="originalDate"/> (daytime European meetings: the same date).</summary>
    public async Task<string> OutlookInstanceIdAsync(string seriesId, DateTime originalDate)
    {
        var instances = await OutlookInstancesAsync(seriesId, originalDate.AddDays(-1), originalDate.AddDays(2));
        var match = instances.Single(i => ((string)i!["originalStart"]!).StartsWith(originalDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), StringComparison.Ordinal));
        return (string)match!["id"]!;
    }

    public string OutlookAddAllDay(string subject, DateTime date, int days = 1) => Graph.SeedEvent(new JsonObject
    {
        ["subject"] = subject,
        ["isAllDay"] = true,
        ["start"] = new JsonObject { ["dateTime"] = GraphTime(date.Date), ["timeZone"] = "UTC" },
        ["end"] = new JsonObject { ["dateTime"] = GraphTime(date.Date.AddDays(days)), ["timeZone"] = "UTC" },
    }.ToJsonString());

    public Task OutlookPatchAsync(string id, string json) => GraphSendAsync(HttpMethod.Patch, "me/events/" + Uri.EscapeDataString(id), json);

    public Task OutlookDeleteAsync(string id) => GraphSendAsync(HttpMethod.Delete, "me/events/" + Uri.EscapeDataString(id), null);

    public async Task<JsonArray> OutlookInstancesAsync(string seriesId, DateTime fromUtc, DateTime toUtc)
    {
        var json = await _graphHttp.GetStringAsync($"me/events/{Uri.EscapeDataString(seriesId)}/instances?startDateTime={fromUtc:yyyy-MM-ddTHH:mm:ssZ}&endDateTime={toUtc:yyyy-MM-ddTHH:mm:ssZ}");
        return JsonNode.Parse(json)!["value"]!.AsArray();
    }

    public async Task GraphSendAsync(HttpMethod method, string relative, string? body)
    {
        using var request = new HttpRequestMessage(method, relative);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await _graphHttp.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"{method} {relative}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The stand-in's stored events (singles and series masters) as GET /me/events returns them.</summary>
    public IReadOnlyList<JsonObject> OutlookStored => Graph.GetEvents();

    // ------------------------------------------------------------------ Bitrix24 as its user

    public static string B24Time(DateTime local) => local.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public string Bitrix24Add(string name, DateTime localStart, int minutes = 60, string zone = "Europe/Berlin", string location = "", string description = "", IDictionary<string, object?>? extra = null, int? remindMinutes = null)
    {
        var p = new Dictionary<string, object?>
        {
            ["name"] = name,
            ["from"] = B24Time(localStart),
            ["to"] = B24Time(localStart.AddMinutes(minutes)),
            ["timezone_from"] = zone,
            ["timezone_to"] = zone,
            ["section"] = Bitrix24.DefaultSectionId,
        };
        if (location.Length > 0) p["location"] = location;
        if (description.Length > 0) p["description"] = description;
        if (remindMinutes is { } m) p["remind"] = new[] { new Dictionary<string, object?> { ["type"] = "min", ["count"] = m } };
        foreach (var (k, v) in extra ?? new Dictionary<string, object?>()) p[k] = v;
        return Bitrix24.SeedEvent(p).ToString(CultureInfo.InvariantCulture);
    }

    public string Bitrix24AddAllDay(string name, DateTime date, int days = 1) =>
        Bitrix24.SeedEvent(new Dictionary<string, object?>
        {
            ["name"] = name,
            ["from"] = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["to"] = date.AddDays(days - 1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["skip_time"] = "Y",
            ["section"] = Bitrix24.DefaultSectionId,
        }).ToString(CultureInfo.InvariantCulture);

    /// <summary>The user edits an event (calendar.event.update with these parameters).</summary>
    /// <summary>
    /// A user's edit, as the portal's form makes it: the event's own time block (skip_time, zones) goes along unless the
    /// change sets it, since an update without it makes the event timed and in the webhook user's zone (docs/bitrix24-api.md).
    /// </summary>
    public void Bitrix24Update(string id, IDictionary<string, object?> changes)
    {
        var p = new Dictionary<string, object?> { ["id"] = int.Parse(id, CultureInfo.InvariantCulture), ["type"] = "user", ["ownerId"] = Bitrix24.UserId };
        var stored = Bitrix24Stored.Single(e => e.Id.ToString(CultureInfo.InvariantCulture) == id);
        p["skip_time"] = stored.AllDay ? "Y" : "N";
        if (!stored.AllDay) (p["timezone_from"], p["timezone_to"]) = (stored.TimeZoneFrom, stored.TimeZoneTo);
        foreach (var (k, v) in changes) p[k] = v;
        Bitrix24.Call("calendar.event.update", p);
    }

    public void Bitrix24Move(string id, DateTime localStart, int minutes = 60, string zone = "Europe/Berlin") =>
        Bitrix24Update(id, new Dictionary<string, object?> { ["from"] = B24Time(localStart), ["to"] = B24Time(localStart.AddMinutes(minutes)), ["timezone_from"] = zone, ["timezone_to"] = zone });

    public void Bitrix24Delete(string id) => Bitrix24.Call("calendar.event.delete", new Dictionary<string, object?> { ["id"] = int.Parse(id, CultureInfo.InvariantCulture) });

    /// <summary>Live stored Bitrix24 rows.</summary>
    public IReadOnlyList<Bitrix24Event> Bitrix24Stored => Bitrix24.GetEvents();

    // ------------------------------------------------------------------ reading back through the connectors

    public async Task<IReadOnlyList<CalEvent>> ReadOutlookAsync()
    {
        using var side = await OutlookCalendarSide.ConnectAsync(OutlookOptions);
        return (await side.ReadAsync(Window, null, CancellationToken.None)).Events;
    }

    public async Task<IReadOnlyList<CalEvent>> ReadBitrix24Async()
    {
        using var side = new Bitrix24CalendarSide(Bitrix24Options);
        return (await side.ReadAsync(Window, null, CancellationToken.None)).Events;
    }

    /// <summary>Every occurrence a calendar shows, as (start UTC, end UTC, title), series expanded.</summary>
    public List<(DateTime Start, DateTime End, string Title)> Occurrences(IEnumerable<CalEvent> events) =>
        events.SelectMany(e => e.IsSeries ? RecurrenceExpander.Expand(e, Window.StartUtc, Window.EndUtc).Select(o => o.Event) : new[] { e })
            .Select(e => (e.Start.SortKeyUtc, e.End.SortKeyUtc, e.Title.Trim())).OrderBy(x => x.Item1).ThenBy(x => x.Item3, StringComparer.Ordinal).ToList();

    public static string Json(object? value) => JsonSerializer.Serialize(value);

    public async ValueTask DisposeAsync()
    {
        foreach (var side in _sides) side.Dispose();
        _graphHttp.Dispose();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
        await Task.CompletedTask;
    }
}
