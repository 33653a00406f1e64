using CalSync.Cmdlets.Tests.Support;

namespace CalSync.Cmdlets.Tests;

/// <summary>Register-/Unregister-CalSyncSchedule file generation and the format views through Out-Default with a host.</summary>
public sealed class ScheduleAndFormatTests : IClassFixture<SandboxFixture>, IDisposable
{
    private readonly SandboxFixture _f;
    private readonly StoreHome _home = new();
    private readonly string _units;

    public ScheduleAndFormatTests(SandboxFixture f)
    {
        _f = f;
        f.Reset();
        // A sign-in that keeps a refresh token (a session's access token cannot be scheduled, see below).
        f.Host.Graph.DeviceCodeIntervalSeconds = 1;
        f.Ps.Run("Connect-OutlookCalendar -Endpoint $graph -Authority $authority -ClientId 11111111-2222-3333-4444-555555555555 -UseDeviceCode -AllowPlaintextTokenCache | Out-Null; " +
            "Connect-Bitrix24 -WebhookUrl $webhook -AllowPlaintextSecretStore | Out-Null", f.Vars()).Ok();
        _units = _home.File("units");
        f.Ps.Run("New-CalSync -Name Work -Interval ([timespan]'00:15:00') | Out-Null").Ok();
    }

    public void Dispose() => _home.Dispose();

    /// <summary>Runs <paramref name="action"/> with a stand-in pwsh (this script) first on PATH: the cmdlet names the pwsh it finds.</summary>
    private void WithPwsh(string script, Action action)
    {
        var bin = _home.File("bin");
        Directory.CreateDirectory(bin);
        var fake = Path.Combine(bin, "pwsh");
        File.WriteAllText(fake, script);
        File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var path = Environment.GetEnvironmentVariable("PATH");
        Environment.SetEnvironmentVariable("PATH", bin + Path.PathSeparator + path);
        try { action(); }
        finally { Environment.SetEnvironmentVariable("PATH", path); }
    }

    private PsResult Run(string script) => _f.Ps.Run(script, new Dictionary<string, object?> { ["units"] = _units });

    [Fact]
    public void Systemd_timer_and_service_repeat_every_interval_run_pwsh_non_interactively_and_Unregister_removes_them()
    {
        var r = Run("Register-CalSyncSchedule -Name Work -Platform Linux -OutputPath $units").Ok();
        // This session imported the module from the build folder: the schedule imports that folder, and says so.
        Assert.Contains(r.Warnings, w => w.Contains("where a scheduled run cannot find it by name") && w.Contains("Import-Module CalSync"));
        var service = File.ReadAllText(Path.Combine(_units, "calsync-work.service"));
        var timer = File.ReadAllText(Path.Combine(_units, "calsync-work.timer"));
        Assert.Contains("Type=oneshot", service);
        Assert.Matches(@"ExecStart=\S*pwsh -NoProfile -NonInteractive -Command ""Import-Module '[^']+/out/CalSync'; Start-CalSync -Name 'Work' -ErrorAction Stop""", service);
        Assert.Contains($"Environment=\"CALSYNC_HOME={_home.Root}\"", service);
        Assert.Contains("Environment=\"DOTNET_TieredCompilation=0\"", service); // a scheduled run is one short process
        Assert.Contains("OnUnitActiveSec=900s", timer);
        Assert.Contains("Unit=calsync-work.service", timer);
        Assert.Contains("WantedBy=timers.target", timer);
        Assert.False((bool)r.First.Activated); // -OutputPath: written, not enabled (no systemctl)
        Assert.Contains("systemctl --user enable --now calsync-work.timer", (string)r.First.Note);

        Run("Unregister-CalSyncSchedule -Name Work -Platform Linux -OutputPath $units -WhatIf").Ok();
        Assert.True(File.Exists(Path.Combine(_units, "calsync-work.timer")));
        var removed = Run("Unregister-CalSyncSchedule -Name Work -Platform Linux -OutputPath $units -PassThru").Ok();
        Assert.Equal(2, ((IEnumerable<string>)removed.First.Files).Count());
        Assert.Empty(Directory.GetFiles(_units));
        Assert.Equal("ScheduleNotFound", Assert.Single(Run("Unregister-CalSyncSchedule -Name Work -Platform Linux -OutputPath $units").ErrorIds));
    }

