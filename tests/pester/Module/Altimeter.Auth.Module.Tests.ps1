# The module as a whole: what it exports and that it shares one AWSSDK.Core with AWS
# Tools for PowerShell whichever is imported first. AWS Tools cannot be installed here, so a
# stand-in AWS.Tools.Common (New-AwsToolsStandIn) loads another build of AWSSDK.Core through
# RequiredAssemblies, as the real one does.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    $modulePath = Get-AltimeterModulePath
    $moduleFolder = Split-Path $modulePath

    $standInRoot = New-AwsToolsStandIn -Root (Join-Path ([System.IO.Path]::GetTempPath()) "altimeter-awstools-$([guid]::NewGuid())")
    # Another build of the SDK, not a copy of our file: the runtime takes a byte-identical copy for the one it has.
    (Get-FileHash (Join-Path $standInRoot 'AWS.Tools.Common/5.0.0/AWSSDK.Core.dll')).Hash | Should -Not -Be (Get-FileHash (Join-Path $moduleFolder 'AWSSDK.Core.dll')).Hash
    $withAwsTools = @{ PSModulePath = "$standInRoot$([System.IO.Path]::PathSeparator)$env:PSModulePath" }

    $describeSdk = {
        param($ModulePath, $Order)
        foreach ($name in $Order) {
            if ($name -eq 'Altimeter.Auth') { Import-Module $ModulePath } else { Import-Module $name }
        }
        $accessor = New-AltimeterAccessor -Json '{"multi_hop_accessors": [{"role_session_name": "ab", "access_steps": [{"role_name": "R"}]}]}'
        $credentials = [Amazon.Runtime.BasicAWSCredentials]::new('AKIAEXAMPLEEXAMPLE00', 'not-a-secret')
        [pscustomobject]@{
            Locations = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'AWSSDK.Core' } | ForEach-Object Location)
            Chains = $accessor.MultiHopAccessors.Count
            CredentialType = $credentials.GetType().FullName
            AwsToolsLoaded = [bool](Get-Module AWS.Tools.Common)
        }
    }
}

AfterAll {
    Remove-Item -Recurse -Force $standInRoot -ErrorAction SilentlyContinue
}

