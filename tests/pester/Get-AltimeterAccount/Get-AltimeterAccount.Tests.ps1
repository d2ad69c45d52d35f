# The accounts an IAM Identity Center sign-in may reach: the portal's ListAccounts and
# ListAccountRoles answered by the loopback double (tests/Altimeter.Auth.Tests/Doubles/SsoPortalDouble.cs,
# compiled here with Add-Type), seven accounts two to a page; the sessions they pipe into come
# through the two-hop chain at moto, started from the same profile. Each case runs in a fresh pwsh
# with a scratch HOME and config file, so the real ~/.aws is never read.
# Tag Unix: on Windows the SDK looks for ~/.aws/sso/cache under the user profile folder, which HOME
# does not move.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../fixtures/IdentityCenter.psm1') -Force
    Add-LoopbackDoubles

    $suite = Start-TestFile -Moto -NoImport
    $server = $suite.Server
    $commandId = 'Altimeter.Auth.Commands.GetAltimeterAccountCommand'
    $twoHopFile = Get-FixturePath 'accessors/two-hop.json'
    $assigned = @(
        @{ Id = '111111111111'; Name = 'hub'; Roles = @('AdministratorAccess', 'ReadOnly', 'Billing') }
        @{ Id = '222222222222'; Name = 'dev'; Roles = @('ReadOnly') }
        @{ Id = '333333333333'; Name = 'test'; Roles = @('ReadOnly', 'PowerUser') }
        @{ Id = '444444444444'; Name = 'prod'; Roles = @('ReadOnly') }
        @{ Id = '555555555555'; Name = 'audit'; Roles = @() }
        @{ Id = '666666666666'; Name = 'logs'; Roles = @('ReadOnly', 'LogReader') }
        @{ Id = '012345678901'; Name = 'sandbox-with-a-long-display-name'; Roles = @('AdministratorAccess') }
    )

    # Get-AltimeterAccount in the child, then optionally its accounts piped into Get-AltimeterSession.
    $listAccounts = {
        param($Arguments, $AccessorPath, $SessionProfile)
        try {
            $accounts = @(Get-AltimeterAccount @Arguments)
            $sessions = if ($AccessorPath) { @($accounts | Get-AltimeterSession -Accessor (New-AltimeterAccessor -Path $AccessorPath) -ProfileName $SessionProfile | ForEach-Object AccountId) }
            [pscustomobject]@{
                Accounts = @($accounts | ForEach-Object { [pscustomobject]@{ AccountId = $_.AccountId; AccountName = $_.AccountName; EmailAddress = $_.EmailAddress; RoleNames = @($_.RoleNames) } })
                Type = if ($accounts) { $accounts[0].GetType().FullName }
                View = $accounts | Out-String -Width 60
                Sessions = $sessions
                Id = $null
            }
        }
        catch {
            [pscustomobject]@{ Accounts = @(); Id = $_.FullyQualifiedErrorId; Message = $_.Exception.Message; Category = "$($_.CategoryInfo.Category)"; Target = "$($_.TargetObject)" }
        }
    }
}

AfterAll {
    Stop-TestFile $suite
}

