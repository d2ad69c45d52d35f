# Sessions next to AWS Tools for PowerShell, through the AWS.Tools.Common stand-in rebuilt from AWS
# Tools' public source (tests/fixtures/AwsToolsStandIn/AWS.Tools.Common.cs: AWSPSCredentials keeps
# its credentials internal, Set-AWSCredential stores into the caller's scope). What signed each
# AssumeRole is read from moto's recording, never assumed. Each case runs in a fresh pwsh, where
# AWS Tools' AWSSDK.Core is the one loaded when it is imported first.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    $modulePath = Get-AltimeterModulePath
    $standInRoot = New-AwsToolsStandIn -Root (Join-Path ([System.IO.Path]::GetTempPath()) "altimeter-awstools-$([guid]::NewGuid())")
    $suite = Start-TestFile -Moto -NoImport
    $server = $suite.Server
    $twoHopFile = Get-FixturePath 'accessors/two-hop.json'
    $environmentKey = 'AKIAPESTERENVSOURCE1'

    # Profiles for Set-AWSCredential -ProfileName: static keys, and a credential_process (pwsh printing the JSON).
    $scratch = Join-Path ([System.IO.Path]::GetTempPath()) "altimeter-awstools-profiles-$([guid]::NewGuid())"
    $null = New-Item -ItemType Directory -Force $scratch
    $processScript = Join-Path $scratch 'credential-process.ps1'
    Set-Content $processScript "'{`"Version`": 1, `"AccessKeyId`": `"AKIAPESTERPROCESS001`", `"SecretAccessKey`": `"pester-process-secret`"}'"
    Set-Content (Join-Path $scratch 'credentials') "[audit]`naws_access_key_id = AKIAPESTERAUDIT00001`naws_secret_access_key = pester-audit-secret`n"
    Set-Content (Join-Path $scratch 'config') "[profile audit-process]`ncredential_process = $((Get-PwshCommandLine) -join ' ') -NoProfile -NonInteractive -File $processScript`n"

    $environment = @{
        PSModulePath = "$standInRoot$([System.IO.Path]::PathSeparator)$env:PSModulePath"
        AWS_ENDPOINT_URL_STS = $server.Url; AWS_REGION = 'us-east-1'; AWS_DEFAULT_REGION = $null; AWS_EC2_METADATA_DISABLED = 'true'; AWS_ENDPOINT_URL = $null
        AWS_ACCESS_KEY_ID = $environmentKey; AWS_SECRET_ACCESS_KEY = 'pester-env-secret'; AWS_SESSION_TOKEN = $null; AWS_PROFILE = $null; AWS_DEFAULT_PROFILE = $null
        AWS_SHARED_CREDENTIALS_FILE = Join-Path $scratch 'credentials'; AWS_CONFIG_FILE = Join-Path $scratch 'config'
        ALTIMETER_PESTER_EXT_ID = 'pester-external-id'; ALTIMETER_IGNORE_AWS_TOOLS = $null
    }
    $hubJson = '{"multi_hop_accessors": [{"role_session_name": "to-hub", "access_steps": [{"role_name": "Hub"}]}]}'
    $targetJson = '{"multi_hop_accessors": [{"role_session_name": "from-hub", "access_steps": [{"role_name": "Target"}]}]}'
}

AfterAll {
    Stop-TestFile $suite
    Remove-Item -Recurse -Force $standInRoot, $scratch -ErrorAction SilentlyContinue
}