    [Fact]
    public void Cron_line_uses_the_interval_and_an_inexpressible_interval_is_refused()
    {
        Run("Register-CalSyncSchedule -Name Work -Platform Linux -Cron -OutputPath $units").Ok();
        var line = File.ReadAllText(Path.Combine(_units, "calsync-work.cron")).Trim();
        Assert.StartsWith($"*/15 * * * * DOTNET_TieredCompilation=0 CALSYNC_HOME={_home.Root} ", line);
        Assert.Contains("-NoProfile -NonInteractive -Command \"Import-Module", line);
        Assert.Contains("Start-CalSync -Name 'Work' -ErrorAction Stop", line);
        Assert.EndsWith("# CalSync:work", line);
        Run("Register-CalSyncSchedule -Name Work -Platform Linux -Cron -OutputPath $units -Interval ([timespan]'02:00:00')").Ok();
        Assert.StartsWith("0 */2 * * * ", File.ReadAllText(Path.Combine(_units, "calsync-work.cron")));

        var odd = Run("Register-CalSyncSchedule -Name Work -Platform Linux -Cron -OutputPath $units -Interval ([timespan]'00:07:00')");
        Assert.Equal("ScheduleIntervalInvalid", Assert.Single(odd.ErrorIds));
        Run("Unregister-CalSyncSchedule -Name Work -Platform Linux -Cron -OutputPath $units").Ok();
        Assert.False(File.Exists(Path.Combine(_units, "calsync-work.cron")));
    }

    [Fact]
    public void The_cron_command_run_by_a_real_shell_starts_pwsh_with_the_runtime_setting_the_store_and_the_script()
    {
        if (OperatingSystem.IsWindows()) return;
        // A stand-in pwsh on PATH (the cmdlet names the pwsh it finds) records its environment and arguments.
        var seen = _home.File("seen.txt");
        WithPwsh($"#!/bin/sh\nenv > '{seen}'\nfor a in \"$@\"; do printf 'ARG %s\\n' \"$a\" >> '{seen}'; done\necho 'what the run printed'\n",
            () => Run("Register-CalSyncSchedule -Name Work -Platform Linux -Cron -OutputPath $units").Ok());

        // cron hands everything after the five time fields to /bin/sh.
        var line = File.ReadAllText(Path.Combine(_units, "calsync-work.cron")).Trim();
        var shell = new System.Diagnostics.ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        shell.ArgumentList.Add("-c");
        shell.ArgumentList.Add(string.Join(' ', line.Split(' ').Skip(5)));
        shell.Environment.Remove("CALSYNC_HOME");
        shell.Environment.Remove("DOTNET_TieredCompilation");
        using (var process = System.Diagnostics.Process.Start(shell)!)
            Assert.True(process.WaitForExit(30_000) && process.ExitCode == 0, "the cron command failed");

        var lines = File.ReadAllLines(seen);
        Assert.Contains("DOTNET_TieredCompilation=0", lines);
        Assert.Contains("CALSYNC_HOME=" + _home.Root, lines);
        Assert.Equal(new[] { "ARG -NoProfile", "ARG -NonInteractive", "ARG -Command" }, lines.Where(l => l.StartsWith("ARG -", StringComparison.Ordinal)));
        Assert.Matches("^ARG Import-Module '[^']+/out/CalSync'; Start-CalSync -Name 'Work' -ErrorAction Stop$", lines.Last());
        // The run's output goes to a log in the store (issue 18, case 5), not to cron's mail.
        Assert.Equal("what the run printed", File.ReadAllText(_home.File("calsync-work.log")).Trim());
    }

