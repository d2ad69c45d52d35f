<#
.SYNOPSIS
    Start-up benchmark: each figure is the median of -Runs rounds; a round starts each process once,
    one after the other, so every figure of a round met the same load on the machine. Against a
    local moto STS:
      Import       Import-Module as the first module of a bare pwsh (in-process stopwatch), beside
                   an empty module's (PowerShell's own first-module cost, the floor of that row)
      FirstSession New-AltimeterAccessor + Get-AltimeterSession for one account through the 2-hop
                   chain of examples/accessor.json, right after the import (in-process stopwatch)
      CredProcess  the README's credential_process line (module found through PSModulePath) with a
                   warm shared cache: process wall time, and the same minus the paired `-Command 1`
    Beside each, `pwsh -Command 1` and the AWS CLI (when installed): `aws --version` (its own
    start-up), `aws sts get-caller-identity` through the same two hops as assume-role profiles with
    its cache cleared (cold) and kept (warm), and through a credential_process profile that runs
    the README's line. Writes the figures as JSON to -ResultPath when given.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [string] $ResultPath,
    [int] $Runs = 7
)

. (Join-Path $PSScriptRoot 'BenchMoto.ps1')   # Get-Median

$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot
Import-Module (Join-Path $root 'tests/fixtures/MotoServer.psm1')
$pwshCommand = @([Environment]::ProcessPath) + @(if ([System.IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })

# Runs a command line; its wall time in ms and its output. $Environment: variables for this process
# only (a null value removes one).
function Invoke-Timed([string[]] $CommandLine, [hashtable] $Environment = @{}) {
    $saved = @{}
    foreach ($name in $Environment.Keys) { $saved[$name] = [Environment]::GetEnvironmentVariable($name); [Environment]::SetEnvironmentVariable($name, $Environment[$name]) }
    try {
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $text = & $CommandLine[0] @($CommandLine | Select-Object -Skip 1) 2>&1
        $wall = $watch.Elapsed.TotalMilliseconds
        if ($LASTEXITCODE -ne 0) { throw "$($CommandLine -join ' ') failed ($LASTEXITCODE): $text" }
    }
    finally { foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) } }
    [pscustomobject]@{ WallMs = $wall; Text = "$text".Trim() }
}

function Invoke-FreshPwsh([string] $Command, [hashtable] $Environment = @{}) {
    Invoke-Timed ($pwshCommand + @('-NoProfile', '-NonInteractive', '-Command', $Command)) $Environment
}


# The issue's table: each row ours beside `pwsh -Command 1`, the AWS CLI and the goal.
function Format-StartUpTable($r) {
    $cli = { param($text) if ($r.AwsCli) { $text } else { 'not installed' } }
    "| measured here (medians of $($r.Runs) rounds) | ours | pwsh -Command 1 | AWS CLI ($($r.AwsCli)) | goal |"
    '|---|---|---|---|---|'
    '| Import-Module as the first module of a bare pwsh | {0:N0} ms (an empty module: {1:N0} ms) | {2:N0} ms | {3} | ≤ 150 ms |' -f $r.ImportMs, $r.EmptyModuleImportMs, $r.PwshCommand1Ms, (& $cli ('`aws --version`: {0:N0} ms' -f $r.AwsVersionMs))
    '| first session after import (one account, 2-hop chain, moto) | {0:N0} ms | {1:N0} ms | {2} | ≤ 150 ms |' -f $r.FirstSessionMs, $r.PwshCommand1Ms, (& $cli ('`aws sts get-caller-identity` through the 2 hops as assume-role profiles, cold cache: {0:N0} ms (wall: its start-up, 2 AssumeRole, 1 GetCallerIdentity)' -f $r.AwsColdMs))
    '| credential_process line with a warm shared cache, minus pwsh -Command 1 | +{0:N0} ms ({1:N0} ms wall) | {2:N0} ms | {3} | ≤ +250 ms |' -f $r.CredentialProcessOverFloorMs, $r.CredentialProcessMs, $r.CredentialProcessFloorMs, (& $cli ('the same call, warm CLI cache: {0:N0} ms; through a credential_process profile running our line: {1:N0} ms (wall)' -f $r.AwsWarmMs, $r.AwsThroughCredentialProcessMs))
}

