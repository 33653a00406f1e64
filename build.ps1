#requires -Version 7.4
<#
.SYNOPSIS
    Builds CalSync, assembles out/CalSync and runs the tests. Thin: everything is in the MSBuild projects.
.DESCRIPTION
    dotnet build produces out/CalSync (CalSync.psd1, CalSync.Format.ps1xml, en-US help, mappings/, CalSync.Cmdlets.dll
    and the allow-listed Dependencies/; the build fails when an allow-listed assembly is missing, see
    src/CalSync.Cmdlets/Module.targets). Then the xunit tests run (dotnet test CalSync.sln), and, where Pester 5 is
    installed, tests/pester.
.EXAMPLE
    ./build.ps1
.EXAMPLE
    ./build.ps1 -Configuration Release -SkipTests
#>
[CmdletBinding()]
param(
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Debug',
    [switch] $SkipTests,
    [switch] $SkipPester
)
$ErrorActionPreference = 'Stop'
Set-Location -LiteralPath $PSScriptRoot

dotnet build CalSync.sln --configuration $Configuration
if ($LASTEXITCODE) { throw "dotnet build failed ($LASTEXITCODE)" }
Write-Host "Module: $(Join-Path $PSScriptRoot 'out/CalSync')"

if ($SkipTests) { return }
dotnet test CalSync.sln --configuration $Configuration --no-build
if ($LASTEXITCODE) { throw "dotnet test failed ($LASTEXITCODE)" }

if (-not $SkipPester -and (Get-Module -ListAvailable Pester | Where-Object Version -ge '5.0')) {
    $result = Invoke-Pester -Path (Join-Path $PSScriptRoot 'tests/pester') -Output Detailed -PassThru
    if ($result.FailedCount) { throw "Pester: $($result.FailedCount) test(s) failed" }
}
