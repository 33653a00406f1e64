# Issue 19, cases 2 and 5, as a user meets them in a real pwsh against the stand-ins: changing a merged sync's direction
# or filters (Set-CalSync's one line, -WhatIf, the run, judged by reading both calendars) and a second sync on the same
# pair of calendars. Mirrors tests/CalSync.Cmdlets.Tests/SettingsChangeTests.cs.
# Needs: dotnet build src/CalSync.Cmdlets/CalSync.Cmdlets.csproj and dotnet build src/CalSync.Sandbox.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Support.ps1')
    $script:PreviousHome = $env:CALSYNC_HOME
    $script:StoreHome = New-TestDirectory
    $env:CALSYNC_HOME = $script:StoreHome
    Import-Module $script:Manifest -Force
    $script:Sandbox = Start-TestSandbox
    $script:Webhook = ConvertTo-SecureString $script:Sandbox.Webhook -AsPlainText -Force
    Connect-OutlookCalendar -Endpoint $script:Sandbox.Graph -AccessToken (ConvertTo-SecureString $script:Sandbox.Token -AsPlainText -Force) | Out-Null
    Connect-Bitrix24 -WebhookUrl $script:Webhook -AllowPlaintextSecretStore -WarningAction SilentlyContinue | Out-Null

    function Add-Bitrix24Meeting {
        <# A meeting in the Bitrix24 stand-in tomorrow (UTC) at the given hour, through the REST API as a user's client adds it. #>
        param([string] $Name, [int] $Hour, [int] $Section)
        $info = Invoke-SandboxControl $script:Sandbox.Bitrix24Control GET info
        $start = [DateTime]::UtcNow.Date.AddDays(1).AddHours($Hour)
        $body = @{
            type = 'user'; ownerId = $info.userId; section = $(if ($Section) { $Section } else { $info.defaultSectionId }); name = $Name
            from = $start.ToString('yyyy-MM-dd HH:mm:ss'); to = $start.AddHours(1).ToString('yyyy-MM-dd HH:mm:ss'); timezone_from = 'UTC'; timezone_to = 'UTC'
        } | ConvertTo-Json -Compress
        Invoke-RestMethod -Method Post -Uri "$($script:Sandbox.Webhook)calendar.event.add" -Body $body -ContentType 'application/json' | Out-Null
    }
    function Get-OutlookSubject { @(Invoke-SandboxControl $script:Sandbox.GraphControl GET events).subject | Sort-Object }
    function Get-Bitrix24Name {
        param([int] $Section)
        @(Get-Bitrix24Meeting $script:Sandbox | Where-Object { -not $Section -or $_.sectionId -eq $Section }).name | Sort-Object
    }
}

AfterAll {
    Stop-TestSandbox $script:Sandbox
    Remove-Module CalSync -ErrorAction SilentlyContinue
    $env:CALSYNC_HOME = $script:PreviousHome
    Remove-TestDirectory $script:StoreHome
}

