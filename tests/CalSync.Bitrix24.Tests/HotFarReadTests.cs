using CalSync.Bitrix24;
using CalSync.Engine.Sides;
using Xunit;

namespace CalSync.Bitrix24.Tests;

/// <summary>
/// Change-proportional reads (docs/architecture.md, "Bitrix24 reads: hot and far"): between far reads a read asks for
/// the hot range only and keeps the far range as last read; anything that may have left or entered the hot range, a
/// due far read, or damage reads the whole window.
/// </summary>
public class HotFarReadTests
{
    private static readonly DateTime Today = new(2025, 3, 3, 8, 0, 0, DateTimeKind.Utc);

    private static SyncWindow At(TimeSpan later) => SyncWindow.Around(Today + later, 30, 365);

    private static Dictionary<string, object?> Single(Portal portal, string name, DateTime day) => new()
    {
        ["name"] = name,
        ["from"] = day.ToString("yyyy-MM-dd") + " 10:00:00",
        ["to"] = day.ToString("yyyy-MM-dd") + " 11:00:00",
        ["timezone_from"] = "Europe/Berlin",
        ["timezone_to"] = "Europe/Berlin",
        ["section"] = portal.Service.DefaultSectionId,
    };

    private static void Rename(Portal portal, int id, string name) =>
        portal.Service.Call("calendar.event.update", new Dictionary<string, object?> { ["id"] = id, ["type"] = "user", ["ownerId"] = portal.Service.UserId, ["name"] = name });

    private static void Move(Portal portal, int id, DateTime day) =>
        portal.Service.Call("calendar.event.update", new Dictionary<string, object?>
        {
            ["id"] = id, ["type"] = "user", ["ownerId"] = portal.Service.UserId,
            ["from"] = day.ToString("yyyy-MM-dd") + " 10:00:00", ["to"] = day.ToString("yyyy-MM-dd") + " 11:00:00",
            ["timezone_from"] = "Europe/Berlin", ["timezone_to"] = "Europe/Berlin",
        });

    private static Bitrix24ConnectionOptions Split(Portal portal) => portal.Options() with { FarReadInterval = TimeSpan.FromMinutes(20) };

    /// <summary>The <c>calendar.event.get</c> commands of the batches sent since <paramref name="skip"/> batches.</summary>
    private static int WindowCommands(Portal portal, int skip) =>
        portal.Batches().Skip(skip).Sum(b => b.Commands.Count(c => c.StartsWith("calendar.event.get?", StringComparison.Ordinal)));

    [Fact]
    public async Task Between_far_reads_only_the_hot_range_is_asked_for_and_a_far_change_waits_for_the_next_far_read()
    {
        await using var portal = await Portal.StartAsync(rateLimit: false);
        portal.Service.SeedEvent(Single(portal, "Soon", Today.AddDays(2)));
        var far = portal.Service.SeedEvent(Single(portal, "Later", Today.AddDays(60)));

        var first = await portal.Side(Split(portal)).ReadAsync(At(TimeSpan.Zero), null, default);
        Assert.Null(first.Fresh);
        var wholeCommands = WindowCommands(portal, 0);
        Assert.True(wholeCommands > 2, $"a whole read of a 396-day window is several chunks, got {wholeCommands}");
        Assert.Equal(new[] { "Later", "Soon" }, first.Events.Select(e => e.Title).Order());

        var batches = portal.Batches().Count;
        var idle = await portal.Side(Split(portal)).ReadAsync(At(TimeSpan.FromMinutes(1)), first.Cursor, default);
        Assert.Equal(1, WindowCommands(portal, batches));
        Assert.Single(portal.Batches().Skip(batches));
        Assert.NotNull(idle.Fresh);
        Assert.Equal(new[] { "Later", "Soon" }, idle.Events.Select(e => e.Title).Order());
        Assert.Same(first.Cursor!.Data, idle.Cursor!.Data); // nothing changed: the store writes nothing

        Rename(portal, far, "Later (renamed)");
        var stale = await portal.Side(Split(portal)).ReadAsync(At(TimeSpan.FromMinutes(2)), idle.Cursor, default);
        Assert.Contains(stale.Events, e => e.Title == "Later"); // as last read: the far range waits for its read

        batches = portal.Batches().Count;
        var due = await portal.Side(Split(portal)).ReadAsync(At(TimeSpan.FromMinutes(20)), stale.Cursor, default);
        Assert.Null(due.Fresh);
        Assert.Equal(wholeCommands, WindowCommands(portal, batches));
        Assert.Contains(due.Events, e => e.Title == "Later (renamed)");
    }