    /// <summary>Issue 21: the resident mode as a service, instead of a timer per sync.</summary>
    [Fact]
    public void Resident_installs_a_service_that_keeps_Start_CalSync_Resident_running_instead_of_timers()
    {
        var r = Run("Register-CalSyncSchedule -Name * -Resident -Platform Linux -OutputPath $units").Ok();
        var service = Path.Combine(_units, "calsync-resident.service");
        Assert.Equal([service], ((IEnumerable<string>)r.First.Files).ToArray()); // no timer
        var unit = File.ReadAllText(service);
        Assert.Contains("Type=simple\nRestart=on-failure\nRestartSec=60\n", unit);
        Assert.Contains("WantedBy=default.target", unit);
        Assert.Matches(@"ExecStart=\S*pwsh -NoProfile -NonInteractive -Command ""Import-Module '[^']+/out/CalSync'; Start-CalSync -Name '\*' -Resident""", unit);
        Assert.Contains($"Environment=\"CALSYNC_HOME={_home.Root}\"", unit);
        Assert.Contains("systemctl --user enable --now calsync-resident.service", (string)r.First.Note);

        Run("Register-CalSyncSchedule -Name Work -Resident -Platform MacOS -OutputPath $units").Ok();
        var plist = File.ReadAllText(Path.Combine(_units, "com.calsync.resident.work.plist"));
        Assert.Contains("<key>KeepAlive</key>\n  <true/>", plist);
        Assert.DoesNotContain("StartInterval", plist);
        Assert.Contains("Start-CalSync -Name 'Work' -Resident", plist);

        var windows = Run("Register-CalSyncSchedule -Name * -Resident -Platform Windows -WhatIf").Ok().HostText;
        Assert.Contains("New-ScheduledTaskTrigger -AtLogOn", windows);
        Assert.Contains("-ExecutionTimeLimit ([TimeSpan]::Zero) -RestartCount 999", windows);
        Assert.Contains("Register-ScheduledTask -TaskName 'CalSync resident'", windows);
        Assert.Contains("Start-ScheduledTask -TaskName 'CalSync resident'", windows);

        var cron = Run("Register-CalSyncSchedule -Name * -Resident -Platform Linux -Cron -OutputPath $units");
        Assert.Equal("ScheduleNotSupported", Assert.Single(cron.ErrorIds));
        Assert.Contains("omit -Cron", cron.Errors[0].ToString());
        Assert.Equal("ScheduleIntervalInvalid", Assert.Single(Run("Register-CalSyncSchedule -Name * -Resident -Interval 5 -Platform Linux -OutputPath $units").ErrorIds));

        Run("Unregister-CalSyncSchedule -Name * -Resident -Platform Linux -OutputPath $units").Ok();
        Run("Unregister-CalSyncSchedule -Name Work -Resident -Platform MacOS -OutputPath $units").Ok();
        Assert.Empty(Directory.GetFiles(_units));
    }

