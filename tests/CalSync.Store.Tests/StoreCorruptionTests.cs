using System.Text;
using CalSync.Store;
using CalSync.Engine.Sync;
using Xunit;

namespace CalSync.Store.Tests;

public sealed class StoreCorruptionTests : IDisposable
{
    private readonly TempStore _temp = new();
    private CalSyncStore Store => _temp.Store;

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string, string> BadStates => new()
    {
        { "garbage", "this is not json" },
        { "truncated", "{\"schema\":1,\"initialized\":true,\"links\":[{\"outlookId\":\"A" },
        { "empty", "" },
        { "zeros", "\0\0\0\0\0\0" },
        { "no schema", "{\"initialized\":true}" },
        { "schema not a number", "{\"schema\":\"one\"}" },
        { "array", "[1,2,3]" },
        { "wrong shape", "{\"schema\":1,\"links\":\"not a list\"}" },
        { "bad enum", "{\"schema\":1,\"unlinked\":[{\"side\":\"Gmail\",\"id\":\"1\",\"hash\":\"h\",\"reason\":\"Baseline\"}]}" },
    };

    [Theory]
    [MemberData(nameof(BadStates))]
    public void A_corrupt_or_truncated_state_file_gives_Corrupt_with_the_path_and_is_never_overwritten(string why, string content)
    {
        var path = Store.States.PathOf("Work");
        Store.States.Save("Work", StoreRoundTripTests.State());
        File.WriteAllText(path, content);
        var before = File.ReadAllBytes(path);

        var e = Assert.Throws<StoreException>(() => Store.States.Load("Work"));
        Assert.Equal(StoreErrorKind.Corrupt, e.Kind);
        Assert.Equal(path, e.Path);
        Assert.Contains(path, e.Message);
        Assert.Contains("Restore it from a backup, or delete it to start over", e.Message);
        Assert.Equal("CalSync.Store.Corrupt", e.ErrorId);

        var save = Assert.Throws<StoreException>(() => Store.States.Save("Work", new SyncState()));
        Assert.Equal(StoreErrorKind.Corrupt, save.Kind);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.True(why.Length > 0);
    }

    [Fact]
    public void A_state_file_damaged_after_it_was_read_or_saved_is_still_never_overwritten()
    {
        var path = Store.States.PathOf("Work");
        Store.States.Save("Work", StoreRoundTripTests.State());
        Store.States.Load("Work");
        Store.States.Save("Work", StoreRoundTripTests.State()); // a file this store read and wrote itself
        File.WriteAllText(path, "{\"schema\":1,\"links\":\"not a list\"}");
        Assert.Equal(StoreErrorKind.Corrupt, Assert.Throws<StoreException>(() => Store.States.Save("Work", new SyncState())).Kind);
        Assert.Equal("{\"schema\":1,\"links\":\"not a list\"}", File.ReadAllText(path));
    }

    [Fact]
    public void A_corrupt_file_message_does_not_echo_its_content()
    {
        File.WriteAllText(EnsureDir(Store.States.PathOf("Work")), "{\"schema\":1, \"outlookCursor\": \"SECRET-TOKEN-123\", oops}");
        var e = Assert.Throws<StoreException>(() => Store.States.Load("Work"));
        Assert.DoesNotContain("SECRET-TOKEN-123", e.Message);
        Assert.Contains("line 1", e.Message);
    }

    [Fact]
    public void A_newer_schema_gives_NewerSchema_and_is_never_overwritten()
    {
        var path = EnsureDir(Store.States.PathOf("Work"));
        File.WriteAllText(path, "{\"schema\":2,\"somethingNew\":[1]}");
        var e = Assert.Throws<StoreException>(() => Store.States.Load("Work"));
        Assert.Equal(StoreErrorKind.NewerSchema, e.Kind);
        Assert.Equal(path, e.Path);
        Assert.Contains("newer version of CalSync (schema 2; this version reads up to 1)", e.Message);
        Assert.Contains("Update the CalSync module", e.Message);
        Assert.Equal(StoreErrorKind.NewerSchema, Assert.Throws<StoreException>(() => Store.States.Save("Work", new SyncState())).Kind);
        Assert.Equal("{\"schema\":2,\"somethingNew\":[1]}", File.ReadAllText(path));

        var def = EnsureDir(Store.Definitions.PathOf("Work"));
        File.WriteAllText(def, "{\"schema\":7,\"name\":\"Work\"}");
        Assert.Equal(StoreErrorKind.NewerSchema, Assert.Throws<StoreException>(() => Store.Definitions.Get("Work")).Kind);
        Assert.Equal(StoreErrorKind.NewerSchema, Assert.Throws<StoreException>(() => Store.Definitions.Save(StoreRoundTripTests.Definition())).Kind);
    }

    [Fact]
    public void ReplaceUnreadable_keeps_a_corrupt_copy_before_replacing()
    {
        var path = EnsureDir(Store.States.PathOf("Work"));
        File.WriteAllText(path, "{\"schema\":1,\"links\":[");
        Store.States.Save("Work", StoreRoundTripTests.State(), replaceUnreadable: true);

        Assert.True(Store.States.Load("Work").Initialized);
        var aside = Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!, "work.json.corrupt-*"));
        Assert.Equal("{\"schema\":1,\"links\":[", File.ReadAllText(aside));
        if (Modes.IsUnix) Assert.Equal("600", Modes.Of(aside));

        File.WriteAllText(path, "{\"schema\":3}");
        Store.States.Save("Work", new SyncState(), replaceUnreadable: true);
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!, "work.json.newer-*"));
    }

    [Fact]
    public void Listing_reports_unreadable_definitions_without_hiding_the_others()
    {
        Store.Definitions.Save(StoreRoundTripTests.Definition("Good"));
        File.WriteAllText(Store.Definitions.PathOf("Bad"), "{ nope");
        Assert.Equal(StoreErrorKind.Corrupt, Assert.Throws<StoreException>(() => Store.Definitions.List()).Kind);

        var errors = new List<StoreException>();
        var syncs = Store.Definitions.List(null, errors.Add);
        Assert.Equal("Good", Assert.Single(syncs).Name);
        Assert.Equal(Store.Definitions.PathOf("Bad"), Assert.Single(errors).Path);
        Assert.Equal("Good", Assert.Single(Store.Definitions.List("g*")).Name); // a non-matching bad file is not even read
    }

    [Fact]
    public void A_byte_order_mark_from_an_editor_is_accepted()
    {
        var path = EnsureDir(Store.Definitions.PathOf("Work"));
        File.WriteAllText(path, "{\"schema\":1,\"name\":\"Work\",\"direction\":\"TwoWay\"}", new UTF8Encoding(true));
        Assert.Equal("Work", Store.Definitions.Get("Work")!.Name);
    }

    internal static string EnsureDir(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }
}