Describe 'Get-AltimeterAccount' -Tag Unix {
    BeforeEach {
        Reset-MotoServer $server
        $portal = [Altimeter.Auth.Tests.Doubles.SsoPortalDouble]::new()
        $portal.PageSize = 2
        foreach ($account in $assigned) { $portal.AddAccount($account.Id, $account.Name, "aws+$($account.Name)@example.com", [string[]]$account.Roles) }
        $scratch = New-IdentityCenterHome -PortalUrl $portal.Url -StsUrl $server.Url
    }

    AfterEach {
        $portal.Dispose()
        Remove-Item -Recurse -Force $scratch.Home -ErrorAction SilentlyContinue
    }

    It 'Get-AltimeterAccount / lists every account of a paged portal with its roles, for the profile AWS_PROFILE names, in a view that shows each account id whole' {
        $null = Write-CachedToken $scratch -Key 'corp' -StartUrl $scratch.CorpStartUrl -AccessToken 'pester-signed-in-token' -ExpiresAt ([datetime]::UtcNow.AddHours(4)) -RefreshToken 'pester-refresh'
        $portal.AcceptAccessToken('pester-signed-in-token')
        $scratch.Environment.AWS_PROFILE = 'dev'

        $result = Invoke-FreshPwsh -Environment $scratch.Environment -Parameters @{ Arguments = @{ ThrottleLimit = 2 } } -ScriptBlock $listAccounts

        $result.Id | Should -BeNullOrEmpty -Because $result.Message
        $result.Type | Should -Be 'Altimeter.Auth.IdentityCenterAccount'
        @($result.Accounts.AccountId) | Should -Be @($assigned.Id)
        @($result.Accounts.AccountName) | Should -Be @($assigned.Name)
        @($result.Accounts.EmailAddress) | Should -Be @($assigned | ForEach-Object { "aws+$($_.Name)@example.com" })
        for ($i = 0; $i -lt $assigned.Count; $i++) { @($result.Accounts[$i].RoleNames) | Should -Be @($assigned[$i].Roles) }
        $portal.ListAccountsCount | Should -Be 4
        $portal.ListAccountRolesCount | Should -Be 8
        $portal.MaxRoleListsInFlight | Should -BeLessOrEqual 2
        foreach ($account in $assigned) { $result.View | Should -Match "(?m)^$($account.Id) " }
        $result.View | Should -Not -Match 'pester-signed-in-token'
    }

    It 'Get-AltimeterAccount / <Case>: its accounts pipe into Get-AltimeterSession by property name, one session each through the chain' -ForEach @(
        @{ Case = '-SsoSession corp'; Arguments = @{ SsoSession = 'corp' } }
        @{ Case = '-ProfileName dev'; Arguments = @{ ProfileName = 'dev' } }
    ) {
        $null = Write-CachedToken $scratch -Key 'corp' -StartUrl $scratch.CorpStartUrl -AccessToken 'pester-signed-in-token' -ExpiresAt ([datetime]::UtcNow.AddHours(4)) -RefreshToken 'pester-refresh'
        $portal.AcceptAccessToken('pester-signed-in-token')

        $result = Invoke-FreshPwsh -Environment $scratch.Environment -Parameters @{ Arguments = $Arguments; AccessorPath = $twoHopFile; SessionProfile = 'dev' } -ScriptBlock $listAccounts

        $result.Id | Should -BeNullOrEmpty -Because $result.Message
        @($result.Sessions) | Should -Be @($assigned.Id)
        $targets = @(Get-MotoRequest $server | Where-Object { $_.Parameters.RoleArn -like '*:role/AltimeterTarget' } | ForEach-Object { ($_.Parameters.RoleArn -split ':')[4] } | Sort-Object)
        $targets | Should -Be @($assigned.Id | Sort-Object)
        $portal.GetRoleCredentialsCount | Should -Be 1
    }

    It 'Get-AltimeterAccount | Get-AltimeterSession -Accessor (New-AltimeterAccessor -IdentityCenterRole ReadOnly): a session in each of the 5 accounts with ReadOnly, through GetRoleCredentials and no AssumeRole of ours; the 2 without it fail alone with IdentityCenterRoleNotAssigned naming role and account; at most -ThrottleLimit GetRoleCredentials at once' {
        $null = Write-CachedToken $scratch -Key 'corp' -StartUrl $scratch.CorpStartUrl -AccessToken 'pester-signed-in-token' -ExpiresAt ([datetime]::UtcNow.AddHours(4)) -RefreshToken 'pester-refresh'
        $portal.AcceptAccessToken('pester-signed-in-token')
        $portal.MotoUrl = $server.Url
        $portal.RefuseUnassignedRoles = $true
        # Held until 4 are in flight, which -ThrottleLimit 3 never reaches: each round waits out the gate (1 s), and the count shows the bound.
        $portal.RoleCredentialsGate = 4
        $portal.RoleListGateTimeout = [timespan]::FromSeconds(1)
        $scratch.Environment.AWS_PROFILE = 'dev'
        $withReadOnly = @($assigned | Where-Object { $_.Roles -contains 'ReadOnly' } | ForEach-Object Id)
        $without = @($assigned | Where-Object { $_.Roles -notcontains 'ReadOnly' } | ForEach-Object Id)

        $result = Invoke-FreshPwsh -Environment $scratch.Environment -ScriptBlock {
            $sessions = @(Get-AltimeterAccount | Get-AltimeterSession -Accessor (New-AltimeterAccessor -IdentityCenterRole ReadOnly) -ThrottleLimit 3 -ErrorAction SilentlyContinue -ErrorVariable failed)
            [pscustomobject]@{
                Sessions = @($sessions | ForEach-Object AccountId)
                Errors = @($failed | ForEach-Object { [pscustomobject]@{ Id = $_.FullyQualifiedErrorId; Target = "$($_.TargetObject)"; Category = "$($_.CategoryInfo.Category)"; Message = $_.Exception.Message } })
            }
        }

        @($result.Sessions) | Should -Be $withReadOnly
        @($result.Errors.Id) | Should -Be (@('IdentityCenterRoleNotAssigned,Altimeter.Auth.Commands.GetAltimeterSessionCommand') * 2)
        @($result.Errors.Target) | Should -Be $without
        foreach ($error in $result.Errors) {
            $error.Category | Should -Be 'PermissionDenied'
            $error.Message | Should -BeLike "*IAM Identity Center role 'ReadOnly' is not assigned to you in account $($error.Target)*"
        }
        $assumeRoles = @(Get-MotoRequest $server | Where-Object Action -EQ 'AssumeRole')
        $assumeRoles.Count | Should -Be 5
        @($assumeRoles | Where-Object SignedBy -NE ([Altimeter.Auth.Tests.Doubles.SsoPortalDouble]::MotoSigner)) | Should -BeNullOrEmpty
        # Each account's credentials checked once, signed by that account's keys from the portal.
        @(Get-MotoRequest $server | Where-Object Action -EQ 'GetCallerIdentity').Count | Should -Be 5
        $portal.GetRoleCredentialsCount | Should -Be 7
        $portal.MaxRoleCredentialsInFlight | Should -Be 3
    }

    It 'README "every account I can reach": Get-AltimeterAccount | Get-AltimeterSession -IdentityCenterRole accessor | Invoke-AltimeterCommand -Parallel, and -FilePath aws: every output tagged with its account, each AWS CLI child answering as its tag' {
        $null = Write-CachedToken $scratch -Key 'corp' -StartUrl $scratch.CorpStartUrl -AccessToken 'pester-signed-in-token' -ExpiresAt ([datetime]::UtcNow.AddHours(4)) -RefreshToken 'pester-refresh'
        $portal.AcceptAccessToken('pester-signed-in-token')
        $portal.MotoUrl = $server.Url
        $portal.RefuseUnassignedRoles = $true
        $scratch.Environment.AWS_PROFILE = 'dev'
        $withReadOnly = @($assigned | Where-Object { $_.Roles -contains 'ReadOnly' } | ForEach-Object Id | Sort-Object)

        $result = Invoke-FreshPwsh -Environment $scratch.Environment -ScriptBlock {
            $accessor = New-AltimeterAccessor -IdentityCenterRole ReadOnly
            $blocks = @(Get-AltimeterAccount | Get-AltimeterSession -Accessor $accessor -ErrorAction SilentlyContinue |
                Invoke-AltimeterCommand -Parallel { "$($_.AccountId) $($_.Region)" })
            $programs = @(Get-AltimeterAccount | Get-AltimeterSession -Accessor $accessor -ErrorAction SilentlyContinue |
                Invoke-AltimeterCommand aws sts get-caller-identity --query Account --output text)
            [pscustomobject]@{
                Blocks = @($blocks | ForEach-Object { [pscustomobject]@{ Tag = $_.AltimeterAccountId; Value = "$_" } })
                Programs = @($programs | ForEach-Object { [pscustomobject]@{ Tag = $_.AltimeterAccountId; Value = "$_".Trim() } })
            }
        }

        @($result.Blocks.Tag | Sort-Object) | Should -Be $withReadOnly
        foreach ($line in $result.Blocks) { $line.Value | Should -Be "$($line.Tag) us-east-1" }
        @($result.Programs.Tag | Sort-Object) | Should -Be $withReadOnly
        foreach ($line in $result.Programs) { $line.Value | Should -Be $line.Tag -Because 'each child runs as its own account' }
        @(Get-MotoRequest $server | Where-Object Action -EQ 'AssumeRole' | Where-Object SignedBy -NE ([Altimeter.Auth.Tests.Doubles.SsoPortalDouble]::MotoSigner)) | Should -BeNullOrEmpty
    }

    It 'Get-AltimeterAccount / <Case>: <Id> naming <Named>, no account listed and no role list asked for' -ForEach @(
        @{ Case = 'no token for the profile'; Arguments = @{ ProfileName = 'dev' }; Token = $null; Id = 'SsoSignInRequired'; Category = 'AuthenticationError'; Target = 'dev'; Named = 'aws sso login --profile dev' }
        @{ Case = 'no token for the sso-session'; Arguments = @{ SsoSession = 'corp' }; Token = $null; Id = 'SsoSignInRequired'; Category = 'AuthenticationError'; Target = 'corp'; Named = 'aws sso login --sso-session corp' }
        @{ Case = 'a token the portal refuses'; Arguments = @{ ProfileName = 'dev' }; Token = 'pester-revoked-token'; Id = 'SsoSignInRequired'; Category = 'AuthenticationError'; Target = 'dev'; Named = 'Invoke-AltimeterSsoLogin -ProfileName dev' }
        @{ Case = 'a profile that is not an Identity Center one'; Arguments = @{ ProfileName = 'keys' }; Token = $null; Id = 'SsoConfigurationInvalid'; Category = 'ObjectNotFound'; Target = 'keys'; Named = "profile 'keys' is not an IAM Identity Center profile" }
    ) {
        if ($Token) { $null = Write-CachedToken $scratch -Key 'corp' -StartUrl $scratch.CorpStartUrl -AccessToken $Token -ExpiresAt ([datetime]::UtcNow.AddHours(4)) -RefreshToken 'pester-refresh' }

        $result = Invoke-FreshPwsh -Environment $scratch.Environment -Parameters @{ Arguments = $Arguments } -ScriptBlock $listAccounts

        $result.Id | Should -Be "$Id,$commandId"
        $result.Category | Should -Be $Category
        $result.Target | Should -Be $Target
        $result.Message | Should -BeLike "*$Named*"
        $result.Message | Should -Not -Match 'pester-revoked-token|pester-refresh'
        @($result.Accounts) | Should -HaveCount 0
        $portal.ListAccountRolesCount | Should -Be 0
        $portal.CreateTokenCount | Should -Be 0
    }
}
