# What the Pester files share; dot-source it in BeforeAll: . (Join-Path $PSScriptRoot 'Support.ps1')
# Everything is found from this file's folder (the current directory may be anywhere): the repository, the built
# module (out/CalSync), the built stand-ins (src/CalSync.Sandbox/bin/Debug/net10.0), the NuGet global packages folder
# and the pwsh 7.6.10 that the local tool manifest (.config/dotnet-tools.json) pins, for child processes.

$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).ProviderPath
$script:ModuleDir = Join-Path $script:RepoRoot 'out/CalSync'
$script:Manifest = Join-Path $script:ModuleDir 'CalSync.psd1'

function Get-NuGetPackagesRoot {
    <# The NuGet global packages folder, as dotnet reports it (NUGET_PACKAGES or the default); looked up once per session. #>
    if (-not $global:CalSyncPesterNuGetRoot) {
        $line = @(dotnet nuget locals global-packages --list) -match '^global-packages:' | Select-Object -First 1
        if (-not $line) { throw "'dotnet nuget locals global-packages --list' did not name the global packages folder." }
        $global:CalSyncPesterNuGetRoot = ($line -replace '^global-packages:\s*', '').Trim()
    }
    $global:CalSyncPesterNuGetRoot
}

function Get-NuGetPackagePath {
    <# A file inside a restored package: Get-NuGetPackagePath microsoft.identity.client 4.61.3 lib/net6.0/Microsoft.Identity.Client.dll #>
    param([string] $Id, [string] $Version, [string] $RelativePath)
    $path = Join-Path (Get-NuGetPackagesRoot) $Id.ToLowerInvariant() $Version $RelativePath
    if (-not (Test-Path -LiteralPath $path)) { throw "$path is missing: run 'dotnet restore tests/CalSync.Cmdlets.Tests' (and 'dotnet tool restore') first." }
    $path
}

function Get-ChildPwsh {
    <#
    The pwsh that child processes run: the apphost of the PowerShell version pinned in .config/dotnet-tools.json, from
    the NuGet global packages folder (inside pwsh, [Environment]::ProcessPath is dotnet when run as 'dotnet pwsh').
    #>
    if (-not $global:CalSyncPesterPwsh) {
        $tools = Get-Content -Raw (Join-Path $script:RepoRoot '.config/dotnet-tools.json') | ConvertFrom-Json
        $version = $tools.tools.powershell.version
        $os, $exe = if ($IsWindows) { 'win', 'pwsh.exe' } else { 'unix', 'pwsh' }
        $global:CalSyncPesterPwsh = Get-NuGetPackagePath powershell $version "tools/net10.0/any/$os/$exe"
    }
    $global:CalSyncPesterPwsh
}

function New-TestDirectory {
    <# A new, empty folder under the temp folder; the caller removes it (Remove-TestDirectory) in AfterAll. #>
    param([string] $Prefix = 'calsync-pester')
    $path = Join-Path ([IO.Path]::GetTempPath()) ("$Prefix-" + [guid]::NewGuid().ToString('N').Substring(0, 12))
    (New-Item -ItemType Directory -Path $path).FullName
}

function Remove-TestDirectory {
    param([string[]] $Path)
    foreach ($p in $Path) { if ($p -and (Test-Path -LiteralPath $p)) { Remove-Item -LiteralPath $p -Recurse -Force -ErrorAction SilentlyContinue } }
}

function Get-TreeHash {
    <# Path and content hash of every file under a folder, sorted: equal before and after means nothing was written. #>
    param([string] $Path)
    if (-not (Test-Path -LiteralPath $Path)) { return @() }
    @(Get-ChildItem -LiteralPath $Path -Recurse -File | Sort-Object FullName | ForEach-Object {
        "$([IO.Path]::GetRelativePath($Path, $_.FullName)) $((Get-FileHash -LiteralPath $_.FullName).Hash)"
    })
}

function Remove-Ansi {
    param([string] $Text)
    $Text -replace "`e\[[0-9;?]*[A-Za-z]", ''
}

# ---- child processes --------------------------------------------------------------------------------------------