    [Fact]
    public void Launchd_agent_uses_StartInterval_and_Windows_WhatIf_shows_the_ScheduledTasks_script_without_running_it()
    {
        Run("Register-CalSyncSchedule -Name Work -Platform MacOS -OutputPath $units").Ok();
        var plist = File.ReadAllText(Path.Combine(_units, "com.calsync.work.plist"));
        Assert.Contains("<key>StartInterval</key>\n  <integer>900</integer>", plist);
        Assert.Contains("<string>-NonInteractive</string>", plist);
        Assert.Contains("Start-CalSync -Name 'Work' -ErrorAction Stop", plist);
        Assert.Contains($"<key>EnvironmentVariables</key>\n  <dict>\n    <key>DOTNET_TieredCompilation</key>\n    <string>0</string>\n    <key>CALSYNC_HOME</key>\n    <string>{_home.Root}</string>\n  </dict>", plist);
        Run("Unregister-CalSyncSchedule -Name Work -Platform MacOS -OutputPath $units").Ok();
        Assert.Empty(Directory.GetFiles(_units));

        var r = Run("Register-CalSyncSchedule -Name Work -Platform Windows -WhatIf").Ok();
        Assert.Contains("New-ScheduledTaskTrigger -Once -At (Get-Date).AddMinutes(1) -RepetitionInterval (New-TimeSpan -Minutes 15)", r.HostText);
        Assert.Contains("-MultipleInstances IgnoreNew", r.HostText);
        Assert.Contains("Register-ScheduledTask -TaskName 'CalSync - Work' -TaskPath '\\CalSync\\'", r.HostText);
        // Another platform's schedule imports the module by name (it is installed there).
        Assert.Contains("-Argument '-NoProfile -NonInteractive -Command \"Import-Module CalSync; Start-CalSync -Name ''Work'' -ErrorAction Stop\"'", r.HostText);
        Assert.DoesNotContain("S4U", r.HostText);
        if (!OperatingSystem.IsWindows())
            Assert.Equal("ScheduleNotSupported", Assert.Single(Run("Register-CalSyncSchedule -Name Work -Platform Windows").ErrorIds));
        Assert.Equal("SyncNotFound", Assert.Single(Run("Register-CalSyncSchedule -Name Nope -Platform Linux -OutputPath $units").ErrorIds));
    }

    [Fact]
    public void Out_Default_formats_every_output_type_with_its_view()
    {
        Seed.Outlook(_f.Host, "Planning", 9);
        var sync = Run("Get-CalSync | Out-Default").Ok().HostText;
        Assert.Matches(@"Name\s+Direction\s+Interval\s+Mapping\s+Outlook\s+Bitrix24", sync);
        Assert.Matches(@"Work\s+TwoWay\s+15m\s+default\s+outlook\s+bitrix24", sync);

        var run = Run("Start-CalSync -Name Work -InitialMerge TwoWay | Out-Default").Ok().HostText;
        Assert.Matches(@"SyncName\s+Start\s+Outcome\s+Mode\s+Created\s+Updated\s+Deleted\s+Matched\s+Failed\s+Seconds", run);
        Assert.Matches(@"Work\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+Succeeded\s+InitialMerge:TwoWay\s+1\s+0\s+0\s+0\s+0", run);

        var history = Run("Get-CalSyncHistory -Name Work | Out-Default").Ok().HostText;
        Assert.Contains("Succeeded", history);
        var items = Run("(Get-CalSyncHistory -Name Work -Last 1).Items | Out-Default").Ok().HostText;
        Assert.Matches(@"Action\s+Target\s+TargetId\s+OK\s+Reason", items);
        Assert.Matches(@"Create\s+Bitrix24", items);

        var connections = Run("Get-CalSyncConnection | Out-Default").Ok().HostText;
        Assert.Matches(@"Name\s+Kind\s+Auth\s+Account\s+Calendar\s+Protection\s+Endpoint", connections);
        Assert.Matches(@"bitrix24\s+Bitrix24\s+Webhook", connections);
        Assert.Matches(@"outlook\s+Outlook\s+DeviceCode", connections);

        var schedule = Run("Register-CalSyncSchedule -Name Work -Platform Linux -OutputPath $units | Out-Default").Ok().HostText;
        Assert.Matches(@"Kind\s+: SystemdTimer", schedule);
        var preview = Run("Test-CalSyncMapping -Mapping busy-only | Out-Default").Ok().HostText;
        Assert.Matches(@"From\s+Title\s+Synced\s+Copy title", preview);
        Assert.Matches(@"Outlook\s+Therapy – Dr X\s+True\s+Busy", preview);
        var counts = Run("(Get-CalSyncHistory -Name Work -Last 1).Bitrix24 | Out-Default").Ok().HostText;
        Assert.Matches(@"Created\s+Updated\s+Deleted\s+Matched\s+Recovered\s+Skipped\s+Failed", counts);
    }

