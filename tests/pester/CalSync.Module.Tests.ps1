# The built module (out/CalSync) as a PowerShell user inspects it: manifest and Gallery metadata, exports, help,
# parameter validation and the mapping cmdlets. Mirrors tests/CalSync.Cmdlets.Tests/ModuleTests.cs in a real pwsh.
# Needs: dotnet build src/CalSync.Cmdlets/CalSync.Cmdlets.csproj. Run: Invoke-Pester tests/pester
BeforeDiscovery {
    # -ForEach data is evaluated at discovery, before BeforeAll imports the module: take the names from the manifest.
    $cmdletNames = (Import-PowerShellDataFile (Join-Path $PSScriptRoot '../../module/CalSync.psd1')).CmdletsToExport
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Support.ps1')
    $script:PreviousHome = $env:CALSYNC_HOME
    $script:StoreHome = New-TestDirectory
    $env:CALSYNC_HOME = $script:StoreHome
    Import-Module $script:Manifest -Force
    $script:Info = Test-ModuleManifest -Path $script:Manifest
}

AfterAll {
    Remove-Module CalSync -ErrorAction SilentlyContinue
    $env:CALSYNC_HOME = $script:PreviousHome
    Remove-TestDirectory $script:StoreHome
}

Describe 'CalSync module' {
    It 'passes Test-ModuleManifest' {
        $script:Info.CompatiblePSEditions | Should -Be @('Core')
        $script:Info.PowerShellVersion | Should -Be ([version]'7.4')
    }

    It 'exports exactly what the manifest lists' {
        $exported = $script:Info.ExportedCmdlets.Keys | Sort-Object
        (Get-Command -Module CalSync).Name | Sort-Object | Should -Be $exported
    }

    It 'uses approved verbs and declares output types' {
        $verbs = (Get-Verb).Verb
        foreach ($c in Get-Command -Module CalSync) {
            $verbs | Should -Contain $c.Verb
            $c.OutputType | Should -Not -BeNullOrEmpty
        }
    }

    It 'has help with at least two examples for <_>' -ForEach $cmdletNames {
        @((Get-Help $_ -Examples).examples.example).Count | Should -BeGreaterOrEqual 2
    }

    It 'loads the engine in its own load context' {
        Test-CalSyncMapping -Mapping busy-only -Sample | Out-Null
        $ctx = [System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object Name -eq 'CalSync'
        $ctx.Assemblies.GetName().Name | Should -Contain 'CalSync.Engine'
    }
}

Describe 'What the PowerShell Gallery asks of the manifest' {
    It 'names the project, the license and the platforms' {
        $script:Info.ProjectUri | Should -Be 'https://github.com/calsync/calsync'
        $script:Info.LicenseUri | Should -Be 'https://github.com/calsync/calsync/blob/main/LICENSE'
        foreach ($tag in 'PSEdition_Core', 'Windows', 'Linux', 'MacOS', 'Calendar', 'Outlook', 'Bitrix24') {
            $script:Info.Tags | Should -Contain $tag
        }
        $script:Info.Author | Should -Not -BeNullOrEmpty
        $script:Info.Description | Should -Not -BeNullOrEmpty
    }

    It 'describes this version in the release notes' {
        $script:Info.ReleaseNotes | Should -Match ([regex]::Escape($script:Info.Version.ToString()))
        $script:Info.ReleaseNotes | Should -Match 'net8\.0'
        $script:Info.ReleaseNotes | Should -Match 'pinned'
    }

    It 'ships the MIT LICENSE the repository carries' {
        $shipped = Join-Path $script:ModuleDir 'LICENSE'
        $shipped | Should -Exist
        $text = Get-Content -Raw $shipped
        $text | Should -Match '^MIT License'
        $text | Should -Match 'Permission is hereby granted, free of charge'
        $text | Should -BeExactly (Get-Content -Raw (Join-Path $script:RepoRoot 'LICENSE'))
    }
}

Describe 'Help' {
    It 'gives <_> a written synopsis, a description and every parameter described' -ForEach $cmdletNames {
        $help = Get-Help $_ -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match ([regex]::Escape("$_ [")) # not the syntax PowerShell makes up without help
        ($help.description.Text -join '') | Should -Not -BeNullOrEmpty
        $undescribed = @($help.parameters.parameter | Where-Object { -not ($_.description.Text -join '') } | ForEach-Object name)
        $undescribed | Should -BeNullOrEmpty
    }

    It 'gives <_> help PowerShell users can read: clean types, WhatIf/Confirm, defaults, inputs and outputs (issue 18, case 4)' -ForEach $cmdletNames {
        $help = Get-Help $_ -Full
        $text = $help | Out-String -Width 300
        $text | Should -Not -Match 'Culture=|PublicKeyToken|System\.Nullable'
        if ((Get-Command $_).Parameters.ContainsKey('WhatIf')) {
            foreach ($item in @($help.syntax.syntaxItem)) {
                @($item.parameter.name) | Should -Contain 'WhatIf'
                @($item.parameter.name) | Should -Contain 'Confirm'
            }
        }
        $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
        $documented = @($help.parameters.parameter.name)
        foreach ($name in (Get-Command $_).Parameters.Keys | Where-Object { $_ -notin $common }) { $documented | Should -Contain $name -Because "-$name needs its help" }
        foreach ($parameter in @($help.parameters.parameter)) {
            ($parameter.description.Text -join '') | Should -Not -BeNullOrEmpty -Because "-$($parameter.name) needs a description"
            "$($parameter.defaultValue)".Trim() | Should -Not -BeNullOrEmpty -Because "-$($parameter.name) needs its default value"
        }
        @($help.inputTypes.inputType).Count | Should -BeGreaterThan 0
        foreach ($input in @($help.inputTypes.inputType)) {
            "$($input.type.name)".Trim() | Should -Not -BeNullOrEmpty
            ($input.description.Text -join '') | Should -Not -BeNullOrEmpty
        }
        foreach ($output in @($help.returnValues.returnValue)) {
            "$($output.type.name)".Trim() | Should -Not -BeNullOrEmpty
            ($output.description.Text -join '') | Should -Not -BeNullOrEmpty
        }
        @($help.returnValues.returnValue).Count | Should -BeGreaterThan 0
    }

    It 'points <_> -Online at its section of docs/cmdlets.md in the repository' -ForEach $cmdletNames {
        $uri = "$($script:Info.ProjectUri)/blob/main/docs/cmdlets.md#$($_.ToLowerInvariant())"
        (Get-Command $_).HelpUri | Should -Be $uri
        @((Get-Help $_).relatedLinks.navigationLink)[0].uri | Should -Be $uri
        # The anchor GitHub makes of the heading, and the section names what the help names.
        $doc = Get-Content -Raw (Join-Path $script:RepoRoot 'docs/cmdlets.md')
        $section = [regex]::Match($doc, "(?ms)^## $([regex]::Escape($_))\r?\n(.*?)(?=^## |\z)").Groups[1].Value
        $section | Should -Not -BeNullOrEmpty
        $section | Should -Match ([regex]::Escape((Get-Help $_).Synopsis))
        foreach ($parameter in @((Get-Help $_ -Full).parameters.parameter)) { $section | Should -Match "\| -$($parameter.name) \|" }
    }

    It 'opens the online help with the system browser opener' -Skip:(-not $IsLinux) {
        # Get-Help -Online hands the URI to the system (xdg-open on Linux): a stand-in opener records what it was given.
        $bin = New-TestDirectory
        try {
            $opened = Join-Path $bin 'opened.txt'
            Set-Content -LiteralPath (Join-Path $bin 'xdg-open') -Value "#!/bin/sh`nprintf '%s' `"`$1`" > '$opened'`n"
            chmod +x (Join-Path $bin 'xdg-open')
            $r = Invoke-ChildPwsh -NonInteractive -Environment @{ PATH = "$bin$([IO.Path]::PathSeparator)$env:PATH"; CALSYNC_TEST_MANIFEST = $script:Manifest } -Script 'Import-Module $env:CALSYNC_TEST_MANIFEST; Get-Help Get-CalSyncStatus -Online'
            $r.ExitCode | Should -Be 0 -Because $r.StdErr
            $deadline = [DateTime]::UtcNow.AddSeconds(10)
            while (-not (Test-Path -LiteralPath $opened) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
            Get-Content -Raw -LiteralPath $opened | Should -Be "$($script:Info.ProjectUri)/blob/main/docs/cmdlets.md#get-calsyncstatus"
        }
        finally { Remove-TestDirectory $bin }
    }

    It 'has the about_CalSync topic naming the cmdlets of a first session' {
        $about = Get-Help about_CalSync | Out-String
        foreach ($name in 'Connect-OutlookCalendar', 'Connect-Bitrix24', 'New-CalSync', 'Start-CalSync', 'Register-CalSyncSchedule') {
            $about | Should -Match ([regex]::Escape($name))
        }
    }
}

Describe 'Parameter validation' {
    It 'names the parameter of an empty value' {
        $e = { Connect-OutlookCalendar -Name '' -AccessToken (ConvertTo-SecureString 'x' -AsPlainText -Force) } | Should -Throw -ErrorId 'ParameterArgumentValidationError*' -PassThru
        $e.Exception.ParameterName | Should -Be 'Name'
        $e.Exception.Message | Should -Match "parameter 'Name'"
    }

    It 'names the parameter of a value out of range, and the range' {
        $e = { New-CalSync -Name Range -PastDays 5000 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*' -PassThru
        $e.Exception.ParameterName | Should -Be 'PastDays'
        $e.Exception.Message | Should -Match '3650'
        $e2 = { Get-CalSyncHistory -Last 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*' -PassThru
        $e2.Exception.ParameterName | Should -Be 'Last'
    }

    It 'names the parameter of an unknown enum value and lists the valid ones' {
        $e = { Start-CalSync -Name Any -InitialMerge Sideways } | Should -Throw -PassThru
        $e.Exception.ParameterName | Should -Be 'InitialMerge'
        foreach ($valid in 'None', 'TwoWay', 'OutlookToBitrix24', 'Bitrix24ToOutlook') { $e.Exception.Message | Should -Match $valid }
    }

    It 'refuses -AccessToken together with -ClientId (separate parameter sets)' {
        { Connect-OutlookCalendar -AccessToken (ConvertTo-SecureString 'x' -AsPlainText -Force) -ClientId 'abc' } |
            Should -Throw -ErrorId 'AmbiguousParameterSet*'
    }

    It 'refuses a sync name with characters a file name cannot carry, naming the character' {
        $e = { New-CalSync -Name 'bad name!' -ErrorAction Stop } | Should -Throw -ErrorId 'CalSync.Store.InvalidName*' -PassThru
        $e.Exception.Message | Should -Match 'space'
        $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
        Get-ChildItem (Join-Path $script:StoreHome 'syncs') -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'completes built-in mapping names for -Mapping' {
        $line = 'New-CalSync -Name X -Mapping '
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText |
            Should -Be @('default', 'busy-only', 'busy-only-one-way')
    }
}

Describe 'Mapping cmdlets' {
    It 'exports a built-in profile and shows what busy-only does' {
        $path = Join-Path $script:StoreHome 'busy.yaml'
        Export-CalSyncMapping -Name busy-only -Path $path
        Get-Content $path -Raw | Should -Match 'carry: busy-only'
        $p = @{ Subject = 'Therapy'; Start = [datetime]'2025-03-10T14:00'; Location = 'Praxis' } | Test-CalSyncMapping -MappingPath $path
        $p.CopyTitle | Should -Be 'Busy'
        $p.CopyLocation | Should -Be ''
    }

    It 'refuses an invalid mapping file with its position' {
        $bad = Join-Path $script:StoreHome 'bad.yaml'
        Set-Content $bad "schema: 1`nname: bad`nfields:`n  - outlook: subject`n    bitrix24: nonsense`n"
        { Test-CalSyncMapping -MappingPath $bad } | Should -Throw -ErrorId 'MappingInvalid*'
    }

    It 'names the file and the line of a YAML syntax error' {
        $bad = Join-Path $script:StoreHome 'syntax.yaml'
        Set-Content $bad "schema: 1`nname: broken`ncarry: full: yes`nfields: []"
        $e = { Test-CalSyncMapping -MappingPath $bad } | Should -Throw -ErrorId 'MappingInvalid*' -PassThru
        $e.Exception.Message | Should -BeLike "$bad(3,*): not valid YAML*"
        $e.Exception.Line | Should -Be 3
        $e.TargetObject | Should -Be $bad
        $e.CategoryInfo.Category | Should -Be 'InvalidData'
    }

    It 'exports every built-in profile as a file that validates and behaves like the built-in' -ForEach @('default', 'busy-only', 'busy-only-one-way') {
        $path = Join-Path $script:StoreHome "export-$_.yaml"
        $file = Export-CalSyncMapping -Name $_ -Path $path -PassThru
        $file | Should -BeOfType [IO.FileInfo]
        $file.FullName | Should -Be $path
        $fromFile = Test-CalSyncMapping -MappingPath $path -Sample | ForEach-Object { "$($_.Title)|$($_.Synced)|$($_.CopyTitle)" }
        $builtIn = Test-CalSyncMapping -Mapping $_ -Sample | ForEach-Object { "$($_.Title)|$($_.Synced)|$($_.CopyTitle)" }
        $fromFile | Should -Be $builtIn
    }

    It 'does not overwrite a file without -Force, and -WhatIf writes nothing' {
        $path = Join-Path $script:StoreHome 'keep.yaml'
        Set-Content $path 'mine'
        $e = { Export-CalSyncMapping -Name default -Path $path -ErrorAction Stop } | Should -Throw -ErrorId 'FileExists*' -PassThru
        $e.CategoryInfo.Category | Should -Be 'ResourceExists'
        Export-CalSyncMapping -Name default -Path $path -Force -WhatIf
        Get-Content -Raw $path | Should -Be "mine$([Environment]::NewLine)"
        $new = Join-Path $script:StoreHome 'never.yaml'
        Export-CalSyncMapping -Name default -Path $new -WhatIf
        $new | Should -Not -Exist
        Export-CalSyncMapping -Name default -Path $path -Force
        Get-Content -Raw $path | Should -Match 'schema:'
    }

    It 'names the built-in profiles when asked for an unknown one' {
        $e = { Test-CalSyncMapping -Mapping nosuch } | Should -Throw -ErrorId 'MappingInvalid*' -PassThru
        $e.Exception.Message | Should -Match 'default, busy-only, busy-only-one-way'
    }

    It 'reports a meeting that ends before it starts as MeetingInvalid and goes on with the next' {
        $meetings = @(
            @{ Subject = 'Backwards'; Start = [datetime]'2025-03-10T14:00'; End = [datetime]'2025-03-10T13:00' }
            @{ Subject = 'Fine'; Start = [datetime]'2025-03-10T15:00' }
        )
        $out = $meetings | Test-CalSyncMapping -Mapping default -ErrorVariable problems -ErrorAction SilentlyContinue
        @($out).Count | Should -Be 1
        $out.Title | Should -Be 'Fine'
        $problems.Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'MeetingInvalid*'
    }
}
