# altimeter-credential-process, the native (NativeAOT) credential_process shipped in the module for
# linux-x64 (build.ps1 Native; Package and Test run it), through profiles Export-AltimeterProfile
# writes, as the AWS CLI runs them: against moto. It uses the engine the module uses, so the chain,
# the shared cache and the errors are the same.
# Tag Unix: the AWS CLI and the linux-x64 program, which the Windows run (under Wine) cannot start.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    $suite = Start-TestFile -StsEnvironment
    $server = $suite.Server
    $program = Join-Path (Split-Path (Get-AltimeterModulePath)) 'native/linux-x64/altimeter-credential-process'
    $isLinuxX64 = $IsLinux -and [System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture -eq 'X64'

    $scratch = Join-Path ([System.IO.Path]::GetTempPath()) "altimeter-native-$([guid]::NewGuid())"
    $null = New-Item -ItemType Directory -Force $scratch
    $accessor = Join-Path $scratch 'accessor.json'
    Set-Content $accessor @'
{"multi_hop_accessors": [{"role_session_name": "altimeter-pester", "access_steps": [
  {"role_name": "AltimeterHub", "account_id": "111111111111", "external_id": "{{ env.ALTIMETER_PESTER_EXT_ID }}"},
  {"role_name": "AltimeterTarget"}]}]}
'@
    $tomlAccessor = Join-Path $scratch 'altimeter.toml'
    Set-Content $tomlAccessor @'
[accessor]
[[accessor.multi_hop_accessors]]
role_session_name = "altimeter-pester"
access_steps = [
  { role_name = "AltimeterHub", account_id = "111111111111" },
  { role_name = "AltimeterTarget" },
]
'@

    # `aws sts get-caller-identity` through $Profile of $Config, with the shared cache $Cache.
    function Invoke-AwsCli([string] $Config, [string] $Profile, [string] $Cache) {
        $saved = $env:AWS_CONFIG_FILE, $env:AWS_SHARED_CREDENTIALS_FILE, $env:ALTIMETER_CREDENTIAL_CACHE
        $env:AWS_CONFIG_FILE = $Config
        $env:AWS_SHARED_CREDENTIALS_FILE = Join-Path $scratch 'no-credentials'
        $env:ALTIMETER_CREDENTIAL_CACHE = $Cache
        try { $output = & aws sts get-caller-identity --profile $Profile --output json 2>&1 }
        finally { $env:AWS_CONFIG_FILE, $env:AWS_SHARED_CREDENTIALS_FILE, $env:ALTIMETER_CREDENTIAL_CACHE = $saved }
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = "$output" }
    }

    # The program alone: standard output and error apart.
    function Invoke-Program([string[]] $Arguments) {
        $info = [System.Diagnostics.ProcessStartInfo]::new($program)
        foreach ($argument in $Arguments) { $info.ArgumentList.Add($argument) }
        $info.UseShellExecute = $false
        $info.RedirectStandardOutput = $true
        $info.RedirectStandardError = $true
        $process = [System.Diagnostics.Process]::Start($info)
        try {
            $stdout = $process.StandardOutput.ReadToEndAsync()
            $stderr = $process.StandardError.ReadToEndAsync()
            if (-not $process.WaitForExit(60000)) { $process.Kill($true); throw 'the program did not finish within 60 s.' }
            [pscustomobject]@{ ExitCode = $process.ExitCode; StdOut = $stdout.Result; StdErr = $stderr.Result }
        }
        finally { $process.Dispose() }
    }
}

AfterAll {
    Stop-TestFile $suite
    Remove-Item -Recurse -Force $scratch -ErrorAction SilentlyContinue
}

