# The package as users get it: made by `build.ps1 Package` (the Test task runs it first), published
# with PSResourceGet to a local file repository, installed by name into a scratch HOME in a fresh
# pwsh, and used there against moto.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    $repositoryRoot = (Resolve-Path (Join-Path $PSScriptRoot '../../..')).Path
    $props = [xml](Get-Content -Raw (Join-Path $repositoryRoot 'Directory.Build.props'))
    $version = @($props.Project.PropertyGroup.Version | Where-Object { $_ })[0]
    $feed = Join-Path $repositoryRoot 'out/feed'
    $nupkg = Join-Path $feed "Altimeter.Auth.$version.nupkg"
    $moduleFolder = Join-Path $repositoryRoot "out/package/Altimeter.Auth/$version"
    if (-not (Test-Path $nupkg)) { throw "No ${nupkg}: run 'dotnet pwsh ./build.ps1 Package' (the Test task does) before these tests." }

    # Exactly what ships; anything else in the package is a leftover.
    $shipped = @(
        'Altimeter.Auth.psd1', 'Altimeter.Auth.format.ps1xml',
        'Altimeter.Auth.dll', 'Altimeter.Auth.PowerShell.dll', 'AWSSDK.Core.dll', 'AWSSDK.SecurityToken.dll', 'AWSSDK.SSO.dll', 'AWSSDK.SSOOIDC.dll', 'Tomlyn.dll',
        'en-US/Altimeter.Auth.PowerShell.dll-Help.xml', 'en-US/about_Altimeter_Auth.help.txt',
        'LICENSE', 'README.md', 'THIRD-PARTY-NOTICES.txt'
        # build.ps1 precompiles on linux-x64 (the Windows layer runs, under Wine, the package built there).
        if ([System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture -eq 'X64' -and -not $IsMacOS -and $env:ALTIMETER_READYTORUN -ne '0') {
            foreach ($name in 'Altimeter.Auth.dll', 'AWSSDK.Core.dll', 'AWSSDK.SecurityToken.dll', 'AWSSDK.SSO.dll', 'AWSSDK.SSOOIDC.dll', 'Tomlyn.dll') { "ReadyToRun/net10.0-linux-x64/$name" }
        }
        # The native credential_process (build.ps1 Native, which Package runs) on linux-x64 only; like
        # ReadyToRun, it is in the package built there that the Windows layer runs under Wine.
        if ([System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture -eq 'X64' -and -not $IsMacOS) { 'native/linux-x64/altimeter-credential-process' }
    ) | Sort-Object
}

Describe 'The Altimeter.Auth package' {
    It 'Package / the .nupkg holds exactly the module''s files and NuGet''s own metadata, no test or build leftovers' {
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [System.IO.Compression.ZipFile]::OpenRead($nupkg)
        try { $entries = @($zip.Entries.FullName) } finally { $zip.Dispose() }
        $nugetOwn = { $_ -in '[Content_Types].xml', 'Altimeter.Auth.nuspec' -or $_ -like '_rels/*' -or $_ -like 'package/*' }

        @($entries | Where-Object { -not (& $nugetOwn) } | Sort-Object) | Should -Be $shipped
        $entries | Where-Object { $_ -match '\.(pdb|trx|json|cs|ps1)$|tests/|bench/|obj/|bin/' } | Should -BeNullOrEmpty
    }

    It 'Package / the module folder is Altimeter.Auth/<version>/ with the same files' {
        $files = @(Get-ChildItem -Recurse -File $moduleFolder | ForEach-Object { [System.IO.Path]::GetRelativePath($moduleFolder, $_.FullName) -replace '\\', '/' } | Sort-Object)
        $files | Should -Be $shipped
    }

    It 'Package / its manifest passes Test-ModuleManifest with the version, release notes and PSData of the release' {
        $manifest = Test-ModuleManifest (Join-Path $moduleFolder 'Altimeter.Auth.psd1')
        $manifest.Version.ToString() | Should -Be $version
        $manifest.ExportedCmdlets.Keys | Sort-Object | Should -Be @(Get-DeclaredCmdlets)
        $manifest.Tags | Should -Contain 'AWS'
        $manifest.LicenseUri | Should -Not -BeNullOrEmpty
        $changelog = Get-Content -Raw (Join-Path $repositoryRoot 'CHANGELOG.md')
        $changelog | Should -Match "(?m)^## $([regex]::Escape($version))\s*$" -Because 'the top entry of CHANGELOG.md is the version released'
        ([regex]::Match($changelog, '(?m)^## (\S+)').Groups[1].Value) | Should -Be $version
        $manifest.ReleaseNotes | Should -BeLike '*New-AltimeterAccessor*'
    }

    It 'Package / the assemblies carry the release version' {
        foreach ($name in 'Altimeter.Auth.dll', 'Altimeter.Auth.PowerShell.dll') {
            [System.Reflection.AssemblyName]::GetAssemblyName((Join-Path $moduleFolder $name)).Version.ToString(3) | Should -Be $version
        }
    }

    # Tag Unix: the scratch HOME (XDG folders) keeps the install away from the user's own modules; on
    # Windows -Scope CurrentUser writes to the real Documents folder, which a test must not touch.
    Context 'installed with Install-PSResource from a local repository into a scratch HOME' -Tag Unix {
        BeforeAll {
            $server = Start-MotoServer
            $scratch = Join-Path ([System.IO.Path]::GetTempPath()) "altimeter-install-$([guid]::NewGuid())"
            # .NET gives an empty path for a data folder that does not exist: make them before the child starts.
            foreach ($folder in '.local/share', '.config', '.cache') { $null = New-Item -ItemType Directory -Force (Join-Path $scratch $folder) }
            $environment = @{
                HOME = $scratch; XDG_DATA_HOME = "$scratch/.local/share"; XDG_CONFIG_HOME = "$scratch/.config"; XDG_CACHE_HOME = "$scratch/.cache"
                PSModulePath = $null; DOTNET_CLI_HOME = $HOME
                AWS_ENDPOINT_URL_STS = $server.Url; AWS_REGION = 'us-east-1'; AWS_EC2_METADATA_DISABLED = 'true'
                AWS_ACCESS_KEY_ID = 'AKIAPESTERINSTALLED1'; AWS_SECRET_ACCESS_KEY = 'pester-installed-secret'; AWS_SESSION_TOKEN = $null; AWS_PROFILE = $null
                AWS_CONFIG_FILE = "$scratch/aws-config"; AWS_SHARED_CREDENTIALS_FILE = "$scratch/no-credentials"; ALTIMETER_CREDENTIAL_CACHE = $null
                ALTIMETER_DEMO_EXTERNAL_ID = 'demo-external-id'
            }
            $accessorPath = Join-Path $repositoryRoot 'examples/accessor.json'
            $null = Invoke-FreshPwsh -NoImport -Environment $environment -Parameters @{ Feed = $feed; Version = $version } {
                param($Feed, $Version)
                Register-PSResourceRepository -Name AltimeterTestFeed -Uri $Feed -Trusted
                Install-PSResource Altimeter.Auth -Repository AltimeterTestFeed -Scope CurrentUser -Version $Version -TrustRepository
            }
        }

        AfterAll {
            Stop-MotoServer $server
            Remove-Item -Recurse -Force $scratch -ErrorAction SilentlyContinue
        }

        BeforeEach { Reset-MotoServer $server }

        It 'Package / Import-Module by name, and the demo chain works against moto' {
            $result = Invoke-FreshPwsh -NoImport -Environment $environment -Parameters @{ AccessorPath = $accessorPath } {
                param($AccessorPath)
                Import-Module Altimeter.Auth
                $module = Get-Module Altimeter.Auth
                $accessor = New-AltimeterAccessor -Path $AccessorPath
                $sessions = '222222222222', '333333333333', '444444444444' | Get-AltimeterSession -Accessor $accessor
                [pscustomobject]@{
                    ModuleBase = $module.ModuleBase
                    Version = $module.Version.ToString()
                    Cmdlets = @((Get-Command -Module Altimeter.Auth).Name | Sort-Object)
                    Accounts = @($sessions.AccountId)
                    Available = @(Get-Module -ListAvailable Altimeter.Auth | ForEach-Object { $_.Version.ToString() })
                }
            }

            $result.ModuleBase | Should -BeLike "$scratch*"
            $result.Version | Should -Be $version
            $result.Available | Should -Be @($version)
            $result.Cmdlets | Should -Be @(Get-DeclaredCmdlets)
            $result.Accounts | Should -Be @('222222222222', '333333333333', '444444444444')
            @(Get-MotoRequest $server | Where-Object Action -EQ 'AssumeRole') | Should -HaveCount 4
        }

        It 'Package / Export-AltimeterProfile from the installed module: the AWS CLI reaches the account through the native line and through the pwsh line' {
            $result = Invoke-FreshPwsh -NoImport -Environment $environment -Parameters @{ AccessorPath = $accessorPath } {
                param($AccessorPath)
                Import-Module Altimeter.Auth
                $module = Get-Module Altimeter.Auth
                $program = Join-Path $module.ModuleBase 'native/linux-x64/altimeter-credential-process'
                $modeAsInstalled = (Get-Item -LiteralPath $program).UnixFileMode.ToString()
                $native = '333333333333' | Export-AltimeterProfile -Path $AccessorPath -Region us-east-1 -ProfileName 'native-{AccountId}' -WarningVariable nativeWarnings
                $pwsh = '333333333333' | Export-AltimeterProfile -Path $AccessorPath -Region us-east-1 -ProfileName 'pwsh-{AccountId}' -Program PowerShell
                $cli = foreach ($name in $native.ProfileName, $pwsh.ProfileName) {
                    $output = & aws sts get-caller-identity --profile $name --output json 2>&1
                    [pscustomobject]@{ Profile = $name; ExitCode = $LASTEXITCODE; Output = "$output" }
                }
                [pscustomobject]@{
                    ModuleBase = $module.ModuleBase
                    ModeAsInstalled = $modeAsInstalled
                    NativeLine = $native.CredentialProcess
                    NativeWarnings = @($nativeWarnings | ForEach-Object Message)
                    PwshLine = $pwsh.CredentialProcess
                    Cli = @($cli)
                }
            }

            $program = Join-Path $result.ModuleBase 'native/linux-x64/altimeter-credential-process'
            $result.ModeAsInstalled | Should -Not -Match 'UserExecute' -Because 'a .nupkg keeps no file modes: this is what the export has to mend'
            $result.NativeWarnings | Should -HaveCount 0
            $result.NativeLine | Should -BeLike "$program 333333333333 --path *"
            $result.PwshLine | Should -BeLike "*$($result.ModuleBase)/Altimeter.Auth.psd1*Invoke-AltimeterCredentialProcess 333333333333*"
            foreach ($run in $result.Cli) {
                $run.ExitCode | Should -Be 0 -Because "$($run.Profile): $($run.Output)"
                ($run.Output | ConvertFrom-Json).Arn | Should -Be 'arn:aws:sts::333333333333:assumed-role/OrganizationAccountAccessRole/altimeter-demo' -Because $run.Profile
            }
            # Each line walked the 2-hop chain itself (no shared cache between them): two AssumeRole each.
            @(Get-MotoRequest $server | Where-Object Action -EQ 'AssumeRole') | Should -HaveCount 4
            @(Get-MotoRequest $server | Where-Object Action -EQ 'GetCallerIdentity') | Should -HaveCount 2
        }
    }
}
