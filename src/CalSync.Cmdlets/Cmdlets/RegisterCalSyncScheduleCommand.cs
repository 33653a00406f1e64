using System;
using CalSync.PowerShell.Infrastructure;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using CalSync.PowerShell.Scheduling;

namespace CalSync.PowerShell.Cmdlets;

/// <summary>
/// Runs a sync every interval, unattended: Task Scheduler on Windows (repeating trigger, no overlap), a systemd user
/// timer on Linux, a launchd agent on macOS, or a crontab line with -Cron. The run is
/// pwsh -NoProfile -NonInteractive -Command "Start-CalSync -Name X -ErrorAction Stop".
/// </summary>
[Cmdlet(VerbsLifecycle.Register, "CalSyncSchedule", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = CalSyncCmdlet.HelpBase + "register-calsyncschedule")]
[OutputType(typeof(CalSyncSchedule))]
public sealed class RegisterCalSyncScheduleCommand : ScheduleCmdlet
{
    /// <summary>How often to run (default: the sync's interval).</summary>
    [Parameter]
    [Interval]
    public TimeSpan? Interval { get; set; }

    protected override void ProcessRecord()
    {
        Guard(Name, () =>
        {
            var definition = Store.GetSync(Name) ?? throw new CalSyncException(ErrorIds.SyncNotFound, $"There is no sync named '{Name}'. Define it with New-CalSync first.");
            var interval = Interval ?? definition.Interval;
            if (interval < TimeSpan.FromMinutes(1))
                throw new CalSyncException(ErrorIds.ScheduleIntervalInvalid, "The interval must be at least one minute.");
            var text = Text(interval);
            switch (Kind)
            {
                case ScheduleKind.TaskScheduler: Windows(text, interval); break;
                case ScheduleKind.SystemdTimer: Systemd(text, interval); break;
                case ScheduleKind.Launchd: Launchd(text, interval); break;
                default: CronTab(text, interval); break;
            }
        });
    }

    private void Windows(ScheduleText text, TimeSpan interval)
    {
        var script = text.WindowsScript();
        if (!ShouldProcess($"Task Scheduler task '{ScheduleText.TaskPath}{text.TaskName}':\n{script}", $"Register task '{text.TaskName}'", "Register-CalSyncSchedule")) return;
        RequireLocalScheduler("registering a scheduled task");
        InvokeScheduledTasks(script);
        WriteObject(new CalSyncSchedule(Name, ScheduleKind.TaskScheduler, interval, text.CommandLine, Array.Empty<string>(), script, true, null));
    }

    private void Systemd(ScheduleText text, TimeSpan interval)
    {
        var folder = Folder ?? ScheduleText.DefaultSystemdDirectory();
        var service = Path.Combine(folder, text.Stem + ".service");
        var timer = Path.Combine(folder, text.Stem + ".timer");
        var body = $"# {service}\n{text.SystemdService()}\n# {timer}\n{text.SystemdTimer()}";
        if (!ShouldProcess($"systemd user timer {timer}:\n{body}", $"Write {service} and {timer}", "Register-CalSyncSchedule")) return;
        Directory.CreateDirectory(folder);
        File.WriteAllText(service, text.SystemdService());
        File.WriteAllText(timer, text.SystemdTimer());
        var activate = $"systemctl --user daemon-reload && systemctl --user enable --now {text.Stem}.timer";
        var activated = false;
        if (Folder is null)
        {
            RequireLocalScheduler("enabling a systemd timer");
            Tool("systemctl", "--user daemon-reload");
            Tool("systemctl", $"--user enable --now {text.Stem}.timer");
            activated = true;
        }
        WriteObject(new CalSyncSchedule(Name, ScheduleKind.SystemdTimer, interval, text.CommandLine, new[] { service, timer }, body, activated,
            activated ? "For runs while you are logged out: loginctl enable-linger $USER" : "Activate with: " + activate + " (and loginctl enable-linger $USER for runs while logged out)"));
    }

    private void Launchd(ScheduleText text, TimeSpan interval)
    {
        var folder = Folder ?? ScheduleText.DefaultLaunchAgentsDirectory();
        var plist = Path.Combine(folder, text.LaunchdLabel + ".plist");
        var body = text.LaunchdPlist();
        if (!ShouldProcess($"launchd agent {plist}:\n{body}", $"Write {plist}", "Register-CalSyncSchedule")) return;
        Directory.CreateDirectory(folder);
        File.WriteAllText(plist, body);
        var activated = false;
        if (Folder is null)
        {
            RequireLocalScheduler("loading a launchd agent");
            Tool("launchctl", $"load -w \"{plist}\"");
            activated = true;
        }
        WriteObject(new CalSyncSchedule(Name, ScheduleKind.Launchd, interval, text.CommandLine, new[] { plist }, body, activated,
            activated ? null : $"Activate with: launchctl load -w \"{plist}\""));
    }

    private void CronTab(ScheduleText text, TimeSpan interval)
    {
        var line = text.CronLine();
        if (Folder is { } folder)
        {
            var file = Path.Combine(folder, text.Stem + ".cron");
            if (!ShouldProcess($"cron file {file}:\n{line}", $"Write {file}", "Register-CalSyncSchedule")) return;
            Directory.CreateDirectory(folder);
            File.WriteAllText(file, line + "\n");
            WriteObject(new CalSyncSchedule(Name, ScheduleKind.Cron, interval, text.CommandLine, new[] { file }, line, false,
                $"Add it to your crontab with: (crontab -l; cat \"{file}\") | crontab -"));
            return;
        }
        if (!ShouldProcess($"the user's crontab:\n{line}", "Add the line to the crontab", "Register-CalSyncSchedule")) return;
        RequireLocalScheduler("changing the crontab");
        var current = Tool("crontab", "-l");
        Tool("crontab", "-", text.WithoutCronLine(current).TrimStart('\n') + line + "\n");
        WriteObject(new CalSyncSchedule(Name, ScheduleKind.Cron, interval, text.CommandLine, Array.Empty<string>(), line, true, null));
    }
}
