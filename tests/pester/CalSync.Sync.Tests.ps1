# Pester 5 tests mirroring tests/CalSync.Cmdlets.Tests/StartCalSyncTests.cs: they start the sandbox stand-ins
# (dotnet run --project src/CalSync.Sandbox -- serve --empty) and drive the cmdlets end to end.
BeforeAll {
    $root = Resolve-Path (Join-Path $PSScriptRoot '../..')
    $env:CALSYNC_HOME = Join-Path ([IO.Path]::GetTempPath()) ("calsync-pester-" + [guid]::NewGuid())
    Import-Module (Join-Path $root 'out/CalSync/CalSync.psd1') -Force
    $log = Join-Path ([IO.Path]::GetTempPath()) ("calsync-sandbox-" + [guid]::NewGuid() + '.log')
    $script:Sandbox = Start-Process dotnet -ArgumentList @('run', '--project', (Join-Path $root 'src/CalSync.Sandbox'), '--', 'serve', '--empty') -RedirectStandardOutput $log -PassThru
    $deadline = (Get-Date).AddMinutes(3)
    while (-not (Select-String -Path $log -Pattern 'Bitrix24 stand-in webhook' -Quiet -ErrorAction SilentlyContinue)) {
        if ((Get-Date) -gt $deadline) { throw 'The sandbox did not start.' }
        Start-Sleep -Milliseconds 500
    }
    $text = Get-Content $log -Raw
    $script:Graph = [regex]::Match($text, 'Graph\) stand-in:\s+(\S+)').Groups[1].Value
    $script:Token = ConvertTo-SecureString ([regex]::Match($text, 'access token:\s+(\S+)').Groups[1].Value) -AsPlainText -Force
    $script:Webhook = ConvertTo-SecureString ([regex]::Match($text, 'webhook:\s+(\S+)').Groups[1].Value) -AsPlainText -Force
    Connect-OutlookCalendar -Endpoint $script:Graph -AccessToken $script:Token | Out-Null
    Connect-Bitrix24 -WebhookUrl $script:Webhook -AllowPlaintextSecretStore -WarningAction SilentlyContinue | Out-Null
}

AfterAll {
    if ($script:Sandbox) { Stop-Process -Id $script:Sandbox.Id -ErrorAction SilentlyContinue }
    Remove-Module CalSync -ErrorAction SilentlyContinue
    Remove-Item -Recurse -Force $env:CALSYNC_HOME -ErrorAction SilentlyContinue
    $env:CALSYNC_HOME = $null
}

Describe 'A sync through the cmdlets' {
    It 'defines a sync with the documented defaults' {
        $s = New-CalSync -Name Work
        $s.Interval | Should -Be ([timespan]'00:10:00')
        $s.AllowDelete | Should -BeTrue
    }

    It '-WhatIf writes nothing' {
        $before = Get-ChildItem $env:CALSYNC_HOME -Recurse -File -Exclude *.lock, *.owner | Get-FileHash
        Start-CalSync -Name Work -InitialMerge TwoWay -WhatIf | Should -BeNullOrEmpty
        $after = Get-ChildItem $env:CALSYNC_HOME -Recurse -File -Exclude *.lock, *.owner | Get-FileHash
        Compare-Object $before.Hash $after.Hash | Should -BeNullOrEmpty
    }

    It 'runs from the pipeline and records history' {
        $run = Get-CalSync -Name Work | Start-CalSync -InitialMerge TwoWay
        $run.Outcome | Should -BeIn @('Succeeded', 'NoChanges')
        (Start-CalSync -Name Work).Outcome | Should -Be 'NoChanges'
        @(Get-CalSync -Name Work | Get-CalSyncHistory -Last 5).Count | Should -Be 2
    }

    It 'reports a missing sync with its error id, terminating under -ErrorAction Stop' {
        { Start-CalSync -Name Nope -ErrorAction Stop } | Should -Throw -ErrorId 'SyncNotFound*'
    }
}
