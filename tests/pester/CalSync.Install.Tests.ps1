# The module as users get it: out/CalSync published to a PowerShell repository (a local file repository standing in
# for the Gallery), installed from there with PSResourceGet, imported BY NAME in a new pwsh and used against the
# stand-ins; and, in a new pwsh that already holds another MSAL, the isolation claim (CalSync's MSAL in its own load
# context). Needs the built module and stand-ins, and 'dotnet restore tests/CalSync.Cmdlets.Tests' (MSAL 4.61.3).
BeforeAll {
    . (Join-Path $PSScriptRoot 'Support.ps1')
    $script:Sandbox = Start-TestSandbox
    Invoke-SandboxControl $script:Sandbox.GraphControl POST faults @{ deviceCodeIntervalSeconds = 1 } | Out-Null
    $script:Feed = New-TestDirectory 'calsync-feed'
    $script:Installed = New-TestDirectory 'calsync-modules'
    $script:Homes = New-TestDirectory 'calsync-homes'
    $script:Version = (Import-PowerShellDataFile $script:Manifest).ModuleVersion
    $script:RepositoryName = 'CalSyncPester' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    Register-PSResourceRepository -Name $script:RepositoryName -Uri $script:Feed -Trusted
    Publish-PSResource -Path $script:ModuleDir -Repository $script:RepositoryName
    Save-PSResource -Name CalSync -Version $script:Version -Repository $script:RepositoryName -Path $script:Installed -TrustRepository
    $script:InstalledBase = Join-Path $script:Installed 'CalSync' $script:Version

    function Invoke-InstalledCalSync {
        <# A script in a new pwsh that finds CalSync only in the installed folder; the sandbox's addresses come as variables. #>
        param([string] $Script, [string] $StoreName, [switch] $NonInteractive)
        $environment = @{
            PSModulePath = $script:Installed + [IO.Path]::PathSeparator + $env:PSModulePath
            CALSYNC_HOME = Join-Path $script:Homes $StoreName
            CALSYNC_TEST_GRAPH = $script:Sandbox.Graph; CALSYNC_TEST_TOKEN = $script:Sandbox.Token
            CALSYNC_TEST_AUTHORITY = $script:Sandbox.Authority; CALSYNC_TEST_WEBHOOK = $script:Sandbox.Webhook
            CALSYNC_TEST_MSAL = Get-NuGetPackagePath microsoft.identity.client 4.61.3 lib/net6.0/Microsoft.Identity.Client.dll
        }
        Invoke-ChildPwsh -Script $Script -Environment $environment -NonInteractive:$NonInteractive
    }
}

AfterAll {
    if ($script:RepositoryName) { Unregister-PSResourceRepository -Name $script:RepositoryName -ErrorAction SilentlyContinue }
    Stop-TestSandbox $script:Sandbox
    Remove-TestDirectory $script:Feed, $script:Installed, $script:Homes
}

Describe 'Publishing and installing with PSResourceGet' {
    It 'publishes one package with the metadata the Gallery shows' {
        (Get-ChildItem $script:Feed).Name | Should -Be "CalSync.$script:Version.nupkg"
        $found = Find-PSResource -Name CalSync -Repository $script:RepositoryName
        $found.Version | Should -Be ([version]$script:Version)
        "$($found.ProjectUri)" | Should -Be 'https://github.com/calsync/calsync'
        "$($found.LicenseUri)" | Should -Be 'https://github.com/calsync/calsync/blob/main/LICENSE'
        foreach ($tag in 'PSEdition_Core', 'Windows', 'Linux', 'MacOS', 'Bitrix24') { $found.Tags | Should -Contain $tag }
        $found.ReleaseNotes | Should -Match 'net8\.0'
        $found.Author | Should -Be 'CalSync contributors'
    }

    It 'installs every file of the built module, the LICENSE included' {
        $built = Get-ChildItem $script:ModuleDir -Recurse -File | ForEach-Object { [IO.Path]::GetRelativePath($script:ModuleDir, $_.FullName) } | Sort-Object
        $installed = Get-ChildItem $script:InstalledBase -Recurse -File | ForEach-Object { [IO.Path]::GetRelativePath($script:InstalledBase, $_.FullName) } | Sort-Object
        $installed | Should -Be $built
        Get-FileHash (Join-Path $script:InstalledBase 'Dependencies/CalSync.Engine.dll') |
            ForEach-Object Hash | Should -Be (Get-FileHash (Join-Path $script:ModuleDir 'Dependencies/CalSync.Engine.dll')).Hash
        Get-Content -Raw (Join-Path $script:InstalledBase 'LICENSE') | Should -Match '^MIT License'
        (Test-ModuleManifest (Join-Path $script:InstalledBase 'CalSync.psd1')).LicenseUri | Should -Be 'https://github.com/calsync/calsync/blob/main/LICENSE'
    }

    It 'imports CalSync by name in a new pwsh and syncs Outlook and Bitrix24' {
        Add-OutlookMeeting $script:Sandbox 'Installed sync' 9 | Out-Null
        $r = Invoke-InstalledCalSync -StoreName byname -NonInteractive -Script @'
            $ErrorActionPreference = 'Stop'
            Import-Module CalSync
            $module = Get-Module CalSync
            Connect-OutlookCalendar -Endpoint $env:CALSYNC_TEST_GRAPH -AccessToken (ConvertTo-SecureString $env:CALSYNC_TEST_TOKEN -AsPlainText -Force) | Out-Null
            Connect-Bitrix24 -WebhookUrl (ConvertTo-SecureString $env:CALSYNC_TEST_WEBHOOK -AsPlainText -Force) -AllowPlaintextSecretStore -WarningAction SilentlyContinue | Out-Null
            New-CalSync -Name Work | Out-Null
            $run = Start-CalSync -Name Work -InitialMerge TwoWay
            'RESULT ' + (@{ Base = $module.ModuleBase; Version = "$($module.Version)"; Outcome = "$($run.Outcome)"; Created = $run.Bitrix24.Created } | ConvertTo-Json -Compress)
'@
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        $result = Get-ChildResult $r
        $result.Base | Should -Be $script:InstalledBase
        $result.Version | Should -Be $script:Version
        $result.Outcome | Should -Be 'Succeeded'
        $result.Created | Should -Be 1
        (Get-Bitrix24Meeting $script:Sandbox).name | Should -Contain 'Installed sync'
    }
}

