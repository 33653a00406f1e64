using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace CalSync.PowerShell;

/// <summary>The operating system whose scheduler is used.</summary>
public enum SchedulePlatform { Windows, Linux, MacOS }

/// <summary>Which scheduler runs the sync.</summary>
public enum ScheduleKind { TaskScheduler, SystemdTimer, Cron, Launchd }

/// <summary>A registered (or, with -WhatIf, planned) schedule of one sync.</summary>
public sealed class CalSyncSchedule
{
    internal CalSyncSchedule(string name, ScheduleKind kind, TimeSpan interval, string command, IReadOnlyList<string> files, string text, bool activated, string? note)
    {
        Name = name; Kind = kind; Interval = interval; Command = command; Files = files; Text = text; Activated = activated; Note = note;
    }

    public string Name { get; }
    public ScheduleKind Kind { get; }
    public TimeSpan Interval { get; }
    /// <summary>The command line the scheduler runs.</summary>
    public string Command { get; }
    /// <summary>The files written (unit, timer, plist, cron file); empty for Task Scheduler and the user's crontab.</summary>
    public IReadOnlyList<string> Files { get; }
    /// <summary>The generated unit/timer/plist/crontab text, or the ScheduledTasks script on Windows.</summary>
    public string Text { get; }
    /// <summary>Whether the scheduler was told (systemctl, launchctl, crontab, Register-ScheduledTask); false when only files were written.</summary>
    public bool Activated { get; }
    public string? Note { get; }
}

/// <summary>Generates the scheduler artefacts of one sync: pure text, so it is testable on any OS.</summary>
internal sealed class ScheduleText
{
    public ScheduleText(string syncName, TimeSpan interval, string pwsh, string manifestPath, string? storeRoot, string? logFolder = null)
    {
        SyncName = syncName; Interval = interval; Pwsh = pwsh; ManifestPath = manifestPath; StoreRoot = storeRoot; LogFolder = logFolder;
    }

    /// <summary>Where cron's runs write their output (cron would mail it, or drop it): the store's folder.</summary>
    public string? LogFolder { get; }

    public string SyncName { get; }
    public TimeSpan Interval { get; }
    public string Pwsh { get; }
    public string ManifestPath { get; }
    /// <summary>$env:CALSYNC_HOME when set: the scheduled run uses the same store.</summary>
    public string? StoreRoot { get; }

    /// <summary>
    /// Runtime settings of the scheduled pwsh process. A scheduled run is a new process that runs one sync and exits,
    /// and pwsh and the module are precompiled (ReadyToRun): with tiered compilation on, the runtime spends much of such
    /// a short process re-compiling hot methods in the background for a steady state it never reaches. Off, the first
    /// Start-CalSync of a process (a no-op at 10,000 links) took 0.69–0.72 s CPU instead of 1.16–1.34 s, and an initial
    /// merge of 5,000 + 5,000 3.4–4.8 s instead of 6.9–7.1 s (docs/benchmarks.md, fifth round). A documented .NET
    /// setting (DOTNET_TieredCompilation); it changes speed only. Task Scheduler actions have no environment of their
    /// own, so the Windows task runs without it.
    /// </summary>
    public static readonly IReadOnlyList<KeyValuePair<string, string>> RuntimeSettings = new[]
    {
        new KeyValuePair<string, string>("DOTNET_TieredCompilation", "0"),
    };

    /// <summary>The variables of a scheduled run: <see cref="RuntimeSettings"/>, and CALSYNC_HOME when set.</summary>
    private IEnumerable<KeyValuePair<string, string>> Variables =>
        StoreRoot is null ? RuntimeSettings : RuntimeSettings.Append(new KeyValuePair<string, string>("CALSYNC_HOME", StoreRoot));

    public string Stem => "calsync-" + SyncName.ToLowerInvariant();
    public string TaskName => "CalSync - " + SyncName;
    public const string TaskPath = "\\CalSync\\";
    public string CronMarker => "# CalSync:" + SyncName.ToLowerInvariant();
    public string LaunchdLabel => "com.calsync." + SyncName.ToLowerInvariant();

    /// <summary>The PowerShell command the scheduler runs (single quotes only, so it embeds in every format).</summary>
    public string Script => $"Import-Module '{ManifestPath.Replace("'", "''")}'; Start-CalSync -Name '{SyncName}' -ErrorAction Stop";

    public string Arguments => $"-NoProfile -NonInteractive -Command \"{Script}\"";

    public string CommandLine => Quote(Pwsh) + " " + Arguments;

    private static string Quote(string path) => path.IndexOf(' ') >= 0 ? "\"" + path + "\"" : path;

