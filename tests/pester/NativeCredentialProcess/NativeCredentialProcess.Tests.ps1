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

    Context 'Export-AltimeterProfile and a native program without its execute bit (as a .nupkg installs it)' {
        BeforeAll {
            # A copy of the module whose native program has $Mode, exported from in a fresh pwsh.
            function Copy-Module([string] $Mode) {
                $copy = Join-Path $scratch "module-$([guid]::NewGuid())"
                Copy-Item -Recurse (Split-Path (Get-AltimeterModulePath)) $copy
                $copied = Join-Path $copy 'native/linux-x64/altimeter-credential-process'
                chmod $Mode $copied
                [pscustomobject]@{ Folder = $copy; Program = $copied }
            }

            function Invoke-Export([string] $Folder, [switch] $WhatIf) {
                $config = Join-Path $scratch "config-$([guid]::NewGuid())"
                Invoke-FreshPwsh -NoImport -Parameters @{ Module = (Join-Path $Folder 'Altimeter.Auth.psd1'); Accessor = $accessor; Config = $config; WhatIf = [bool]$WhatIf } -ScriptBlock {
                    param($Module, $Accessor, $Config, $WhatIf)
                    Import-Module $Module
                    $output = '333333333333' | Export-AltimeterProfile -Path $Accessor -ConfigFile $Config -WhatIf:$WhatIf -WarningVariable warned -WarningAction SilentlyContinue -Verbose 4>&1
                    $isVerbose = { $_ -is [System.Management.Automation.VerboseRecord] }
                    @{
                        Line = ($output | Where-Object { -not (& $isVerbose) }).CredentialProcess
                        Warnings = @($warned | ForEach-Object Message)
                        Verbose = @($output | Where-Object $isVerbose | ForEach-Object Message)
                    }
                }
            }

            function Get-Mode([string] $Path) { [System.Convert]::ToString([int](Get-Item -LiteralPath $Path).UnixFileMode, 8) }
        }

        It 'Export-AltimeterProfile / gives our own program back u+x (and nothing more), says so, and the profiles run it' {
            $module = Copy-Module 0644

            $result = Invoke-Export $module.Folder

            $result.Line | Should -Be "$($module.Program) 333333333333 --path $accessor"
            $result.Warnings | Should -HaveCount 0
            $result.Verbose | Should -Contain "$($module.Program) was not executable (an installed package keeps no file modes): made executable by its owner (u+x)."
            Get-Mode $module.Program | Should -Be '744'
        }

        It 'Export-AltimeterProfile / leaves a program other users can write as it is: a warning saying why, and the pwsh line' {
            $module = Copy-Module 0666

            $result = Invoke-Export $module.Folder

            $result.Line | Should -BeLike '*Invoke-AltimeterCredentialProcess 333333333333*'
            $result.Warnings | Should -HaveCount 1
            $result.Warnings[0] | Should -BeLike "*$($module.Program) is not executable and was left so: *can be written by other users (mode 0666)*chmod u+x '$($module.Program)'*"
            Get-Mode $module.Program | Should -Be '666'
        }

        It 'Export-AltimeterProfile / does not follow a link out of the module folder: the file it names keeps its mode' {
            $module = Copy-Module 0644
            $outside = Join-Path $scratch "outside-$([guid]::NewGuid())"
            Move-Item $module.Program $outside
            $null = New-Item -ItemType SymbolicLink -Path $module.Program -Target $outside

            $result = Invoke-Export $module.Folder

            $result.Line | Should -BeLike '*Invoke-AltimeterCredentialProcess 333333333333*'
            $result.Warnings | Should -HaveCount 1
            $result.Warnings[0] | Should -BeLike '*was left so: it is not inside the module folder*'
            Get-Mode $outside | Should -Be '644'
        }

        It 'Export-AltimeterProfile / -WhatIf changes no file mode' {
            $module = Copy-Module 0644

            $null = Invoke-Export $module.Folder -WhatIf

            Get-Mode $module.Program | Should -Be '644'
        }
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

# Tag Unix: python3's pseudo-terminals and setsid, and the linux-x64 program.
Describe 'altimeter-credential-process (native) asking for an MFA code' -Tag Unix {
    BeforeAll {
        $terminal = Get-FixturePath 'hosts/run_in_terminal.py'
        $optionsFile = Get-FixturePath 'accessors/options.json'
        $serial = 'arn:aws:iam::111111111111:mfa/pester'
        # As the AWS CLI runs it: standard output to the CLI (a file here), the person at the terminal.
        $mfaRun = @($program, '222222222222', '--path', $optionsFile, '--region', 'us-east-1', '--no-cache')

        # A person at a terminal runs $Command, and types $Answer when asked; then `stty -a` shows the terminal's settings.
        function Invoke-InTerminal([string] $Answer, [string[]] $Command) {
            $transcript = Join-Path $scratch "terminal-$([guid]::NewGuid()).txt"
            $stdout = Join-Path $scratch "stdout-$([guid]::NewGuid()).txt"
            & python3 $terminal $transcript 60 'Enter MFA code for' $Answer -- sh -c 'out=$1; shift; "$@" > "$out"; code=$?; stty -a; exit $code' sh $stdout @Command
            [pscustomobject]@{ ExitCode = $LASTEXITCODE; Shown = (Get-Content -Raw -LiteralPath $transcript); StdOut = (Get-Content -Raw -LiteralPath $stdout) }
        }
    }

    BeforeEach { Reset-MotoServer $server }

    It 'altimeter-credential-process / asks on the terminal, echoes no digit of the code, sends it, gives the echo back and writes the credentials to standard output only' {
        $run = Invoke-InTerminal '135791' $mfaRun

        $run.ExitCode | Should -Be 0 -Because $run.Shown
        $run.Shown | Should -BeLike "*Enter MFA code for ${serial}: *"
        $run.Shown | Should -Not -BeLike '*135791*'
        $run.Shown | Should -Not -BeLike '*SecretAccessKey*' -Because 'the credentials go to standard output, not to the terminal'
        $run.Shown | Should -Match '(^|\s)echo(\s|$)' -Because 'the terminal''s echo is back on after the code'
        $json = $run.StdOut | ConvertFrom-Json
        $json.Version | Should -Be 1
        $json.AccessKeyId | Should -BeLike 'ASIA*'
        # Without a cache there is no MFA session to keep: the hub's AssumeRole carries the code.
        $sent = @(Get-MotoRequest $server | Where-Object { $_.Parameters.TokenCode })
        $sent | Should -HaveCount 1
        $sent[0].Action | Should -Be 'AssumeRole'
        $sent[0].Parameters.SerialNumber | Should -Be $serial
        $sent[0].Parameters.TokenCode | Should -Be '135791'
    }

    It 'altimeter-credential-process / a wrong code is asked again (6 digits), then the right one is sent' {
        # Typed as one answer: "12ab" Enter, then the code; the terminal's line discipline hands them over line by line.
        $run = Invoke-InTerminal "12ab`r246802" $mfaRun

        $run.ExitCode | Should -Be 0 -Because $run.Shown
        $run.Shown | Should -BeLike '*An MFA code is 6 digits.*'
        @(Get-MotoRequest $server | Where-Object { $_.Parameters.TokenCode }).Parameters.TokenCode | Should -Be @('246802')
    }

    It 'altimeter-credential-process / nothing typed: MfaTokenRequired, nothing on standard output, no STS call' {
        $run = Invoke-InTerminal '' $mfaRun

        $run.ExitCode | Should -Be 1
        $run.StdOut | Should -BeNullOrEmpty
        $run.Shown | Should -BeLike '*needs an MFA code for*'
        @(Get-MotoRequest $server) | Should -HaveCount 0
    }

    It 'altimeter-credential-process / with no terminal at all (setsid, input from /dev/null): fails at once with MfaTokenRequired in plain text, asks nothing, exit 1' {
        $stderr = Join-Path $scratch "stderr-$([guid]::NewGuid()).txt"
        $stdout = & setsid -w sh -c 'exec "$@" < /dev/null' sh @mfaRun 2> $stderr
        $exitCode = $LASTEXITCODE
        $errors = Get-Content -Raw -LiteralPath $stderr

        $exitCode | Should -Be 1
        $stdout | Should -BeNullOrEmpty
        $errors | Should -BeLike '*needs an MFA code for*'
        $errors | Should -BeLike '*Run the command from a terminal*'
        $errors | Should -Not -BeLike '*Enter MFA code*'
        $errors | Should -Not -Match "`e" -Because 'no colour codes reach the AWS CLI'
        @(Get-MotoRequest $server) | Should -HaveCount 0
    }
}
