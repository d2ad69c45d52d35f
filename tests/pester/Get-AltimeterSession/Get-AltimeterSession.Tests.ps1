BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force

    $suite = Start-TestFile -StsEnvironment
    $server = $suite.Server
    $env:TEST_EXT_ID = 'foo'

    $commandId = 'Altimeter.Auth.Commands.GetAltimeterSessionCommand'
    $twoHopFile = Get-FixturePath 'accessors/two-hop.json'
    $accessor = New-AltimeterAccessor -Path $twoHopFile
    $hubArn = 'arn:aws:iam::111111111111:role/AltimeterHub'
    $sessionName = 'altimeter-pester'
    # What a child pwsh needs to reach moto the way this process does, with no other credentials.
    $childEnvironment = @{
        AWS_ENDPOINT_URL_STS = $server.Url; AWS_REGION = 'us-east-1'; AWS_EC2_METADATA_DISABLED = 'true'
        ALTIMETER_PESTER_EXT_ID = 'pester-external-id'
        AWS_ACCESS_KEY_ID = $null; AWS_SECRET_ACCESS_KEY = $null; AWS_SESSION_TOKEN = $null; AWS_PROFILE = $null
        AWS_DEFAULT_PROFILE = $null; AWS_CONTAINER_CREDENTIALS_FULL_URI = $null; AWS_CONTAINER_CREDENTIALS_RELATIVE_URI = $null
        AWS_WEB_IDENTITY_TOKEN_FILE = $null; AWS_ROLE_ARN = $null; AWS_ENDPOINT_URL = $null
        AWS_SHARED_CREDENTIALS_FILE = Join-Path $TestDrive 'no-credentials'
        AWS_CONFIG_FILE = Join-Path $TestDrive 'no-config'
    }
}

AfterAll {
    Stop-TestFile $suite
}

