<#
.SYNOPSIS
    Start-up benchmark: each figure is the median of -Runs fresh pwsh processes, each paired with an
    interleaved `pwsh -Command 1` run (the floor), against a local moto STS:
      Import       Import-Module as the first module of a bare pwsh (in-process stopwatch)
      FirstSession New-AltimeterAccessor + Get-AltimeterSession for one account through the 2-hop
                   chain of examples/accessor.json, right after the import (in-process stopwatch)
      CredProcess  the README's credential_process line (module found through PSModulePath) with a
                   warm shared cache: process wall time, and the same minus the paired `-Command 1`
    Writes the figures as JSON to -ResultPath when given.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [string] $ResultPath,
    [int] $Runs = 7
)

$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot
Import-Module (Join-Path $root 'tests/fixtures/MotoServer.psm1')
$pwshArgs = @(if ([System.IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })

function Invoke-FreshPwsh([string] $Command) {
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $text = & ([Environment]::ProcessPath) @pwshArgs -NoProfile -NonInteractive -Command $Command
    $wall = $watch.Elapsed.TotalMilliseconds
    if ($LASTEXITCODE -ne 0) { throw "pwsh -Command failed ($LASTEXITCODE): $text" }
    [pscustomobject]@{ WallMs = $wall; Text = "$text".Trim() }
}

function Get-Median([double[]] $Values) {
    $sorted = @($Values | Sort-Object)
    [math]::Round($sorted[[int][math]::Floor($sorted.Count / 2)], 1)
}

$server = Start-MotoServer
$cacheDirectory = Join-Path ([System.IO.Path]::GetTempPath()) "altimeter-startup-$PID"
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

    $import = "`$w = [Diagnostics.Stopwatch]::StartNew(); Import-Module '$ModulePath'; `$w.Elapsed.TotalMilliseconds"
    $session = "Import-Module '$ModulePath'; `$w = [Diagnostics.Stopwatch]::StartNew(); `$null = Get-AltimeterSession 123456789012 -Accessor (New-AltimeterAccessor -Path '$accessorFile'); `$w.Elapsed.TotalMilliseconds"
    $credentialProcess = "Invoke-AltimeterCredentialProcess 123456789012 -Path '$accessorFile'"

    # The credential_process line finds the module through PSModulePath, as an installed module.
    $env:PSModulePath = (Split-Path (Split-Path $ModulePath)) + [System.IO.Path]::PathSeparator + $env:PSModulePath
    $null = New-Item -ItemType Directory -Path $cacheDirectory -Force
    if (-not $IsWindows) { chmod 700 $cacheDirectory }

    $rows = foreach ($i in 1..$Runs) {
        $floor = Invoke-FreshPwsh '1'
        $importRun = Invoke-FreshPwsh $import
        $sessionRun = Invoke-FreshPwsh $session
        $env:ALTIMETER_CREDENTIAL_CACHE = $cacheDirectory
        $floorForProcess = Invoke-FreshPwsh '1'
        $processRun = Invoke-FreshPwsh $credentialProcess
        Remove-Item Env:ALTIMETER_CREDENTIAL_CACHE
        if (-not ($processRun.Text | ConvertFrom-Json).SessionToken) { throw 'credential_process printed no session' }
        [pscustomobject]@{
            FloorMs = $floor.WallMs; ImportMs = [double]$importRun.Text; FirstSessionMs = [double]$sessionRun.Text
            ProcessFloorMs = $floorForProcess.WallMs; CredentialProcessMs = $processRun.WallMs
            CredentialProcessOverFloorMs = $processRun.WallMs - $floorForProcess.WallMs
        }
    }
    # The first credential_process run filled the shared cache: the figures are of the warm runs.
    $warm = @($rows | Select-Object -Skip 1)
    $results = [ordered]@{
        Machine = "$([Environment]::ProcessorCount) cores, $([System.Runtime.InteropServices.RuntimeInformation]::OSDescription)"
        Date = (Get-Date).ToUniversalTime().ToString('o')
        Runs = $Runs
        PwshCommand1Ms = Get-Median $rows.FloorMs
        ImportMs = Get-Median $rows.ImportMs
        FirstSessionMs = Get-Median $rows.FirstSessionMs
        CredentialProcessMs = Get-Median $warm.CredentialProcessMs
        CredentialProcessFloorMs = Get-Median $warm.ProcessFloorMs
        CredentialProcessOverFloorMs = Get-Median $warm.CredentialProcessOverFloorMs
    }
    Write-Host ('{0,-46} {1,8} {2,16}' -f 'start-up (medians)', 'ms', 'pwsh -Command 1')
    Write-Host ('{0,-46} {1,8:N1} {2,16:N1}' -f 'Import-Module, first module of a bare pwsh', $results.ImportMs, $results.PwshCommand1Ms)
    Write-Host ('{0,-46} {1,8:N1} {2,16:N1}' -f 'first session after import (2 hops, moto)', $results.FirstSessionMs, $results.PwshCommand1Ms)
    Write-Host ('{0,-46} {1,8:N1} {2,16:N1}' -f 'credential_process, warm shared cache (wall)', $results.CredentialProcessMs, $results.CredentialProcessFloorMs)
    Write-Host ('{0,-46} {1,8:N1}' -f '  the same minus paired pwsh -Command 1', $results.CredentialProcessOverFloorMs)
    if ($ResultPath) { [pscustomobject]$results | ConvertTo-Json | Set-Content $ResultPath }
}
finally {
    $env:PSModulePath = $savedModulePath
    Remove-Item Env:ALTIMETER_CREDENTIAL_CACHE -ErrorAction SilentlyContinue
    Remove-Item -Recurse -Force $cacheDirectory -ErrorAction SilentlyContinue
    Stop-MotoServer $server
}
