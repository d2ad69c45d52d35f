<#
.SYNOPSIS
    Fan-out benchmark (issue 19's goals) against one local moto STS, side by side in one run:
      awsrun   awsrun (bench/peers/awsrun_model.py, a boto3 model of its worker pool and
               cross-account sessions: awsrun itself cannot be installed here) beside ours at
               -Accounts accounts and -ThrottleLimit threads, AssumeRole + GetCallerIdentity in
               each; ours = Get-AltimeterSession -ThrottleLimit | Invoke-AltimeterCommand -Parallel
               -ThrottleLimit, or ForEach-Object -Parallel in a build without -Parallel (labelled).
               Goal: awsrun's time / ours >= 20. Beside it, moto's floor: the same STS calls from
               one SDK client, ThrottleLimit in flight (moto answers one request at a time).
      warm     -WarmSessions warm sessions through a trivial block: Invoke-AltimeterCommand
               -Parallel beside ForEach-Object -Parallel at the same ThrottleLimit. Goal <= 0.25.
      cold     -ColdAccounts accounts from an empty cache: Get-AltimeterSession |
               Invoke-AltimeterCommand -Parallel {} beside Get-AltimeterSession alone. Goal <= 1.1.
    Ours and the ForEach-Object rows are the median of -Rounds rounds (each round measures both
    sides of a row one after the other, so both met the same load); the model runs once a row
    (its figure is its AccountRunner.run time, ours the pipeline's: neither counts its process
    start). -CalibrationAccounts runs the model once more at that size, to set beside the 43 s
    real awsrun took for 100 accounts and 10 threads on one moto (issue 19; 0 skips it).
    Rows that need -Parallel say "not available in this build" when the cmdlet has none.
    A smoke run: -Accounts 20 -WarmSessions 50 -ColdAccounts 50 -Rounds 1 -CalibrationAccounts 0.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [string] $ResultPath,
    [int] $Accounts = 200,
    [int] $ThrottleLimit = 10,
    [int] $WarmSessions = 1000,
    [int] $ColdAccounts = 1000,
    [int] $Rounds = 3,
    [int] $CalibrationAccounts = 100
)

$ErrorActionPreference = 'Stop'
$ModulePath = (Resolve-Path $ModulePath).Path   # a relative path would be taken as a module name
$root = Split-Path $PSScriptRoot
. (Join-Path $PSScriptRoot 'BenchMoto.ps1')

$notAvailable = 'not available in this build'
$python = (Get-Command python3).Source
$model = Join-Path $PSScriptRoot 'peers/awsrun_model.py'

function Get-LoadAverage { if (Test-Path /proc/loadavg) { ((Get-Content /proc/loadavg) -split ' ')[0] } }


# Empty caches, a fresh accessor and a fresh moto: a cold start for the next measure.
function Reset-Cold {
    Clear-AltimeterCredentialCache -Confirm:$false
    $script:accessor = New-AltimeterAccessor -Path (Join-Path $root 'examples/accessor.json')
    Reset-MotoServer $server
}

# The model over $Ids in a child python (the process environment points boto3 at moto).
function Invoke-AwsrunModel([string[]] $Ids) {
    $file = [System.IO.Path]::GetTempFileName()
    try {
        Set-Content $file $Ids
        Reset-MotoServer $server
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $text = & $python $model --accounts-file $file --threads $ThrottleLimit --external-id $env:ALTIMETER_DEMO_EXTERNAL_ID
        $wall = $watch.Elapsed.TotalMilliseconds
        if ($LASTEXITCODE -ne 0) { throw "awsrun_model.py failed ($LASTEXITCODE): $text" }
    }
    finally { Remove-Item $file -ErrorAction SilentlyContinue }
    $run = $text | ConvertFrom-Json
    if ($run.Errors -or $run.Wrong) { throw "awsrun_model.py: $($run.Errors) errors, $($run.Wrong) wrong accounts; first error: $($run.FirstError)" }
    $counts = Get-BenchStsCount $server
    [pscustomobject]@{
        Accounts = $run.Accounts; Threads = $run.Threads
        Ms = [math]::Round($run.Seconds * 1000, 1); ProcessWallMs = [math]::Round($wall, 1)
        AssumeRole = $counts.AssumeRole; GetCallerIdentity = $counts.GetCallerIdentity
    }
}

