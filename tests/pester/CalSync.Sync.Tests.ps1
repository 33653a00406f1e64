# The cmdlets as scripts use them, end to end against the stand-ins (the built CalSync.Sandbox.dll, started once for
# this file): definitions, runs, pipelines, error handling (-ErrorAction, -ErrorVariable, $?), -WhatIf, -Verbose,
# formatted output, connections and schedule files. Mirrors tests/CalSync.Cmdlets.Tests/StartCalSyncTests.cs.
# Needs: dotnet build src/CalSync.Cmdlets/CalSync.Cmdlets.csproj and dotnet build src/CalSync.Sandbox.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Support.ps1')
    $script:PreviousHome = $env:CALSYNC_HOME
    $script:StoreHome = New-TestDirectory
    $script:Scratch = New-TestDirectory
    $env:CALSYNC_HOME = $script:StoreHome
    Import-Module $script:Manifest -Force
    $script:Sandbox = Start-TestSandbox
    $script:Token = ConvertTo-SecureString $script:Sandbox.Token -AsPlainText -Force
    $script:Webhook = ConvertTo-SecureString $script:Sandbox.Webhook -AsPlainText -Force
    # Another sync needs its own pair of calendars (issue 19, case 5): the colleague's calendars, so that the user keeps
    # one calendar and Connect-Bitrix24 without -Calendar still picks it.
    $script:Colleague = ConvertTo-SecureString $script:Sandbox.ColleagueWebhook -AsPlainText -Force
    Connect-OutlookCalendar -Endpoint $script:Sandbox.Graph -AccessToken $script:Token | Out-Null
    Connect-Bitrix24 -WebhookUrl $script:Webhook -AllowPlaintextSecretStore -WarningAction SilentlyContinue | Out-Null

    # Everything this file can observe of a change: the store's files and the stand-ins' write requests.
    function Get-Footprint { @(Get-TreeHash $script:StoreHome) + @(Get-TreeHash $script:Scratch) + "writes $(Get-SandboxWriteCount $script:Sandbox)" }
}

AfterAll {
    Stop-TestSandbox $script:Sandbox
    Remove-Module CalSync -ErrorAction SilentlyContinue
    $env:CALSYNC_HOME = $script:PreviousHome
    Remove-TestDirectory $script:StoreHome, $script:Scratch
}