function Start-TestProcess {
    <#
    Starts a process with stdin, stdout and stderr redirected; stdin is closed at once (nothing can answer a prompt).
    -Environment adds variables ($null removes one); -CleanEnvironment starts from an empty environment instead of
    this process's. Wait for it with Wait-TestProcess.
    #>
    param(
        [Parameter(Mandatory)] [string] $FilePath,
        [string[]] $ArgumentList = @(),
        [hashtable] $Environment = @{},
        [switch] $CleanEnvironment,
        [string] $WorkingDirectory = $script:RepoRoot
    )
    $info = [Diagnostics.ProcessStartInfo]::new($FilePath)
    foreach ($a in $ArgumentList) { $info.ArgumentList.Add($a) }
    $info.UseShellExecute = $false
    $info.RedirectStandardInput = $true
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $info.WorkingDirectory = $WorkingDirectory
    if ($CleanEnvironment) { $info.Environment.Clear() }
    foreach ($name in $Environment.Keys) {
        if ($null -eq $Environment[$name]) { [void] $info.Environment.Remove($name) } else { $info.Environment[$name] = [string] $Environment[$name] }
    }
    $process = [Diagnostics.Process]::Start($info)
    $process.StandardInput.Close()
    [pscustomobject]@{
        Process = $process
        Id      = $process.Id
        Output  = $process.StandardOutput.ReadToEndAsync()
        Error   = $process.StandardError.ReadToEndAsync()
        Started = [DateTime]::UtcNow
    }
}

function Wait-TestProcess {
    <# Waits for a process from Start-TestProcess; past the timeout it is killed (with its children) and TimedOut is set. #>
    param([Parameter(Mandatory)] $Started, [int] $TimeoutSeconds = 180)
    $remaining = [Math]::Max(0, $TimeoutSeconds * 1000 - ([DateTime]::UtcNow - $Started.Started).TotalMilliseconds)
    $exited = $Started.Process.WaitForExit([int] $remaining)
    if (-not $exited) {
        try { $Started.Process.Kill($true) } catch [InvalidOperationException] { }
    }
    $Started.Process.WaitForExit()
    $stdout = $Started.Output.GetAwaiter().GetResult()
    $stderr = $Started.Error.GetAwaiter().GetResult()
    [pscustomobject]@{
        Id       = $Started.Id
        ExitCode = $Started.Process.ExitCode
        TimedOut = -not $exited
        StdOut   = Remove-Ansi $stdout
        StdErr   = Remove-Ansi $stderr
        Seconds  = ([DateTime]::UtcNow - $Started.Started).TotalSeconds
    }
}

