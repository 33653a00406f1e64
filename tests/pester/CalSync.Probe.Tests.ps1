# Test-CalSyncService (issue 22) in real pwsh processes against the stand-ins (over HTTP, knobs through their control
# API): the whole probe passes, each knob fails exactly its probe, a pwsh killed mid-probe leaves a scratch calendar
# that the next run deletes first, and Start-CalSync in a new pwsh holds back the deletion whose belief failed. Needs
# the built module and stand-ins.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Support.ps1')
    Start-TestSession

    function Get-ScratchCalendar {
        <# The names of the probe's scratch calendars in both stand-ins. #>
        @(@(Invoke-SandboxControl $script:Sandbox.GraphControl GET calendars) + @(Invoke-SandboxControl $script:Sandbox.Bitrix24Control GET sections) |
            ForEach-Object name | Where-Object { $_ -like 'CalSync probe*' })
    }
    function Reset-Sandbox {
        Invoke-SandboxControl $script:Sandbox.GraphControl POST 'reset?events=true' | Out-Null
        Invoke-SandboxControl $script:Sandbox.Bitrix24Control POST reset | Out-Null
        Invoke-SandboxControl $script:Sandbox.GraphControl POST faults @{ deviceCodeIntervalSeconds = 1 } | Out-Null
    }
}

AfterAll { Stop-TestSession }

