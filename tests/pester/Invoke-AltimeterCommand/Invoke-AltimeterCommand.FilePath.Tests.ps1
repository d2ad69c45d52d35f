# Invoke-AltimeterCommand -FilePath: one program per piped session, many at once, each child with an
# environment block of its own (the process environment is never changed). Every output line is
# tagged with its account and region, and a child's identity (the AWS CLI's GetCallerIdentity
# against moto) must match its tag: no cross-talk between children running side by side.
# Tag Unix: the children are sh scripts and the AWS CLI, which the Windows run (under Wine) lacks.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    $suite = Start-TestFile -StsEnvironment
    $server = $suite.Server
    $accessor = New-AltimeterAccessor -Path (Get-FixturePath 'accessors/two-hop.json')
    $sourceKey = $env:AWS_ACCESS_KEY_ID

    # Every AWS_* variable of this process, as text.
    function Get-AwsVariableState {
        Get-ChildItem Env: | Where-Object Name -Like 'AWS_*' | Sort-Object Name | ForEach-Object { "$($_.Name)=$($_.Value)" }
    }

    # A process runs no more once it is gone or a zombie nobody has reaped yet.
    function Test-Running([int] $ProcessId) {
        $stat = Get-Content -Raw -LiteralPath "/proc/$ProcessId/stat" -ErrorAction Ignore
        $stat -and $stat.Substring($stat.LastIndexOf(')') + 2, 1) -ne 'Z'
    }
}

AfterAll {
    Stop-TestFile $suite
}