    [Fact]
    public async Task A_hot_meeting_moved_to_the_far_range_makes_the_read_whole_and_is_found_at_its_new_place()
    {
        await using var portal = await Portal.StartAsync(rateLimit: false);
        var soon = portal.Service.SeedEvent(Single(portal, "Soon", Today.AddDays(2)));
        portal.Service.SeedEvent(Single(portal, "Later", Today.AddDays(60)));
        var first = await portal.Side(Split(portal)).ReadAsync(At(TimeSpan.Zero), null, default);

        Move(portal, soon, Today.AddDays(90));
        var batches = portal.Batches().Count;
        var next = await portal.Side(Split(portal)).ReadAsync(At(TimeSpan.FromMinutes(1)), first.Cursor, default);

        Assert.Null(next.Fresh);
        Assert.True(WindowCommands(portal, batches) > 2);
        var moved = Assert.Single(next.Events, e => e.Title == "Soon");
        Assert.Equal(Today.AddDays(90).Date, moved.Start.Local.Date);
    }

    [Fact]
    public async Task A_far_meeting_moved_into_the_hot_range_makes_the_read_whole_so_it_is_not_read_twice()
    {
        await using var portal = await Portal.StartAsync(rateLimit: false);
        var later = portal.Service.SeedEvent(Single(portal, "Later", Today.AddDays(60)));
        portal.Service.SeedEvent(Single(portal, "Soon", Today.AddDays(2)));
        var first = await portal.Side(Split(portal)).ReadAsync(At(TimeSpan.Zero), null, default);

        Move(portal, later, Today.AddDays(3));
        var next = await portal.Side(Split(portal)).ReadAsync(At(TimeSpan.FromMinutes(1)), first.Cursor, default);

        Assert.Null(next.Fresh);
        var moved = Assert.Single(next.Events, e => e.Title == "Later");
        Assert.Equal(Today.AddDays(3).Date, moved.Start.Local.Date);
    }

    [Fact]
    public async Task A_series_renamed_in_the_hot_range_is_read_whole_so_its_far_occurrences_do_not_keep_the_old_name()
    {
        await using var portal = await Portal.StartAsync(rateLimit: false);
        var series = portal.Service.SeedEvent(ReadTests.Weekly(portal, "Standup", "2025-03-03 10:00:00", "2025-03-03 10:30:00", 20));
        var first = await portal.Side(Split(portal)).ReadAsync(At(TimeSpan.Zero), null, default);
        Assert.Equal("Standup", Assert.Single(first.Events).Title);

        Rename(portal, series, "Daily sync");
        var next = await portal.Side(Split(portal)).ReadAsync(At(TimeSpan.FromMinutes(1)), first.Cursor, default);

        Assert.Null(next.Fresh);
        Assert.Equal("Daily sync", Assert.Single(next.Events).Title);
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3 })]
    [InlineData(new byte[0])]
    public async Task A_damaged_or_empty_far_cache_reads_the_whole_window(byte[] damage)
    {
        await using var portal = await Portal.StartAsync(rateLimit: false);
        portal.Service.SeedEvent(Single(portal, "Later", Today.AddDays(60)));
        var first = await portal.Side(Split(portal)).ReadAsync(At(TimeSpan.Zero), null, default);

        var next = await portal.Side(Split(portal)).ReadAsync(At(TimeSpan.FromMinutes(1)), new SideCursor(first.Cursor!.Text, damage), default);

        Assert.Null(next.Fresh);
        Assert.Equal("Later", Assert.Single(next.Events).Title);
    }

    [Fact]
    public async Task Without_a_far_read_interval_every_read_is_whole_and_keeps_no_data()
    {
        await using var portal = await Portal.StartAsync(rateLimit: false);
        portal.Service.SeedEvent(Single(portal, "Later", Today.AddDays(60)));
        var first = await portal.Side().ReadAsync(At(TimeSpan.Zero), null, default);
        var next = await portal.Side().ReadAsync(At(TimeSpan.FromMinutes(1)), first.Cursor, default);

        Assert.Null(first.Cursor!.Data);
        Assert.Null(next.Fresh);
    }
}

