# The unattended run: the command exactly as Register-CalSyncSchedule writes it (the crontab line of -Cron
# -OutputPath), run the way cron runs it (/bin/sh -c, cron's small environment, stdin closed), in a new process per run.
# It must exit 0 when the sync ran and non-zero with the reason on stderr when it did not (sign-in needed, sync
# locked, one side suddenly empty), and never wait for an answer. Needs the built module and stand-ins.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Support.ps1')
    $script:PreviousHome = $env:CALSYNC_HOME
    if ($IsWindows) { return } # cron and /bin/sh: Linux and macOS (the Describe is skipped on Windows)
    $script:Sandbox = Start-TestSandbox
    Invoke-SandboxControl $script:Sandbox.GraphControl POST faults @{ deviceCodeIntervalSeconds = 1 } | Out-Null
    $script:StoreHome = New-TestDirectory    # a device-code sign-in (cached) and the syncs Work and Held
    $script:TokenHome = New-TestDirectory    # an Outlook connection made with -AccessToken in this process
    $script:NoCacheHome = New-TestDirectory  # StoreHome without its cached sign-in
    $script:Schedules = New-TestDirectory
    Import-Module $script:Manifest -Force

    # A person's first session, in an interactive pwsh of its own: the device-code sign-in (the stand-in approves it),
    # the webhook, two syncs and the initial merge of two meetings.
    Add-OutlookMeeting $script:Sandbox 'Standup' 8 | Out-Null
    Add-OutlookMeeting $script:Sandbox 'Review' 10 | Out-Null
    $setup = Invoke-ChildPwsh -Environment @{
        CALSYNC_HOME = $script:StoreHome; CALSYNC_TEST_MANIFEST = $script:Manifest; CALSYNC_TEST_GRAPH = $script:Sandbox.Graph
        CALSYNC_TEST_AUTHORITY = $script:Sandbox.Authority; CALSYNC_TEST_WEBHOOK = $script:Sandbox.Webhook
        CALSYNC_TEST_COLLEAGUE = $script:Sandbox.ColleagueWebhook
    } -Script @'
        $ErrorActionPreference = 'Stop'
        Import-Module $env:CALSYNC_TEST_MANIFEST
        $outlook = Connect-OutlookCalendar -Endpoint $env:CALSYNC_TEST_GRAPH -Authority $env:CALSYNC_TEST_AUTHORITY -ClientId 11111111-2222-3333-4444-555555555555 -UseDeviceCode -AllowPlaintextTokenCache
        Connect-Bitrix24 -WebhookUrl (ConvertTo-SecureString $env:CALSYNC_TEST_WEBHOOK -AsPlainText -Force) -AllowPlaintextSecretStore -WarningAction SilentlyContinue | Out-Null
        New-CalSync -Name Work | Out-Null
        # Other Bitrix24 calendars (the colleague's, so the user keeps one): one sync per pair of calendars.
        $colleague = ConvertTo-SecureString $env:CALSYNC_TEST_COLLEAGUE -AsPlainText -Force
        Connect-Bitrix24 -Name held -WebhookUrl $colleague -Calendar Held -CreateCalendar -AllowPlaintextSecretStore -WarningAction SilentlyContinue | Out-Null
        Connect-Bitrix24 -Name later -WebhookUrl $colleague -Calendar Later -CreateCalendar -AllowPlaintextSecretStore -WarningAction SilentlyContinue | Out-Null
        New-CalSync -Name Held -Bitrix24Connection held | Out-Null
        New-CalSync -Name Later -Bitrix24Connection later | Out-Null # no links: for the tests after 'Outlook suddenly returns no meetings'
        $run = Start-CalSync -Name Work -InitialMerge TwoWay
        'RESULT ' + (@{ Auth = $outlook.Auth; Outcome = "$($run.Outcome)"; Created = $run.Created } | ConvertTo-Json -Compress)
