BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force

    $suite = Start-TestFile -StsEnvironment
    $server = $suite.Server
    $commandId = 'Altimeter.Auth.Commands.GetAltimeterSessionCommand'
    $optionsFile = Get-FixturePath 'accessors/options.json'
    $serial = 'arn:aws:iam::111111111111:mfa/pester'
    $hubArn = 'arn:aws:iam::111111111111:role/AltimeterHub'
    $prompt = "Enter MFA code for ${serial}: "

    if (-not ('Altimeter.Auth.TestHosts.AnsweringHost' -as [type])) {
        Add-Type -Path (Get-FixturePath 'hosts/AnsweringHost.cs')
    }

    # Runs $ScriptBlock in a new runspace of this process whose host is $TestHost (a person who
    # answers prompts from a queue), with the module imported; returns its output, errors included.
    function Invoke-InHost {
        param($TestHost, [scriptblock] $ScriptBlock, [object[]] $ArgumentList = @())
        $runspace = if ($TestHost) { [runspacefactory]::CreateRunspace($TestHost) } else { [runspacefactory]::CreateRunspace() }
        $runspace.Open()
        $shell = [powershell]::Create()
        $shell.Runspace = $runspace
        try {
            $null = $shell.AddCommand('Import-Module').AddParameter('Name', (Get-AltimeterModulePath)).AddStatement()
            $null = $shell.AddScript($ScriptBlock.ToString())
            foreach ($argument in $ArgumentList) { $null = $shell.AddArgument($argument) }
            $output = @($shell.Invoke())
            $output + @($shell.Streams.Error)
        }
        finally {
            $shell.Dispose()
            $runspace.Dispose()
        }
    }

    $getSessions = {
        param($Path, [string[]] $Accounts, $TokenCode, [switch] $NoMfaSession)
        $accessor = New-AltimeterAccessor -Path $Path -WarningAction SilentlyContinue
        $extra = if ($TokenCode) { @{ TokenCode = $TokenCode } } else { @{} }
        $Accounts | Get-AltimeterSession -Accessor $accessor @extra -NoMfaSession:$NoMfaSession
    }

    function Get-MfaAssumeRole {
        @(Get-MotoRequest $server | Where-Object { $_.Action -eq 'AssumeRole' -and $_.Parameters.RoleArn -eq $hubArn })
    }

    # The MFA sessions opened: a chain from long-term keys sends its code here, once.
    function Get-MfaSessionRequest {
        @(Get-MotoRequest $server | Where-Object Action -eq 'GetSessionToken')
    }
}

AfterAll {
    Stop-TestFile $suite
}

