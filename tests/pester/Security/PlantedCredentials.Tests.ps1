# A credentials_cache block in an accessor file is trusted no more than STS (issue 11, case 2):
# ignored unless -ImportCredentialsCache, and then private to the accessor that carried it and
# used only once GetCallerIdentity (moto's, for keys moto issued) names exactly its role and session.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    $suite = Start-TestFile -StsEnvironment
    $server = $suite.Server
    $twoHopFile = Get-FixturePath 'accessors/two-hop.json'
    $targetKey = '222222222222:AltimeterTarget:altimeter-pester'
    $targetArn = 'arn:aws:iam::222222222222:role/AltimeterTarget'
    $planted = @{ AccessKey = 'ASIAPLANTED000000001'; SecretKey = 'planted-secret-not-real'; Token = 'planted-token-not-real' }

    # The two-hop chain's JSON with a credentials_cache block holding $Credential under $Key.
    function New-CarrierJson([string] $Key, $Credential, [switch] $NoChain) {
        $definition = Get-Content -Raw $twoHopFile | ConvertFrom-Json -AsHashtable
        if ($NoChain) { $definition.multi_hop_accessors = @() }
        $definition.credentials_cache = @{ cache = @{ $Key = [ordered]@{
            access_key_id = $Credential.AccessKey; secret_access_key = $Credential.SecretKey; session_token = $Credential.Token
            expiration = [DateTimeOffset]::UtcNow.AddMinutes(50).ToUnixTimeSeconds() } } }
        $definition | ConvertTo-Json -Depth 8
    }

    # Keys moto really issued for the two-hop chain's target role in $AccountId.
    function Get-IssuedCredential([string] $AccountId) {
        $issuer = New-AltimeterAccessor -Path $twoHopFile -NoCache
        (Get-AltimeterSession $AccountId -Accessor $issuer).GetCredentials()
    }
}

AfterAll {
    Stop-TestFile $suite
}

