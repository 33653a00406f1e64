using CalSync.Store;
using Xunit;

namespace CalSync.Store.Tests;

public sealed class StoreNamesTests : IDisposable
{
    private readonly TempStore _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("a/b", "'/'")]
    [InlineData("a\\b", "'\\'")]
    [InlineData("..", "start with a letter or digit")]
    [InlineData("work:1", "':'")]
    [InlineData("my sync", "U+0020 (space)")]
    [InlineData("tab\there", "U+0009")]
    [InlineData("a*", "'*'")]
    [InlineData("trailing.", "must not end with '.'")]
    [InlineData("CON", "reserved device name")]
    [InlineData("nul.txt", "reserved device name")]
    [InlineData("", "a name is required")]
    [InlineData("Ünïcode", "'Ü'")]
    public void Invalid_names_give_InvalidName_naming_the_problem(string name, string expected)
    {
        var e = Assert.Throws<StoreException>(() => _temp.Store.Definitions.Save(new Engine.Sync.SyncDefinition { Name = name }));
        Assert.Equal(StoreErrorKind.InvalidName, e.Kind);
        Assert.Contains(expected, e.Message);
        Assert.Contains("sync name", e.Message);
        Assert.Throws<StoreException>(() => _temp.Store.Definitions.Get(name));
        Assert.Throws<StoreException>(() => _temp.Store.States.Load(name));
        Assert.Throws<StoreException>(() => _temp.Store.Locks.Acquire(name, TimeSpan.Zero));
        Assert.Equal(StoreErrorKind.InvalidName,
            Assert.Throws<StoreException>(() => _temp.Store.Connections.Get(name)).Kind);
        Assert.Empty(Directory.GetFiles(_temp.Root, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void Too_long_names_are_refused()
    {
        var e = Assert.Throws<StoreException>(() => _temp.Store.Definitions.Get(new string('a', 65)));
        Assert.Contains("at most 64", e.Message);
        Assert.Null(_temp.Store.Definitions.Get(new string('a', 64)));
    }

    [Theory]
    [InlineData("Work", true)]
    [InlineData("work-2025_v1.2", true)]
    [InlineData("0", true)]
    public void Valid_names(string name, bool valid) => Assert.Equal(valid, StoreNames.IsValid(name));

    [Fact]
    public void Wildcard_lookup_is_case_insensitive_and_PowerShell_style()
    {
        foreach (var n in new[] { "Work", "work-2", "Home", "Hobby", "w1" })
            _temp.Store.Definitions.Save(StoreRoundTripTests.Definition(n));
        string[] Names(string? p) => _temp.Store.Definitions.List(p).Select(d => d.Name).ToArray();

        Assert.Equal(new[] { "Hobby", "Home", "w1", "Work", "work-2" }, Names(null));
        Assert.Equal(new[] { "Hobby", "Home", "w1", "Work", "work-2" }, Names("*"));
        Assert.Equal(new[] { "Work", "work-2" }, Names("WORK*"));
        Assert.Equal(new[] { "Hobby", "Home" }, Names("h*"));
        Assert.Equal(new[] { "w1" }, Names("W?"));
        Assert.Equal(new[] { "Home" }, Names("home"));
        Assert.Equal(new[] { "Hobby", "Home" }, Names("H[o]*"));
        Assert.Equal(new[] { "w1" }, Names("w[0-9]"));
        Assert.Empty(Names("nothing*"));
        Assert.Empty(Names("wor"));
    }

    [Fact]
    public void Saving_with_another_case_replaces_the_same_sync()
    {
        _temp.Store.Definitions.Save(StoreRoundTripTests.Definition("Work"));
        _temp.Store.Definitions.Save(StoreRoundTripTests.Definition("WORK"));
        Assert.Equal("WORK", Assert.Single(_temp.Store.Definitions.List()).Name);
    }
}
