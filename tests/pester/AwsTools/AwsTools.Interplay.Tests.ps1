# Sessions next to AWS Tools for PowerShell, through the stand-in AWS.Tools.Common (see
# New-AwsToolsStandIn): piped into its Set-AWSCredential, used as the shell's credentials and
# region, and against moto's STS. Each case runs in a fresh pwsh, where AWS Tools' AWSSDK.Core is
# the one loaded.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../fixtures/MotoServer.psm1') -Force
    $modulePath = Get-AltimeterModulePath
    $standInRoot = New-AwsToolsStandIn -Root (Join-Path ([System.IO.Path]::GetTempPath()) "altimeter-awstools-$([guid]::NewGuid())")
    $server = Start-MotoServer
    $twoHopFile = Get-FixturePath 'accessors/two-hop.json'
    $environment = @{
        PSModulePath = "$standInRoot$([System.IO.Path]::PathSeparator)$env:PSModulePath"
        AWS_ENDPOINT_URL_STS = $server.Url; AWS_REGION = 'us-east-1'; AWS_DEFAULT_REGION = $null; AWS_EC2_METADATA_DISABLED = 'true'
        AWS_ACCESS_KEY_ID = 'AKIAPESTERENVSOURCE1'; AWS_SECRET_ACCESS_KEY = 'pester-env-secret'; AWS_SESSION_TOKEN = $null; AWS_PROFILE = $null
        ALTIMETER_PESTER_EXT_ID = 'pester-external-id'
    }
}

AfterAll {
    if ($server) { Stop-MotoServer $server }
    Remove-Item -Recurse -Force $standInRoot -ErrorAction SilentlyContinue
}

Describe 'Altimeter.Auth beside AWS Tools for PowerShell' {
    BeforeEach { Reset-MotoServer $server }

    It 'Get-AltimeterSession / a session piped to Set-AWSCredential binds the AWSCredentialsObject parameter set, in either import order' -ForEach @(
        @{ Order = @('Altimeter.Auth', 'AWS.Tools.Common') }, @{ Order = @('AWS.Tools.Common', 'Altimeter.Auth') }
    ) {
        $result = Invoke-FreshPwsh -NoImport -Environment $environment -Parameters @{ ModulePath = $modulePath; Order = $Order; AccessorPath = $twoHopFile } {
            param($ModulePath, $Order, $AccessorPath)
            foreach ($name in $Order) { if ($name -eq 'Altimeter.Auth') { Import-Module $ModulePath } else { Import-Module $name } }
            $session = Get-AltimeterSession 222222222222 -Accessor (New-AltimeterAccessor -Path $AccessorPath)
            $session | Set-AWSCredential
            [pscustomobject]@{
                ParameterSet = $Global:StandInBoundParameterSet
                Stored = [object]::ReferenceEquals($Global:StoredAWSCredentials.Credentials, $session)
                SdkFiles = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'AWSSDK.Core' }).Count
            }
        }
        $result.ParameterSet | Should -Be 'AWSCredentialsObject'
        $result.Stored | Should -BeTrue
        $result.SdkFiles | Should -Be 1
    }

    It 'Get-AltimeterSession / starts chains from the shell credentials Set-AWSCredential stored, over the environment''s keys' {
        $result = Invoke-FreshPwsh -NoImport -Environment $environment -Parameters @{ ModulePath = $modulePath; AccessorPath = $twoHopFile } {
            param($ModulePath, $AccessorPath)
            Import-Module AWS.Tools.Common
            Import-Module $ModulePath
            Set-AWSCredential -AccessKey 'AKIAPESTERSHELLCRED1' -SecretKey 'pester-shell-secret'
            $session = Get-AltimeterSession 222222222222 -Accessor (New-AltimeterAccessor -Path $AccessorPath) -Verbose 4>&1
            @($session | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
        }
        (Get-MotoRequest $server)[0].SignedBy | Should -Be 'AKIAPESTERSHELLCRED1'
        ($result -join "`n") | Should -BeLike '*Set-AWSCredential*'
    }

    It 'Get-AltimeterSession / a session set as the shell credentials signs the next chain: sessions chain through AWS Tools' {
        $result = Invoke-FreshPwsh -NoImport -Environment $environment -Parameters @{ ModulePath = $modulePath } {
            param($ModulePath)
            Import-Module $ModulePath
            Import-Module AWS.Tools.Common
            $hub = New-AltimeterAccessor -Json '{"multi_hop_accessors": [{"role_session_name": "to-hub", "access_steps": [{"role_name": "Hub"}]}]}' -NoCache
            Get-AltimeterSession 111111111111 -Accessor $hub | Set-AWSCredential
            $target = New-AltimeterAccessor -Json '{"multi_hop_accessors": [{"role_session_name": "from-hub", "access_steps": [{"role_name": "Target"}]}]}' -NoCache
            $session = Get-AltimeterSession 333333333333 -Accessor $target
            [pscustomobject]@{ HubKey = $Global:StoredAWSCredentials.Credentials.GetCredentials().AccessKey; Account = $session.AccountId }
        }
        $requests = @(Get-MotoRequest $server)
        $requests | Should -HaveCount 2
        $requests[1].SignedBy | Should -Be $result.HubKey
        $result.Account | Should -Be '333333333333'
    }

    It 'Get-AltimeterSession / takes the region from Set-DefaultAWSRegion when -Region is not given, and -Region wins over it' {
        $result = Invoke-FreshPwsh -NoImport -Environment $environment -Parameters @{ ModulePath = $modulePath; AccessorPath = $twoHopFile } {
            param($ModulePath, $AccessorPath)
            Import-Module AWS.Tools.Common
            Import-Module $ModulePath
            Set-DefaultAWSRegion eu-west-1
            $accessor = New-AltimeterAccessor -Path $AccessorPath
            [pscustomobject]@{
                Default = (Get-AltimeterSession 222222222222 -Accessor $accessor).Region
                Explicit = (Get-AltimeterSession 222222222222 -Accessor $accessor -Region ap-southeast-2).Region
            }
        }
        $result.Default | Should -Be 'eu-west-1'
        $result.Explicit | Should -Be 'ap-southeast-2'
    }
}
