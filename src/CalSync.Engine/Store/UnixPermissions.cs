using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;

namespace CalSync.Engine.Store;

/// <summary>
/// Owner-only modes on Unix: directories 0700, files 0600. netstandard2.0 has no File.SetUnixFileMode, so this
/// calls it by reflection when the running runtime has it (.NET 7 and later, which is every PowerShell 7.4+ host),
/// and falls back to libc's chmod through P/Invoke otherwise. On Windows nothing is done: the store lives in the
/// user's profile (%LOCALAPPDATA%), whose default ACL already grants only the user, SYSTEM and administrators.
/// A failure to set a mode is an error (a secret-bearing file must not silently stay world-readable).
/// </summary>
internal static class UnixPermissions
{
    public const int DirectoryMode = 0x1C0; // 0700
    public const int FileMode = 0x180;      // 0600

    public static bool IsUnix { get; } = !RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

    private static readonly MethodInfo? SetMode;
    private static readonly Type? ModeType;

    static UnixPermissions()
    {
        if (!IsUnix) return;
        ModeType = typeof(File).Assembly.GetType("System.IO.UnixFileMode")
                   ?? Type.GetType("System.IO.UnixFileMode, System.Runtime", throwOnError: false);
        if (ModeType is not null)
            SetMode = typeof(File).GetMethod("SetUnixFileMode", new[] { typeof(string), ModeType });
    }

    public static void SetDirectory(string path) => Set(path, DirectoryMode);

    public static void SetFile(string path) => Set(path, FileMode);

    private static void Set(string path, int mode)
    {
        if (!IsUnix) return;
        if (SetMode is not null && ModeType is not null)
        {
            try
            {
                SetMode.Invoke(null, new[] { path, Enum.ToObject(ModeType, mode) });
                return;
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                throw Wrap(path, e.InnerException);
            }
        }
        int rc;
        try { rc = NativeLinux.chmod(path, (uint)mode); }
        catch (DllNotFoundException) { rc = NativeOther.chmod(path, (uint)mode); }
        if (rc != 0)
            throw new StoreException(StoreErrorKind.AccessDenied,
                $"Could not restrict the permissions of '{path}' to the owner (chmod failed, errno {Marshal.GetLastWin32Error()}). Check that you own it.", path);
    }

    private static Exception Wrap(string path, Exception e) => e switch
    {
        UnauthorizedAccessException => new StoreException(StoreErrorKind.AccessDenied,
            $"Could not restrict the permissions of '{path}' to the owner: {e.Message} Check that you own it.", path, e),
        _ => new StoreException(StoreErrorKind.Io, $"Could not restrict the permissions of '{path}' to the owner: {e.Message}", path, e),
    };

    private static class NativeLinux
    {
        [DllImport("libc.so.6", SetLastError = true)]
        public static extern int chmod(string path, uint mode);
    }

    private static class NativeOther
    {
        [DllImport("libc", SetLastError = true)]
        public static extern int chmod(string path, uint mode);
    }
}