'@
    $script:Setup = Get-ChildResult $setup
    if ($script:Setup.Outcome -ne 'Succeeded') { throw "The first session failed: $($setup.StdOut) $($setup.StdErr)" }

    # The same store at another path, without the cached sign-in: what a machine where nobody signed in has.
    foreach ($file in 'connections/outlook.json', 'connections/bitrix24.json', 'secrets/bitrix24.secret.json', 'syncs/work.json', 'state/work.json') {
        $target = Join-Path $script:NoCacheHome $file
        New-Item -ItemType Directory -Force -Path (Split-Path $target) | Out-Null
        Copy-Item -LiteralPath (Join-Path $script:StoreHome $file) -Destination $target
    }

    # An Outlook connection with an access token, made in this session (the token stays in this process).
    $env:CALSYNC_HOME = $script:TokenHome
    Connect-OutlookCalendar -Endpoint $script:Sandbox.Graph -AccessToken (ConvertTo-SecureString $script:Sandbox.Token -AsPlainText -Force) | Out-Null
    Connect-Bitrix24 -WebhookUrl (ConvertTo-SecureString $script:Sandbox.Webhook -AsPlainText -Force) -AllowPlaintextSecretStore -WarningAction SilentlyContinue | Out-Null
    New-CalSync -Name Work | Out-Null

    function ConvertFrom-CronLine {
        <#
        The command cron hands to /bin/sh -c for a crontab line (crontab(5); cron's do_command): the five time fields
        off, '\%' is '%', any other backslash stays, and an unescaped '%' ends the command (the rest is its stdin).
        #>
        param([string] $Line)
        $command = [Text.StringBuilder]::new()
        $escaped = $false
        foreach ($c in ($Line -replace '^(\S+\s+){5}', '').ToCharArray()) {
            if ($escaped) { if ($c -eq '%') { $command.Length-- }; [void] $command.Append($c); $escaped = $false; continue }
            if ($c -eq '%') { break }
            [void] $command.Append($c)
            $escaped = $c -eq '\'
        }
        $command.ToString()
    }

    function Get-ScheduledCommand {
        <# The command of the crontab line Register-CalSyncSchedule -Cron writes for a sync of a store, as cron runs it. #>
        param([string] $Name, [string] $Store, [switch] $Force)
        $env:CALSYNC_HOME = $Store
        $schedule = Register-CalSyncSchedule -Name $Name -Cron -OutputPath (Join-Path $script:Schedules (Split-Path -Leaf $Store)) -Force:$Force -WarningAction SilentlyContinue
        $line = (Get-Content -Raw -LiteralPath $schedule.Files[0]).Trim()
        $line | Should -Be $schedule.Text
        $line | Should -Match ([regex]::Escape(" >> $(Join-Path $Store "calsync-$($Name.ToLowerInvariant()).log") 2>&1 # CalSync:"))
        # The output's redirect to the store's log is taken off, so the tests read the run's output.
        (ConvertFrom-CronLine $line) -replace ' >> \S+\.log 2>&1', ''
    }

    function Start-ScheduledCommand {
        <# As cron runs a crontab command: /bin/sh -c, HOME, LOGNAME, SHELL and PATH=/usr/bin:/bin only, no terminal. #>
        param([string] $Command, [string] $HomePath = $HOME)
        $environment = @{ HOME = $HomePath; LOGNAME = [Environment]::UserName; SHELL = '/bin/sh'; PATH = '/usr/bin:/bin' }
        # Where .NET is not in a default location, the machine's cron needs this too.
        if ($env:DOTNET_ROOT) { $environment.DOTNET_ROOT = $env:DOTNET_ROOT }
        Start-TestProcess -FilePath '/bin/sh' -ArgumentList '-c', $Command -CleanEnvironment -Environment $environment
    }

    function ConvertFrom-SystemdWord {
        <#
        The words of a unit file setting as systemd reads them, following systemd.syntax ("Quoting") and
        systemd.service ("Command lines"): specifiers first ('%%' is '%'; a lone '%' would be a specifier), then words
        split at spaces, "..." and '...' quote, C escapes are decoded; in ExecStart= (-Exec) '$$' is '$' and a lone '$'
        would start a variable. Throws on what this unit must not contain.
        #>
        param([string] $Value, [switch] $Exec)
        if (($Value -replace '%%', '') -match '%') { throw "a specifier in: $Value" }
        $Value = $Value -replace '%%', '%'
        $words = [Collections.Generic.List[string]]::new()
        $word = $null; $quote = $null
        for ($i = 0; $i -lt $Value.Length; $i++) {
            $c = $Value[$i]
            if ($null -eq $quote -and $c -eq ' ') { if ($null -ne $word) { $words.Add($word); $word = $null }; continue }
            if ($null -eq $quote -and $null -eq $word -and $c -in '"', "'") { $quote = $c; $word = ''; continue }
            if ($null -ne $quote -and $c -eq $quote) { $quote = $null; $words.Add($word); $word = $null; continue }
            if ($c -eq '\') {
                $n = $Value[++$i]
                $c = switch -CaseSensitive ($n) {
                    '\' { '\' } '"' { '"' } "'" { "'" } 'n' { "`n" } 't' { "`t" }
                    'x' { [char][Convert]::ToInt32($Value.Substring($i + 1, 2), 16); $i += 2 }
                    default { throw "an unknown escape \$n in: $Value" }
                }
            }
            $word = "$word$c"
        }
        if ($null -ne $quote) { throw "unbalanced quotes in: $Value" }
        if ($null -ne $word) { $words.Add($word) }
        if ($Exec) {
            foreach ($w in $words) { if (($w -replace '\$\$', '') -match '\$') { throw "a variable in: $w" } }
            return $words | ForEach-Object { $_ -replace '\$\$', '$' }
        }
        $words
    }

    function Read-SystemdService {
        <# Environment= and ExecStart= of a service file, as systemd reads them: @{ Environment = @{...}; ExecStart = @(...) } #>
        param([string] $Path)
        $environment = @{}; $exec = @()
        foreach ($line in Get-Content -LiteralPath $Path) {
            if ($line -match '^Environment=(.*)$') {
                foreach ($pair in ConvertFrom-SystemdWord $Matches[1]) { $k, $v = $pair -split '=', 2; $environment[$k] = $v }
            }
            elseif ($line -match '^ExecStart=(.*)$') { $exec = @(ConvertFrom-SystemdWord $Matches[1] -Exec) }
        }
        @{ Environment = $environment; ExecStart = $exec }
    }

    function Invoke-Registration {
        <#
        Register-CalSyncSchedule -Name <Sync> in a new pwsh that imports CalSync as -Import says (a name or a manifest),
        once per hashtable of parameters; reports each schedule (Text, Files, Activated, Warnings) or error (Error, Message).
        #>
        param([string] $Import, [hashtable[]] $Parameters, [hashtable] $Environment = @{}, [string] $Sync = 'Work')
        $variables = @{ CALSYNC_HOME = $script:StoreHome; CALSYNC_TEST_IMPORT = $Import; CALSYNC_TEST_SYNC = $Sync; CALSYNC_TEST_PARAMETERS = ConvertTo-Json -Compress -Depth 3 @($Parameters) }
        foreach ($k in $Environment.Keys) { $variables[$k] = $Environment[$k] }
        $r = Invoke-ChildPwsh -NonInteractive -Environment $variables -Script @'
            Import-Module $env:CALSYNC_TEST_IMPORT -ErrorAction Stop
            foreach ($p in ($env:CALSYNC_TEST_PARAMETERS | ConvertFrom-Json -AsHashtable)) {
                try {
                    $s = Register-CalSyncSchedule -Name $env:CALSYNC_TEST_SYNC @p -ErrorAction Stop -WarningVariable warned -WarningAction SilentlyContinue
                    'RESULT ' + (@{ Text = $s.Text; Files = @($s.Files); Activated = $s.Activated; Warnings = @($warned | ForEach-Object Message); Base = (Get-Module CalSync).ModuleBase } | ConvertTo-Json -Compress)
                }
                catch { 'RESULT ' + (@{ Error = $_.FullyQualifiedErrorId; Message = $_.Exception.Message } | ConvertTo-Json -Compress) }
            }
'@
        Get-ChildResult $r
    }

    function Get-DeviceCodeRequestCount {
        @(Invoke-SandboxControl $script:Sandbox.GraphControl GET signin-requests | Where-Object { $_ -match 'devicecode' }).Count
    }

    $script:WorkCommand = Get-ScheduledCommand Work $script:StoreHome
    $script:TokenCommand = Get-ScheduledCommand Work $script:TokenHome -Force # session-only: refused without -Force (tested below)
    $script:NoCacheCommand = Get-ScheduledCommand Work $script:NoCacheHome

    # Another run holds the lock of Held (an open lock file, as a run holds it): its scheduled run starts now and waits
    # out the default -LockTimeout (30 s) while the other tests run.
    $script:HeldLock = [IO.File]::Open((Join-Path $script:StoreHome 'locks/held.lock'), 'OpenOrCreate', 'ReadWrite', 'None')
    $script:HeldRun = Start-ScheduledCommand (Get-ScheduledCommand Held $script:StoreHome)
    $script:DeviceCodeRequests = Get-DeviceCodeRequestCount
}

