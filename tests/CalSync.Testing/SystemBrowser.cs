using System.Runtime.InteropServices;

namespace CalSync.Testing;

/// <summary>
/// Makes headless Chromium this process's "system browser" for MSAL.NET on Linux. MSAL opens the authorize URL by
/// running the first of xdg-open, gnome-open, kfmclient, microsoft-edge, wslview it finds on PATH (and refuses when
/// SUDO_USER is set), and CalSync only tries a browser when DISPLAY or WAYLAND_DISPLAY is set. So this puts a
/// directory holding an <c>xdg-open</c> script first on PATH, sets DISPLAY, clears SUDO_USER, and puts them back on
/// dispose, killing every Chromium the script started. It changes process-wide environment variables: use it only
/// in a test collection with DisableParallelization.
/// </summary>
public sealed class SystemBrowser : IDisposable
{
    /// <summary>The test collection for tests that use this (see <see cref="ProcessEnvironmentCollection"/>).</summary>
    public const string Collection = "process environment";
    private static readonly string[] Variables = ["PATH", "DISPLAY", "WAYLAND_DISPLAY", "SUDO_USER"];
    private readonly Dictionary<string, string?> _saved = Variables.ToDictionary(v => v, Environment.GetEnvironmentVariable);

    private SystemBrowser(string dir) => Directory = dir;

    /// <summary>The temporary directory: the shim, Chromium's profiles, its log and the started process groups.</summary>
    public string Directory { get; }
    /// <summary>How many times MSAL ran the opener.</summary>
    public int Opened => File.Exists(PidFile) ? File.ReadAllLines(PidFile).Length : 0;
    /// <summary>Chromium's output (for failure messages).</summary>
    public string Log => File.Exists(LogFile) ? File.ReadAllText(LogFile) : "";

    private string PidFile => Path.Combine(Directory, "pids");
    private string LogFile => Path.Combine(Directory, "chromium.log");

    /// <summary>Chromium as the browser (the default), or, with <paramref name="withOpener"/> false, a PATH on which no opener exists.</summary>
    public static SystemBrowser Install(bool withOpener = true)
    {
        if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException("The system-browser tests drive MSAL.NET's Linux opener (xdg-open).");
        var browser = new SystemBrowser(System.IO.Directory.CreateTempSubdirectory("calsync-browser-").FullName);
        if (withOpener)
        {
            var shim = Path.Combine(browser.Directory, "xdg-open");
            // setsid makes Chromium lead its own process group, so dispose can end it with all its helpers.
            // The URL is not logged: it carries the sign-in's state and PKCE challenge.
            File.WriteAllText(shim, $"""
                #!/bin/sh
                profile=$(mktemp -d '{browser.Directory}/profile.XXXXXX')
                setsid '{OsPrograms.Chromium()}' --headless=new --no-sandbox --disable-gpu --ignore-certificate-errors --no-first-run \
                  --disable-background-networking --disable-component-update --disable-sync --disable-quic \
                  --user-data-dir="$profile" "$1" >>'{browser.LogFile}' 2>&1 </dev/null &
                echo $! >>'{browser.PidFile}'
                """.Replace("\r", ""));
            File.SetUnixFileMode(shim, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Environment.SetEnvironmentVariable("PATH", browser.Directory + Path.PathSeparator + browser._saved["PATH"]);
        }
        else
        {
            Environment.SetEnvironmentVariable("PATH", browser.Directory); // xdg-open is installed in /usr/bin here
        }
        Environment.SetEnvironmentVariable("DISPLAY", ":99");
        Environment.SetEnvironmentVariable("SUDO_USER", null);
        return browser;
    }

    /// <summary>No display at all (a server over SSH): CalSync should not even try a browser.</summary>
    public static void ClearDisplay()
    {
        Environment.SetEnvironmentVariable("DISPLAY", null);
        Environment.SetEnvironmentVariable("WAYLAND_DISPLAY", null);
    }

    public void Dispose()
    {
        foreach (var (name, value) in _saved) Environment.SetEnvironmentVariable(name, value);
        if (File.Exists(PidFile))
            foreach (var line in File.ReadAllLines(PidFile))
                if (int.TryParse(line, out var group) && group > 1) kill(-group, 9);
        for (var attempt = 0; attempt < 20; attempt++)
        {
            try { System.IO.Directory.Delete(Directory, recursive: true); return; }
            catch (IOException) { Thread.Sleep(100); } // Chromium may still be writing its profile as it dies
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}

/// <summary>Tests that change PATH, DISPLAY and SUDO_USER of the whole test process run alone (Xunit needs the definition in each test assembly: this file is linked into each).</summary>
[Xunit.CollectionDefinition(SystemBrowser.Collection, DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection;
