<#
.SYNOPSIS
    The Pester suite on PowerShell 7 for Windows: build.ps1 Test runs this script in the win-x64 build
    of tests/Altimeter.Auth.WindowsPowerShell under Wine. moto runs on the Linux side
    (ALTIMETER_TEST_MOTO_URL), and ALTIMETER_MODULE_PATH names the staged module by a Windows path.
    Tests tagged Unix (the AWS CLI, pseudo-terminals, setsid, Unix file modes, a HOME-based install)
    are left to the Linux run. Prints each test's result and closes with "N passed, N failed"; a
    skipped test counts as failed.
#>
param(
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $TestsPath
)

$ErrorActionPreference = 'Stop'
if (-not $IsWindows) {
    'FAIL this is not Windows'
    '0 passed, 1 failed'
    return
}

Import-Module $PesterPath
$configuration = New-PesterConfiguration
$configuration.Run.Path = $TestsPath
$configuration.Run.PassThru = $true
$configuration.Filter.ExcludeTag = 'Unix'
$configuration.Output.Verbosity = 'None'
$result = Invoke-Pester -Configuration $configuration

foreach ($test in $result.Passed) { "PASS $($test.ExpandedPath)" }
foreach ($test in $result.Failed) { "FAIL $($test.ExpandedPath): $($test.ErrorRecord[0].Exception.Message)" }
foreach ($test in $result.Skipped) { "FAIL $($test.ExpandedPath): skipped" }
foreach ($block in $result.FailedBlocks) { "FAIL $($block.ExpandedPath): $($block.ErrorRecord[0].Exception.Message)" }
foreach ($container in $result.FailedContainers) { "FAIL $($container.Item): $($container.ErrorRecord[0].Exception.Message)" }
"Left to the Linux run (tag Unix): $($result.NotRunCount)"
$failed = $result.FailedCount + $result.SkippedCount + $result.FailedBlocksCount + $result.FailedContainersCount
"$($result.PassedCount) passed, $failed failed"
