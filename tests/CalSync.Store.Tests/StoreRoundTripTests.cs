using System.Text.Json;
using CalSync.Engine.Model;
using CalSync.Store;
using CalSync.Engine.Sync;
using Xunit;

namespace CalSync.Store.Tests;

public sealed class StoreRoundTripTests : IDisposable
{
    private readonly TempStore _temp = new();
    private CalSyncStore Store => _temp.Store;

    public void Dispose() => _temp.Dispose();

    internal static SyncDefinition Definition(string name = "Work") => new()
    {
        Name = name,
        Direction = SyncDirection.OutlookToBitrix24,
        Interval = TimeSpan.FromMinutes(15),
        AllowDelete = false,
        ProceedOnError = true,
        AvoidDuplicates = false,
        WindowPastDays = 7,
        WindowFutureDays = 90,
        ConflictPolicy = ConflictPolicy.Bitrix24Wins,
        Mapping = "busy-only",
        OutlookConnection = "me-outlook",
        Bitrix24Connection = "portal",
        Created = new DateTimeOffset(2025, 3, 1, 10, 0, 0, TimeSpan.FromHours(1)),
        Modified = new DateTimeOffset(2025, 3, 2, 11, 30, 5, TimeSpan.Zero),
    };

    internal static SyncState State() => new()
    {
        Initialized = true,
        OutlookCursor = "https://graph.example/delta?$deltatoken=abc",
        Bitrix24Cursor = null,
        Links = new[]
        {
            new Link
            {
                OutlookId = "AAMk1", Bitrix24Id = "42", OutlookVersion = "ck1", Bitrix24Version = "3",
                OutlookHash = "h1", Bitrix24Hash = "h2",
                StartUtc = new DateTime(2025, 3, 10, 9, 0, 0, DateTimeKind.Utc), EndUtc = new DateTime(2025, 3, 10, 10, 0, 0, DateTimeKind.Utc),
            },
            new Link { OutlookId = "AAMk2", Bitrix24Id = "43|2025-03-11", OutlookHash = "h3", Bitrix24Hash = "h4" },
        },
        Unlinked = new[] { new UnlinkedItem(Side.Bitrix24, "77", "hx", UnlinkedReason.Detached), new UnlinkedItem(Side.Outlook, "AAMk9", "hy", UnlinkedReason.Baseline) },
        Journal = new[]
        {
            new JournalEntry
            {
                TargetSide = Side.Bitrix24, SourceId = "AAMk5", OriginStamp = "calsync:work:AAMk5", TransactionId = "tx-1",
                MatchKey = "2025-03-12T09:00:00Z|2025-03-12T10:00:00Z|false|standup", At = new DateTimeOffset(2025, 3, 1, 8, 0, 0, TimeSpan.Zero),
            },
        },
        Failed = new[] { new FailedItem(Side.Outlook, "AAMk7", "HTTP 500: server error", 2) },
        LastRun = new DateTimeOffset(2025, 3, 1, 8, 5, 0, TimeSpan.Zero),
    };

    internal static RunRecord Run(string sync, DateTimeOffset start, RunOutcome outcome = RunOutcome.Succeeded) => new()
    {
        SyncName = sync,
        RunId = Guid.NewGuid(),
        Start = start,
        End = start.AddSeconds(12),
        Outcome = outcome,
        Mode = "InitialMerge:TwoWay",
        Direction = SyncDirection.TwoWay,
        Outlook = new SideCounts { Created = 1, Updated = 2, Deleted = 3, Matched = 4, Skipped = 5, Failed = 6, Recovered = 7 },
        Bitrix24 = new SideCounts { Created = 8 },
        Items = new[]
        {
            new ItemOutcome { Action = ItemAction.Create, TargetSide = Side.Bitrix24, SourceId = "AAMk1", TargetId = "42", Reason = "new" },
            new ItemOutcome
            {
                Action = ItemAction.Conflict, TargetSide = Side.Outlook, SourceId = "43", TargetId = "AAMk2", Succeeded = false, Reason = "both changed",
                OutlookBefore = new Dictionary<string, string> { ["title"] = "Standup", ["start"] = "2025-03-10T09:00:00Z" },
                Bitrix24Before = new Dictionary<string, string> { ["title"] = "Stand-up" },
            },
        },
        Message = "ok",
    };

