# What the Pester files of Altimeter.Auth share: where the module and the fixtures are, the AWS
# environment pointed at a local moto, moto's record of STS calls, and a fresh pwsh for what
# must start in a process the SDK has not seen yet. Nothing here talks to anything but 127.0.0.1.

$script:RepositoryRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
Import-Module (Join-Path $PSScriptRoot '../fixtures/MotoServer.psm1')

# Every variable a test may change; Save-TestEnvironment / Restore-TestEnvironment keep them intact.
$script:EnvironmentVariables = @(
    'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_DEFAULT_PROFILE'
    'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_STS', 'AWS_EC2_METADATA_DISABLED'
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
    What most test files start with: the environment saved, moto started, the AWS SDK pointed at it.
    Stop-MotoTestSuite undoes it all and empties the credentials cache.
#>
function Start-MotoTestSuite {
    $saved = Save-TestEnvironment
    $server = Start-MotoServer
    Set-MotoStsEnvironment -Server $server
    $env:ALTIMETER_PESTER_EXT_ID = 'pester-external-id'
    [pscustomobject]@{ Server = $server; SavedEnvironment = $saved }
}

function Stop-MotoTestSuite {
    param([AllowNull()] $Suite)
    if ($Suite) {
        Stop-MotoServer $Suite.Server
        Restore-TestEnvironment $Suite.SavedEnvironment
    }
    Clear-AltimeterCredentialCache -Confirm:$false
}

<#
.SYNOPSIS
    A stand-in for AWS.Tools.Common under $Root (put $Root on PSModulePath): it loads another build
    of AWSSDK.Core 4.x (net8.0, as AWS Tools ships for PowerShell 7) by RequiredAssemblies, as the
    real module does, and declares Set-AWSCredential with the real parameter sets. Set-AWSCredential
    keeps what it was given in $StoredAWSCredentials (in an AWSPSCredentials-like wrapper, as AWS
    Tools does) and the parameter set that bound in $StandInBoundParameterSet; Set-DefaultAWSRegion
    keeps the region in $StoredAWSRegion.
#>
function New-AwsToolsStandIn {
    param([Parameter(Mandatory)] [string] $Root)
    $folder = Join-Path $Root 'AWS.Tools.Common/5.0.0'
    $null = New-Item -ItemType Directory -Force $folder
    $assets = Get-Content -Raw (Join-Path $script:RepositoryRoot 'src/Altimeter.Auth/obj/project.assets.json') | ConvertFrom-Json -AsHashtable
    $packages = @($assets.packageFolders.Keys)[0]
    foreach ($name in 'AWSSDK.Core', 'AWSSDK.SecurityToken') {
        $library = @($assets.libraries.Keys | Where-Object { $_ -like "$name/*" })[0]
        Copy-Item (Join-Path $packages "$($assets.libraries[$library].path)/lib/net8.0/$name.dll") $folder
    }
    Set-Content (Join-Path $folder 'AWS.Tools.Common.psd1') @"
@{
    RootModule = 'AWS.Tools.Common.psm1'
    ModuleVersion = '5.0.0'
    GUID = 'e5b05bf3-9eee-47b2-81f2-41ddc0501b86'
    RequiredAssemblies = @('AWSSDK.Core.dll', 'AWSSDK.SecurityToken.dll')
    FunctionsToExport = @('Set-AWSCredential', 'Set-DefaultAWSRegion')
    CmdletsToExport = @()
}
"@
    Set-Content (Join-Path $folder 'AWS.Tools.Common.psm1') @'
function Set-AWSCredential {
    [CmdletBinding(DefaultParameterSetName = 'StoredProfile')]
    param(
        [Parameter(Mandatory, ValueFromPipeline, ValueFromPipelineByPropertyName, ParameterSetName = 'AWSCredentialsObject')]
        [Amazon.Runtime.AWSCredentials] $Credential,
        [Parameter(Mandatory, ValueFromPipelineByPropertyName, ParameterSetName = 'BasicOrSession')]
        [Alias('AK')] [string] $AccessKey,
        [Parameter(Mandatory, ValueFromPipelineByPropertyName, ParameterSetName = 'BasicOrSession')]
        [Alias('SK', 'SecretAccessKey')] [string] $SecretKey,
        [Parameter(ValueFromPipelineByPropertyName, ParameterSetName = 'BasicOrSession')]
        [Alias('ST')] [string] $SessionToken,
        [Parameter(ParameterSetName = 'StoredProfile')]
        [string] $ProfileName
    )
    process {
        $Global:StandInBoundParameterSet = $PSCmdlet.ParameterSetName
        $Global:StoredAWSCredentials = switch ($PSCmdlet.ParameterSetName) {
            'AWSCredentialsObject' { [pscustomobject]@{ Credentials = $Credential; Name = 'stand-in' } }
            'BasicOrSession' {
                $keys = if ($SessionToken) { [Amazon.Runtime.SessionAWSCredentials]::new($AccessKey, $SecretKey, $SessionToken) } else { [Amazon.Runtime.BasicAWSCredentials]::new($AccessKey, $SecretKey) }
                [pscustomobject]@{ Credentials = $keys; Name = 'stand-in' }
            }
            'StoredProfile' { $ProfileName }
        }
    }
}

function Set-DefaultAWSRegion {
    param([Parameter(Mandatory, Position = 0)] [string] $Region)
    $Global:StoredAWSRegion = $Region
}
'@
    $Root
}

Export-ModuleMember -Function Get-AltimeterModulePath, Get-PwshCommandLine, Get-FixturePath, Save-TestEnvironment, Restore-TestEnvironment,
    Set-MotoStsEnvironment, Get-CallerAccount, ConvertTo-VisibleText, Invoke-FreshPwsh, New-AwsToolsStandIn,
    Start-MotoTestSuite, Stop-MotoTestSuite, Test-LoopbackPort
