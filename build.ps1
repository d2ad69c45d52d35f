#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Builds, tests and demonstrates Altimeter.Auth.
.DESCRIPTION
    Tasks (one or more, run in the order given; each runs alone):
      Bootstrap    install what the machine lacks for the tests: Pester into .tools/, and, as root
                   on Debian, Wine (wine64) and strace; the only task that calls a package manager
      Build        compile src/ in Release and stage the importable module in out/Altimeter.Auth
      Native       Build, then (on linux-x64 only) compile the native credential_process program ahead of
                   time into out/Altimeter.Auth/native/linux-x64/altimeter-credential-process (NativeAOT, gcc
                   as the linker: no clang needed); its own task because it takes minutes, not seconds
      Package      Native, then lay out out/package/Altimeter.Auth/<version>/ and publish it with
                   Publish-PSResource to the local file repository out/feed (a .nupkg a gallery accepts)
      Test         Package (Native included), then the xunit engine tests and the Pester module tests, on this machine
                   (no Wine, no root), against one moto started for both
      TestWindows  Build, then under Wine: the engine's Windows-only code in a win-x64 program, and
                   the Pester suite in PowerShell 7.6.9 for Windows
      Demo         Build, start a local STS (moto), load examples/accessor.json and get sessions for three accounts
      Bench        Build, then measure: scale against moto (and the AWS CLI as the peer), BenchmarkDotNet
                   micro-benchmarks of the core, cache memory, and the start-up table (Import-Module, first
                   session, credential_process beside pwsh -Command 1 and the AWS CLI), the fan-out table
                   (bench/FanOut.ps1: an awsrun model beside ours, -Parallel beside ForEach-Object -Parallel),
                   and on linux-x64 the native credential_process (Native first) against issue 21's goals;
                   writes bench/results/latest.json
    When test tasks ran, the last line is "N passed, N failed" over all of them; a skipped test and a
    layer that ran nothing count as failures.
.EXAMPLE
    dotnet tool restore; dotnet pwsh ./build.ps1 Test
