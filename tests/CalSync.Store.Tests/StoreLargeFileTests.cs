using System.Text;
using CalSync.Engine.Model;
using CalSync.Store;
using CalSync.Engine.Sync;
using Xunit;

namespace CalSync.Store.Tests;

/// <summary>
/// State files of thousands of links are deserialised from the stream (not read whole): the same guarantees as for
/// small files, and files edited by hand or by other JSON writers (escaped characters, missing properties) load.
/// </summary>
public sealed class StoreLargeFileTests : IDisposable
{
    private readonly TempStore _temp = new();
    private CalSyncStore Store => _temp.Store;

    public void Dispose() => _temp.Dispose();

    private static SyncState Big() => StoreRoundTripTests.State() with
    {
        OutlookCursor = "v2." + new string('A', 100_000) + "+/=",
        Links = Enumerable.Range(0, 2_000).Select(i => new Link
        {
            OutlookId = $"AAMkAD+{i}/x==", Bitrix24Id = (1000 + i).ToString(), OutlookVersion = $"ck+{i}", Bitrix24Version = "3",
            OutlookHash = $"ho{i}", Bitrix24Hash = $"hb{i}", OutlookHashVersion = $"ck+{i}", Bitrix24HashVersion = "3",
            StartUtc = new DateTime(2025, 3, 10, 9, 0, 0, DateTimeKind.Utc).AddHours(i), EndUtc = new DateTime(2025, 3, 10, 10, 0, 0, DateTimeKind.Utc).AddHours(i),
        }).ToArray(),
    };

    [Fact]
    public void A_large_state_round_trips()
    {
        var state = Big();
        Store.States.Save("Work", state);
        Assert.True(new FileInfo(Store.States.PathOf("Work")).Length > 200_000);

        var back = Store.States.Load("Work");
        Assert.Equal(state.Links, back.Links);
        Assert.Equal(state.OutlookCursor, back.OutlookCursor);
        Assert.Equal(state.Unlinked, back.Unlinked);
        Assert.Equal(state.Journal, back.Journal);
        Assert.Equal(state.Failed, back.Failed);
        Assert.Equal(state.LastRun, back.LastRun);
    }

    [Fact]
    public void Equal_strings_of_a_loaded_link_are_one_instance()
    {
        var state = Big() with
        {
            Links = Big().Links.Select((l, i) => i % 2 == 0 ? l with { Bitrix24Hash = l.OutlookHash } : l with { OutlookHashVersion = "other" }).ToArray(),
        };
        Store.States.Save("Work", state);
        var back = Store.States.Load("Work");
        Assert.Equal(state.Links, back.Links);
        for (var i = 0; i < back.Links.Count; i++)
        {
            var link = back.Links[i];
            Assert.Same(link.Bitrix24Version, link.Bitrix24HashVersion);
            if (i % 2 == 0)
            {
                Assert.Same(link.OutlookVersion, link.OutlookHashVersion);
                Assert.Same(link.OutlookHash, link.Bitrix24Hash);
            }
            else
            {
                Assert.Equal("other", link.OutlookHashVersion);
                Assert.NotEqual(link.OutlookHash, link.Bitrix24Hash);
            }
        }
    }

    public static TheoryData<string> Damage => new() { "truncated", "wrong shape at the end", "garbage in the middle" };