# The least time any client could take for the awsrun row's calls on this moto: the same STS calls
# (N+1 AssumeRole, N GetCallerIdentity) from one SDK client in this process, $ThrottleLimit in
# flight, nothing else done. moto answers one request at a time, so it bounds both sides' figures.
function Measure-MotoFloor([string[]] $Ids) {
    $config = [Amazon.SecurityToken.AmazonSecurityTokenServiceConfig]::new()
    $config.ServiceURL = $server.Url
    $config.AuthenticationRegion = 'us-east-1'
    $client = [Amazon.SecurityToken.AmazonSecurityTokenServiceClient]::new([Amazon.Runtime.BasicAWSCredentials]::new($env:AWS_ACCESS_KEY_ID, $env:AWS_SECRET_ACCESS_KEY), $config)
    $requests = @(
        foreach ($id in @('111111111111') + $Ids) { [Amazon.SecurityToken.Model.AssumeRoleRequest]@{ RoleArn = "arn:aws:iam::${id}:role/OrganizationAccountAccessRole"; RoleSessionName = 'floor' } }
        foreach ($id in $Ids) { [Amazon.SecurityToken.Model.GetCallerIdentityRequest]::new() }
    )
    try {
        $null = $client.GetCallerIdentityAsync([Amazon.SecurityToken.Model.GetCallerIdentityRequest]::new()).GetAwaiter().GetResult()
        Reset-MotoServer $server
        $calls = [System.Collections.Generic.List[System.Threading.Tasks.Task]]::new()
        $ms = Measure-BenchMs {
            $inFlight = [System.Collections.Generic.List[System.Threading.Tasks.Task]]::new()
            foreach ($request in $requests) {
                if ($inFlight.Count -ge $ThrottleLimit) { $inFlight.RemoveAt([System.Threading.Tasks.Task]::WaitAny($inFlight.ToArray())) }
                $call = if ($request -is [Amazon.SecurityToken.Model.AssumeRoleRequest]) { $client.AssumeRoleAsync($request) } else { $client.GetCallerIdentityAsync($request) }
                $inFlight.Add($call)
                $calls.Add($call)
            }
            [System.Threading.Tasks.Task]::WaitAll($inFlight.ToArray())
        }
        $failed = @($calls | Where-Object IsFaulted)
        if ($failed) { throw "moto's floor: $($failed.Count) of $($calls.Count) calls failed: $($failed[0].Exception.InnerException.Message)" }
        $ms
    }
    finally { $client.Dispose() }
}

# A row whose goal is ours / peer <= Goal: both sides once a round (BeforeEach before each side),
# medians kept; ours only when Invoke-AltimeterCommand has -Parallel.
function Measure-ParallelRow {
    param([string] $Row, [string] $Description, [double] $Goal, [scriptblock] $BeforeEach = {},
        [string] $Peer, [scriptblock] $PeerBlock, [string] $Ours, [scriptblock] $OursBlock)
    Write-Host "== $Description`: $Ours beside $Peer"
    $peerMs = [System.Collections.Generic.List[double]]::new()
    $oursMs = [System.Collections.Generic.List[double]]::new()
    foreach ($round in 1..$Rounds) {
        & $BeforeEach
        $peerMs.Add((Measure-BenchMs $PeerBlock))
        if ($parallel) { & $BeforeEach; $oursMs.Add((Measure-BenchMs $OursBlock)) }
    }
    $peerMedian = Get-Median $peerMs
    $oursMedian = if ($parallel) { Get-Median $oursMs } else { $null }
    $ratio = if ($parallel) { $oursMedian / $peerMedian } else { $null }
    $result.Rows += [pscustomobject]@{
        Row = $Row; Description = $Description
        Ours = if ($parallel) { $Ours } else { "$Ours`: $notAvailable" }; OursMs = $oursMedian
        Peer = $Peer; PeerMs = $peerMedian
        Ratio = if ($parallel) { [math]::Round($ratio, 2) } else { $null }; RatioIs = 'ours / peer'; Goal = "<= $Goal"
        Met = if ($parallel) { $ratio -le $Goal } else { $null }
    }
    Write-Host ("{0} {1:N0} ms; {2} {3}" -f $Peer, $peerMedian, $Ours, $(if ($parallel) { '{0:N0} ms ({1:N2}x)' -f $oursMedian, $ratio } else { $notAvailable }))
}

