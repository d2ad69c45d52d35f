# Invoke-AltimeterCommand with sessions from the pipeline: one after the other in the caller's
# runspace, or with -Parallel in a pool of runspaces ($_, $using:, the caller's modules, AWS Tools'
# shell credentials per runspace, output tagged with its account, errors per account, Ctrl+C,
# -ThrottleLimit), and children of parallel blocks finding no credentials at all. Against moto.
# Tag Unix: blocks start sh, which the Windows run (under Wine) does not have.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    $suite = Start-TestFile -StsEnvironment
    $modulePath = Get-AltimeterModulePath
    $server = $suite.Server
    $accessorPath = Get-FixturePath 'accessors/two-hop.json'
    $accessor = New-AltimeterAccessor -Path $accessorPath
    $accounts = '222222222222', '333333333333', '444444444444', '555555555555'
}

AfterAll {
    Stop-TestFile $suite
}

Describe 'Invoke-AltimeterCommand with sessions from the pipeline' -Tag Unix {
    BeforeAll {
        $sessions = $accounts | Get-AltimeterSession -Accessor $accessor
    }

    BeforeEach {
        $saved = Save-TestEnvironment
    }

    AfterEach {
        Restore-TestEnvironment $saved
    }

    It 'Invoke-AltimeterCommand / without -Parallel runs each session''s block in input order, $_ the session, its children with that session''s key' {
        $seen = $sessions | Invoke-AltimeterCommand { [pscustomobject]@{ AccountId = $_.AccountId; Child = sh -c 'echo $AWS_ACCESS_KEY_ID' } }

        $seen.AccountId | Should -Be $accounts
        foreach ($index in 0..3) {
            $seen[$index].Child | Should -Be $sessions[$index].GetCredentials().AccessKey
        }
    }

    It 'Invoke-AltimeterCommand / without -Parallel: the commands after it in the pipeline get the blocks'' output with the environment back as it was (they do not run as the session)' {
        $sourceKey = $env:AWS_ACCESS_KEY_ID
        $after = @($sessions[0..1] | Invoke-AltimeterCommand { $_.AccountId } | ForEach-Object { "$_ $($env:AWS_ACCESS_KEY_ID) $(sh -c 'echo $AWS_ACCESS_KEY_ID')" })
        $after | Should -Be @("$($sessions[0].AccountId) $sourceKey $sourceKey", "$($sessions[1].AccountId) $sourceKey $sourceKey")
    }

    It 'Invoke-AltimeterCommand / tags every output object with its account and region, with and without -Parallel (<Mode>)' -ForEach @(
        @{ Mode = 'in order'; Parallel = $false }, @{ Mode = '-Parallel'; Parallel = $true }
    ) {
        $output = $sessions | Invoke-AltimeterCommand -Parallel:$Parallel { $_.AccountId; 42; [pscustomobject]@{ Account = $_.AccountId } }

        $output | Should -HaveCount 12
        foreach ($item in $output) {
            $item.AltimeterRegion | Should -Be 'us-east-1'
        }
        foreach ($account in $accounts) {
            $mine = @($output | Where-Object AltimeterAccountId -eq $account)
            $mine | Should -HaveCount 3
            $mine[0] | Should -Be $account
            $mine[1] | Should -Be 42
            $mine[2].Account | Should -Be $account
        }
    }

    It 'Invoke-AltimeterCommand / one session named first still works as before: Invoke-AltimeterCommand $session { ... } with arguments' {
        $result = Invoke-AltimeterCommand $sessions[1] { param($a, $b) "$($_.AccountId) $a $b" } -ArgumentList 'x', 'y'

        "$result" | Should -Be '333333333333 x y'
        $result.AltimeterAccountId | Should -Be '333333333333'
    }

    It 'Invoke-AltimeterCommand / -Parallel: $_ is the session and $using: takes the caller''s values (variable, index, member)' {
        $prefix = 'seen'
        $list = 'first', 'second'
        $record = [pscustomobject]@{ Name = 'member' }

        $output = $sessions | Invoke-AltimeterCommand -Parallel { "$using:prefix $($_.AccountId) $($using:list[1]) $($using:record.Name)" }

        $output | Sort-Object | Should -Be @($accounts | ForEach-Object { "seen $_ second member" })
    }

    It 'Invoke-AltimeterCommand / -Parallel: a function of a module the caller imported is there in every block' {
        $moduleFile = Join-Path $TestDrive 'PipelineHelper.psm1'
        Set-Content $moduleFile 'function Get-PipelineGreeting([string] $Name) { "hello $Name" }'
        Import-Module $moduleFile
        try {
            $output = $sessions | Invoke-AltimeterCommand -Parallel { Get-PipelineGreeting $_.AccountId }
        }
        finally {
            Remove-Module PipelineHelper
        }

        $output | Sort-Object | Should -Be @($accounts | ForEach-Object { "hello $_" })
    }

    It 'Invoke-AltimeterCommand / -Parallel: a failing block is a BlockFailed error naming its account, and the others'' output still comes' {
        $output = $sessions | Invoke-AltimeterCommand -Parallel {
            if ($_.AccountId -eq '333333333333') { throw 'this account fails' }
            $_.AccountId
        } -ErrorAction SilentlyContinue -ErrorVariable failures

        $output | Sort-Object | Should -Be @('222222222222', '444444444444', '555555555555')
        $failures | Should -HaveCount 1
        $failures[0].FullyQualifiedErrorId | Should -Be 'BlockFailed,Altimeter.Auth.Commands.InvokeAltimeterCommandCommand'
        $failures[0].TargetObject.AccountId | Should -Be '333333333333'
        $failures[0].Exception.Message | Should -BeLike '*333333333333*this account fails*'
    }

    It 'Invoke-AltimeterCommand / without -Parallel: a failing block is a BlockFailed error naming its account, and the next blocks run' {
        $output = $sessions | Invoke-AltimeterCommand {
            if ($_.AccountId -eq '444444444444') { throw 'this account fails' }
            $_.AccountId
        } -ErrorAction SilentlyContinue -ErrorVariable failures

        $output | Should -Be @('222222222222', '333333333333', '555555555555')
        $failures | Should -HaveCount 1
        $failures[0].FullyQualifiedErrorId | Should -Be 'BlockFailed,Altimeter.Auth.Commands.InvokeAltimeterCommandCommand'
        $failures[0].TargetObject.AccountId | Should -Be '444444444444'
    }

    It 'Invoke-AltimeterCommand / -Parallel: no more blocks run at once than -ThrottleLimit, and all of them do' {
        $counter = [hashtable]::Synchronized(@{ Now = 0; Most = 0; Ran = 0 })
        $work = foreach ($round in 1..3) { $sessions }

        $null = $work | Invoke-AltimeterCommand -Parallel -ThrottleLimit 3 {
            $counter = $using:counter
            [System.Threading.Monitor]::Enter($counter.SyncRoot)
            try { $counter.Now++; $counter.Ran++; if ($counter.Now -gt $counter.Most) { $counter.Most = $counter.Now } }
            finally { [System.Threading.Monitor]::Exit($counter.SyncRoot) }
            Start-Sleep -Milliseconds 200
            [System.Threading.Monitor]::Enter($counter.SyncRoot)
            try { $counter.Now-- } finally { [System.Threading.Monitor]::Exit($counter.SyncRoot) }
        }

        $counter.Ran | Should -Be 12
        $counter.Most | Should -BeLessOrEqual 3
        $counter.Most | Should -BeGreaterThan 1 -Because 'the blocks run side by side'
    }

    It 'Invoke-AltimeterCommand / -Parallel: a child a block starts finds no AWS credentials at all, and the environment ends as it began' {
        $before = Get-AwsVariableState
        $env:AWS_PROFILE = 'default'
        $withProfile = Get-AwsVariableState

        $children = $sessions | Invoke-AltimeterCommand -Parallel { [pscustomobject]@{ Account = $_.AccountId; Env = @(sh -c 'env' | Where-Object { $_ -match '^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|PROFILE|SECURITY_TOKEN)=' }) } }

        $children | Should -HaveCount 4
        foreach ($child in $children) {
            $child.Env | Should -BeNullOrEmpty -Because "a child of the block for $($child.Account) must find no credentials, neither the source's nor another block's"
        }
        Get-AwsVariableState | Should -Be $withProfile
        Remove-Item Env:AWS_PROFILE
        Get-AwsVariableState | Should -Be $before
    }

    It 'Invoke-AltimeterCommand / -Parallel: a block cannot put a session''s keys in the process environment, where the other blocks'' children would find them: KeysInParallelBlock' {
        $before = Get-AwsVariableState

        $refused = $sessions[0..1] | Invoke-AltimeterCommand -Parallel {
            $session = $_
            try { Invoke-AltimeterCommand $session { sh -c 'echo $AWS_ACCESS_KEY_ID' }; 'ran' } catch { $_.FullyQualifiedErrorId }
            try { $session | Set-AltimeterEnvironment -Confirm:$false; 'set' } catch { $_.FullyQualifiedErrorId }
        }

        $refused | Should -HaveCount 4
        @($refused | Where-Object { $_ -eq 'KeysInParallelBlock,Altimeter.Auth.Commands.InvokeAltimeterCommandCommand' }) | Should -HaveCount 2
        @($refused | Where-Object { $_ -eq 'KeysInParallelBlock,Altimeter.Auth.Commands.SetAltimeterEnvironmentCommand' }) | Should -HaveCount 2
        Get-AwsVariableState | Should -Be $before
    }

    It 'Invoke-AltimeterCommand / -Parallel: commands earlier in the same pipeline end before the blocks begin, with the environment as it was: a block without -Parallel there runs as its session, and a command reading the environment keys (as AWS Tools does in ProcessRecord) finds the source''s' {
        $sourceKey = $env:AWS_ACCESS_KEY_ID
        $seen = [System.Collections.Generic.List[string]]::new()
        $childKeys = [System.Collections.Generic.List[string]]::new()
        $job = Start-ThreadJob {
            Import-Module $using:modulePath
            $sessions = $using:sessions
            $seen = $using:seen
            $childKeys = $using:childKeys
            $sessions[0..1] |
                ForEach-Object { $seen.Add("$($env:AWS_ACCESS_KEY_ID)"); $_ } |
                Invoke-AltimeterCommand { [pscustomobject]@{ Session = $_; ChildKey = (sh -c 'echo $AWS_ACCESS_KEY_ID') } } |
                ForEach-Object { $childKeys.Add("$($_.ChildKey)"); $_.Session } |
                Invoke-AltimeterCommand -Parallel { "$($_.AccountId) $(sh -c 'echo "[$AWS_ACCESS_KEY_ID]"')" }
        }
        $finished = Wait-Job $job -Timeout 60
        $result = @(Receive-Job $job -ErrorVariable failed)
        Remove-Job $job -Force

        $finished | Should -Not -BeNullOrEmpty -Because 'the earlier block must not wait for the lease of the parallel run'
        $failed | Should -BeNullOrEmpty
        @($result | Sort-Object) | Should -Be @("$($sessions[0].AccountId) []", "$($sessions[1].AccountId) []") -Because 'the children of the parallel blocks still find no keys'
        @($seen) | Should -Be @($sourceKey, $sourceKey) -Because 'the command between ran before the parallel blocks took the keys away'
        @($childKeys) | Should -Be @($sessions[0].GetCredentials().AccessKey, $sessions[1].GetCredentials().AccessKey) -Because 'the earlier block''s child ran as its session'
    }

    It 'Invoke-AltimeterCommand / -Parallel inside a parallel block runs without waiting for ever' {
        $job = Start-ThreadJob {
            Import-Module $using:modulePath
            $sessions = $using:sessions
            $sessions[0..1] | Invoke-AltimeterCommand -Parallel -ThrottleLimit 2 {
                $outer = $_.AccountId
                ($using:sessions)[2..3] | Invoke-AltimeterCommand -Parallel -ThrottleLimit 2 { "$($_.AccountId)" } | ForEach-Object { "$outer/$_" }
            }
        }
        $finished = Wait-Job $job -Timeout 60
        $output = Receive-Job $job
        Remove-Job $job -Force

        $finished | Should -Not -BeNullOrEmpty -Because 'a nested -Parallel must not wait for the lease its own outer run holds'
        $output | Sort-Object | Should -Be @('222222222222/444444444444', '222222222222/555555555555', '333333333333/444444444444', '333333333333/555555555555')
    }

    It 'Invoke-AltimeterCommand / -Parallel: Ctrl+C stops the running blocks and starts no other' {
        $box = [hashtable]::Synchronized(@{ Started = 0 })
        $inside = [System.Threading.ManualResetEventSlim]::new($false)
        $ps = [powershell]::Create()
        $null = $ps.AddScript({
                param($ModulePath, $Sessions, $Box, $Inside)
                Import-Module $ModulePath
                $work = foreach ($round in 1..3) { $Sessions }
                $work | Invoke-AltimeterCommand -Parallel -ThrottleLimit 2 {
                    $box = $using:Box
                    [System.Threading.Monitor]::Enter($box.SyncRoot)
                    try { $box.Started++ } finally { [System.Threading.Monitor]::Exit($box.SyncRoot) }
                    if ($box.Started -ge 2) { ($using:Inside).Set() }
                    Start-Sleep -Seconds 120
                }
            }).AddParameters(@{ ModulePath = $modulePath; Sessions = $sessions; Box = $box; Inside = $inside })
        $handle = $ps.BeginInvoke()
        try {
            $inside.Wait(60000) | Should -BeTrue
            $stop = $ps.BeginStop($null, $null)
            $stop.AsyncWaitHandle.WaitOne(60000) | Should -BeTrue -Because 'stopping must not wait for the blocks to end by themselves'
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            Start-Sleep -Milliseconds 500
            $box.Started | Should -Be 2 -Because 'the other ten blocks never start once stopped'
        }
        finally {
            $ps.Dispose()
        }
    }

    It 'Invoke-AltimeterCommand / -Parallel: progress counts the blocks done, of all sessions once they all came in, and is completed at the end' {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                    param($ModulePath, $Sessions)
                    Import-Module $ModulePath
                    $Sessions | Invoke-AltimeterCommand -Parallel -ThrottleLimit 1 { Start-Sleep -Milliseconds 300 }
                }).AddParameters(@{ ModulePath = $modulePath; Sessions = $sessions })
            $null = $ps.Invoke()
            $progress = @($ps.Streams.Progress | Where-Object Activity -Like 'Invoke-AltimeterCommand -Parallel*')
        }
        finally {
            $ps.Dispose()
        }

        $progress.Count | Should -BeGreaterThan 1
        $progress[-1].RecordType | Should -Be 'Completed'
        $progress[-2].StatusDescription | Should -Match '^\d of 4 blocks done\.$'
    }

    It 'Invoke-AltimeterCommand / -Refreshing with -Parallel is refused: RefreshingNotParallel' {
        { $sessions | Invoke-AltimeterCommand -Parallel -Refreshing { 'never' } } |
            Should -Throw -ErrorId 'RefreshingNotParallel,Altimeter.Auth.Commands.InvokeAltimeterCommandCommand'
    }
}

