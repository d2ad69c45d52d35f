# Invoke-AltimeterCommand from several runspaces of one process at once (ForEach-Object -Parallel):
# environment variables belong to the process, so the blocks take turns; children see only their
# own session's keys and the environment ends as it began. Against moto.
# Tag Unix: the blocks start sh, which the Windows run (under Wine) does not have.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    $suite = Start-TestFile -StsEnvironment
    $modulePath = Get-AltimeterModulePath
    $server = $suite.Server
    $accessorPath = Get-FixturePath 'accessors/two-hop.json'
    $accessor = New-AltimeterAccessor -Path $accessorPath
    $sourceKey = $env:AWS_ACCESS_KEY_ID
}

AfterAll {
    Stop-TestFile $suite
}

Describe 'Invoke-AltimeterCommand in parallel runspaces' -Tag Unix {
    BeforeEach {
        Reset-MotoServer $server
        Clear-AltimeterCredentialCache -Confirm:$false
        $saved = Save-TestEnvironment
        $savedExpiration = [Environment]::GetEnvironmentVariable('AWS_CREDENTIAL_EXPIRATION')
    }

    AfterEach {
        Restore-TestEnvironment $saved
        [Environment]::SetEnvironmentVariable('AWS_CREDENTIAL_EXPIRATION', $savedExpiration)
    }

    It 'Invoke-AltimeterCommand / in ForEach-Object -Parallel every child sees its own session''s key, and the environment ends as it began' {
        $sessions = '222222222222', '333333333333', '444444444444', '555555555555' | Get-AltimeterSession -Accessor $accessor
        $sessions | Should -HaveCount 4
        # An empty variable must come back empty, not unset (the lease removes it for the blocks).
        [Environment]::SetEnvironmentVariable('AWS_CREDENTIAL_EXPIRATION', '')
        $before = Get-AwsVariableState

        $work = foreach ($round in 1..3) { foreach ($session in $sessions) { $session } }
        $seen = $work | ForEach-Object -ThrottleLimit 4 -Parallel {
            Import-Module $using:modulePath
            $session = $_
            $children = Invoke-AltimeterCommand $session {
                sh -c 'echo $AWS_ACCESS_KEY_ID'
                Start-Sleep -Milliseconds 50
                sh -c 'echo $AWS_ACCESS_KEY_ID'
            }
            [pscustomobject]@{ AccountId = $session.AccountId; Expected = $session.GetCredentials().AccessKey; Children = @($children) }
        }

        $seen | Should -HaveCount 12
        foreach ($block in $seen) {
            $block.Children | Should -HaveCount 2
            $block.Children | ForEach-Object { $_ | Should -Be $block.Expected -Because "a child of the block for $($block.AccountId) must see that session's key" }
        }
        Get-AwsVariableState | Should -Be $before
        $env:AWS_ACCESS_KEY_ID | Should -Be $sourceKey
    }

    It 'Invoke-AltimeterCommand / a call inside another one nests: the inner block sees its session, the outer one its own again afterwards' {
        $outer, $inner = '222222222222', '333333333333' | Get-AltimeterSession -Accessor $accessor
        $before = Get-AwsVariableState

        $job = Start-ThreadJob {
            Import-Module $using:modulePath
            $outer, $inner = $using:outer, $using:inner
            Invoke-AltimeterCommand $outer {
                sh -c 'echo $AWS_ACCESS_KEY_ID'
                Invoke-AltimeterCommand $inner { sh -c 'echo $AWS_ACCESS_KEY_ID' }
                sh -c 'echo $AWS_ACCESS_KEY_ID'
            }
        }
        $finished = Wait-Job $job -Timeout 30
        $keys = Receive-Job $job
        Remove-Job $job -Force

        $finished | Should -Not -BeNullOrEmpty -Because 'a nested call must not wait for its own outer call'
        $keys | Should -Be @($outer.GetCredentials().AccessKey, $inner.GetCredentials().AccessKey, $outer.GetCredentials().AccessKey)
        Get-AwsVariableState | Should -Be $before
    }

    It 'Invoke-AltimeterCommand / ForEach-Object -Parallel inside a block: each runspace''s own nested block takes its turn and its children see its key, never a sibling''s' {
        $outer = Get-AltimeterSession 666666666666 -Accessor $accessor
        $sessions = '222222222222', '333333333333', '444444444444', '555555555555' | Get-AltimeterSession -Accessor $accessor
        $before = Get-AwsVariableState

        $result = Invoke-AltimeterCommand $outer {
            $work = foreach ($round in 1..3) { foreach ($session in $sessions) { $session } }
            $nested = $work | ForEach-Object -ThrottleLimit 4 -Parallel {
                Import-Module $using:modulePath
                $session = $_
                $children = Invoke-AltimeterCommand $session {
                    sh -c 'echo $AWS_ACCESS_KEY_ID'
                    Start-Sleep -Milliseconds 50
                    sh -c 'echo $AWS_ACCESS_KEY_ID'
                }
                [pscustomobject]@{ AccountId = $session.AccountId; Expected = $session.GetCredentials().AccessKey; Children = @($children) }
            }
            [pscustomobject]@{ Nested = @($nested); OuterAfterwards = sh -c 'echo $AWS_ACCESS_KEY_ID' }
        }

        $result.Nested | Should -HaveCount 12 -Because 'no nested block may wait for the outer block, which waits for them'
        foreach ($block in $result.Nested) {
            $block.Children | Should -HaveCount 2
            $block.Children | ForEach-Object { $_ | Should -Be $block.Expected -Because "a child of the nested block for $($block.AccountId) must see that session's key" }
        }
        $result.OuterAfterwards | Should -Be $outer.GetCredentials().AccessKey
        Get-AwsVariableState | Should -Be $before
    }

    It 'Invoke-AltimeterCommand / a block that has to wait for another runspace''s says so with -Verbose' {
        $first, $second = '222222222222', '333333333333' | Get-AltimeterSession -Accessor $accessor
        $inside = [System.Threading.ManualResetEventSlim]::new($false)

        $verbose = @{ Session = $first; Holds = $true }, @{ Session = $second; Holds = $false } | ForEach-Object -ThrottleLimit 2 -Parallel {
            Import-Module $using:modulePath
            $inside = $using:inside
            if ($_.Holds) {
                Invoke-AltimeterCommand $_.Session { $inside.Set(); Start-Sleep -Milliseconds 1500 }
            }
            else {
                $null = $inside.Wait(10000)
                Invoke-AltimeterCommand $_.Session { sh -c 'echo $AWS_ACCESS_KEY_ID' } -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message
            }
        }

        $verbose | Should -Contain 'Waiting for another Invoke-AltimeterCommand in this process to finish (environment variables are process-wide).'
    }

    It 'Get-AltimeterSession / in another runspace while a block holds the environment, chains start from the real source keys' {
        $blockSession = Get-AltimeterSession 222222222222 -Accessor $accessor
        Reset-MotoServer $server
        $inside = [System.Threading.ManualResetEventSlim]::new($false)

        $result = 'block', 'reader' | ForEach-Object -ThrottleLimit 2 -Parallel {
            Import-Module $using:modulePath
            $inside = $using:inside
            if ($_ -eq 'block') {
                Invoke-AltimeterCommand $using:blockSession { $inside.Set(); Start-Sleep -Milliseconds 1500 }
            }
            else {
                $null = $inside.Wait(10000)
                # -NoCache: the hub is assumed again, signed by whatever the chain starts from.
                $session = Get-AltimeterSession 333333333333 -Accessor (New-AltimeterAccessor -Path $using:accessorPath -NoCache) -Verbose 4>&1
                [pscustomobject]@{
                    AccountId = @($session | Where-Object { $_ -is [Altimeter.Auth.AltimeterSession] })[0].AccountId
                    Verbose = @($session | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
                }
            }
        }

        $result.AccountId | Should -Be '333333333333'
        $hub = @(Get-MotoRequest $server | Where-Object { $_.Action -eq 'AssumeRole' -and $_.Parameters.RoleArn -like '*:111111111111:role/AltimeterHub' })
        $hub | Should -HaveCount 1
        $hub[0].SignedBy | Should -Be $sourceKey -Because 'the chain must not start from the keys of the block running in another runspace'
        $result.Verbose | Should -Contain 'Waiting for another Invoke-AltimeterCommand in this process to finish (environment variables are process-wide).'
    }
}