AfterAll {
    if ($script:HeldRun -and -not $script:HeldRun.Process.HasExited) { $script:HeldRun.Process.Kill($true); $script:HeldRun.Process.WaitForExit() }
    if ($script:HeldLock) { $script:HeldLock.Dispose() }
    Stop-TestSandbox $script:Sandbox
    Remove-Module CalSync -ErrorAction SilentlyContinue
    $env:CALSYNC_HOME = $script:PreviousHome
    Remove-TestDirectory $script:StoreHome, $script:TokenHome, $script:NoCacheHome, $script:Schedules
}

Describe 'The scheduled command, run as cron runs it' -Skip:$IsWindows {
    It 'is pwsh -NonInteractive importing this module from its folder (imported by path here), with the store of the session that registered it' {
        $script:Setup.Auth | Should -Be 'DeviceCode'
        $script:WorkCommand | Should -Match "CALSYNC_HOME=$([regex]::Escape($script:StoreHome)) "
        $script:WorkCommand | Should -Match ' -NoProfile -NonInteractive -Command "'
        $script:WorkCommand | Should -Match ([regex]::Escape("Import-Module '$script:ModuleDir'; Start-CalSync -Name 'Work' -ErrorAction Stop"))
        # The systemd unit runs the same program with the same arguments, as systemd reads them.
        $env:CALSYNC_HOME = $script:StoreHome
        $unit = Register-CalSyncSchedule -Name Work -OutputPath (Join-Path $script:Schedules 'systemd') -WarningAction SilentlyContinue
        $service = Read-SystemdService $unit.Files[0]
        $service.ExecStart[1..4] | Should -Be '-NoProfile', '-NonInteractive', '-Command', "Import-Module '$script:ModuleDir'; Start-CalSync -Name 'Work' -ErrorAction Stop"
        $script:WorkCommand | Should -BeLike "*CALSYNC_HOME=$($service.Environment.CALSYNC_HOME) $($service.ExecStart[0]) -NoProfile *"
    }

    It 'exits 0 when the sync ran, and the meeting added in Outlook is in Bitrix24' {
        Add-OutlookMeeting $script:Sandbox 'Scheduled copy' 14 | Out-Null
        $r = Wait-TestProcess (Start-ScheduledCommand $script:WorkCommand) -TimeoutSeconds 120
        $r.TimedOut | Should -BeFalse
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        $r.StdErr | Should -Not -Match 'Start-CalSync:'
        $r.StdOut | Should -Match '(?m)^Work\s.*\sSucceeded\s'
        (Get-Bitrix24Meeting $script:Sandbox).name | Should -Contain 'Scheduled copy'
        $env:CALSYNC_HOME = $script:StoreHome
        $last = Get-CalSyncHistory -Name Work -Last 1
        $last.Outcome | Should -Be 'Succeeded'
        $last.Bitrix24.Created | Should -Be 1
    }

    It 'exits non-zero on SignInRequired when the access token was given to another session, without prompting' {
        $r = Wait-TestProcess (Start-ScheduledCommand $script:TokenCommand) -TimeoutSeconds 120
        $r.TimedOut | Should -BeFalse
        $r.ExitCode | Should -Not -Be 0
        $r.StdErr | Should -Match 'Start-CalSync: The Outlook connection ''outlook'' was made with an access token'
        $r.StdErr | Should -Match 'Connect-OutlookCalendar'
        $r.StdOut | Should -Not -Match 'devicelogin|enter the code'
        Get-DeviceCodeRequestCount | Should -Be $script:DeviceCodeRequests
        $env:CALSYNC_HOME = $script:TokenHome
        $last = Get-CalSyncHistory -Name Work -Last 1 # the run could not start, and says so
        $last.ErrorId | Should -Be 'SignInRequired'
        $last.FailedSide | Should -Be 'Outlook'
    }

    It 'exits non-zero on SignInRequired when no sign-in is cached, without starting a device-code sign-in' {
        $r = Wait-TestProcess (Start-ScheduledCommand $script:NoCacheCommand) -TimeoutSeconds 120
        $r.TimedOut | Should -BeFalse
        $r.ExitCode | Should -Not -Be 0
        $r.StdErr | Should -Match 'Outlook sign-in is required'
        $r.StdErr | Should -Match 'Connect-OutlookCalendar'
        $r.StdOut | Should -Not -Match 'devicelogin|enter the code'
        Get-DeviceCodeRequestCount | Should -Be $script:DeviceCodeRequests
        $env:CALSYNC_HOME = $script:NoCacheHome
        (Get-CalSyncHistory -Name Work -Last 1).ErrorId | Should -Be 'SignInRequired'
    }

    It 'exits non-zero when another run holds the lock, after the default wait, naming the lock' {
        $r = Wait-TestProcess $script:HeldRun -TimeoutSeconds 150
        $script:HeldLock.Dispose()
        $r.TimedOut | Should -BeFalse
        $r.ExitCode | Should -Not -Be 0
        $r.Seconds | Should -BeGreaterOrEqual 30
        $r.StdErr | Should -Match "Start-CalSync: Sync 'Held' is being run by another process"
        $r.StdErr | Should -Match ([regex]::Escape('held.lock'))
        # Issue 18: the refused run is in the history, with why.
        $env:CALSYNC_HOME = $script:StoreHome
        $last = Get-CalSyncHistory -Name Held -Last 1
        $last.Outcome | Should -Be 'Failed'
        $last.ErrorId | Should -Be 'CalSync.Store.Locked'
        $last.Message | Should -Match ([regex]::Escape('held.lock'))
    }

    It 'exits non-zero when Outlook suddenly returns no meetings, and Bitrix24 keeps every copy' {
        $copies = @(Get-Bitrix24Meeting $script:Sandbox).name
        $copies.Count | Should -Be 3
        Invoke-SandboxControl $script:Sandbox.GraphControl POST 'reset?events=true' | Out-Null
        $writes = Get-SandboxWriteCount $script:Sandbox
        $r = Wait-TestProcess (Start-ScheduledCommand $script:WorkCommand) -TimeoutSeconds 120
        $r.TimedOut | Should -BeFalse
        $r.ExitCode | Should -Not -Be 0
        $r.StdErr | Should -Match '(?s)Start-CalSync: .*-AllowEmptySide'
        (Get-Bitrix24Meeting $script:Sandbox).name | Should -Be $copies
        Get-SandboxWriteCount $script:Sandbox | Should -Be $writes
        $env:CALSYNC_HOME = $script:StoreHome
        $last = Get-CalSyncHistory -Name Work -Last 1
        $last.Outcome | Should -Be 'Aborted'
        $last.ErrorId | Should -Be 'EmptySideGuard'
    }
}

