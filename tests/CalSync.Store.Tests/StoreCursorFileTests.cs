using System.Text;
using CalSync.Engine.Model;
using CalSync.Engine.Sides;
using CalSync.Store;
using CalSync.Engine.Sync;
using Xunit;

namespace CalSync.Store.Tests;

/// <summary>
/// A side's cursor data (the Outlook snapshot: megabytes) is kept in a file of its own next to the state file,
/// state/&lt;sync&gt;.&lt;side&gt;.&lt;hash&gt;.cursor, written before the state that names it and deleted after the
/// state that no longer does; a missing or damaged one means a full read of that side, with a warning naming the file.
/// </summary>
public sealed class StoreCursorFileTests : IDisposable
{
    private readonly TempStore _temp = new();
    private CalSyncStore Store => _temp.Store;

    public void Dispose() => _temp.Dispose();

    private static byte[] Data(int seed, int length = 200_000)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private string[] CursorFiles() =>
        Directory.GetFiles(Store.States.Directory, "*.cursor").Select(f => Path.GetFileName(f)!).OrderBy(f => f, StringComparer.Ordinal).ToArray();

    private static SyncState State(byte[]? outlook, string text = "calsync.outlook.v4:header") =>
        StoreRoundTripTests.State() with { OutlookCursor = text, OutlookCursorData = outlook };

    [Fact]
    public void Cursor_data_is_kept_beside_the_state_not_inside_it_and_an_unchanged_one_is_not_written_again()
    {
        var data = Data(1);
        Store.States.Save("Work", State(data));

        var file = Assert.Single(CursorFiles());
        Assert.Matches(@"^work\.outlook\.[0-9a-f]{32}\.cursor$", file);
        var json = File.ReadAllText(Store.States.PathOf("Work"));
        Assert.Contains("\"outlookCursorFile\":\"" + file + "\"", json);
        Assert.True(json.Length < 100_000, "the state file holds the links, not the cursor data");
        if (Modes.IsUnix) Assert.Equal("600", Modes.Of(Path.Combine(Store.States.Directory, file)));

        var back = Store.States.Load("Work");
        Assert.Equal(data, back.OutlookCursorData);
        Assert.Equal("calsync.outlook.v4:header", back.OutlookCursor);
        Assert.Null(back.Bitrix24CursorData);
        Assert.Empty(back.LoadWarnings);
        Assert.Equal(new SideCursor("calsync.outlook.v4:header", back.OutlookCursorData), back.CursorOf(Side.Outlook));

        // A run that changed nothing hands back the same data: the file is not written again.
        var path = Path.Combine(Store.States.Directory, file);
        File.SetLastWriteTimeUtc(path, new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        Store.States.Save("Work", back.WithCursors(new SideCursor("calsync.outlook.v4:next", back.OutlookCursorData), null));
        Assert.Equal(new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc), File.GetLastWriteTimeUtc(path));
        Assert.Equal(new[] { file }, CursorFiles());

        // New data: a new file, the old one deleted once the state names the new one.
        var changed = Data(2);
        Store.States.Save("Work", back with { OutlookCursorData = changed });
        var next = Assert.Single(CursorFiles());
        Assert.NotEqual(file, next);
        Assert.Equal(changed, Store.States.Load("Work").OutlookCursorData);

        // No data: no file.
        Store.States.Save("Work", back with { OutlookCursorData = null });
        Assert.Empty(CursorFiles());
        Assert.Null(Store.States.Load("Work").OutlookCursorFile);
    }

