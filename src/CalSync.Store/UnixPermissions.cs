using System;
using System.IO;

namespace CalSync.Store;

/// <summary>
/// Owner-only modes on Unix: directories 0700, files 0600. On Windows nothing is done: the store lives in the user's
/// profile (%LOCALAPPDATA%), whose default ACL already grants only the user, SYSTEM and administrators.
/// A failure to set a mode is an error (a secret-bearing file must not silently stay world-readable).
/// </summary>
internal static class UnixPermissions
{
    public const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute; // 0700
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;                                  // 0600

    public static bool IsUnix { get; } = !OperatingSystem.IsWindows();

    public static void SetDirectory(string path) => Set(path, DirectoryMode);

    public static void SetFile(string path) => Set(path, FileMode);

    private static void Set(string path, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows()) return;
        try { File.SetUnixFileMode(path, mode); }
        catch (UnauthorizedAccessException e)
        {
            throw new StoreException(StoreErrorKind.AccessDenied,
                $"Could not restrict the permissions of '{path}' to the owner: {e.Message} Check that you own it.", path, e);
        }
        catch (IOException e)
        {
            throw new StoreException(StoreErrorKind.Io, $"Could not restrict the permissions of '{path}' to the owner: {e.Message}", path, e);
        }
    }
}
