# The resident mode (issue 21) as a service manager runs it: one real pwsh running Start-CalSync -Resident, two cycles
# at a one-minute interval against the stand-ins, then SIGTERM: the process ends after the run in progress with exit 0,
# every run left its history line and its line of output, and no meeting was copied twice. Needs the built module and
# stand-ins; takes a little over a minute (the interval).
BeforeAll {
    . (Join-Path $PSScriptRoot 'Support.ps1')
    $script:PreviousHome = $env:CALSYNC_HOME
    $script:Sandbox = Start-TestSandbox
    $script:ChildEnvironment = Connect-TestStore -Sandbox $script:Sandbox
    $script:StoreHome = $script:ChildEnvironment.CALSYNC_HOME
    Import-Module $script:Manifest -Force
    $script:History = Join-Path $script:StoreHome 'history/work.jsonl'

    function Get-HistoryCount { if (Test-Path -LiteralPath $script:History) { @(Get-Content -LiteralPath $script:History | Where-Object { $_ }).Count } else { 0 } }
    function Wait-History {
        param([int] $Count, [int] $TimeoutSeconds)
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
        while ((Get-HistoryCount) -lt $Count -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 200 }
        Get-HistoryCount
    }
}

AfterAll {
    Stop-TestSandbox $script:Sandbox
    Remove-Module CalSync -ErrorAction SilentlyContinue
    $env:CALSYNC_HOME = $script:PreviousHome
    Remove-TestDirectory $script:StoreHome
}

Describe 'Start-CalSync -Resident in a real pwsh' {
    It 'runs the sync every minute, and SIGTERM stops it after the run in progress with exit 0' -Skip:$IsWindows {
        New-CalSync -Name Work -Interval 1 | Out-Null
        Start-CalSync -Name Work -InitialMerge TwoWay -ErrorAction Stop | Out-Null
        Add-OutlookMeeting $script:Sandbox 'Resident one' 9 | Out-Null

        $started = Start-TestProcess -FilePath (Get-ChildPwsh) -Environment $script:ChildEnvironment -ArgumentList '-NoProfile', '-NonInteractive', '-Command',
            'Import-Module $env:CALSYNC_TEST_MANIFEST; Start-CalSync -Name * -Resident -Verbose'
        try {
            Wait-History -Count 2 -TimeoutSeconds 60 | Should -Be 2            # the first cycle, at once
            Add-OutlookMeeting $script:Sandbox 'Resident two' 10 | Out-Null
            Wait-History -Count 3 -TimeoutSeconds 90 | Should -Be 3            # the second, a minute later
            & kill -TERM $started.Id
            $result = Wait-TestProcess $started -TimeoutSeconds 240     # counted from its start
        }
        finally { if (-not $started.Process.HasExited) { $started.Process.Kill($true) } }

        $result.TimedOut | Should -BeFalse -Because ($result.StdOut + $result.StdErr)
        $result.ExitCode | Should -Be 0 -Because $result.StdErr
        $result.StdErr | Should -BeNullOrEmpty
        Get-HistoryCount | Should -Be 3                                        # nothing ran after SIGTERM
        $result.StdOut | Should -Match "Resident mode stopped by SIGTERM after 2 run\(s\)"
        @($result.StdOut -split "`r?`n" | Where-Object { $_ -match '^Work\s.*\sSucceeded\s' }).Count | Should -Be 2
        $names = @(Get-Bitrix24Meeting $script:Sandbox | ForEach-Object name)
        @($names | Where-Object { $_ -eq 'Resident one' }).Count | Should -Be 1
        @($names | Where-Object { $_ -eq 'Resident two' }).Count | Should -Be 1
        (Start-CalSync -Name Work -ErrorAction Stop).Outcome | Should -Be 'NoChanges'
    }
}