Describe 'Defining syncs' {
    It 'defines a sync with the documented defaults' {
        $s = New-CalSync -Name Work
        $s.Interval | Should -Be ([timespan]'00:10:00')
        $s.AllowDelete | Should -BeTrue
        $s.Direction | Should -Be 'TwoWay'
        $s.Mapping | Should -Be 'default'
        (Get-CalSync -Name Work).Name | Should -Be 'Work'
    }

    It 'takes -AllowDelete and -AvoidDuplicates as values (default $true), and -AllowDelete:$false as before' {
        # Issue 18, case 7: not switches that default to on.
        Connect-Bitrix24 -Name valuescal -WebhookUrl $script:Colleague -Calendar Values -CreateCalendar -AllowPlaintextSecretStore -WarningAction SilentlyContinue | Out-Null
        $s = New-CalSync -Name Values -Bitrix24Connection valuescal -AllowDelete $false -AvoidDuplicates $false
        try {
            $s.AllowDelete | Should -BeFalse
            $s.AvoidDuplicates | Should -BeFalse
            (Set-CalSync -Name Values -AllowDelete $true -PassThru).AllowDelete | Should -BeTrue
            (Set-CalSync -Name Values -AvoidDuplicates 1 -PassThru).AvoidDuplicates | Should -BeTrue
            (Set-CalSync -Name Values -AllowDelete:$false -PassThru).AllowDelete | Should -BeFalse # old scripts
            (Get-CalSync -Name Values).AvoidDuplicates | Should -BeTrue
            # A bare -AllowDelete (a switch once) names the value it needs; a word is not a value.
            $e = { Set-CalSync -Name Values -AllowDelete } | Should -Throw -ErrorId 'MissingArgument*' -PassThru
            $e.Exception.Message | Should -Match 'System.Boolean'
            { Set-CalSync -Name Values -AllowDelete no } | Should -Throw -ErrorId 'CannotConvertArgument*'
            (Get-CalSync -Name Values).AllowDelete | Should -BeFalse
            $help = Get-Help New-CalSync -Parameter AllowDelete
            $help.type.name | Should -Be 'System.Boolean'
            $help.defaultValue | Should -Be 'True'
        }
        finally {
            Remove-CalSync -Name Values -Confirm:$false
            Disconnect-Bitrix24 -Name valuescal -Confirm:$false
        }
    }

    It 'refuses a second sync of the same name with SyncExists' {
        $e = { New-CalSync -Name Work -ErrorAction Stop } | Should -Throw -ErrorId 'SyncExists*' -PassThru
        $e.CategoryInfo.Category | Should -Be 'ResourceExists'
        @(Get-CalSync).Count | Should -Be 1
    }

    It 'refuses a sync whose connection does not exist, saving nothing' {
        { New-CalSync -Name Orphan -OutlookConnection nowhere -ErrorAction Stop } | Should -Throw -ErrorId 'ConnectionNotFound*'
        Get-CalSync -Name Orphan -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'changes only the settings Set-CalSync is given, warning that the schedule keeps the old interval' {
        $before = Get-CalSync -Name Work
        $changed = Set-CalSync -Name Work -Interval '00:30:00' -PastDays 7 -PassThru -WarningVariable warned -WarningAction SilentlyContinue
        $changed.Interval | Should -Be ([timespan]'00:30:00')
        $changed.PastDays | Should -Be 7
        $changed.FutureDays | Should -Be $before.FutureDays
        $changed.Direction | Should -Be $before.Direction
        $warned | Should -Match 'Register-CalSyncSchedule'
        (Get-CalSync -Name Work).Interval | Should -Be ([timespan]'00:30:00')
        Set-CalSync -Name Work -Interval '00:10:00' -PastDays 30 -WarningAction SilentlyContinue
        (Get-CalSync -Name Work).Interval | Should -Be ([timespan]'00:10:00')
    }

    It 'removes a sync with Remove-CalSync -PassThru, after which it is not found' {
        Connect-Bitrix24 -Name sparecal -WebhookUrl $script:Colleague -Calendar Spare -CreateCalendar -AllowPlaintextSecretStore -WarningAction SilentlyContinue | Out-Null
        New-CalSync -Name Spare -Bitrix24Connection sparecal -Direction OutlookToBitrix24 | Out-Null
        $removed = Remove-CalSync -Name Spare -PassThru -Confirm:$false
        $removed.Name | Should -Be 'Spare'
        { Get-CalSync -Name Spare -ErrorAction Stop } | Should -Throw -ErrorId 'SyncNotFound*'
        Join-Path $script:StoreHome 'syncs/spare.json' | Should -Not -Exist
        Disconnect-Bitrix24 -Name sparecal -Confirm:$false
    }

    It 'formats Get-CalSync as the table the formats define' {
        $table = Get-CalSync | Out-String -Width 250
        $table | Should -Match '(?m)^Name\s+Direction\s+Interval\s+Mapping\s+Outlook\s+Bitrix24\s+Delete\s+Window\s*$'
        $table | Should -Match '(?m)^Work\s+TwoWay\s+10m\s+default\s+outlook\s+bitrix24\s'
    }
}

Describe 'A sync through the cmdlets' {
    It '-WhatIf writes nothing' {
        Add-OutlookMeeting $script:Sandbox 'Planning' 9 | Out-Null
        $before = Get-Footprint
        Start-CalSync -Name Work -InitialMerge TwoWay -WhatIf | Should -BeNullOrEmpty
        Get-Footprint | Should -Be $before
        Get-Bitrix24Meeting $script:Sandbox | Should -BeNullOrEmpty
    }

    It 'runs from the pipeline and records history' {
        $run = Get-CalSync -Name Work | Start-CalSync -InitialMerge TwoWay
        $run.Outcome | Should -Be 'Succeeded'
        $run.Created | Should -Be 1
        (Get-Bitrix24Meeting $script:Sandbox).name | Should -Be 'Planning'
        (Start-CalSync -Name Work).Outcome | Should -Be 'NoChanges'
        @(Get-CalSync -Name Work | Get-CalSyncHistory -Last 5).Count | Should -Be 2
    }

    It 'copies a meeting added in Outlook with the next run, and the run after writes nothing' {
        Add-OutlookMeeting $script:Sandbox 'Design review' 11 | Out-Null
        $before = Get-SandboxWriteCount $script:Sandbox
        $run = 'Work' | Start-CalSync
        Get-SandboxWriteCount $script:Sandbox | Should -BeGreaterThan $before # the create (a batch and its command)
        $run.SyncName | Should -Be 'Work'
        $run.Mode | Should -Be 'Incremental'
        $run.Bitrix24.Created | Should -Be 1
        (Get-Bitrix24Meeting $script:Sandbox).name | Sort-Object | Should -Be @('Design review', 'Planning')
        $writes = Get-SandboxWriteCount $script:Sandbox
        (Start-CalSync -Name Work).Outcome | Should -Be 'NoChanges'
        Get-SandboxWriteCount $script:Sandbox | Should -Be $writes
    }

    It 'runs every sync with -Name * and each sync piped from Get-CalSync' {
        Connect-Bitrix24 -Name home -WebhookUrl $script:Colleague -Calendar Home -CreateCalendar -AllowPlaintextSecretStore -WarningAction SilentlyContinue | Out-Null
        New-CalSync -Name Home -Bitrix24Connection home -Direction OutlookToBitrix24 | Out-Null
        try {
            (Start-CalSync -Name * -InitialMerge None).SyncName | Sort-Object | Should -Be @('Home', 'Work')
            (Get-CalSync | Start-CalSync).SyncName | Sort-Object | Should -Be @('Home', 'Work')
        }
        finally {
            Remove-CalSync -Name Home -Confirm:$false
            Disconnect-Bitrix24 -Name home -Confirm:$false
        }
    }

    It 'reads the history with -Last and -Since' {
        $all = @(Get-CalSyncHistory -Name Work)
        $all.Count | Should -BeGreaterOrEqual 4
        $last2 = @(Get-CalSyncHistory -Name Work -Last 2)
        $last2.RunId | Should -Be $all[-2..-1].RunId
        $since = [datetime]::Now
        Start-Sleep -Milliseconds 50
        $newest = Start-CalSync -Name Work
        @(Get-CalSyncHistory -Name Work -Since $since).RunId | Should -Be @($newest.RunId)
        Get-CalSyncHistory -Name * -Since ([datetime]::Now.AddMinutes(5)) | Should -BeNullOrEmpty
    }

    It 'formats a run as the table the formats define' {
        $table = Get-CalSyncHistory -Name Work -Last 1 | Out-String -Width 250
        $table | Should -Match '(?m)^SyncName\s+Start\s+Outcome\s+Mode\s+Created\s+Updated\s+Deleted\s+Matched\s+Failed\s+Seconds\s*$'
        $table | Should -Match '(?m)^Work\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+NoChanges\s+Incremental\s+0\s+0\s+0\s'
    }
}

Describe 'Errors and streams as scripts handle them' {
    It 'reports a missing sync with its error id, terminating under -ErrorAction Stop' {
        { Start-CalSync -Name Nope -ErrorAction Stop } | Should -Throw -ErrorId 'SyncNotFound*'
    }

    It 'gives a catch block the error record: id, category and target' {
        $caught = $null
        $reached = $false
        try {
            Start-CalSync -Name Nope -ErrorAction Stop
            $reached = $true
        }
        catch { $caught = $_ }
        $reached | Should -BeFalse
        $caught | Should -BeOfType [System.Management.Automation.ErrorRecord]
        $caught.FullyQualifiedErrorId | Should -Be 'SyncNotFound,CalSync.PowerShell.Cmdlets.StartCalSyncCommand'
        $caught.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $caught.TargetObject | Should -Be 'Nope'
        $caught.Exception.Message | Should -Match 'Get-CalSync'
    }

    It 'collects a non-terminating error in -ErrorVariable and goes on with the other names' {
        $runs = Start-CalSync -Name Nope, Work -ErrorVariable failures -ErrorAction SilentlyContinue
        @($runs).Count | Should -Be 1
        $runs.SyncName | Should -Be 'Work'
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'SyncNotFound,*'
        $failures[0].TargetObject | Should -Be 'Nope'
    }

    It 'sets $? to true after a run and to false after a failed one' {
        $null = Start-CalSync -Name Work
        $ok = $?
        $null = Start-CalSync -Name Nope -ErrorAction SilentlyContinue
        $failed = $?
        $ok | Should -BeTrue
        $failed | Should -BeFalse
    }

    It 'writes the plan and the reads to the verbose stream' {
        Add-OutlookMeeting $script:Sandbox 'Verbose check' 13 | Out-Null
        $records = @(Start-CalSync -Name Work -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
        $records.Count | Should -BeGreaterOrEqual 3
        $text = $records.Message -join "`n"
        $text | Should -Match 'Read \d+ Outlook and \d+ Bitrix24 meeting'
        $text | Should -Match "Plan \(Incremental\): 1 write\(s\)"
        $text | Should -Match "Create on Bitrix24: 'Verbose check'"
    }

    It 'keeps the access token and the webhook secret out of output, verbose, debug, history and the store' {
        $token = $script:Sandbox.Token
        $secret = $script:Sandbox.WebhookSecret
        $secret.Length | Should -BeGreaterThan 8
        $streams = & {
            # The preferences: the verbose and debug streams of every command.
            $VerbosePreference = 'Continue'
            $DebugPreference = 'Continue'
            Connect-OutlookCalendar -Endpoint $script:Sandbox.Graph -AccessToken $script:Token
            Connect-Bitrix24 -WebhookUrl $script:Webhook -AllowPlaintextSecretStore
            Start-CalSync -Name Work
            Get-CalSyncConnection | Format-List * | Out-String
            Get-CalSyncHistory -Name Work | Format-List * | Out-String
        } *>&1 | Out-String -Width 500
        $streams | Should -Match 'Saved the Bitrix24 connection' # the verbose stream was captured
        $streams | Should -Match 'No OS key store|UNENCRYPTED' # and the debug or warning stream
        $streams | Should -Not -Match ([regex]::Escape($token))
        $streams | Should -Not -Match ([regex]::Escape($secret))
        $files = Get-ChildItem $script:StoreHome -Recurse -File
        $withToken = @($files | Where-Object { (Get-Content -Raw -LiteralPath $_.FullName) -match [regex]::Escape($token) })
        $withToken | Should -BeNullOrEmpty # an access token is kept for the session only
        $withSecret = @($files | Where-Object { (Get-Content -Raw -LiteralPath $_.FullName) -match [regex]::Escape($secret) })
        # Only the plaintext secret store that -AllowPlaintextSecretStore opted into.
        [IO.Path]::GetRelativePath($script:StoreHome, $withSecret.FullName) | Should -Be (Join-Path 'secrets' 'bitrix24.secret.json')
    }
}

Describe '-Debug in a pwsh without a console to answer (issue 18, case 9)' {
    It 'prints debug lines and never asks "Continue with this operation?" under pwsh -NonInteractive' {
        # A compiled cmdlet's -Debug made warnings (and, with a host UI, verbose lines) Inquire: the key-store warning of
        # Connect-Bitrix24 and the verbose line of Connect-OutlookCalendar stopped a scheduled script.
        $home2 = New-TestDirectory
        try {
            $result = Invoke-ChildPwsh -NonInteractive -Environment @{
                CALSYNC_HOME = $home2; CALSYNC_TEST_MANIFEST = $script:Manifest; CALSYNC_TEST_GRAPH = $script:Sandbox.Graph
                CALSYNC_TEST_TOKEN = $script:Sandbox.Token; CALSYNC_TEST_WEBHOOK = $script:Sandbox.Webhook
            } -Script @'
                $ErrorActionPreference = 'Stop'
                Import-Module $env:CALSYNC_TEST_MANIFEST
                Connect-Bitrix24 -WebhookUrl (ConvertTo-SecureString $env:CALSYNC_TEST_WEBHOOK -AsPlainText -Force) -AllowPlaintextSecretStore -Debug | Out-Null
                Connect-OutlookCalendar -Endpoint $env:CALSYNC_TEST_GRAPH -AccessToken (ConvertTo-SecureString $env:CALSYNC_TEST_TOKEN -AsPlainText -Force) -Debug | Out-Null
                New-CalSync -Name Debugged -Debug | Out-Null
                $run = Start-CalSync -Name Debugged -InitialMerge None -Debug
                Get-CalSyncHistory -Name Debugged -Debug | Out-Null
                'RESULT ' + (@{ Outcome = "$($run.Outcome)" } | ConvertTo-Json -Compress)
'@
            $result.StdErr | Should -Not -Match 'NonInteractive|Continue with this operation'
            $result.ExitCode | Should -Be 0
            (Get-ChildResult $result).Outcome | Should -BeIn @('NoChanges', 'Succeeded')
            $result.StdOut | Should -Match '(?m)^DEBUG: '
            $result.StdOut | Should -Match '(?m)^WARNING: .*(key store|UNENCRYPTED)'
            $result.StdOut | Should -Match "(?m)^VERBOSE: Saved the Outlook connection"
        }
        finally { Remove-TestDirectory $home2 }
    }
}

Describe 'Get-CalSyncStatus for monitoring (issue 18)' {
    It 'counts the failed attempts in a row, says why, and a monitoring script in another pwsh sees them' {
        (Start-CalSync -Name Work).Outcome | Should -BeIn @('NoChanges', 'Succeeded')
        $ok = Get-CalSyncStatus -Name Work
        $ok.ConsecutiveFailures | Should -Be 0
        $ok.LastSuccess | Should -Be $ok.LastRun
        $ok.NextDue | Should -Be ($ok.LastRun + $ok.Interval)
        $ok.Links | Should -BeGreaterThan 0
        $ok.OutlookHealth | Should -Be 'SessionOnly' # an access token: a scheduled run in another process cannot use it
        $ok.Bitrix24Health | Should -Be 'Ready'

        $held = [IO.File]::Open((Join-Path $script:StoreHome 'locks/work.lock'), 'OpenOrCreate', 'ReadWrite', 'None')
        try { 1..3 | ForEach-Object { Start-CalSync -Name Work -LockTimeout 0 -ErrorAction SilentlyContinue | Out-Null } }
        finally { $held.Dispose() }

        $monitor = Invoke-ChildPwsh -NonInteractive -Environment @{ CALSYNC_HOME = $script:StoreHome; CALSYNC_TEST_MANIFEST = $script:Manifest } -Script @'
            Import-Module $env:CALSYNC_TEST_MANIFEST
            $failing = @(Get-CalSyncStatus | Where-Object ConsecutiveFailures -gt 2)
            foreach ($s in $failing) { 'RESULT ' + (@{ Name = $s.Name; Failures = $s.ConsecutiveFailures; Id = $s.LastErrorId; Error = $s.LastError } | ConvertTo-Json -Compress) }
            Get-CalSyncStatus | Out-String -Width 250
            exit $failing.Count
'@
        $monitor.ExitCode | Should -Be 1 -Because $monitor.StdErr
        $reported = Get-ChildResult $monitor
        $reported.Name | Should -Be 'Work'
        $reported.Failures | Should -Be 3
        $reported.Id | Should -Be 'CalSync.Store.Locked'
        $reported.Error | Should -Match 'work\.lock'
        $monitor.StdOut | Should -Match '(?m)^Name\s+LastRun\s+LastOutcome\s+Failures\s+LastSuccess\s+NextDue\s+Links\s+Outlook\s+Bitrix24\s+LastError'
        $monitor.StdOut | Should -Match '(?m)^Work\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+Failed\s+3\s'

        (Start-CalSync -Name Work).Outcome | Should -BeIn @('NoChanges', 'Succeeded')
        (Get-CalSync -Name Work | Get-CalSyncStatus).ConsecutiveFailures | Should -Be 0
    }
}

Describe 'Help examples run as written (issue 18, case 4)' {
    It 'binds the Get-Secret example of Connect-Bitrix24 to a secret saved as text' {
        # SecretManagement's Get-Secret returns a secret saved as text (Set-Secret -Secret '<url>') as a SecureString.
        function Get-Secret { param([string] $Name) $script:Webhook }
        $example = @((Get-Help Connect-Bitrix24 -Examples).examples.example | Where-Object { $_.code -match 'Get-Secret' })
        $example.Count | Should -Be 1
        $before = Get-Footprint
        $output = & ([scriptblock]::Create("$($example[0].code) -WhatIf")) 2>&1 6>&1
        @($output | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }) | Should -BeNullOrEmpty
        Get-Footprint | Should -Be $before
    }
}

Describe 'Connections' {
    It 'lists the connections with Get-CalSyncConnection, filtered by -Kind, and formats them' {
        $all = Get-CalSyncConnection
        $all.Name | Sort-Object | Should -Be @('bitrix24', 'outlook')
        (Get-CalSyncConnection -Kind Outlook).Auth | Should -Be 'AccessToken'
        (Get-CalSyncConnection -Kind Bitrix24).Auth | Should -Be 'Webhook'
        (Get-CalSyncConnection -Name bit*).Name | Should -Be 'bitrix24'
        Get-CalSyncConnection | Out-String -Width 250 | Should -Match '(?m)^Name\s+Kind\s+Auth\s+Account\s+Calendar\s+Protection\s+Endpoint\s*$'
    }

    It 'reports an unknown connection name with ConnectionNotFound' {
        $found = Get-CalSyncConnection -Name nowhere -ErrorVariable problems -ErrorAction SilentlyContinue
        $found | Should -BeNullOrEmpty
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'ConnectionNotFound,*'
    }

    It 'removes a Bitrix24 connection and its secret with Disconnect-Bitrix24' {
        Connect-Bitrix24 -Name spare -WebhookUrl $script:Webhook -AllowPlaintextSecretStore -WarningAction SilentlyContinue | Out-Null
        Join-Path $script:StoreHome 'secrets/spare.secret.json' | Should -Exist
        $removed = Disconnect-Bitrix24 -Name spare -PassThru -Confirm:$false
        $removed.Name | Should -Be 'spare'
        Join-Path $script:StoreHome 'secrets/spare.secret.json' | Should -Not -Exist
        Get-CalSyncConnection -Name spare -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'refuses Disconnect-OutlookCalendar of a connection a sync uses, naming it; with -Force warns, and the sync then names the missing connection' {
        Connect-OutlookCalendar -Name second -Endpoint $script:Sandbox.Graph -AccessToken $script:Token | Out-Null
        # The same Outlook calendar as Work's: the sync needs another Bitrix24 calendar.
        Connect-Bitrix24 -Name secondcal -WebhookUrl $script:Colleague -Calendar Second -CreateCalendar -AllowPlaintextSecretStore -WarningAction SilentlyContinue | Out-Null
        New-CalSync -Name Second -OutlookConnection second -Bitrix24Connection secondcal | Out-Null
        try {
            $e = { Disconnect-OutlookCalendar -Name second -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'ConnectionInUse*' -PassThru
            $e.Exception.Message | Should -Match 'Second'
            (Get-CalSyncConnection -Name second).Name | Should -Be 'second'
            Disconnect-OutlookCalendar -Name second -Force -Confirm:$false -WarningVariable warned -WarningAction SilentlyContinue
            $warned | Should -Match 'Second'
            $e = { Start-CalSync -Name Second -ErrorAction Stop } | Should -Throw -ErrorId 'ConnectionNotFound*' -PassThru
            $e.Exception.Message | Should -Match 'Connect-OutlookCalendar'
        }
        finally {
            Remove-CalSync -Name Second -Confirm:$false
            Disconnect-Bitrix24 -Name secondcal -Confirm:$false
        }
    }
}

Describe '-WhatIf on every cmdlet that changes something' {
    BeforeAll {
        Connect-Bitrix24 -Name othercal -WebhookUrl $script:Colleague -Calendar Other -CreateCalendar -AllowPlaintextSecretStore -WarningAction SilentlyContinue | Out-Null
    }
    AfterAll { Disconnect-Bitrix24 -Name othercal -Confirm:$false }

    It '<Command> -WhatIf writes nothing' -ForEach @(
        @{ Command = 'New-CalSync -Name Other -Bitrix24Connection othercal' }
        @{ Command = 'Set-CalSync -Name Work -Interval 01:00:00 -AllowDelete:$false' }
        @{ Command = 'Remove-CalSync -Name Work' }
        @{ Command = 'Start-CalSync -Name Work -AllowEmptySide' }
        @{ Command = 'Connect-OutlookCalendar -Name other -Endpoint $graph -AccessToken $token' }
        @{ Command = 'Connect-Bitrix24 -Name other -WebhookUrl $webhook -AllowPlaintextSecretStore' }
        @{ Command = 'Disconnect-OutlookCalendar -Name outlook' }
        @{ Command = 'Disconnect-Bitrix24 -Name bitrix24' }
        @{ Command = 'Register-CalSyncSchedule -Name Work -OutputPath $scratch -Force -WarningAction SilentlyContinue' }
        @{ Command = 'Register-CalSyncSchedule -Name Work -Cron -OutputPath $scratch -Force -WarningAction SilentlyContinue' }
        @{ Command = 'Export-CalSyncMapping -Name default -Path (Join-Path $scratch mapping.yaml)' }
    ) {
        $graph, $token, $webhook, $scratch = $script:Sandbox.Graph, $script:Token, $script:Webhook, $script:Scratch
        Add-OutlookMeeting $script:Sandbox "Pending $([guid]::NewGuid().ToString('N').Substring(0, 6))" 15 | Out-Null # Start-CalSync would have work
        $before = Get-Footprint
        $output = & ([scriptblock]::Create("$Command -WhatIf")) 6>&1 | Where-Object { $_ -isnot [System.Management.Automation.InformationRecord] }
        $output | Should -BeNullOrEmpty
        Get-Footprint | Should -Be $before
        Start-CalSync -Name Work | Out-Null # the pending meeting, so the next case starts even
    }
}

Describe 'Schedule files' {
    It 'writes a systemd service and timer that run the sync non-interactively with this store, and Unregister removes them' {
        $dir = Join-Path $script:Scratch 'systemd'
        # This file's Outlook connection is an access token: -Force registers it anyway (CalSync.Schedule.Tests.ps1 tests the refusal).
        $schedule = Register-CalSyncSchedule -Name Work -OutputPath $dir -Force -WarningAction SilentlyContinue
        $schedule.Kind | Should -Be 'SystemdTimer'
        $schedule.Activated | Should -BeFalse
        $service = Get-Content -Raw (Join-Path $dir 'calsync-work.service')
        $service | Should -Match ([regex]::Escape("Environment=`"CALSYNC_HOME=$script:StoreHome`""))
        $service | Should -Match '(?m)^ExecStart=.*pwsh -NoProfile -NonInteractive -Command ".*Start-CalSync -Name ''Work'' -ErrorAction Stop"$'
        Get-Content -Raw (Join-Path $dir 'calsync-work.timer') | Should -Match '(?m)^OnUnitActiveSec=600s$'
        Unregister-CalSyncSchedule -Name Work -OutputPath $dir -WhatIf
        Join-Path $dir 'calsync-work.timer' | Should -Exist
        $removed = Unregister-CalSyncSchedule -Name Work -OutputPath $dir -PassThru -Confirm:$false
        @($removed.Files).Count | Should -Be 2
        Get-ChildItem $dir | Should -BeNullOrEmpty
    }

    It 'refuses a cron schedule for an interval cron cannot express, naming the way out' {
        $e = { Register-CalSyncSchedule -Name Work -Cron -Interval '00:07:00' -OutputPath $script:Scratch -Force -WarningAction SilentlyContinue -ErrorAction Stop } |
            Should -Throw -ErrorId 'ScheduleIntervalInvalid*' -PassThru
        $e.Exception.Message | Should -Match 'systemd timer'
        Join-Path $script:Scratch 'calsync-work.cron' | Should -Not -Exist
    }

    It 'reports a missing schedule with ScheduleNotFound' {
        { Unregister-CalSyncSchedule -Name Work -OutputPath (Join-Path $script:Scratch 'none') -ErrorAction Stop } |
            Should -Throw -ErrorId 'ScheduleNotFound*'
    }
}

Describe 'Failures a script must handle' {
    It 'refuses a run while another holds the lock: CalSync.Store.Locked, ResourceBusy' {
        $lockPath = Join-Path $script:StoreHome 'locks/work.lock'
        $held = [IO.File]::Open($lockPath, 'OpenOrCreate', 'ReadWrite', 'None')
        try {
            $runs = Start-CalSync -Name Work -LockTimeout 0 -ErrorVariable failures -ErrorAction SilentlyContinue
            $failedRun = $?
        }
        finally { $held.Dispose() }
        $failedRun | Should -BeFalse
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'CalSync.Store.Locked,*'
        $failures[0].CategoryInfo.Category | Should -Be 'ResourceBusy'
        $failures[0].Exception.Message | Should -Match ([regex]::Escape('work.lock'))
        # Issue 18: the refused run is an attempt in the history too, and its record is the output.
        $runs.Outcome | Should -Be 'Failed'
        $last = Get-CalSyncHistory -Name Work -Last 1
        $last.RunId | Should -Be $runs.RunId
        $last.ErrorId | Should -Be 'CalSync.Store.Locked'
        (Start-CalSync -Name Work -LockTimeout 0).Outcome | Should -BeIn @('NoChanges', 'Succeeded') # released: the next run goes
    }

    It 'records runs that cannot start (a damaged state file, a missing connection) with why, and -WhatIf records nothing' {
        # Each on a calendar of the colleague's: Work already syncs the user's pair (issue 19, case 5).
        Connect-Bitrix24 -Name damagedcal -WebhookUrl $script:Colleague -Calendar Damaged -CreateCalendar -AllowPlaintextSecretStore -WarningAction SilentlyContinue | Out-Null
        Connect-Bitrix24 -Name spare -WebhookUrl $script:Colleague -Calendar Orphan -CreateCalendar -AllowPlaintextSecretStore -WarningAction SilentlyContinue | Out-Null
        New-CalSync -Name Damaged -Bitrix24Connection damagedcal | Out-Null
        New-CalSync -Name Orphan -Bitrix24Connection spare | Out-Null
        try {
            Start-CalSync -Name Damaged, Orphan -InitialMerge None | Out-Null
            Set-Content -LiteralPath (Join-Path $script:StoreHome 'state/damaged.json') -Value '{ not json'
            Remove-Item -LiteralPath (Join-Path $script:StoreHome 'connections/spare.json')
            $before = Get-Footprint
            Start-CalSync -Name Damaged, Orphan -WhatIf -ErrorAction SilentlyContinue
            Get-Footprint | Should -Be $before

            $runs = Start-CalSync -Name Damaged, Orphan -ErrorVariable failures -ErrorAction SilentlyContinue
            $runs.Outcome | Should -Be @('Failed', 'Failed')
            $failures.FullyQualifiedErrorId -replace ',.*' | Should -Be @('CalSync.Store.Corrupt', 'ConnectionNotFound')
            $damaged = Get-CalSyncHistory -Name Damaged -Last 1
            $damaged.ErrorId | Should -Be 'CalSync.Store.Corrupt'
            $damaged.Message | Should -Match 'damaged\.json'
            $orphan = Get-CalSyncHistory -Name Orphan -Last 1
            $orphan.ErrorId | Should -Be 'ConnectionNotFound'
            $orphan.Message | Should -Match "Connect-Bitrix24 -Name 'spare'"
        }
        finally { Remove-CalSync -Name Damaged, Orphan -Confirm:$false -ErrorAction SilentlyContinue }
    }

    It 'reports SignInRequired for the sync that needs it, goes on with the others, and stops at it under -ErrorAction Stop' {
        # Issue 18, case 1: three syncs, the middle one on a Bitrix24 connection whose webhook was revoked.
        # Each sync on its own pair of calendars (issue 19, case 5): Beta on the revoked webhook's calendar and another
        # Outlook calendar, Alpha and Gamma on two calendars of the colleague.
        $colleague = $script:Colleague
        Connect-Bitrix24 -Name team -WebhookUrl $colleague -Calendar Team -CreateCalendar -AllowPlaintextSecretStore -WarningAction SilentlyContinue | Out-Null
        Connect-Bitrix24 -Name team2 -WebhookUrl $colleague -Calendar Team2 -CreateCalendar -AllowPlaintextSecretStore -WarningAction SilentlyContinue | Out-Null
        $bearer = @{ Authorization = 'Bearer ' + [Net.NetworkCredential]::new('', $script:Token).Password }
        Invoke-RestMethod -Method Post -Uri "$($script:Sandbox.Graph)/me/calendars" -Headers $bearer -Body '{"name":"Beta"}' -ContentType 'application/json' | Out-Null
        Connect-OutlookCalendar -Name beta -Endpoint $script:Sandbox.Graph -AccessToken $script:Token -Calendar Beta | Out-Null
        New-CalSync -Name Alpha -Bitrix24Connection team | Out-Null
        New-CalSync -Name Beta -OutlookConnection beta | Out-Null
        New-CalSync -Name Gamma -Bitrix24Connection team2 | Out-Null
        Start-CalSync -Name Alpha, Beta, Gamma -InitialMerge None | Out-Null
        Invoke-SandboxControl $script:Sandbox.Bitrix24Control POST revoke-webhook | Out-Null
        try {
            $runs = Start-CalSync -Name Alpha, Beta, Gamma -ErrorVariable failures -ErrorAction SilentlyContinue
            $ok = $?
            $runs.SyncName | Should -Be @('Alpha', 'Beta', 'Gamma')
            $runs.Outcome | Should -Be @('NoChanges', 'Failed', 'NoChanges')
            $ok | Should -BeFalse
            $failures.Count | Should -Be 1
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'SignInRequired,*'
            $failures[0].TargetObject | Should -Be 'Beta'
            $failures[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
            $failures[0].Exception.Message | Should -Match "Connect-Bitrix24 -Name 'bitrix24'"

            # Issue 18, case 2: -WhatIf is an error too, and leaves no history line.
            $lines = @(Get-CalSyncHistory -Name Beta).Count
            Start-CalSync -Name Beta -WhatIf -ErrorVariable planned -ErrorAction SilentlyContinue 6>&1 | Out-String | Should -Not -Match 'no plan'
            $planned[0].FullyQualifiedErrorId | Should -BeLike 'SignInRequired,*'
            @(Get-CalSyncHistory -Name Beta).Count | Should -Be $lines

            $before = @(Get-CalSyncHistory -Name Gamma).Count
            { Start-CalSync -Name Alpha, Beta, Gamma -ErrorAction Stop } | Should -Throw -ErrorId 'SignInRequired*'
            @(Get-CalSyncHistory -Name Gamma).Count | Should -Be $before
        }
        finally {
            Invoke-SandboxControl $script:Sandbox.Bitrix24Control POST restore-webhook | Out-Null
            Remove-CalSync -Name Alpha, Beta, Gamma -Confirm:$false -ErrorAction SilentlyContinue
        }
    }

    It 'names the connection to sign in again when a sign-in is needed, and following the advice works' {
        $renewed = Invoke-SandboxControl $script:Sandbox.GraphControl POST expire-access-tokens
        Start-CalSync -Name Work -ErrorVariable failures -ErrorAction SilentlyContinue | Out-Null
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'SignInRequired,*'
        $failures[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
        $failures[0].Exception.Message | Should -Match 'Connect-OutlookCalendar -Name outlook'
        # Connecting again with a valid token is the way out.
        $script:Token = ConvertTo-SecureString $renewed.accessToken -AsPlainText -Force
        Connect-OutlookCalendar -Endpoint $script:Sandbox.Graph -AccessToken $script:Token | Out-Null
        (Start-CalSync -Name Work).Outcome | Should -BeIn @('NoChanges', 'Succeeded')
    }

    It 'aborts a run when Outlook suddenly returns no meetings (EmptySideGuard), and only -AllowEmptySide overrides' {
        $copies = @(Get-Bitrix24Meeting $script:Sandbox).Count
        $copies | Should -BeGreaterThan 1
        Invoke-SandboxControl $script:Sandbox.GraphControl POST 'reset?events=true' | Out-Null
        $writes = Get-SandboxWriteCount $script:Sandbox
        $run = Start-CalSync -Name Work -ErrorVariable failures -ErrorAction SilentlyContinue
        $run.Outcome | Should -Be 'Aborted' # the history record is still the output
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'EmptySideGuard,*'
        $failures[0].TargetObject | Should -Be 'Work'
        $failures[0].Exception.Message | Should -Match "Start-CalSync -Name 'Work' -AllowEmptySide"
        { Start-CalSync -Name Work -ErrorAction Stop } | Should -Throw -ErrorId 'EmptySideGuard*'
        Get-SandboxWriteCount $script:Sandbox | Should -Be $writes
        @(Get-Bitrix24Meeting $script:Sandbox).Count | Should -Be $copies
        # -Force, which scripts add by habit, no longer overrides it: Start-CalSync has no such parameter (issue 18, case 7).
        { Start-CalSync -Name Work -Force } | Should -Throw -ErrorId 'NamedParameterNotFound*'
        @(Get-Bitrix24Meeting $script:Sandbox).Count | Should -Be $copies
        (Start-CalSync -Name Work -AllowEmptySide).Deleted | Should -Be $copies
        Get-Bitrix24Meeting $script:Sandbox | Should -BeNullOrEmpty
    }
}