Describe 'Altimeter.Auth module' {
    It 'Altimeter.Auth / exports exactly its cmdlets' {
        $names = Invoke-FreshPwsh { (Get-Command -Module Altimeter.Auth).Name | Sort-Object }
        @(Get-DeclaredCmdlets) | Should -Contain 'Get-AltimeterSession'
        $names | Should -Be @(Get-DeclaredCmdlets)
    }

    It 'Altimeter.Auth / the staged manifest passes Test-ModuleManifest with the version of Directory.Build.props' {
        $props = [xml](Get-Content -Raw (Join-Path $PSScriptRoot '../../../Directory.Build.props'))
        $version = @($props.Project.PropertyGroup.Version | Where-Object { $_ })[0]
        (Test-ModuleManifest $modulePath).Version.ToString() | Should -Be $version
    }

    It 'Altimeter.Auth / uses its own AWSSDK.Core when AWS Tools is not installed' {
        $result = Invoke-FreshPwsh -NoImport $describeSdk -Parameters @{ ModulePath = $modulePath; Order = @('Altimeter.Auth') }
        $result.Locations | Should -HaveCount 1
        $result.Locations[0] | Should -BeLike "$moduleFolder*"
        $result.AwsToolsLoaded | Should -BeFalse
        $result.CredentialType | Should -Be 'Amazon.Runtime.BasicAWSCredentials'
    }

    It 'Altimeter.Auth / loads the engine and the SDK precompiled for linux-x64 on .NET 10 there, and the IL copies anywhere else' {
        $result = Invoke-FreshPwsh -NoImport $describeSdk -Parameters @{ ModulePath = $modulePath; Order = @('Altimeter.Auth') }
        $linuxX64 = $IsLinux -and [System.Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture -eq 'X64' -and [Environment]::Version.Major -eq 10
        $expected = if ($linuxX64) { Join-Path $moduleFolder 'ReadyToRun/net10.0-linux-x64/AWSSDK.Core.dll' } else { Join-Path $moduleFolder 'AWSSDK.Core.dll' }
        $result.Locations | Should -Be @($expected)
        $result.Chains | Should -Be 1
        $engine = Invoke-FreshPwsh { [Altimeter.Auth.Accessor].Assembly.Location }
        $engine | Should -Be $(if ($linuxX64) { Join-Path $moduleFolder 'ReadyToRun/net10.0-linux-x64/Altimeter.Auth.dll' } else { Join-Path $moduleFolder 'Altimeter.Auth.dll' })
    }

    It 'Altimeter.Auth / imported before AWS.Tools.Common, both import and share one AWSSDK.Core' {
        $result = Invoke-FreshPwsh -NoImport $describeSdk -Environment $withAwsTools -Parameters @{ ModulePath = $modulePath; Order = @('Altimeter.Auth', 'AWS.Tools.Common') }
        $result.Locations | Should -HaveCount 1
        $result.Locations[0] | Should -BeLike "$standInRoot*"
        $result.Chains | Should -Be 1
    }

    It 'Altimeter.Auth / imported before AWS Tools installed as <Layout> (<Module>), both import and share one AWSSDK.Core' -ForEach @(
        @{ Layout = 'Unversioned'; Module = 'AWS.Tools.Common' }
        @{ Layout = 'Monolithic'; Module = 'AWSPowerShell.NetCore' }
    ) {
        $root = New-AwsToolsStandIn -Root (Join-Path ([System.IO.Path]::GetTempPath()) "altimeter-awstools-$([guid]::NewGuid())") -Layout $Layout
        try {
            $result = Invoke-FreshPwsh -NoImport $describeSdk -Environment @{ PSModulePath = "$root$([System.IO.Path]::PathSeparator)$env:PSModulePath" } -Parameters @{ ModulePath = $modulePath; Order = @('Altimeter.Auth', $Module) }
        }
        finally { Remove-Item -Recurse -Force $root -ErrorAction SilentlyContinue }
        $result.Locations | Should -HaveCount 1
        $result.Locations[0] | Should -BeLike "$root*"
        $result.Chains | Should -Be 1
    }

    It 'Altimeter.Auth / the stand-in reproduces the conflict: a second AWSSDK.Core file is refused' {
        $probe = {
            param($ModulePath)
            $env:ALTIMETER_IGNORE_AWS_TOOLS = '1'
            Import-Module $ModulePath
            try { Import-Module AWS.Tools.Common; 'imported' } catch { $_.Exception.Message }
        }
        Invoke-FreshPwsh -NoImport $probe -Environment $withAwsTools -Parameters @{ ModulePath = $modulePath } | Should -BeLike '*same name is already loaded*'
    }

    It 'Altimeter.Auth / imported after AWS.Tools.Common, it uses AWS Tools'' AWSSDK.Core' {
        $result = Invoke-FreshPwsh -NoImport $describeSdk -Environment $withAwsTools -Parameters @{ ModulePath = $modulePath; Order = @('AWS.Tools.Common', 'Altimeter.Auth') }
        $result.Locations | Should -HaveCount 1
        $result.Locations[0] | Should -BeLike "$standInRoot*"
        $result.CredentialType | Should -Be 'Amazon.Runtime.BasicAWSCredentials'
    }

    It 'Altimeter.Auth / AWS Tools 4 installed (built on AWSSDK.Core 3.3, which Altimeter.Auth cannot use): not imported first, its own AWSSDK.Core used' {
        $awsTools4Root = New-AwsToolsStandIn -Root (Join-Path ([System.IO.Path]::GetTempPath()) "altimeter-awstools4-$([guid]::NewGuid())") -Version '4.1.700'
        try {
            $result = Invoke-FreshPwsh -NoImport $describeSdk -Environment @{ PSModulePath = "$awsTools4Root$([System.IO.Path]::PathSeparator)$env:PSModulePath" } -Parameters @{ ModulePath = $modulePath; Order = @('Altimeter.Auth') }
        }
        finally { Remove-Item -Recurse -Force $awsTools4Root -ErrorAction SilentlyContinue }
        $result.AwsToolsLoaded | Should -BeFalse
        $result.Locations | Should -HaveCount 1
        $result.Locations[0] | Should -BeLike "$moduleFolder*"
    }
}
