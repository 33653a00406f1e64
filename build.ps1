#requires -Version 7.4
<#
.SYNOPSIS
    Builds CalSync, assembles out/CalSync and runs every test: the xunit projects, then the Pester suite in this pwsh.
.DESCRIPTION
    The README's test command runs this in the pinned pwsh (dotnet tool restore && dotnet pwsh -NoProfile -File build.ps1).
    dotnet build produces out/CalSync (see src/CalSync.Cmdlets/Module.targets), dotnet test runs the xunit projects,
    and tests/pester runs with Pester 5.7.1 from the NuGet package the restore downloads (no PowerShell Gallery).
    The exit code is 1 when the build, any xunit test or any Pester test failed.
.EXAMPLE
    dotnet tool restore && dotnet pwsh -NoProfile -File build.ps1
.EXAMPLE
    ./build.ps1 -Configuration Release -SkipTests
.EXAMPLE
    dotnet pwsh -NoProfile -File build.ps1 -SkipXunit     # build, then only the Pester suite
#>
[CmdletBinding()]
param(
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Debug',
    [switch] $SkipTests,
    [switch] $SkipXunit,
    [switch] $SkipPester
)
$ErrorActionPreference = 'Stop'
Set-Location -LiteralPath $PSScriptRoot
Write-Host "pwsh $($PSVersionTable.PSVersion), $([System.Runtime.InteropServices.RuntimeInformation]::FrameworkDescription)"

dotnet build CalSync.sln --configuration $Configuration
if ($LASTEXITCODE) { Write-Error "dotnet build failed (exit $LASTEXITCODE)" -ErrorAction Continue; exit 1 }
Write-Host "Module: $(Join-Path $PSScriptRoot 'out/CalSync')"
if ($SkipTests) { exit 0 }

$failed = @()
if (-not $SkipXunit) {
    dotnet test CalSync.sln --configuration $Configuration --no-build
    if ($LASTEXITCODE) { $failed += "dotnet test (exit $LASTEXITCODE)" }
}

if (-not $SkipPester) {
    # The restore of tests/CalSync.Cmdlets.Tests downloads Pester (PackageDownload); its module is under tools/.
    $packages = (dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', ''
    Import-Module (Join-Path $packages.Trim() 'pester/5.7.1/tools/Pester.psd1')
    $config = New-PesterConfiguration
    $config.Run.Path = Join-Path $PSScriptRoot 'tests/pester'
    $config.Run.PassThru = $true
    $config.Output.Verbosity = 'Detailed'
    $result = Invoke-Pester -Configuration $config
    Write-Host "Pester $((Get-Module Pester).Version) in pwsh $($PSVersionTable.PSVersion): $($result.PassedCount) passed, $($result.FailedCount) failed, $($result.SkippedCount) skipped"
    if ($result.Result -ne 'Passed') { $failed += "Pester ($($result.FailedCount) failed, result $($result.Result))" }
}

if ($failed) { Write-Host "FAILED: $($failed -join '; ')"; exit 1 }
Write-Host 'All tests passed.'
