# Undo and reset (issue 19, case 6) in real pwsh processes against the stand-ins, judged by reading both calendars:
# Remove-CalSyncCopy after a two-way merge of 40 meetings leaves exactly the originals, its -WhatIf lists each copy, a
# pwsh killed mid-removal leaves a removal that Start-CalSync refuses and a rerun finishes, and Reset-CalSync then a
# run re-matches without duplicates. Needs the built module and stand-ins.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Support.ps1')
    $script:PreviousHome = $env:CALSYNC_HOME
    $script:Sandbox = Start-TestSandbox
    Invoke-SandboxControl $script:Sandbox.GraphControl POST faults @{ deviceCodeIntervalSeconds = 1 } | Out-Null
    $script:StoreHome = New-TestDirectory
    $env:CALSYNC_HOME = $script:StoreHome
    Import-Module $script:Manifest -Force
    $script:ChildEnvironment = @{ CALSYNC_HOME = $script:StoreHome; CALSYNC_TEST_MANIFEST = $script:Manifest }

    # A device-code sign-in cached in the store, so every pwsh of this file (and this one) signs in silently.
    $setup = Invoke-ChildPwsh -Environment ($script:ChildEnvironment + @{
        CALSYNC_TEST_GRAPH = $script:Sandbox.Graph; CALSYNC_TEST_AUTHORITY = $script:Sandbox.Authority; CALSYNC_TEST_WEBHOOK = $script:Sandbox.Webhook
    }) -Script @'
        $ErrorActionPreference = 'Stop'
        Import-Module $env:CALSYNC_TEST_MANIFEST
        Connect-OutlookCalendar -Endpoint $env:CALSYNC_TEST_GRAPH -Authority $env:CALSYNC_TEST_AUTHORITY -ClientId 11111111-2222-3333-4444-555555555555 -UseDeviceCode -AllowPlaintextTokenCache | Out-Null
        Connect-Bitrix24 -WebhookUrl (ConvertTo-SecureString $env:CALSYNC_TEST_WEBHOOK -AsPlainText -Force) -AllowPlaintextSecretStore -WarningAction SilentlyContinue | Out-Null
        'RESULT ' + (@{ Connected = $true } | ConvertTo-Json -Compress)