Describe 'Another MSAL loaded first in the same pwsh' {
    BeforeAll {
        Add-OutlookMeeting $script:Sandbox 'Isolated sync' 11 | Out-Null
        # Interactive (no -NonInteractive): the device-code sign-in runs MSAL itself; the stand-in approves the code.
        $script:Child = Invoke-InstalledCalSync -StoreName isolation -Script @'
            $ErrorActionPreference = 'Stop'
            Add-Type -Path $env:CALSYNC_TEST_MSAL
            $other = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Microsoft.Identity.Client' }
            Import-Module CalSync
            $outlook = Connect-OutlookCalendar -Endpoint $env:CALSYNC_TEST_GRAPH -Authority $env:CALSYNC_TEST_AUTHORITY -ClientId 11111111-2222-3333-4444-555555555555 -UseDeviceCode -AllowPlaintextTokenCache
            Connect-Bitrix24 -WebhookUrl (ConvertTo-SecureString $env:CALSYNC_TEST_WEBHOOK -AsPlainText -Force) -AllowPlaintextSecretStore -WarningAction SilentlyContinue | Out-Null
            New-CalSync -Name Work | Out-Null
            $run = Start-CalSync -Name Work -InitialMerge TwoWay
            $msal = @(); $contexts = @{}
            foreach ($a in [AppDomain]::CurrentDomain.GetAssemblies()) {
                $name = $a.GetName().Name
                $context = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($a).Name
                if ($name -eq 'Microsoft.Identity.Client') { $msal += @{ Version = "$($a.GetName().Version)"; Context = $context; Path = $a.Location } }
                if ($name -in 'CalSync.Cmdlets', 'CalSync.Engine', 'CalSync.Outlook', 'Microsoft.Graph') { $contexts[$name] = $context }
            }
            'RESULT ' + (@{
                Auth = $outlook.Auth; Account = $outlook.Account; Outcome = "$($run.Outcome)"; Created = $run.Bitrix24.Created; Matched = $run.Matched
                LoadedFirst = "$($other.GetName().Version)"; Msal = $msal; Contexts = $contexts
            } | ConvertTo-Json -Compress -Depth 4)
'@
        $script:Isolation = if ($script:Child.ExitCode -eq 0) { Get-ChildResult $script:Child }
    }

    It 'signs in with the device code through CalSync''s MSAL and syncs' {
        $script:Child.ExitCode | Should -Be 0 -Because $script:Child.StdErr
        $script:Isolation.Auth | Should -Be 'DeviceCode'
        $script:Isolation.Account | Should -Be 'alex.sandbox@outlook.com'
        $script:Isolation.Outcome | Should -Be 'Succeeded'
        $script:Isolation.Created | Should -Be 1 # 'Isolated sync'; the meeting of the other store is matched, not copied again
        $script:Isolation.Matched | Should -BeGreaterOrEqual 1
        @((Get-Bitrix24Meeting $script:Sandbox).name | Where-Object { $_ -eq 'Isolated sync' }).Count | Should -Be 1
    }

    It 'has MSAL 4.61.3 in the default context and CalSync''s 4.92 in the context named CalSync' {
        $script:Isolation.LoadedFirst | Should -Be '4.61.3.0' # before Import-Module CalSync
        $msal = @($script:Isolation.Msal)
        $msal.Count | Should -Be 2
        $other = $msal | Where-Object Version -eq '4.61.3.0'
        $other.Context | Should -Be 'Default'
        $other.Path | Should -Be (Get-NuGetPackagePath microsoft.identity.client 4.61.3 lib/net6.0/Microsoft.Identity.Client.dll)
        $ours = $msal | Where-Object Version -eq '4.92.0.0'
        $ours.Context | Should -Be 'CalSync'
        $ours.Path | Should -Be (Join-Path $script:InstalledBase 'Dependencies/Microsoft.Identity.Client.dll')
    }

    It 'keeps the cmdlet assembly in the default context and the engine, connector and Graph in CalSync''s' {
        $script:Isolation.Contexts.'CalSync.Cmdlets' | Should -Be 'Default'
        $script:Isolation.Contexts.'CalSync.Engine' | Should -Be 'CalSync'
        $script:Isolation.Contexts.'CalSync.Outlook' | Should -Be 'CalSync'
        $script:Isolation.Contexts.'Microsoft.Graph' | Should -Be 'CalSync'
    }
}