Describe 'Test-CalSyncService' {
    BeforeEach { Reset-Sandbox }

    It 'passes every probe of both services and leaves no scratch calendar' {
        $results = @(Test-CalSyncService -Connection outlook, bitrix24 -ErrorAction Stop -WarningVariable warnings)

        $results.Count | Should -Be 14
        @($results | Where-Object { $_.Passed -ne $true } | ForEach-Object { "$($_.Name): $($_.Observed)" }) | Should -BeNullOrEmpty
        $results[0].PSObject.TypeNames[0] | Should -Be 'CalSync.PowerShell.CalSyncProbeResult'
        $warnings | Should -BeNullOrEmpty
        Get-ScratchCalendar | Should -BeNullOrEmpty
        Join-Path $script:StoreHome 'probes/outlook.json' | Should -Exist
    }

    It 'fails exactly <Probe> when the stand-in does otherwise (<Knob>)' -ForEach @(
        @{ Service = 'Graph'; Knob = 'omitMoveOutTombstones'; Value = $true; Probe = 'graph-delta-tombstone' }
        @{ Service = 'Graph'; Knob = 'refuseSecondaryCalendarDelta'; Value = $true; Probe = 'graph-delta-secondary-calendar' }
        @{ Service = 'Graph'; Knob = 'deltaIgnoresTimeZone'; Value = $true; Probe = 'graph-delta-timezone' }
        @{ Service = 'Graph'; Knob = 'deltaIgnoresMaxPageSize'; Value = $true; Probe = 'graph-maxpagesize' }
        @{ Service = 'Graph'; Knob = 'refuseStampStartsWith'; Value = $true; Probe = 'graph-stamp-filter' }
        @{ Service = 'Graph'; Knob = 'ignoreTransactionId'; Value = $true; Probe = 'graph-transaction-id' }
        @{ Service = 'Graph'; Knob = 'dstGapBackward'; Value = $true; Probe = 'graph-dst-gap' }
        @{ Service = 'Bitrix24'; Knob = 'updateKeepsSkipTime'; Value = $true; Probe = 'bitrix24-update-skip-time' }
        @{ Service = 'Bitrix24'; Knob = 'updateKeepsZones'; Value = $true; Probe = 'bitrix24-update-zones' }
        @{ Service = 'Bitrix24'; Knob = 'thisModeTakesRemind'; Value = $true; Probe = 'bitrix24-this-mode-reminder' }
        @{ Service = 'Bitrix24'; Knob = 'timestampXZone'; Value = 'Pacific/Kiritimati'; Probe = 'bitrix24-timestamp-zone' }
        @{ Service = 'Bitrix24'; Knob = 'eventDateFormat'; Value = 'yyyy/dd/MM HH:mm:ss'; Probe = 'bitrix24-date-format' }
        @{ Service = 'Bitrix24'; Knob = 'batchIgnoresResultReferences'; Value = $true; Probe = 'bitrix24-batch-result-reference' }
        @{ Service = 'Bitrix24'; Knob = 'queryLimitAs429'; Value = $true; Probe = 'bitrix24-rate-limit' }
    ) {
        $control = if ($Service -eq 'Graph') { $script:Sandbox.GraphControl } else { $script:Sandbox.Bitrix24Control }
        Invoke-SandboxControl $control POST faults @{ $Knob = $Value } | Out-Null
        $connection = if ($Service -eq 'Graph') { 'outlook' } else { 'bitrix24' }

        $results = @(Test-CalSyncService -Connection $connection -ErrorAction Stop -WarningVariable warnings -WarningAction SilentlyContinue)

        $failed = @($results | Where-Object { $_.Passed -eq $false })
        $failed.Name | Should -Be $Probe
        $failed[0].Observed | Should -Not -Be $failed[0].Expected
        ($warnings -join "`n") | Should -Match ([regex]::Escape("'$Probe' failed on '$connection'"))
        Get-ScratchCalendar | Should -BeNullOrEmpty
    }

    It '-WhatIf in a new pwsh lists what it would create, and creates nothing' {
        $writes = Get-SandboxWriteCount $script:Sandbox

        $child = Invoke-ChildPwsh -NonInteractive -Environment $script:ChildEnvironment -Script 'Import-Module $env:CALSYNC_TEST_MANIFEST; Test-CalSyncService -Connection outlook, bitrix24 -WhatIf -ErrorAction Stop'

        $child.ExitCode | Should -Be 0
        $child.StdOut | Should -Match "What if: Performing the operation `"Run the conformance probe: create an Outlook calendar 'CalSync probe \(safe to delete\) <UTC stamp>'"
        $child.StdOut | Should -Match "on target `"Bitrix24 connection 'bitrix24'`""
        Get-SandboxWriteCount $script:Sandbox | Should -Be $writes
        Get-ScratchCalendar | Should -BeNullOrEmpty
    }

    It 'killed mid-probe (a real pwsh) leaves its scratch calendar, and the next run deletes it first' {
        # Outlook answers slowly, so the kill lands while the probe works in its scratch calendar.
        Invoke-SandboxControl $script:Sandbox.GraphControl POST faults @{ operationLatencyMs = 300 } | Out-Null
        $started = Start-TestProcess -FilePath (Get-ChildPwsh) -ArgumentList '-NoProfile', '-NonInteractive', '-Command',
            'Import-Module $env:CALSYNC_TEST_MANIFEST; Test-CalSyncService -Connection outlook -ErrorAction Stop' -Environment $script:ChildEnvironment
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (-not (Get-ScratchCalendar) -and [DateTime]::UtcNow -lt $deadline -and -not $started.Process.HasExited) { Start-Sleep -Milliseconds 50 }
            $started.Process.HasExited | Should -BeFalse
            $started.Process.Kill($true)
            $started.Process.WaitForExit()
        }
        finally { Invoke-SandboxControl $script:Sandbox.GraphControl POST faults @{ operationLatencyMs = 0 } | Out-Null }
        $left = @(Get-ScratchCalendar)
        $left.Count | Should -Be 1
        $left[0] | Should -Match '^CalSync probe \(safe to delete\) \d{8}T\d{6}Z$'

        $next = Invoke-ChildPwsh -NonInteractive -Environment $script:ChildEnvironment -Script 'Import-Module $env:CALSYNC_TEST_MANIFEST; Test-CalSyncService -Connection outlook -ErrorAction Stop | ForEach-Object { "RESULT " + (ConvertTo-Json -Compress $_) }'

        $next.ExitCode | Should -Be 0
        @(Get-ChildResult $next | Where-Object { $_.Passed -ne $true }) | Should -BeNullOrEmpty
        Get-ScratchCalendar | Should -BeNullOrEmpty
    }
}

Describe 'Start-CalSync after a failed probe' {
    BeforeEach { Reset-Sandbox }

    It 'in a new pwsh holds back the Bitrix24 deletion that follows an Outlook absence, names the probe, and syncs the rest' {
        Remove-CalSync -Name Work -Confirm:$false -ErrorAction SilentlyContinue
        $gone = Add-OutlookMeeting $script:Sandbox 'Gone soon' 9
        Add-OutlookMeeting $script:Sandbox 'Stays' 11 | Out-Null
        New-CalSync -Name Work | Out-Null
        Start-CalSync -Name Work -InitialMerge TwoWay -ErrorAction Stop | Out-Null
        Invoke-SandboxControl $script:Sandbox.GraphControl POST faults @{ omitMoveOutTombstones = $true } | Out-Null
        Test-CalSyncService -Connection outlook -WarningAction SilentlyContinue | Out-Null
        Invoke-SandboxControl $script:Sandbox.GraphControl POST faults @{ omitMoveOutTombstones = $false } | Out-Null
        Invoke-RestMethod -Method Delete -Uri "$($script:Sandbox.Graph)/me/events/$([uri]::EscapeDataString($gone))" -Headers @{ Authorization = "Bearer $($script:Sandbox.Token)" } | Out-Null
        Add-OutlookMeeting $script:Sandbox 'New meanwhile' 14 | Out-Null

        $child = Invoke-ChildPwsh -NonInteractive -Environment $script:ChildEnvironment -Script 'Import-Module $env:CALSYNC_TEST_MANIFEST; $r = Start-CalSync -Name Work; "RESULT " + (ConvertTo-Json -Compress @{ Outcome = "$($r.Outcome)"; Reasons = @($r.Items | Where-Object { -not $_.Succeeded } | ForEach-Object Reason) })'

        $result = Get-ChildResult $child
        $result.Outcome | Should -Be 'CompletedWithErrors'
        $result.Reasons | Should -Match "^.*Refused: The probe 'graph-delta-tombstone' of the connection 'outlook' failed"
        $child.StdOut | Should -Match "WARNING: The probe 'graph-delta-tombstone' of the connection 'outlook' failed"
        @(Get-Bitrix24Meeting $script:Sandbox | ForEach-Object name | Sort-Object) | Should -Be @('Gone soon', 'New meanwhile', 'Stays')

        # The advice works: the probe passes again, and the next run deletes the copy.
        @(Test-CalSyncService -Connection outlook | Where-Object { $_.Passed -ne $true }) | Should -BeNullOrEmpty
        (Start-CalSync -Name Work -ErrorAction Stop).Outcome | Should -Be 'Succeeded'
        @(Get-Bitrix24Meeting $script:Sandbox | ForEach-Object name | Sort-Object) | Should -Be @('New meanwhile', 'Stays')
    }
}
