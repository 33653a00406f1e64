using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;

namespace CalSync.Store;

/// <summary>
/// Opens the system browser for a sign-in the way MSAL.NET does for the Outlook sign-in, so both sign-ins behave (and
/// are tested) alike: the shell on Windows, <c>open</c> on macOS, and on Linux the first of xdg-open, gnome-open,
/// kfmclient, microsoft-edge, wslview found on PATH (not under sudo). It sits with the sign-ins' other OS plumbing
/// (key store, token cache): the Outlook connector and the cmdlets, which run the Bitrix24 sign-in, both use the store.
/// </summary>
public static class BrowserLauncher
{
    private static readonly string[] LinuxOpeners = { "xdg-open", "gnome-open", "kfmclient", "microsoft-edge", "wslview" };

    /// <summary>Whether a browser can be shown here at all: on Linux only with a display (not over plain SSH).</summary>
    public static bool CanOpen()
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
            return !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DISPLAY")) || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("WAYLAND_DISPLAY"));
        return Environment.UserInteractive;
    }

    /// <summary>Opens <paramref name="url"/>; false when no way to open a browser exists here (no opener on PATH, sudo).</summary>
    public static bool Open(Uri url)
    {
        if (url is null) throw new ArgumentNullException(nameof(url));
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            using var started = Process.Start(new ProcessStartInfo(url.AbsoluteUri) { UseShellExecute = true });
            return true;
        }
        if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX))
        {
            using var started = Process.Start(new ProcessStartInfo("open", url.AbsoluteUri) { UseShellExecute = false });
            return true;
        }
        // A browser started as root through sudo would run in the wrong user's session (MSAL refuses it too).
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("SUDO_USER"))) return false;
        foreach (var opener in LinuxOpeners)
        {
            if (FindOnPath(opener) is not { } path) continue;
            // The opener's output is not shown: it may echo the address, which carries the sign-in's state.
            using var started = Process.Start(new ProcessStartInfo(path) { ArgumentList = { url.AbsoluteUri }, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true });
            return true;
        }
        return false;
    }

    private static string? FindOnPath(string program)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