    public string WindowsScript()
    {
        var minutes = Math.Max(1, (int)Math.Round(Interval.TotalMinutes));
        var text = new StringBuilder();
        text.AppendLine($"$action = New-ScheduledTaskAction -Execute '{Pwsh.Replace("'", "''")}' -Argument '{Arguments.Replace("'", "''")}'");
        // A trigger that repeats every interval with no duration runs indefinitely.
        text.AppendLine($"$trigger = New-ScheduledTaskTrigger -Once -At (Get-Date).AddMinutes(1) -RepetitionInterval (New-TimeSpan -Minutes {minutes})");
        text.AppendLine("$settings = New-ScheduledTaskSettingsSet -MultipleInstances IgnoreNew -StartWhenAvailable -ExecutionTimeLimit (New-TimeSpan -Hours 1)");
        // The current user, "run only when logged on": DPAPI-protected secrets stay readable (no S4U).
        text.AppendLine($"Register-ScheduledTask -TaskName '{TaskName.Replace("'", "''")}' -TaskPath '{TaskPath}' -Action $action -Trigger $trigger -Settings $settings -Description 'CalSync: runs Start-CalSync -Name {SyncName} every {minutes} minute(s).' -Force | Out-Null");
        if (StoreRoot is not null)
            text.Insert(0, $"# CALSYNC_HOME is set for this session; the task inherits the user's environment, so set it for the user too.{Environment.NewLine}");
        return text.ToString();
    }

    public string WindowsUnregisterScript() =>
        $"Unregister-ScheduledTask -TaskName '{TaskName.Replace("'", "''")}' -TaskPath '{TaskPath}' -Confirm:$false";

    public string SystemdService()
    {
        var exec = CommandLine.Replace("%", "%%").Replace("$", "$$");
        var text = new StringBuilder();
        text.Append("[Unit]\n");
        text.Append($"Description=CalSync: sync '{SyncName}' (Outlook.com <-> Bitrix24)\n");
        text.Append("Wants=network-online.target\nAfter=network-online.target\n\n");
        text.Append("[Service]\n");
        // oneshot: the timer never starts a second run while one is still going.
        text.Append("Type=oneshot\n");
        foreach (var pair in Variables) text.Append($"Environment=\"{pair.Key}={pair.Value.Replace("%", "%%")}\"\n");
        text.Append($"ExecStart={exec}\n");
        return text.ToString();
    }

    public string SystemdTimer()
    {
        var seconds = (long)Math.Round(Interval.TotalSeconds);
        var text = new StringBuilder();
        text.Append("[Unit]\n");
        text.Append($"Description=Run CalSync sync '{SyncName}' every {Human(Interval)}\n\n");
        text.Append("[Timer]\n");
        text.Append("OnActiveSec=1min\n");
        text.Append($"OnUnitActiveSec={seconds}s\n");
        text.Append($"Unit={Stem}.service\n\n");
        text.Append("[Install]\nWantedBy=timers.target\n");
        return text.ToString();
    }

    /// <summary>The crontab line; cron can express intervals that divide an hour or a day only.</summary>
    public string CronLine()
    {
        var minutes = Interval.TotalMinutes;
        string when;
        if (minutes != Math.Floor(minutes) || minutes < 1)
            throw new CalSyncException(ErrorIds.ScheduleIntervalInvalid, $"cron cannot run every {Interval}: use whole minutes.");
        var m = (int)minutes;
        if (m < 60 && 60 % m == 0) when = m == 1 ? "* * * * *" : $"*/{m} * * * *";
        else if (m % 60 == 0 && 24 % (m / 60) == 0) when = m == 60 ? "0 * * * *" : $"0 */{m / 60} * * *";
        else throw new CalSyncException(ErrorIds.ScheduleIntervalInvalid,
            $"cron cannot run every {Human(Interval)} (only intervals that divide an hour or a day evenly). Use a systemd timer (omit -Cron) or change the interval with Set-CalSync -Interval.");
        // cron turns an unescaped % into a newline, anywhere in the command.
        var env = string.Concat(Variables.Select(pair => $"{pair.Key}='{pair.Value.Replace("'", "'\\''")}' "));
        var log = LogFolder is null ? "" : $" >> '{Path.Combine(LogFolder, Stem + ".log").Replace("'", "'\\''")}' 2>&1";
        return $"{when} {(env + CommandLine + log).Replace("%", "\\%")} {CronMarker}";
    }

    public string LaunchdPlist()
    {
        static string X(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
        var args = new[] { Pwsh, "-NoProfile", "-NonInteractive", "-Command", Script };
        var text = new StringBuilder();
        text.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        text.Append("<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n");
        text.Append("<plist version=\"1.0\">\n<dict>\n");
        text.Append($"  <key>Label</key>\n  <string>{X(LaunchdLabel)}</string>\n");
        text.Append("  <key>ProgramArguments</key>\n  <array>\n");
        foreach (var a in args) text.Append($"    <string>{X(a)}</string>\n");
        text.Append("  </array>\n");
        text.Append($"  <key>StartInterval</key>\n  <integer>{((long)Math.Round(Interval.TotalSeconds)).ToString(CultureInfo.InvariantCulture)}</integer>\n");
        text.Append("  <key>RunAtLoad</key>\n  <true/>\n");
        text.Append("  <key>EnvironmentVariables</key>\n  <dict>\n");
        foreach (var pair in Variables) text.Append($"    <key>{X(pair.Key)}</key>\n    <string>{X(pair.Value)}</string>\n");
        text.Append("  </dict>\n");
        text.Append("</dict>\n</plist>\n");
        return text.ToString();
    }

    public static string Human(TimeSpan t) =>
        t.TotalHours >= 1 && t.TotalMinutes % 60 == 0 ? $"{t.TotalHours:0} hour(s)" : $"{t.TotalMinutes:0.##} minute(s)";

    /// <summary>Removes this sync's lines from a crontab text.</summary>
    public string WithoutCronLine(string crontab) =>
        string.Join("\n", crontab.Split('\n').Where(l => !l.TrimEnd().EndsWith(CronMarker, StringComparison.Ordinal))).TrimEnd('\n') + "\n";

    public static string DefaultSystemdDirectory()
    {
        var config = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
        if (string.IsNullOrEmpty(config) || !Path.IsPathRooted(config))
            config = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return Path.Combine(config!, "systemd", "user");
    }

    public static string DefaultLaunchAgentsDirectory() =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), "Library", "LaunchAgents");
}
