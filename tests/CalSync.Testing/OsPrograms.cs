using System.Diagnostics;

namespace CalSync.Testing;

/// <summary>
/// Programs from the operating system that a few tests drive for real: Chromium (the system browser of the
/// interactive sign-in) and gnome-keyring with libsecret (the Linux key store). On Debian or Ubuntu, run as root,
/// a missing one is installed with apt-get once, so the README's test command needs nothing else on a fresh machine;
/// anywhere else the test fails with the command to run.
/// </summary>
public static class OsPrograms
{
    private static readonly object Gate = new();

    private static readonly Lazy<string> WarmChromium = new(() =>
    {
        var path = Require("chromium", "chromium");
        // Chromium's first start on a fresh machine (font cache, profile set-up) can take many seconds; pay it here,
        // outside the sign-in tests' timeouts. A failure shows later, in the test that drives it, with its log.
        var profile = Directory.CreateTempSubdirectory("calsync-chromium-warm-").FullName;
        try
        {
            TryRun(path, $"--headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking --disable-component-update --disable-sync --disable-quic --user-data-dir={profile} --dump-dom about:blank", TimeSpan.FromMinutes(2));
        }
        finally { try { Directory.Delete(profile, recursive: true); } catch (IOException) { } }
        return path;
    });

    /// <summary>The path of Chromium (Debian's package "chromium"), started once already in this process.</summary>
    public static string Chromium() => WarmChromium.Value;

    /// <summary>The key store programs: gnome-keyring-daemon (path returned), libsecret and secret-tool, dbus-daemon.</summary>
    public static string GnomeKeyring()
    {
        Require("dbus-daemon", "dbus-daemon");
        Require("secret-tool", "libsecret-tools", "libsecret-1-0");
        return Require("gnome-keyring-daemon", "gnome-keyring", "libsecret-1-0");
    }

    /// <summary>The full path of <paramref name="program"/>, installing <paramref name="packages"/> first when it is missing.</summary>
    public static string Require(string program, params string[] packages)
    {
        if (Which(program) is { } found) return found;
        var command = "apt-get install -y --no-install-recommends " + string.Join(' ', packages);
        if (!OperatingSystem.IsLinux() || !File.Exists("/usr/bin/apt-get") || !Environment.IsPrivilegedProcess)
            throw new InvalidOperationException(
                $"This test needs the program '{program}'. On Debian or Ubuntu install it with: sudo {command} (run as root, the tests do this themselves).");
        lock (Gate)
        {
            // Test projects run in parallel processes: one installs at a time, the others then find the program.
            using var machineLock = MachineLock(TimeSpan.FromMinutes(15));
            if (Which(program) is { } installed) return installed;
            Run("apt-get", "update -q");
            Run("apt-get", "install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600 " + string.Join(' ', packages));
            return Which(program) ?? throw new InvalidOperationException($"'{command}' ran, but '{program}' is still not on PATH.");
        }
    }

    public static string? Which(string program)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                     .Concat(new[] { "/usr/bin", "/usr/sbin", "/bin" }))
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    private static FileStream MachineLock(TimeSpan timeout)
    {
        var path = Path.Combine(Path.GetTempPath(), "calsync-tests-apt.lock");
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose); }
            catch (IOException) when (DateTime.UtcNow < deadline) { Thread.Sleep(500); }
        }
    }

    private static void TryRun(string file, string arguments, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout)) process.Kill(true);
    }

    private static void Run(string file, string arguments)
    {
        var info = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(15))) { process.Kill(true); throw new TimeoutException($"{file} {arguments} did not finish in 15 minutes."); }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {arguments} failed ({process.ExitCode}):\n{stderr.Result}\n{stdout.Result}");
    }
}

/// <summary>A test of a Linux program (MSAL's xdg-open opener, libsecret): reported as skipped on other systems.</summary>
public sealed class LinuxFactAttribute : Xunit.FactAttribute
{
    public LinuxFactAttribute() { if (!OperatingSystem.IsLinux()) Skip = "Linux only: it drives a Linux program (xdg-open, libsecret)."; }
}

/// <summary>The <see cref="LinuxFactAttribute"/> of a theory.</summary>
public sealed class LinuxTheoryAttribute : Xunit.TheoryAttribute
{
    public LinuxTheoryAttribute() { if (!OperatingSystem.IsLinux()) Skip = "Linux only: it drives a Linux program (xdg-open, libsecret)."; }
}