function Invoke-ChildPwsh {
    <#
    Runs a script in a new pwsh (Get-ChildPwsh) and waits for it. The script reads what it needs from environment
    variables (-Environment) and reports with 'RESULT <json>' lines (Get-ChildResult). Without -NonInteractive the
    child counts as interactive (what a person's console is), so the device-code sign-in may prompt there.
    #>
    param(
        [Parameter(Mandatory)] [string] $Script,
        [hashtable] $Environment = @{},
        [switch] $NonInteractive,
        [int] $TimeoutSeconds = 180
    )
    $arguments = @('-NoProfile') + @(if ($NonInteractive) { '-NonInteractive' }) + @('-Command', $Script)
    Wait-TestProcess (Start-TestProcess -FilePath (Get-ChildPwsh) -ArgumentList $arguments -Environment $Environment) -TimeoutSeconds $TimeoutSeconds
}

function Get-ChildResult {
    <# The objects a child reported with: 'RESULT ' + (ConvertTo-Json -Compress -Depth 5 $object) #>
    param([Parameter(Mandatory)] $Result)
    $lines = @($Result.StdOut -split "`r?`n" | Where-Object { $_.StartsWith('RESULT ') })
    if (-not $lines) { throw "The child reported no result (exit $($Result.ExitCode)).`nstdout:`n$($Result.StdOut)`nstderr:`n$($Result.StdErr)" }
    $lines | ForEach-Object { $_.Substring(7) | ConvertFrom-Json }
}

# ---- the stand-ins ----------------------------------------------------------------------------------------------

function Start-TestSandbox {
    <#
    Starts the built stand-ins (dotnet CalSync.Sandbox.dll serve --empty: one process, nothing in between to leave
    behind) and returns their addresses: Graph, Token, Authority, Webhook, GraphControl, Bitrix24Control, Process.
    Stop it with Stop-TestSandbox.
    #>
    $dll = Join-Path $script:RepoRoot 'src/CalSync.Sandbox/bin/Debug/net10.0/CalSync.Sandbox.dll'
    if (-not (Test-Path -LiteralPath $dll)) { throw "$dll is missing: run 'dotnet build src/CalSync.Sandbox' first." }
    $log = Join-Path ([IO.Path]::GetTempPath()) ('calsync-sandbox-' + [guid]::NewGuid().ToString('N') + '.log')
    $process = Start-Process -FilePath (Get-Command dotnet -CommandType Application | Select-Object -First 1).Source `
        -ArgumentList @("`"$dll`"", 'serve', '--empty') -RedirectStandardOutput $log -RedirectStandardError "$log.err" -PassThru
    try {
        $deadline = [DateTime]::UtcNow.AddMinutes(1)
        while (-not (Select-String -LiteralPath $log -Pattern 'Bitrix24 stand-in webhook' -Quiet -ErrorAction SilentlyContinue)) {
            if ($process.HasExited) { throw "The sandbox exited ($($process.ExitCode)): $(Get-Content -Raw "$log.err" -ErrorAction SilentlyContinue)" }
            if ([DateTime]::UtcNow -gt $deadline) { throw 'The sandbox did not start within a minute.' }
            Start-Sleep -Milliseconds 100
        }
        $text = Get-Content -Raw -LiteralPath $log
        $graph = [regex]::Match($text, 'Graph\) stand-in:\s+(\S+)').Groups[1].Value
        $webhook = [regex]::Match($text, 'webhook:\s+(\S+)').Groups[1].Value
        [pscustomobject]@{
            Process         = $process
            Log             = $log
            Graph           = $graph
            Token           = [regex]::Match($text, 'access token:\s+(\S+)').Groups[1].Value
            Authority       = [regex]::Match($text, 'sign-in authority:\s+(\S+)').Groups[1].Value
            Webhook         = $webhook
            ColleagueWebhook = [regex]::Match($text, "colleague's webhook:\s+(\S+)").Groups[1].Value
            WebhookSecret   = ([uri] $webhook).Segments[-1].TrimEnd('/')
            GraphControl    = $graph -replace '/v1\.0$', '/_sandbox'
            Bitrix24Control = ([uri] $webhook).GetLeftPart([UriPartial]::Authority) + '/_sandbox'
        }
    }
    catch {
        Stop-Process -Id $process.Id -Force -ErrorAction SilentlyContinue
        throw
    }
}

function Connect-TestStore {
    <#
    A new store (a test directory, made $env:CALSYNC_HOME) with both stand-ins connected from a new pwsh: a device-code
    sign-in cached in the store, so every later pwsh signs in silently as a scheduled run does, and the Bitrix24
    webhook. Returns the environment for child pwsh processes (CALSYNC_HOME, CALSYNC_TEST_MANIFEST).
    #>
    param([Parameter(Mandatory)] $Sandbox)
    Invoke-SandboxControl $Sandbox.GraphControl POST faults @{ deviceCodeIntervalSeconds = 1 } | Out-Null
    $env:CALSYNC_HOME = New-TestDirectory
    $Environment = @{ CALSYNC_HOME = $env:CALSYNC_HOME; CALSYNC_TEST_MANIFEST = $script:Manifest }
    $setup = Invoke-ChildPwsh -Environment ($Environment + @{
        CALSYNC_TEST_GRAPH = $Sandbox.Graph; CALSYNC_TEST_AUTHORITY = $Sandbox.Authority; CALSYNC_TEST_WEBHOOK = $Sandbox.Webhook
    }) -Script @'
        $ErrorActionPreference = 'Stop'
        Import-Module $env:CALSYNC_TEST_MANIFEST
        Connect-OutlookCalendar -Endpoint $env:CALSYNC_TEST_GRAPH -Authority $env:CALSYNC_TEST_AUTHORITY -ClientId 11111111-2222-3333-4444-555555555555 -UseDeviceCode -AllowPlaintextTokenCache | Out-Null
        Connect-Bitrix24 -WebhookUrl (ConvertTo-SecureString $env:CALSYNC_TEST_WEBHOOK -AsPlainText -Force) -AllowPlaintextSecretStore -WarningAction SilentlyContinue | Out-Null
        'RESULT ' + (@{ Connected = $true } | ConvertTo-Json -Compress)
'@
    if (-not (Get-ChildResult $setup).Connected) { throw "The sign-in failed: $($setup.StdOut) $($setup.StdErr)" }
    $Environment
}

function Start-TestSession {
    <#
    What a file of end-to-end tests starts with: the stand-ins ($script:Sandbox), a store connected to both
    ($script:ChildEnvironment, $script:StoreHome, made $env:CALSYNC_HOME; the previous one in $script:PreviousHome) and
    the module imported here. Undo it with Stop-TestSession.
    #>
    $script:PreviousHome = $env:CALSYNC_HOME
    $script:Sandbox = Start-TestSandbox
    $script:ChildEnvironment = Connect-TestStore -Sandbox $script:Sandbox
    $script:StoreHome = $script:ChildEnvironment.CALSYNC_HOME
    Import-Module $script:Manifest -Force -Global
}

function Stop-TestSession {
    Stop-TestSandbox $script:Sandbox
    Remove-Module CalSync -ErrorAction SilentlyContinue
    $env:CALSYNC_HOME = $script:PreviousHome
    Remove-TestDirectory $script:StoreHome
}

function Stop-TestSandbox {
    param($Sandbox)
    if (-not $Sandbox) { return }
    if (-not $Sandbox.Process.HasExited) {
        Stop-Process -Id $Sandbox.Process.Id -Force -ErrorAction SilentlyContinue
        [void] $Sandbox.Process.WaitForExit(10000)
    }
    Remove-Item -LiteralPath $Sandbox.Log, "$($Sandbox.Log).err" -Force -ErrorAction SilentlyContinue
}

function Invoke-SandboxControl {
    <# A control call on a stand-in: Invoke-SandboxControl $sandbox.GraphControl POST faults @{ deviceCodeIntervalSeconds = 1 } #>
    param([string] $Root, [string] $Method, [string] $Action, $Body)
    $request = @{ Method = $Method; Uri = "$Root/$Action" }
    if ($null -ne $Body) { $request.Body = $Body | ConvertTo-Json -Depth 6 -Compress; $request.ContentType = 'application/json' }
    Invoke-RestMethod @request | ForEach-Object { $_ } # a JSON array comes as one object: one per element instead
}

function Add-OutlookMeeting {
    <# A meeting in the Outlook stand-in tomorrow (UTC) at the given hour, as POST /me/events would create it; returns its id. #>
    param($Sandbox, [string] $Subject, [int] $Hour = 9)
    $start = [DateTime]::UtcNow.Date.AddDays(1).AddHours($Hour)
    $event = @{
        subject = $Subject
        start   = @{ dateTime = $start.ToString('yyyy-MM-ddTHH:mm:ss'); timeZone = 'UTC' }
        end     = @{ dateTime = $start.AddHours(1).ToString('yyyy-MM-ddTHH:mm:ss'); timeZone = 'UTC' }
    }
    (Invoke-SandboxControl $Sandbox.GraphControl POST events $event).id
}

function Get-Bitrix24Meeting {
    <# The meetings stored in the Bitrix24 stand-in (name, from, to, ...). #>
    param($Sandbox)
    @(Invoke-SandboxControl $Sandbox.Bitrix24Control GET events)
}

function Get-SandboxWriteCount {
    <# How many write requests (create, update, delete) the stand-ins received so far. #>
    param($Sandbox)
    @(Invoke-SandboxControl $Sandbox.GraphControl GET requests | Where-Object isWrite).Count +
    @(Invoke-SandboxControl $Sandbox.Bitrix24Control GET requests | Where-Object isWrite).Count
}