    [Fact]
    public void Sync_definition_round_trips_and_is_indented_camelCase_with_enum_names_and_schema()
    {
        var def = Definition();
        Store.Definitions.Save(def);
        Assert.Equal(def, Store.Definitions.Get("Work"));
        Assert.Equal(def, Store.Definitions.Get("WORK")); // names are case-insensitive
        var text = File.ReadAllText(Store.Definitions.PathOf("work"));
        Assert.Equal(Path.Combine(_temp.Root, "syncs", "work.json"), Store.Definitions.PathOf("Work"));
        Assert.Contains("\n  \"schema\": 1", text);
        Assert.Contains("\"direction\": \"OutlookToBitrix24\"", text);
        Assert.Contains("\"conflictPolicy\": \"Bitrix24Wins\"", text);
        Assert.Contains("\"name\": \"Work\"", text);
    }

    [Fact]
    public void Missing_sync_is_null_and_missing_state_is_a_new_state()
    {
        Assert.Null(Store.Definitions.Get("nope"));
        var state = Store.States.Load("nope");
        Assert.False(state.Initialized);
        Assert.Empty(state.Links);
    }

    [Fact]
    public void Sync_state_with_links_journal_unlinked_and_failed_round_trips_compactly()
    {
        var state = State();
        Store.States.Save("Work", state);
        var text = File.ReadAllText(Store.States.PathOf("Work"));
        Assert.DoesNotContain("\n", text);
        Assert.StartsWith("{\"schema\":1,", text);
        Assert.Contains("\"side\":\"Bitrix24\"", text);
        Assert.Contains("\"reason\":\"Detached\"", text);

        var back = Store.States.Load("work");
        Assert.Equal(state.Initialized, back.Initialized);
        Assert.Equal(state.OutlookCursor, back.OutlookCursor);
        Assert.Null(back.Bitrix24Cursor);
        Assert.Equal(state.LastRun, back.LastRun);
        Assert.Equal(state.Links, back.Links);
        Assert.Equal(DateTimeKind.Utc, back.Links[0].StartUtc.Kind);
        Assert.Equal(state.Unlinked, back.Unlinked);
        Assert.Equal(state.Journal, back.Journal);
        Assert.Equal(state.Failed, back.Failed);
    }

    [Fact]
    public void Run_record_with_items_and_before_images_round_trips_as_one_line()
    {
        var run = Run("Work", new DateTimeOffset(2025, 3, 1, 8, 0, 0, TimeSpan.FromHours(2)));
        Store.History.Append(run);
        var lines = File.ReadAllLines(Store.History.PathOf("Work"));
        Assert.Single(lines);
        Assert.StartsWith("{\"schema\":1,", lines[0]);
        Assert.DoesNotContain("\"writes\"", lines[0]); // computed, not stored

        var back = Assert.Single(Store.History.Read("WORK"));
        Assert.Equal(run with { Items = back.Items }, back);
        Assert.Equal(run.Items.Count, back.Items.Count);
        Assert.Equal(run.Items[0], back.Items[0]);
        var conflict = back.Items[1];
        Assert.Equal(ItemAction.Conflict, conflict.Action);
        Assert.False(conflict.Succeeded);
        Assert.Equal(run.Items[1].OutlookBefore, conflict.OutlookBefore);
        Assert.Equal(run.Items[1].Bitrix24Before, conflict.Bitrix24Before);
        Assert.Equal(14, back.Writes);
    }

