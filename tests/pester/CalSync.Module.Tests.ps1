# Pester 5 tests for machines with pwsh; they mirror tests/CalSync.Cmdlets.Tests/ModuleTests.cs and run against the
# built module (dotnet build CalSync.sln first). Run: Invoke-Pester tests/pester
BeforeAll {
    $script:Manifest = Join-Path $PSScriptRoot '../../out/CalSync/CalSync.psd1'
    $env:CALSYNC_HOME = Join-Path ([IO.Path]::GetTempPath()) ("calsync-pester-" + [guid]::NewGuid())
    Import-Module $script:Manifest -Force
}

AfterAll {
    Remove-Module CalSync -ErrorAction SilentlyContinue
    Remove-Item -Recurse -Force $env:CALSYNC_HOME -ErrorAction SilentlyContinue
    $env:CALSYNC_HOME = $null
}

Describe 'CalSync module' {
    It 'passes Test-ModuleManifest' {
        $m = Test-ModuleManifest -Path $script:Manifest
        $m.CompatiblePSEditions | Should -Be @('Core')
        $m.PowerShellVersion | Should -Be ([version]'7.4')
    }

    It 'exports exactly what the manifest lists' {
        $exported = (Test-ModuleManifest -Path $script:Manifest).ExportedCmdlets.Keys | Sort-Object
        (Get-Command -Module CalSync).Name | Sort-Object | Should -Be $exported
    }

    It 'uses approved verbs and declares output types' {
        $verbs = (Get-Verb).Verb
        foreach ($c in Get-Command -Module CalSync) {
            $verbs | Should -Contain $c.Verb
            $c.OutputType | Should -Not -BeNullOrEmpty
        }
    }

    It 'has help with at least two examples for <_>' -ForEach @(Get-Command -Module CalSync | ForEach-Object Name) {
        @((Get-Help $_ -Examples).examples.example).Count | Should -BeGreaterOrEqual 2
    }

    It 'loads the engine in its own load context' {
        Test-CalSyncMapping -Mapping busy-only -Sample | Out-Null
        $ctx = [System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object Name -eq 'CalSync'
        $ctx.Assemblies.GetName().Name | Should -Contain 'CalSync.Engine'
    }
}

Describe 'Mapping cmdlets' {
    It 'exports a built-in profile and shows what busy-only does' {
        $path = Join-Path $env:CALSYNC_HOME 'busy.yaml'
        Export-CalSyncMapping -Name busy-only -Path $path
        Get-Content $path -Raw | Should -Match 'carry: busy-only'
        $p = @{ Subject = 'Therapy'; Start = [datetime]'2025-03-10T14:00'; Location = 'Praxis' } | Test-CalSyncMapping -MappingPath $path
        $p.CopyTitle | Should -Be 'Busy'
        $p.CopyLocation | Should -Be ''
    }

    It 'refuses an invalid mapping file with its position' {
        $bad = Join-Path $env:CALSYNC_HOME 'bad.yaml'
        Set-Content $bad "schema: 1`nname: bad`nfields:`n  - outlook: subject`n    bitrix24: nonsense`n"
        { Test-CalSyncMapping -MappingPath $bad } | Should -Throw -ErrorId 'MappingInvalid*'
    }
}
