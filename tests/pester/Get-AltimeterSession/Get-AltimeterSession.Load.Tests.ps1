# Parallel load: 16 runspaces × 500 sessions over 50 accounts, with cache clears interleaved — no
# exception, no session for another account, STS calls within the single-flight bound.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    $suite = Start-TestFile -StsEnvironment
    $server = $suite.Server
    $accessor = New-AltimeterAccessor -Path (Get-FixturePath 'accessors/two-hop.json')
}

AfterAll {
    Stop-TestFile $suite
}

Describe 'Get-AltimeterSession under parallel load' {
    It 'Get-AltimeterSession / 16 runspaces x 500 sessions over 50 accounts with clears interleaved: right accounts, no errors, calls within the single-flight bound' {
        Reset-MotoServer $server
        Clear-AltimeterCredentialCache -Confirm:$false
        $accounts = 1..50 | ForEach-Object { '{0:D12}' -f (900000000000 + $_) }
        $modulePath = Get-AltimeterModulePath
        $clearEvery = 125

        $results = 1..16 | ForEach-Object -ThrottleLimit 16 -Parallel {
            Import-Module $using:modulePath
            $worker = $_
            $errors = 0; $clears = 0; $sample = [System.Collections.Generic.List[object]]::new()
            for ($i = 0; $i -lt 500; $i++) {
                $account = ($using:accounts)[($i + $worker * 3) % 50]
                # Worker 1 clears the whole cache now and then, while the others keep asking.
                if ($worker -eq 1 -and $i % $using:clearEvery -eq 0) { Clear-AltimeterCredentialCache -Confirm:$false; $clears++ }
                try {
                    $session = Get-AltimeterSession $account -Accessor $using:accessor -ErrorAction Stop
                    if ($session.AccountId -ne $account) { $errors++ }
                    if ($i % 50 -eq 0) { $sample.Add([pscustomobject]@{ AccountId = $session.AccountId; Key = $session.GetCredentials().AccessKey }) }
                }
                catch { $errors++ }
            }
            [pscustomobject]@{ Worker = $worker; Errors = $errors; Clears = $clears; Sample = $sample.ToArray() }
        }

        ($results | Measure-Object Errors -Sum).Sum | Should -Be 0
        $clears = ($results | Measure-Object Clears -Sum).Sum
        $clears | Should -Be 4
        $assumeRoles = @(Get-MotoRequest $server | Where-Object Action -EQ 'AssumeRole').Count
        # Each generation of the cache (the first, and one after each clear) assumes each of the
        # 50 targets and the hub at most once.
        $assumeRoles | Should -BeLessOrEqual (($clears + 1) * 51)
        $assumeRoles | Should -BeGreaterOrEqual 51
        $byKey = @{}
        foreach ($assumed in Get-MotoAssumedRole $server) { $byKey[$assumed.access_key_id] = $assumed.role_arn }
        $samples = @($results.Sample)
        $samples.Count | Should -Be 160
        foreach ($one in $samples) { $byKey[$one.Key] | Should -Be "arn:aws:iam::$($one.AccountId):role/AltimeterTarget" }
        Write-Host "parallel load: 8000 sessions in 16 runspaces, $clears cache clears, $assumeRoles AssumeRole (bound $(($clears + 1) * 51)), 0 errors"
    }
}
