<#
.SYNOPSIS
    The main job, on a local STS: load an accessor file with a two-hop chain (hub role in
    111111111111, then the target role) and get sessions for three accounts.
#>
param([Parameter(Mandatory)] [string] $ModulePath)

$ErrorActionPreference = 'Stop'
# Colour is for a person at a terminal: with NO_COLOR set (no-color.org) or the output going to a
# file or a pipe, the views come out as plain text, without escape sequences.
if ($env:NO_COLOR -or [Console]::IsOutputRedirected) { $PSStyle.OutputRendering = 'PlainText' }
Import-Module (Join-Path $PSScriptRoot '../tests/fixtures/MotoServer.psm1')
$server = Start-MotoServer
try {
    Reset-MotoServer $server
    # moto accepts any key; these name nobody real. Nothing leaves 127.0.0.1.
    $env:AWS_ACCESS_KEY_ID = 'FAKEDEMOSOURCEKEY001'
    $env:AWS_SECRET_ACCESS_KEY = 'demo-secret-not-real'
    Remove-Item Env:AWS_SESSION_TOKEN, Env:AWS_PROFILE -ErrorAction SilentlyContinue
    $env:AWS_REGION = 'us-east-1'
    $env:AWS_ENDPOINT_URL_STS = $server.Url
    $env:ALTIMETER_DEMO_EXTERNAL_ID = 'demo-external-id'

    Import-Module $ModulePath
    $accessor = New-AltimeterAccessor -Path (Join-Path $PSScriptRoot 'accessor.json')
    Write-Host "Accessor loaded from examples/accessor.json:"
    $accessor | Format-List | Out-Host

    $accounts = '222222222222', '333333333333', '444444444444'
    Write-Host "Sessions (cold cache):"
    $sessions = $accounts | Get-AltimeterSession -Accessor $accessor
    $sessions | Format-List | Out-Host
    $calls = Get-MotoRequest $server | Group-Object Action | ForEach-Object { "$($_.Name)=$($_.Count)" }
    Write-Host "STS calls for the cold run: $($calls -join ', ') (one hub hop, shared, and one hop per account)."

    Write-Host "Each session is an Amazon.Runtime.AWSCredentials; GetCallerIdentity with it names its account:"
    $config = [Amazon.SecurityToken.AmazonSecurityTokenServiceConfig]@{ RegionEndpoint = [Amazon.RegionEndpoint]::USEast1 }
    foreach ($session in $sessions) {
        $client = [Amazon.SecurityToken.AmazonSecurityTokenServiceClient]::new($session, $config)
        try {
            $identity = $client.GetCallerIdentityAsync([Amazon.SecurityToken.Model.GetCallerIdentityRequest]::new()).GetAwaiter().GetResult()
            Write-Host ("  {0}  ->  {1}" -f $session.AccountId, $identity.Arn)
        }
        finally { $client.Dispose() }
    }
    Reset-MotoServer $server

    Write-Host "Sessions again (warm cache, no STS call):"
    $accounts | Get-AltimeterSession -Accessor $accessor | Format-Table | Out-Host

    $calls = Get-MotoRequest $server | Group-Object Action | ForEach-Object { "$($_.Name)=$($_.Count)" }
    Write-Host "STS calls for the warm run: $(if ($calls) { $calls -join ', ' } else { 'none' })."
    Write-Host "Cached credentials:"
    Get-AltimeterCredentialCache | Format-Table | Out-Host
}
finally {
    Stop-MotoServer $server
}