Describe 'Where the scheduled run finds the module' -Skip:$IsWindows {
    BeforeAll {
        $script:Version = (Import-PowerShellDataFile $script:Manifest).ModuleVersion
        # A HOME whose own module folder has CalSync installed, as Install-PSResource or a copy puts it there.
        $script:ModuleHome = New-TestDirectory 'calsync-home'
        $script:UserModules = Join-Path $script:ModuleHome '.local/share/powershell/Modules'
        New-Item -ItemType Directory -Path (Join-Path $script:UserModules CalSync) | Out-Null
        Copy-Item -Recurse -LiteralPath $script:ModuleDir -Destination (Join-Path $script:UserModules "CalSync/$script:Version")
        # A HOME with nothing installed: the module is imported from the build folder.
        $script:BareHome = New-TestDirectory 'calsync-home'
        # The child's module path is pwsh's own for that HOME (nothing from this session).
        $script:ModuleEnvironment = @{ HOME = $script:ModuleHome; XDG_DATA_HOME = $null; PSModulePath = $null }
    }

    AfterAll { Remove-TestDirectory $script:ModuleHome, $script:BareHome }

    It 'imports CalSync by name when it is installed in a module folder, so an update into a new version folder is what runs' {
        $out = Join-Path $script:Schedules 'byname'
        $r = Invoke-Registration -Import CalSync -Sync Later -Environment $script:ModuleEnvironment -Parameters @{ Cron = $true; OutputPath = $out }
        $r.Base | Should -Be (Join-Path $script:UserModules "CalSync/$script:Version")
        $r.Warnings | Should -BeNullOrEmpty
        $r.Text | Should -Match ([regex]::Escape(' -Command "Import-Module CalSync; Start-CalSync -Name ''Later'' -ErrorAction Stop"'))
        $r.Text | Should -Not -Match 'psd1|\.local'

        # The update: a new version folder, the old one gone. The registered line runs the new version.
        $next = ([version] $script:Version).ToString(2) + '.' + (([version] $script:Version).Build + 1)
        $updated = Join-Path $script:UserModules "CalSync/$next"
        Copy-Item -Recurse -LiteralPath (Join-Path $script:UserModules "CalSync/$script:Version") -Destination $updated
        $psd1 = Join-Path $updated 'CalSync.psd1'
        (Get-Content -Raw -LiteralPath $psd1) -replace "ModuleVersion\s*=\s*'[^']+'", "ModuleVersion        = '$next'" | Set-Content -LiteralPath $psd1 -NoNewline
        Remove-Item -Recurse -Force -LiteralPath (Join-Path $script:UserModules "CalSync/$script:Version")

        $command = (ConvertFrom-CronLine (Get-Content -Raw -LiteralPath $r.Files[0]).Trim()) -replace ' >> \S+\.log 2>&1', ''
        $run = Wait-TestProcess (Start-ScheduledCommand $command -HomePath $script:ModuleHome) -TimeoutSeconds 120
        $run.ExitCode | Should -Be 0 -Because $run.StdErr
        $run.StdOut | Should -Match '(?m)^Later\s.*\s(Succeeded|NoChanges)\s'
    }

    It 'imports the module from its folder where a scheduled run cannot find it by name, with a warning whose advice works' {
        $out = Join-Path $script:Schedules 'bypath'
        $bare = @{ HOME = $script:BareHome; XDG_DATA_HOME = $null; PSModulePath = $null }
        $r = Invoke-Registration -Import $script:Manifest -Environment $bare -Parameters @{ Cron = $true; OutputPath = $out }
        $r.Text | Should -Match ([regex]::Escape("Import-Module '$script:ModuleDir'; Start-CalSync"))
        $target = Join-Path $script:BareHome '.local/share/powershell/Modules/CalSync'
        $r.Warnings | Should -HaveCount 1
        $r.Warnings[0] | Should -Match 'cannot find it by name'
        $r.Warnings[0] | Should -Match ([regex]::Escape("copy '$script:ModuleDir' to '$target', import it by name (Import-Module CalSync) and register the schedule again"))

        # The advice, followed.
        Copy-Item -Recurse -LiteralPath $script:ModuleDir -Destination $target
        $again = Invoke-Registration -Import CalSync -Environment $bare -Parameters @{ Cron = $true; OutputPath = $out }
        $again.Warnings | Should -BeNullOrEmpty
        $again.Text | Should -Match ([regex]::Escape('"Import-Module CalSync; Start-CalSync'))
    }
}