Describe 'Invoke-AltimeterCommand -FilePath' -Tag Unix {
    BeforeEach {
        Reset-MotoServer $server
        Clear-AltimeterCredentialCache -Confirm:$false
    }

    It 'Invoke-AltimeterCommand -FilePath / 16 children at once, randomly timed, each answer as the account its lines are tagged with, and the process environment is unchanged' {
        $accounts = 1..16 | ForEach-Object { '2000000000{0:D2}' -f $_ }
        $sessions = $accounts | Get-AltimeterSession -Accessor $accessor
        $sessions | Should -HaveCount 16
        $keyOf = @{}
        foreach ($session in $sessions) { $keyOf[$session.AccountId] = $session.GetCredentials().AccessKey }
        $before = Get-AwsVariableState

        # dash has no $RANDOM: the child's pid times its sleep.
        $script = 'sleep 0.$(( $$ % 9 )); echo "key $AWS_ACCESS_KEY_ID"; aws sts get-caller-identity --query Account --output text; echo "region $AWS_REGION"'
        $lines = @($sessions | Invoke-AltimeterCommand -FilePath sh -ArgumentList '-c', $script -ThrottleLimit 16)

        $lines | Should -HaveCount 48
        foreach ($line in $lines) {
            $line | Should -BeOfType [string]
            $line.AltimeterAccountId | Should -BeIn $accounts
            $line.AltimeterRegion | Should -Be 'us-east-1'
        }
        foreach ($group in $lines | Group-Object AltimeterAccountId) {
            $group.Count | Should -Be 3 -Because "each child of $($group.Name) wrote three lines"
            $group.Group | Should -Contain $group.Name -Because 'GetCallerIdentity in the child tagged with an account must answer that account'
            $group.Group | Should -Contain "key $($keyOf[$group.Name])"
            $group.Group | Should -Contain 'region us-east-1'
        }
        @($lines | Group-Object AltimeterAccountId) | Should -HaveCount 16
        Get-AwsVariableState | Should -Be $before
        $env:AWS_ACCESS_KEY_ID | Should -Be $sourceKey
    }

    It 'Invoke-AltimeterCommand -FilePath / a non-zero exit is a ProgramFailed error naming its account, while the other children''s output still arrives' {
        $sessions = '300000000001', '300000000002', '300000000003', '300000000004' | Get-AltimeterSession -Accessor $accessor
        $failing = $sessions[1]
        $script = 'echo "out"; echo "complaint" >&2; [ "$AWS_ACCESS_KEY_ID" = "$1" ] && exit 4; exit 0'

        $lines = @($sessions | Invoke-AltimeterCommand sh -ArgumentList '-c', $script, 'child', $failing.GetCredentials().AccessKey -ErrorVariable failed -ErrorAction SilentlyContinue -InformationVariable told 6>$null)

        $failed | Should -HaveCount 1
        $failed[0].FullyQualifiedErrorId | Should -Be 'ProgramFailed,Altimeter.Auth.Commands.InvokeAltimeterCommandCommand'
        $failed[0].CategoryInfo.Category | Should -Be 'InvalidResult'
        $failed[0].TargetObject.AccountId | Should -Be $failing.AccountId
        $failed[0].Exception.AccountId | Should -Be $failing.AccountId
        $failed[0].Exception.ExitCode | Should -Be 4
        $failed[0].Exception.Message | Should -BeLike "*exited with code 4 in account $($failing.AccountId) (us-east-1)*"
        $lines | Should -HaveCount 4
        @($lines.AltimeterAccountId | Sort-Object) | Should -Be @($sessions.AccountId | Sort-Object)
        $lines | Should -Not -Contain 'complaint' -Because 'standard error is not output'
        $told | Should -HaveCount 4
        foreach ($record in $told) {
            $record.Tags | Should -Contain 'stderr'
            $record.Tags | Should -Contain 'PSHOST'
            $account = @($record.Tags | Where-Object { $_ -match '^\d{12}$' })
            $account | Should -HaveCount 1
            "$($record.MessageData)" | Should -Be "$account us-east-1: complaint"
        }
    }

    It 'Invoke-AltimeterCommand -FilePath / the words after the program are its arguments, as the README''s recipe writes the AWS CLI' {
        $sessions = '300000000021', '300000000022' | Get-AltimeterSession -Accessor $accessor

        $lines = @($sessions | Invoke-AltimeterCommand aws sts get-caller-identity --query Account --output text)

        $lines | Should -HaveCount 2
        foreach ($line in $lines) { "$line" | Should -Be $line.AltimeterAccountId }
    }

    It 'Invoke-AltimeterCommand -FilePath / a path is relative to the PowerShell location, which is the children''s working directory' {
        $session = Get-AltimeterSession 300000000005 -Accessor $accessor
        $folder = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'scripts')
        Set-Content -LiteralPath (Join-Path $folder 'where.sh') -Value "#!/bin/sh`npwd`nfor a in `"`$@`"; do echo `"<`$a>`"; done" -NoNewline
        chmod +x (Join-Path $folder 'where.sh')

        Push-Location $folder
        try { $lines = @($session | Invoke-AltimeterCommand ./where.sh -ArgumentList 42, 'two words') }
        finally { Pop-Location }

        $lines | Should -Be $folder.FullName, '<42>', '<two words>' -Because 'each argument is one argument, converted to text'
    }

    It 'Invoke-AltimeterCommand -FilePath / no sessions from the pipeline: nothing runs, nothing is written' {
        $marker = Join-Path $TestDrive 'ran'
        $out = @(@() | Invoke-AltimeterCommand sh -ArgumentList '-c', 'touch "$1"', 'child', $marker -ErrorVariable failed)
        $out | Should -HaveCount 0
        $failed | Should -HaveCount 0
        Test-Path -LiteralPath $marker | Should -BeFalse
    }

    It 'Invoke-AltimeterCommand -FilePath / a program found nowhere stops the command with ProgramNotStarted before any child starts' {
        $session = Get-AltimeterSession 300000000006 -Accessor $accessor
        { $session | Invoke-AltimeterCommand -FilePath 'no-such-program-altimeter' -ErrorAction Stop } |
            Should -Throw -ErrorId 'ProgramNotStarted,Altimeter.Auth.Commands.InvokeAltimeterCommandCommand'
    }

    It 'Invoke-AltimeterCommand -FilePath / a pipeline that ends early (Select-Object -First 1) kills the children still running and the processes they started' {
        $sessions = '300000000011', '300000000012', '300000000013', '300000000014' | Get-AltimeterSession -Accessor $accessor
        $pids = Join-Path $TestDrive 'pids'
        $script = 'sleep 120 & echo $! >> "$1"; echo started; wait'

        $first = @($sessions | Invoke-AltimeterCommand sh -ArgumentList '-c', $script, 'child', $pids -ThrottleLimit 4 | Select-Object -First 1)

        $first | Should -HaveCount 1
        $started = @(Get-Content -LiteralPath $pids)
        $started.Count | Should -BeGreaterOrEqual 1
        foreach ($id in $started) {
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while ((Test-Running $id) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
            Test-Running $id | Should -BeFalse -Because "the sleep $id was started by a child of the stopped pipeline"
        }
    }

    It 'Invoke-AltimeterCommand -FilePath / Ctrl+C (the pipeline stopped) kills every child and the processes they started' {
        $sessions = '300000000031', '300000000032', '300000000033' | Get-AltimeterSession -Accessor $accessor
        $pids = Join-Path $TestDrive 'stopped-pids'
        $started = @()
        $powershell = [powershell]::Create()
        try {
            $null = $powershell.AddScript({
                    param($module, $sessions, $pids)
                    Import-Module $module
                    $sessions | Invoke-AltimeterCommand sh -ArgumentList '-c', 'sleep 600 & echo $! >> "$1"; wait', 'child', $pids -ThrottleLimit 3
                }).AddArgument((Get-AltimeterModulePath)).AddArgument($sessions).AddArgument($pids)
            $running = $powershell.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (@(Get-Content -LiteralPath $pids -ErrorAction Ignore).Count -lt 3 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
            $started = @(Get-Content -LiteralPath $pids)
            $started | Should -HaveCount 3 -Because 'every child started its sleep'

            # What Ctrl+C does; asynchronously, so that sleeps left running fail the test instead of holding it for ten minutes.
            $stopping = $powershell.BeginStop($null, $null)
            foreach ($id in $started) {
                $deadline = [DateTime]::UtcNow.AddSeconds(30)
                while ((Test-Running $id) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
                Test-Running $id | Should -BeFalse -Because "the sleep $id was started by a child of the stopped command"
            }
            $powershell.EndStop($stopping)
            $powershell.InvocationStateInfo.State | Should -Be 'Stopped'
            { $powershell.EndInvoke($running) } | Should -Throw '*stopped*'
        }
        finally {
            foreach ($id in $started) { if (Test-Running $id) { kill -9 $id } }
            $powershell.Dispose()
        }
    }

    It 'Invoke-AltimeterCommand -FilePath / a script block call is unchanged: one session, the block, its arguments' {
        $session = Get-AltimeterSession 300000000007 -Accessor $accessor
        Invoke-AltimeterCommand $session { param($a) "$a $env:AWS_ACCESS_KEY_ID" } -ArgumentList 'x' |
            Should -Be "x $($session.GetCredentials().AccessKey)"
    }
}