Describe 'Altimeter.Auth beside AWS Tools for PowerShell' {
    BeforeEach { Reset-MotoServer $server }

    It 'Get-AltimeterSession / a session piped to Set-AWSCredential signs the next chain (<Order>)' -ForEach @(
        @{ Order = @('Altimeter.Auth', 'AWS.Tools.Common') }, @{ Order = @('AWS.Tools.Common', 'Altimeter.Auth') }
    ) {
        $result = Invoke-FreshPwsh -NoImport -Environment $environment -Parameters @{ ModulePath = $modulePath; Order = $Order; HubJson = $hubJson; TargetJson = $targetJson } {
            param($ModulePath, $Order, $HubJson, $TargetJson)
            foreach ($name in $Order) { if ($name -eq 'Altimeter.Auth') { Import-Module $ModulePath } else { Import-Module $name } }
            $hub = Get-AltimeterSession 111111111111 -Accessor (New-AltimeterAccessor -Json $HubJson -NoCache)
            $hub | Set-AWSCredential
            $verbose = Get-AltimeterSession 333333333333 -Accessor (New-AltimeterAccessor -Json $TargetJson -NoCache) -Verbose 4>&1
            [pscustomobject]@{
                HubKey = $hub.GetCredentials().AccessKey
                Shell = "$StoredAWSCredentials"
                ShellHoldsHub = [object]::ReferenceEquals((Get-AWSCredential), $hub)
                Account = @($verbose | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] })[0].AccountId
                Verbose = @($verbose | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message) -join "`n"
            }
        }
        $result.Shell | Should -Be 'Credentials Object'
        $result.ShellHoldsHub | Should -BeTrue
        $requests = @(Get-MotoRequest $server)
        $requests | Should -HaveCount 2
        $requests[0].SignedBy | Should -Be $environmentKey
        $requests[1].Parameters.RoleArn | Should -Be 'arn:aws:iam::333333333333:role/Target'
        $requests[1].SignedBy | Should -Be $result.HubKey
        $result.Account | Should -Be '333333333333'
        $result.Verbose | Should -BeLike '*Set-AWSCredential (Credentials Object)*'
    }

    It 'Get-AltimeterSession / a profile stored with Set-AWSCredential -ProfileName <Profile> starts the chain as that profile (<Order>)' -ForEach @(
        @{ Profile = 'audit'; Signer = 'AKIAPESTERAUDIT00001'; Order = @('AWS.Tools.Common', 'Altimeter.Auth') }
        @{ Profile = 'audit'; Signer = 'AKIAPESTERAUDIT00001'; Order = @('Altimeter.Auth', 'AWS.Tools.Common') }
        @{ Profile = 'audit-process'; Signer = 'AKIAPESTERPROCESS001'; Order = @('AWS.Tools.Common', 'Altimeter.Auth') }
    ) {
        $result = Invoke-FreshPwsh -NoImport -Environment $environment -Parameters @{ ModulePath = $modulePath; Order = $Order; AccessorPath = $twoHopFile; Profile = $Profile } {
            param($ModulePath, $Order, $AccessorPath, $Profile)
            foreach ($name in $Order) { if ($name -eq 'Altimeter.Auth') { Import-Module $ModulePath } else { Import-Module $name } }
            Set-AWSCredential -ProfileName $Profile
            $session = Get-AltimeterSession 222222222222 -Accessor (New-AltimeterAccessor -Path $AccessorPath)
            [pscustomobject]@{ Shell = "$StoredAWSCredentials"; Account = $session.AccountId }
        }
        $result.Shell | Should -Be $Profile
        $result.Account | Should -Be '222222222222'
        (Get-MotoRequest $server)[0].SignedBy | Should -Be $Signer
    }

    It 'Get-AltimeterSession / sees what Set-AWSCredential stored in the calling function''s scope, and -Scope Global from anywhere' {
        $result = Invoke-FreshPwsh -NoImport -Environment $environment -Parameters @{ ModulePath = $modulePath; AccessorPath = $twoHopFile } {
            param($ModulePath, $AccessorPath)
            Import-Module AWS.Tools.Common
            Import-Module $ModulePath
            $accessor = New-AltimeterAccessor -Path $AccessorPath -NoCache
            function Invoke-WithLocalShellCredential($Accessor) {
                Set-AWSCredential -AccessKey AKIAPESTERLOCALSCOPE -SecretKey 'pester-local-secret'
                $null = Get-AltimeterSession 222222222222 -Accessor $Accessor
            }
            function Set-GlobalShellCredential { Set-AWSCredential -AccessKey AKIAPESTERGLOBALSCOP -SecretKey 'pester-global-secret' -Scope Global }
            Invoke-WithLocalShellCredential $accessor
            $afterFunction = "$StoredAWSCredentials"
            Set-GlobalShellCredential
            $null = Get-AltimeterSession 222222222222 -Accessor $accessor
            [pscustomobject]@{ AfterFunction = $afterFunction }
        }
        $result.AfterFunction | Should -BeNullOrEmpty -Because 'AWS Tools stores into the caller''s scope, not the global one'
        $signers = @(Get-MotoRequest $server | Where-Object { $_.Parameters.RoleArn -like '*111111111111*' } | ForEach-Object SignedBy)
        $signers | Should -Be @('AKIAPESTERLOCALSCOPE', 'AKIAPESTERGLOBALSCOP')
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

    It 'Get-AltimeterSession / AWS Tools installed but not imported: shell variables set by hand are not AWS Tools'' and import nothing' {
        $environment.ALTIMETER_IGNORE_AWS_TOOLS = '1'
        try {
            $result = Invoke-FreshPwsh -NoImport -Environment $environment -Parameters @{ ModulePath = $modulePath; AccessorPath = $twoHopFile } {
                param($ModulePath, $AccessorPath)
                Import-Module $ModulePath
                $StoredAWSCredentials = 'audit'
                $StoredAWSRegion = 'eu-west-1'
                $session = Get-AltimeterSession 222222222222 -Accessor (New-AltimeterAccessor -Path $AccessorPath)
                [pscustomobject]@{ Region = $session.Region; AwsToolsImported = [bool](Get-Module AWS.Tools.Common) }
            }
        }
        finally { $environment.ALTIMETER_IGNORE_AWS_TOOLS = $null }
        $result.AwsToolsImported | Should -BeFalse
        $result.Region | Should -Be 'us-east-1'
        (Get-MotoRequest $server)[0].SignedBy | Should -Be $environmentKey
    }
}