Describe 'Quotes, backslashes, % and $ in the paths' -Skip:$IsWindows {
    BeforeAll {
        # Every character a unit, a crontab line, a plist or a shell treats specially, in the module's and the store's
        # path; a backslash in the store's only (PowerShell itself reads '\' as '/' in a path on Linux, Import-Module too).
        $script:Odd = New-TestDirectory 'calsync-odd'
        $script:OddModule = [IO.Path]::Combine($script:Odd, 'we"ird 100% $HOME `x` ''q'' &<b> ;#', 'CalSync')
        $script:OddStore = [IO.Path]::Combine($script:Odd, 'st"ore \ 100% $HOME `x` ''q'' &<b> ;#')
        New-Item -ItemType Directory -Path (Split-Path -LiteralPath $script:OddModule) | Out-Null
        Copy-Item -Recurse -LiteralPath $script:ModuleDir -Destination $script:OddModule
        foreach ($file in Get-ChildItem -LiteralPath $script:StoreHome -Recurse -File | Where-Object { $_.FullName -notmatch '[\\/](locks|history)[\\/]' }) {
            $target = [IO.Path]::Combine($script:OddStore, [IO.Path]::GetRelativePath($script:StoreHome, $file.FullName))
            [void] [IO.Directory]::CreateDirectory([IO.Path]::GetDirectoryName($target))
            [IO.File]::Copy($file.FullName, $target)
        }
        $units = Join-Path (Split-Path -LiteralPath $script:OddModule) 'units'
        $script:OddSchedules = Invoke-Registration -Import (Join-Path $script:OddModule 'CalSync.psd1') -Sync Later -Environment @{ CALSYNC_HOME = $script:OddStore } -Parameters @(
            @{ OutputPath = $units }, @{ Cron = $true; OutputPath = $units }, @{ Platform = 'MacOS'; OutputPath = $units })
        $script:Script = "Import-Module '$($script:OddModule.Replace("'", "''"))'; Start-CalSync -Name 'Later' -ErrorAction Stop"
        function Start-Scheduled {
            <# A program with its arguments and environment as the scheduler starts it: nothing else of this session. #>
            param([string[]] $Command, [hashtable] $Environment)
            $variables = @{ HOME = $HOME; PATH = '/usr/bin:/bin' } + $Environment
            if ($env:DOTNET_ROOT) { $variables.DOTNET_ROOT = $env:DOTNET_ROOT }
            Wait-TestProcess (Start-TestProcess -FilePath $Command[0] -ArgumentList $Command[1..($Command.Count - 1)] -CleanEnvironment -Environment $variables) -TimeoutSeconds 120
        }
    }

    AfterAll { Remove-TestDirectory $script:Odd }

    It 'writes a systemd unit that systemd accepts and that reads back as the same program, arguments and store, which then run' {
        $service = $script:OddSchedules[0].Files[0]
        if (Get-Command systemd-analyze -ErrorAction SilentlyContinue) {
            $verify = & systemd-analyze verify $service $script:OddSchedules[0].Files[1] 2>&1
            $LASTEXITCODE | Should -Be 0 -Because "$verify"
            "$verify" | Should -Not -Match 'calsync-later'
        }
        $unit = Read-SystemdService $service
        $unit.Environment.CALSYNC_HOME | Should -BeExactly $script:OddStore
        $unit.Environment.DOTNET_TieredCompilation | Should -Be '0'
        $unit.ExecStart[1..4] | Should -BeExactly '-NoProfile', '-NonInteractive', '-Command', $script:Script
        $run = Start-Scheduled $unit.ExecStart $unit.Environment
        $run.ExitCode | Should -Be 0 -Because $run.StdErr
        $run.StdOut | Should -Match '(?m)^Later\s.*\s(Succeeded|NoChanges)\s'
    }

    It 'writes a crontab line that cron and sh read as the same command, which then runs and logs into the store' {
        $line = (Get-Content -Raw -LiteralPath $script:OddSchedules[1].Files[0]).Trim()
        $run = Wait-TestProcess (Start-ScheduledCommand (ConvertFrom-CronLine $line)) -TimeoutSeconds 120
        $log = [IO.Path]::Combine($script:OddStore, 'calsync-later.log')
        $run.ExitCode | Should -Be 0 -Because $(if ([IO.File]::Exists($log)) { [IO.File]::ReadAllText($log) })
        [IO.File]::ReadAllText($log) | Should -Match '(?m)^Later\s.*\s(Succeeded|NoChanges)\s'
    }

    It 'writes a launchd plist whose XML reads back as the same arguments and store' {
        $plist = [xml] (Get-Content -Raw -LiteralPath $script:OddSchedules[2].Files[0])
        $dict = $plist.plist.dict
        $arguments = @($dict.array.string)
        # Written for macOS here: the module is installed there, by name.
        $arguments[1..4] | Should -BeExactly '-NoProfile', '-NonInteractive', '-Command', "Import-Module CalSync; Start-CalSync -Name 'Later' -ErrorAction Stop"
        $environment = $dict.dict
        $keys = @($environment.key); $values = @($environment.string)
        $values[$keys.IndexOf('CALSYNC_HOME')] | Should -BeExactly $script:OddStore
    }
}