$server = Start-MotoServer
$scratch = Join-Path ([System.IO.Path]::GetTempPath()) "altimeter-startup-$PID"
$cacheDirectory = Join-Path $scratch 'shared-cache'
$savedModulePath = $env:PSModulePath
try {
    $env:AWS_ACCESS_KEY_ID = 'FAKEBENCHSOURCEKEY01'
    $env:AWS_SECRET_ACCESS_KEY = 'bench-secret-not-real'
    Remove-Item Env:AWS_SESSION_TOKEN, Env:AWS_PROFILE, Env:ALTIMETER_CREDENTIAL_CACHE -ErrorAction SilentlyContinue
    $env:AWS_REGION = 'us-east-1'
    $env:AWS_EC2_METADATA_DISABLED = 'true'
    $env:AWS_ENDPOINT_URL_STS = $server.Url
    $env:ALTIMETER_DEMO_EXTERNAL_ID = 'demo-external-id'
    $accessorFile = Join-Path $root 'examples/accessor.json'
    $emptyModule = Join-Path $scratch 'Empty/Empty.psd1'
    $null = New-Item -ItemType Directory -Force (Split-Path $emptyModule), $cacheDirectory
    Set-Content $emptyModule "@{ ModuleVersion = '1.0'; GUID = '$([guid]::NewGuid())' }"
    if (-not $IsWindows) { chmod 700 $cacheDirectory }

    $import = "`$w = [Diagnostics.Stopwatch]::StartNew(); Import-Module '$ModulePath'; `$w.Elapsed.TotalMilliseconds"
    $importEmpty = "`$w = [Diagnostics.Stopwatch]::StartNew(); Import-Module '$emptyModule'; `$w.Elapsed.TotalMilliseconds"
    $session = "Import-Module '$ModulePath'; `$w = [Diagnostics.Stopwatch]::StartNew(); `$null = Get-AltimeterSession 123456789012 -Accessor (New-AltimeterAccessor -Path '$accessorFile'); `$w.Elapsed.TotalMilliseconds"
    $credentialProcess = "Invoke-AltimeterCredentialProcess 123456789012 -Path '$accessorFile'"
    $withCache = @{ ALTIMETER_CREDENTIAL_CACHE = $cacheDirectory }

    # The credential_process line finds the module through PSModulePath, as an installed module.
    $env:PSModulePath = (Split-Path (Split-Path $ModulePath)) + [System.IO.Path]::PathSeparator + $env:PSModulePath

    # The AWS CLI: the same chain as assume-role profiles (src -> hub -> 123456789012), and a profile
    # whose credential_process is the README's line; its own HOME, so its cache is its own.
    $aws = Get-Command aws -ErrorAction Ignore
    if ($aws) {
        $cliHome = Join-Path $scratch 'awscli-home'
        $null = New-Item -ItemType Directory -Force (Join-Path $cliHome '.aws')
        Set-Content (Join-Path $cliHome '.aws/credentials') "[src]`naws_access_key_id = FAKEBENCHSOURCEKEY01`naws_secret_access_key = bench-secret-not-real`n"
        $processLine = (($pwshCommand | ForEach-Object { if ($_ -match '\s') { "`"$_`"" } else { $_ } }) -join ' ') + " -NoProfile -NonInteractive -Command `"$credentialProcess`""
        Set-Content (Join-Path $cliHome '.aws/config') @"
[profile hub]
role_arn = arn:aws:iam::111111111111:role/OrganizationAccountAccessRole
source_profile = src
external_id = demo-external-id
role_session_name = altimeter-demo
region = us-east-1
[profile target]
role_arn = arn:aws:iam::123456789012:role/OrganizationAccountAccessRole
source_profile = hub
role_session_name = altimeter-demo
region = us-east-1
[profile altimeter]
credential_process = $processLine
region = us-east-1
"@
        # The CLI's own chain starts at the profile src; our line, which it runs, from the environment
        # (a named profile keeps the CLI from reading those variables itself).
        $cliEnvironment = @{ HOME = $cliHome; AWS_ACCESS_KEY_ID = $null; AWS_SECRET_ACCESS_KEY = $null }
        $cliThroughUsEnvironment = @{ HOME = $cliHome; ALTIMETER_CREDENTIAL_CACHE = $cacheDirectory }
        $cliCache = Join-Path $cliHome '.aws/cli/cache'
        $callerIdentity = { param($Profile) @($aws.Source, 'sts', 'get-caller-identity', '--profile', $Profile, '--query', 'Account', '--output', 'text') }
    }

    $rows = foreach ($i in 1..$Runs) {
        $floor = Invoke-FreshPwsh '1'
        $importRun = Invoke-FreshPwsh $import
        $emptyRun = Invoke-FreshPwsh $importEmpty
        $sessionRun = Invoke-FreshPwsh $session
        $floorForProcess = Invoke-FreshPwsh '1'
        $processRun = Invoke-FreshPwsh $credentialProcess $withCache
        if (-not ($processRun.Text | ConvertFrom-Json).SessionToken) { throw 'credential_process printed no session' }
        $row = [ordered]@{
            FloorMs = $floor.WallMs; ImportMs = [double]$importRun.Text; EmptyModuleImportMs = [double]$emptyRun.Text
            FirstSessionMs = [double]$sessionRun.Text
            ProcessFloorMs = $floorForProcess.WallMs; CredentialProcessMs = $processRun.WallMs
            CredentialProcessOverFloorMs = $processRun.WallMs - $floorForProcess.WallMs
        }
        if ($aws) {
            $row.AwsVersionMs = (Invoke-Timed @($aws.Source, '--version') $cliEnvironment).WallMs
            Remove-Item -Recurse -Force $cliCache -ErrorAction Ignore
            $cold = Invoke-Timed (& $callerIdentity 'target') $cliEnvironment
            $warm = Invoke-Timed (& $callerIdentity 'target') $cliEnvironment
            $through = Invoke-Timed (& $callerIdentity 'altimeter') $cliThroughUsEnvironment
            foreach ($run in $cold, $warm, $through) { if ($run.Text -ne '123456789012') { throw "aws sts get-caller-identity answered '$($run.Text)'" } }
            $row.AwsColdMs = $cold.WallMs; $row.AwsWarmMs = $warm.WallMs; $row.AwsThroughCredentialProcessMs = $through.WallMs
        }
        [pscustomobject]$row
    }
    # The first round filled the shared cache: the credential_process figures are of the warm rounds.
    $warmRows = @($rows | Select-Object -Skip 1)
    $results = [ordered]@{
        Machine = "$([Environment]::ProcessorCount) cores, $([System.Runtime.InteropServices.RuntimeInformation]::OSDescription)"
        Date = (Get-Date).ToUniversalTime().ToString('o')
        Runs = $Runs
        PwshCommand1Ms = Get-Median $rows.FloorMs
        ImportMs = Get-Median $rows.ImportMs
        EmptyModuleImportMs = Get-Median $rows.EmptyModuleImportMs
        FirstSessionMs = Get-Median $rows.FirstSessionMs
        CredentialProcessMs = Get-Median $warmRows.CredentialProcessMs
        CredentialProcessFloorMs = Get-Median $warmRows.ProcessFloorMs
        CredentialProcessOverFloorMs = Get-Median $warmRows.CredentialProcessOverFloorMs
        AwsCli = if ($aws) { "$((& $aws.Source --version 2>&1) -split ' ' | Select-Object -First 1)" }
        AwsVersionMs = if ($aws) { Get-Median $rows.AwsVersionMs }
        AwsColdMs = if ($aws) { Get-Median $rows.AwsColdMs }
        AwsWarmMs = if ($aws) { Get-Median $rows.AwsWarmMs }
        AwsThroughCredentialProcessMs = if ($aws) { Get-Median $warmRows.AwsThroughCredentialProcessMs }
    }
    $results.Table = @(Format-StartUpTable $results)
    $results.Table | Write-Host
    if ($ResultPath) { [pscustomobject]$results | ConvertTo-Json | Set-Content $ResultPath }
}
finally {
    $env:PSModulePath = $savedModulePath
    Remove-Item -Recurse -Force $scratch -ErrorAction SilentlyContinue
    Stop-MotoServer $server
}