    /// <summary>Issue 18, case 5: a connection whose token lives in this session cannot be scheduled; -Force registers it with a warning.</summary>
    [Fact]
    public void A_sync_on_an_access_token_connection_is_refused_naming_the_connection_unless_Force()
    {
        _f.ConnectBitrix24Calendar("sessioncal"); // Work has the user's calendar: one sync per pair of calendars
        _f.Ps.Run("Connect-OutlookCalendar -Name session -Endpoint $graph -AccessToken $token | Out-Null; New-CalSync -Name Session -OutlookConnection session -Bitrix24Connection sessioncal | Out-Null", _f.Vars()).Ok();
        var r = Run("Register-CalSyncSchedule -Name Session -Platform Linux -OutputPath $units");
        var error = Assert.Single(r.Errors);
        Assert.Equal("ConnectionSessionOnly", r.ErrorIds.Single());
        Assert.Equal("Session", error.TargetObject);
        Assert.Contains("the Outlook connection 'session', which was made with an access token", error.ToString());
        Assert.Contains("Connect-OutlookCalendar -Name session -ClientId <your app id>", error.ToString());
        Assert.False(Directory.Exists(_units));

        var forced = Run("Register-CalSyncSchedule -Name Session -Platform Linux -OutputPath $units -Force").Ok();
        Assert.Contains(forced.Warnings, w => w.Contains("Registered anyway (-Force): its runs fail with SignInRequired"));
        Assert.True(File.Exists(Path.Combine(_units, "calsync-session.service")));
        // The signed-in connection of Work is scheduled without a word about it.
        Assert.DoesNotContain(Run("Register-CalSyncSchedule -Name Work -Platform Linux -OutputPath $units").Ok().Warnings, w => w.Contains("access token"));
    }

    /// <summary>Issue 18, case 5: a store path with characters each format treats specially reads back the same from the unit and the plist.</summary>
    [Fact]
    public void An_odd_store_path_reads_back_the_same_from_the_unit_and_the_plist()
    {
        if (OperatingSystem.IsWindows()) return;
        var odd = _home.File("we\"ird \\ 100% $HOME `x` 'q' &<b>");
        foreach (var file in Directory.GetFiles(_home.Root, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(odd, Path.GetRelativePath(_home.Root, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        Environment.SetEnvironmentVariable("CALSYNC_HOME", odd);
        try
        {
            // An executable pwsh (systemd-analyze verify checks ExecStart's program).
            WithPwsh("#!/bin/sh\n", () => Run("Register-CalSyncSchedule -Name Work -Platform Linux -OutputPath $units -WarningAction SilentlyContinue").Ok());
            Run("Register-CalSyncSchedule -Name Work -Platform MacOS -OutputPath $units -WarningAction SilentlyContinue").Ok();
        }
        finally { Environment.SetEnvironmentVariable("CALSYNC_HOME", _home.Root); }

        var service = Path.Combine(_units, "calsync-work.service");
        var environment = File.ReadAllLines(service).Single(l => l.StartsWith("Environment=\"CALSYNC", StringComparison.Ordinal));
        // systemd.syntax: in quotes, C escapes (\\ and \"); '%' is '%%' (specifiers first); '$' means nothing in Environment=.
        Assert.Equal("Environment=\"CALSYNC_HOME=" + odd.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("%", "%%") + "\"", environment);
        if (File.Exists("/usr/bin/systemd-analyze"))
        {
            var verify = new System.Diagnostics.ProcessStartInfo("/usr/bin/systemd-analyze") { RedirectStandardError = true, RedirectStandardOutput = true };
            verify.ArgumentList.Add("verify");
            verify.ArgumentList.Add(service);
            using var process = System.Diagnostics.Process.Start(verify)!;
            var said = process.StandardError.ReadToEnd() + process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0 && !said.Contains("calsync-work"), said);
        }
        var plist = System.Xml.Linq.XDocument.Load(Path.Combine(_units, "com.calsync.work.plist"));
        var variables = plist.Root!.Element("dict")!.Elements("dict").Single().Elements().ToList();
        Assert.Equal(odd, (string)variables[variables.FindIndex(e => (string)e == "CALSYNC_HOME") + 1]);
    }
}