'@
    if (-not (Get-ChildResult $setup).Connected) { throw "The sign-in failed: $($setup.StdOut) $($setup.StdErr)" }
    $script:Info = Invoke-SandboxControl $script:Sandbox.Bitrix24Control GET info

    function Add-Bitrix24Meeting {
        <# A meeting in the Bitrix24 stand-in's synced calendar tomorrow (UTC date) at the hour, through its REST API. #>
        param([string] $Name, [int] $Hour)
        $start = [DateTime]::UtcNow.Date.AddDays(1).AddHours($Hour)
        $body = @{
            type = 'user'; ownerId = $script:Info.userId; section = $script:Info.defaultSectionId; name = $Name
            from = $start.ToString('yyyy-MM-dd HH:mm:ss'); to = $start.AddMinutes(45).ToString('yyyy-MM-dd HH:mm:ss')
            timezone_from = 'UTC'; timezone_to = 'UTC'
        } | ConvertTo-Json -Compress
        (Invoke-RestMethod -Method Post -Uri ($script:Sandbox.Webhook + 'calendar.event.add.json') -Body $body -ContentType 'application/json').result
    }
    function Get-OutlookIds { @(Invoke-SandboxControl $script:Sandbox.GraphControl GET events | ForEach-Object id | Sort-Object) }
    function Get-Bitrix24Ids { @(Get-Bitrix24Meeting $script:Sandbox | ForEach-Object { [string] $_.id } | Sort-Object) }
    function Get-Titles { @(Invoke-SandboxControl $script:Sandbox.GraphControl GET events | ForEach-Object subject | Sort-Object) + '|' + @(Get-Bitrix24Meeting $script:Sandbox | ForEach-Object name | Sort-Object) }

    function New-MergedSync {
        <# 40 meetings (16 only in Outlook, 16 only in Bitrix24, 8 on both), merged two-way; returns the originals' ids. #>
        Invoke-SandboxControl $script:Sandbox.GraphControl POST 'reset?events=true' | Out-Null
        Invoke-SandboxControl $script:Sandbox.Bitrix24Control POST reset | Out-Null
        Invoke-SandboxControl $script:Sandbox.GraphControl POST faults @{ deviceCodeIntervalSeconds = 1 } | Out-Null
        Remove-CalSync -Name Work -Confirm:$false -ErrorAction SilentlyContinue
        foreach ($i in 0..15) {
            Add-OutlookMeeting $script:Sandbox "Outlook only $i" ($i % 12) | Out-Null
            Add-Bitrix24Meeting "Bitrix24 only $i" ($i % 12) | Out-Null
        }
        foreach ($i in 0..7) {
            Add-OutlookMeeting $script:Sandbox "Both $i" (12 + $i) | Out-Null
            $start = [DateTime]::UtcNow.Date.AddDays(1).AddHours(12 + $i)
            $body = @{ type = 'user'; ownerId = $script:Info.userId; section = $script:Info.defaultSectionId; name = "Both $i"
                from = $start.ToString('yyyy-MM-dd HH:mm:ss'); to = $start.AddHours(1).ToString('yyyy-MM-dd HH:mm:ss'); timezone_from = 'UTC'; timezone_to = 'UTC' } | ConvertTo-Json -Compress
            Invoke-RestMethod -Method Post -Uri ($script:Sandbox.Webhook + 'calendar.event.add.json') -Body $body -ContentType 'application/json' | Out-Null
        }
        $originals = [pscustomobject]@{ Outlook = Get-OutlookIds; Bitrix24 = Get-Bitrix24Ids }
        New-CalSync -Name Work | Out-Null
        $merge = Start-CalSync -Name Work -InitialMerge TwoWay -ErrorAction Stop
        $merge.Created | Should -Be 32
        (Get-OutlookIds).Count | Should -Be 40
        (Get-Bitrix24Ids).Count | Should -Be 40
        $originals
    }
}

AfterAll {
    Stop-TestSandbox $script:Sandbox
    Remove-Module CalSync -ErrorAction SilentlyContinue
    $env:CALSYNC_HOME = $script:PreviousHome
    Remove-TestDirectory $script:StoreHome
}

