using System;
using System.Linq;
using CalSync.Store;
using CalSync.PowerShell.Infrastructure;
using System.IO;
using System.Management.Automation;
using CalSync.PowerShell.Scheduling;
using SyncDefinition = CalSync.Engine.Sync.SyncDefinition;

namespace CalSync.PowerShell.Cmdlets;

/// <summary>
/// Runs a sync every interval, unattended: Task Scheduler on Windows (repeating trigger, no overlap), a systemd user
/// timer on Linux, a launchd agent on macOS, or a crontab line with -Cron. The run is
/// pwsh -NoProfile -NonInteractive -Command "Import-Module CalSync; Start-CalSync -Name X -ErrorAction Stop".
/// </summary>
[Cmdlet(VerbsLifecycle.Register, "CalSyncSchedule", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = CalSyncCmdlet.HelpBase + "register-calsyncschedule")]
[OutputType(typeof(CalSyncSchedule))]
public sealed class RegisterCalSyncScheduleCommand : ScheduleCmdlet
{
    /// <summary>How often to run (default: the sync's interval).</summary>
    [Parameter]
    [Interval]
    public TimeSpan? Interval { get; set; }

    /// <summary>
    /// Register although the sync's Outlook connection was made with an access token (this session only): its runs
    /// then fail with SignInRequired until it is connected with a sign-in. Without it that is refused (ConnectionSessionOnly).
    /// </summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        Guard(Name, () =>
        {
            if (Resident && Interval is not null)
                throw new CalSyncException(ErrorIds.ScheduleIntervalInvalid, "-Interval does not go with -Resident: the resident mode runs each sync at its own interval (change it with Set-CalSync -Interval).");
            if (Resident && Name != "*" && WildcardPattern.ContainsWildcardCharacters(Name))
                throw new CalSyncException(ErrorIds.SyncNotFound, $"-Resident takes one sync or * (every sync), not '{Name}'.");
            var definitions = Resident && Name == "*"
                ? Store.Definitions.List("*", e => WriteWarning(e.Message))
                : new[] { Store.Definitions.Get(Name) ?? throw new CalSyncException(ErrorIds.SyncNotFound, $"There is no sync named '{Name}'. Define it with New-CalSync first.") };
            // Resident: each sync at its own interval, none of the schedule's own.
            var interval = Resident ? TimeSpan.Zero : Interval ?? definitions[0].Interval;
            if (!Resident && interval < TimeSpan.FromMinutes(1))
                throw new CalSyncException(ErrorIds.ScheduleIntervalInvalid, "The interval must be at least one minute.");
            foreach (var definition in definitions) RefuseSessionOnly(definition);
            var text = Text(interval, out var unreachable);
            if (unreachable is not null) WriteWarning(unreachable);
            switch (Kind)
            {
                case ScheduleKind.TaskScheduler: Windows(text, interval); break;
                case ScheduleKind.SystemdTimer: Systemd(text, interval); break;
                case ScheduleKind.Launchd: Launchd(text, interval); break;
                default: CronTab(text, interval); break;
            }
        });
    }

    /// <summary>
    /// A scheduled run is a new process: an Outlook connection made with -AccessToken keeps its token in this session
    /// only, so such a run could never sign in. Refused, or with -Force a warning.
    /// </summary>
    private void RefuseSessionOnly(SyncDefinition definition)
    {
        if (Store.Connections.Get(definition.OutlookConnection) is not { Auth: AuthKinds.AccessToken } connection) return;
        var name = StoreNameCompleter.Quote(connection.Name);
        var why = $"The sync '{definition.Name}' uses the Outlook connection '{connection.Name}', which was made with an access token (Connect-OutlookCalendar -AccessToken): " +
            "the token is kept in this PowerShell session only, so a scheduled run, a new process, could never sign in.";
        var fix = $"connect it with a sign-in that keeps a refresh token: Connect-OutlookCalendar -Name {name} -ClientId <your app id> " +
            "(add -UseDeviceCode where no browser can open, and -AllowPlaintextTokenCache where there is no OS key store)";
        if (!Force)
            throw new CalSyncException(ErrorIds.ConnectionSessionOnly, $"{why} To schedule it, {fix}, then run Register-CalSyncSchedule again; or add -Force to register it anyway.");
        WriteWarning($"{why} Registered anyway (-Force): its runs fail with SignInRequired until you {fix}.");
    }

    private void Windows(ScheduleText text, TimeSpan interval)
    {
        var script = text.WindowsScript();
        if (!ShouldProcess($"Task Scheduler task '{ScheduleText.TaskPath}{text.TaskName}':\n{script}", $"Register task '{text.TaskName}'", "Register-CalSyncSchedule")) return;
        RequireLocalScheduler("registering a scheduled task");
        InvokeScheduledTasks(script);
        WriteObject(new CalSyncSchedule(Name, ScheduleKind.TaskScheduler, interval, text.WindowsCommandLine, Array.Empty<string>(), script, true, null));
    }

    private void Systemd(ScheduleText text, TimeSpan interval)
    {
        var folder = Folder ?? ScheduleText.DefaultSystemdDirectory();
        var service = Path.Combine(folder, text.Stem + ".service");
        var timer = Path.Combine(folder, text.Stem + ".timer");
        // Resident: the service alone, enabled at login (WantedBy=default.target); else the timer starts the service.
        var files = text.Resident ? new[] { (service, text.SystemdService()) } : new[] { (service, text.SystemdService()), (timer, text.SystemdTimer()) };
        var body = string.Join("\n", files.Select(f => $"# {f.Item1}\n{f.Item2}"));
        var unit = text.Stem + (text.Resident ? ".service" : ".timer");
        if (!ShouldProcess($"systemd user {(text.Resident ? "service" : "timer")} {Path.Combine(folder, unit)}:\n{body}", $"Write {string.Join(" and ", files.Select(f => f.Item1))}", "Register-CalSyncSchedule")) return;
        var activate = $"systemctl --user daemon-reload && systemctl --user enable --now {unit}";
        var activated = Folder is null;
        if (activated) RequireLocalScheduler("enabling a systemd " + (text.Resident ? "service" : "timer"));
        WriteAndActivate(files,
            activated ? () => { Tool("systemctl", "--user daemon-reload"); Tool("systemctl", $"--user enable --now {unit}"); } : null,
            undo: () => Tool("systemctl", $"--user disable {(text.Resident ? "--now " : "")}{unit}"),
            reload: () => Tool("systemctl", "--user daemon-reload"));
        WriteObject(new CalSyncSchedule(Name, ScheduleKind.SystemdTimer, interval, text.CommandLine, files.Select(f => f.Item1).ToArray(), body, activated,
            activated ? "For runs while you are logged out: loginctl enable-linger $USER" : "Activate with: " + activate + " (and loginctl enable-linger $USER for runs while logged out)"));
    }

    private void Launchd(ScheduleText text, TimeSpan interval)
    {
        var folder = Folder ?? ScheduleText.DefaultLaunchAgentsDirectory();
        var plist = Path.Combine(folder, text.LaunchdLabel + ".plist");
        var body = text.LaunchdPlist();
        if (!ShouldProcess($"launchd agent {plist}:\n{body}", $"Write {plist}", "Register-CalSyncSchedule")) return;
        var activated = Folder is null;
        if (activated) RequireLocalScheduler("loading a launchd agent");
        WriteAndActivate(new[] { (plist, body) }, activated ? () => Tool("launchctl", $"load -w \"{plist}\"") : null);
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
            WriteAndActivate(new[] { (file, line + "\n") }, null);
            WriteObject(new CalSyncSchedule(Name, ScheduleKind.Cron, interval, text.CommandLine, new[] { file }, line, false,
                $"Add it to your crontab with: (crontab -l; cat \"{file}\") | crontab -"));
            return;
        }
        if (!ShouldProcess($"the user's crontab:\n{line}", "Add the line to the crontab", "Register-CalSyncSchedule")) return;
        RequireLocalScheduler("changing the crontab");
        var current = Tool("crontab", "-l");
        // crontab - installs the whole new table or, failing, nothing.
        try { Tool("crontab", "-", text.WithoutCronLine(current).TrimStart('\n') + line + "\n"); }
        catch (CalSyncException e) when (e.ErrorId == ErrorIds.ScheduleFailed)
        {
            throw new CalSyncException(ErrorIds.ScheduleFailed, e.Message + " The crontab was not changed: nothing was left behind.", e);
        }
        WriteObject(new CalSyncSchedule(Name, ScheduleKind.Cron, interval, text.CommandLine, Array.Empty<string>(), line, true, null));
    }
}
