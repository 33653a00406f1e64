using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
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
    /// The resident mode as a service instead of a timer: a systemd user service (restarted on failure), a launchd agent
    /// with KeepAlive, or a Task Scheduler task at logon, each keeping Start-CalSync -Name &lt;Name&gt; -Resident running.
    /// -Name is then a sync or * (every sync, each at its own interval).
    /// </summary>
    [Parameter]
    public SwitchParameter Resident { get; set; }

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

    internal ScheduleText Text(TimeSpan interval) => Text(interval, out _);

    /// <param name="unreachable">Set when the scheduled run imports the module by its folder: the warning that says why.</param>
    internal ScheduleText Text(TimeSpan interval, out string? unreachable)
    {
        var pwsh = FindPwsh();
        // The store this session uses, as an absolute path: a relative CALSYNC_HOME would mean another folder to the scheduler.
        var root = Store.Root;
        if (Resident && Kind == ScheduleKind.Cron)
            throw new CalSyncException(ErrorIds.ScheduleNotSupported, "cron starts commands at set times and cannot keep the resident mode running: omit -Cron (a systemd user service or launchd agent), or omit -Resident (a run every interval).");
        return new ScheduleText(Name, interval, pwsh, ModuleToImport(pwsh, out unreachable),
            string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CALSYNC_HOME")) ? null : root, root, Resident);
    }

    /// <summary>
    /// What the scheduled run imports: the module by name where a new pwsh started by the scheduler finds it (one of
    /// PowerShell's own module folders), so an update into a new version folder is what runs. Elsewhere (imported from a
    /// build folder such as ./out/CalSync, or a folder only this session's $env:PSModulePath names) the module's folder
    /// without its version: Import-Module of that folder loads the highest version in it.
    /// </summary>
    private string ModuleToImport(string pwsh, out string? unreachable)
    {
        unreachable = null;
        var module = MyInvocation.MyCommand.Module;
        // Another platform's text: the module is installed there, by name.
        if (module is null || Platform != Current) return ScheduleText.ModuleName;
        var folder = module.ModuleBase.TrimEnd(Path.DirectorySeparatorChar);
        var parent = Path.GetDirectoryName(folder);
        if (Version.TryParse(Path.GetFileName(folder), out _) && parent is not null && NamesModule(parent)) folder = parent;
        if (!NamesModule(folder)) return module.Path; // Import-Module of a folder needs the folder named as the module
        // $PSHOME of the pwsh the schedule runs (/usr/bin/pwsh is usually a link into it).
        var psHome = Path.GetDirectoryName(File.Exists(pwsh) ? new FileInfo(pwsh).ResolveLinkTarget(true)?.FullName ?? pwsh : pwsh)!;
        var folders = ModuleFolders(psHome);
        if (folders.Contains(Path.GetDirectoryName(folder)!, PathComparer)) return ScheduleText.ModuleName;
        unreachable =
            $"CalSync was imported from '{module.ModuleBase}', where a scheduled run cannot find it by name (PowerShell's module folders are {string.Join(", ", folders)}). " +
            $"The schedule imports it from '{folder}': if that folder moves or is deleted, the runs fail. To refer to the module by name, " +
            $"copy '{folder}' to '{Path.Combine(folders[0], ScheduleText.ModuleName)}', import it by name (Import-Module CalSync) and register the schedule again.";
        return folder;

        bool NamesModule(string path) => string.Equals(Path.GetFileName(path), module.Name, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The module folders of a pwsh that a scheduler starts with -NoProfile: the user's, the shared one and its $PSHOME's
    /// (on Windows also those the user's and machine's PSModulePath name; a task gets that environment, cron, systemd and
    /// launchd do not).
    /// </summary>
    private static IReadOnlyList<string> ModuleFolders(string psHome)
    {
        var folders = new List<string>();
        if (Current == SchedulePlatform.Windows)
        {
            folders.Add(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.MyDocuments), "PowerShell", "Modules"));
            folders.Add(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ProgramFiles), "PowerShell", "Modules"));
        }
        else
        {
            folders.Add(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share", "powershell", "Modules"));
            folders.Add("/usr/local/share/powershell/Modules");
        }
        folders.Add(Path.Combine(psHome, "Modules"));
        if (Current == SchedulePlatform.Windows)
            foreach (var target in new[] { EnvironmentVariableTarget.User, EnvironmentVariableTarget.Machine })
                folders.AddRange((Environment.GetEnvironmentVariable("PSModulePath", target) ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        return folders.Select(f => f.TrimEnd(Path.DirectorySeparatorChar)).Distinct(PathComparer).ToList();
    }

    private static StringComparer PathComparer => Current == SchedulePlatform.Linux ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase;

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

    /// <summary>
    /// Writes a schedule's files, then tells the scheduler (<paramref name="activate"/>). When either fails, nothing of
    /// it is left behind: <paramref name="undo"/> (only for files that did not exist) and the files are taken back
    /// (removed, or their earlier text restored), <paramref name="reload"/> tells the scheduler, and the error says so.
    /// </summary>
    internal void WriteAndActivate(IReadOnlyList<(string Path, string Text)> files, Action? activate, Action? undo = null, Action? reload = null)
    {
        var before = files.Select(f => File.Exists(f.Path) ? File.ReadAllText(f.Path) : null).ToArray();
        try
        {
            foreach (var (path, text) in files)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, text);
            }
            activate?.Invoke();
        }
        catch (Exception e) when (e is CalSyncException { ErrorId: ErrorIds.ScheduleFailed } or IOException or UnauthorizedAccessException)
        {
            var fresh = before.All(b => b is null);
            if (fresh) Quietly(undo);
            for (var i = 0; i < files.Count; i++)
            {
                if (before[i] is { } text) File.WriteAllText(files[i].Path, text);
                else if (File.Exists(files[i].Path)) File.Delete(files[i].Path);
            }
            Quietly(reload);
            var names = string.Join(", ", files.Select(f => f.Path));
            throw new CalSyncException(ErrorIds.ScheduleFailed, (e is CalSyncException ? e.Message : $"Writing the schedule failed: {e.Message}") + " " +
                (fresh ? $"The files it wrote were removed ({names}): nothing was left behind." : $"The earlier files were put back as they were ({names}): nothing of this registration was left behind."), e);
        }
    }

    /// <summary>A clean-up step after a failure: its own failure must not hide the first one (it is in the verbose stream).</summary>
    private void Quietly(Action? step)
    {
        try { step?.Invoke(); }
        catch (CalSyncException e) { WriteVerbose("Clean-up: " + e.Message); }
    }

    /// <summary>Runs the ScheduledTasks cmdlets through the PowerShell pipeline (Windows).</summary>
    internal void InvokeScheduledTasks(string script)
    {
        try { InvokeCommand.InvokeScript(script); }
        catch (RuntimeException e)
        {
            throw new CalSyncException(ErrorIds.ScheduleFailed, "Task Scheduler refused the change (nothing was registered, removed or changed): " + e.Message, e);
        }
    }
}
