# The fan-out benchmark's parts: bench/peers/awsrun_model.py makes the calls awsrun makes (the
# awsrun files it follows are named in its header), and bench/FanOut.ps1 writes its three rows, with
# figures for what this build has and "not available in this build" for what it has not.
# Unix only: both run python3 (moto's boto3), which a Windows run under Wine does not have.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    $suite = Start-TestFile -StsEnvironment
    $server = $suite.Server
    $benchRoot = Join-Path $PSScriptRoot '../../../bench'
    $env:AWS_DEFAULT_REGION = 'us-east-1'   # boto3 reads this one, not AWS_REGION (restored by Stop-TestFile)
}
AfterAll { Stop-TestFile $suite }

Describe 'bench/peers/awsrun_model.py' -Tag Unix {
    It 'assumes each account''s role once with the base account''s keys, naming the session as awsrun does, then calls GetCallerIdentity as that account' {
        Reset-MotoServer $server
        $accounts = '700000000001', '700000000002', '700000000003', '700000000004', '700000000005'
        $file = New-TemporaryFile
        try {
            Set-Content $file $accounts
            $text = & python3 (Join-Path $benchRoot 'peers/awsrun_model.py') --accounts-file $file.FullName --threads 2 --external-id model-external-id
            $LASTEXITCODE | Should -Be 0
        }
        finally { Remove-Item $file }
        $run = $text | ConvertFrom-Json
        $run.Accounts | Should -Be 5
        $run.Threads | Should -Be 2
        $run.AssumeRole | Should -Be 5
        $run.GetCallerIdentity | Should -Be 5
        $run.Errors | Should -Be 0
        $run.Wrong | Should -Be 0

        $requests = @(Get-MotoRequest $server)
        $assumed = @($requests | Where-Object Action -EQ 'AssumeRole')
        $assumed.Count | Should -Be 5
        @($assumed | ForEach-Object { $_.Parameters.RoleArn } | Sort-Object) | Should -Be @($accounts | ForEach-Object { "arn:aws:iam::${_}:role/OrganizationAccountAccessRole" })
        foreach ($request in $assumed) {
            $request.SignedBy | Should -Be 'AKIAPESTERSOURCE0001'
            $request.Parameters.RoleSessionName | Should -Match '^AWSRunSession\d{5}$'
            $request.Parameters.ExternalId | Should -Be 'model-external-id'
            $request.Parameters.DurationSeconds | Should -Be '3600'
        }
        $identities = @($requests | Where-Object Action -EQ 'GetCallerIdentity')
        $identities.Count | Should -Be 5
        $identities.SignedBy | Should -Not -Contain 'AKIAPESTERSOURCE0001'
        @($identities.SignedBy | Sort-Object -Unique).Count | Should -Be 5
    }
}

Describe 'bench/FanOut.ps1' -Tag Unix {
    It 'writes the awsrun (with moto''s floor), warm and cold rows with their STS calls and the README table, and says which rows this build cannot run' {
        $resultPath = Join-Path ([System.IO.Path]::GetTempPath()) "altimeter-fanout-$([guid]::NewGuid()).json"
        $saved = $env:ALTIMETER_TEST_MOTO_URL
        $env:ALTIMETER_TEST_MOTO_URL = $server.Url   # join this file's moto rather than start another
        try {
            $pwsh = @(Get-PwshCommandLine)
            $text = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File (Join-Path $benchRoot 'FanOut.ps1') `
                -ModulePath (Get-AltimeterModulePath) -ResultPath $resultPath -Accounts 3 -WarmSessions 4 -ColdAccounts 4 -Rounds 1 -CalibrationAccounts 0 2>&1
            $LASTEXITCODE | Should -Be 0 -Because "$text"
            $result = Get-Content -Raw $resultPath | ConvertFrom-Json
        }
        finally {
            $env:ALTIMETER_TEST_MOTO_URL = $saved
            Remove-Item $resultPath -ErrorAction SilentlyContinue
        }

        $parallel = (Get-Command Invoke-AltimeterCommand).Parameters.ContainsKey('Parallel')
        $result.ParallelAvailable | Should -Be $parallel
        $result.Rows.Row | Should -Be @('awsrun', 'warm', 'cold')
        $awsrun = $result.Rows[0]
        $awsrun.PeerAssumeRole | Should -Be 3
        $awsrun.PeerGetCallerIdentity | Should -Be 3
        $awsrun.OursAssumeRole | Should -Be 4   # the hub once, then each account
        $awsrun.OursGetCallerIdentity | Should -Be 3
        $awsrun.OursMs | Should -BeGreaterThan 0
        $awsrun.Ratio | Should -BeGreaterThan 0
        $awsrun.MotoFloorMs | Should -BeGreaterThan 0
        foreach ($row in $result.Rows | Select-Object -Skip 1) {
            $row.PeerMs | Should -BeGreaterThan 0
            if ($parallel) {
                $row.OursMs | Should -BeGreaterThan 0
                $row.Ratio | Should -BeGreaterThan 0
            }
            else {
                $row.OursMs | Should -BeNullOrEmpty
                $row.Ours | Should -BeLike '*: not available in this build'
            }
        }
        if (-not $parallel) { $awsrun.Ours | Should -BeLike 'ForEach-Object -Parallel*' }
        $result.Table.Count | Should -Be 5
        foreach ($line in $result.Table) { @($line -split '(?<!\\)\|').Count | Should -Be 7 -Because $line }
    }
}