.EXAMPLE
    dotnet tool restore; dotnet pwsh ./build.ps1 Bootstrap Test TestWindows    # what .ci/run runs
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0, ValueFromRemainingArguments = $true)]
    [ValidateSet('Bootstrap', 'Build', 'Native', 'Package', 'Test', 'TestWindows', 'Demo', 'Bench')]
    [string[]] $Task = 'Build',

    [ValidateSet('Release', 'Debug')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$root = $PSScriptRoot
$out = Join-Path $root 'out'
$moduleOut = Join-Path $out 'Altimeter.Auth'
$pesterVersion = '5.7.1'

# -Quiet keeps a tool's chatter (crossgen2's "Emitting R2R PE file" for each assembly) out of the
# build's output, and shows it when the tool fails.
function Invoke-Native {
    param([string] $File, [string[]] $Arguments, [switch] $Quiet)
    if ($Quiet) {
        $output = & $File @Arguments 2>&1
        if ($LASTEXITCODE -ne 0) { $output | Out-Host }
    }
    else {
        & $File @Arguments | Out-Host
    }
    if ($LASTEXITCODE -ne 0) { throw "$File $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

function Get-ModuleVersion {
    $props = [xml](Get-Content -Raw (Join-Path $root 'Directory.Build.props'))
    $props.Project.PropertyGroup.Version | Where-Object { $_ } | Select-Object -First 1
}

# Layers of tests and their counts, gathered over the tasks of this run.
$script:layers = [System.Collections.Generic.List[object]]::new()
$script:built = $false
$script:nativeBuilt = $false

# The crossgen2 of the runtime this script runs on (the pwsh tool's): the module's linux-x64
# ReadyToRun code is compiled against that framework and that pwsh.
function Get-Crossgen {
    $version = [Environment]::Version.ToString(3)
    $tools = Join-Path $root '.tools'
    $crossgen = Join-Path $tools "microsoft.netcore.app.crossgen2.linux-x64/$version/tools/crossgen2"
    if (-not (Test-Path $crossgen)) {
        Write-Host "Downloading crossgen2 $version from NuGet into .tools/ for the ReadyToRun copies (ALTIMETER_READYTORUN=0 builds without them)."
        Invoke-Native dotnet @('package', 'download', "Microsoft.NETCore.App.Crossgen2.linux-x64@$version", '--output', $tools) -Quiet
    }
    $crossgen
}

# ReadyToRun: the engine, the SDK and Tomlyn precompiled for linux-x64 into ReadyToRun/net<N>.0-linux-x64,
# beside the IL copies. The first session of a fresh pwsh spends most of its time JIT-compiling
# AWSSDK.Core (bench/StartUp.ps1). The module loads that folder only in a linux-x64 process on .NET N
# (PrecompiledAssemblies.cs); everyone else keeps the IL at the root — Windows refuses a Linux
# ReadyToRun image outright ("Format of the executable (.exe) or library (.dll) is invalid").
# The cmdlets' DLL stays IL: it is the RootModule, loaded before anything can choose. Built on
# linux-x64 only (crossgen2 of the running runtime); ALTIMETER_READYTORUN=0 leaves it out.
function Invoke-ReadyToRun([string] $Directory) {
    $linuxX64 = $IsLinux -and [System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture -eq 'X64'
    if (-not $linuxX64 -or $env:ALTIMETER_READYTORUN -eq '0') { return }
    $crossgen = Get-Crossgen
    $framework = [System.Runtime.InteropServices.RuntimeEnvironment]::GetRuntimeDirectory()
    $precompiled = Join-Path $Directory "ReadyToRun/net$([Environment]::Version.Major).0-linux-x64"
    $null = New-Item -ItemType Directory -Force $precompiled
    $assemblies = @(Get-ChildItem (Join-Path $Directory '*.dll'))
    foreach ($assembly in $assemblies | Where-Object Name -NE 'Altimeter.Auth.PowerShell.dll') {
        # crossgen2 refuses an input that is also among its references.
        $references = foreach ($other in $assemblies) { if ($other.Name -ne $assembly.Name) { '-r', $other.FullName } }
        Invoke-Native $crossgen (@($assembly.FullName, '-o', (Join-Path $precompiled $assembly.Name), '-O',
                '--targetos', 'linux', '--targetarch', 'x64', '-r', (Join-Path $framework '*.dll'), '-r', (Join-Path $PSHOME '*.dll')) + $references) -Quiet
    }
}

function Invoke-Build {
    # Once per run: Test and TestWindows both need the staged module.
    if ($script:built) { return }
    $publish = Join-Path $out 'publish'
    # src/ only: the test, benchmark and Windows-host projects build in the tasks that use them.
    Invoke-Native dotnet @('publish', (Join-Path $root 'src/Altimeter.Auth.PowerShell/Altimeter.Auth.PowerShell.csproj'),
        '-c', $Configuration, '-o', $publish, '--nologo', '-v', 'q')

    if (Test-Path $moduleOut) { Remove-Item -Recurse -Force $moduleOut }
    $null = New-Item -ItemType Directory -Force $moduleOut
    # Ship only what pwsh does not already carry: Newtonsoft.Json, System.* and
    # Microsoft.Bcl.* come with PowerShell, and a second copy of a loaded assembly is refused.
    foreach ($pattern in 'Altimeter.Auth*.dll', 'AWSSDK.*.dll', 'Tomlyn.dll') {
        Copy-Item (Join-Path $publish $pattern) $moduleOut
    }
    Invoke-ReadyToRun $moduleOut
    Copy-Item -Recurse (Join-Path $root 'module/*') $moduleOut
    Copy-Item (Join-Path $root 'LICENSE'), (Join-Path $root 'README.md') $moduleOut

    $version = Get-ModuleVersion
    $notes = Get-ReleaseNotes $version
    $manifest = Get-Content -Raw (Join-Path $root 'Altimeter.Auth.psd1')
    $manifest = $manifest -replace "ModuleVersion\s*=\s*'[^']*'", "ModuleVersion        = '$version'"
    # String.Replace, not -replace: in a regex replacement $_, $& and $1 in the notes would be substitutions.
    $manifest = $manifest.Replace("ReleaseNotes = ''", "ReleaseNotes = '$($notes.Replace("'", "''"))'")
    Set-Content -Path (Join-Path $moduleOut 'Altimeter.Auth.psd1') -Value $manifest -NoNewline
    Write-Host "Module $version staged in $moduleOut"
    $script:built = $true
}

# The native credential_process (src/Altimeter.Auth.Cli), NativeAOT for linux-x64, into the staged
# module's native/linux-x64, where Export-AltimeterProfile finds it. Other platforms keep the pwsh line
# until they can be built and tested. The ILCompiler packages come from the NuGet feed (the SDK picks
# their version); gcc links, so a machine without clang builds it too. Once per run.
function Invoke-NativeProgram {
    Invoke-Build
    if ($script:nativeBuilt) { return }
    $script:nativeBuilt = $true
    $linuxX64 = $IsLinux -and [System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture -eq 'X64'
    if (-not $linuxX64) { Write-Host 'Native: only linux-x64 is built; this platform keeps the pwsh line.'; return }
    $native = Join-Path $out 'native'
    Invoke-Native dotnet @('publish', (Join-Path $root 'src/Altimeter.Auth.Cli/Altimeter.Auth.Cli.csproj'),
        '-c', $Configuration, '-r', 'linux-x64', '-p:CppCompilerAndLinker=gcc', '-o', $native, '--nologo', '-v', 'q')
    $bin = Join-Path $moduleOut 'native/linux-x64'
    $null = New-Item -ItemType Directory -Force $bin
    Copy-Item (Join-Path $native 'altimeter-credential-process') $bin
    Write-Host "Native credential_process staged in $bin"
}

# The CHANGELOG's top entry must be the version being built; its text becomes the release notes.
function Get-ReleaseNotes([string] $Version) {
    $changelog = Get-Content -Raw (Join-Path $root 'CHANGELOG.md')
    if ($changelog -notmatch '(?ms)^## (?<version>\S+)\s*$(?<notes>.*?)(?=^## |\z)') { throw 'CHANGELOG.md has no entry.' }
    if ($Matches.version -ne $Version) { throw "CHANGELOG.md's top entry is $($Matches.version), but Directory.Build.props says $Version." }
    $Matches.notes.Trim()
}

# Runs a script in a child pwsh whose HOME is a scratch folder: PSResourceGet keeps its repository
# list under HOME, and a build must not change the user's.
function Invoke-IsolatedPwsh([string] $Script, [string] $IsolatedHome) {
    # .NET answers an empty path for a data folder that does not exist, and PSResourceGet then
    # writes its repository list relative to the working directory: make them first.
    foreach ($folder in '.local/share', '.config', '.cache') { $null = New-Item -ItemType Directory -Force (Join-Path $IsolatedHome $folder) }
    $info = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($argument in 'pwsh', '-NoProfile', '-NonInteractive', '-Command', $Script) { $info.ArgumentList.Add($argument) }
    $info.WorkingDirectory = $root
    $info.UseShellExecute = $false
    $info.Environment['HOME'] = $IsolatedHome
    $info.Environment['XDG_DATA_HOME'] = Join-Path $IsolatedHome '.local/share'
    $info.Environment['XDG_CONFIG_HOME'] = Join-Path $IsolatedHome '.config'
    $info.Environment['XDG_CACHE_HOME'] = Join-Path $IsolatedHome '.cache'
    # dotnet finds the local tool manifest from the working directory; its tool store stays the user's.
    $info.Environment['NUGET_PACKAGES'] = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path $HOME '.nuget/packages' }
    $info.Environment['DOTNET_CLI_HOME'] = $HOME
    $process = [System.Diagnostics.Process]::Start($info)
    $process.WaitForExit()
    if ($process.ExitCode -ne 0) { throw "The isolated pwsh failed with exit code $($process.ExitCode)." }
}

function Invoke-Package {
    Invoke-NativeProgram
    $version = Get-ModuleVersion
    $package = Join-Path $out 'package'
    $feed = Join-Path $out 'feed'
    foreach ($folder in $package, $feed) { if (Test-Path $folder) { Remove-Item -Recurse -Force $folder } }
    # The layout a module takes when installed: Altimeter.Auth/<version>/.
    $versioned = Join-Path $package "Altimeter.Auth/$version"
    $null = New-Item -ItemType Directory -Force $versioned, $feed
    Copy-Item -Recurse (Join-Path $moduleOut '*') $versioned

    $script = @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name AltimeterBuildFeed -Uri '$feed' -Trusted
Publish-PSResource -Path '$versioned' -Repository AltimeterBuildFeed
"@
    $isolatedHome = Join-Path $out 'package-home'
    if (Test-Path $isolatedHome) { Remove-Item -Recurse -Force $isolatedHome }
    Invoke-IsolatedPwsh $script $isolatedHome
    $nupkg = Get-ChildItem $feed -Filter "Altimeter.Auth.$version.nupkg" | Select-Object -First 1
    if (-not $nupkg) { throw "Publish-PSResource wrote no Altimeter.Auth.$version.nupkg to $feed." }
    Write-Host "Module folder: $versioned"
    Write-Host "Package: $($nupkg.FullName)"
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
    # The whole solution: the benchmarks and the Windows programs must keep compiling too.
    Invoke-Native dotnet @('build', (Join-Path $root 'Altimeter.PowerShell.sln'), '-c', $Configuration, '--nologo', '-v', 'q')
    $env:ALTIMETER_TEST_FIGURES = Join-Path $out 'test-figures.txt'
    if (Test-Path $env:ALTIMETER_TEST_FIGURES) { Remove-Item $env:ALTIMETER_TEST_FIGURES }
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

# Wine from Debian's packages runs the win-x64 build of the Windows checks (Bootstrap installs it).
function Find-Wine {
    foreach ($candidate in '/usr/lib/wine/wine64', '/usr/bin/wine64', '/usr/bin/wine') {
        if (Test-Path $candidate) { return $candidate }
    }
}

# What the tests need beyond the .NET SDK and Python with moto. System packages only as root on
# Debian; elsewhere it says what to install and the tasks that need it fail with the same words.
function Invoke-Bootstrap {
    $null = Get-Pester
    $missing = @()
    if (-not (Find-Wine)) { $missing += 'wine64' }
    if (-not (Get-Command strace -ErrorAction Ignore)) { $missing += 'strace' }
    if ($missing.Count -gt 0) {
        if ((Get-Command apt-get -ErrorAction Ignore) -and (& id -u) -eq '0') {
            $env:DEBIAN_FRONTEND = 'noninteractive'
            Invoke-Native apt-get @('update', '-qq')
            Invoke-Native apt-get (@('install', '-y', '-qq', '--no-install-recommends') + $missing)
        }
        else {
            Write-Warning "Install $($missing -join ' and ') (Debian: apt-get install $($missing -join ' ')) for TestWindows (wine64) and the shared cache's strace test."
        }
    }
    & python3 -c 'import moto.server' 2>$null
    if ($LASTEXITCODE -ne 0) { Write-Warning "Python 3 with moto is needed for the tests: python3 -m pip install 'moto[server]'." }
}

# The closing "N passed, N failed" of a check program's output, its PASS/FAIL lines shown.
function Read-CheckCounts([string] $Layer, [string[]] $Lines) {
    $Lines | Where-Object { $_ -match '^(PASS|FAIL) ' } | Out-Host
    $closing = $Lines | Where-Object { $_ -match '^(\d+) passed, (\d+) failed$' } | Select-Object -Last 1
    if (-not $closing) {
        Write-Host "$Layer did not finish under Wine: $($Lines -join [Environment]::NewLine)"
        return [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0 }
    }
    $null = $closing -match '^(\d+) passed, (\d+) failed$'
    [pscustomobject]@{ Passed = [int]$Matches[1]; Failed = [int]$Matches[2]; Skipped = 0 }
}

function ConvertTo-WinePath([string] $Path) { 'Z:' + ($Path -replace '/', '\') }

function Invoke-WindowsChecks {
    Invoke-Build
    $wine = Find-Wine
    if (-not $wine) { throw 'TestWindows needs Wine: run ./build.ps1 Bootstrap as root, or install the wine64 package (Debian).' }
    # Outside the repository: a Wine prefix links z: to /, and tools that walk the tree (BenchmarkDotNet
    # looking for its project) would follow it.
    $env:WINEPREFIX = Join-Path ([System.IO.Path]::GetTempPath()) "altimeter-wineprefix-$(& id -u)"
    $env:WINEDEBUG = '-all'

    # The engine's Windows-only code, in a win-x64 program.
    $checks = Join-Path $out 'windows-checks'
    Invoke-Native dotnet @('publish', (Join-Path $root 'tests/Altimeter.Auth.WindowsChecks/Altimeter.Auth.WindowsChecks.csproj'),
        '-c', $Configuration, '-r', 'win-x64', '--self-contained', '-o', $checks, '--nologo', '-v', 'q')
    $engine = Read-CheckCounts 'The engine''s Windows checks' @(& $wine (Join-Path $checks 'Altimeter.Auth.WindowsChecks.exe') 2>&1 | ForEach-Object { "$_" })

    # The Pester suite in PowerShell 7.6.9 for Windows, with PowerShell's own Windows modules from
    # the pinned pwsh tool's package (its win folder, beside the unix one this build runs from).
    $powershell = Join-Path $out 'windows-powershell'
    Invoke-Native dotnet @('publish', (Join-Path $root 'tests/Altimeter.Auth.WindowsPowerShell/Altimeter.Auth.WindowsPowerShell.csproj'),
        '-c', $Configuration, '-r', 'win-x64', '--self-contained', '-o', $powershell, '--nologo', '-v', 'q')
    $windowsModules = Join-Path (Split-Path $PSHOME) 'win/Modules'
    if (-not (Test-Path $windowsModules)) { throw "PowerShell's Windows modules are not at $windowsModules." }
    Copy-Item -Recurse -Force $windowsModules $powershell
    Import-Module (Join-Path $root 'tests/fixtures/MotoServer.psm1')
    $server = Start-MotoServer
    $saved = @{}
    $variables = @{
        ALTIMETER_TEST_MOTO_URL = $server.Url
        ALTIMETER_MODULE_PATH = ConvertTo-WinePath (Join-Path $moduleOut 'Altimeter.Auth.psd1')
        # .NET's write-xor-execute memory breaks under Wine (an internal CLR error in Pester's dynamic code).
        DOTNET_EnableWriteXorExecute = '0'
    }
    foreach ($name in $variables.Keys) {
        $saved[$name] = [Environment]::GetEnvironmentVariable($name)
        [Environment]::SetEnvironmentVariable($name, $variables[$name])
    }
    try {
        $lines = @(& $wine (Join-Path $powershell 'Altimeter.Auth.WindowsPowerShell.exe') `
            (ConvertTo-WinePath (Join-Path $root 'tests/windows/Invoke-WindowsPester.ps1')) `
            (ConvertTo-WinePath (Get-Pester)) `
            (ConvertTo-WinePath (Join-Path $root 'tests/pester')) 2>&1 | ForEach-Object { "$_" })
    }
    finally {
        Stop-MotoServer $server
        foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
    }
    $lines | Where-Object { $_ -like 'Left to the Linux run*' } | Out-Host
    $module = Read-CheckCounts 'Pester on Windows' $lines
    Write-Host "Windows engine checks (under Wine): $($engine.Passed) passed, $($engine.Failed) failed"
    Write-Host "Pester on PowerShell 7 for Windows (under Wine): $($module.Passed) passed, $($module.Failed) failed"
    $script:layers.Add([pscustomobject]@{ Name = 'Windows engine checks'; Counts = $engine })
    $script:layers.Add([pscustomobject]@{ Name = 'Pester on Windows'; Counts = $module })
}

function Invoke-Test {
    Invoke-Package
    # One moto for both layers: xunit's MotoServer and Pester's Start-MotoServer join the one
    # ALTIMETER_TEST_MOTO_URL names (each file or test class resets it first) instead of starting their own.
    Import-Module (Join-Path $root 'tests/fixtures/MotoServer.psm1')
    $server = Start-MotoServer
    $saved = $env:ALTIMETER_TEST_MOTO_URL
    $env:ALTIMETER_TEST_MOTO_URL = $server.Url
    try {
        $xunit = Invoke-XunitTests
        $pester = Invoke-PesterTests
    }
    finally {
        Stop-MotoServer $server
        $env:ALTIMETER_TEST_MOTO_URL = $saved
    }
    if (Test-Path $env:ALTIMETER_TEST_FIGURES) { Get-Content $env:ALTIMETER_TEST_FIGURES | ForEach-Object { Write-Host $_ } }
    Write-Host "xunit: $($xunit.Passed) passed, $($xunit.Failed) failed, $($xunit.Skipped) skipped"
    Write-Host "Pester: $($pester.Passed) passed, $($pester.Failed) failed, $($pester.Skipped) skipped"
    $script:layers.Add([pscustomobject]@{ Name = 'xunit'; Counts = $xunit })
    $script:layers.Add([pscustomobject]@{ Name = 'Pester'; Counts = $pester })
}

# The one closing line over every layer that ran. A skipped test is not a passing one, and a layer
# that ran nothing is broken: both count as failures.
function Write-TestSummary {
    $passed = 0; $failed = 0
    foreach ($layer in $script:layers) {
        $passed += $layer.Counts.Passed
        $failed += $layer.Counts.Failed + $layer.Counts.Skipped
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

# Issue 21's goals for the native credential_process (bench/NativeCredentialProcess.ps1): warm call,
# cold 2-hop chain, the AWS CLI through an exported profile. linux-x64 only, where it is built.
function Invoke-NativeBench {
    Invoke-NativeProgram
    if (-not (Test-Path (Join-Path $moduleOut 'native/linux-x64/altimeter-credential-process'))) { return $null }
    Write-Host '== Native credential_process: warm, cold 2-hop, the AWS CLI through an exported profile'
    $json = Join-Path $out 'bench-native.json'
    & dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $root 'bench/NativeCredentialProcess.ps1') -ModulePath (Join-Path $moduleOut 'Altimeter.Auth.psd1') -ResultPath $json
    if ($LASTEXITCODE -ne 0) { throw 'bench/NativeCredentialProcess.ps1 failed.' }
    Get-Content -Raw $json | ConvertFrom-Json
}

function Invoke-Bench {
    Invoke-Build
    $benchProject = Join-Path $root 'bench/Altimeter.Auth.Benchmarks/Altimeter.Auth.Benchmarks.csproj'
    Invoke-Native dotnet @('build', $benchProject, '-c', $Configuration, '--nologo', '-v', 'q')
    $benchDll = Join-Path $root "bench/Altimeter.Auth.Benchmarks/bin/$Configuration/net10.0/Altimeter.Auth.Benchmarks.dll"
    $artifacts = Join-Path $out 'bench-artifacts'
    $scaleJson = Join-Path $out 'bench-scale.json'
    $memoryJson = Join-Path $out 'bench-memory.json'

    Write-Host '== Cache memory'
    Invoke-Native dotnet @($benchDll, 'memory', $memoryJson)
    $memory = Get-Content -Raw $memoryJson | ConvertFrom-Json

    Write-Host '== BenchmarkDotNet: the core hot path'
    if (Test-Path $artifacts) { Remove-Item -Recurse -Force $artifacts }
    Push-Location (Join-Path $root 'bench')
    # No bare '*': pwsh expands it against the files of the folder before dotnet sees it.
    try { Invoke-Native dotnet @($benchDll, '--filter', '*HotPathBenchmarks*', '--artifacts', $artifacts) }
    finally { Pop-Location }
    $report = Get-ChildItem -Recurse (Join-Path $artifacts 'results') -Filter '*-report-full.json' | Select-Object -First 1
    $micro = (Get-Content -Raw $report.FullName | ConvertFrom-Json).Benchmarks | ForEach-Object {
        [pscustomobject]@{ Method = $_.Method; MeanNs = [math]::Round($_.Statistics.Mean, 1); AllocatedBytes = $_.Memory.BytesAllocatedPerOperation }
    }

    Write-Host '== Scale against moto, the AWS CLI peer, Import-Module'
    & dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $root 'bench/Scale.ps1') -ModulePath (Join-Path $moduleOut 'Altimeter.Auth.psd1') -ResultPath $scaleJson
    if ($LASTEXITCODE -ne 0) { throw 'bench/Scale.ps1 failed.' }
    $scale = Get-Content -Raw $scaleJson | ConvertFrom-Json

    Write-Host '== Start-up: import, first session, credential_process, beside pwsh -Command 1'
    $startUpJson = Join-Path $out 'bench-startup.json'
    & dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $root 'bench/StartUp.ps1') -ModulePath (Join-Path $moduleOut 'Altimeter.Auth.psd1') -ResultPath $startUpJson
    if ($LASTEXITCODE -ne 0) { throw 'bench/StartUp.ps1 failed.' }
    $startUp = Get-Content -Raw $startUpJson | ConvertFrom-Json

    # Issue 19's goals; bench/FanOut.ps1 runs alone too (its help has a smoke run's sizes).
    Write-Host '== Fan-out: awsrun (model) beside ours, Invoke-AltimeterCommand -Parallel beside ForEach-Object -Parallel'
    $fanOutJson = Join-Path $out 'bench-fanout.json'
    & dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $root 'bench/FanOut.ps1') -ModulePath (Join-Path $moduleOut 'Altimeter.Auth.psd1') -ResultPath $fanOutJson
    if ($LASTEXITCODE -ne 0) { throw 'bench/FanOut.ps1 failed.' }
    $fanOut = Get-Content -Raw $fanOutJson | ConvertFrom-Json
    $nativeBench = Invoke-NativeBench

    $results = [ordered]@{
        Command = 'dotnet pwsh ./build.ps1 Bench'
        Version = Get-ModuleVersion
        Machine = $scale.Machine
        Date = $scale.Date
        Scale = $scale.Scale
        Peer = $scale.Peer
        ImportModule = $scale.ImportModule
        StartUp = $startUp
        FanOut = $fanOut
        Micro = @($micro)
        CacheMemory = $memory
        NativeCredentialProcess = $nativeBench
    }
    $resultsDir = Join-Path $root 'bench/results'
    $null = New-Item -ItemType Directory -Force $resultsDir
    $results | ConvertTo-Json -Depth 6 | Set-Content (Join-Path $resultsDir 'latest.json')

    Write-Host ''
    Write-Host '| measure | figure |'
    Write-Host '|---|---|'
    foreach ($row in $scale.Scale) {
        Write-Host ("| N={0}, ThrottleLimit {1}: cold | {2:N0} ms ({3:N2} ms/account), {4} AssumeRole, {5} GetCallerIdentity |" -f $row.N, $row.ThrottleLimit, $row.ColdMs, $row.ColdMsPerAccount, $row.ColdAssumeRole, $row.ColdGetCallerIdentity)
        Write-Host ("| N={0}, ThrottleLimit {1}: warm | {2:N1} ms ({3:N1} us/account), {4} STS calls |" -f $row.N, $row.ThrottleLimit, $row.WarmMs, $row.WarmUsPerAccount, $row.WarmStsCalls)
    }
    foreach ($row in $scale.Peer) {
        Write-Host ("| N={0}, {1} (chained profiles) | {2:N0} ms ({3:N0} ms/account), {4} AssumeRole, {5} GetCallerIdentity; {6}x our cold time |" -f $row.N, $row.Tool, $row.Ms, $row.MsPerAccount, $row.AssumeRole, $row.GetCallerIdentity, $row.RatioToAltimeterCold)
    }
    foreach ($row in $micro) {
        Write-Host ("| core {0} | {1:N1} ns, {2} B allocated |" -f $row.Method, $row.MeanNs, $row.AllocatedBytes)
    }
    Write-Host ("| Import-Module (median of {0} fresh pwsh) | {1:N1} ms as the first module; {2:N1} ms after PowerShell's own modules |" -f $scale.ImportModule.Runs, $scale.ImportModule.MedianMs, $scale.ImportModule.MedianMsAfterPowerShellModules)
    Write-Host ("| 10,000 cache entries ({0}-char session tokens) | {1:N1} MB ({2:N1} MB without the tokens) |" -f $memory.TokenLength, ($memory.RetainedBytes / 1MB), ($memory.RetainedBytesWithoutToken / 1MB))
    Write-Host ''
    $startUp.Table | ForEach-Object { Write-Host $_ }
    Write-Host ''
    $fanOut.Table | ForEach-Object { Write-Host $_ }
    if ($nativeBench) { Write-Host ''; $nativeBench.Table | ForEach-Object { Write-Host $_ } }
    Write-Host "Written to bench/results/latest.json"
}

foreach ($name in $Task) {
    switch ($name) {
        'Bootstrap' { Invoke-Bootstrap }
        'Build' { Invoke-Build }
        'Native' { Invoke-NativeProgram }
        'Package' { Invoke-Package }
        'Test' { Invoke-Test }
        'TestWindows' { Invoke-WindowsChecks }
        'Demo' { Invoke-Demo }
        'Bench' { Invoke-Bench }
    }
}
if ($script:layers.Count -gt 0) { Write-TestSummary }
