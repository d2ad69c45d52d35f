# What the Pester files of Altimeter.Auth share, and the one preamble they start with:
#     BeforeAll { Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force; $suite = Start-TestFile [-Moto | -StsEnvironment] [-NoImport] }
#     AfterAll { Stop-TestFile $suite }
# Where the module and the fixtures are, the AWS environment pointed at a local moto (shared by the
# whole run when build.ps1 started one), moto's record of STS calls (MotoServer.psm1's functions are
# exported from here too), and a fresh pwsh for what must start in a process the SDK has not seen
# yet. Nothing here talks to anything but 127.0.0.1.

$script:RepositoryRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$script:MotoFunctions = @((Import-Module (Join-Path $PSScriptRoot '../fixtures/MotoServer.psm1') -Force -PassThru).ExportedFunctions.Keys)

# Every variable a test may change; Save-TestEnvironment / Restore-TestEnvironment keep them intact.
$script:EnvironmentVariables = @(
    'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_DEFAULT_PROFILE'
    'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_STS', 'AWS_ENDPOINT_URL_SIGNIN', 'AWS_EC2_METADATA_DISABLED'
    'AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ROLE_ARN'
    'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI'
    'TEST_EXT_ID', 'ALTIMETER_PESTER_EXT_ID'
)

<#
.SYNOPSIS
    The module under test: $env:ALTIMETER_MODULE_PATH (set by build.ps1), else the staged out/ copy.
#>
function Get-AltimeterModulePath {
    if ($env:ALTIMETER_MODULE_PATH) { return $env:ALTIMETER_MODULE_PATH }
    Join-Path $script:RepositoryRoot 'out/Altimeter.Auth/Altimeter.Auth.psd1'
}

<#
.SYNOPSIS
    Full path of a file under tests/fixtures, e.g. 'accessors/two-hop.json'.
#>
function Get-FixturePath {
    param([Parameter(Mandatory)] [string] $Name)
    $path = Join-Path $script:RepositoryRoot "tests/fixtures/$Name"
    if (-not (Test-Path -LiteralPath $path)) { throw "Fixture '$Name' is missing ($path)." }
    $path
}

# $null removes the variable. ([Environment]::SetEnvironmentVariable($name, $null) from PowerShell
# passes "" and leaves an empty variable, which the AWS CLI takes for a profile named "".)
function Set-TestVariable([string] $Name, [AllowNull()] [string] $Value) {
    if ([string]::IsNullOrEmpty($Value)) { Remove-Item "Env:$Name" -ErrorAction SilentlyContinue }
    else { Set-Item "Env:$Name" $Value }
}

function Save-TestEnvironment {
    $saved = @{}
    foreach ($name in $script:EnvironmentVariables) { $saved[$name] = [Environment]::GetEnvironmentVariable($name) }
    $saved
}

function Restore-TestEnvironment {
    param([Parameter(Mandatory)] [hashtable] $Saved)
    foreach ($name in $Saved.Keys) { Set-TestVariable $name $Saved[$name] }
}

<#
.SYNOPSIS
    Points the AWS SDK at moto with fake source keys (moto takes any) and nothing else to find:
    no profile, no session token, no instance metadata, no other endpoint.
#>
function Set-MotoStsEnvironment {
    param(
        [Parameter(Mandatory)] $Server,
        [string] $AccessKeyId = 'AKIAPESTERSOURCE0001'
    )
    foreach ($name in $script:EnvironmentVariables) { Set-TestVariable $name $null }
    $env:AWS_ACCESS_KEY_ID = $AccessKeyId
    $env:AWS_SECRET_ACCESS_KEY = 'pester-source-secret-not-real'
    $env:AWS_REGION = 'us-east-1'
    $env:AWS_ENDPOINT_URL_STS = $Server.Url
    $env:AWS_EC2_METADATA_DISABLED = 'true'
}

<#
.SYNOPSIS
    The account GetCallerIdentity reports for $Credential, asked the way an SDK user would.
#>
function Get-CallerAccount {
    param([Parameter(Mandatory)] $Credential)
    $config = [Amazon.SecurityToken.AmazonSecurityTokenServiceConfig]@{ RegionEndpoint = [Amazon.RegionEndpoint]::USEast1 }
    $client = [Amazon.SecurityToken.AmazonSecurityTokenServiceClient]::new($Credential, $config)
    try {
        $client.GetCallerIdentityAsync([Amazon.SecurityToken.Model.GetCallerIdentityRequest]::new()).GetAwaiter().GetResult().Account
    }
    finally { $client.Dispose() }
}

