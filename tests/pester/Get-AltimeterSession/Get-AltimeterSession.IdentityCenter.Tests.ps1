# Chains that start from an IAM Identity Center (SSO) profile: the token `aws sso login` leaves in
# ~/.aws/sso/cache, the portal's GetRoleCredentials and SSO OIDC's refresh answered by the loopback
# double (tests/Altimeter.Auth.Tests/Doubles/SsoPortalDouble.cs, compiled here with Add-Type), the
# chain's AssumeRoles by moto. Each case runs in a fresh pwsh with a scratch HOME and config file,
# so the real ~/.aws is never read.
# Tag Unix: on Windows the SDK looks for ~/.aws/sso/cache under the user profile folder, which HOME
# does not move; redirecting it would mean writing into the real profile.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../fixtures/IdentityCenter.psm1') -Force
    Add-LoopbackDoubles

    $suite = Start-TestFile -Moto -NoImport
    $server = $suite.Server
    $commandId = 'Altimeter.Auth.Commands.GetAltimeterSessionCommand'
    $twoHopFile = Get-FixturePath 'accessors/two-hop.json'
    $corpStartUrl = 'https://pester-corp.awsapps.com/start'
    $legacyStartUrl = 'https://pester-legacy.awsapps.com/start'
    $accounts = '222222222222', '333333333333', '444444444444'

    # Get-AltimeterSession in the child, reporting sessions, a terminating error and how long it took.
    $runChain = {
        param($AccessorPath, $Accounts, $ProfileName)
        $accessor = New-AltimeterAccessor -Path $AccessorPath
        $extra = if ($ProfileName) { @{ ProfileName = $ProfileName } } else { @{} }
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        $sessions = [System.Collections.Generic.List[object]]::new()
        try {
            Get-AltimeterSession $Accounts -Accessor $accessor @extra | ForEach-Object { $sessions.Add($_.AccountId) }
            [pscustomobject]@{ Accounts = @($sessions); Id = $null; Message = $null; Seconds = $clock.Elapsed.TotalSeconds }
        }
        catch {
            [pscustomobject]@{ Accounts = @($sessions); Id = $_.FullyQualifiedErrorId; Message = $_.Exception.Message; Category = "$($_.CategoryInfo.Category)"; Seconds = $clock.Elapsed.TotalSeconds }
        }
    }
}

AfterAll {
    Stop-TestFile $suite
}