Describe 'Get-AltimeterSession asking for MFA codes' {
    BeforeEach {
        Reset-MotoServer $server
        Clear-AltimeterCredentialCache -Confirm:$false
    }

    Context 'in a host a person answers' {
        It 'Get-AltimeterSession / asks when the MFA hop is assumed, reads the code hidden, and sends it with the serial' {
            $testHost = [Altimeter.Auth.TestHosts.AnsweringHost]::new(@('123456'))

            $out = Invoke-InHost $testHost $getSessions $optionsFile, @('222222222222')

            $out | Should -HaveCount 1
            $out[0].AccountId | Should -Be '222222222222'
            $testHost.Keyboard.HiddenLinesRead | Should -Be 1
            $testHost.Keyboard.Written | Should -BeLike "*$prompt<hidden>*"
            $testHost.Keyboard.Written | Should -Not -BeLike '*123456*'
            $opened = Get-MfaSessionRequest
            $opened | Should -HaveCount 1
            $opened[0].Parameters.SerialNumber | Should -Be $serial
            $opened[0].Parameters.TokenCode | Should -Be '123456'
            $opened[0].Parameters.DurationSeconds | Should -Be '43200'
            $opened[0].SignedBy | Should -Be $env:AWS_ACCESS_KEY_ID
            $hub = Get-MfaAssumeRole
            $hub | Should -HaveCount 1
            $hub[0].Parameters.Keys | Should -Not -Contain 'TokenCode'
            Get-CallerAccount $out[0] | Should -Be '222222222222'
        }

        It 'Get-AltimeterSession / 200 accounts through an MFA hub from long-term keys: one GetSessionToken, one prompt, no AssumeRole signed with the long-term key' {
            $testHost = [Altimeter.Auth.TestHosts.AnsweringHost]::new(@('123456', '999999'))
            $accounts = 1..200 | ForEach-Object { '{0:D12}' -f (700000000000 + $_) }

            $out = Invoke-InHost $testHost $getSessions $optionsFile, $accounts

            $out.AccountId | Should -Be $accounts
            $testHost.Keyboard.LinesRead | Should -Be 1
            $opened = Get-MfaSessionRequest
            $opened | Should -HaveCount 1
            $opened[0].Parameters.TokenCode | Should -Be '123456'
            $assumed = @(Get-MotoRequest $server | Where-Object Action -eq 'AssumeRole')
            $assumed | Should -HaveCount 201
            $assumed.SignedBy | Should -Not -Contain $env:AWS_ACCESS_KEY_ID
            $hub = Get-MfaAssumeRole
            $hub | Should -HaveCount 1
            # moto answers GetSessionToken with the example keys of the STS API reference, whatever the caller.
            $hub[0].SignedBy | Should -Be 'AKIAIOSFODNN7EXAMPLE'
            $hub[0].Parameters.DurationSeconds | Should -Be '3600' -Because 'AWS grants at most an hour to a role assumed with temporary credentials'
            $assumed.Parameters.TokenCode | Should -BeNullOrEmpty
        }

        It 'Get-AltimeterSession / -NoMfaSession sends the code with the AssumeRole itself, as before' {
            $testHost = [Altimeter.Auth.TestHosts.AnsweringHost]::new(@('123456'))

            $out = Invoke-InHost $testHost { param($Path, $Accounts) $accessor = New-AltimeterAccessor -Path $Path -WarningAction SilentlyContinue; $Accounts | Get-AltimeterSession -Accessor $accessor -NoMfaSession } $optionsFile, @('222222222222')

            $out.AccountId | Should -Be '222222222222'
            $testHost.Keyboard.LinesRead | Should -Be 1
            Get-MfaSessionRequest | Should -HaveCount 0
            $hub = Get-MfaAssumeRole
            $hub[0].Parameters.SerialNumber | Should -Be $serial
            $hub[0].Parameters.TokenCode | Should -Be '123456'
            $hub[0].SignedBy | Should -Be $env:AWS_ACCESS_KEY_ID
            $hub[0].Parameters.DurationSeconds | Should -Be '7200'
        }

        It 'Get-AltimeterSession / temporary source credentials keep a code per AssumeRole: no MFA session' {
            $testHost = [Altimeter.Auth.TestHosts.AnsweringHost]::new(@('123456'))
            $temporary = [Amazon.Runtime.SessionAWSCredentials]::new('ASIAPESTERTEMPSRC001', 'pester-temp-secret', 'pester-temp-token')

            $out = Invoke-InHost $testHost { param($Path, $Accounts, $Credential) $accessor = New-AltimeterAccessor -Path $Path -WarningAction SilentlyContinue; $Accounts | Get-AltimeterSession -Accessor $accessor -Credential $Credential } $optionsFile, @('222222222222'), $temporary

            $out.AccountId | Should -Be '222222222222'
            Get-MfaSessionRequest | Should -HaveCount 0
            $hub = Get-MfaAssumeRole
            $hub[0].Parameters.TokenCode | Should -Be '123456'
            $hub[0].SignedBy | Should -Be 'ASIAPESTERTEMPSRC001'
        }

        It 'Get-AltimeterSession / the MFA session is in no output, listing or stream, and Clear-AltimeterCredentialCache ends it' {
            $testHost = [Altimeter.Auth.TestHosts.AnsweringHost]::new(@('123456', '654321'))
            $everything = Invoke-InHost $testHost {
                param($Path)
                $accessor = New-AltimeterAccessor -Path $Path -WarningAction SilentlyContinue
                Get-AltimeterSession 222222222222 -Accessor $accessor -Verbose *>&1
                Get-AltimeterCredentialCache
            } $optionsFile

            $text = ($everything | ConvertTo-VisibleText) -join "`n"
            $text | Should -Not -BeNullOrEmpty
            foreach ($secret in 'AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY', 'AQoEXAMPLEH4aoAH0gNCAPyJxz4BlCFFxWNE1OPTgk5T', '123456') {
                $text | Should -Not -BeLike "*$secret*"
            }
            $text | Should -BeLike '*MFA session for*'
            @($everything | Where-Object { $_ -is [Altimeter.Auth.CacheEntryInfo] }) | Should -HaveCount 2

            Clear-AltimeterCredentialCache -Confirm:$false
            $null = Invoke-InHost $testHost $getSessions $optionsFile, @('333333333333')
            $testHost.Keyboard.LinesRead | Should -Be 2 -Because 'the cleared MFA session needs a new code'
            Get-MfaSessionRequest | Should -HaveCount 2
        }

        It 'Get-AltimeterSession / asks once for many accounts behind the same MFA hop' {
            $testHost = [Altimeter.Auth.TestHosts.AnsweringHost]::new(@('123456', '999999'))
            $accounts = '222222222222', '333333333333', '444444444444', '555555555555'

            $out = Invoke-InHost $testHost $getSessions $optionsFile, $accounts

            $out.AccountId | Should -Be $accounts
            $testHost.Keyboard.LinesRead | Should -Be 1
            (Get-MfaSessionRequest).Parameters.TokenCode | Should -Be @('123456')
            @(Get-MotoRequest $server | Where-Object Action -eq 'AssumeRole') | Should -HaveCount 5
        }

        It 'Get-AltimeterSession / does not ask when the MFA hop is cached' {
            $first = [Altimeter.Auth.TestHosts.AnsweringHost]::new(@('123456'))
            $null = Invoke-InHost $first $getSessions $optionsFile, @('222222222222')
            $second = [Altimeter.Auth.TestHosts.AnsweringHost]::new(@('654321'))

            $out = Invoke-InHost $second $getSessions $optionsFile, @('333333333333')

            $out.AccountId | Should -Be '333333333333'
            $second.Keyboard.LinesRead | Should -Be 0
            $second.Keyboard.Written | Should -Not -BeLike '*MFA*'
            Get-MfaAssumeRole | Should -HaveCount 1
        }

        It 'Get-AltimeterSession / each AssumeRole that needs a code gets its own (AWS takes a code once), and the code just used is refused' {
            # mfa_serial on the target step: every account is its own hop, its own AssumeRole.
            $testHost = [Altimeter.Auth.TestHosts.AnsweringHost]::new(@('111111', '111111', '222222'))

            $out = Invoke-InHost $testHost $getSessions (Get-FixturePath 'accessors/mfa-target.json'), @('222222222222', '333333333333')

            $out.AccountId | Should -Be @('222222222222', '333333333333')
            $testHost.Keyboard.LinesRead | Should -Be 3
            # The second AssumeRole asks for the next code, and once more after the repeated one.
            ([regex]::Matches($testHost.Keyboard.Written, 'Enter MFA code for')).Count | Should -Be 1
            ([regex]::Matches($testHost.Keyboard.Written, 'Enter the next MFA code for')).Count | Should -Be 2
            ([regex]::Matches($testHost.Keyboard.Written, 'That code was just used')).Count | Should -Be 1
            $targets = @(Get-MotoRequest $server | Where-Object { $_.Action -eq 'AssumeRole' -and $_.Parameters.RoleArn -like '*:role/AltimeterTarget' })
            $targets | Should -HaveCount 2
            $targets.Parameters.TokenCode | Sort-Object | Should -Be @('111111', '222222')
            $targets.Parameters.SerialNumber | Should -Be @($serial, $serial)
        }

        It 'Get-AltimeterSession / asks again, up to three times, for an answer that is not six digits' {
            $testHost = [Altimeter.Auth.TestHosts.AnsweringHost]::new(@('12 34', 'abcdef', '654321'))

            $out = Invoke-InHost $testHost $getSessions $optionsFile, @('222222222222')

            $out.AccountId | Should -Be '222222222222'
            $testHost.Keyboard.LinesRead | Should -Be 3
            ([regex]::Matches($testHost.Keyboard.Written, 'An MFA code is 6 digits')).Count | Should -Be 2
            (Get-MfaSessionRequest).Parameters.TokenCode | Should -Be @('654321')
        }

        It 'Get-AltimeterSession / nothing typed: every account behind the hop fails with MfaTokenRequired, STS is not called' {
            $testHost = [Altimeter.Auth.TestHosts.AnsweringHost]::new(@(''))

            $out = Invoke-InHost $testHost $getSessions $optionsFile, @('222222222222', '333333333333')

            $out | Should -HaveCount 2
            $out.FullyQualifiedErrorId | Should -Be @("AccountAuthFailed,$commandId", "AccountAuthFailed,$commandId")
            $out[0].Exception.Message | Should -BeLike "*needs an MFA code for $serial, and none was given."
            $out.TargetObject | Should -Be @('222222222222', '333333333333')
            $testHost.Keyboard.LinesRead | Should -Be 1
            @(Get-MotoRequest $server) | Should -HaveCount 0
        }

        It 'Get-AltimeterSession / with -TokenCode never asks' {
            $testHost = [Altimeter.Auth.TestHosts.AnsweringHost]::new(@('999999'))

            $out = Invoke-InHost $testHost $getSessions $optionsFile, @('222222222222'), '123456'

            $out.AccountId | Should -Be '222222222222'
            $testHost.Keyboard.LinesRead | Should -Be 0
            (Get-MfaSessionRequest).Parameters.TokenCode | Should -Be @('123456')
        }

        It 'Get-AltimeterSession / a chain without mfa_serial never asks' {
            $testHost = [Altimeter.Auth.TestHosts.AnsweringHost]::new(@('123456'))
            $env:TEST_EXT_ID = 'foo'

            $out = Invoke-InHost $testHost $getSessions (Get-FixturePath 'accessors/two-hop.json'), @('222222222222')

            $out.AccountId | Should -Be '222222222222'
            $testHost.Keyboard.LinesRead | Should -Be 0
        }
    }

    Context '-TokenCode' {
        It 'Get-AltimeterSession / -TokenCode that is not 6 digits is refused in words, not with a regular expression' {
            { Get-AltimeterSession 222222222222 -TokenCode 12345x } |
                Should -Throw -ErrorId "ParameterArgumentValidationError,$commandId" -ExpectedMessage "Cannot validate argument on parameter 'TokenCode'. An MFA code is 6 digits, like 123456: the one your device shows now."
            try { Get-AltimeterSession 222222222222 -TokenCode 12345x } catch { $err = $_ }
            $err.Exception.Message | Should -Not -Match '\\A|\{6\}|12345x'
        }
    }

    Context 'where nobody can answer' {
        It 'Get-AltimeterSession / a host without a user interface fails fast with MfaTokenRequired' {
            $out = Invoke-InHost $null $getSessions $optionsFile, @('222222222222')

            $out | Should -HaveCount 1
            $out[0].FullyQualifiedErrorId | Should -Be "AccountAuthFailed,$commandId"
            $out[0].Exception.Message | Should -BeLike "*needs an MFA code for $serial*"
            # The engine's message names no cmdlet parameter; the error record says what to pass.
            $out[0].Exception.Message | Should -Not -BeLike '*TokenCode*'
            # One message: the chain once, the account once, the advice once.
            $out[0].ErrorDetails.Message | Should -Be ("Unable to access account 222222222222 through accessor:altimeter-options:AltimeterHub@111111111111,AltimeterTarget@target: " +
                "hop 1/2 arn:aws:iam::111111111111:role/AltimeterHub needs an MFA code for $serial, and none was given. " +
                "Give the device's current code with Get-AltimeterSession -TokenCode, or run in an interactive session, which asks for it.")
            $out[0].ErrorDetails.RecommendedAction | Should -BeNullOrEmpty
            $shown = $out[0] | Out-String -Width 400
            ([regex]::Matches($shown, '-TokenCode')).Count | Should -Be 1
            ([regex]::Matches($shown, 'AltimeterHub@111111111111')).Count | Should -Be 1
            @(Get-MotoRequest $server) | Should -HaveCount 0
        }
    }

    Context 'from one pwsh process to the next' {
        BeforeAll {
            $singleFile = Get-FixturePath 'accessors/mfa-single.json'
            # Each account is its own first AssumeRole needing a code: only the MFA session spares one.
            $reach = {
                param($Path, $Account, $TokenCode)
                $extra = if ($TokenCode) { @{ TokenCode = $TokenCode } } else { @{} }
                $session = Get-AltimeterSession $Account -Accessor (New-AltimeterAccessor -Path $Path) @extra
                [pscustomobject]@{ AccountId = $session.AccountId }
            }
            function New-ProcessEnvironment([AllowNull()] [string] $Directory) {
                @{
                    AWS_ENDPOINT_URL_STS = $server.Url; AWS_REGION = 'us-east-1'; AWS_EC2_METADATA_DISABLED = 'true'
                    AWS_ACCESS_KEY_ID = $env:AWS_ACCESS_KEY_ID; AWS_SECRET_ACCESS_KEY = $env:AWS_SECRET_ACCESS_KEY; AWS_SESSION_TOKEN = $null; AWS_PROFILE = $null
                    ALTIMETER_CREDENTIAL_CACHE = $Directory
                }
            }
        }

        BeforeEach { $directory = Join-Path ([System.IO.Path]::GetTempPath()) "altimeter-mfa-$([guid]::NewGuid())" }

        AfterEach { Remove-Item -Recurse -Force $directory -ErrorAction SilentlyContinue }

        It 'Get-AltimeterSession / a second process with the shared cache reaches a new account with no code and no GetSessionToken' {
            $null = Invoke-FreshPwsh -Environment (New-ProcessEnvironment $directory) -Parameters @{ Path = $singleFile; Account = '222222222222'; TokenCode = '111111' } $reach

            # -NonInteractive and no -TokenCode: a code needed would fail it with MfaTokenRequired.
            $second = Invoke-FreshPwsh -Environment (New-ProcessEnvironment $directory) -Parameters @{ Path = $singleFile; Account = '333333333333' } $reach

            $second.AccountId | Should -Be '333333333333'
            $opened = Get-MfaSessionRequest
            $opened | Should -HaveCount 1
            $opened[0].Parameters.TokenCode | Should -Be '111111'
            $targets = @(Get-MotoRequest $server | Where-Object Action -eq 'AssumeRole')
            $targets | Should -HaveCount 2
            $targets.SignedBy | Should -Be @('AKIAIOSFODNN7EXAMPLE', 'AKIAIOSFODNN7EXAMPLE')
        }

        It 'Get-AltimeterSession / a second process without the shared cache needs a new code' {
            $null = Invoke-FreshPwsh -Environment (New-ProcessEnvironment $null) -Parameters @{ Path = $singleFile; Account = '222222222222'; TokenCode = '111111' } $reach

            { Invoke-FreshPwsh -Environment (New-ProcessEnvironment $null) -Parameters @{ Path = $singleFile; Account = '333333333333' } $reach } |
                Should -Throw '*needs an MFA code for*'
            $second = Invoke-FreshPwsh -Environment (New-ProcessEnvironment $null) -Parameters @{ Path = $singleFile; Account = '333333333333'; TokenCode = '222222' } $reach

            $second.AccountId | Should -Be '333333333333'
            (Get-MfaSessionRequest).Parameters.TokenCode | Should -Be @('111111', '222222')
        }
    }

    # Tag Unix: python3's pseudo-terminals, setsid and the AWS CLI, which the Windows run cannot start.
    Context 'in a real terminal' -Tag Unix {
        BeforeAll {
            $terminal = Get-FixturePath 'hosts/run_in_terminal.py'
            $script = Join-Path $TestDrive 'mfa.ps1'
            Set-Content -LiteralPath $script -Value @"
`$PSStyle.OutputRendering = 'PlainText'
Import-Module '$(Get-AltimeterModulePath)'
`$accessor = New-AltimeterAccessor -Path '$optionsFile' -WarningAction SilentlyContinue
`$session = Get-AltimeterSession 222222222222 -Accessor `$accessor
"ACCOUNT=`$(`$session.AccountId)"
"@
            $pwsh = @(Get-PwshCommandLine)

            # A person at a terminal runs the command, and types $Answer when asked.
            function Invoke-InTerminal([string] $Answer, [string[]] $Command) {
                $transcript = Join-Path $TestDrive "terminal-$([guid]::NewGuid()).txt"
                $previousTerm = $env:TERM
                $env:TERM = 'xterm'
                try {
                    & python3 $terminal $transcript 90 'Enter MFA code for' $Answer -- @Command
                    [pscustomobject]@{ ExitCode = $LASTEXITCODE; Shown = (Get-Content -Raw -LiteralPath $transcript) }
                }
                finally {
                    $env:TERM = $previousTerm
                }
            }

            # An AWS CLI profile whose credentials come from ConvertTo-AltimeterCredentialProcess
            # through the MFA chain; the pwsh it runs is not -NonInteractive.
            $cliConfig = Join-Path $TestDrive 'aws-config'
            $credentialProcess = "Import-Module '$(Get-AltimeterModulePath)'; Get-AltimeterSession 222222222222 -Accessor (New-AltimeterAccessor -Path '$optionsFile' -WarningAction SilentlyContinue) | ConvertTo-AltimeterCredentialProcess"
            Set-Content -LiteralPath $cliConfig -Value "[profile altimeter-mfa]`ncredential_process = $($pwsh -join ' ') -NoProfile -Command `"$credentialProcess`"`nregion = us-east-1`n"
            $cli = @('aws', 'sts', 'get-caller-identity', '--profile', 'altimeter-mfa', '--query', 'Account', '--output', 'text')

            function Use-CliConfig([scriptblock] $Body) {
                $saved = $env:AWS_CONFIG_FILE, $env:AWS_SHARED_CREDENTIALS_FILE
                $env:AWS_CONFIG_FILE = $cliConfig
                $env:AWS_SHARED_CREDENTIALS_FILE = Join-Path $TestDrive 'no-credentials'
                try { & $Body }
                finally { $env:AWS_CONFIG_FILE, $env:AWS_SHARED_CREDENTIALS_FILE = $saved }
            }
        }

        It 'Get-AltimeterSession / pwsh at a terminal asks, echoes no digit of the code, and sends it' {
            $run = Invoke-InTerminal '246810' ($pwsh + @('-NoProfile', '-File', $script))

            $run.ExitCode | Should -Be 0
            $run.Shown | Should -BeLike "*$prompt*"
            $run.Shown | Should -BeLike '*ACCOUNT=222222222222*'
            $run.Shown | Should -Not -BeLike '*246810*'
            (Get-MfaSessionRequest).Parameters.TokenCode | Should -Be @('246810')
        }

        It 'Get-AltimeterSession / pwsh -NonInteractive at a terminal does not ask: it fails fast with MfaTokenRequired' {
            $run = Invoke-InTerminal '246810' ($pwsh + @('-NoProfile', '-NonInteractive', '-File', $script))

            $run.Shown | Should -Not -BeLike '*Enter MFA code*'
            $run.Shown | Should -BeLike '*needs an MFA code for*'
            $run.Shown | Should -Not -BeLike '*ACCOUNT=222222222222*'
            @(Get-MotoRequest $server) | Should -HaveCount 0
        }

        It 'Get-AltimeterSession / pwsh --noninteractive (a spelling pwsh takes) at a terminal does not ask either' {
            $run = Invoke-InTerminal '246810' ($pwsh + @('-NoProfile', '--noninteractive', '-File', $script))

            $run.Shown | Should -Not -BeLike '*Enter MFA code*'
            $run.Shown | Should -BeLike '*needs an MFA code for*'
            @(Get-MotoRequest $server) | Should -HaveCount 0
        }

        It "Get-AltimeterSession / a script's own -NonInteractive argument is not pwsh's: pwsh at a terminal still asks" {
            $run = Invoke-InTerminal '246810' ($pwsh + @('-NoProfile', '-File', $script, '-NonInteractive'))

            $run.ExitCode | Should -Be 0 -Because $run.Shown
            $run.Shown | Should -BeLike "*$prompt*"
            $run.Shown | Should -BeLike '*ACCOUNT=222222222222*'
            (Get-MfaSessionRequest).Parameters.TokenCode | Should -Be @('246810')
        }

        It 'ConvertTo-AltimeterCredentialProcess / a credential_process the AWS CLI runs from a terminal asks there, hidden, and the CLI gets the target account' {
            $run = Use-CliConfig { Invoke-InTerminal '975310' $cli }

            $run.ExitCode | Should -Be 0 -Because $run.Shown
            $run.Shown | Should -BeLike "*$prompt*"
            $run.Shown | Should -Not -BeLike '*975310*'
            ($run.Shown -split "`r?`n" | Where-Object { $_ -match '^\d{12}\s*$' }).Trim() | Should -Be '222222222222'
            (Get-MfaSessionRequest).Parameters.TokenCode | Should -Be @('975310')
        }

        It 'ConvertTo-AltimeterCredentialProcess / the same credential_process with no terminal at all fails at once with MfaTokenRequired' {
            # setsid: a new session, no controlling terminal, as in a CI job; stdin from /dev/null.
            $output = Use-CliConfig { & setsid -w sh -c 'exec "$@" < /dev/null' sh @cli 2>&1 }
            $exitCode = $LASTEXITCODE

            $exitCode | Should -Not -Be 0
            "$output" | Should -BeLike '*needs an MFA code for*'
            @(Get-MotoRequest $server) | Should -HaveCount 0
        }
    }
}