# GetCallerIdentity as the session, through the AWS SDK the module loaded (AWS Tools is not
# needed); each result says which account it expected, so a wrong one is counted.
$callerIdentity = {
    $client = [Amazon.SecurityToken.AmazonSecurityTokenServiceClient]::new($_)
    try {
        $answer = $client.GetCallerIdentityAsync([Amazon.SecurityToken.Model.GetCallerIdentityRequest]::new()).GetAwaiter().GetResult()
        [pscustomobject]@{ Expected = $_.AccountId; Account = $answer.Account }
    }
    finally { $client.Dispose() }
}

$server = Start-BenchMoto
$result = [ordered]@{
    Machine = "$([Environment]::ProcessorCount) cores, $([System.Runtime.InteropServices.RuntimeInformation]::OSDescription)"
    Date = (Get-Date).ToUniversalTime().ToString('o')
    LoadAverageAtStart = Get-LoadAverage
    ParallelAvailable = $false
    Rounds = $Rounds
    ThrottleLimit = $ThrottleLimit
    Calibration = $null
    Rows = @()
}
try {
    Set-BenchStsEnvironment $server
    Import-Module $ModulePath
    $parallel = (Get-Command Invoke-AltimeterCommand).Parameters.ContainsKey('Parallel')
    $result.ParallelAvailable = $parallel
    $oursHow = if ($parallel) { 'Invoke-AltimeterCommand -Parallel' } else { "ForEach-Object -Parallel (Invoke-AltimeterCommand -Parallel $notAvailable)" }
    # Ours: AssumeRole and GetCallerIdentity in each of $Ids, answers checked. Written out twice
    # (not through a wrapper) so that each block starts as its session arrives.
    function Invoke-Ours([string[]] $Ids) {
        if ($parallel) {
            $answers = @($Ids | Get-AltimeterSession -Accessor $accessor -ThrottleLimit $ThrottleLimit | Invoke-AltimeterCommand -Parallel -ThrottleLimit $ThrottleLimit $callerIdentity)
        }
        else {
            $answers = @($Ids | Get-AltimeterSession -Accessor $accessor -ThrottleLimit $ThrottleLimit | ForEach-Object -Parallel $callerIdentity -ThrottleLimit $ThrottleLimit)
        }
        $wrong = @($answers | Where-Object { $_.Account -ne $_.Expected }).Count
        if ($answers.Count -ne $Ids.Count -or $wrong) { throw "ours: $($answers.Count) answers for $($Ids.Count) accounts, $wrong wrong." }
    }

    # JIT and first-use costs (both forms, the SDK client) before anything is timed.
    Reset-Cold
    Invoke-Ours (Get-BenchAccountId 10 -First 900000000000)
    $null = Get-BenchAccountId 10 -First 900000000000 | Get-AltimeterSession -Accessor $accessor | ForEach-Object -Parallel { 1 } -ThrottleLimit $ThrottleLimit

    if ($CalibrationAccounts -gt 0) {
        Write-Host "== awsrun model, $CalibrationAccounts accounts, $ThrottleLimit threads (calibration)"
        $run = Invoke-AwsrunModel (Get-BenchAccountId $CalibrationAccounts -First 600000000000)
        $result.Calibration = [pscustomobject]@{
            Accounts = $CalibrationAccounts; Threads = $ThrottleLimit; ModelMs = $run.Ms; ModelProcessWallMs = $run.ProcessWallMs
            AwsrunMeasuredMs = if ($CalibrationAccounts -eq 100 -and $ThrottleLimit -eq 10) { 43000 } else { $null }
        }
        Write-Host ("awsrun model: {0:N0} ms ({1:N0} ms with its process start); real awsrun measured 43 s at 100 accounts, 10 threads" -f $run.Ms, $run.ProcessWallMs)
    }

    Write-Host "== awsrun (model) beside ours: $Accounts accounts, $ThrottleLimit threads, AssumeRole + GetCallerIdentity each"
    $ids = Get-BenchAccountId $Accounts
    $peer = Invoke-AwsrunModel $ids
    $oursMs = foreach ($round in 1..$Rounds) {
        Reset-Cold
        Measure-BenchMs { Invoke-Ours $ids }
    }
    $counts = Get-BenchStsCount $server
    $ours = Get-Median $oursMs
    $floor = Get-Median @(foreach ($round in 1..$Rounds) { Measure-MotoFloor $ids })
    $result.Rows += [pscustomobject]@{
        Row = 'awsrun'; Description = "$Accounts accounts, $ThrottleLimit threads, AssumeRole + GetCallerIdentity each"
        Ours = $oursHow; OursMs = $ours; OursAssumeRole = $counts.AssumeRole; OursGetCallerIdentity = $counts.GetCallerIdentity
        MotoFloorMs = $floor; OursOverFloor = [math]::Round($ours / $floor, 2); PeerOverFloor = [math]::Round($peer.Ms / $floor, 1)
        Peer = 'awsrun (boto3 model, bench/peers/awsrun_model.py)'; PeerMs = $peer.Ms; PeerProcessWallMs = $peer.ProcessWallMs
        PeerAssumeRole = $peer.AssumeRole; PeerGetCallerIdentity = $peer.GetCallerIdentity
        Ratio = [math]::Round($peer.Ms / $ours, 1); RatioIs = 'peer / ours'; Goal = '>= 20'; Met = ($peer.Ms / $ours) -ge 20
    }
    Write-Host ("awsrun model {0:N0} ms ({1} AssumeRole, {2} GetCallerIdentity); ours ({3}) {4:N0} ms ({5} AssumeRole, {6} GetCallerIdentity): {7:N1}x; moto's floor for ours' calls {8:N0} ms (the model: {9:N1}x it)" -f `
        $peer.Ms, $peer.AssumeRole, $peer.GetCallerIdentity, $oursHow, $ours, $counts.AssumeRole, $counts.GetCallerIdentity, ($peer.Ms / $ours), $floor, ($peer.Ms / $floor))

    Reset-Cold
    $sessions = @(Get-BenchAccountId $WarmSessions | Get-AltimeterSession -Accessor $accessor -ThrottleLimit $ThrottleLimit)
    Measure-ParallelRow -Row warm -Description "$WarmSessions warm sessions, trivial block, ThrottleLimit $ThrottleLimit" -Goal 0.25 `
        -Peer 'ForEach-Object -Parallel' -PeerBlock { $sessions | ForEach-Object -Parallel { 1 } -ThrottleLimit $ThrottleLimit } `
        -Ours 'Invoke-AltimeterCommand -Parallel' -OursBlock { $sessions | Invoke-AltimeterCommand -Parallel -ThrottleLimit $ThrottleLimit { 1 } }

    $ids = Get-BenchAccountId $ColdAccounts -First 500000000000
    Measure-ParallelRow -Row cold -Description "$ColdAccounts accounts from an empty cache, ThrottleLimit $ThrottleLimit" -Goal 1.1 -BeforeEach { Reset-Cold } `
        -Peer 'Get-AltimeterSession alone' -PeerBlock { $ids | Get-AltimeterSession -Accessor $accessor -ThrottleLimit $ThrottleLimit } `
        -Ours 'Get-AltimeterSession | Invoke-AltimeterCommand -Parallel {}' -OursBlock { $ids | Get-AltimeterSession -Accessor $accessor -ThrottleLimit $ThrottleLimit | Invoke-AltimeterCommand -Parallel -ThrottleLimit $ThrottleLimit {} }
}
finally {
    Stop-MotoServer $server
}
$result.LoadAverageAtEnd = Get-LoadAverage

# The README's table: row, ours, peer, ratio, goal.
$result.Table = @(
    '| row | ours | peer | ratio | goal |'
    '|---|---|---|---|---|'
    foreach ($row in $result.Rows) {
        $ours = if ($null -eq $row.OursMs) { $row.Ours } else { '{0}: {1:N0} ms' -f $row.Ours, $row.OursMs }
        if ($row.MotoFloorMs) { $ours += " (moto's floor for these calls: {0:N0} ms)" -f $row.MotoFloorMs }
        $ratio = if ($null -eq $row.Ratio) { '—' } else { '{0} ({1})' -f $row.Ratio, $row.RatioIs }
        $cells = $row.Description, $ours, ('{0}: {1:N0} ms' -f $row.Peer, $row.PeerMs), $ratio, $row.Goal
        '| ' + (($cells | ForEach-Object { $_ -replace '\|', '\|' }) -join ' | ') + ' |'   # a pipeline's | inside a cell
    }
)
$result.Table | ForEach-Object { Write-Host $_ }
if ($ResultPath) { $result | ConvertTo-Json -Depth 5 | Set-Content $ResultPath }