Describe 'Get-AltimeterSession from IAM Identity Center profiles' -Tag Unix {
    BeforeEach {
        Reset-MotoServer $server
        $portal = [Altimeter.Auth.Tests.Doubles.SsoPortalDouble]::new()
        $scratch = New-IdentityCenterHome -PortalUrl $portal.Url -StsUrl $server.Url
    }

    AfterEach {
        $portal.Dispose()
        Remove-Item -Recurse -Force $scratch.Home -ErrorAction SilentlyContinue
    }

    It 'Get-AltimeterSession / <Case> reaches three accounts through a two-hop chain with one GetRoleCredentials, the first hop signed with its role credentials' -ForEach @(
        @{ Case = 'an sso_session profile with -ProfileName'; ProfileName = 'dev'; AwsProfile = $null; TokenKey = 'corp'; StartUrl = 'https://pester-corp.awsapps.com/start' }
        @{ Case = 'a legacy profile (sso_start_url on it) with -ProfileName'; ProfileName = 'legacy'; AwsProfile = $null; TokenKey = 'https://pester-legacy.awsapps.com/start'; StartUrl = 'https://pester-legacy.awsapps.com/start' }
        @{ Case = 'an sso_session profile named by AWS_PROFILE'; ProfileName = $null; AwsProfile = 'dev'; TokenKey = 'corp'; StartUrl = 'https://pester-corp.awsapps.com/start' }
    ) {
        $null = Write-CachedToken $scratch -Key $TokenKey -StartUrl $StartUrl -AccessToken 'pester-signed-in-token' -ExpiresAt ([datetime]::UtcNow.AddHours(4)) -RefreshToken 'pester-refresh'
        $portal.AcceptAccessToken('pester-signed-in-token')
        $scratch.Environment.AWS_PROFILE = $AwsProfile

        $result = Invoke-FreshPwsh -Environment $scratch.Environment -Parameters @{ AccessorPath = $twoHopFile; Accounts = $accounts; ProfileName = $ProfileName } -ScriptBlock $runChain

        $result.Id | Should -BeNullOrEmpty -Because $result.Message
        @($result.Accounts | Sort-Object) | Should -Be $accounts
        $portal.GetRoleCredentialsCount | Should -Be 1
        @($portal.RoleRequests) | Should -Be @('PesterIdentityCenter@999999999999')
        $portal.CreateTokenCount | Should -Be 0
        $hubCalls = @(Get-MotoRequest $server | Where-Object { $_.Parameters.RoleArn -eq 'arn:aws:iam::111111111111:role/AltimeterHub' })
        $hubCalls | Should -HaveCount 1
        $hubCalls[0].SignedBy | Should -BeLike 'ASIAPESTERSSO*'
    }

    It 'Get-AltimeterSession / an expired token is refreshed through SSO OIDC with its refresh token, and the token file is updated' {
        $tokenFile = Write-CachedToken $scratch -Key 'corp' -StartUrl $corpStartUrl -AccessToken 'pester-expired-token' -ExpiresAt ([datetime]::UtcNow.AddHours(-1)) -RefreshToken 'pester-refresh'
        $portal.AcceptRefreshToken('pester-refresh', 'pester-client', 'pester-client-secret')

        $result = Invoke-FreshPwsh -Environment $scratch.Environment -Parameters @{ AccessorPath = $twoHopFile; Accounts = @('222222222222'); ProfileName = 'dev' } -ScriptBlock $runChain

        $result.Id | Should -BeNullOrEmpty -Because $result.Message
        $result.Accounts | Should -Be @('222222222222')
        $portal.CreateTokenCount | Should -Be 1
        $portal.GetRoleCredentialsCount | Should -Be 1
        $written = Get-Content -Raw -LiteralPath $tokenFile | ConvertFrom-Json
        $written.accessToken | Should -Not -Be 'pester-expired-token'
        $written.accessToken | Should -BeLike 'sso-double-access-token-*'
        $written.refreshToken | Should -Not -Be 'pester-refresh'
        ([datetime]$written.expiresAt).ToUniversalTime() | Should -BeGreaterThan ([datetime]::UtcNow.AddHours(1))
    }

    It 'Get-AltimeterSession / <Case>: SsoSignInRequired at once, naming the profile and aws sso login, never the SDK''s assembly message' -ForEach @(
        @{ Case = 'no token file'; Token = 'none'; ProfileName = 'dev'; AwsProfile = $null; Refreshes = 0 }
        @{ Case = 'no token file, profile from AWS_PROFILE'; Token = 'none'; ProfileName = $null; AwsProfile = 'legacy'; Refreshes = 0 }
        @{ Case = 'an expired token without a refresh token'; Token = 'expired'; ProfileName = 'dev'; AwsProfile = $null; Refreshes = 0 }
        @{ Case = 'an expired token whose refresh SSO OIDC refuses'; Token = 'revoked-refresh'; ProfileName = 'dev'; AwsProfile = $null; Refreshes = 1 }
        @{ Case = 'a token the portal refuses'; Token = 'refused'; ProfileName = 'dev'; AwsProfile = $null; Refreshes = 0 }
    ) {
        switch ($Token) {
            'expired' { $null = Write-CachedToken $scratch -Key 'corp' -StartUrl $corpStartUrl -AccessToken 'pester-expired-token' -ExpiresAt ([datetime]::UtcNow.AddHours(-1)) -RefreshToken $null }
            'revoked-refresh' { $null = Write-CachedToken $scratch -Key 'corp' -StartUrl $corpStartUrl -AccessToken 'pester-expired-token' -ExpiresAt ([datetime]::UtcNow.AddHours(-1)) -RefreshToken 'pester-revoked-refresh' }
            'refused' { $null = Write-CachedToken $scratch -Key 'corp' -StartUrl $corpStartUrl -AccessToken 'pester-revoked-token' -ExpiresAt ([datetime]::UtcNow.AddHours(4)) -RefreshToken 'pester-refresh' }
        }
        $scratch.Environment.AWS_PROFILE = $AwsProfile
        $expectedProfile = if ($ProfileName) { $ProfileName } else { $AwsProfile }

        $result = Invoke-FreshPwsh -Environment $scratch.Environment -Parameters @{ AccessorPath = $twoHopFile; Accounts = $accounts; ProfileName = $ProfileName } -ScriptBlock $runChain

        $result.Id | Should -Be "SsoSignInRequired,$commandId"
        $result.Category | Should -Be 'AuthenticationError'
        @($result.Accounts) | Should -HaveCount 0
        $result.Message | Should -BeLike "*'$expectedProfile'*"
        $result.Message | Should -BeLike "*aws sso login --profile $expectedProfile*"
        $result.Message | Should -Not -Match 'Assembly|AWSSDK|could not be found or loaded'
        $result.Message | Should -Not -Match 'pester-revoked-token|pester-expired-token|pester-refresh|pester-revoked-refresh'
        $result.Seconds | Should -BeLessThan 5
        $portal.CreateTokenCount | Should -Be $Refreshes
        @(Get-MotoRequest $server) | Should -HaveCount 0
    }

    Context 'a token cache another user could have written' {
        # ~/.aws/sso left 0777 (made under umask 000) lets another user swap the cache for theirs;
        # a token file of theirs, or one anyone may write, may hold their token. The SDK reads the
        # file by path with no check, so the chain would send that token to the portal. As root the
        # planted file is given to nobody (uid 65534); without root it is left writable by anyone.
        It 'Get-AltimeterSession / <Case>: SsoTokenCacheUntrusted naming <Names>, and nothing is sent to the portal or STS' -ForEach @(
            @{ Case = '~/.aws/sso is 0777 (sso_session profile)'; ProfileName = 'dev'; AwsProfile = $null; Key = 'corp'; Expired = $false; Names = '~/.aws/sso'; Mode = '777'; Target = '.aws/sso' }
            @{ Case = 'the token file is another user''s (sso_session profile)'; ProfileName = 'dev'; AwsProfile = $null; Key = 'corp'; Expired = $false; Names = 'the token file'; Mode = 'foreign'; Target = 'file' }
            @{ Case = 'the cache directory is 0777 (legacy profile)'; ProfileName = 'legacy'; AwsProfile = $null; Key = 'https://pester-legacy.awsapps.com/start'; Expired = $false; Names = '~/.aws/sso/cache'; Mode = '777'; Target = '.aws/sso/cache' }
            @{ Case = 'the cache directory is 1777: sticky, but it holds the token (AWS_PROFILE)'; ProfileName = $null; AwsProfile = 'dev'; Key = 'corp'; Expired = $false; Names = '~/.aws/sso/cache'; Mode = '1777'; Target = '.aws/sso/cache' }
            @{ Case = '~/.aws is 0777 and the token needs a refresh'; ProfileName = 'dev'; AwsProfile = $null; Key = 'corp'; Expired = $true; Names = '~/.aws'; Mode = '777'; Target = '.aws' }
            @{ Case = 'the home itself is 0777'; ProfileName = 'dev'; AwsProfile = $null; Key = 'corp'; Expired = $false; Names = 'the home'; Mode = '777'; Target = '' }
        ) {
            $startUrl = if ($ProfileName -eq 'legacy') { $legacyStartUrl } else { $corpStartUrl }
            $expiresAt = if ($Expired) { [datetime]::UtcNow.AddHours(-1) } else { [datetime]::UtcNow.AddHours(4) }
            $tokenFile = Write-CachedToken $scratch -Key $Key -StartUrl $startUrl -AccessToken 'pester-planted-token' -ExpiresAt $expiresAt -RefreshToken 'pester-planted-refresh'
            $portal.AcceptAccessToken('pester-planted-token')
            $portal.AcceptRefreshToken('pester-planted-refresh', 'pester-client', 'pester-client-secret')
            $scratch.Environment.AWS_PROFILE = $AwsProfile
            $target = if ($Target -eq 'file') { $tokenFile } else { (Join-Path $scratch.Home $Target).TrimEnd('/') }
            if ($Mode -ne 'foreign') { chmod $Mode $target }
            elseif ((id -u) -eq '0') { chown 65534:65534 $target }
            else { chmod 666 $target }

            $result = Invoke-FreshPwsh -Environment $scratch.Environment -Parameters @{ AccessorPath = $twoHopFile; Accounts = $accounts; ProfileName = $ProfileName } -ScriptBlock $runChain

            $result.Id | Should -Be "SsoTokenCacheUntrusted,$commandId" -Because $result.Message
            $result.Category | Should -Be 'SecurityError'
            $result.Message | Should -BeLike "*'$target'*"
            $result.Message | Should -Not -Match 'pester-planted'
            @($result.Accounts) | Should -HaveCount 0
            $portal.GetRoleCredentialsCount | Should -Be 0
            $portal.CreateTokenCount | Should -Be 0
            @(Get-MotoRequest $server) | Should -HaveCount 0
        }

        It 'Get-AltimeterSession / ~/.aws/sso/cache linked to a directory others may write: SsoTokenCacheUntrusted naming the real directory' {
            $elsewhere = Join-Path ([System.IO.Path]::GetTempPath()) "altimeter-planted-$([guid]::NewGuid())"
            try {
                $null = New-Item -ItemType Directory $elsewhere
                $null = New-Item -ItemType Directory -Force (Join-Path $scratch.Home '.aws/sso')
                $null = New-Item -ItemType SymbolicLink -Path $scratch.Cache -Target $elsewhere
                $null = Write-CachedToken $scratch -Key 'corp' -StartUrl $corpStartUrl -AccessToken 'pester-planted-token' -ExpiresAt ([datetime]::UtcNow.AddHours(4)) -RefreshToken $null
                $portal.AcceptAccessToken('pester-planted-token')
                chmod 777 $elsewhere

                $result = Invoke-FreshPwsh -Environment $scratch.Environment -Parameters @{ AccessorPath = $twoHopFile; Accounts = $accounts; ProfileName = 'dev' } -ScriptBlock $runChain

                $result.Id | Should -Be "SsoTokenCacheUntrusted,$commandId" -Because $result.Message
                $result.Message | Should -BeLike "*'$elsewhere'*"
                $portal.GetRoleCredentialsCount | Should -Be 0
            }
            finally {
                Remove-Item -Recurse -Force $elsewhere -ErrorAction SilentlyContinue
            }
        }

        It 'Get-AltimeterSession / a sticky ~/.aws (1777) above the cache is accepted: others cannot rename what is ours in it' {
            $null = Write-CachedToken $scratch -Key 'corp' -StartUrl $corpStartUrl -AccessToken 'pester-signed-in-token' -ExpiresAt ([datetime]::UtcNow.AddHours(4)) -RefreshToken $null
            $portal.AcceptAccessToken('pester-signed-in-token')
            chmod 1777 (Join-Path $scratch.Home '.aws')

            $result = Invoke-FreshPwsh -Environment $scratch.Environment -Parameters @{ AccessorPath = $twoHopFile; Accounts = @('222222222222'); ProfileName = 'dev' } -ScriptBlock $runChain

            $result.Id | Should -BeNullOrEmpty -Because $result.Message
            $result.Accounts | Should -Be @('222222222222')
            $portal.GetRoleCredentialsCount | Should -Be 1
        }
    }

    Context 'with AWS.Tools.Common imported first, its AWSSDK.Core in use' {
        BeforeAll {
            # The stand-in ships AWSSDK.SSO and AWSSDK.SSOOIDC beside its AWSSDK.Core, as the real
            # AWS.Tools.Common does: the SDK loads them by name from the folder of the Core in use.
            $standInRoot = New-AwsToolsStandIn -Root (Join-Path ([System.IO.Path]::GetTempPath()) "altimeter-awstools-$([guid]::NewGuid())")
            $modulePath = Get-AltimeterModulePath
        }

        AfterAll {
            Remove-Item -Recurse -Force $standInRoot -ErrorAction SilentlyContinue
        }

        It 'Get-AltimeterSession / <Case>: an expired token is refreshed through SSO OIDC and the chain reaches the account' -ForEach @(
            @{ Case = '-ProfileName dev'; ThroughShell = $false }
            @{ Case = 'Set-AWSCredential -ProfileName dev'; ThroughShell = $true }
        ) {
            $null = Write-CachedToken $scratch -Key 'corp' -StartUrl $corpStartUrl -AccessToken 'pester-expired-token' -ExpiresAt ([datetime]::UtcNow.AddHours(-1)) -RefreshToken 'pester-refresh'
            $portal.AcceptRefreshToken('pester-refresh', 'pester-client', 'pester-client-secret')
            $environment = $scratch.Environment.Clone()
            $environment.PSModulePath = "$standInRoot$([System.IO.Path]::PathSeparator)$env:PSModulePath"

            $result = Invoke-FreshPwsh -NoImport -Environment $environment -Parameters @{ ModulePath = $modulePath; AccessorPath = $twoHopFile; ThroughShell = $ThroughShell } {
                param($ModulePath, $AccessorPath, $ThroughShell)
                Import-Module AWS.Tools.Common
                Import-Module $ModulePath
                $profile = if ($ThroughShell) { Set-AWSCredential -ProfileName dev; @{} } else { @{ ProfileName = 'dev' } }
                $session = Get-AltimeterSession 222222222222 -Accessor (New-AltimeterAccessor -Path $AccessorPath) @profile
                [pscustomobject]@{
                    Account = $session.AccountId
                    Sdk = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -like 'AWSSDK.*' } | ForEach-Object { "$($_.GetName().Name)=$($_.Location)" })
                }
            }

            $result.Account | Should -Be '222222222222'
            $portal.CreateTokenCount | Should -Be 1
            $portal.GetRoleCredentialsCount | Should -Be 1
            foreach ($name in 'AWSSDK.Core', 'AWSSDK.SSO', 'AWSSDK.SSOOIDC') { @($result.Sdk) -like "$name=$standInRoot*" | Should -HaveCount 1 }
            @(Get-MotoRequest $server)[0].SignedBy | Should -BeLike 'ASIAPESTERSSO*'
        }

        It 'Get-AltimeterSession / Set-AWSCredential -ProfileName dev without a token: SsoSignInRequired names dev, not the default profile' {
            $environment = $scratch.Environment.Clone()
            $environment.PSModulePath = "$standInRoot$([System.IO.Path]::PathSeparator)$env:PSModulePath"

            $result = Invoke-FreshPwsh -NoImport -Environment $environment -Parameters @{ ModulePath = $modulePath; AccessorPath = $twoHopFile } {
                param($ModulePath, $AccessorPath)
                Import-Module AWS.Tools.Common
                Import-Module $ModulePath
                Set-AWSCredential -ProfileName dev
                try { $null = Get-AltimeterSession 222222222222 -Accessor (New-AltimeterAccessor -Path $AccessorPath); [pscustomobject]@{ Id = $null } }
                catch { [pscustomobject]@{ Id = $_.FullyQualifiedErrorId; Message = $_.Exception.Message } }
            }

            $result.Id | Should -Be "SsoSignInRequired,$commandId"
            $result.Message | Should -BeLike "*'dev'*Invoke-AltimeterSsoLogin -ProfileName dev*aws sso login --profile dev*"
        }
    }
}