Describe 'Credentials carried by accessor files' {
    BeforeEach {
        Clear-AltimeterCredentialCache -Confirm:$false
    }

    Context 'not asked for' {
        It 'Planted credentials / a credentials_cache block loaded first does not reach a trusted accessor: <Form>' -ForEach @(
            @{ Form = 'JSON file'; Extension = 'json'; NoCache = $false }
            @{ Form = 'TOML config'; Extension = 'toml'; NoCache = $false }
            @{ Form = 'JSON file loaded with -NoCache'; Extension = 'json'; NoCache = $true }
        ) {
            $path = Join-Path $TestDrive "planted.$Extension"
            $json = New-CarrierJson -Key $targetKey -Credential $planted -NoChain
            if ($Extension -eq 'toml') {
                $entry = (ConvertFrom-Json $json -AsHashtable).credentials_cache.cache[$targetKey]
                Set-Content -LiteralPath $path -Value @"
[accessor.credentials_cache.cache."$targetKey"]
access_key_id = "$($entry.access_key_id)"
secret_access_key = "$($entry.secret_access_key)"
session_token = "$($entry.session_token)"
expiration = $($entry.expiration)
"@
            }
            else { Set-Content -LiteralPath $path -Value $json }

            $null = New-AltimeterAccessor -Path $path -NoCache:$NoCache -WarningVariable warnings -WarningAction SilentlyContinue
            $trusted = New-AltimeterAccessor -Path $twoHopFile
            $session = Get-AltimeterSession 222222222222 -Accessor $trusted

            $session.GetCredentials().AccessKey | Should -Not -Be $planted.AccessKey
            $session.GetCredentials().AccessKey | Should -Be (Get-MotoAssumedRole $server)[-1].access_key_id -Because 'the key is the one moto issued for the target role'
            Get-CallerAccount $session | Should -Be '222222222222'
            "$warnings" | Should -BeLike '*credentials_cache ignored (1 entry)*-ImportCredentialsCache*'
            "$warnings" | Should -Not -Match 'planted-'
        }
    }

    Context 'asked for with -ImportCredentialsCache' {
        It 'Planted credentials / a valid entry (issued by moto for that role and session) replaces that hop''s AssumeRole' {
            $issued = Get-IssuedCredential 222222222222
            Clear-AltimeterCredentialCache -Confirm:$false
            $path = Join-Path $TestDrive 'carrier.json'
            Set-Content -LiteralPath $path -Value (New-CarrierJson -Key $targetKey -Credential $issued)

            $carrier = New-AltimeterAccessor -Path $path -ImportCredentialsCache -WarningVariable warnings
            $before = @(Get-MotoAssumedRole $server).Count
            $session = Get-AltimeterSession 222222222222 -Accessor $carrier -Verbose 4>&1 | Where-Object { $_ -is [Amazon.Runtime.AWSCredentials] }
            $assumedNow = @(Get-MotoAssumedRole $server | Select-Object -Skip $before)

            $warnings | Should -BeNullOrEmpty
            $session.GetCredentials().AccessKey | Should -Be $issued.AccessKey
            $assumedNow.role_arn | Should -Be @('arn:aws:iam::111111111111:role/AltimeterHub') -Because 'only the hub hop goes to STS'
        }

        It 'Planted credentials / an imported entry is not seen by another accessor' {
            $issued = Get-IssuedCredential 222222222222
            Clear-AltimeterCredentialCache -Confirm:$false
            $carrier = New-AltimeterAccessor -Json (New-CarrierJson -Key $targetKey -Credential $issued) -ImportCredentialsCache

            $other = Get-AltimeterSession 222222222222 -Accessor (New-AltimeterAccessor -Path $twoHopFile)

            $other.GetCredentials().AccessKey | Should -Not -Be $issued.AccessKey
            (Get-AltimeterSession 222222222222 -Accessor $carrier).GetCredentials().AccessKey | Should -Be $issued.AccessKey
        }

        It 'Planted credentials / an entry whose keys belong to another account is dropped with a warning naming its key' {
            $foreign = Get-IssuedCredential 333333333333
            Clear-AltimeterCredentialCache -Confirm:$false

            $carrier = New-AltimeterAccessor -Json (New-CarrierJson -Key $targetKey -Credential $foreign) -ImportCredentialsCache -WarningVariable warnings -WarningAction SilentlyContinue
            $session = Get-AltimeterSession 222222222222 -Accessor $carrier

            "$warnings" | Should -BeLike "*credentials_cache entry '$targetKey' dropped*assumed-role/AltimeterTarget/altimeter-pester*"
            "$warnings" | Should -Not -Match ([regex]::Escape($foreign.SecretKey))
            $session.GetCredentials().AccessKey | Should -Not -Be $foreign.AccessKey
            Get-CallerAccount $session | Should -Be '222222222222'
        }

        It 'Planted credentials / keys STS does not know are dropped too' {
            $carrier = New-AltimeterAccessor -Json (New-CarrierJson -Key $targetKey -Credential $planted) -ImportCredentialsCache -WarningVariable warnings -WarningAction SilentlyContinue

            "$warnings" | Should -BeLike "*'$targetKey' dropped*"
            (Get-AltimeterSession 222222222222 -Accessor $carrier).GetCredentials().AccessKey | Should -Not -Be $planted.AccessKey
        }

        It 'Planted credentials / with -NoCache imported entries are not used' {
            $issued = Get-IssuedCredential 222222222222
            $carrier = New-AltimeterAccessor -Json (New-CarrierJson -Key $targetKey -Credential $issued) -ImportCredentialsCache -NoCache -WarningVariable warnings -WarningAction SilentlyContinue
            $before = @(Get-MotoAssumedRole $server).Count

            $session = Get-AltimeterSession 222222222222 -Accessor $carrier

            "$warnings" | Should -BeLike '*caching is off*'
            $session.GetCredentials().AccessKey | Should -Not -Be $issued.AccessKey
            @(Get-MotoAssumedRole $server | Select-Object -Skip $before).role_arn | Should -Contain $targetArn
        }
    }
}
