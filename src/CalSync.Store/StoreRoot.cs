using System;
using System.IO;
using System.Runtime.InteropServices;

namespace CalSync.Store;

/// <summary>Where the per-user store lives and why (the reason is shown when the directory cannot be used).</summary>
public sealed record StoreLocation(string Path, string Source);

/// <summary>
/// Finds the per-user store root: <c>$CALSYNC_HOME</c> if set; else <c>%LOCALAPPDATA%\CalSync</c> on Windows and
/// <c>$XDG_DATA_HOME/calsync</c> (or <c>~/.local/share/calsync</c>) elsewhere. Accounts without a profile or HOME
/// (services, cron with a bare environment) fall back to the user's home directory from the OS; when nothing gives
/// a usable directory the error says to set CALSYNC_HOME.
/// </summary>
public static class StoreRoot
{
    public const string EnvironmentVariable = "CALSYNC_HOME";

    public static StoreLocation Resolve() =>
        Resolve(Environment.GetEnvironmentVariable, RuntimeInformation.IsOSPlatform(OSPlatform.Windows), SafeFolder);

    internal static StoreLocation Resolve(Func<string, string?> env, bool isWindows, Func<Environment.SpecialFolder, string?> folder)
    {
        var explicitHome = env(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(explicitHome))
            return new StoreLocation(Path.GetFullPath(explicitHome!.Trim()), EnvironmentVariable);

        if (isWindows)
        {
            var local = Absolute(env("LOCALAPPDATA")) ?? Absolute(folder(Environment.SpecialFolder.LocalApplicationData));
            if (local is not null) return new StoreLocation(Path.Combine(local, "CalSync"), "LOCALAPPDATA");
            var profile = Absolute(env("USERPROFILE")) ?? Absolute(folder(Environment.SpecialFolder.UserProfile));
            if (profile is not null)
                return new StoreLocation(Path.Combine(profile, "AppData", "Local", "CalSync"), "USERPROFILE (LOCALAPPDATA is not set)");
            throw NoRoot("neither LOCALAPPDATA nor a user profile directory is available (a service account without a profile?)");
        }

        var xdg = Absolute(env("XDG_DATA_HOME"));
        if (xdg is not null) return new StoreLocation(Path.Combine(xdg, "calsync"), "XDG_DATA_HOME");
        var home = Absolute(env("HOME"));
        if (home is not null && home != "/")
            return new StoreLocation(Path.Combine(home, ".local", "share", "calsync"), "HOME");
        // HOME unset or empty: .NET asks the user database (getpwuid) for the home directory.
        var fromOs = Absolute(folder(Environment.SpecialFolder.UserProfile));
        if (fromOs is not null && fromOs != "/")
            return new StoreLocation(Path.Combine(fromOs, ".local", "share", "calsync"), "the user's home directory from the user database (HOME is not set)");
        throw NoRoot("HOME is not set and the user has no home directory");
    }

    internal static StoreException NoRoot(string why) =>
        new(StoreErrorKind.NoStoreRoot,
            $"CalSync cannot find a per-user directory for its store: {why}. Set the environment variable {EnvironmentVariable} to a directory that only this user can write, e.g. in the scheduled task or service definition.");

    private static string? Absolute(string? path)
    {
        if (string.IsNullOrWhiteSpace(path)) return null;
        var trimmed = path!.Trim();
        // XDG: a relative path is invalid and must be ignored.
        return Path.IsPathRooted(trimmed) ? trimmed : null;
    }

    private static string? SafeFolder(Environment.SpecialFolder folder)
    {
        try { return Environment.GetFolderPath(folder, Environment.SpecialFolderOption.DoNotVerify); }
        catch (PlatformNotSupportedException) { return null; }
    }
}
