<#
.SYNOPSIS
    The native credential_process (altimeter-credential-process) against issue 21's goals, in paired
    rounds: each round runs every measure once, one after the other, so the two sides of a ratio met
    the same load on the machine; each figure is the median of -Runs rounds (ratios: the median of
    the rounds' ratios). Against a local moto STS, the 2-hop chain of examples/accessor.json:
      Warm   the program with a warm shared cache (ALTIMETER_CREDENTIAL_CACHE), beside
             `pwsh -NoProfile -Command 1`                                    goal ≤ 0.05×
      Cold   the program through both hops (no cache), beside the bare floor: two AssumeRole round
             trips made by curl (--aws-sigv4; the second signed with the first's session) as two
             processes, less one curl start (`curl --version`), so: two round trips plus one
             process start                                                  goal ≤ 1.3×
      Cli    `aws sts get-caller-identity` through a profile Export-AltimeterProfile wrote (warm
             shared cache), beside the same call with static keys in the environment  goal ≤ 1.1×
    Wall times of processes started with System.Diagnostics.Process, output read and thrown away.
    Writes the figures as JSON to -ResultPath when given.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [string] $ResultPath,
    [ValidateRange(11, 1000)] [int] $Runs = 11
)

. (Join-Path $PSScriptRoot 'BenchMoto.ps1')   # Get-Median

$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot
$ModulePath = (Resolve-Path $ModulePath).Path
Import-Module (Join-Path $root 'tests/fixtures/MotoServer.psm1')
$program = Join-Path (Split-Path $ModulePath) 'native/linux-x64/altimeter-credential-process'
if (-not (Test-Path $program)) { throw "No native program at ${program}: run build.ps1 Native first (linux-x64 only)." }
$pwshCommand = @([Environment]::ProcessPath) + @(if ([System.IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })

# One process: wall time in ms (start to exit) and its standard output. $Environment: variables
# for this process only (a null value removes one).
function Invoke-Timed([string[]] $CommandLine, [hashtable] $Environment = @{}) {
    $info = [System.Diagnostics.ProcessStartInfo]::new($CommandLine[0])
    foreach ($argument in $CommandLine | Select-Object -Skip 1) { $info.ArgumentList.Add($argument) }
    $info.UseShellExecute = $false
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    foreach ($name in $Environment.Keys) {
        if ($null -eq $Environment[$name]) { $null = $info.Environment.Remove($name) } else { $info.Environment[$name] = $Environment[$name] }
    }
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $process = [System.Diagnostics.Process]::Start($info)
    try {
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        $process.WaitForExit()
        $wall = $watch.Elapsed.TotalMilliseconds
        if ($process.ExitCode -ne 0) { throw "$($CommandLine -join ' ') failed ($($process.ExitCode)): $($stderr.Result)" }
        [pscustomobject]@{ WallMs = $wall; Text = $stdout.Result }
    }
    finally { $process.Dispose() }
}


# An AssumeRole by curl, signed with SigV4 as the SDK signs it; the credentials it returns.
function Invoke-CurlAssumeRole([string] $RoleArn, [string] $ExternalId, [string] $AccessKeyId, [string] $SecretAccessKey, [string] $SessionToken) {
    $arguments = @('-sS', '--fail', '--aws-sigv4', 'aws:amz:us-east-1:sts', '--user', "${AccessKeyId}:$SecretAccessKey",
        '-H', 'Content-Type: application/x-www-form-urlencoded; charset=utf-8')
    if ($SessionToken) { $arguments += @('-H', "X-Amz-Security-Token: $SessionToken") }
    $body = "Action=AssumeRole&Version=2011-06-15&RoleArn=$([uri]::EscapeDataString($RoleArn))&RoleSessionName=altimeter-demo&DurationSeconds=3600"
    if ($ExternalId) { $body += "&ExternalId=$([uri]::EscapeDataString($ExternalId))" }
    $run = Invoke-Timed (@('curl') + $arguments + @('--data', $body, "$($server.Url)/"))
    $xml = [xml]$run.Text
    $credentials = $xml.AssumeRoleResponse.AssumeRoleResult.Credentials
    [pscustomobject]@{ WallMs = $run.WallMs; AccessKeyId = $credentials.AccessKeyId; SecretAccessKey = $credentials.SecretAccessKey; SessionToken = $credentials.SessionToken }
}

$server = Start-MotoServer
$scratch = Join-Path ([System.IO.Path]::GetTempPath()) "altimeter-bench-native-$PID"
$warmCache = Join-Path $scratch 'shared-cache'
try {
    $null = New-Item -ItemType Directory -Force $warmCache
    chmod 700 $warmCache
    $sourceKey = 'FAKEBENCHSOURCEKEY01'
    $sourceSecret = 'bench-secret-not-real'
    $base = @{
        AWS_ACCESS_KEY_ID = $sourceKey; AWS_SECRET_ACCESS_KEY = $sourceSecret; AWS_SESSION_TOKEN = $null; AWS_PROFILE = $null
        AWS_REGION = 'us-east-1'; AWS_EC2_METADATA_DISABLED = 'true'; AWS_ENDPOINT_URL_STS = $server.Url
        ALTIMETER_DEMO_EXTERNAL_ID = 'demo-external-id'; ALTIMETER_CREDENTIAL_CACHE = $null
        AWS_CONFIG_FILE = (Join-Path $scratch 'aws-config'); AWS_SHARED_CREDENTIALS_FILE = (Join-Path $scratch 'no-credentials')
    }
    $accessorFile = Join-Path $root 'examples/accessor.json'
    $account = '333333333333'

    # The profile as a user gets it: Export-AltimeterProfile's native line.
    foreach ($name in $base.Keys) { [Environment]::SetEnvironmentVariable($name, $base[$name]) }
    Import-Module $ModulePath
    $profile = $account | Export-AltimeterProfile -Path $accessorFile -Region us-east-1 -ConfigFile $base.AWS_CONFIG_FILE -Program Native -Confirm:$false
    $warm = $base.Clone(); $warm.ALTIMETER_CREDENTIAL_CACHE = $warmCache
    $null = Invoke-Timed @($program, $account, '--path', $accessorFile, '--region', 'us-east-1') $warm   # fills the shared cache
    $static = $base.Clone(); $static.AWS_CONFIG_FILE = (Join-Path $scratch 'no-config')

    $rounds = for ($round = 0; $round -lt $Runs; $round++) {
        $warmRun = Invoke-Timed @($program, $account, '--path', $accessorFile, '--region', 'us-east-1') $warm
        if (-not ($warmRun.Text | ConvertFrom-Json).SessionToken) { throw 'the warm call printed no session' }
        $pwshRun = Invoke-Timed ($pwshCommand + @('-NoProfile', '-Command', '1')) $base
        $coldRun = Invoke-Timed @($program, $account, '--path', $accessorFile, '--region', 'us-east-1', '--no-cache') $base
        $hub = Invoke-CurlAssumeRole 'arn:aws:iam::111111111111:role/OrganizationAccountAccessRole' 'demo-external-id' $sourceKey $sourceSecret $null
        $target = Invoke-CurlAssumeRole "arn:aws:iam::${account}:role/OrganizationAccountAccessRole" $null $hub.AccessKeyId $hub.SecretAccessKey $hub.SessionToken
        $curlStart = Invoke-Timed @('curl', '--version')
        $cliProfile = Invoke-Timed @('aws', 'sts', 'get-caller-identity', '--profile', $profile.ProfileName, '--region', 'us-east-1', '--output', 'json') $warm
        if (($cliProfile.Text | ConvertFrom-Json).Account -ne $account) { throw "the profile reached $($cliProfile.Text)" }
        $cliStatic = Invoke-Timed @('aws', 'sts', 'get-caller-identity', '--region', 'us-east-1', '--output', 'json') $static
        $floor = $hub.WallMs + $target.WallMs - $curlStart.WallMs
        [pscustomobject]@{
            WarmMs = $warmRun.WallMs; PwshCommand1Ms = $pwshRun.WallMs; WarmRatio = $warmRun.WallMs / $pwshRun.WallMs
            ColdMs = $coldRun.WallMs; CurlHubMs = $hub.WallMs; CurlTargetMs = $target.WallMs; CurlStartMs = $curlStart.WallMs; ColdFloorMs = $floor; ColdRatio = $coldRun.WallMs / $floor
            CliProfileMs = $cliProfile.WallMs; CliStaticMs = $cliStatic.WallMs; CliRatio = $cliProfile.WallMs / $cliStatic.WallMs
        }
    }

    $median = @{}
    foreach ($name in $rounds[0].PSObject.Properties.Name) { $median[$name] = Get-Median @($rounds | ForEach-Object $name) -Digits 3 }
    $result = [ordered]@{
        Runs = $Runs
        Program = 'altimeter-credential-process (NativeAOT, linux-x64)'
        Warm = [ordered]@{ Ms = $median.WarmMs; PwshCommand1Ms = $median.PwshCommand1Ms; Ratio = $median.WarmRatio; Goal = 0.05 }
        Cold = [ordered]@{ Ms = $median.ColdMs; FloorMs = $median.ColdFloorMs; CurlHubMs = $median.CurlHubMs; CurlTargetMs = $median.CurlTargetMs; CurlStartMs = $median.CurlStartMs; Ratio = $median.ColdRatio; Goal = 1.3 }
        AwsCli = [ordered]@{ ProfileMs = $median.CliProfileMs; StaticKeysMs = $median.CliStaticMs; Ratio = $median.CliRatio; Goal = 1.1; Version = "$(& aws --version 2>&1)".Trim() }
    }
    $result.Table = @(
        "| native credential_process (medians of $Runs paired rounds) | ours | beside | ratio | goal |"
        '|---|---|---|---|---|'
        '| warm call (shared cache hit) | {0:N1} ms | `pwsh -NoProfile -Command 1`: {1:N0} ms | {2:N3}× | ≤ 0.05× |' -f $result.Warm.Ms, $result.Warm.PwshCommand1Ms, $result.Warm.Ratio
        '| cold 2-hop chain (no cache) | {0:N1} ms | two AssumeRole by curl less one curl start: {1:N1} ms ({2:N1} + {3:N1} − {4:N1}) | {5:N2}× | ≤ 1.3× |' -f $result.Cold.Ms, $result.Cold.FloorMs, $result.Cold.CurlHubMs, $result.Cold.CurlTargetMs, $result.Cold.CurlStartMs, $result.Cold.Ratio
        '| `aws sts get-caller-identity` through the exported profile (warm) | {0:N0} ms | static keys: {1:N0} ms | {2:N2}× | ≤ 1.1× |' -f $result.AwsCli.ProfileMs, $result.AwsCli.StaticKeysMs, $result.AwsCli.Ratio
    )
    $result.Table | ForEach-Object { Write-Host $_ }
    if ($ResultPath) { $result | ConvertTo-Json -Depth 5 | Set-Content $ResultPath }
}
finally {
    Stop-MotoServer $server
    Remove-Item -Recurse -Force $scratch -ErrorAction SilentlyContinue
}
