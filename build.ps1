#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Builds, tests and demonstrates Altimeter.Auth.
.DESCRIPTION
    Tasks (first positional argument):
      Build  compile in Release and stage the importable module in out/Altimeter.Auth
      Test   Build, then run the xunit engine tests and the Pester module tests; ends with "N passed, N failed"
      Demo   Build, start a local STS (moto), load examples/accessor.json and get sessions for three accounts
.EXAMPLE
    dotnet tool restore; dotnet pwsh ./build.ps1 Test
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Build', 'Test', 'Demo')]
    [string] $Task = 'Build',

    [ValidateSet('Release', 'Debug')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$root = $PSScriptRoot
$out = Join-Path $root 'out'
$moduleOut = Join-Path $out 'Altimeter.Auth'
$pesterVersion = '5.7.1'

function Invoke-Native {
    param([string] $File, [string[]] $Arguments)
    & $File @Arguments | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "$File $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

function Get-ModuleVersion {
    $props = [xml](Get-Content -Raw (Join-Path $root 'Directory.Build.props'))
    $props.Project.PropertyGroup.Version | Where-Object { $_ } | Select-Object -First 1
}

function Invoke-Build {
    $publish = Join-Path $out 'publish'
    Invoke-Native dotnet @('build', (Join-Path $root 'Altimeter.PowerShell.sln'), '-c', $Configuration, '--nologo', '-v', 'q')
    Invoke-Native dotnet @('publish', (Join-Path $root 'src/Altimeter.Auth.PowerShell/Altimeter.Auth.PowerShell.csproj'),
        '-c', $Configuration, '-o', $publish, '--no-build', '--nologo', '-v', 'q')

    if (Test-Path $moduleOut) { Remove-Item -Recurse -Force $moduleOut }
    $null = New-Item -ItemType Directory -Force $moduleOut
    # Ship only what pwsh does not already carry: Newtonsoft.Json, System.* and
    # Microsoft.Bcl.* come with PowerShell, and a second copy of a loaded assembly is refused.
    foreach ($pattern in 'Altimeter.Auth*.dll', 'Altimeter.Auth*.pdb', 'AWSSDK.*.dll', 'Tomlyn.dll') {
        Copy-Item (Join-Path $publish $pattern) $moduleOut
    }
    Copy-Item -Recurse (Join-Path $root 'module/*') $moduleOut

    $version = Get-ModuleVersion
    $manifest = Get-Content -Raw (Join-Path $root 'Altimeter.Auth.psd1')
    $manifest = $manifest -replace "ModuleVersion\s*=\s*'[^']*'", "ModuleVersion        = '$version'"
    Set-Content -Path (Join-Path $moduleOut 'Altimeter.Auth.psd1') -Value $manifest -NoNewline
    Write-Host "Module $version staged in $moduleOut"
}

function Get-Pester {
    $tools = Join-Path $root '.tools'
    $psd1 = Join-Path $tools "pester/$pesterVersion/tools/Pester.psd1"
    if (-not (Test-Path $psd1)) {
        Invoke-Native dotnet @('package', 'download', "Pester@$pesterVersion", '--output', $tools)
    }
    $psd1
}

function Invoke-XunitTests {
    $results = Join-Path $out 'test-results'
    if (Test-Path $results) { Remove-Item -Recurse -Force $results }
    $project = Join-Path $root 'tests/Altimeter.Auth.Tests/Altimeter.Auth.Tests.csproj'
    & dotnet test $project -c $Configuration --no-build --nologo --logger 'trx;LogFileName=xunit.trx' --results-directory $results | Out-Host
    $trx = Join-Path $results 'xunit.trx'
    if (-not (Test-Path $trx)) { throw "xunit wrote no results ($trx): the test run did not start." }
    $counters = ([xml](Get-Content -Raw $trx)).TestRun.ResultSummary.Counters
    [pscustomobject]@{
        Passed  = [int]$counters.passed
        Failed  = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
        Skipped = [int]$counters.notExecuted
    }
}

function Invoke-PesterTests {
    # A child pwsh: the module under test loads into a clean process, as a user's would.
    $pester = Get-Pester
    $summary = Join-Path $out 'pester-summary.json'
    $script = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$pester'
`$config = New-PesterConfiguration
`$config.Run.Path = '$(Join-Path $root 'tests/pester')'
`$config.Run.PassThru = `$true
`$config.Output.Verbosity = 'Detailed'
`$result = Invoke-Pester -Configuration `$config
`$counts = if (`$result) {
    @{ Passed = `$result.PassedCount; Failed = `$result.FailedCount + `$result.FailedBlocksCount + `$result.FailedContainersCount; Skipped = `$result.SkippedCount + `$result.NotRunCount }
} else {
    @{ Passed = 0; Failed = 1; Skipped = 0 }   # Pester itself failed: that is a failure, not zero tests
}
`$counts | ConvertTo-Json | Set-Content '$summary'
"@
    $env:ALTIMETER_MODULE_PATH = Join-Path $moduleOut 'Altimeter.Auth.psd1'
    if (Test-Path $summary) { Remove-Item $summary }
    & dotnet pwsh -NoProfile -NonInteractive -Command $script | Out-Host
    if (-not (Test-Path $summary)) {
        Write-Host 'Pester wrote no summary: the Pester run did not finish.'
        return [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0 }
    }
    $counts = Get-Content -Raw $summary | ConvertFrom-Json
    [pscustomobject]@{ Passed = [int]$counts.Passed; Failed = [int]$counts.Failed; Skipped = [int]$counts.Skipped }
}

function Invoke-Test {
    Invoke-Build
    $xunit = Invoke-XunitTests
    $pester = Invoke-PesterTests
    $passed = $xunit.Passed + $pester.Passed
    $failed = $xunit.Failed + $pester.Failed
    $skipped = $xunit.Skipped + $pester.Skipped
    Write-Host "xunit: $($xunit.Passed) passed, $($xunit.Failed) failed, $($xunit.Skipped) skipped"
    Write-Host "Pester: $($pester.Passed) passed, $($pester.Failed) failed, $($pester.Skipped) skipped"
    # A skipped test is not a passing one, and a layer that ran nothing is broken: both count as failures.
    $failed += $skipped
    foreach ($layer in @(@{ Name = 'xunit'; Counts = $xunit }, @{ Name = 'Pester'; Counts = $pester })) {
        if ($layer.Counts.Passed + $layer.Counts.Failed -eq 0) { Write-Host "$($layer.Name) ran no test."; $failed += 1 }
    }
    Write-Host "$passed passed, $failed failed"
    if ($failed -gt 0 -or $passed -eq 0) { exit 1 }
}

function Invoke-Demo {
    Invoke-Build
    & dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $root 'examples/Demo.ps1') -ModulePath (Join-Path $moduleOut 'Altimeter.Auth.psd1')
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' { Invoke-Test }
    'Demo' { Invoke-Demo }
}