<#
.SYNOPSIS
    Everything a user could see of $InputObject, as one text: default and full list views,
    ToString and JSON. Secrets must never be in it.
#>
function ConvertTo-VisibleText {
    param([Parameter(Mandatory, ValueFromPipeline)] [AllowNull()] $InputObject)
    process {
        if ($null -eq $InputObject) { return }
        $InputObject | Out-String -Width 1000
        $InputObject | Format-List * -Force | Out-String -Width 1000
        $InputObject.ToString()
        if ($InputObject -is [System.Management.Automation.ErrorRecord]) {
            $InputObject.Exception.ToString()
            "$($InputObject.ErrorDetails)"
        }
        elseif ($InputObject -is [System.Management.Automation.InformationalRecord]) {
            $InputObject.Message
        }
        else {
            $InputObject | ConvertTo-Json -Depth 6 -WarningAction SilentlyContinue
        }
    }
}

<#
.SYNOPSIS
    How to start the pwsh this one is: under `dotnet pwsh` the process is dotnet and pwsh.dll its
    first argument; elsewhere pwsh itself.
#>
function Get-PwshCommandLine {
    [Environment]::ProcessPath
    if ([System.IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' }
}

<#
.SYNOPSIS
    Runs $ScriptBlock in a new pwsh process with the module imported, and returns what it outputs
    (through JSON). For what depends on the process's first contact with the AWS SDK, which reads
    some settings (the shared credentials file's path) once per process.
.PARAMETER Environment
    Variables to set in the new process; a $null value removes the variable.
.PARAMETER Parameters
    Bound by name to the script block's param() block (values must survive JSON).
#>
function Invoke-FreshPwsh {
    param(
        [Parameter(Mandatory)] [scriptblock] $ScriptBlock,
        [hashtable] $Environment = @{},
        [hashtable] $Parameters = @{},
        # The script block imports what it needs itself, in the order it needs.
        [switch] $NoImport
    )
    $resultPath = Join-Path ([System.IO.Path]::GetTempPath()) "altimeter-pester-$([guid]::NewGuid()).json"
    $quote = { param($text) "'" + ($text -replace "'", "''") + "'" }
    $parametersJson = ConvertTo-Json -InputObject $Parameters -Depth 5 -Compress
    $script = @"
`$ErrorActionPreference = 'Stop'
`$PSStyle.OutputRendering = 'PlainText'
$(if (-not $NoImport) { "Import-Module $(& $quote (Get-AltimeterModulePath))" })
`$parameters = $(& $quote $parametersJson) | ConvertFrom-Json -AsHashtable
`$output = & { $ScriptBlock } @parameters
ConvertTo-Json -InputObject @(`$output) -Depth 6 | Set-Content -LiteralPath $(& $quote $resultPath)
"@

    $pwsh = @(Get-PwshCommandLine)
    $info = [System.Diagnostics.ProcessStartInfo]::new($pwsh[0])
    foreach ($argument in $pwsh | Select-Object -Skip 1) { $info.ArgumentList.Add($argument) }
    foreach ($argument in '-NoProfile', '-NonInteractive', '-OutputFormat', 'Text', '-EncodedCommand', [Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($script))) {
        $info.ArgumentList.Add($argument)
    }
    $info.UseShellExecute = $false
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    foreach ($name in $Environment.Keys) {
        if ($null -eq $Environment[$name]) { $null = $info.Environment.Remove($name) }
        else { $info.Environment[$name] = [string]$Environment[$name] }
    }

    $process = [System.Diagnostics.Process]::Start($info)
    try {
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        if (-not $process.WaitForExit(120000)) { $process.Kill($true); throw 'The child pwsh did not finish within 120 s.' }
        if ($process.ExitCode -ne 0 -or -not (Test-Path -LiteralPath $resultPath)) {
            throw "The child pwsh failed (exit code $($process.ExitCode)): $($stderr.Result) $($stdout.Result)"
        }
        Get-Content -Raw -LiteralPath $resultPath | ConvertFrom-Json | ForEach-Object { $_ }
    }
    finally {
        $process.Dispose()
        Remove-Item -LiteralPath $resultPath -ErrorAction SilentlyContinue
    }
}

<#
.SYNOPSIS
    True when something accepts connections on 127.0.0.1:$Port (a credentials endpoint still open).
#>
function Test-LoopbackPort {
    param([Parameter(Mandatory)] [int] $Port)
    $client = [System.Net.Sockets.TcpClient]::new()
    try { $client.Connect([System.Net.IPAddress]::Loopback, $Port); $true } catch { $false } finally { $client.Dispose() }
}

<#
.SYNOPSIS
    What every test file starts with: the module under test imported (unless -NoImport), and with
    -Moto a moto to talk to (the run's shared one, reset, when ALTIMETER_TEST_MOTO_URL names it;
    else one of its own). -StsEnvironment also saves the environment and points the AWS SDK at that
    moto with fake source keys. Stop-TestFile undoes it all.
#>
function Start-TestFile {
    param([switch] $Moto, [switch] $StsEnvironment, [switch] $NoImport)
    if (-not $NoImport) { Import-Module (Get-AltimeterModulePath) -Global -Force }
    $suite = [pscustomobject]@{ Server = $null; SavedEnvironment = $null }
    if ($Moto -or $StsEnvironment) { $suite.Server = Start-MotoServer }
    if ($StsEnvironment) {
        $suite.SavedEnvironment = Save-TestEnvironment
        Set-MotoStsEnvironment -Server $suite.Server
        $env:ALTIMETER_PESTER_EXT_ID = 'pester-external-id'
    }
    $suite
}

function Stop-TestFile {
    param([AllowNull()] $Suite)
    if (-not $Suite) { return }
    if ($Suite.Server) { Stop-MotoServer $Suite.Server }
    if ($Suite.SavedEnvironment) { Restore-TestEnvironment $Suite.SavedEnvironment }
    if (Get-Command Clear-AltimeterCredentialCache -ErrorAction Ignore) { Clear-AltimeterCredentialCache -Confirm:$false }
}

<#
.SYNOPSIS
    A stand-in for AWS.Tools.Common under $Root (put $Root on PSModulePath), built as the real module
    is shaped: a binary root module, AWS.Tools.Common.dll, compiled here from
    tests/fixtures/AwsToolsStandIn/AWS.Tools.Common.cs (its header names the AWS Tools sources it
    follows), AWSSDK.Core and AWSSDK.SecurityToken loaded by RequiredAssemblies, and AWSSDK.SSO and
    AWSSDK.SSOOIDC beside them, not loaded at import, as the real module ships them.
.DESCRIPTION
    The real module ships netstandard2.0 builds of its own SDK release; Altimeter.Auth ships the
    netstandard2.0 build of ours. The stand-in copies the net8.0 build of the same release: another
    file (the runtime would take a byte-identical copy for the one it has, hiding the conflict of
    two AWSSDK.Core files) with the same API.
#>
function New-AwsToolsStandIn {
    param(
        [Parameter(Mandatory)] [string] $Root,
        # The version folder and ModuleVersion; AWS Tools 5 is the first built on AWSSDK.Core 4.
        [string] $Version = '5.0.0',
        # How it is installed: Versioned (AWS.Tools.Common/<version>/, as Install-Module lays it out),
        # Unversioned (AWS.Tools.Common/ holding the files, as a copied folder or the extracted AWS
        # Tools ZIP), Monolithic (AWSPowerShell.NetCore/<version>/, the single-module edition).
        [ValidateSet('Versioned', 'Unversioned', 'Monolithic')] [string] $Layout = 'Versioned'
    )
    $module = if ($Layout -eq 'Monolithic') { 'AWSPowerShell.NetCore' } else { 'AWS.Tools.Common' }
    $folder = if ($Layout -eq 'Unversioned') { Join-Path $Root $module } else { Join-Path $Root "$module/$Version" }
    $null = New-Item -ItemType Directory -Force $folder
    $assets = Get-Content -Raw (Join-Path $script:RepositoryRoot 'src/Altimeter.Auth/obj/project.assets.json') | ConvertFrom-Json -AsHashtable
    $packages = @($assets.packageFolders.Keys)[0]
    foreach ($name in 'AWSSDK.Core', 'AWSSDK.SecurityToken', 'AWSSDK.SSO', 'AWSSDK.SSOOIDC') {
        $library = @($assets.libraries.Keys | Where-Object { $_ -like "$name/*" })[0]
        Copy-Item (Join-Path $packages "$($assets.libraries[$library].path)/lib/net8.0/$name.dll") $folder
    }
    # Compiled once per version of the source (a compile takes seconds), in a child process: Add-Type
    # may load what it references into the process it runs in.
    $source = Join-Path $script:RepositoryRoot 'tests/fixtures/AwsToolsStandIn/AWS.Tools.Common.cs'
    $built = Join-Path $script:RepositoryRoot "tests/fixtures/AwsToolsStandIn/obj/$((Get-FileHash $source).Hash)/AWS.Tools.Common.dll"
    if (Test-Path -LiteralPath $built) {
        Copy-Item -LiteralPath $built $folder
    }
    else {
        # Given -ReferencedAssemblies, Add-Type drops its defaults: the runtime's reference assemblies and PowerShell's go in again.
        $compile = "`$PSStyle.OutputRendering = 'PlainText'; " +
            "`$references = @(Get-ChildItem `$PSHOME/ref/*.dll | ForEach-Object FullName) + [psobject].Assembly.Location + '$folder/AWSSDK.Core.dll'; " +
            "Add-Type -Path '$source' -OutputAssembly '$folder/AWS.Tools.Common.dll' -OutputType Library -ReferencedAssemblies `$references -IgnoreWarnings"
        $pwsh = @(Get-PwshCommandLine)
        $output = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -Command $compile 2>&1
        if ($LASTEXITCODE -ne 0 -or -not (Test-Path "$folder/AWS.Tools.Common.dll")) { throw "The AWS.Tools.Common stand-in did not compile: $output" }
        $null = New-Item -ItemType Directory -Force (Split-Path $built)
        Copy-Item "$folder/AWS.Tools.Common.dll" $built
    }
    $cmdlets = "@('Set-AWSCredential', 'Clear-AWSCredential', 'Get-AWSCredential', 'Set-DefaultAWSRegion', 'Clear-DefaultAWSRegion', 'Get-DefaultAWSRegion')"
    if ($Layout -eq 'Monolithic') {
        # modules/AWSPowerShell/AWSPowerShell.NetCore.psd1 (commit 02552b5bbf684049d3e631191f2ee53a5f18a3fa):
        # its root module is AWSPowerShell.NetCore.dll and RequiredAssemblies names every service's
        # assembly; the stand-in keeps the ones it ships. The cmdlets are the same stand-in's.
        Move-Item (Join-Path $folder 'AWS.Tools.Common.dll') (Join-Path $folder 'AWSPowerShell.NetCore.dll')
        Set-Content (Join-Path $folder 'AWSPowerShell.NetCore.psd1') @"
@{
    RootModule = 'AWSPowerShell.NetCore.dll'
    ModuleVersion = '$Version'
    GUID = 'cb0b9b96-f3f2-4eff-b7f4-cbe0a9203683'
    PowerShellVersion = '3.0'
    DotNetFrameworkVersion = '4.7.2'
    RequiredAssemblies = @('AWSSDK.Core.dll', 'AWSSDK.SecurityToken.dll', 'AWSSDK.SSO.dll', 'AWSSDK.SSOOIDC.dll')
    FunctionsToExport = ''
    CmdletsToExport = $cmdlets
    VariablesToExport = '*'
    AliasesToExport = @()
}
"@
        return $Root
    }
    Set-Content (Join-Path $folder 'AWS.Tools.Common.psd1') @"
@{
    RootModule = 'AWS.Tools.Common.dll'
    CompatiblePSEditions = @('Core', 'Desktop')
    ModuleVersion = '$Version'
    GUID = 'e5b05bf3-9eee-47b2-81f2-41ddc0501b86'
    PowerShellVersion = '5.1'
    RequiredAssemblies = @('AWSSDK.Core.dll', 'AWSSDK.SecurityToken.dll')
    FunctionsToExport = ''
    CmdletsToExport = $cmdlets
    VariablesToExport = '*'
    AliasesToExport = @()
}
"@
    $Root
}

<#
.SYNOPSIS
    The cmdlets the module declares (the source manifest's CmdletsToExport), sorted: what the built
    module and the installed package must export, no more and no fewer.
#>
function Get-DeclaredCmdlets {
    (Import-PowerShellDataFile (Join-Path $script:RepositoryRoot 'Altimeter.Auth.psd1')).CmdletsToExport | Sort-Object
}

<#
.SYNOPSIS
    Starts tests/fixtures/neighbour/loopback_neighbour.py: another local user next to a credentials
    endpoint (`nobody`, through runuser, when the tests run as root; else this user, to whom the
    endpoint is no different). Returns the process; its output lines say what it saw.
#>
function Start-LoopbackNeighbour {
    param([Parameter(Mandatory, ValueFromRemainingArguments)] [string[]] $Arguments)
    $script = Get-FixturePath 'neighbour/loopback_neighbour.py'
    $command = @('python3', $script) + $Arguments
    if ([int](id -u) -eq 0) { $command = @('runuser', '-u', 'nobody', '--') + $command }
    $info = [System.Diagnostics.ProcessStartInfo]::new($command[0])
    foreach ($argument in $command | Select-Object -Skip 1) { $info.ArgumentList.Add($argument) }
    $info.UseShellExecute = $false
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    # The neighbour gets none of this process's AWS variables (inside a block: the endpoint's token).
    foreach ($name in @($info.Environment.Keys | Where-Object { $_ -like 'AWS_*' })) { $null = $info.Environment.Remove($name) }
    $process = [System.Diagnostics.Process]::Start($info)
    $null = $process.StandardError.ReadToEndAsync()
    $process
}

<#
.SYNOPSIS
    Runs the AWS CLI with $Arguments in an environment changed by $Environment (a $null value
    removes the variable, as in a credential server's GetEnvironmentVariables()). Returns its exit
    code, standard output and standard error.
#>
function Invoke-AwsCli {
    param([Parameter(Mandatory)] [System.Collections.IDictionary] $Environment, [Parameter(Mandatory)] [string[]] $Arguments)
    $info = [System.Diagnostics.ProcessStartInfo]::new((Get-Command aws -CommandType Application)[0].Source)
    foreach ($argument in $Arguments) { $info.ArgumentList.Add($argument) }
    $info.UseShellExecute = $false
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    foreach ($name in $Environment.Keys) {
        if ($null -eq $Environment[$name]) { $null = $info.Environment.Remove($name) } else { $info.Environment[$name] = $Environment[$name] }
    }
    $process = [System.Diagnostics.Process]::Start($info)
    try {
        $stderr = $process.StandardError.ReadToEndAsync()
        $stdout = $process.StandardOutput.ReadToEnd()
        $process.WaitForExit()
        [pscustomobject]@{ ExitCode = $process.ExitCode; Output = $stdout; Error = $stderr.Result }
    }
    finally { $process.Dispose() }
}

<#
.SYNOPSIS
    The next line $Process writes, or a failure after $Seconds: a hang is a failure, not a stuck run.
#>
function Read-ProcessLine {
    param([Parameter(Mandatory)] [System.Diagnostics.Process] $Process, [int] $Seconds = 90)
    $line = $Process.StandardOutput.ReadLineAsync()
    if (-not $line.Wait($Seconds * 1000)) { throw "The process wrote no line within $Seconds s." }
    $line.Result
}

<#
.SYNOPSIS
    The loopback doubles of the test project (the SSO portal and OIDC, the federation endpoint),
    compiled once per process: each file uses LoopbackHttpServer, and a second compilation of it
    in another assembly would make its name ambiguous.
#>
function Add-LoopbackDoubles {
    if ('Altimeter.Auth.Tests.Doubles.LoopbackHttpServer' -as [type]) { return }
    $doubles = Join-Path $script:RepositoryRoot 'tests/Altimeter.Auth.Tests/Doubles'
    Add-Type -Path (Join-Path $doubles 'LoopbackHttpServer.cs'), (Join-Path $doubles 'SsoPortalDouble.cs'), (Join-Path $doubles 'FederationEndpointDouble.cs')
}

<#
.SYNOPSIS
    The variables a child could take credentials or settings from, as text, to compare the
    environment before and after a block: a missing one is <unset>, an empty one "".
#>
function Get-AwsVariableState {
    foreach ($name in 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'AWS_DEFAULT_REGION',
        'AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_CREDENTIAL_EXPIRATION', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_EC2_METADATA_DISABLED') {
        $value = [Environment]::GetEnvironmentVariable($name)
        if ($null -eq $value) { "$name=<unset>" } else { "$name=""$value""" }
    }
}

Export-ModuleMember -Function (@(
    'Get-AltimeterModulePath', 'Get-PwshCommandLine', 'Get-FixturePath',
    'Save-TestEnvironment', 'Restore-TestEnvironment', 'Set-TestVariable', 'Set-MotoStsEnvironment',
    'Get-CallerAccount', 'ConvertTo-VisibleText', 'Invoke-FreshPwsh', 'New-AwsToolsStandIn',
    'Start-TestFile', 'Stop-TestFile', 'Add-LoopbackDoubles', 'Get-DeclaredCmdlets', 'Test-LoopbackPort',
    'Start-LoopbackNeighbour', 'Read-ProcessLine', 'Invoke-AwsCli', 'Get-AwsVariableState'
) + $script:MotoFunctions)
