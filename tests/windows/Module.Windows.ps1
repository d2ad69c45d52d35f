<#
.SYNOPSIS
    The module on PowerShell 7 for Windows: build.ps1 Test runs this script in the win-x64 build of
    tests/Altimeter.Auth.WindowsPowerShell under Wine, against moto on 127.0.0.1 (the environment
    points the AWS SDK at it). Prints PASS or FAIL per check and closes with "N passed, N failed".
    Plain checks rather than Pester: Pester is not installed on the Windows side.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $AccessorPath,
    [Parameter(Mandatory)] [string] $MotoUrl
)

$ErrorActionPreference = 'Stop'
$script:passed = 0
$script:failed = 0

function Test-Check([string] $Name, [scriptblock] $Check) {
    try {
        & $Check
        $script:passed++
        "PASS $Name"
    }
    catch {
        $script:failed++
        "FAIL ${Name}: $($_.Exception.Message)"
    }
}

function Assert-That([bool] $Condition, [string] $Failure) {
    if (-not $Condition) { throw $Failure }
}

function Get-AssumedRoleArn {
    @((Invoke-RestMethod -Uri "$MotoUrl/moto-api/data.json").sts.AssumedRole | ForEach-Object role_arn)
}

Test-Check 'runs on Windows: PowerShell 7 reports Windows and paths use backslashes' {
    Assert-That $IsWindows "`$IsWindows is $IsWindows"
    Assert-That ($PSVersionTable.PSEdition -eq 'Core') "edition $($PSVersionTable.PSEdition)"
    Assert-That ([System.IO.Path]::DirectorySeparatorChar -eq '\') 'the directory separator is not \'
}

Test-Check 'Import-Module from a Windows path exports the seven cmdlets' {
    Import-Module $ModulePath
    $names = (Get-Command -Module Altimeter.Auth).Name | Sort-Object
    $expected = 'Clear-AltimeterCredentialCache', 'ConvertTo-AltimeterCredentialProcess', 'Get-AltimeterCredentialCache',
        'Get-AltimeterSession', 'Invoke-AltimeterCommand', 'New-AltimeterAccessor', 'Set-AltimeterEnvironment'
    Assert-That (($names -join ',') -eq ($expected -join ',')) "exported: $($names -join ', ')"
}

Test-Check 'Get-Help shows the examples from the module''s MAML help' {
    $examples = @((Get-Help Get-AltimeterSession -Examples).examples.example)
    Assert-That ($examples.Count -ge 2) "$($examples.Count) examples"
}

Test-Check 'New-AltimeterAccessor reads an accessor file by its Windows path' {
    $script:accessor = New-AltimeterAccessor -Path $AccessorPath
    Assert-That ("$($accessor.MultiHopAccessors[0])" -eq 'accessor:altimeter-pester:AltimeterHub@111111111111,AltimeterTarget@target') "chain $($accessor.MultiHopAccessors[0])"
}

Test-Check 'Get-AltimeterSession walks the two-hop chain through STS and gives an AWSCredentials for the target' {
    $null = Invoke-RestMethod -Method Post -Uri "$MotoUrl/moto-api/reset"
    $script:session = Get-AltimeterSession 222222222222 -Accessor $accessor
    Assert-That ($session -is [Amazon.Runtime.AWSCredentials]) "a $($session.GetType())"
    Assert-That ($session.AccountId -eq '222222222222') "account $($session.AccountId)"
    $roles = Get-AssumedRoleArn
    Assert-That (($roles -join ',') -eq 'arn:aws:iam::111111111111:role/AltimeterHub,arn:aws:iam::222222222222:role/AltimeterTarget') "assumed: $($roles -join ', ')"
}

Test-Check 'a second account reuses the cached hub: one AssumeRole more' {
    $null = Invoke-RestMethod -Method Post -Uri "$MotoUrl/moto-api/reset"
    $other = Get-AltimeterSession 333333333333 -Accessor $accessor
    Assert-That ($other.AccountId -eq '333333333333') "account $($other.AccountId)"
    $roles = Get-AssumedRoleArn
    Assert-That (($roles -join ',') -eq 'arn:aws:iam::333333333333:role/AltimeterTarget') "assumed: $($roles -join ', ')"
}

Test-Check 'a shared cache directory gets one file per hop, named by a hash; a second Windows process reuses them with no STS call' {
    $directory = Join-Path ([System.IO.Path]::GetTempPath()) "altimeter-windows-cache-$([guid]::NewGuid())"
    $second = Join-Path ([System.IO.Path]::GetTempPath()) "altimeter-windows-second-$([guid]::NewGuid()).ps1"
    try {
        $shared = New-AltimeterAccessor -Path $AccessorPath -SharedCachePath $directory
        $null = Get-AltimeterSession 444444444444 -Accessor $shared
        $files = @(Get-ChildItem -LiteralPath $directory -File)
        Assert-That ($files.Count -eq 2) "$($files.Count) files"
        Assert-That (@($files | Where-Object Name -NotMatch '^[0-9a-f]{64}\.altimeter-creds\.json$').Count -eq 0) "names: $($files.Name -join ', ')"

        Set-Content -LiteralPath $second -Value @'
param($ModulePath, $AccessorPath, $Directory)
Import-Module $ModulePath
(Get-AltimeterSession 444444444444 -Accessor (New-AltimeterAccessor -Path $AccessorPath -SharedCachePath $Directory)).AccountId
'@
        $null = Invoke-RestMethod -Method Post -Uri "$MotoUrl/moto-api/reset"
        # This program again: a new Windows process with its own, empty, memory cache.
        $answer = & ([Environment]::ProcessPath) $second $ModulePath $AccessorPath $directory
        Assert-That ($LASTEXITCODE -eq 0) "the second process failed: $answer"
        Assert-That ("$answer".Trim() -eq '444444444444') "the second process gave: $answer"
        $roles = Get-AssumedRoleArn
        Assert-That ($roles.Count -eq 0) "the second process assumed: $($roles -join ', ')"
    }
    finally {
        Remove-Item -Recurse -Force -LiteralPath $directory, $second -ErrorAction SilentlyContinue
    }
}

Test-Check 'ConvertTo-AltimeterCredentialProcess prints Version 1 JSON with an ISO 8601 expiry' {
    $text = $session | ConvertTo-AltimeterCredentialProcess
    $json = $text | ConvertFrom-Json
    Assert-That ($json.Version -eq 1) "Version $($json.Version)"
    Assert-That ($json.AccessKeyId -eq $session.GetCredentials().AccessKey) 'another access key'
    Assert-That ($text -match '"Expiration":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"') 'no ISO 8601 Expiration'
}

Test-Check 'Invoke-AltimeterCommand sets the AWS variables only while the block runs' {
    $before = $env:AWS_ACCESS_KEY_ID
    $inside = Invoke-AltimeterCommand $session { $env:AWS_ACCESS_KEY_ID }
    Assert-That ($inside -eq $session.GetCredentials().AccessKey) 'not set inside'
    Assert-That ($env:AWS_ACCESS_KEY_ID -eq $before) 'left set after'
}

Test-Check 'a malformed account id is a terminating InvalidAccountId error' {
    try {
        $null = Get-AltimeterSession 'not-an-account' -Accessor $accessor
        throw 'no error'
    }
    catch {
        Assert-That ($_.FullyQualifiedErrorId -like 'InvalidAccountId,*') "error id $($_.FullyQualifiedErrorId)"
    }
}

Test-Check 'Tab after -Region completes region names' {
    $line = 'Get-AltimeterSession 222222222222 -Region eu-we'
    $completion = TabExpansion2 -inputScript $line -cursorColumn $line.Length
    Assert-That ($completion.CompletionMatches.CompletionText -contains 'eu-west-1') 'eu-west-1 not offered'
}

Test-Check 'Clear-AltimeterCredentialCache -PassThru lists what it removed, without secrets' {
    $removed = @(Clear-AltimeterCredentialCache -Confirm:$false -PassThru)
    Assert-That ($removed.Count -ge 1) 'nothing removed'
    $text = $removed | Out-String
    Assert-That ($text -notmatch [regex]::Escape($session.GetCredentials().SecretKey)) 'a secret key is shown'
    Assert-That (@(Get-AltimeterCredentialCache).Count -eq 0) 'entries left'
}

"$passed passed, $failed failed"