Describe 'A registration that fails leaves nothing behind' -Skip:$IsWindows {
    BeforeAll {
        # Stand-ins for systemctl and crontab, first on PATH: they log their arguments and fail when told to.
        $script:Fakes = New-TestDirectory 'calsync-fakes'
        $bin = Join-Path $script:Fakes 'bin'
        New-Item -ItemType Directory -Path $bin | Out-Null
        Set-Content -LiteralPath (Join-Path $bin 'systemctl') -Value @'
#!/bin/sh
echo "systemctl $*" >> "$CALSYNC_FAKE_LOG"
case "systemctl $*" in *"${CALSYNC_FAKE_FAIL:-never}"*) echo "Failed to connect to bus: No medium found" >&2; exit 1;; esac
'@
        Set-Content -LiteralPath (Join-Path $bin 'crontab') -Value @'
#!/bin/sh
echo "crontab $*" >> "$CALSYNC_FAKE_LOG"
if [ "$1" = "-l" ]; then cat "$CALSYNC_FAKE_CRONTAB"; exit 0; fi
case "crontab $*" in *"${CALSYNC_FAKE_FAIL:-never}"*) cat > /dev/null; echo "crontab: installing new crontab failed" >&2; exit 1;; esac
cat > "$CALSYNC_FAKE_CRONTAB"
'@
        foreach ($tool in 'systemctl', 'crontab') { [IO.File]::SetUnixFileMode((Join-Path $bin $tool), 'UserRead, UserWrite, UserExecute') }
        $script:Config = Join-Path $script:Fakes 'config'
        $script:Units = Join-Path $script:Config 'systemd/user'
        $script:FakeLog = Join-Path $script:Fakes 'calls.log'
        $script:FakeCrontab = Join-Path $script:Fakes 'crontab.txt'
        Set-Content -LiteralPath $script:FakeCrontab -Value '0 3 * * * /usr/bin/backup # mine'

        function Invoke-FailingRegistration {
            param([string] $Fail, [hashtable] $Parameters = @{})
            Remove-Item -LiteralPath $script:FakeLog -ErrorAction SilentlyContinue
            Invoke-Registration -Import $script:Manifest -Parameters $Parameters -Environment @{
                PATH = $bin + [IO.Path]::PathSeparator + $env:PATH; XDG_CONFIG_HOME = $script:Config
                CALSYNC_FAKE_LOG = $script:FakeLog; CALSYNC_FAKE_FAIL = $Fail; CALSYNC_FAKE_CRONTAB = $script:FakeCrontab
            }
        }
    }

    AfterAll { Remove-TestDirectory $script:Fakes }

    It 'removes the unit files when systemctl --user <Step> fails, and says so' -ForEach @(
        @{ Step = 'daemon-reload'; Calls = 'systemctl --user daemon-reload', 'systemctl --user disable calsync-work.timer', 'systemctl --user daemon-reload' }
        @{ Step = 'enable'; Calls = 'systemctl --user daemon-reload', 'systemctl --user enable --now calsync-work.timer', 'systemctl --user disable calsync-work.timer', 'systemctl --user daemon-reload' }
    ) {
        $r = Invoke-FailingRegistration -Fail $Step
        $r.Error | Should -BeLike 'ScheduleFailed,*'
        $r.Message | Should -Match "'systemctl --user $Step[^']*' failed \(1\): Failed to connect to bus: No medium found"
        $r.Message | Should -Match ([regex]::Escape("The files it wrote were removed ($(Join-Path $script:Units 'calsync-work.service'), $(Join-Path $script:Units 'calsync-work.timer')): nothing was left behind."))
        @(Get-ChildItem -LiteralPath $script:Config -Recurse -File) | Should -BeNullOrEmpty
        Get-Content -LiteralPath $script:FakeLog | Should -Be $Calls
    }

    It 'installs the resident mode as a systemd user service that systemctl enables, and Unregister disables and removes it (issue 21)' {
        Remove-Item -LiteralPath $script:FakeLog -ErrorAction SilentlyContinue
        $fakes = @{ PATH = (Join-Path $script:Fakes 'bin') + [IO.Path]::PathSeparator + $env:PATH; XDG_CONFIG_HOME = $script:Config; CALSYNC_FAKE_LOG = $script:FakeLog }
        $r = Invoke-Registration -Import $script:Manifest -Sync '*' -Parameters @{ Resident = $true } -Environment $fakes
        $service = Join-Path $script:Units 'calsync-resident.service'
        $r.Files | Should -Be @($service)
        $r.Activated | Should -BeTrue
        Get-Content -LiteralPath $script:FakeLog | Should -Be 'systemctl --user daemon-reload', 'systemctl --user enable --now calsync-resident.service'
        if (Get-Command systemd-analyze -ErrorAction SilentlyContinue) {
            $verify = & systemd-analyze verify $service 2>&1
            $LASTEXITCODE | Should -Be 0 -Because "$verify"
        }
        (Read-SystemdService $service).ExecStart[4] | Should -Match "Start-CalSync -Name '\*' -Resident$"

        Remove-Item -LiteralPath $script:FakeLog
        $u = Invoke-ChildPwsh -NonInteractive -Environment ($fakes + @{ CALSYNC_HOME = $script:StoreHome; CALSYNC_TEST_IMPORT = $script:Manifest }) -Script 'Import-Module $env:CALSYNC_TEST_IMPORT; Unregister-CalSyncSchedule -Name * -Resident -ErrorAction Stop'
        $u.ExitCode | Should -Be 0 -Because $u.StdErr
        Get-Content -LiteralPath $script:FakeLog | Should -Be 'systemctl --user disable --now calsync-resident.service', 'systemctl --user daemon-reload'
        Test-Path -LiteralPath $service | Should -BeFalse
    }

    It 'puts back the files of an earlier registration when registering again fails' {
        $ok = Invoke-FailingRegistration -Fail ''
        $ok.Activated | Should -BeTrue
        $before = Get-TreeHash $script:Config
        $before | Should -HaveCount 2
        $r = Invoke-FailingRegistration -Fail 'enable' -Parameters @{ Interval = 30 }
        $r.Error | Should -BeLike 'ScheduleFailed,*'
        $r.Message | Should -Match 'The earlier files were put back as they were'
        Get-TreeHash $script:Config | Should -Be $before
        Get-Content -LiteralPath $script:FakeLog | Should -Not -Contain 'systemctl --user disable calsync-work.timer' # the earlier timer stays on
        Remove-Item -Recurse -LiteralPath $script:Config
    }

    It 'says the crontab was not changed when crontab refuses the new table' {
        $before = Get-Content -Raw -LiteralPath $script:FakeCrontab
        $r = Invoke-FailingRegistration -Fail 'crontab -' -Parameters @{ Cron = $true }
        $r.Error | Should -BeLike 'ScheduleFailed,*'
        $r.Message | Should -Match "'crontab -' failed \(1\): crontab: installing new crontab failed The crontab was not changed: nothing was left behind\."
        Get-Content -Raw -LiteralPath $script:FakeCrontab | Should -Be $before
        $ok = Invoke-FailingRegistration -Fail '' -Parameters @{ Cron = $true }
        $ok.Activated | Should -BeTrue
        Get-Content -LiteralPath $script:FakeCrontab | Should -Be '0 3 * * * /usr/bin/backup # mine', $ok.Text
    }
}

