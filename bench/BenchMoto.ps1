# The moto set-up the benchmarks share (dot-source it: . bench/BenchMoto.ps1). One moto server with
# Nagle's algorithm off (bench/moto_server.py says why), or the one ALTIMETER_TEST_MOTO_URL names;
# the process environment pointed at it with fake keys; N target account ids; the STS calls moto
# answered; a stopwatch. moto's AssumeRole answers for any role ARN (it checks no IAM policy), so
# N accounts' OrganizationAccountAccessRole roles need nothing but N account ids.

Import-Module (Join-Path $PSScriptRoot '../tests/fixtures/MotoServer.psm1')

function Start-BenchMoto {
    Start-MotoServer -Script (Join-Path $PSScriptRoot 'moto_server.py')
}

# For this process and its children: the source keys of examples/accessor.json's chain, the region
# (AWS_DEFAULT_REGION too: boto3 reads only that one) and STS at moto.
function Set-BenchStsEnvironment {
    param([Parameter(Mandatory)] $Server)
    $env:AWS_ACCESS_KEY_ID = 'FAKEBENCHSOURCEKEY01'
    $env:AWS_SECRET_ACCESS_KEY = 'bench-secret-not-real'
    Remove-Item Env:AWS_SESSION_TOKEN, Env:AWS_PROFILE -ErrorAction SilentlyContinue
    $env:AWS_REGION = 'us-east-1'
    $env:AWS_DEFAULT_REGION = 'us-east-1'
    $env:AWS_EC2_METADATA_DISABLED = 'true'
    $env:AWS_ENDPOINT_URL_STS = $Server.Url
    $env:ALTIMETER_DEMO_EXTERNAL_ID = 'demo-external-id'
}

# N twelve-digit account ids from First + 1 on; benches that compare tools give each its own range.
function Get-BenchAccountId {
    param([Parameter(Mandatory)] [int] $Count, [long] $First = 700000000000)
    1..$Count | ForEach-Object { '{0:D12}' -f ($First + $_) }
}

function Get-BenchStsCount {
    param([Parameter(Mandatory)] $Server)
    $requests = @(Get-MotoRequest $Server)
    [pscustomobject]@{
        AssumeRole = @($requests | Where-Object Action -EQ 'AssumeRole').Count
        GetCallerIdentity = @($requests | Where-Object Action -EQ 'GetCallerIdentity').Count
    }
}

# The median of the values (the mean of the middle two for an even count), rounded; $null for none.
function Get-Median([double[]] $Values, [int] $Digits = 1) {
    if ($Values.Count -eq 0) { return $null }
    $sorted = @($Values | Sort-Object)
    $middle = [int][math]::Floor($sorted.Count / 2)
    $median = if ($sorted.Count % 2) { $sorted[$middle] } else { ($sorted[$middle - 1] + $sorted[$middle]) / 2 }
    [math]::Round($median, $Digits)
}

# The timed block sees this function's variables (PowerShell's dynamic scope): a caller's $block
# would silently be the timed block itself, hence the unusual name.
function Measure-BenchMs {
    param([Parameter(Mandatory)] [scriptblock] $TimedBlock)
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $null = & $TimedBlock
    $watch.Elapsed.TotalMilliseconds
}
