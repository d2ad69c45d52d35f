BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force

    $suite = Start-TestFile -StsEnvironment
    $server = $suite.Server
    $accessor = New-AltimeterAccessor -Path (Get-FixturePath 'accessors/two-hop.json')

    $hubKey = '111111111111:AltimeterHub:altimeter-pester'
    $key222 = '222222222222:AltimeterTarget:altimeter-pester'
    $key333 = '333333333333:AltimeterTarget:altimeter-pester'
}

AfterAll {
    Stop-TestFile $suite
}

Describe 'Clear-AltimeterCredentialCache' {
    BeforeEach {
        Clear-AltimeterCredentialCache -Confirm:$false
        Reset-MotoServer $server
        # Three entries: the hub hop, shared, and one target hop per account.
        $null = '222222222222', '333333333333' | Get-AltimeterSession -Accessor $accessor
        (Get-AltimeterCredentialCache).Key | Should -Be @($hubKey, $key222, $key333)
    }

    It 'Clear-AltimeterCredentialCache / without filters removes every entry' {
        Clear-AltimeterCredentialCache -Confirm:$false

        Get-AltimeterCredentialCache | Should -BeNullOrEmpty
    }

    It 'Clear-AltimeterCredentialCache / -WhatIf removes nothing and outputs nothing' {
        $output = Clear-AltimeterCredentialCache -WhatIf -PassThru
        $filtered = Clear-AltimeterCredentialCache -AccountId 222222222222 -WhatIf -PassThru

        $output | Should -BeNullOrEmpty
        $filtered | Should -BeNullOrEmpty
        @(Get-AltimeterCredentialCache).Count | Should -Be 3
    }

    It 'Clear-AltimeterCredentialCache / -AccountId removes only that account''s entries' {
        Clear-AltimeterCredentialCache -AccountId 222222222222 -Confirm:$false

        (Get-AltimeterCredentialCache).Key | Should -Be @($hubKey, $key333)
    }

    It 'Clear-AltimeterCredentialCache / -AccountId takes wildcards and -RoleName narrows by role' {
        Clear-AltimeterCredentialCache -AccountId '[23]*' -RoleName AltimeterTarget -Confirm:$false

        (Get-AltimeterCredentialCache).Key | Should -Be @($hubKey)
    }

    It 'Clear-AltimeterCredentialCache / -RoleSessionName that matches nothing removes nothing' {
        $removed = Clear-AltimeterCredentialCache -RoleSessionName 'someone-else' -PassThru -Confirm:$false

        $removed | Should -BeNullOrEmpty
        @(Get-AltimeterCredentialCache).Count | Should -Be 3
    }

    It 'Clear-AltimeterCredentialCache / removes the entries piped from Get-AltimeterCredentialCache, bound by property name' {
        Get-AltimeterCredentialCache | Where-Object AccountId -EQ '333333333333' | Clear-AltimeterCredentialCache -Confirm:$false

        (Get-AltimeterCredentialCache).Key | Should -Be @($hubKey, $key222)
    }

    It 'Clear-AltimeterCredentialCache / -PassThru outputs the removed entries, without secrets' {
        $removed = Clear-AltimeterCredentialCache -AccountId 222222222222 -PassThru -Confirm:$false

        $removed | Should -HaveCount 1
        $removed | Should -BeOfType ([Altimeter.Auth.CacheEntryInfo])
        $removed.Key | Should -Be $key222
        $removed.AccountId | Should -Be '222222222222'
        $removed.RoleName | Should -Be 'AltimeterTarget'
        $removed.RoleSessionName | Should -Be 'altimeter-pester'
        $assumed = Get-MotoAssumedRole $server
        $target = $assumed | Where-Object account_id -EQ '222222222222'
        $removed.AccessKeyId | Should -Be ('****' + $target.access_key_id.Substring(16))
        $visible = ($removed | ConvertTo-VisibleText) -join "`n"
        $visible | Should -Match '222222222222'
        foreach ($secret in @($assumed.secret_access_key) + @($assumed.session_token) + @($assumed.access_key_id)) {
            $visible.Contains($secret) | Should -BeFalse
        }
    }

    It 'Clear-AltimeterCredentialCache / after clearing, Get-AltimeterSession assumes the roles again' {
        $null = Get-AltimeterSession 222222222222 -Accessor $accessor
        $cachedCalls = @(Get-MotoRequest $server).Count

        Clear-AltimeterCredentialCache -Confirm:$false
        $session = Get-AltimeterSession 222222222222 -Accessor $accessor

        $cachedCalls | Should -Be 3 -Because 'the warm call after the BeforeEach fill made no STS call'
        $after = @(Get-MotoRequest $server)
        $after | Should -HaveCount 5
        $after[3..4].Action | Should -Be @('AssumeRole', 'AssumeRole')
        (Get-MotoAssumedRole $server)[3..4].role_arn | Should -Be @('arn:aws:iam::111111111111:role/AltimeterHub', 'arn:aws:iam::222222222222:role/AltimeterTarget')
        Get-CallerAccount $session | Should -Be '222222222222'
    }

    It 'Clear-AltimeterCredentialCache / -AccountId for one account makes only that account''s target hop be assumed again' {
        Clear-AltimeterCredentialCache -AccountId 333333333333 -Confirm:$false

        $null = '222222222222', '333333333333' | Get-AltimeterSession -Accessor $accessor

        $assumed = Get-MotoAssumedRole $server
        $assumed | Should -HaveCount 4
        $assumed[3].role_arn | Should -Be 'arn:aws:iam::333333333333:role/AltimeterTarget'
    }
}