Describe 'Invoke-AltimeterCommand -Parallel beside AWS Tools for PowerShell' -Tag Unix {
    BeforeAll {
        $standInRoot = New-AwsToolsStandIn -Root (Join-Path ([System.IO.Path]::GetTempPath()) "altimeter-awstools-$([guid]::NewGuid())")
    }

    AfterAll {
        Remove-Item -Recurse -Force $standInRoot -ErrorAction SilentlyContinue
    }

    It 'Invoke-AltimeterCommand / -Parallel: in each block AWS Tools'' shell credentials and default region are the session''s' {
        $environment = @{
            PSModulePath = "$standInRoot$([System.IO.Path]::PathSeparator)$env:PSModulePath"
            AWS_ENDPOINT_URL_STS = $server.Url; AWS_REGION = 'us-east-1'; AWS_EC2_METADATA_DISABLED = 'true'
            AWS_ACCESS_KEY_ID = 'AKIAPESTERSOURCE0001'; AWS_SECRET_ACCESS_KEY = 'pester-source-secret-not-real'
            ALTIMETER_PESTER_EXT_ID = $env:ALTIMETER_PESTER_EXT_ID
        }
        $result = Invoke-FreshPwsh -NoImport -Environment $environment -Parameters @{ ModulePath = $modulePath; AccessorPath = $accessorPath; Accounts = $accounts } {
            param($ModulePath, $AccessorPath, $Accounts)
            Import-Module AWS.Tools.Common
            Import-Module $ModulePath
            $sessions = $Accounts | Get-AltimeterSession -Accessor (New-AltimeterAccessor -Path $AccessorPath) -Region eu-west-1
            $expected = @{}
            foreach ($session in $sessions) { $expected[$session.AccountId] = $session.GetCredentials().AccessKey }
            $sessions | Invoke-AltimeterCommand -Parallel -ThrottleLimit 2 {
                [pscustomobject]@{ Account = $_.AccountId; ShellKey = (Get-AWSCredential).GetCredentials().AccessKey; ShellRegion = (Get-DefaultAWSRegion).Region }
            } | ForEach-Object { [pscustomobject]@{ Account = $_.Account; Matches = $_.ShellKey -eq $expected[$_.Account]; ShellRegion = $_.ShellRegion } }
        }

        $result | Should -HaveCount 4
        foreach ($block in $result) {
            $block.Matches | Should -BeTrue -Because "Get-AWSCredential in the block for $($block.Account) must give that session's keys"
            $block.ShellRegion | Should -Be 'eu-west-1'
        }
    }
}