    [Theory]
    [MemberData(nameof(Damage))]
    public void A_damaged_large_state_gives_Corrupt_naming_the_file_and_is_never_overwritten(string how)
    {
        var path = Store.States.PathOf("Work");
        Store.States.Save("Work", Big());
        var good = File.ReadAllText(path);
        var bad = how switch
        {
            "truncated" => good[..(good.Length * 2 / 3)],
            "wrong shape at the end" => good[..^1] + ",\"failed\":\"not a list\"}",
            _ => good[..(good.Length / 2)] + "}}oops{{" + good[(good.Length / 2)..],
        };
        File.WriteAllText(path, bad);
        var before = File.ReadAllBytes(path);

        var e = Assert.Throws<StoreException>(() => Store.States.Load("Work"));
        Assert.Equal(StoreErrorKind.Corrupt, e.Kind);
        Assert.Equal(path, e.Path);
        Assert.Contains(path, e.Message);
        Assert.Contains(how == "wrong shape at the end" ? "does not have the expected content" : "is not valid JSON", e.Message);
        Assert.DoesNotContain("AAMkAD", e.Message);

        Assert.Equal(StoreErrorKind.Corrupt, Assert.Throws<StoreException>(() => Store.States.Save("Work", new SyncState())).Kind);
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public void A_large_state_of_a_newer_schema_gives_NewerSchema_and_is_never_overwritten()
    {
        var path = Store.States.PathOf("Work");
        Store.States.Save("Work", Big());
        var newer = "{\"schema\":2,\"somethingNew\":[1]," + File.ReadAllText(path)[("{\"schema\":1,".Length)..];
        File.WriteAllText(path, newer);

        var e = Assert.Throws<StoreException>(() => Store.States.Load("Work"));
        Assert.Equal(StoreErrorKind.NewerSchema, e.Kind);
        Assert.Equal(path, e.Path);
        Assert.Equal(StoreErrorKind.NewerSchema, Assert.Throws<StoreException>(() => Store.States.Save("Work", new SyncState())).Kind);
        Assert.Equal(newer, File.ReadAllText(path));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_large_state_edited_by_hand_with_a_byte_order_mark_and_the_schema_first_or_last_still_loads(bool schemaLast)
    {
        var path = Store.States.PathOf("Work");
        var state = Big();
        Store.States.Save("Work", state);
        var text = File.ReadAllText(path);
        if (schemaLast) text = "{" + text[("{\"schema\":1,".Length)..^1] + ",\"schema\":1}";
        File.WriteAllText(path, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        Assert.Equal(state.Links, Store.States.Load("Work").Links);
    }

    [Fact]
    public void A_state_with_escaped_characters_loads_the_same_and_is_written_back_unescaped()
    {
        var path = Store.States.PathOf("Work");
        Store.States.Save("Work", Big());
        var text = File.ReadAllText(path);
        Assert.Contains("AAMkAD+1/x==", text); // '+' is written as is, not as \u002B
        File.WriteAllText(path, text.Replace("+", "\\u002B")); // as other JSON writers may write it

        var back = Store.States.Load("Work");
        Assert.Equal(Big().Links, back.Links);
        Assert.Equal(Big().OutlookCursor, back.OutlookCursor);
        Store.States.Save("Work", back);
        Assert.DoesNotContain("\\u002B", File.ReadAllText(path));
    }

    [Fact]
    public void Properties_missing_from_a_file_keep_their_defaults()
    {
        // A file edited by hand may lack properties: they take the documented defaults, not null or zero.
        File.WriteAllText(EnsureDir(Store.States.PathOf("Work")), "{\"schema\":1,\"initialized\":true}");
        var state = Store.States.Load("Work");
        Assert.Equal(SyncState.CurrentSchema, state.Schema);
        Assert.Empty(state.Links);
        Assert.Empty(state.Unlinked);
        Assert.Empty(state.Journal);
        Assert.Empty(state.Failed);

        File.WriteAllText(EnsureDir(Store.Definitions.PathOf("Work")), "{\"schema\":1,\"name\":\"Work\"}");
        var definition = Store.Definitions.Get("Work")!;
        Assert.True(definition.AllowDelete);
        Assert.True(definition.AvoidDuplicates);
        Assert.Equal(365, definition.WindowFutureDays);
        Assert.Equal(TimeSpan.FromMinutes(10), definition.Interval);
        Assert.Equal("default", definition.Mapping);

        File.WriteAllText(EnsureDir(Store.Connections.PathOf("Out")), "{\"schema\":1,\"name\":\"Out\",\"kind\":\"Outlook\"}");
        Assert.Empty(Store.Connections.Get("Out")!.Settings);

        File.WriteAllText(EnsureDir(Store.History.PathOf("Work")), "{\"schema\":1,\"syncName\":\"Work\",\"items\":[{\"action\":\"Create\",\"targetSide\":\"Outlook\"}]}\n");
        var record = Assert.Single(Store.History.Read("Work"));
        Assert.True(Assert.Single(record.Items).Succeeded);
        Assert.Equal(0, record.Outlook.Created);
    }

    private static string EnsureDir(string path) => StoreCorruptionTests.EnsureDir(path);
}
