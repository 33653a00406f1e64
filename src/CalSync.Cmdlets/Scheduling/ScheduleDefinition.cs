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
    public ScheduleText(string syncName, TimeSpan interval, string pwsh, string module, string? storeRoot, string? logFolder = null, bool resident = false)
    {
        SyncName = syncName; Interval = interval; Pwsh = pwsh; Module = module; StoreRoot = storeRoot; LogFolder = logFolder; Resident = resident;
    }

    /// <summary>
    /// A service that keeps Start-CalSync -Resident running (restarted when it fails) instead of a timer that starts a run
    /// every interval: <see cref="SyncName"/> is then a sync or * (every sync), each at its own interval.
    /// </summary>
    public bool Resident { get; }

    /// <summary>The module's name: what a scheduled run imports where PowerShell finds the module by name.</summary>
    public const string ModuleName = "CalSync";

    /// <summary>Where cron's runs write their output (cron would mail it, or drop it): the store's folder.</summary>
    public string? LogFolder { get; }

    public string SyncName { get; }
    public TimeSpan Interval { get; }
    public string Pwsh { get; }
    /// <summary><see cref="ModuleName"/>, or the module's folder (without a version folder) where a new pwsh would not find it by name.</summary>
    public string Module { get; }
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

    /// <summary>What the resident service is called after: nothing for every sync, else the sync.</summary>
    private string ResidentSuffix => SyncName == "*" ? "" : "-" + SyncName.ToLowerInvariant();

    public string Stem => Resident ? "calsync-resident" + ResidentSuffix : "calsync-" + SyncName.ToLowerInvariant();
    public string TaskName => Resident ? "CalSync resident" + (SyncName == "*" ? "" : " - " + SyncName) : "CalSync - " + SyncName;
    public const string TaskPath = "\\CalSync\\";
    public string CronMarker => "# CalSync:" + SyncName.ToLowerInvariant();
    public string LaunchdLabel => Resident ? "com.calsync.resident" + ResidentSuffix.Replace('-', '.') : "com.calsync." + SyncName.ToLowerInvariant();

    /// <summary>The PowerShell command the scheduler runs; each format quotes it as its own syntax requires.</summary>
    public string Script => ScriptWith(PowerShellLiteral);

    /// <summary>
    /// The script with the module's path written by <paramref name="literal"/>. Task Scheduler expands %NAME% in an
    /// action's arguments, with no escape, so its script spells a '%' as [char]37.
    /// </summary>
    private string ScriptWith(Func<string, string> literal) =>
        $"Import-Module {(Module == ModuleName ? ModuleName : literal(Module))}; Start-CalSync -Name '{SyncName}' {(Resident ? "-Resident" : "-ErrorAction Stop")}";

    private static string PowerShellLiteral(string value) => "'" + value.Replace("'", "''") + "'";

    private static string PowerShellLiteralWithoutPercent(string value) =>
        value.Contains('%') ? "(" + string.Join("+[char]37+", value.Split('%').Select(PowerShellLiteral)) + ")" : PowerShellLiteral(value);

    /// <summary>pwsh's arguments, one string each (what the program receives, before any quoting).</summary>
    public IReadOnlyList<string> Arguments => new[] { "-NoProfile", "-NonInteractive", "-Command", Script };

    /// <summary>The command line as /bin/sh reads it (cron hands it to sh): pwsh and its arguments, each quoted for sh.</summary>
    public string CommandLine => string.Join(" ", new[] { Pwsh }.Concat(Arguments).Select(ShellWord));

    /// <summary>A POSIX sh word: as is when plain, else in double quotes, where only \, ", $ and ` are special.</summary>
    private static string ShellWord(string value) =>
        value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || "_@%+=:,./-".Contains(c)) ? value
        : "\"" + string.Concat(value.Select(c => c is '\\' or '"' or '$' or '`' ? "\\" + c : c.ToString())) + "\"";

    /// <summary>The task's arguments as Windows programs split a command line (CommandLineToArgvW), without a '%'.</summary>
    public string WindowsArguments =>
        string.Join(" ", new[] { "-NoProfile", "-NonInteractive", "-Command", ScriptWith(PowerShellLiteralWithoutPercent) }.Select(WindowsWord));

    public string WindowsCommandLine => WindowsWord(Pwsh) + " " + WindowsArguments;

    /// <summary>
    /// A word of a Windows command line: in double quotes when it has a space, tab or quote; inside them a quote is \"
    /// and backslashes are doubled only before a quote (or the closing one).
    /// </summary>
    private static string WindowsWord(string value)
    {
        if (value.Length > 0 && value.IndexOfAny(new[] { ' ', '\t', '"' }) < 0) return value;
        var text = new StringBuilder("\"");
        var backslashes = 0;
        foreach (var c in value)
        {
            if (c == '\\') { backslashes++; continue; }
            text.Append('\\', c == '"' ? backslashes * 2 + 1 : backslashes).Append(c);
            backslashes = 0;
        }
        return text.Append('\\', backslashes * 2).Append('"').ToString();
    }

    /// <summary>
    /// A word of a systemd unit (systemd.syntax, systemd.service "Command lines"): in ExecStart= as is when plain, else
    /// (and always in Environment=) in double quotes with C escapes (\\, \", \xNN). Specifiers come first, so every '%' is written '%%'; in ExecStart= a '$'
    /// starts a variable, so <paramref name="exec"/> writes it '$$' (Environment= takes '$' as it is).
    /// </summary>
    private static string SystemdWord(string value, bool exec)
    {
        var word = exec && value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || "_@+=:,./-".Contains(c)) ? value
            : "\"" + string.Concat(value.Select(c => c switch
            {
                '\\' or '"' => "\\" + c,
                < ' ' or '\x7f' => $"\\x{(int)c:x2}",
                _ => c.ToString(),
            })) + "\"";
        word = word.Replace("%", "%%");
        return exec ? word.Replace("$", "$$") : word;
    }

    public string WindowsScript()
    {
        var minutes = Math.Max(1, (int)Math.Round(Interval.TotalMinutes));
        var text = new StringBuilder();
        text.AppendLine($"$action = New-ScheduledTaskAction -Execute {PowerShellLiteral(Pwsh)} -Argument {PowerShellLiteral(WindowsArguments)}");
        if (Resident)
        {
            // At logon, without a time limit, started again a minute after it fails.
            text.AppendLine("$trigger = New-ScheduledTaskTrigger -AtLogOn -User ([Security.Principal.WindowsIdentity]::GetCurrent().Name)");
            text.AppendLine("$settings = New-ScheduledTaskSettingsSet -MultipleInstances IgnoreNew -StartWhenAvailable -ExecutionTimeLimit ([TimeSpan]::Zero) -RestartCount 999 -RestartInterval (New-TimeSpan -Minutes 1)");
        }
        else
        {
            // A trigger that repeats every interval with no duration runs indefinitely.
            text.AppendLine($"$trigger = New-ScheduledTaskTrigger -Once -At (Get-Date).AddMinutes(1) -RepetitionInterval (New-TimeSpan -Minutes {minutes})");
            text.AppendLine("$settings = New-ScheduledTaskSettingsSet -MultipleInstances IgnoreNew -StartWhenAvailable -ExecutionTimeLimit (New-TimeSpan -Hours 1)");
        }
        var description = Resident ? $"CalSync: keeps Start-CalSync -Name {SyncName} -Resident running." : $"CalSync: runs Start-CalSync -Name {SyncName} every {minutes} minute(s).";
        // The current user, "run only when logged on": DPAPI-protected secrets stay readable (no S4U).
        text.AppendLine($"Register-ScheduledTask -TaskName '{TaskName.Replace("'", "''")}' -TaskPath '{TaskPath}' -Action $action -Trigger $trigger -Settings $settings -Description '{description.Replace("'", "''")}' -Force | Out-Null");
        if (Resident) text.AppendLine($"Start-ScheduledTask -TaskName '{TaskName.Replace("'", "''")}' -TaskPath '{TaskPath}'");
        if (StoreRoot is not null)
            text.Insert(0, $"# CALSYNC_HOME is set for this session; the task inherits the user's environment, so set it for the user too.{Environment.NewLine}");
        return text.ToString();
    }

    public string WindowsUnregisterScript() =>
        $"Unregister-ScheduledTask -TaskName '{TaskName.Replace("'", "''")}' -TaskPath '{TaskPath}' -Confirm:$false";

    public string SystemdService()
    {
        var exec = string.Join(" ", new[] { Pwsh }.Concat(Arguments).Select(a => SystemdWord(a, exec: true)));
        var text = new StringBuilder();
        text.Append("[Unit]\n");
        text.Append(Resident
            ? $"Description=CalSync resident: {(SyncName == "*" ? "every sync" : $"sync '{SyncName}'")} at its own interval (Outlook.com <-> Bitrix24)\n"
            : $"Description=CalSync: sync '{SyncName}' (Outlook.com <-> Bitrix24)\n");
        text.Append("Wants=network-online.target\nAfter=network-online.target\n\n");
        text.Append("[Service]\n");
        // oneshot: the timer never starts a second run while one is still going. Resident: one long process that
        // SIGTERM (systemctl stop) ends after its run in progress, started again when it fails.
        text.Append(Resident ? "Type=simple\nRestart=on-failure\nRestartSec=60\n" : "Type=oneshot\n");
        foreach (var pair in Variables) text.Append($"Environment={SystemdWord(pair.Key + "=" + pair.Value, exec: false)}\n");
        text.Append($"ExecStart={exec}\n");
        if (Resident) text.Append("\n[Install]\nWantedBy=default.target\n");
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
        var env = string.Concat(Variables.Select(pair => $"{pair.Key}={ShellWord(pair.Value)} "));
        var log = LogFolder is null ? "" : $" >> {ShellWord(Path.Combine(LogFolder, Stem + ".log"))} 2>&1";
        return $"{when} {(env + CommandLine + log).Replace("%", "\\%")} {CronMarker}";
    }

    public string LaunchdPlist()
    {
        // XML text: & and < are markup, > and " are escaped too; a CR would be read back as a LF.
        static string X(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;").Replace("\r", "&#13;");
        var args = new[] { Pwsh }.Concat(Arguments);
        var text = new StringBuilder();
        text.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        text.Append("<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n");
        text.Append("<plist version=\"1.0\">\n<dict>\n");
        text.Append($"  <key>Label</key>\n  <string>{X(LaunchdLabel)}</string>\n");
        text.Append("  <key>ProgramArguments</key>\n  <array>\n");
        foreach (var a in args) text.Append($"    <string>{X(a)}</string>\n");
        text.Append("  </array>\n");
        text.Append(Resident
            ? "  <key>KeepAlive</key>\n  <true/>\n"
            : $"  <key>StartInterval</key>\n  <integer>{((long)Math.Round(Interval.TotalSeconds)).ToString(CultureInfo.InvariantCulture)}</integer>\n");
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