Describe 'Get-AltimeterSession' {
    BeforeEach {
        Reset-MotoServer $server
        Clear-AltimeterCredentialCache -Confirm:$false
    }

    Context 'through chains of role assumptions' {
        It 'Get-AltimeterSession / returns a session for the target account through a two-hop chain' {
            $session = Get-AltimeterSession -AccountId 222222222222 -Accessor $accessor

            $session | Should -HaveCount 1
            $session -is [Amazon.Runtime.AWSCredentials] | Should -BeTrue
            $session.AccountId | Should -Be '222222222222'
            $session.Region | Should -Be 'us-east-1'
            $session.Chain | Should -Be 'accessor:altimeter-pester:AltimeterHub@111111111111,AltimeterTarget@target'
            $session.RoleArn | Should -Be 'arn:aws:iam::222222222222:role/AltimeterTarget'
            $session.Expiration | Should -BeGreaterThan ([DateTime]::UtcNow)
            Get-CallerAccount $session | Should -Be '222222222222'
        }

        It 'Get-AltimeterSession / the reference accessor file gives a session whose GetCallerIdentity account is 123456789012' {
            $reference = New-AltimeterAccessor -Path (Get-FixturePath 'engine/reference-accessor.json')

            $session = Get-AltimeterSession 123456789012 -Accessor $reference

            $session.AccountId | Should -Be '123456789012'
            $session.Chain | Should -BeLike 'accessor:altimeter-mb-a:*'
            Get-CallerAccount $session | Should -Be '123456789012'
        }

        It 'Get-AltimeterSession / assumes each hop''s role with the chain''s session name and the step''s external id, in order' {
            $null = Get-AltimeterSession 222222222222 -Accessor $accessor

            $assumed = Get-MotoAssumedRole $server
            $assumed.role_arn | Should -Be @($hubArn, 'arn:aws:iam::222222222222:role/AltimeterTarget')
            $assumed.session_name | Should -Be @($sessionName, $sessionName)
            $assumed[0].external_id | Should -Be 'pester-external-id'
            $assumed[1].external_id | Should -BeNullOrEmpty
        }

        It 'Get-AltimeterSession / signs the first hop with the source keys and each next hop with the previous hop''s keys' {
            $session = Get-AltimeterSession 222222222222 -Accessor $accessor

            $calls = @(Get-MotoRequest $server)
            $assumed = Get-MotoAssumedRole $server
            $calls.Action | Should -Be @('AssumeRole', 'AssumeRole')
            $calls[0].SignedBy | Should -Be $env:AWS_ACCESS_KEY_ID
            $calls[1].SignedBy | Should -Be $assumed[0].access_key_id
            # The session is the last hop's credentials: for those who ask for them, and only them.
            $keys = $session.GetCredentials()
            $keys.AccessKey | Should -Be $assumed[1].access_key_id
            $keys.SecretKey | Should -Be $assumed[1].secret_access_key
            $keys.Token | Should -Be $assumed[1].session_token
        }

        It 'Get-AltimeterSession / a second call for the same account makes no STS request' {
            $first = Get-AltimeterSession 222222222222 -Accessor $accessor
            $before = @(Get-MotoRequest $server).Count

            $second = Get-AltimeterSession 222222222222 -Accessor $accessor

            $before | Should -Be 2
            @(Get-MotoRequest $server).Count | Should -Be $before
            $second.GetCredentials().AccessKey | Should -Be $first.GetCredentials().AccessKey
            Get-CallerAccount $second | Should -Be '222222222222'
        }

        It 'Get-AltimeterSession / the hub hop is assumed once for several target accounts' {
            $null = '222222222222', '333333333333' | Get-AltimeterSession -Accessor $accessor

            # The targets are assumed concurrently, in any order, once the one hub hop is done.
            $arns = @((Get-MotoAssumedRole $server).role_arn)
            $arns[0] | Should -Be $hubArn
            $arns[1..2] | Sort-Object | Should -Be @('arn:aws:iam::222222222222:role/AltimeterTarget', 'arn:aws:iam::333333333333:role/AltimeterTarget')
        }

        It 'Get-AltimeterSession / an accessor made with -NoCache assumes every hop on every call and leaves the cache empty' {
            $uncached = New-AltimeterAccessor -Path $twoHopFile -NoCache

            $null = Get-AltimeterSession 222222222222 -Accessor $uncached
            $null = Get-AltimeterSession 222222222222 -Accessor $uncached

            @(Get-MotoRequest $server | Where-Object Action -EQ 'AssumeRole').Count | Should -Be 4
            @(Get-AltimeterCredentialCache).Count | Should -Be 0
        }

        It 'Get-AltimeterSession / -Region sets the session''s region' {
            $session = Get-AltimeterSession 222222222222 -Accessor $accessor -Region eu-west-1

            $session.Region | Should -Be 'eu-west-1'
            $session.AccountId | Should -Be '222222222222'
            "$session" | Should -BeLike '222222222222 eu-west-1 via *'
        }
    }

    Context 'several accounts' {
        It 'Get-AltimeterSession / takes account ids piped by value, one session per account' {
            $sessions = '222222222222', '333333333333', '444444444444' | Get-AltimeterSession -Accessor $accessor

            $sessions.AccountId | Should -Be @('222222222222', '333333333333', '444444444444')
            $sessions | ForEach-Object { Get-CallerAccount $_ } | Should -Be @('222222222222', '333333333333', '444444444444')
        }

        It 'Get-AltimeterSession / takes account ids by property name (Id, as Organizations gives them)' {
            $accounts = '222222222222', '333333333333', '444444444444' | ForEach-Object { [pscustomobject]@{ Id = $_; Name = "account $_" } }

            $sessions = $accounts | Get-AltimeterSession -Accessor $accessor

            $sessions.AccountId | Should -Be @('222222222222', '333333333333', '444444444444')
            $sessions.RoleArn | Should -Be @(
                'arn:aws:iam::222222222222:role/AltimeterTarget', 'arn:aws:iam::333333333333:role/AltimeterTarget', 'arn:aws:iam::444444444444:role/AltimeterTarget')
            Get-CallerAccount $sessions[2] | Should -Be '444444444444'
        }

        It 'Get-AltimeterSession / an invalid account id is a non-terminating InvalidAccountId error and the other accounts still come out' {
            $sessions = '222222222222', 'abc', '333333333333' |
                Get-AltimeterSession -Accessor $accessor -ErrorVariable errors -ErrorAction SilentlyContinue

            $sessions.AccountId | Should -Be @('222222222222', '333333333333')
            $errors | Should -HaveCount 1
            $errors[0].FullyQualifiedErrorId | Should -Be "InvalidAccountId,$commandId"
            $errors[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $errors[0].TargetObject | Should -Be 'abc'
        }
    }

    Context 'secrets' {
        It 'Get-AltimeterSession / -Verbose tells the hops but no stream, view or JSON shows a secret key or session token' {
            $records = Get-AltimeterSession 222222222222, 'abc', 333333333333 -Accessor $accessor -Verbose -Debug `
                -InformationAction Continue -WarningAction Continue -ErrorAction Continue *>&1

            $verbose = @($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message
            $verbose | Should -Contain '222222222222: trying accessor:altimeter-pester:AltimeterHub@111111111111,AltimeterTarget@target'
            $verbose | Should -Contain "222222222222: hop 1/2 ${hubArn}: AssumeRole as $sessionName with ExternalId"
            $verbose | Should -Contain "222222222222: hop 2/2 arn:aws:iam::222222222222:role/AltimeterTarget: AssumeRole as $sessionName"
            $verbose | Where-Object { $_ -like '333333333333: hop 1/2*cached credentials*' } | Should -Not -BeNullOrEmpty
            $sessions = @($records | Where-Object { $_ -is [Altimeter.Auth.AltimeterSession] })
            $sessions | Should -HaveCount 2
            @($records | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }) | Should -HaveCount 1

            $assumed = Get-MotoAssumedRole $server
            $assumed | Should -HaveCount 3
            $secrets = @($assumed.secret_access_key) + @($assumed.session_token) + $env:AWS_SECRET_ACCESS_KEY
            $secrets | ForEach-Object { $_ | Should -Not -BeNullOrEmpty }
            $visible = (@($records) + $accessor + (Get-AltimeterCredentialCache) | ConvertTo-VisibleText) -join "`n"
            $visible | Should -Match '222222222222' -Because 'the text checked must be the real output'
            foreach ($secret in $secrets) {
                $visible.Contains($secret) | Should -BeFalse -Because "no output may contain a secret ($($secret.Substring(0, 4))...)"
            }
            foreach ($keyId in $assumed.access_key_id) {
                $visible.Contains($keyId) | Should -BeFalse -Because 'access key ids are shown masked to their last four characters'
            }
            $target222 = $assumed | Where-Object role_arn -EQ 'arn:aws:iam::222222222222:role/AltimeterTarget'
            $sessions[0].AccessKeyId | Should -Be ('****' + $target222.access_key_id.Substring(16))
        }
    }

    Context 'local mode' {
        It 'Get-AltimeterSession / without -Accessor returns the source credentials for the account they belong to' {
            $session = Get-AltimeterSession 123456789012

            $session.AccountId | Should -Be '123456789012'
            $session.Chain | Should -Be 'local'
            $session.RoleArn | Should -BeNullOrEmpty
            $session.GetCredentials().AccessKey | Should -Be $env:AWS_ACCESS_KEY_ID
            (Get-MotoRequest $server).Action | Should -Be 'GetCallerIdentity'
        }

        It 'Get-AltimeterSession / a local-mode accessor from New-AltimeterAccessor behaves as no -Accessor' {
            $session = Get-AltimeterSession 123456789012 -Accessor (New-AltimeterAccessor)

            $session.AccountId | Should -Be '123456789012'
            $session.Chain | Should -Be 'local'
        }

        It 'Get-AltimeterSession / in local mode another account is a non-terminating AccountAuthFailed AuthenticationError whose target is the account' {
            $sessions = Get-AltimeterSession 210987654321, 123456789012 -ErrorVariable errors -ErrorAction SilentlyContinue

            $sessions.AccountId | Should -Be '123456789012'
            $errors | Should -HaveCount 1
            $errors[0].FullyQualifiedErrorId | Should -Be "AccountAuthFailed,$commandId"
            $errors[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
            $errors[0].TargetObject | Should -Be '210987654321'
            $errors[0].Exception.Message | Should -Be 'Unable to access account 210987654321 with the source credentials themselves (the accessor has no chain): The source credentials belong to account 123456789012, not 210987654321.'
        }
    }

    Context 'source credentials' {
        It 'Get-AltimeterSession / -Credential signs the first hop with the credentials given' {
            $credential = [Amazon.Runtime.BasicAWSCredentials]::new('AKIAPESTERCREDENTIAL', 'pester-credential-secret')

            $session = Get-AltimeterSession 222222222222 -Accessor $accessor -Credential $credential

            $session.AccountId | Should -Be '222222222222'
            $calls = @(Get-MotoRequest $server)
            $calls[0].SignedBy | Should -Be 'AKIAPESTERCREDENTIAL'
            $calls[1].SignedBy | Should -Be (Get-MotoAssumedRole $server)[0].access_key_id
        }

        It 'Get-AltimeterSession / a cached hop made from other source keys is not reused' {
            $null = Get-AltimeterSession 222222222222 -Accessor $accessor
            $other = [Amazon.Runtime.BasicAWSCredentials]::new('AKIAPESTEROTHERKEY01', 'pester-other-secret')

            $null = Get-AltimeterSession 222222222222 -Accessor $accessor -Credential $other

            $calls = @(Get-MotoRequest $server)
            $calls | Should -HaveCount 4
            $calls[2].SignedBy | Should -Be 'AKIAPESTEROTHERKEY01'
        }

        It 'Get-AltimeterSession / with no source credentials at all stops with NoSourceCredentials, before any STS call, without blaming SigV4a/CRT' {
            $result = Invoke-FreshPwsh -Environment $childEnvironment -Parameters @{ AccessorPath = $twoHopFile } -ScriptBlock {
                param($AccessorPath)
                $accessor = New-AltimeterAccessor -Path $AccessorPath
                $out = [System.Collections.Generic.List[object]]::new()
                try {
                    Get-AltimeterSession 222222222222, 333333333333 -Accessor $accessor -ErrorAction Continue | ForEach-Object { $out.Add($_.AccountId) }
                    [pscustomobject]@{ Terminating = $false; Sessions = $out.Count }
                }
                catch {
                    [pscustomobject]@{
                        Terminating = $true; Sessions = $out.Count; Id = $_.FullyQualifiedErrorId
                        Category = "$($_.CategoryInfo.Category)"; Target = "$($_.TargetObject)"; Message = $_.Exception.Message
                    }
                }
            }

            $result.Terminating | Should -BeTrue
            $result.Sessions | Should -Be 0
            $result.Id | Should -Be "NoSourceCredentials,$commandId"
            $result.Category | Should -Be 'AuthenticationError'
            $result.Message | Should -Be ("No AWS credentials to start from. Looked for: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment (not set); " +
                "profile 'default' in the shared config and credentials files (not there, or without credentials); " +
                "a container credentials endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI not set); " +
                "an EC2 instance role (AWS_EC2_METADATA_DISABLED is true). " +
                "Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or configure a default profile.")
            $result.Message | Should -Not -Match 'SigV4a|CRT|webIdentityTokenFile|Exception 1 of'
            @(Get-MotoRequest $server) | Should -HaveCount 0
        }

        It 'Get-AltimeterSession / -Verbose says which source gave the credentials and where the region came from (<Case>)' -ForEach @(
            @{ Case = 'keys in the environment'; Profile = $null; Source = 'Chains start from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment.' }
            @{ Case = 'AWS_PROFILE'; Profile = 'pester-profile'; Source = "Chains start from profile 'pester-profile' (AWS_PROFILE)." }
        ) {
            $credentials = Join-Path $TestDrive 'verbose-credentials'
            Set-Content -LiteralPath $credentials -Value "[pester-profile]`naws_access_key_id = AKIAPESTERPROFILE001`naws_secret_access_key = pester-profile-secret`n"
            $environment = $childEnvironment.Clone()
            $environment.AWS_SHARED_CREDENTIALS_FILE = $credentials
            if ($Profile) { $environment.AWS_PROFILE = $Profile }
            else { $environment.AWS_ACCESS_KEY_ID = 'AKIAPESTERENVIRONMNT'; $environment.AWS_SECRET_ACCESS_KEY = 'pester-environment-secret' }

            $verbose = Invoke-FreshPwsh -Environment $environment -Parameters @{ AccessorPath = $twoHopFile } -ScriptBlock {
                param($AccessorPath)
                Get-AltimeterSession 222222222222 -Accessor (New-AltimeterAccessor -Path $AccessorPath) -Verbose 4>&1 |
                    Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message
            }

            $verbose | Should -Contain $Source
            $verbose | Should -Contain 'Region us-east-1, from AWS_REGION.'
            $verbose -join "`n" | Should -Not -Match 'container or instance role'
        }

        It 'Get-AltimeterSession / a region its partition does not know (eu-westt-1) is used with a warning saying so' {
            $session = Get-AltimeterSession 222222222222 -Accessor $accessor -Region eu-westt-1 -WarningVariable warned -WarningAction SilentlyContinue

            $session.Region | Should -Be 'eu-westt-1'
            @($warned) | Should -HaveCount 1
            "$($warned[0])" | Should -Be "Region 'eu-westt-1' (from -Region) is not a region of partition aws that this module's AWS SDK knows: if it is a typo, every STS call will fail to connect. A region newer than the SDK works as it is."
            $null = Get-AltimeterSession 222222222222 -Accessor $accessor -Region eu-west-1 -WarningVariable known -WarningAction SilentlyContinue
            @($known) | Should -HaveCount 0
        }

        It 'Get-AltimeterSession / AWS_PROFILE selects the profile of AWS_SHARED_CREDENTIALS_FILE that signs the first hop' {
            $credentials = Join-Path $TestDrive 'profile-credentials'
            Set-Content -LiteralPath $credentials -Value "[pester-profile]`naws_access_key_id = AKIAPESTERPROFILE001`naws_secret_access_key = pester-profile-secret`n"
            $environment = $childEnvironment.Clone()
            $environment.AWS_SHARED_CREDENTIALS_FILE = $credentials
            $environment.AWS_PROFILE = 'pester-profile'

            $result = Invoke-FreshPwsh -Environment $environment -Parameters @{ AccessorPath = $twoHopFile } -ScriptBlock {
                param($AccessorPath)
                Get-AltimeterSession 222222222222 -Accessor (New-AltimeterAccessor -Path $AccessorPath) | Select-Object AccountId
            }

            $result.AccountId | Should -Be '222222222222'
            (Get-MotoRequest $server)[0].SignedBy | Should -Be 'AKIAPESTERPROFILE001'
        }

        It 'Get-AltimeterSession / -ProfileName signs the first hop with that profile''s key, over the environment''s keys' {
            $credentials = Join-Path $TestDrive 'profile-credentials'
            Set-Content -LiteralPath $credentials -Value "[pester-profile]`naws_access_key_id = AKIAPESTERPROFILE001`naws_secret_access_key = pester-profile-secret`n"
            $environment = $childEnvironment.Clone()
            $environment.AWS_SHARED_CREDENTIALS_FILE = $credentials
            $environment.AWS_ACCESS_KEY_ID = 'AKIAPESTERENVIRONMNT'
            $environment.AWS_SECRET_ACCESS_KEY = 'pester-environment-secret'

            $result = Invoke-FreshPwsh -Environment $environment -Parameters @{ AccessorPath = $twoHopFile } -ScriptBlock {
                param($AccessorPath)
                Get-AltimeterSession 222222222222 -Accessor (New-AltimeterAccessor -Path $AccessorPath) -ProfileName pester-profile | Select-Object AccountId
            }

            $result.AccountId | Should -Be '222222222222'
            (Get-MotoRequest $server)[0].SignedBy | Should -Be 'AKIAPESTERPROFILE001'
        }

        It 'Get-AltimeterSession / -ProfileName reads the AWS_SHARED_CREDENTIALS_FILE of the moment, not the one of the first call' {
            $profileName = 'pester-late-profile'
            $env:AWS_SHARED_CREDENTIALS_FILE = Join-Path $TestDrive 'not-yet-there'
            try {
                # A first look at the shared files, as any earlier command of the session would make.
                { Get-AltimeterSession 222222222222 -Accessor $accessor -ProfileName $profileName } |
                    Should -Throw -ErrorId "NoSourceCredentials,$commandId"

                $credentials = Join-Path $TestDrive 'late-credentials'
                Set-Content -LiteralPath $credentials -Value "[$profileName]`naws_access_key_id = AKIAPESTERLATEPROF01`naws_secret_access_key = pester-late-secret`n"
                $env:AWS_SHARED_CREDENTIALS_FILE = $credentials

                $session = Get-AltimeterSession 222222222222 -Accessor $accessor -ProfileName $profileName

                $session.AccountId | Should -Be '222222222222'
                (Get-MotoRequest $server)[0].SignedBy | Should -Be 'AKIAPESTERLATEPROF01'
            }
            finally { $env:AWS_SHARED_CREDENTIALS_FILE = $null }
        }
    }

    Context 'module loading' {
        It 'Get-AltimeterSession / SDK types are usable right after Import-Module, to build a -Credential' {
            $result = Invoke-FreshPwsh -Environment $childEnvironment -Parameters @{ AccessorPath = $twoHopFile } -ScriptBlock {
                param($AccessorPath)
                $credential = [Amazon.Runtime.BasicAWSCredentials]::new('AKIAPESTERFRESHPROC1', 'pester-fresh-secret')
                Get-AltimeterSession 222222222222 -Accessor (New-AltimeterAccessor -Path $AccessorPath) -Credential $credential | Select-Object AccountId
            }

            $result.AccountId | Should -Be '222222222222'
            (Get-MotoRequest $server)[0].SignedBy | Should -Be 'AKIAPESTERFRESHPROC1'
        }
    }

    # Unix only: under Wine the child's DEBUG and VERBOSE lines did not reach the output this test
    # reads (noted for a later session); QueuedOutput.WriteVerboseLine is the same code on Windows.
    Context 'a script run by pwsh -NonInteractive -File' -Tag Unix {
        # PowerShell answers a compiled cmdlet's WriteVerbose with Inquire under -Debug without
        # -Verbose (a prompt per line), which a non-interactive host refuses: the command failed.
        It 'Get-AltimeterSession / <Switches> gives the session, its verbose lines written as <Stream> lines, and asks nothing' -ForEach @(
            @{ Switches = '-Debug'; Stream = 'DEBUG' }
            @{ Switches = '-Debug -Verbose'; Stream = 'VERBOSE' }
        ) {
            $script = Join-Path $TestDrive 'debug.ps1'
            Set-Content -LiteralPath $script -Value @"
`$PSStyle.OutputRendering = 'PlainText'
Import-Module '$(Get-AltimeterModulePath)'
`$credential = [Amazon.Runtime.BasicAWSCredentials]::new('AKIAPESTERDEBUGRUN01', 'pester-debug-secret')
`$session = Get-AltimeterSession 222222222222 -Accessor (New-AltimeterAccessor -Path '$twoHopFile') -Credential `$credential $Switches
"ACCOUNT=`$(`$session.AccountId)"
"@
            $pwsh = @(Get-PwshCommandLine)
            $info = [System.Diagnostics.ProcessStartInfo]::new($pwsh[0])
            foreach ($argument in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $script)) { $info.ArgumentList.Add($argument) }
            $info.UseShellExecute = $false
            $info.RedirectStandardInput = $true
            $info.RedirectStandardOutput = $true
            $info.RedirectStandardError = $true
            foreach ($name in $childEnvironment.Keys) {
                if ($null -eq $childEnvironment[$name]) { $null = $info.Environment.Remove($name) } else { $info.Environment[$name] = [string]$childEnvironment[$name] }
            }
            $process = [System.Diagnostics.Process]::Start($info)
            $process.StandardInput.Close()
            $stdout = $process.StandardOutput.ReadToEndAsync()
            $stderr = $process.StandardError.ReadToEndAsync()
            $process.WaitForExit(120000) | Should -BeTrue
            $all = "$($stdout.Result)`n$($stderr.Result)"

            $process.ExitCode | Should -Be 0 -Because $all
            $all | Should -Not -Match 'NonInteractive mode|NullReference|Continue with this operation'
            $stdout.Result | Should -Match 'ACCOUNT=222222222222'
            $all | Should -Match "$($Stream): 222222222222: trying "
            $process.Dispose()
        }
    }

    Context 'parameters' {
        It 'Get-AltimeterSession / a -Region that is not a region name is a terminating InvalidRegion error, before any STS call' {
            { Get-AltimeterSession 222222222222, 333333333333 -Accessor $accessor -Region 'us-east' } |
                Should -Throw -ErrorId "InvalidRegion,$commandId" -ExpectedMessage "*'us-east'*"
            @(Get-MotoRequest $server) | Should -HaveCount 0
        }

        It 'Get-AltimeterSession / a region with a trailing newline is refused before any STS call (-Region, AWS_REGION); an account id is taken without it' {
            # .NET's $ matches before a final newline: these passed the old checks and reached STS or the SDK.
            { Get-AltimeterSession 222222222222 -Accessor $accessor -Region "us-east-1`n" } |
                Should -Throw -ErrorId "InvalidRegion,$commandId"
            $saved = $env:AWS_REGION
            $env:AWS_REGION = "us-east-1`n"
            try {
                { Get-AltimeterSession 222222222222 -Accessor $accessor } |
                    Should -Throw -ErrorId "InvalidRegion,$commandId" -ExpectedMessage '*(AWS_REGION)*'
            }
            finally { $env:AWS_REGION = $saved }
            @(Get-MotoRequest $server) | Should -HaveCount 0

            # A line of a file keeps its end: the id is taken without the whitespace around it.
            (Get-AltimeterSession "222222222222`n" -Accessor $accessor).AccountId | Should -Be '222222222222'
            (Get-MotoRequest $server | Where-Object Action -EQ 'AssumeRole').Parameters.RoleArn | Should -Contain 'arn:aws:iam::222222222222:role/AltimeterTarget'
        }

        It 'Get-AltimeterSession / a fullwidth role name or account id in an accessor is refused at load' {
            { New-AltimeterAccessor -MultiHopAccessor @{ role_session_name = 'scan'; access_steps = @(@{ role_name = "Ｒｏｌｅ" }) } } |
                Should -Throw -ErrorId 'AccessStepInvalid,Altimeter.Auth.Commands.NewAltimeterAccessorCommand'
            { New-AltimeterAccessor -MultiHopAccessor @{ role_session_name = 'scan'; access_steps = @(@{ role_name = 'Hub'; account_id = '１１１１１１１１１１１１' }, @{ role_name = 'T' }) } } |
                Should -Throw -ErrorId 'AccessStepInvalid,Altimeter.Auth.Commands.NewAltimeterAccessorCommand'
        }

        It 'Get-AltimeterSession / an empty account id is a non-terminating InvalidAccountId saying it is empty' {
            $null = Get-AltimeterSession -AccountId '' -Accessor $accessor -ErrorVariable errors -ErrorAction SilentlyContinue

            $errors | Should -HaveCount 1
            $errors[0].FullyQualifiedErrorId | Should -Be "InvalidAccountId,$commandId"
            $errors[0].Exception.Message | Should -Be 'An account id is empty (a blank line in the input?): an account id is exactly 12 digits.'
        }

        It 'Get-AltimeterSession / Tab after -Region completes region names' {
            $line = 'Get-AltimeterSession 222222222222 -Region eu-we'
            $completion = TabExpansion2 -inputScript $line -cursorColumn $line.Length
            $completion.CompletionMatches.CompletionText | Should -Contain 'eu-west-1'
            $completion.CompletionMatches.CompletionText | Should -Not -Contain 'us-east-1'
        }

        It 'Get-AltimeterSession / Tab after -ProfileName completes the profiles of the shared config and credentials files' {
            $config = Join-Path $TestDrive 'completion-config'
            $credentials = Join-Path $TestDrive 'completion-credentials'
            Set-Content $config "[default]`nregion = us-east-1`n[profile dev-admin]`nregion = eu-west-1`n[profile prod]`nregion = eu-west-1`n"
            Set-Content $credentials "[dev-readonly]`naws_access_key_id = FAKEKEYFORCOMPLETION`naws_secret_access_key = fake`n"
            $saved = $env:AWS_CONFIG_FILE, $env:AWS_SHARED_CREDENTIALS_FILE
            $env:AWS_CONFIG_FILE, $env:AWS_SHARED_CREDENTIALS_FILE = $config, $credentials
            try {
                $line = 'Get-AltimeterSession 222222222222 -ProfileName dev'
                $completion = TabExpansion2 -inputScript $line -cursorColumn $line.Length
                $line = 'Get-AltimeterSession 222222222222 -ProfileName '
                $all = TabExpansion2 -inputScript $line -cursorColumn $line.Length
            }
            finally { $env:AWS_CONFIG_FILE, $env:AWS_SHARED_CREDENTIALS_FILE = $saved }

            $completion.CompletionMatches.CompletionText | Should -Be @('dev-admin', 'dev-readonly')
            $all.CompletionMatches.CompletionText | Should -Be @('default', 'dev-admin', 'dev-readonly', 'prod')
        }

        It 'Get-AltimeterSession / Tab after -ProfileName quotes a hostile profile name so that it stays one argument' {
            # U+2019 is a single quote to PowerShell's parser: doubling only ASCII ' let the name end the string.
            $hostile = "x$([char]0x2019); Set-Variable -Scope Global AltimeterPwned 1; $([char]0x2019)y"
            $config = Join-Path $TestDrive 'hostile-config'
            Set-Content $config "[profile $hostile]`nregion = us-east-1`n[profile it's]`nregion = us-east-1`n"
            $saved = $env:AWS_CONFIG_FILE, $env:AWS_SHARED_CREDENTIALS_FILE
            $env:AWS_CONFIG_FILE, $env:AWS_SHARED_CREDENTIALS_FILE = $config, (Join-Path $TestDrive 'no-credentials')
            try {
                $line = 'Get-AltimeterSession 222222222222 -ProfileName '
                $completion = TabExpansion2 -inputScript $line -cursorColumn $line.Length
            }
            finally { $env:AWS_CONFIG_FILE, $env:AWS_SHARED_CREDENTIALS_FILE = $saved }

            $completion.CompletionMatches | Should -HaveCount 2
            foreach ($match in $completion.CompletionMatches) {
                $tokens = $errors = $null
                $ast = [System.Management.Automation.Language.Parser]::ParseInput($line + $match.CompletionText, [ref] $tokens, [ref] $errors)
                $errors | Should -BeNullOrEmpty
                $ast.EndBlock.Statements | Should -HaveCount 1
                $command = $ast.EndBlock.Statements[0].PipelineElements[0]
                $command.CommandElements | Should -HaveCount 4
                $command.CommandElements[3].Value | Should -BeIn @($hostile, "it's")
            }
            Get-Variable AltimeterPwned -Scope Global -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }

        It 'Get-AltimeterSession / Tab on -AccountId completes the accounts in the cache' {
            $null = Get-AltimeterSession 222222222222, 333333333333 -Accessor $accessor
            $line = 'Get-AltimeterSession -AccountId 33'
            $completion = TabExpansion2 -inputScript $line -cursorColumn $line.Length
            $completion.CompletionMatches.CompletionText | Should -Be @('333333333333')
        }
    }

    Context 'several regions' {
        It 'Get-AltimeterSession / -Region with two regions and three accounts gives six sessions, each account''s in the regions'' order, for the AssumeRole of one region' {
            $accounts = '222222222222', '333333333333', '444444444444'

            $sessions = @($accounts | Get-AltimeterSession -Accessor $accessor -Region eu-west-1, ap-southeast-2)

            $sessions | Should -HaveCount 6
            $sessions.AccountId | Should -Be @('222222222222', '222222222222', '333333333333', '333333333333', '444444444444', '444444444444')
            $sessions.Region | Should -Be @('eu-west-1', 'ap-southeast-2', 'eu-west-1', 'ap-southeast-2', 'eu-west-1', 'ap-southeast-2')
            # As for one region: the hub once (then cached), each account's target once (the test
            # below, with no cache, tells one walk per account from one per region).
            @(Get-MotoRequest $server | Where-Object Action -EQ 'AssumeRole').Count | Should -Be 4
            @(Get-MotoRequest $server | Where-Object Action -EQ 'GetCallerIdentity').Count | Should -Be 0
            # Both sessions of an account hold its target role's credentials, no other account's.
            $byKey = @{}
            foreach ($assumed in Get-MotoAssumedRole $server) { $byKey[$assumed.access_key_id] = $assumed.role_arn }
            for ($i = 0; $i -lt 6; $i += 2) {
                $sessions[$i].GetCredentials().AccessKey | Should -Be $sessions[$i + 1].GetCredentials().AccessKey
                $byKey[$sessions[$i + 1].GetCredentials().AccessKey] | Should -Be "arn:aws:iam::$($sessions[$i].AccountId):role/AltimeterTarget"
                "$($sessions[$i + 1])" | Should -BeLike "$($sessions[$i].AccountId) ap-southeast-2 via *"
            }
            Get-CallerAccount $sessions[3] | Should -Be '333333333333'
        }

        It 'Get-AltimeterSession / -Region with two regions walks the chain once per account even with no cache to fall back on' {
            # The cache is per partition: with it, a walk per region would cost no more AssumeRole.
            # Without it, every walk assumes both hops: 3 accounts cost 6, a walk per region 12.
            $uncached = New-AltimeterAccessor -Path $twoHopFile -NoCache

            $sessions = @('222222222222', '333333333333', '444444444444' | Get-AltimeterSession -Accessor $uncached -Region us-east-1, eu-west-1)

            $sessions.Region | Should -Be @('us-east-1', 'eu-west-1', 'us-east-1', 'eu-west-1', 'us-east-1', 'eu-west-1')
            $sessions.AccountId | Should -Be @('222222222222', '222222222222', '333333333333', '333333333333', '444444444444', '444444444444')
            @(Get-MotoRequest $server | Where-Object Action -EQ 'AssumeRole').Count | Should -Be 6
            @(Get-MotoAssumedRole $server | Where-Object role_arn -EQ $hubArn).Count | Should -Be 3
        }

        It 'Get-AltimeterSession / the sessions of several regions each renew themselves and keep their own region' {
            $sessions = @(Get-AltimeterSession 222222222222 -Accessor $accessor -Region us-west-2, eu-central-1)
            $before = $sessions[0].GetCredentials().AccessKey
            Reset-MotoServer $server

            foreach ($session in $sessions) { $session.RenewalWindow = [TimeSpan]::FromMinutes(61) }
            $renewed = $sessions | ForEach-Object { $_.GetCredentials().AccessKey }

            $renewed | Should -Not -Contain $before
            $sessions.Renewals | Should -Be @(1, 1)
            $sessions.Region | Should -Be @('us-west-2', 'eu-central-1')
            $roles = (Get-MotoAssumedRole $server).role_arn
            $roles | Should -Contain 'arn:aws:iam::222222222222:role/AltimeterTarget'
            Get-CallerAccount $sessions[1] | Should -Be '222222222222'
        }

        It 'Get-AltimeterSession / every region of -Region is checked before any STS call: InvalidRegion names the bad one' {
            { Get-AltimeterSession 222222222222 -Accessor $accessor -Region eu-west-1, 'us-east' } |
                Should -Throw -ErrorId "InvalidRegion,$commandId" -ExpectedMessage "'us-east' is not*"
            @(Get-MotoRequest $server) | Should -HaveCount 0
        }

        It 'Get-AltimeterSession / each region the SDK does not know is warned about once, however often it is given' {
            # Names no other test uses: once the SDK has made an endpoint for a name, it knows it for the process.
            $sessions = @(Get-AltimeterSession 222222222222 -Accessor $accessor -Region eu-wests-1, us-east-1, ap-nowhere-9, eu-wests-1 -WarningVariable warned -WarningAction SilentlyContinue)

            $sessions.Region | Should -Be @('eu-wests-1', 'us-east-1', 'ap-nowhere-9', 'eu-wests-1')
            @($warned) | Should -HaveCount 2
            "$($warned[0])" | Should -BeLike "Region 'eu-wests-1' (from -Region) is not a region*"
            "$($warned[1])" | Should -BeLike "Region 'ap-nowhere-9' (from -Region) is not a region*"
            # A region given twice is two sessions, not one object twice.
            [object]::ReferenceEquals($sessions[0], $sessions[3]) | Should -BeFalse
        }

        It 'Get-AltimeterSession / with several regions, -Verbose says the chains are walked in the first' {
            $verbose = @(Get-AltimeterSession 222222222222 -Accessor $accessor -Region eu-west-1, us-east-2 -Verbose 4>&1 |
                Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)

            $verbose | Should -Contain 'Regions eu-west-1, us-east-2, from -Region; the chains are walked in eu-west-1.'
        }
    }

    Context 'renewal' {
        It 'Get-AltimeterSession / a session renews itself against STS within its renewal window and stays for its account' {
            $session = Get-AltimeterSession 222222222222 -Accessor $accessor
            $before = $session.GetCredentials().AccessKey
            Reset-MotoServer $server

            # Wider than the credentials' hour: the next use is inside the window and renews.
            $session.RenewalWindow = [TimeSpan]::FromMinutes(61)
            $after = $session.GetCredentials().AccessKey

            $after | Should -Not -Be $before
            $session.Renewals | Should -Be 1
            # Renewed credentials get at most half their hour as window: the next use does not renew again.
            $session.GetCredentials().AccessKey | Should -Be $after
            $session.Renewals | Should -Be 1
            (Get-MotoAssumedRole $server).role_arn | Should -Contain 'arn:aws:iam::222222222222:role/AltimeterTarget'
            $session.AccessKeyId | Should -Be ('****' + $after.Substring($after.Length - 4))
            Get-CallerAccount $session | Should -Be '222222222222'
        }
    }

    Context 'step options' {
        It 'Get-AltimeterSession / a step with mfa_serial and no -TokenCode fails fast in a non-interactive session, saying so' {
            $options = New-AltimeterAccessor -Path (Get-FixturePath 'accessors/options.json') -WarningAction SilentlyContinue
            $out = @(Get-AltimeterSession 222222222222 -Accessor $options -ErrorAction Continue 2>&1)

            $out | Should -HaveCount 1
            $out[0].FullyQualifiedErrorId | Should -Be "AccountAuthFailed,$commandId"
            "$($out[0])" | Should -BeLike '*needs an MFA code for arn:aws:iam::111111111111:mfa/pester*-TokenCode*'
            @(Get-MotoRequest $server) | Should -HaveCount 0
        }

        It 'Get-AltimeterSession / with -TokenCode the MFA step and the other options go through' {
            $options = New-AltimeterAccessor -Path (Get-FixturePath 'accessors/options.json') -WarningAction SilentlyContinue
            $session = Get-AltimeterSession 222222222222 -Accessor $options -TokenCode 123456

            $session.AccountId | Should -Be '222222222222'
            (Get-MotoAssumedRole $server).role_arn | Should -Be @($hubArn, 'arn:aws:iam::222222222222:role/AltimeterTarget')
            Get-CallerAccount $session | Should -Be '222222222222'
        }

        It 'Get-AltimeterSession / -TokenCode takes six digits' {
            { Get-AltimeterSession 222222222222 -Accessor $accessor -TokenCode 12345 } | Should -Throw -ErrorId "ParameterArgumentValidationError,$commandId"
        }
    }
}