    [Fact]
    public void A_state_file_written_before_cursor_files_still_loads_with_its_cursor_in_the_text_and_is_migrated_by_the_next_save()
    {
        // As the previous release wrote it: the Outlook snapshot as base64 inside the cursor text, no cursor file.
        Directory.CreateDirectory(Store.States.Directory);
        var v3 = "calsync.outlook.v3:H4sI." + Convert.ToBase64String(Data(3, 60_000));
        var old = "{\"schema\":1,\"initialized\":true,\"outlookCursor\":\"" + v3 + "\",\"bitrix24Cursor\":\"{\\\"schemaVersion\\\":1}\",\"links\":[{\"outlookId\":\"o1\",\"bitrix24Id\":\"b1\",\"outlookHash\":\"h\",\"bitrix24Hash\":\"h\"}]}";
        File.WriteAllText(Store.States.PathOf("Work"), old);

        var loaded = Store.States.Load("Work");
        Assert.Equal(v3, loaded.OutlookCursor);
        Assert.Null(loaded.OutlookCursorData);
        Assert.Equal(new SideCursor(v3), loaded.CursorOf(Side.Outlook));
        Assert.Single(loaded.Links);

        // The connector hands back its cursor as text + data (v4): the text shrinks, the data goes to its own file.
        var data = Data(4, 50_000);
        Store.States.Save("Work", loaded.WithCursors(new SideCursor("calsync.outlook.v4:header", data), loaded.CursorOf(Side.Bitrix24)));
        var json = File.ReadAllText(Store.States.PathOf("Work"));
        Assert.DoesNotContain("calsync.outlook.v3", json);
        Assert.True(json.Length < 1000, json);
        var migrated = Store.States.Load("Work");
        Assert.Equal(data, migrated.OutlookCursorData);
        Assert.Equal("{\"schemaVersion\":1}", migrated.Bitrix24Cursor);
        Assert.Equal(loaded.Links, migrated.Links);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_missing_or_damaged_cursor_file_gives_no_data_and_a_warning_naming_it_and_the_next_save_is_whole(bool damaged)
    {
        Store.States.Save("Work", State(Data(5)));
        var path = Path.Combine(Store.States.Directory, Assert.Single(CursorFiles()));
        if (damaged)
        {
            var bytes = File.ReadAllBytes(path);
            bytes[1000] ^= 0x01;
            File.WriteAllBytes(path, bytes);
        }
        else File.Delete(path);

        var loaded = Store.States.Load("Work");
        Assert.Null(loaded.OutlookCursorData);
        var warning = Assert.Single(loaded.LoadWarnings);
        Assert.Contains("'" + path + "'", warning);
        Assert.Contains(damaged ? "is damaged" : "is missing", warning);
        Assert.Contains("Outlook is read in full this run", warning);
        Assert.Equal(StoreRoundTripTests.State().Links, loaded.Links);
        // The damaged file is kept aside, as other unreadable store files are; a cut one the same.
        if (damaged) Assert.Single(Directory.GetFiles(Store.States.Directory, Path.GetFileName(path) + ".corrupt-*"));
        Assert.False(File.Exists(path));

        var fresh = Data(6);
        Store.States.Save("Work", loaded with { OutlookCursorData = fresh });
        var again = Store.States.Load("Work");
        Assert.Equal(fresh, again.OutlookCursorData);
        Assert.Empty(again.LoadWarnings);
    }

    [Fact]
    public void A_state_naming_a_file_that_is_not_its_own_cursor_file_does_not_read_it()
    {
        Store.States.Save("Work", State(null));
        var json = File.ReadAllText(Store.States.PathOf("Work"));
        File.WriteAllText(Store.States.PathOf("Work"), json.Replace("\"schema\":1,", "\"schema\":1,\"outlookCursorFile\":\"../../secret.cursor\","));
        var loaded = Store.States.Load("Work");
        Assert.Null(loaded.OutlookCursorData);
        Assert.Contains("not a cursor file of this sync", Assert.Single(loaded.LoadWarnings));
    }

    /// <summary>
    /// A save dies (the process is killed) after each number of bytes written, across both files: whatever is on the
    /// disk afterwards loads as the old state with the old data or the new state with the new data, never a mix, and
    /// the next save leaves exactly one cursor file.
    /// </summary>
    [Fact]
    public void A_crash_anywhere_between_the_two_writes_leaves_a_state_whose_cursor_file_matches_it()
    {
        var oldData = Data(7, 30_000);
        var newData = Data(8, 30_000);
        var oldState = State(oldData, "old");
        var newState = State(newData, "new") with { Links = Array.Empty<Link>() };
        var outcomes = new HashSet<string>();
        var stateBytes = new StringBuilder();
        for (var budget = 0; ; budget += 4096)
        {
            using var temp = new TempStore();
            temp.Store.States.Save("Work", oldState);
            var dying = temp.WithFileSystem(new DyingFileSystem(budget));
            var died = false;
            try { dying.States.Save("Work", newState); }
            catch (ProcessDiedException) { died = true; }

            var loaded = temp.Store.States.Load("Work");
            Assert.Empty(loaded.LoadWarnings);
            if (loaded.OutlookCursor == "old")
            {
                Assert.Equal(oldData, loaded.OutlookCursorData);
                Assert.Equal(oldState.Links, loaded.Links);
            }
            else
            {
                Assert.Equal("new", loaded.OutlookCursor);
                Assert.Equal(newData, loaded.OutlookCursorData);
                Assert.Empty(loaded.Links);
            }
            outcomes.Add(loaded.OutlookCursor!);

            // The next run's save: one cursor file, the one its state names.
            temp.Store.States.Save("Work", loaded);
            Assert.Single(Directory.GetFiles(temp.Store.States.Directory, "*.cursor"));
            Assert.Equal(loaded.OutlookCursorData, temp.Store.States.Load("Work").OutlookCursorData);
            if (!died) break;
            Assert.True(budget < 1_000_000, "the save never finished");
        }
        Assert.Equal(new[] { "new", "old" }, outcomes.OrderBy(o => o, StringComparer.Ordinal));
    }

    [Fact]
    public void A_full_disk_while_writing_the_cursor_file_is_a_failed_save_of_the_state_which_stays_as_it_was()
    {
        var old = State(Data(12));
        Store.States.Save("Work", old);
        var stateBytes = File.ReadAllBytes(Store.States.PathOf("Work"));
        var full = _temp.WithFileSystem(new FailingFileSystem { FailAfterBytes = 100 });

        var e = Assert.Throws<StoreException>(() => full.States.Save("Work", State(Data(13), "new")));
        Assert.Equal(StoreErrorKind.Io, e.Kind);
        Assert.Equal(Store.States.PathOf("Work"), e.Path);
        Assert.Contains("the disk is full", e.Message);
        Assert.Contains("work.json", e.Message);
        Assert.Equal(stateBytes, File.ReadAllBytes(Store.States.PathOf("Work")));
        Assert.Equal(old.OutlookCursorData, Store.States.Load("Work").OutlookCursorData);
        Assert.Single(CursorFiles());
        Assert.Empty(Directory.GetFiles(Store.States.Directory, "*.tmp"));
    }

    [Fact]
    public void Removing_a_sync_removes_its_cursor_files_and_no_other_syncs()
    {
        Store.States.Save("Work", State(Data(9)));
        Store.States.Save("Work2", State(Data(10)));
        Store.States.Save("Work.x", State(Data(11)));
        Store.Definitions.Save(new SyncDefinition { Name = "Work", OutlookConnection = "o", Bitrix24Connection = "b" });
        Assert.Equal(3, CursorFiles().Length);
        Assert.True(Store.RemoveSync("Work"));
        Assert.Equal(2, CursorFiles().Length);
        Assert.All(CursorFiles(), f => Assert.DoesNotMatch(@"^work\.outlook\.", f));
        Assert.NotNull(Store.States.Load("Work2").OutlookCursorData);
        Assert.NotNull(Store.States.Load("Work.x").OutlookCursorData);
    }
}