    [Fact]
    public void Connection_round_trips_and_is_found_case_insensitively()
    {
        var c = new ConnectionRecord
        {
            Name = "Portal", Kind = ConnectionKind.Bitrix24, Auth = "Webhook", Endpoint = "https://example.bitrix24.com/rest/",
            Portal = "example.bitrix24.com", Account = "1", CalendarId = "7", SecretKey = "portal-webhook",
            Settings = new Dictionary<string, string> { ["type"] = "user", ["ownerId"] = "1" },
            Created = DateTimeOffset.UnixEpoch, Modified = DateTimeOffset.UnixEpoch,
        };
        Store.Connections.Save(c);
        var back = Store.Connections.Get("portal")!;
        Assert.Equal(c with { Settings = back.Settings }, back);
        Assert.Equal(c.Settings, back.Settings);
        var text = File.ReadAllText(Store.Connections.PathOf("Portal"));
        Assert.Contains("\"kind\": \"Bitrix24\"", text);
        Assert.Contains("\"schema\": 1", text);
        Assert.Single(Store.Connections.List("P*"));
        Assert.True(Store.Connections.Remove("PORTAL"));
        Assert.Null(Store.Connections.Get("portal"));
        Assert.False(Store.Connections.Remove("portal"));
    }

    [Theory]
    [InlineData("https://example.bitrix24.com/rest/1/abcdef1234567890/")]
    [InlineData("https://example.bitrix24.com/rest/12/q1w2e3r4t5y6")]
    public void A_webhook_url_in_a_connection_is_refused_without_echoing_it(string webhook)
    {
        var e = Assert.Throws<StoreException>(() => Store.Connections.Save(new ConnectionRecord { Name = "p", Kind = ConnectionKind.Bitrix24, Endpoint = webhook }));
        Assert.Equal(StoreErrorKind.SecretInClearText, e.Kind);
        Assert.DoesNotContain(webhook.Split('/')[5], e.Message);
        var e2 = Assert.Throws<StoreException>(() => Store.Connections.Save(new ConnectionRecord
        {
            Name = "p", Kind = ConnectionKind.Outlook, Settings = new Dictionary<string, string> { ["refreshToken"] = "0.AXYZ" },
        }));
        Assert.Equal(StoreErrorKind.SecretInClearText, e2.Kind);
        Assert.DoesNotContain("0.AXYZ", e2.Message);
        Assert.False(File.Exists(Store.Connections.PathOf("p")));
    }

    [Fact]
    public void RemoveSync_removes_definition_state_history_and_lock()
    {
        Store.Definitions.Save(Definition("Work"));
        Store.States.Save("Work", State());
        Store.History.Append(Run("Work", DateTimeOffset.Now));
        using (Store.Locks.Acquire("Work", TimeSpan.Zero)) { }
        Store.Definitions.Save(Definition("Other"));

        Assert.True(Store.RemoveSync("wOrK"));
        Assert.False(File.Exists(Store.Definitions.PathOf("Work")));
        Assert.False(File.Exists(Store.States.PathOf("Work")));
        Assert.False(File.Exists(Store.History.PathOf("Work")));
        Assert.False(File.Exists(Store.Locks.PathOf("Work")));
        Assert.NotNull(Store.Definitions.Get("Other"));
        Assert.False(Store.RemoveSync("Work"));
    }

    [Fact]
    public void RemoveSync_refuses_while_a_run_holds_the_lock()
    {
        Store.Definitions.Save(Definition("Work"));
        using var held = Store.Locks.Acquire("Work", TimeSpan.Zero);
        var e = Assert.Throws<StoreException>(() => Store.RemoveSync("Work"));
        Assert.Equal(StoreErrorKind.Locked, e.Kind);
        Assert.NotNull(Store.Definitions.Get("Work"));
    }

    [Fact]
    public void Every_file_is_valid_json_with_a_schema()
    {
        Store.Definitions.Save(Definition());
        Store.States.Save("Work", State());
        Store.History.Append(Run("Work", DateTimeOffset.Now));
        Store.History.Append(Run("Work", DateTimeOffset.Now));
        Store.Connections.Save(new ConnectionRecord { Name = "me", Kind = ConnectionKind.Outlook });
        var docs = new[] { Store.Definitions.PathOf("Work"), Store.States.PathOf("Work"), Store.Connections.PathOf("me") }.Select(File.ReadAllText)
            .Concat(File.ReadAllLines(Store.History.PathOf("Work")));
        foreach (var doc in docs)
            Assert.Equal(1, JsonDocument.Parse(doc).RootElement.GetProperty("schema").GetInt32());
    }
}
