# Invoke-AltimeterCommand with the user's own profiles in ~/.aws: the SDKs read the shared config and
# credentials files before the container endpoint (and a tool that names a profile skips the
# environment keys), so a [default] profile with keys, credential_process, sso_* or role_arn, or a
# profile named by AWS_PROFILE, would answer as the user's own identity. In both modes, the AWS CLI
# (botocore's chain) and a .NET SDK child (DefaultAWSCredentialsIdentityResolver) must answer as the
# session, the user's files stay byte for byte as they were, and the copies the children read are
# gone when the block ends. Against moto and the IAM Identity Center double; a scratch HOME.
# Tag Unix: the tests run the AWS CLI and move HOME, which the Windows run (under Wine) cannot.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../fixtures/IdentityCenter.psm1') -Force
    Add-LoopbackDoubles
    $suite = Start-TestFile -StsEnvironment
    $modulePath = Get-AltimeterModulePath
    $server = $suite.Server
    $accessor = New-AltimeterAccessor -Path (Get-FixturePath 'accessors/two-hop.json')
    $realHome = $HOME

    # A .NET SDK program in its own process: the SDK's default chain, then GetCallerIdentity.
    # Answers "<access key id> <account>", or "error <type>: <message>".
    function Invoke-DotNetSdkChild {
        $moduleDirectory = Split-Path $modulePath
        $script = @"
try {
    Add-Type -Path '$moduleDirectory/AWSSDK.Core.dll'
    Add-Type -Path '$moduleDirectory/AWSSDK.SecurityToken.dll'
    `$credentials = [Amazon.Runtime.Credentials.DefaultAWSCredentialsIdentityResolver]::GetCredentials()
    `$client = [Amazon.SecurityToken.AmazonSecurityTokenServiceClient]::new(`$credentials)
    `$account = `$client.GetCallerIdentityAsync([Amazon.SecurityToken.Model.GetCallerIdentityRequest]::new()).GetAwaiter().GetResult().Account
    "`$(`$credentials.GetCredentials().AccessKey) `$account"
}
catch { "error `$(`$_.Exception.GetType().Name): `$(`$_.Exception.Message)" }
"@
        $pwsh = @(Get-PwshCommandLine)
        $arguments = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-EncodedCommand', [Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($script)))
        "$(& $pwsh[0] @arguments 2>&1)".Trim()
    }

    # Every file under the scratch ~/.aws, with its content's hash and its write time.
    function Get-FileState([string] $Folder) {
        Get-ChildItem -LiteralPath $Folder -Recurse -File -Force | Sort-Object FullName | ForEach-Object {
            "$($_.FullName) $((Get-FileHash -LiteralPath $_.FullName -Algorithm SHA256).Hash) $($_.LastWriteTimeUtc.Ticks)"
        }
    }
}

AfterAll {
    Stop-TestFile $suite
}

Describe 'Invoke-AltimeterCommand with the user''s own profiles' -Tag Unix {
    BeforeEach {
        Reset-MotoServer $server
        Clear-AltimeterCredentialCache -Confirm:$false
        $saved = Save-TestEnvironment
        $session = Get-AltimeterSession 222222222222 -Accessor $accessor
        $portal = [Altimeter.Auth.Tests.Doubles.SsoPortalDouble]::new()
        $scratch = New-IdentityCenterHome -PortalUrl $portal.Url -StsUrl $server.Url
        $aws = Join-Path $scratch.Home '.aws'
        $marker = Join-Path $scratch.Home 'credential-process-ran'
        $processScript = Join-Path $scratch.Home 'credential-process.sh'
        Set-Content -LiteralPath $processScript -Value "#!/bin/sh`ntouch '$marker'`necho '{""Version"": 1, ""AccessKeyId"": ""AKIAPROCESSPROFILE01"", ""SecretAccessKey"": ""process-secret""}'"
        chmod +x $processScript
    }

    AfterEach {
        Restore-TestEnvironment $saved
        $env:HOME = $realHome
        Remove-Item Env:DOTNET_CLI_HOME, Env:AWS_ENDPOINT_URL_SSO -ErrorAction SilentlyContinue
        $portal.Dispose()
        Remove-Item -Recurse -Force $scratch.Home -ErrorAction SilentlyContinue
    }

    It 'Invoke-AltimeterCommand / <Mode>, <Case>: the AWS CLI and a .NET SDK child answer as the session; the user''s files are unchanged and the copies gone afterwards' -ForEach @(
        @{ Mode = '-Refreshing'; Case = 'a [default] profile with keys in ~/.aws/credentials'; Profile = 'keys' }
        @{ Mode = '-Refreshing'; Case = 'a [default] profile with credential_process'; Profile = 'process' }
        @{ Mode = '-Refreshing'; Case = 'a [default] profile of IAM Identity Center (sso_*) with a valid token'; Profile = 'sso' }
        @{ Mode = '-Refreshing'; Case = 'a [default] profile with role_arn and source_profile'; Profile = 'role' }
        @{ Mode = '-Refreshing'; Case = 'a named profile in AWS_PROFILE'; Profile = 'named' }
        # Static keys come first in every chain, unless a tool names a profile itself: then that
        # profile must have nothing to sign with (the CLI fails) rather than answer as the user.
        @{ Mode = 'static'; Case = 'a [default] profile with keys, and the AWS CLI told --profile default'; Profile = 'keys' }
    ) {
        $config = "[default]`nregion = us-east-1`nmax_attempts = 7`ns3 =`n  addressing_style = path`n"
        $credentials = "[base]`naws_access_key_id = AKIABASEPROFILE00001`naws_secret_access_key = base-secret`n"
        switch ($Profile) {
            'keys' { $credentials += "[default]`naws_access_key_id = AKIADEFAULTPROFILE01`naws_secret_access_key = default-secret`n" }
            'process' { $config += "credential_process = $processScript`n" }
            'sso' {
                $config += "sso_session = corp`nsso_account_id = 999999999999`nsso_role_name = PesterIdentityCenter`n"
                $config += (Get-Content -Raw -LiteralPath (Join-Path $aws 'config'))
                $null = New-Item -ItemType Directory -Force $scratch.Cache
                [ordered]@{ startUrl = $scratch.CorpStartUrl; region = 'us-east-1'; accessToken = 'pester-signed-in-token'; expiresAt = [datetime]::UtcNow.AddHours(4).ToString('yyyy-MM-ddTHH:mm:ssZ') } |
                    ConvertTo-Json | Set-Content -LiteralPath (Join-Path $scratch.Cache (Get-TokenFileName 'corp'))
                $portal.AcceptAccessToken('pester-signed-in-token')
            }
            'role' { $config += "role_arn = arn:aws:iam::333333333333:role/DefaultProfileRole`nsource_profile = base`n" }
            'named' { $credentials += "[named]`naws_access_key_id = AKIANAMEDPROFILE0001`naws_secret_access_key = named-secret`n" }
        }
        Set-Content -LiteralPath (Join-Path $aws 'config') -Value $config -NoNewline
        Set-Content -LiteralPath (Join-Path $aws 'credentials') -Value $credentials -NoNewline
        $before = Get-FileState $aws
        $env:HOME = $scratch.Home
        $env:DOTNET_CLI_HOME = $realHome
        $env:AWS_ENDPOINT_URL_SSO = $portal.Url
        Set-TestVariable AWS_CONFIG_FILE $null
        Set-TestVariable AWS_SHARED_CREDENTIALS_FILE $null
        if ($Profile -eq 'named') { $env:AWS_PROFILE = 'named' }
        $refreshing = @{ Refreshing = $Mode -eq '-Refreshing' }
        $callsBefore = @(Get-MotoRequest $server).Count

        $inside = Invoke-AltimeterCommand $session @refreshing {
            [pscustomobject]@{
                Cli = "$(& aws sts get-caller-identity --query Account --output text 2>&1)".Trim()
                DotNet = Invoke-DotNetSdkChild
                NamedProfile = if ($Mode -eq 'static') { "$(& aws sts get-caller-identity --profile default --query Account --output text 2>&1)".Trim() }
                MaxAttempts = "$(& aws configure get max_attempts 2>&1)".Trim()
                ConfigCopy = $env:AWS_CONFIG_FILE
                Copies = @($env:AWS_CONFIG_FILE, $env:AWS_SHARED_CREDENTIALS_FILE, $env:BOTO_CONFIG)
                CopyText = @($env:AWS_CONFIG_FILE, $env:AWS_SHARED_CREDENTIALS_FILE) | Where-Object { $_ } | ForEach-Object { Get-Content -Raw -LiteralPath $_ }
            }
        }
        $env:HOME = $realHome

        $sessionKey = $session.GetCredentials().AccessKey
        $inside.Cli | Should -Be '222222222222' -Because 'the AWS CLI must answer as the session'
        $inside.DotNet | Should -Be "$sessionKey 222222222222" -Because 'the .NET SDK child must answer as the session'
        $calls = @(Get-MotoRequest $server | Select-Object -Skip $callsBefore)
        @($calls | Where-Object Action -EQ 'AssumeRole') | Should -HaveCount 0 -Because 'no profile may assume its role'
        $signers = @($calls | Where-Object Action -EQ 'GetCallerIdentity' | ForEach-Object SignedBy)
        $signers | Should -HaveCount 2
        $signers | ForEach-Object { $_ | Should -Be $sessionKey }
        if ($Mode -eq 'static') {
            $inside.NamedProfile | Should -Not -Be '123456789012' -Because 'a profile named on the command line must not answer as the user''s own keys'
            $inside.NamedProfile | Should -BeLike '*Unable to locate credentials*'
        }
        $portal.GetRoleCredentialsCount | Should -Be 0
        Test-Path -LiteralPath $marker | Should -BeFalse -Because 'the profile''s credential_process must never run'
        $inside.MaxAttempts | Should -Be '7' -Because 'the child keeps the profile''s other settings'
        $inside.ConfigCopy | Should -Not -BeLike "$aws*"
        "$($inside.CopyText)" | Should -Not -Match 'aws_access_key_id|aws_secret_access_key|credential_process|sso_|role_arn|source_profile'
        "$($inside.CopyText)" | Should -Match 'addressing_style = path'
        foreach ($copy in $inside.Copies) { Test-Path -LiteralPath $copy | Should -BeFalse -Because 'the copies are removed when the block ends' }
        Get-FileState $aws | Should -Be $before
    }

    It 'Invoke-AltimeterCommand / botocore''s own parser finds no credential key in the copy of a config written to slip keys past a filter' {
        # Each trick is one that configparser (botocore) reads as a key: a colon, upper case,
        # indentation, [DEFAULT] inheritance, a lone carriage return, a continuation joined to the
        # key above, and keys before any header.
        $hostile = "aws_access_key_id = AKIABEFOREHEADER0001`n[DEFAULT]`naws_secret_access_key = inherited`n[default]`r`nAWS_ACCESS_KEY_ID: AKIACOLONUPPERCASE01`n" +
            "  aws_session_token = indented`nregion = us-east-1`rcredential_process = /bin/false`rsso_start_url = https://x.awsapps.com/start`n" +
            "role_arn =`n  arn:aws:iam::1:role/continued`n`n  # a comment inside the value`n  --more`nmax_attempts = 7`n[profile other]`nsource_profile = default`nCredential_Source = Environment`nweb_identity_token_file = /tmp/token`nlogin_session = arn:aws:iam::1:user/u`n"
        Set-Content -LiteralPath (Join-Path $aws 'config') -Value $hostile -NoNewline
        $env:HOME = $scratch.Home
        Set-TestVariable AWS_CONFIG_FILE $null

        $parsed = Invoke-AltimeterCommand $session {
            python3 -c 'import json, os, botocore.configloader as c; print(json.dumps(c.raw_config_parse(os.environ["AWS_CONFIG_FILE"])))' 2>&1
        }
        $env:HOME = $realHome

        $sections = "$parsed" | ConvertFrom-Json -AsHashtable
        $keys = @($sections.Values | ForEach-Object { $_.Keys })
        $keys | Should -Not -BeNullOrEmpty
        $leaked = @($keys | Where-Object { $_ -match '^(aws_|sso_|role_|credential_)|^(source_profile|web_identity_token_file|login_session)$' })
        $leaked | Should -BeNullOrEmpty -Because "botocore read these credential keys from the copy: $($leaked -join ', ')"
        $sections['default']['region'] | Should -Be 'us-east-1'
        $sections['default']['max_attempts'] | Should -Be '7'
    }
}
