using System.Text;
using CalSync.Store;
using CalSync.Engine.Sync;
using Xunit;

namespace CalSync.Store.Tests;

public sealed class StoreHistoryTests : IDisposable
{
    private readonly TempStore _temp = new();
    private CalSyncStore Store => _temp.Store;
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void History_filters_by_since_and_last_oldest_first()
    {
        for (var i = 0; i < 5; i++) Store.History.Append(StoreRoundTripTests.Run("Work", T0.AddHours(i)) with { Message = "run " + i });
        Store.History.Append(StoreRoundTripTests.Run("Other", T0));

        Assert.Equal(new[] { "run 0", "run 1", "run 2", "run 3", "run 4" }, Store.History.Read("work").Select(r => r.Message));
        Assert.Equal(new[] { "run 3", "run 4" }, Store.History.Read("Work", last: 2).Select(r => r.Message));
        Assert.Equal(new[] { "run 2", "run 3", "run 4" }, Store.History.Read("Work", since: T0.AddHours(2)).Select(r => r.Message));
        Assert.Equal(new[] { "run 4" }, Store.History.Read("Work", last: 1, since: T0.AddHours(2)).Select(r => r.Message));
        Assert.Empty(Store.History.Read("Work", last: 0));
        Assert.Empty(Store.History.Read("none"));
        Assert.Single(Store.History.Read("Other"));
    }

    [Fact]
    public void A_torn_last_line_is_skipped_and_does_not_break_the_next_append()
    {
        for (var i = 0; i < 3; i++) Store.History.Append(StoreRoundTripTests.Run("Work", T0.AddHours(i)));
        var path = Store.History.PathOf("Work");
        var full = Encoding.UTF8.GetBytes(File.ReadAllLines(path)[0]);
        using (var f = new FileStream(path, FileMode.Append)) f.Write(full, 0, full.Length / 2); // crash mid-append

        Assert.Equal(3, Store.History.Read("Work").Count);
        Assert.Equal(1, Store.History.SkippedLines);

        Store.History.Append(StoreRoundTripTests.Run("Work", T0.AddHours(9)) with { Message = "after the crash" });
        var runs = Store.History.Read("Work");
        Assert.Equal(4, runs.Count);
        Assert.Equal("after the crash", runs[^1].Message);
        var lines = File.ReadAllLines(path);
        Assert.Equal(5, lines.Length); // the torn line stays on a line of its own
        Assert.EndsWith("\n", File.ReadAllText(path));
    }

    [Fact]
    public void A_history_line_of_a_newer_schema_gives_NewerSchema()
    {
        Store.History.Append(StoreRoundTripTests.Run("Work", T0));
        File.AppendAllText(Store.History.PathOf("Work"), "{\"schema\":2,\"syncName\":\"Work\"}\n");
        var e = Assert.Throws<StoreException>(() => Store.History.Read("Work"));
        Assert.Equal(StoreErrorKind.NewerSchema, e.Kind);
        Assert.Contains("line 2 of", e.Message);
        Assert.Equal(Store.History.PathOf("Work"), e.Path);
    }

    [Fact]
    public void A_full_disk_while_appending_leaves_only_whole_lines()
    {
        Store.History.Append(StoreRoundTripTests.Run("Work", T0));
        var before = File.ReadAllBytes(Store.History.PathOf("Work"));
        var full = _temp.WithFileSystem(new FailingFileSystem { FailOnAppend = true, FailAfterBytes = 40 });
        var e = Assert.Throws<StoreException>(() => full.History.Append(StoreRoundTripTests.Run("Work", T0.AddHours(1))));
        Assert.Equal(StoreErrorKind.Io, e.Kind);
        Assert.Contains("disk is full", e.Message);
        Assert.Equal(before, File.ReadAllBytes(Store.History.PathOf("Work")));
        Assert.Single(Store.History.Read("Work"));
        Store.History.Append(StoreRoundTripTests.Run("Work", T0.AddHours(2)));
        Assert.Equal(2, Store.History.Read("Work").Count);
        Assert.Equal(0, Store.History.SkippedLines);
    }

    [Fact]
    public void Appends_from_many_threads_stay_whole_lines_under_the_lock()
    {
        Parallel.For(0, 40, i =>
        {
            using (Store.Locks.Acquire("Work", TimeSpan.FromSeconds(30)))
                Store.History.Append(StoreRoundTripTests.Run("Work", T0.AddMinutes(i)));
        });
        Assert.Equal(40, Store.History.Read("Work").Count);
        Assert.Equal(0, Store.History.SkippedLines);
    }
}
