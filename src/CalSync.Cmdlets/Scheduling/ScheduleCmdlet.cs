using System;
using System.Diagnostics;
using System.IO;
using System.Management.Automation;
using System.Runtime.InteropServices;
using CalSync.PowerShell.Infrastructure;

namespace CalSync.PowerShell.Scheduling;

/// <summary>What Register- and Unregister-CalSyncSchedule share: the platform, the scheduler, pwsh and the tools they call.</summary>
public abstract class ScheduleCmdlet : CalSyncCmdlet
{
    /// <summary>The sync.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(SyncNameCompleter))]
    [Alias("SyncName")]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>Whose scheduler to use (default: this machine's). Another platform only generates text (with -OutputPath or -WhatIf).</summary>
    [Parameter]
    public SchedulePlatform Platform { get; set; } = Current;

    /// <summary>Linux/macOS: a crontab line instead of a systemd timer / launchd agent.</summary>
    [Parameter]
    public SwitchParameter Cron { get; set; }

    /// <summary>
    /// Linux/macOS: the folder for the unit, timer, plist or cron file. Given, the files are only written (the output says
    /// how to activate them); omitted, the user's systemd/launchd folder or crontab is used and the scheduler is told.
    /// </summary>
    [Parameter]
    public string? OutputPath { get; set; }

    internal static SchedulePlatform Current =>
        RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? SchedulePlatform.Windows
        : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? SchedulePlatform.MacOS : SchedulePlatform.Linux;

    internal ScheduleKind Kind => Platform switch
    {
        SchedulePlatform.Windows => ScheduleKind.TaskScheduler,
        _ when Cron => ScheduleKind.Cron,
        SchedulePlatform.MacOS => ScheduleKind.Launchd,
        _ => ScheduleKind.SystemdTimer,
    };

    internal string? Folder => OutputPath is null ? null : GetUnresolvedProviderPathFromPSPath(OutputPath);

    internal ScheduleText Text(TimeSpan interval)
    {
        var module = MyInvocation.MyCommand.Module;
        var manifest = module is null ? "CalSync" : Path.Combine(module.ModuleBase, "CalSync.psd1");
        // The store this session uses, as an absolute path: a relative CALSYNC_HOME would mean another folder to the scheduler.
        var root = Store.Root;
        return new ScheduleText(Name, interval, FindPwsh(), manifest, string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CALSYNC_HOME")) ? null : root, root);
    }

    private string FindPwsh()
    {
        var exe = Platform == SchedulePlatform.Windows ? "pwsh.exe" : "pwsh";
        if (Platform == Current)
        {
            var home = SessionState.PSVariable.GetValue("PSHOME") as string;
            if (!string.IsNullOrEmpty(home) && File.Exists(Path.Combine(home!, exe))) return Path.Combine(home!, exe);
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
                if (dir.Length > 0 && File.Exists(Path.Combine(dir, exe))) return Path.Combine(dir, exe);
        }
        return Platform switch
        {
            SchedulePlatform.Windows => @"C:\Program Files\PowerShell\7\pwsh.exe",
            SchedulePlatform.MacOS => "/usr/local/bin/pwsh",
            _ => "/usr/bin/pwsh",
        };
    }

    internal void RequireLocalScheduler(string what)
    {
        if (Platform != Current)
            throw new CalSyncException(ErrorIds.ScheduleNotSupported,
                $"This machine is {Current}; {what} for {Platform} cannot be done here. Use -WhatIf to see the script{(Platform == SchedulePlatform.Windows ? "" : ", or -OutputPath to write the files")}.");
    }

    /// <summary>Runs a scheduler tool (systemctl, launchctl, crontab); returns its output, or throws ScheduleFailed.</summary>
    internal string Tool(string file, string arguments, string? input = null)
    {
        WriteVerbose($"Running: {file} {arguments}");
        var info = new ProcessStartInfo(file, arguments)
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = input is not null,
        };
        try
        {
            using var process = Process.Start(info)!;
            if (input is not null) { process.StandardInput.Write(input); process.StandardInput.Close(); }
            var output = process.StandardOutput.ReadToEnd();
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0 && !(file == "crontab" && arguments == "-l"))
                throw new CalSyncException(ErrorIds.ScheduleFailed, $"'{file} {arguments}' failed ({process.ExitCode}): {error.Trim()}");
            return process.ExitCode == 0 ? output : "";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new CalSyncException(ErrorIds.ScheduleFailed, $"'{file}' could not be started ({e.Message}). Use -OutputPath to write the files and activate them yourself.", e);
        }
    }

    /// <summary>Runs the ScheduledTasks cmdlets through the PowerShell pipeline (Windows).</summary>
    internal void InvokeScheduledTasks(string script)
    {
        try { InvokeCommand.InvokeScript(script); }
        catch (RuntimeException e)
        {
            throw new CalSyncException(ErrorIds.ScheduleFailed, "Task Scheduler refused the change: " + e.Message, e);
        }
    }
}
