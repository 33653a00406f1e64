using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using CalSync.PowerShell.Scheduling;

namespace CalSync.PowerShell.Cmdlets;

/// <summary>Stops running a sync on a schedule: removes its scheduled task, systemd timer, launchd agent or crontab line.</summary>
[Cmdlet(VerbsLifecycle.Unregister, "CalSyncSchedule", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = Infrastructure.CalSyncCmdlet.HelpBase + "unregister-calsyncschedule")]
[OutputType(typeof(CalSyncSchedule))]
public sealed class UnregisterCalSyncScheduleCommand : ScheduleCmdlet
{
    /// <summary>Output what was removed.</summary>
    [Parameter] public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        Guard(Name, () =>
        {
            // A removed sync's schedule can still be removed; the resident service (-Name * too) has no interval of its own.
            var interval = Resident ? TimeSpan.Zero : Store.Definitions.Get(Name)?.Interval ?? TimeSpan.FromMinutes(10);
            var text = Text(interval);
            var removed = new List<string>();
            switch (Kind)
            {
                case ScheduleKind.TaskScheduler:
                    if (!ShouldProcess($"Task Scheduler task '{ScheduleText.TaskPath}{text.TaskName}'", "Unregister")) return;
                    RequireLocalScheduler("unregistering a scheduled task");
                    InvokeScheduledTasks(text.WindowsUnregisterScript());
                    break;
                case ScheduleKind.SystemdTimer:
                {
                    var unitFolder = Folder ?? ScheduleText.DefaultSystemdDirectory();
                    var files = text.Resident
                        ? new[] { Path.Combine(unitFolder, text.Stem + ".service") }
                        : new[] { Path.Combine(unitFolder, text.Stem + ".timer"), Path.Combine(unitFolder, text.Stem + ".service") };
                    if (!Array.Exists(files, File.Exists)) throw NotFound(unitFolder);
                    if (!ShouldProcess(string.Join(", ", files), text.Resident ? "Remove the systemd service" : "Remove the systemd timer")) return;
                    if (Folder is null) Tool("systemctl", $"--user disable --now {text.Stem}{(text.Resident ? ".service" : ".timer")}");
                    foreach (var f in files) if (File.Exists(f)) { File.Delete(f); removed.Add(f); }
                    if (Folder is null) Tool("systemctl", "--user daemon-reload");
                    break;
                }
                case ScheduleKind.Launchd:
                {
                    var plist = Path.Combine(Folder ?? ScheduleText.DefaultLaunchAgentsDirectory(), text.LaunchdLabel + ".plist");
                    if (!File.Exists(plist)) throw NotFound(Path.GetDirectoryName(plist)!);
                    if (!ShouldProcess(plist, "Remove the launchd agent")) return;
                    if (Folder is null) Tool("launchctl", $"unload -w \"{plist}\"");
                    File.Delete(plist);
                    removed.Add(plist);
                    break;
                }
                default:
                    if (Folder is { } cronFolder)
                    {
                        var file = Path.Combine(cronFolder, text.Stem + ".cron");
                        if (!File.Exists(file)) throw NotFound(cronFolder);
                        if (!ShouldProcess(file, "Remove the cron file")) return;
                        File.Delete(file);
                        removed.Add(file);
                    }
                    else
                    {
                        RequireLocalScheduler("changing the crontab");
                        var current = Tool("crontab", "-l");
                        if (current.IndexOf(text.CronMarker, StringComparison.Ordinal) < 0) throw NotFound("the user's crontab");
                        if (!ShouldProcess("the user's crontab", $"Remove the line of sync '{Name}'")) return;
                        Tool("crontab", "-", text.WithoutCronLine(current));
                    }
                    break;
            }
            WriteVerbose($"Removed the {Kind} schedule of '{Name}'.");
            if (PassThru) WriteObject(new CalSyncSchedule(Name, Kind, interval, text.CommandLine, removed, "", true, "removed"));
        });
    }

    private CalSyncException NotFound(string where) =>
        new(ErrorIds.ScheduleNotFound, $"No {Kind} schedule of the sync '{Name}' was found in {where}.");
}
