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
        # Another Bitrix24 calendar (the colleague's, so the user keeps one): one sync per pair of calendars.
        Connect-Bitrix24 -Name held -WebhookUrl (ConvertTo-SecureString $env:CALSYNC_TEST_COLLEAGUE -AsPlainText -Force) -Calendar Held -CreateCalendar -AllowPlaintextSecretStore -WarningAction SilentlyContinue | Out-Null
        New-CalSync -Name Held -Bitrix24Connection held | Out-Null
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

    function Get-ScheduledCommand {
        <# The command of the crontab line Register-CalSyncSchedule -Cron writes for a sync of a store (the five time fields off). #>
        param([string] $Name, [string] $Store)
        $env:CALSYNC_HOME = $Store
        $schedule = Register-CalSyncSchedule -Name $Name -Cron -OutputPath (Join-Path $script:Schedules (Split-Path -Leaf $Store))
        $line = (Get-Content -Raw -LiteralPath $schedule.Files[0]).Trim()
        $line | Should -Be $schedule.Text
        $line | Should -Match ([regex]::Escape(" >> '$(Join-Path $Store "calsync-$($Name.ToLowerInvariant()).log")' 2>&1 # CalSync:"))
        # cron turns \% into %; the output's redirect to the store's log is taken off, so the tests read the run's output.
        (($line -replace '^(\S+\s+){5}', '') -replace '\\%', '%') -replace " >> '[^']+\.log' 2>&1", ''
    }

    function Start-ScheduledCommand {
        <# As cron runs a crontab command: /bin/sh -c, HOME, LOGNAME, SHELL and PATH=/usr/bin:/bin only, no terminal. #>
        param([string] $Command)
        $environment = @{ HOME = $HOME; LOGNAME = [Environment]::UserName; SHELL = '/bin/sh'; PATH = '/usr/bin:/bin' }
        # Where .NET is not in a default location, the machine's cron needs this too.
        if ($env:DOTNET_ROOT) { $environment.DOTNET_ROOT = $env:DOTNET_ROOT }
        Start-TestProcess -FilePath '/bin/sh' -ArgumentList '-c', $Command -CleanEnvironment -Environment $environment
    }

    function Get-DeviceCodeRequestCount {
        @(Invoke-SandboxControl $script:Sandbox.GraphControl GET signin-requests | Where-Object { $_ -match 'devicecode' }).Count
    }

    $script:WorkCommand = Get-ScheduledCommand Work $script:StoreHome
    $script:TokenCommand = Get-ScheduledCommand Work $script:TokenHome
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
    It 'is pwsh -NonInteractive importing this module by path, with the store of the session that registered it' {
        $script:Setup.Auth | Should -Be 'DeviceCode'
        $script:WorkCommand | Should -Match "CALSYNC_HOME='$([regex]::Escape($script:StoreHome))' "
        $script:WorkCommand | Should -Match ' -NoProfile -NonInteractive -Command "'
        $script:WorkCommand | Should -Match ([regex]::Escape("Import-Module '$script:Manifest'; Start-CalSync -Name 'Work' -ErrorAction Stop"))
        # The systemd unit runs the same command line (with systemd's $ and % escapes).
        $env:CALSYNC_HOME = $script:StoreHome
        $unit = Register-CalSyncSchedule -Name Work -OutputPath (Join-Path $script:Schedules 'systemd')
        $exec = ((Get-Content -LiteralPath $unit.Files[0]) -match '^ExecStart=') -replace '^ExecStart=', '' -replace '\$\$', '$' -replace '%%', '%'
        $script:WorkCommand | Should -BeLike "* $exec # CalSync:work"
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
    }

    It 'exits non-zero when Outlook suddenly returns no meetings, and Bitrix24 keeps every copy' {
        $copies = @(Get-Bitrix24Meeting $script:Sandbox).name
        $copies.Count | Should -Be 3
        Invoke-SandboxControl $script:Sandbox.GraphControl POST 'reset?events=true' | Out-Null
        $writes = Get-SandboxWriteCount $script:Sandbox
        $r = Wait-TestProcess (Start-ScheduledCommand $script:WorkCommand) -TimeoutSeconds 120
        $r.TimedOut | Should -BeFalse
        $r.ExitCode | Should -Not -Be 0
        $r.StdErr | Should -Match '(?s)Start-CalSync: .*-Force'
        (Get-Bitrix24Meeting $script:Sandbox).name | Should -Be $copies
        Get-SandboxWriteCount $script:Sandbox | Should -Be $writes
        $env:CALSYNC_HOME = $script:StoreHome
        $last = Get-CalSyncHistory -Name Work -Last 1
        $last.Outcome | Should -Be 'Aborted'
        $last.ErrorId | Should -Be 'EmptySideGuard'
    }
}