Describe 'A sync whose Outlook connection lives in one session' -Skip:$IsWindows {
    It 'is refused, naming the connection and how to connect it, and nothing is written' {
        $env:CALSYNC_HOME = $script:TokenHome
        $out = Join-Path $script:Schedules 'session-only'
        $e = { Register-CalSyncSchedule -Name Work -Cron -OutputPath $out -ErrorAction Stop } | Should -Throw -ErrorId 'ConnectionSessionOnly*' -PassThru
        $e.CategoryInfo.Category | Should -Be 'InvalidOperation'
        $e.Exception.Message | Should -Match "the Outlook connection 'outlook', which was made with an access token"
        $e.Exception.Message | Should -Match 'could never sign in'
        $e.Exception.Message | Should -Match ([regex]::Escape('Connect-OutlookCalendar -Name outlook -ClientId <your app id>'))
        $e.Exception.Message | Should -Match '-Force'
        $out | Should -Not -Exist
        { Register-CalSyncSchedule -Name Work -OutputPath $out -WhatIf -ErrorAction Stop } | Should -Throw -ErrorId 'ConnectionSessionOnly*'
    }

    It 'is registered with -Force, with a warning saying its runs fail until it is connected with a sign-in' {
        $env:CALSYNC_HOME = $script:TokenHome
        $s = Register-CalSyncSchedule -Name Work -OutputPath (Join-Path $script:Schedules 'session-forced') -Force -WarningVariable warned -WarningAction SilentlyContinue
        $s.Files | Should -HaveCount 2
        $warned.Message -join "`n" | Should -Match 'Registered anyway \(-Force\): its runs fail with SignInRequired until you connect it'
    }

    It 'is registered without -Force once connected as the error advises' {
        $copy = New-TestDirectory
        try {
            Copy-Item -Recurse -Path (Join-Path $script:TokenHome '*') -Destination $copy -Exclude locks
            $r = Invoke-ChildPwsh -Environment @{
                CALSYNC_HOME = $copy; CALSYNC_TEST_MANIFEST = $script:Manifest; CALSYNC_TEST_AUTHORITY = $script:Sandbox.Authority
                CALSYNC_TEST_OUT = Join-Path $script:Schedules 'session-fixed'
            } -Script @'
                $ErrorActionPreference = 'Stop'
                Import-Module $env:CALSYNC_TEST_MANIFEST
                # The advice (the app id is the stand-in's; -Authority points at the stand-in's sign-in).
                Connect-OutlookCalendar -Name outlook -ClientId 11111111-2222-3333-4444-555555555555 -UseDeviceCode -AllowPlaintextTokenCache -Authority $env:CALSYNC_TEST_AUTHORITY | Out-Null
                $s = Register-CalSyncSchedule -Name Work -Cron -OutputPath $env:CALSYNC_TEST_OUT -WarningVariable warned -WarningAction SilentlyContinue
                'RESULT ' + (@{ Files = @($s.Files); Warnings = @($warned | ForEach-Object Message) } | ConvertTo-Json -Compress)
'@
            $result = Get-ChildResult $r
            $result.Files | Should -HaveCount 1
            $result.Warnings | Where-Object { $_ -match 'access token' } | Should -BeNullOrEmpty
        }
        finally { Remove-TestDirectory $copy }
    }
}
