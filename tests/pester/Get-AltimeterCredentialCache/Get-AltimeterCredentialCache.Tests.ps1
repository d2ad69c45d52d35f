BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force

    $suite = Start-TestFile -StsEnvironment
    $server = $suite.Server
    $accessor = New-AltimeterAccessor -Path (Get-FixturePath 'accessors/two-hop.json')
}

AfterAll {
    Stop-TestFile $suite
    if ($sharedDirectory) { Remove-Item -Recurse -Force $sharedDirectory -ErrorAction SilentlyContinue }
}

Describe 'Get-AltimeterCredentialCache' {
    BeforeEach {
        Clear-AltimeterCredentialCache -Confirm:$false
        Reset-MotoServer $server
    }

    It 'Get-AltimeterCredentialCache / outputs nothing when the cache is empty' {
        Get-AltimeterCredentialCache | Should -BeNullOrEmpty
    }

    It 'Get-AltimeterCredentialCache / lists account, role, session name and expiration of each hop after a session is fetched' {
        $session = Get-AltimeterSession 222222222222 -Accessor $accessor

        $entries = Get-AltimeterCredentialCache

        $entries | Should -HaveCount 2
        $entries | Should -BeOfType ([Altimeter.Auth.CacheEntryInfo])
        $entries.AccountId | Should -Be @('111111111111', '222222222222')
        $entries.RoleName | Should -Be @('AltimeterHub', 'AltimeterTarget')
        $entries.RoleSessionName | Should -Be @('altimeter-pester', 'altimeter-pester')
        $entries.Key | Should -Be @('111111111111:AltimeterHub:altimeter-pester', '222222222222:AltimeterTarget:altimeter-pester')
        $entries.IsExpired | Should -Be @($false, $false)
        $entries | ForEach-Object { $_.Expiration | Should -BeGreaterThan ([DateTimeOffset]::UtcNow) }
        $entries[1].Expiration.UtcDateTime | Should -Be $session.Expiration
    }

    It 'Get-AltimeterCredentialCache / the default table shows account, role, session name and expiry' {
        $null = Get-AltimeterSession 222222222222 -Accessor $accessor
        $expiry = (Get-AltimeterCredentialCache)[1].Expiration.ToLocalTime().ToString('yyyy-MM-dd HH:mm:ss zzz', [cultureinfo]::InvariantCulture)

        $text = Get-AltimeterCredentialCache | Out-String -Width 200

        $text | Should -Match 'AccountId\s+RoleName\s+SessionName\s+Expiration\s+Expired'
        $text | Should -Match "222222222222\s+AltimeterTarget\s+altimeter-pester\s+$([regex]::Escape($expiry))\s+False"
    }

    It 'Get-AltimeterCredentialCache / no view, ToString or JSON of the entries shows a secret key, session token or whole access key id' {
        $null = '222222222222', '333333333333' | Get-AltimeterSession -Accessor $accessor
        $assumed = Get-MotoAssumedRole $server
        $assumed | Should -HaveCount 3

        $entries = Get-AltimeterCredentialCache
        $visible = (($entries | ConvertTo-VisibleText) + ($entries | ConvertTo-Json | Out-String)) -join "`n"

        $visible | Should -Match '333333333333'
        foreach ($value in @($assumed.secret_access_key) + @($assumed.session_token) + @($assumed.access_key_id)) {
            $value | Should -Not -BeNullOrEmpty
            $visible.Contains($value) | Should -BeFalse
        }
        ($entries | Where-Object AccountId -EQ '333333333333').AccessKeyId |
            Should -Be ('****' + ($assumed | Where-Object account_id -EQ '333333333333').access_key_id.Substring(16))
    }

    # Issue 13: it listed the default cache only, while Clear-AltimeterCredentialCache cleared them all.
    It 'Get-AltimeterCredentialCache / lists the entries of an accessor''s -SharedCachePath cache, saying where they are, as Clear-AltimeterCredentialCache removes them' {
        # Kept until the end: the module keeps this cache for the rest of the session.
        $script:sharedDirectory = Join-Path ([System.IO.Path]::GetTempPath()) "altimeter-listed-$([guid]::NewGuid())"
        $shared = New-AltimeterAccessor -Path (Get-FixturePath 'accessors/two-hop.json') -SharedCachePath $sharedDirectory
        $null = Get-AltimeterSession 222222222222 -Accessor $shared

        $listed = Get-AltimeterCredentialCache

        $listed.Key | Should -Be @('111111111111:AltimeterHub:altimeter-pester', '222222222222:AltimeterTarget:altimeter-pester')
        $listed.SharedCachePath | Should -Be @($sharedDirectory, $sharedDirectory)
        (Clear-AltimeterCredentialCache -Confirm:$false -PassThru).Key | Should -Be $listed.Key
        Get-AltimeterCredentialCache | Should -BeNullOrEmpty
    }

    It 'Get-AltimeterCredentialCache / a local-mode session adds no entry' {
        $null = Get-AltimeterSession 123456789012

        Get-AltimeterCredentialCache | Should -BeNullOrEmpty
    }
}
