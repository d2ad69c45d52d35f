# Many accounts at once against moto: call counts (not times), input order, no account's session
# handed to another, single-flight across runspaces.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    $suite = Start-TestFile -StsEnvironment
    $server = $suite.Server
    $accessor = New-AltimeterAccessor -Path (Get-FixturePath 'accessors/two-hop.json')
    $targets = 1..200 | ForEach-Object { '{0:D12}' -f (600000000000 + $_) }
    $commandId = 'Altimeter.Auth.Commands.GetAltimeterSessionCommand'

    function Get-StsCount([string] $Action) { @(Get-MotoRequest $server | Where-Object Action -EQ $Action).Count }
}

AfterAll {
    Stop-TestFile $suite
}

Describe 'Get-AltimeterSession with many accounts' {
    BeforeEach {
        Reset-MotoServer $server
        Clear-AltimeterCredentialCache -Confirm:$false
    }

    It 'Get-AltimeterSession / 200 targets through a two-hop chain cost 201 AssumeRole and no GetCallerIdentity, in input order (ThrottleLimit <Limit>)' -ForEach @(
        @{ Limit = 8 }, @{ Limit = 1 }
    ) {
        $sessions = @($targets | Get-AltimeterSession -Accessor $accessor -ThrottleLimit $Limit)

        $sessions.AccountId | Should -Be $targets
        Get-StsCount 'AssumeRole' | Should -Be 201
        Get-StsCount 'GetCallerIdentity' | Should -Be 0
        # Every session is its own account's: the target role of moto's record for its access key.
        $byKey = @{}
        foreach ($assumed in Get-MotoAssumedRole $server) { $byKey[$assumed.access_key_id] = $assumed.role_arn }
        foreach ($session in $sessions) {
            $byKey[$session.GetCredentials().AccessKey] | Should -Be "arn:aws:iam::$($session.AccountId):role/AltimeterTarget"
        }
        Get-CallerAccount $sessions[137] | Should -Be $targets[137]
    }

    It 'Get-AltimeterSession / progress while pipeline input still arrives shows the count done and the rate, no percentage of a total that grows' {
        # The input arrives over more than the one second before progress shows, so progress is
        # written while the total is not known yet; then once more at the end, when it is.
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddScript({
                    param($ModulePath, $AccessorPath, $Accounts)
                    Import-Module $ModulePath
                    $accessor = New-AltimeterAccessor -Path $AccessorPath
                    $Accounts | ForEach-Object { Start-Sleep -Milliseconds 400; $_ } | Get-AltimeterSession -Accessor $accessor -ThrottleLimit 1
                }).AddParameters(@{ ModulePath = (Get-AltimeterModulePath); AccessorPath = (Get-FixturePath 'accessors/two-hop.json'); Accounts = $targets[0..5] })
            $sessions = @($shell.Invoke())
            $progress = @($shell.Streams.Progress | Where-Object Activity -EQ 'Get-AltimeterSession')
        }
        finally { $shell.Dispose() }

        $sessions.AccountId | Should -Be $targets[0..5]
        $arriving = @($progress | Where-Object StatusDescription -Like '*more arriving')
        $arriving | Should -Not -BeNullOrEmpty
        foreach ($record in $arriving) {
            $record.PercentComplete | Should -Be -1
            $record.StatusDescription | Should -Match '^\d+ accounts done, [\d.,]+ a second; more arriving$'
        }
        # A total is named only once it is the whole input's.
        foreach ($record in $progress | Where-Object StatusDescription -Match ' of \d+ ') {
            $record.StatusDescription | Should -Match '^\d+ of 6 accounts, '
        }
        $progress[-1].RecordType | Should -Be 'Completed'
    }

    It 'Get-AltimeterSession / a warm pass over 200 targets makes no STS call' {
        $null = $targets | Get-AltimeterSession -Accessor $accessor
        Reset-MotoServer $server

        $warm = @($targets | Get-AltimeterSession -Accessor $accessor)

        $warm | Should -HaveCount 200
        @(Get-MotoRequest $server) | Should -HaveCount 0
    }

    It 'Get-AltimeterSession / account ids from a file: spaces around an id are dropped, a blank line is one InvalidAccountId error in its place (<How>)' -ForEach @(
        @{ How = 'piped' }, @{ How = 'as the argument' }
    ) {
        $file = Join-Path $TestDrive 'accounts.txt'
        Set-Content $file -Value @($targets[0], '', "$($targets[1]) ", "`t$($targets[2])  ")

        $out = if ($How -eq 'piped') { @(Get-Content $file | Get-AltimeterSession -Accessor $accessor -ErrorAction Continue 2>&1) }
               else { @(Get-AltimeterSession (Get-Content $file) -Accessor $accessor -ErrorAction Continue 2>&1) }

        $out | Should -HaveCount 4
        $out[1] | Should -BeOfType ([System.Management.Automation.ErrorRecord])
        $out[1].FullyQualifiedErrorId | Should -Be "InvalidAccountId,$commandId"
        $out[1].Exception.Message | Should -Be 'An account id is empty (a blank line in the input?): an account id is exactly 12 digits.'
        ($out | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] }).AccountId | Should -Be $targets[0..2]
    }

    It 'Clear-AltimeterCredentialCache / an account id with a trailing space still selects its entries' {
        $null = Get-AltimeterSession $targets[0] -Accessor $accessor

        $removed = @(Clear-AltimeterCredentialCache -AccountId "$($targets[0]) " -PassThru -Confirm:$false)

        $removed.AccountId | Should -Be @($targets[0])
    }

    It 'Get-AltimeterSession / one failing account among many is one non-terminating error, in its place, the others still come out' {
        $mixed = $targets[0..9] + @('12345') + $targets[10..19]
        $out = @($mixed | Get-AltimeterSession -Accessor $accessor -ErrorAction Continue 2>&1)

        $out | Should -HaveCount 21
        $out[10] | Should -BeOfType ([System.Management.Automation.ErrorRecord])
        $out[10].FullyQualifiedErrorId | Should -Be "InvalidAccountId,$commandId"
        ($out | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] }).AccountId | Should -Be ($targets[0..19])
    }

    It 'Get-AltimeterSession / -<Name> <Value> is refused by parameter validation' -ForEach @(
        @{ Name = 'ThrottleLimit'; Value = 0 }, @{ Name = 'MaxAttempts'; Value = 0 }, @{ Name = 'TimeoutSec'; Value = 0 }, @{ Name = 'RetryMode'; Value = 'Legacy' }
    ) {
        $parameters = @{ AccountId = $targets[0]; Accessor = $accessor; $Name = $Value }
        { Get-AltimeterSession @parameters } | Should -Throw -ErrorId "ParameterArgumentValidationError,$commandId"
    }

    It 'Get-AltimeterSession / -MaxAttempts, -RetryMode and -TimeoutSec still reach STS and give the right sessions' {
        $sessions = @($targets[0..4] | Get-AltimeterSession -Accessor $accessor -MaxAttempts 5 -RetryMode Adaptive -TimeoutSec 10)
        $sessions.AccountId | Should -Be $targets[0..4]
        Get-StsCount 'AssumeRole' | Should -Be 6
    }

    It 'Get-AltimeterSession / 16 runspaces asking for the same 100 accounts cause exactly 101 AssumeRole calls, each session for its own account' {
        $accounts = $targets[0..99]
        $modulePath = Get-AltimeterModulePath
        $results = 1..16 | ForEach-Object -ThrottleLimit 16 -Parallel {
            Import-Module $using:modulePath
            $offset = $_ * 7
            $mine = for ($i = 0; $i -lt 100; $i++) { ($using:accounts)[($i + $offset) % 100] }
            $mine | Get-AltimeterSession -Accessor $using:accessor | ForEach-Object {
                [pscustomobject]@{ AccountId = $_.AccountId; Key = $_.GetCredentials().AccessKey }
            }
        }

        $results | Should -HaveCount 1600
        Get-StsCount 'AssumeRole' | Should -Be 101
        $byKey = @{}
        foreach ($assumed in Get-MotoAssumedRole $server) { $byKey[$assumed.access_key_id] = $assumed.role_arn }
        foreach ($result in $results) {
            $byKey[$result.Key] | Should -Be "arn:aws:iam::$($result.AccountId):role/AltimeterTarget"
        }
    }
}