Describe 'altimeter-credential-process (native)' -Tag Unix {
    BeforeEach { Reset-MotoServer $server }

    It 'altimeter-credential-process / is shipped in the module on linux-x64 and Export-AltimeterProfile uses it by default (elsewhere the pwsh line)' {
        $config = Join-Path $scratch "config-$([guid]::NewGuid())"

        $profile = '333333333333' | Export-AltimeterProfile -Path $accessor -ConfigFile $config

        if ($isLinuxX64) {
            Test-Path $program | Should -BeTrue -Because 'build.ps1 Native (run by Package and Test) stages it'
            $profile.CredentialProcess | Should -Be "$program 333333333333 --path $accessor"
        }
        else {
            $profile.CredentialProcess | Should -BeLike '*Invoke-AltimeterCredentialProcess 333333333333*'
        }
    }

    It 'Export-AltimeterProfile / a native program without its execute bit (as a .nupkg installs it) is not put in profiles: the pwsh line, and a warning saying how to enable it' {
        $copy = Join-Path $scratch "module-$([guid]::NewGuid())"
        Copy-Item -Recurse (Split-Path (Get-AltimeterModulePath)) $copy
        $copied = Join-Path $copy 'native/linux-x64/altimeter-credential-process'
        chmod 0644 $copied
        $config = Join-Path $scratch "config-$([guid]::NewGuid())"

        $result = Invoke-FreshPwsh -NoImport -Parameters @{ Module = (Join-Path $copy 'Altimeter.Auth.psd1'); Accessor = $accessor; Config = $config } -ScriptBlock {
            param($Module, $Accessor, $Config)
            Import-Module $Module
            $profile = '333333333333' | Export-AltimeterProfile -Path $Accessor -ConfigFile $Config -WarningVariable warned -WarningAction SilentlyContinue
            @{ Line = $profile.CredentialProcess; Warnings = @($warned | ForEach-Object Message) }
        }

        $result.Line | Should -BeLike '*Invoke-AltimeterCredentialProcess 333333333333*'
        $result.Warnings | Should -HaveCount 1
        $result.Warnings[0] | Should -BeLike "*chmod +x '$copied'*"
    }

    It 'altimeter-credential-process / the AWS CLI reaches the account through an exported profile: cold through the 2-hop chain, then warm from the shared cache with no STS call' {
        $config = Join-Path $scratch "config-$([guid]::NewGuid())"
        $cache = Join-Path $scratch "cache-$([guid]::NewGuid())"
        $profile = '333333333333' | Export-AltimeterProfile -Path $accessor -ConfigFile $config -Region us-east-1 -Program Native

        $cold = Invoke-AwsCli $config $profile.ProfileName $cache
        $coldCalls = @(Get-MotoRequest $server)
        # Not reset: moto would forget the keys it issued, which the cache still holds.
        $warm = Invoke-AwsCli $config $profile.ProfileName $cache
        $warmCalls = @(Get-MotoRequest $server | Select-Object -Skip $coldCalls.Count)

        $cold.ExitCode | Should -Be 0 -Because $cold.Output
        ($cold.Output | ConvertFrom-Json).Arn | Should -Be 'arn:aws:sts::333333333333:assumed-role/AltimeterTarget/altimeter-pester'
        @($coldCalls | Where-Object Action -EQ 'AssumeRole').Parameters.RoleArn | Should -Be @('arn:aws:iam::111111111111:role/AltimeterHub', 'arn:aws:iam::333333333333:role/AltimeterTarget')
        $warm.ExitCode | Should -Be 0 -Because $warm.Output
        ($warm.Output | ConvertFrom-Json).Account | Should -Be '333333333333'
        @($warmCalls | Where-Object Action -EQ 'AssumeRole') | Should -HaveCount 0 -Because 'the shared cache served both hops'
        @($warmCalls | Where-Object Action -EQ 'GetCallerIdentity') | Should -HaveCount 1 -Because 'only the CLI''s own call reached STS'
        @(Get-ChildItem $cache -File) | ForEach-Object { $_.UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite') }
    }

    It 'altimeter-credential-process / reads an altimeter TOML config as the module does' {
        $run = Invoke-Program @('333333333333', '--path', $tomlAccessor, '--region', 'us-east-1')

        $run.ExitCode | Should -Be 0 -Because $run.StdErr
        $json = $run.StdOut | ConvertFrom-Json
        $json.Version | Should -Be 1
        $json.AccessKeyId | Should -BeLike 'ASIA*'
        @($run.StdOut -split "`n" | Where-Object { $_ -ne '' }) | Should -HaveCount 1
    }

    It 'altimeter-credential-process / a bad accessor file: non-zero exit, nothing on standard output, a plain message naming the file and its error id on standard error' {
        $bad = Join-Path $scratch 'bad.json'
        Set-Content $bad '{"multi_hop_accessors": [{"access_steps": []}]}'

        $invalid = Invoke-Program @('333333333333', '--path', $bad)
        $missing = Invoke-Program @('333333333333', '--path', (Join-Path $scratch 'missing.json'))
        $usage = Invoke-Program @('--path', $bad)

        foreach ($run in $invalid, $missing) {
            $run.ExitCode | Should -Be 1
            $run.StdOut | Should -BeNullOrEmpty
            $run.StdErr | Should -Not -Match "`e" -Because 'no colour codes reach the AWS CLI'
        }
        $invalid.StdErr | Should -BeLike 'Accessor*Invalid: *bad.json*'
        $missing.StdErr | Should -BeLike 'AccessorFileUnreadable: *missing.json*'
        $usage.ExitCode | Should -Be 2
        $usage.StdOut | Should -BeNullOrEmpty
    }

    It 'altimeter-credential-process / no chain reaches the account: exit 1 with AccountAuthFailed naming the hop, and no secret on standard error' {
        $env:AWS_ENDPOINT_URL_STS, $saved = 'http://127.0.0.1:9', $env:AWS_ENDPOINT_URL_STS
        try { $run = Invoke-Program @('333333333333', '--path', $accessor, '--region', 'us-east-1') }
        finally { $env:AWS_ENDPOINT_URL_STS = $saved }

        $run.ExitCode | Should -Be 1
        $run.StdOut | Should -BeNullOrEmpty
        $run.StdErr | Should -BeLike 'AccountAuthFailed: *AltimeterHub*'
        $run.StdErr | Should -Not -BeLike '*pester-source-secret-not-real*'
    }
}