Describe 'Remove-CalSyncCopy' {
    It 'after a two-way merge of 40 meetings leaves exactly the originals on each side (state file <StateDeleted>)' -ForEach @(
        @{ StateDeleted = 'kept' }, @{ StateDeleted = 'deleted' }
    ) {
        $originals = New-MergedSync
        if ($StateDeleted -eq 'deleted') { Remove-Item -LiteralPath (Join-Path $script:StoreHome 'state/work.json') }

        $run = Remove-CalSyncCopy -Name Work -Confirm:$false -ErrorAction Stop

        Get-OutlookIds | Should -Be $originals.Outlook
        Get-Bitrix24Ids | Should -Be $originals.Bitrix24
        $run.Mode | Should -Be 'RemoveCopies:Both'
        $run.Outlook.Deleted | Should -Be 16
        $run.Bitrix24.Deleted | Should -Be 16
        (Get-CalSyncHistory -Name Work -Last 1).RunId | Should -Be $run.RunId
    }

    It '-WhatIf in a new pwsh lists each copy with its title, calendar and local start, and writes nothing' {
        New-MergedSync | Out-Null
        $before = @(Get-TreeHash $script:StoreHome) + "writes $(Get-SandboxWriteCount $script:Sandbox)"

        $child = Invoke-ChildPwsh -NonInteractive -Environment $script:ChildEnvironment -Script 'Import-Module $env:CALSYNC_TEST_MANIFEST; Remove-CalSyncCopy -Name Work -WhatIf -ErrorAction Stop'

        $child.ExitCode | Should -Be 0
        $child.StdOut | Should -Match "What if: Remove-CalSyncCopy 'Work': Plan \(RemoveCopies:Both\): 32 write\(s\)"
        $day = [DateTime]::UtcNow.Date.AddDays(1).ToString('yyyy-MM-dd')
        $child.StdOut | Should -Match "Delete on Bitrix24: 'Outlook only 3' $day 03:00 UTC"
        $child.StdOut | Should -Match "Delete on Outlook: 'Bitrix24 only 7' $day 07:00 UTC"
        $child.StdOut | Should -Not -Match "'Both \d'"
        @(Get-TreeHash $script:StoreHome) + "writes $(Get-SandboxWriteCount $script:Sandbox)" | Should -Be $before
    }

    It 'killed mid-removal (a real pwsh) leaves a removal that Start-CalSync refuses and a rerun finishes, originals untouched' {
        $originals = New-MergedSync
        # Outlook's deletes go first; Bitrix24 answers slowly, so the kill lands between the two sides.
        Invoke-SandboxControl $script:Sandbox.Bitrix24Control POST faults @{ latencyMs = 4000 } | Out-Null
        $started = Start-TestProcess -FilePath (Get-ChildPwsh) -ArgumentList '-NoProfile', '-NonInteractive', '-Command',
            'Import-Module $env:CALSYNC_TEST_MANIFEST; Remove-CalSyncCopy -Name Work -Confirm:$false -ErrorAction Stop' -Environment $script:ChildEnvironment
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(90)
            while ((Get-OutlookIds).Count -gt 24 -and [DateTime]::UtcNow -lt $deadline -and -not $started.Process.HasExited) { Start-Sleep -Milliseconds 50 }
            $started.Process.HasExited | Should -BeFalse
            $started.Process.Kill($true)
            $started.Process.WaitForExit()
        }
        finally { Invoke-SandboxControl $script:Sandbox.Bitrix24Control POST faults @{ latencyMs = 0 } | Out-Null }
        Get-OutlookIds | Should -Be $originals.Outlook
        (Get-Bitrix24Ids).Count | Should -BeGreaterThan $originals.Bitrix24.Count

        $writes = Get-SandboxWriteCount $script:Sandbox
        $refused = Invoke-ChildPwsh -NonInteractive -Environment $script:ChildEnvironment -Script 'Import-Module $env:CALSYNC_TEST_MANIFEST; Start-CalSync -Name Work -ErrorAction Stop'
        $refused.ExitCode | Should -Not -Be 0
        $refused.StdErr | Should -Match "Run Remove-CalSyncCopy -Name 'Work' to finish it"
        Get-SandboxWriteCount $script:Sandbox | Should -Be $writes

        $rerun = Remove-CalSyncCopy -Name Work -Confirm:$false -ErrorAction Stop
        $rerun.Bitrix24.Deleted | Should -Be 16
        Get-OutlookIds | Should -Be $originals.Outlook
        Get-Bitrix24Ids | Should -Be $originals.Bitrix24
        (Start-CalSync -Name Work -ErrorAction Stop).Writes | Should -Be 0
    }
}

Describe 'Reset-CalSync' {
    It 'forgets the links and the next plain run re-matches every pair without a write or a duplicate' {
        New-MergedSync | Out-Null
        $titles = Get-Titles

        $reset = Reset-CalSync -Name Work -Confirm:$false -ErrorAction Stop
        $reset.Mode | Should -Be 'Reset'
        $writes = Get-SandboxWriteCount $script:Sandbox
        $run = Start-CalSync -Name Work -ErrorAction Stop

        $run.Mode | Should -Be 'InitialMerge:TwoWay'
        $run.Matched | Should -Be 40
        $run.Writes | Should -Be 0
        Get-SandboxWriteCount $script:Sandbox | Should -Be $writes
        Get-Titles | Should -Be $titles
        (Start-CalSync -Name Work -ErrorAction Stop).Outcome | Should -Be 'NoChanges'
    }
}
