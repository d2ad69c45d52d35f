<#
.SYNOPSIS
    Scale benchmark against a local moto STS: N targets through the two-hop chain of
    examples/accessor.json, cold and warm, ThrottleLimit 1 and 8; the AWS CLI with chained
    profiles as the peer; Import-Module time. Writes the figures as JSON to -ResultPath.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $ResultPath,
    [int[]] $Sizes = @(50, 200),
    [int[]] $ThrottleLimits = @(1, 8),
    [int] $ImportRuns = 7,
    [switch] $SkipAwsCli
)

$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot
. (Join-Path $PSScriptRoot 'BenchMoto.ps1')

$server = Start-BenchMoto
$results = [ordered]@{ Machine = "$([Environment]::ProcessorCount) cores, $([System.Runtime.InteropServices.RuntimeInformation]::OSDescription)"; Date = (Get-Date).ToUniversalTime().ToString('o'); Scale = @(); Peer = @(); ImportModule = $null }
try {
    Set-BenchStsEnvironment $server
    Import-Module $ModulePath
    $accessorFile = Join-Path $root 'examples/accessor.json'

    foreach ($n in $Sizes) {
        $targets = Get-BenchAccountId $n
        foreach ($limit in $ThrottleLimits) {
            Clear-AltimeterCredentialCache -Confirm:$false
            $accessor = New-AltimeterAccessor -Path $accessorFile
            Reset-MotoServer $server
            $cold = Measure-BenchMs { $targets | Get-AltimeterSession -Accessor $accessor -ThrottleLimit $limit }
            $coldCounts = Get-BenchStsCount $server
            Reset-MotoServer $server
            $warm = Measure-BenchMs { $targets | Get-AltimeterSession -Accessor $accessor -ThrottleLimit $limit }
            $warmCounts = Get-BenchStsCount $server
            $row = [pscustomobject]@{
                N = $n; ThrottleLimit = $limit
                ColdMs = [math]::Round($cold, 1); ColdMsPerAccount = [math]::Round($cold / $n, 2)
                WarmMs = [math]::Round($warm, 1); WarmUsPerAccount = [math]::Round($warm * 1000 / $n, 1)
                ColdAssumeRole = $coldCounts.AssumeRole; ColdGetCallerIdentity = $coldCounts.GetCallerIdentity
                WarmStsCalls = $warmCounts.AssumeRole + $warmCounts.GetCallerIdentity
            }
            $results.Scale += $row
            Write-Host ("altimeter  N={0,-4} ThrottleLimit={1,-2} cold {2,8:N0} ms ({3,6:N2} ms/account)  warm {4,7:N1} ms ({5,6:N1} us/account)  AssumeRole={6} GetCallerIdentity={7} warm STS calls={8}" -f `
                $n, $limit, $row.ColdMs, $row.ColdMsPerAccount, $row.WarmMs, $row.WarmUsPerAccount, $row.ColdAssumeRole, $row.ColdGetCallerIdentity, $row.WarmStsCalls)
        }
    }

    if (-not $SkipAwsCli -and (Get-Command aws -ErrorAction SilentlyContinue)) {
        $cliHome = Join-Path ([System.IO.Path]::GetTempPath()) "altimeter-bench-awscli-$([guid]::NewGuid())"
        $null = New-Item -ItemType Directory -Force (Join-Path $cliHome '.aws')
        Set-Content (Join-Path $cliHome '.aws/credentials') "[src]`naws_access_key_id = FAKEBENCHSOURCEKEY01`naws_secret_access_key = bench-secret-not-real`n"
        foreach ($n in $Sizes) {
            $targets = Get-BenchAccountId $n -First 800000000000
            $config = [System.Text.StringBuilder]::new()
            $null = $config.AppendLine("[profile hub]`nrole_arn = arn:aws:iam::111111111111:role/OrganizationAccountAccessRole`nsource_profile = src`nexternal_id = demo-external-id`nrole_session_name = altimeter-demo`nregion = us-east-1")
            foreach ($t in $targets) {
                $null = $config.AppendLine("[profile t$t]`nrole_arn = arn:aws:iam::${t}:role/OrganizationAccountAccessRole`nsource_profile = hub`nrole_session_name = altimeter-demo`nregion = us-east-1")
            }
            Set-Content (Join-Path $cliHome '.aws/config') $config.ToString()
            Remove-Item -Recurse -Force (Join-Path $cliHome '.aws/cli') -ErrorAction SilentlyContinue
            Reset-MotoServer $server
            $saved = $env:HOME, $env:AWS_ACCESS_KEY_ID, $env:AWS_SECRET_ACCESS_KEY
            $env:HOME = $cliHome; Remove-Item Env:AWS_ACCESS_KEY_ID, Env:AWS_SECRET_ACCESS_KEY
            try {
                $wrong = 0
                $ms = Measure-BenchMs {
                    foreach ($t in $targets) {
                        $account = & aws sts get-caller-identity --profile "t$t" --query Account --output text
                        if ($LASTEXITCODE -ne 0 -or "$account".Trim() -ne $t) { $wrong++ }
                    }
                }
            }
            finally { $env:HOME, $env:AWS_ACCESS_KEY_ID, $env:AWS_SECRET_ACCESS_KEY = $saved }
            $counts = Get-BenchStsCount $server
            $ours = $results.Scale | Where-Object { $_.N -eq $n -and $_.ThrottleLimit -eq ($ThrottleLimits | Measure-Object -Maximum).Maximum } | Select-Object -First 1
            $row = [pscustomobject]@{
                N = $n; Tool = "aws-cli $((& aws --version 2>&1) -split ' ' | Select-Object -First 1)"
                Ms = [math]::Round($ms, 1); MsPerAccount = [math]::Round($ms / $n, 1)
                AssumeRole = $counts.AssumeRole; GetCallerIdentity = $counts.GetCallerIdentity; Wrong = $wrong
                RatioToAltimeterCold = if ($ours) { [math]::Round($ms / $ours.ColdMs, 1) } else { $null }
            }
            $results.Peer += $row
            Write-Host ("aws cli    N={0,-4} {1,8:N0} ms ({2,6:N1} ms/account)  AssumeRole={3} GetCallerIdentity={4} wrong={5}  {6}x altimeter cold" -f `
                $n, $row.Ms, $row.MsPerAccount, $row.AssumeRole, $row.GetCallerIdentity, $row.Wrong, $row.RatioToAltimeterCold)
        }
        Remove-Item -Recurse -Force $cliHome -ErrorAction SilentlyContinue
    }
}
finally {
    Stop-MotoServer $server
}

# Import-Module in fresh processes, timed inside each (pwsh's own start is not ours).
$pwshArgs = @(if ([System.IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
# Twice: as the first module a bare `pwsh -Command` loads (PowerShell's module machinery is cold then,
# and pays for itself), and after PowerShell's own utility modules, as in any interactive shell.
function Measure-Import([string] $Before) {
    $times = foreach ($i in 1..$ImportRuns) {
        $text = & ([Environment]::ProcessPath) @pwshArgs -NoProfile -NonInteractive -Command "$Before; `$w = [Diagnostics.Stopwatch]::StartNew(); Import-Module '$ModulePath'; `$w.Elapsed.TotalMilliseconds"
        [double]("$text".Trim())
    }
    $sorted = @($times | Sort-Object)
    [math]::Round($sorted[[int][math]::Floor($sorted.Count / 2)], 1)
}
$results.ImportModule = [pscustomobject]@{
    Runs = $ImportRuns
    MedianMs = Measure-Import '$null = 1'
    MedianMsAfterPowerShellModules = Measure-Import 'Import-Module Microsoft.PowerShell.Utility, Microsoft.PowerShell.Management; $null = Get-Date | Format-List | Out-String'
}
Write-Host ("Import-Module  median {0:N1} ms as the first module of a fresh pwsh, {1:N1} ms after PowerShell's own modules ({2} runs each)" -f $results.ImportModule.MedianMs, $results.ImportModule.MedianMsAfterPowerShellModules, $ImportRuns)

$results | ConvertTo-Json -Depth 5 | Set-Content $ResultPath