Describe 'Changing a merged sync' {
    BeforeAll {
        Add-OutlookMeeting $script:Sandbox 'Planning' 8 | Out-Null
        Add-OutlookMeeting $script:Sandbox 'Review' 10 | Out-Null
        Add-Bitrix24Meeting 'Board' 12
        Add-Bitrix24Meeting 'Offsite' 14
        New-CalSync -Name Work | Out-Null
        (Start-CalSync -Name Work -InitialMerge TwoWay).Created | Should -Be 4
    }

    It 'says in one line which copies the next run removes when the direction changes, and -WhatIf shows the writes' {
        Get-OutlookSubject | Should -Be @('Board', 'Offsite', 'Planning', 'Review')
        Set-CalSync -Name Work -Direction OutlookToBitrix24 -WarningVariable said -WarningAction SilentlyContinue
        @($said).Count | Should -Be 1
        "$($said[0])" | Should -Match '^The next run removes 2 copies that flowed from Bitrix24 to Outlook \(the sync no longer copies that way; the Bitrix24 originals stay\)\.$'

        $writes = Get-SandboxWriteCount $script:Sandbox
        Start-CalSync -Name Work -WhatIf | Should -BeNullOrEmpty # the plan goes to the host
        $deletes = @(Get-CalSyncPlan -Name Work | Where-Object Action -eq 'Delete')
        $deletes.Title | Sort-Object | Should -Be @('Board', 'Offsite')
        $deletes.TargetSide | Sort-Object -Unique | Should -Be 'Outlook'
        $deletes[0].Reason | Should -Match 'no longer copies from Bitrix24 to Outlook'
        @(Get-CalSyncPlan -Name Work | Where-Object Action -ne 'Delete') | Should -BeNullOrEmpty
        Get-SandboxWriteCount $script:Sandbox | Should -Be $writes
    }

    It 'removes exactly those copies and never touches Bitrix24, where their originals are' {
        $bitrix24Writes = @(Invoke-SandboxControl $script:Sandbox.Bitrix24Control GET requests | Where-Object isWrite).Count
        $run = Start-CalSync -Name Work
        $run.Outlook.Deleted | Should -Be 2
        $run.Bitrix24.Deleted | Should -Be 0
        Get-OutlookSubject | Should -Be @('Planning', 'Review')
        Get-Bitrix24Name | Should -Be @('Board', 'Offsite', 'Planning', 'Review')
        (Start-CalSync -Name Work).Outcome | Should -Be 'NoChanges'
        @(Invoke-SandboxControl $script:Sandbox.Bitrix24Control GET requests | Where-Object isWrite).Count | Should -Be $bitrix24Writes
    }

    It 'removes the copy of a meeting a new filter leaves out, keeping its original' {
        $path = Join-Path $script:StoreHome 'no-reviews.yaml'
        Export-CalSyncMapping -Name default -Path $path
        (Get-Content -Raw $path).Replace('  exclude: []', "  exclude:`n    - { field: subject, contains: Review }") | Set-Content -LiteralPath $path
        Set-CalSync -Name Work -MappingPath $path -WarningVariable said -WarningAction SilentlyContinue
        "$($said[0])" | Should -Match '^The next run applies the mapping''s new filters: the copies of meetings they leave out are removed'
        (Start-CalSync -Name Work).Bitrix24.Deleted | Should -Be 1
        Get-Bitrix24Name | Should -Be @('Board', 'Offsite', 'Planning')
        Get-OutlookSubject | Should -Be @('Planning', 'Review')
    }
}

Describe 'One sync per pair of calendars' {
    It 'refuses a second sync on the same calendars, naming the first, and saves nothing' {
        $e = { New-CalSync -Name Home -Mapping busy-only-one-way -Direction OutlookToBitrix24 -ErrorAction Stop } | Should -Throw -ErrorId 'CalendarPairInUse*' -PassThru
        $e.CategoryInfo.Category | Should -Be 'ResourceExists'
        $e.Exception.Message | Should -Match "The sync 'Work' already syncs this pair of calendars"
        Join-Path $script:StoreHome 'syncs/home.json' | Should -Not -Exist
    }

    It 'accepts it on another Bitrix24 calendar, as the error advises, and it leaves the copies of the first sync alone' {
        Connect-Bitrix24 -Name home -WebhookUrl $script:Webhook -Calendar Home -CreateCalendar -AllowPlaintextSecretStore -WarningAction SilentlyContinue | Out-Null
        $homeSection = (Get-CalSyncConnection -Name home).CalendarId
        New-CalSync -Name Home -Bitrix24Connection home -Mapping busy-only-one-way -Direction OutlookToBitrix24 | Out-Null
        Add-Bitrix24Meeting 'Stand-up' 16
        (Start-CalSync -Name Work).Outlook.Created | Should -Be 0 # one-way now: Work copies nothing to Outlook
        Set-CalSync -Name Work -Direction TwoWay -InformationVariable said 6>$null
        "$said" | Should -Match 'starts copying the Bitrix24 meetings not linked yet to Outlook'
        (Start-CalSync -Name Work).Outlook.Created | Should -Be 3 # Board, Offsite and Stand-up, copied by Work (stamped)

        $run = Start-CalSync -Name Home -InitialMerge OutlookToBitrix24
        # Only the Outlook originals become busy blocks; Work's copies of Bitrix24 meetings are Work's.
        $run.Bitrix24.Created | Should -Be 2
        Get-Bitrix24Name -Section $homeSection | Should -Be @('Busy', 'Busy')
        (Start-CalSync -Name Work, Home).Outcome | Should -Be @('NoChanges', 'NoChanges')
    }
}
