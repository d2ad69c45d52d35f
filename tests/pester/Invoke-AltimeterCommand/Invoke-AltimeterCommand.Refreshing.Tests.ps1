# Invoke-AltimeterCommand -Refreshing: the block sees a loopback container-credentials endpoint
# instead of keys, and real clients use it against moto: the AWS CLI (botocore's ContainerProvider)
# and a .NET SDK client in a child process (GenericContainerCredentials), across a renewal of the
# session. The endpoint's refusals; its token ended when the block ends (also on error and on stop)
# while the process keeps the port; another local user (nobody, when root) who holds connections
# open or wants the port.
# Tag Unix: the tests run the AWS CLI, sh and python3, which the Windows run (under Wine) cannot start.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    $suite = Start-TestFile -StsEnvironment
    $modulePath = Get-AltimeterModulePath
    $server = $suite.Server
    $accessor = New-AltimeterAccessor -Path (Get-FixturePath 'accessors/two-hop.json')
    $sourceKey = $env:AWS_ACCESS_KEY_ID

    # A .NET SDK client in its own process, as a long-running tool would be: the SDK's default chain,
    # one STS client kept for its whole life. Each line on its standard input makes it call
    # GetCallerIdentity and answer "<access key id> <account>" on its standard output.
    function Start-DotNetSdkChild {
        $moduleDirectory = Split-Path $modulePath
        $script = @"
Add-Type -Path '$moduleDirectory/AWSSDK.Core.dll'
Add-Type -Path '$moduleDirectory/AWSSDK.SecurityToken.dll'
`$credentials = [Amazon.Runtime.Credentials.DefaultAWSCredentialsIdentityResolver]::GetCredentials()
`$client = [Amazon.SecurityToken.AmazonSecurityTokenServiceClient]::new(`$credentials)
[Console]::Out.WriteLine("ready `$(`$credentials.GetType().Name) static-keys:`$([bool]`$env:AWS_ACCESS_KEY_ID)/`$([bool]`$env:AWS_SECRET_ACCESS_KEY)/`$([bool]`$env:AWS_SESSION_TOKEN)")
while ((`$line = [Console]::In.ReadLine()) -and `$line -ne 'exit') {
    `$account = `$client.GetCallerIdentityAsync([Amazon.SecurityToken.Model.GetCallerIdentityRequest]::new()).GetAwaiter().GetResult().Account
    [Console]::Out.WriteLine("`$(`$credentials.GetCredentials().AccessKey) `$account")
}
"@
        $pwsh = @(Get-PwshCommandLine)
        $info = [System.Diagnostics.ProcessStartInfo]::new($pwsh[0])
        foreach ($argument in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-EncodedCommand', [Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($script)))) {
            $info.ArgumentList.Add($argument)
        }
        $info.UseShellExecute = $false
        $info.RedirectStandardInput = $true
        $info.RedirectStandardOutput = $true
        $info.RedirectStandardError = $true
        $process = [System.Diagnostics.Process]::Start($info)
        $null = $process.StandardError.ReadToEndAsync()
        $process
    }

    function Read-ChildLine($Process) { Read-ProcessLine $Process -Seconds 60 }

    # The status a request with $Token gets from the endpoint at $Uri now.
    function Get-TokenStatus([string] $Uri, [string] $Token) {
        (Invoke-WebRequest $Uri -Headers @{ Authorization = $Token } -SkipHttpErrorCheck).StatusCode
    }
}

AfterAll {
    Stop-TestFile $suite
}

Describe 'Invoke-AltimeterCommand -Refreshing' -Tag Unix {
    BeforeEach {
        Reset-MotoServer $server
        Clear-AltimeterCredentialCache -Confirm:$false
    }

    It 'Invoke-AltimeterCommand / -Refreshing: the AWS CLI gets the session from the endpoint, with no static keys in its environment' {
        $session = Get-AltimeterSession 222222222222 -Accessor $accessor

        $inside = Invoke-AltimeterCommand $session -Refreshing {
            [pscustomobject]@{
                Environment = @(sh -c 'env' | Where-Object { $_ -like 'AWS_*' } | ForEach-Object { ($_ -split '=', 2)[0] })
                Uri = $env:AWS_CONTAINER_CREDENTIALS_FULL_URI
                Source = "$(& aws configure list 2>&1)"
                Identity = & aws sts get-caller-identity --output json 2>&1
            }
        }

        $inside.Environment | Should -Contain 'AWS_CONTAINER_CREDENTIALS_FULL_URI'
        $inside.Environment | Should -Contain 'AWS_CONTAINER_AUTHORIZATION_TOKEN'
        $inside.Environment | Should -Contain 'AWS_REGION'
        $inside.Environment | Should -Contain 'AWS_DEFAULT_REGION'
        foreach ($name in 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE') { $inside.Environment | Should -Not -Contain $name }
        $inside.Uri | Should -Match '^http://127\.0\.0\.1:\d+/credentials$'
        $inside.Source | Should -Match 'access_key\s+\*+\w{4}\s+container-role'
        ($inside.Identity | ConvertFrom-Json).Account | Should -Be '222222222222'
        (Get-MotoRequest $server | Where-Object Action -EQ 'GetCallerIdentity').SignedBy | Should -Be $session.GetCredentials().AccessKey
        $env:AWS_ACCESS_KEY_ID | Should -Be $sourceKey
        $env:AWS_CONTAINER_CREDENTIALS_FULL_URI | Should -BeNullOrEmpty
    }

    It 'Invoke-AltimeterCommand / -Refreshing: a running .NET SDK child and the AWS CLI get the NEW key after the session renews mid-run' {
        # Fifteen-minute keys for the target: inside the SDKs' 15-minute refresh lead, so the
        # long-running child asks the endpoint again instead of keeping its keys for 45 minutes.
        $short = New-AltimeterAccessor -MultiHopAccessor @{
            RoleSessionName = 'altimeter-pester'
            AccessSteps = @(@{ RoleName = 'AltimeterHub'; AccountId = '111111111111' }, @{ RoleName = 'AltimeterTarget'; DurationSeconds = 900 })
        }
        $session = Get-AltimeterSession 222222222222 -Accessor $short
        $firstKey = $session.GetCredentials().AccessKey

        $seen = Invoke-AltimeterCommand $session -Refreshing {
            $child = Start-DotNetSdkChild
            try {
                $ready = Read-ChildLine $child
                $child.StandardInput.WriteLine('call')
                $before = Read-ChildLine $child
                $cliBefore = & aws sts get-caller-identity --query Account --output text 2>&1

                # Wider than the keys' fifteen minutes: the session renews on the next request.
                $session.RenewalWindow = [TimeSpan]::FromMinutes(16)
                $after = foreach ($try in 1..8) {
                    $child.StandardInput.WriteLine('call')
                    $answer = Read-ChildLine $child
                    $answer
                    if ($answer -notlike "$firstKey *") { break }
                    Start-Sleep -Milliseconds 300
                }
                # The SDK may sign the call that notices the new keys with the old ones while it
                # refreshes: one more call is signed with the renewed key for sure.
                $child.StandardInput.WriteLine('call')
                $after = @($after) + (Read-ChildLine $child)
                $cliAfter = & aws sts get-caller-identity --query Account --output text 2>&1
                $child.StandardInput.WriteLine('exit')
                [pscustomobject]@{ Ready = $ready; Before = $before; After = @($after); CliBefore = "$cliBefore".Trim(); CliAfter = "$cliAfter".Trim() }
            }
            finally {
                if (-not $child.WaitForExit(30000)) { $child.Kill($true) }
                $child.Dispose()
            }
        }

        $newKey = $session.GetCredentials().AccessKey
        $session.Renewals | Should -Be 1
        $newKey | Should -Not -Be $firstKey
        $seen.Ready | Should -Be 'ready GenericContainerCredentials static-keys:False/False/False'
        $seen.Before | Should -Be "$firstKey 222222222222"
        $seen.After[-1] | Should -Be "$newKey 222222222222" -Because "the running child must pick up the renewed key (it answered: $($seen.After -join '; '))"
        # moto's recording can lag its answers: wait (bounded) for the child's call and the CLI's.
        $deadline = [DateTime]::UtcNow.AddSeconds(15)
        while ($true) {
            $signedByNew = @(Get-MotoRequest $server | Where-Object { $_.Action -eq 'GetCallerIdentity' -and $_.SignedBy -eq $newKey }).Count
            if ($signedByNew -ge 2 -or [DateTime]::UtcNow -gt $deadline) { break }
            Start-Sleep -Milliseconds 200
        }
        $signedByNew | Should -BeGreaterOrEqual 2 -Because 'moto must have seen the child, then the AWS CLI, sign with the renewed key'
        $seen.CliBefore | Should -Be '222222222222'
        $seen.CliAfter | Should -Be '222222222222'
        $signers = @(Get-MotoRequest $server | Where-Object Action -EQ 'GetCallerIdentity' | ForEach-Object SignedBy)
        $signers[0] | Should -Be $firstKey
        $signers[-1] | Should -Be $newKey -Because 'the AWS CLI started after the renewal must sign with the renewed key'
    }

    It 'Invoke-AltimeterCommand / -Refreshing: a request without the token gets 401, with a wrong one 403, with a foreign Host 403' {
        $session = Get-AltimeterSession 222222222222 -Accessor $accessor

        $status = Invoke-AltimeterCommand $session -Refreshing {
            $uri = $env:AWS_CONTAINER_CREDENTIALS_FULL_URI
            $token = $env:AWS_CONTAINER_AUTHORIZATION_TOKEN
            $port = ([uri]$uri).Port
            @{
                Missing = (Invoke-WebRequest $uri -SkipHttpErrorCheck).StatusCode
                Wrong = (Invoke-WebRequest $uri -Headers @{ Authorization = 'not-the-token' } -SkipHttpErrorCheck).StatusCode
                ForeignHost = (Invoke-WebRequest $uri -Headers @{ Authorization = $token; Host = "rebound.example:$port" } -SkipHttpErrorCheck).StatusCode
                Right = (Invoke-WebRequest $uri -Headers @{ Authorization = $token } -SkipHttpErrorCheck).StatusCode
                CliWithWrongToken = & { $env:AWS_CONTAINER_AUTHORIZATION_TOKEN = 'not-the-token'; & aws sts get-caller-identity 2>&1 | Out-Null; $LASTEXITCODE }
            }
        }

        $status.Missing | Should -Be 401
        $status.Wrong | Should -Be 403
        $status.ForeignHost | Should -Be 403
        $status.Right | Should -Be 200
        $status.CliWithWrongToken | Should -Not -Be 0
    }

    It 'Invoke-AltimeterCommand / -Refreshing: another user holding 100 idle and 10 byte-a-second connections keeps no AWS CLI from its keys, and the server closes them all' {
        $session = Get-AltimeterSession 222222222222 -Accessor $accessor

        $seen = Invoke-AltimeterCommand $session -Refreshing {
            $neighbour = Start-LoopbackNeighbour hold ([uri]$env:AWS_CONTAINER_CREDENTIALS_FULL_URI).Port 100 10
            try {
                $ready = Read-ProcessLine $neighbour
                $identity = & aws sts get-caller-identity --output json 2>&1
                [pscustomobject]@{ Ready = $ready; Identity = "$identity"; ExitCode = $LASTEXITCODE; Closed = Read-ProcessLine $neighbour }
            }
            finally {
                if (-not $neighbour.WaitForExit(10000)) { $neighbour.Kill() }
                $neighbour.Dispose()
            }
        }

        $seen.Ready | Should -Be 'ready'
        $seen.ExitCode | Should -Be 0 -Because $seen.Identity
        ($seen.Identity | ConvertFrom-Json).Account | Should -Be '222222222222'
        $seen.Closed | Should -Be 'closed 110' -Because 'the server closes every connection that sends no head in time or is pushed out'
    }

    It 'Invoke-AltimeterCommand / -Refreshing: a child that outlives the block gets 410 and no keys, and another user cannot take the port to collect its token' {
        $session = Get-AltimeterSession 222222222222 -Accessor $accessor

        $block = Invoke-AltimeterCommand $session -Refreshing {
            [pscustomobject]@{ Uri = $env:AWS_CONTAINER_CREDENTIALS_FULL_URI; Token = $env:AWS_CONTAINER_AUTHORIZATION_TOKEN }
        }
        $thief = Start-LoopbackNeighbour bind ([uri]$block.Uri).Port
        try {
            $bind = Read-ProcessLine $thief
            # The late child: the AWS CLI as the block started it, run after the block.
            $late = Invoke-AwsCli @{
                AWS_CONTAINER_CREDENTIALS_FULL_URI = $block.Uri; AWS_CONTAINER_AUTHORIZATION_TOKEN = $block.Token
                AWS_ACCESS_KEY_ID = $null; AWS_SECRET_ACCESS_KEY = $null; AWS_SESSION_TOKEN = $null; AWS_PROFILE = $null
            } 'sts', 'get-caller-identity', '--output', 'json'
            $answer = try { Invoke-WebRequest $block.Uri -Headers @{ Authorization = $block.Token } -SkipHttpErrorCheck } catch { $null }
        }
        finally {
            if (-not $thief.WaitForExit(40000)) { $thief.Kill() }
            $thiefSaw = $thief.StandardOutput.ReadToEnd()
            $thief.Dispose()
        }

        $bind | Should -Be 'refused' -Because 'the process keeps the port after the block'
        $thiefSaw | Should -Not -BeLike '*received-token*'
        $late.ExitCode | Should -Not -Be 0
        $answer.StatusCode | Should -Be 410
        "$($answer.Content)" | Should -Not -BeLike "*$($session.GetCredentials().AccessKey)*"
        "$($answer.Content)" | Should -Not -BeLike "*$($session.GetCredentials().SecretKey)*"
        @(Get-MotoRequest $server | Where-Object Action -EQ 'GetCallerIdentity').Count | Should -Be 0
    }

    It 'Invoke-AltimeterCommand / -Refreshing: the token gets 410 once the block ends, fails, or is stopped, and the port stays held' {
        $session = Get-AltimeterSession 222222222222 -Accessor $accessor
        $read = { [pscustomobject]@{ Uri = $env:AWS_CONTAINER_CREDENTIALS_FULL_URI; Token = $env:AWS_CONTAINER_AUTHORIZATION_TOKEN } }

        $normal = Invoke-AltimeterCommand $session -Refreshing $read
        $failed = $null
        Invoke-AltimeterCommand $session -Refreshing { Set-Variable -Scope 1 failed (& $read); throw 'the block fails' } -ErrorAction SilentlyContinue -ErrorVariable blockError

        # Stopped as Ctrl+C stops it: PowerShell.Stop() from outside while the block sleeps.
        $inside = [System.Threading.ManualResetEventSlim]::new($false)
        $box = [hashtable]::Synchronized(@{})
        $ps = [powershell]::Create()
        $null = $ps.AddScript({
                param($ModulePath, $Session, $Inside, $Box)
                Import-Module $ModulePath
                Invoke-AltimeterCommand $Session -Refreshing { $Box.Uri = $env:AWS_CONTAINER_CREDENTIALS_FULL_URI; $Box.Token = $env:AWS_CONTAINER_AUTHORIZATION_TOKEN; $Inside.Set(); Start-Sleep -Seconds 60 }
            }).AddParameters(@{ ModulePath = $modulePath; Session = $session; Inside = $inside; Box = $box })
        $handle = $ps.BeginInvoke()
        $inside.Wait(30000) | Should -BeTrue
        $whileRunning = Get-TokenStatus $box.Uri $box.Token
        $ps.Stop()
        $ps.Dispose()

        Get-TokenStatus $normal.Uri $normal.Token | Should -Be 410
        "$blockError" | Should -BeLike '*the block fails*'
        Get-TokenStatus $failed.Uri $failed.Token | Should -Be 410
        $whileRunning | Should -Be 200
        Get-TokenStatus $box.Uri $box.Token | Should -Be 410
        Test-LoopbackPort ([uri]$normal.Uri).Port | Should -BeTrue
        $env:AWS_ACCESS_KEY_ID | Should -Be $sourceKey
        $env:AWS_CONTAINER_CREDENTIALS_FULL_URI | Should -BeNullOrEmpty
        $env:AWS_CONTAINER_AUTHORIZATION_TOKEN | Should -BeNullOrEmpty
    }
}
