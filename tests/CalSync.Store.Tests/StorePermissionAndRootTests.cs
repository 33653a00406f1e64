using CalSync.Store;
using Xunit;

namespace CalSync.Store.Tests;

public sealed class StorePermissionAndRootTests : IDisposable
{
    private readonly TempStore _temp = new();
    private CalSyncStore Store => _temp.Store;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Directories_are_0700_and_files_0600_on_Unix()
    {
        if (!Modes.IsUnix) return; // Windows: the profile directory's ACL applies
        Store.Definitions.Save(StoreRoundTripTests.Definition());
        Store.States.Save("Work", StoreRoundTripTests.State());
        Store.History.Append(StoreRoundTripTests.Run("Work", DateTimeOffset.Now));
        Store.Connections.Save(new ConnectionRecord { Name = "me", Kind = ConnectionKind.Outlook });
        using var held = Store.Locks.Acquire("Work", TimeSpan.Zero);
        var secrets = SecretStore.Open(Store, allowPlaintextFallback: true, probe: () => "test: no key store");
        secrets.Save("me-token", "s3cr3t");

        var dirs = Directory.GetDirectories(_temp.Root, "*", SearchOption.AllDirectories).Append(_temp.Root).ToArray();
        Assert.Equal(7, dirs.Length);
        Assert.All(dirs, d => Assert.True(Modes.Of(d) == "700", $"{d}: {Modes.Of(d)}"));
        var files = Directory.GetFiles(_temp.Root, "*", SearchOption.AllDirectories);
        Assert.Equal(7, files.Length); // definition, state, history, connection, lock, lock owner, secret
        Assert.All(files, f => Assert.True(Modes.Of(f) == "600", $"{f}: {Modes.Of(f)}"));
    }

    [Fact]
    public void An_existing_root_with_loose_permissions_is_tightened()
    {
        if (OperatingSystem.IsWindows()) return;
        File.SetUnixFileMode(_temp.Root, (UnixFileMode)0x1FF);
        _ = new CalSyncStore(_temp.Root);
        Assert.Equal("700", Modes.Of(_temp.Root));
    }

    [Fact]
    public void Root_resolution_follows_the_documented_order()
    {
        static Func<string, string?> Env(params (string, string)[] vars) => n => vars.FirstOrDefault(v => v.Item1 == n).Item2;
        static string? NoFolder(Environment.SpecialFolder f) => null;

        var explicitRoot = StoreRoot.Resolve(Env(("CALSYNC_HOME", "/srv/cs"), ("HOME", "/home/u")), false, NoFolder);
        Assert.Equal(Path.GetFullPath("/srv/cs"), explicitRoot.Path);
        Assert.Equal("CALSYNC_HOME", explicitRoot.Source);

        Assert.Equal("/xdg/calsync", StoreRoot.Resolve(Env(("XDG_DATA_HOME", "/xdg"), ("HOME", "/home/u")), false, NoFolder).Path);
        Assert.Equal("/home/u/.local/share/calsync", StoreRoot.Resolve(Env(("XDG_DATA_HOME", "relative/ignored"), ("HOME", "/home/u")), false, NoFolder).Path);
        Assert.Equal("/home/u/.local/share/calsync", StoreRoot.Resolve(Env(("HOME", "/home/u")), false, NoFolder).Path);

        var noHome = StoreRoot.Resolve(Env(("HOME", "")), false, f => f == Environment.SpecialFolder.UserProfile ? "/var/lib/svc" : null);
        Assert.Equal("/var/lib/svc/.local/share/calsync", noHome.Path);
        Assert.Contains("HOME is not set", noHome.Source);

        var e = Assert.Throws<StoreException>(() => StoreRoot.Resolve(Env(), false, NoFolder));
        Assert.Equal(StoreErrorKind.NoStoreRoot, e.Kind);
        Assert.Contains("Set the environment variable CALSYNC_HOME", e.Message);
        Assert.Throws<StoreException>(() => StoreRoot.Resolve(Env(("HOME", "/")), false, f => "/"));

        var win = StoreRoot.Resolve(Env(("LOCALAPPDATA", "/c/Users/u/AppData/Local")), true, NoFolder);
        Assert.Equal(Path.Combine("/c/Users/u/AppData/Local", "CalSync"), win.Path);
        var winProfile = StoreRoot.Resolve(Env(("USERPROFILE", "/c/Users/svc")), true, NoFolder);
        Assert.Equal(Path.Combine("/c/Users/svc", "AppData", "Local", "CalSync"), winProfile.Path);
        Assert.Equal(StoreErrorKind.NoStoreRoot, Assert.Throws<StoreException>(() => StoreRoot.Resolve(Env(), true, NoFolder)).Kind);
    }

    [Fact]
    public void A_store_root_that_cannot_be_created_says_what_to_do()
    {
        var file = Path.Combine(_temp.Directory, "a-file");
        File.WriteAllText(file, "x");
        var e = Assert.Throws<StoreException>(() => new CalSyncStore(Path.Combine(file, "calsync")));
        Assert.Equal(StoreErrorKind.NoStoreRoot, e.Kind);
        Assert.Contains("Set CALSYNC_HOME", e.Message);
    }

    [Fact]
    public void The_default_root_honours_CALSYNC_HOME()
    {
        // Only reads the variable through the real resolver; the process environment is not changed.
        var location = StoreRoot.Resolve(n => n == "CALSYNC_HOME" ? _temp.Root : Environment.GetEnvironmentVariable(n), Modes.IsUnix == false, _ => null);
        Assert.Equal(_temp.Root, location.Path);
    }
}
