# Invoke-AltimeterCredentialProcess as the AWS CLI runs it: a credential_process line of an AWS
# config, with a chain that warns (a duration capped to an hour; a malformed shared-cache entry).
# pwsh's console host writes warnings to standard output, which the CLI parses as JSON: the
# cmdlet must keep standard output for the JSON alone. Against moto.
# Tag Unix: tests that run the AWS CLI, which the Windows run (under Wine) cannot start.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    $suite = Start-TestFile -StsEnvironment
    $modulePath = Get-AltimeterModulePath
    $server = $suite.Server

    # The two-hop chain with a target step asking for two hours: New-AltimeterAccessor caps it at
    # one (the hop is signed by the hub's temporary keys) and warns.
    $scratch = Join-Path ([System.IO.Path]::GetTempPath()) "altimeter-cp-$([guid]::NewGuid())"
    $null = New-Item -ItemType Directory -Force $scratch
    $warningAccessor = Join-Path $scratch 'warning-accessor.json'
    Set-Content $warningAccessor @'
{
  "multi_hop_accessors": [
    {
      "role_session_name": "altimeter-pester",
      "access_steps": [
        { "role_name": "AltimeterHub", "account_id": "111111111111", "external_id": "{{ env.ALTIMETER_PESTER_EXT_ID }}" },
        { "role_name": "AltimeterTarget", "duration_seconds": 7200 }
      ]
    }
  ]
}
'@
    $pwsh = (Get-PwshCommandLine) -join ' '
    $quote = { param($text) "'" + ($text -replace "'", "''") + "'" }

    # Runs pwsh -Command $Command as a credential_process runner would: standard output and error apart.
    function Invoke-PwshCommand([string] $Command) {
        $line = @(Get-PwshCommandLine)
        $info = [System.Diagnostics.ProcessStartInfo]::new($line[0])
        foreach ($argument in @($line | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', $Command)) { $info.ArgumentList.Add($argument) }
        $info.UseShellExecute = $false
        $info.RedirectStandardOutput = $true
        $info.RedirectStandardError = $true
        $process = [System.Diagnostics.Process]::Start($info)
        try {
            $stdout = $process.StandardOutput.ReadToEndAsync()
            $stderr = $process.StandardError.ReadToEndAsync()
            if (-not $process.WaitForExit(120000)) { $process.Kill($true); throw 'pwsh did not finish within 120 s.' }
            [pscustomobject]@{ ExitCode = $process.ExitCode; StdOut = $stdout.Result; StdErr = $stderr.Result }
        }
        finally { $process.Dispose() }
    }

    # `aws sts get-caller-identity` through a profile whose credential_process runs $Command.
    function Invoke-AwsCliThrough([string] $Command) {
        Set-Content (Join-Path $scratch 'config') "[profile altimeter]`ncredential_process = $pwsh -NoProfile -NonInteractive -Command `"$Command`"`nregion = us-east-1`n"
        $saved = $env:AWS_CONFIG_FILE, $env:AWS_SHARED_CREDENTIALS_FILE
        $env:AWS_CONFIG_FILE = Join-Path $scratch 'config'
        $env:AWS_SHARED_CREDENTIALS_FILE = Join-Path $scratch 'credentials'
        try { $output = & aws sts get-caller-identity --profile altimeter --output json 2>&1 }
        finally { $env:AWS_CONFIG_FILE, $env:AWS_SHARED_CREDENTIALS_FILE = $saved }
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = "$output" }
    }

    # Every file of the shared cache replaced by broken JSON: the next run warns that it is malformed.
    function Set-MalformedCache([string] $Directory) {
        @(Get-ChildItem $Directory -File) | Should -Not -BeNullOrEmpty -Because 'a first run filled the cache'
        Get-ChildItem $Directory -File | ForEach-Object { Set-Content $_.FullName '{"broken": ' }
    }
}

AfterAll {
    Stop-TestFile $suite
    Remove-Item -Recurse -Force $scratch -ErrorAction SilentlyContinue
}

Describe 'Invoke-AltimeterCredentialProcess' {
    BeforeEach {
        Reset-MotoServer $server
        Clear-AltimeterCredentialCache -Confirm:$false
        $cache = Join-Path $scratch "cache-$([guid]::NewGuid())"
        $command = "Import-Module $(& $quote $modulePath); Invoke-AltimeterCredentialProcess 333333333333 -Path $(& $quote $warningAccessor) -SharedCachePath $(& $quote $cache)"
    }

    It 'Invoke-AltimeterCredentialProcess / the AWS CLI gets the right account through a chain that warns (capped duration, malformed shared-cache entry)' -Tag Unix {
        $first = Invoke-AwsCliThrough $command
        $first.ExitCode | Should -Be 0 -Because $first.Output
        ($first.Output | ConvertFrom-Json).Account | Should -Be '333333333333'

        Set-MalformedCache $cache
        $second = Invoke-AwsCliThrough $command

        $second.ExitCode | Should -Be 0 -Because $second.Output
        ($second.Output | ConvertFrom-Json).Account | Should -Be '333333333333'
        (Get-MotoRequest $server | Where-Object Action -EQ 'GetCallerIdentity').SignedBy | Should -BeLike 'ASIA*'
    }

    It 'Invoke-AltimeterCredentialProcess / standard output is exactly one line of JSON; the warnings, and no secret, are on standard error' -Tag Unix {
        $null = Invoke-PwshCommand $command
        Set-MalformedCache $cache

        $run = Invoke-PwshCommand $command

        $run.ExitCode | Should -Be 0 -Because $run.StdErr
        $lines = @($run.StdOut -split "`r?`n" | Where-Object { $_ -ne '' })
        $lines | Should -HaveCount 1
        $json = $lines[0] | ConvertFrom-Json
        $json.Version | Should -Be 1
        $json.AccessKeyId | Should -BeLike 'ASIA*'
        $run.StdErr | Should -Match '(?m)^WARNING: .*duration_seconds 7200'
        $run.StdErr | Should -Match '(?m)^WARNING: .*malformed'
        $run.StdErr.Contains($json.SecretAccessKey) | Should -BeFalse
        $run.StdErr.Contains($json.SessionToken) | Should -BeFalse
    }

    It 'Invoke-AltimeterCredentialProcess / a failure exits non-zero with nothing on standard output and the message on standard error' -Tag Unix {
        $run = Invoke-PwshCommand "Import-Module $(& $quote $modulePath); Invoke-AltimeterCredentialProcess 333333333333 -Path $(& $quote (Join-Path $scratch 'missing.json'))"

        $run.ExitCode | Should -Not -Be 0
        $run.StdOut.Trim() | Should -BeNullOrEmpty
        $run.StdErr | Should -BeLike '*missing.json*'
    }

    It 'Invoke-AltimeterCredentialProcess / in a session, its only output is the JSON text' {
        $output = @(Invoke-AltimeterCredentialProcess 333333333333 -Path $warningAccessor -WarningVariable warned 2>$null)

        $output | Should -HaveCount 1
        $output[0] | Should -BeOfType [string]
        ($output[0] | ConvertFrom-Json).Version | Should -Be 1
        @($warned) | Should -HaveCount 0 -Because 'the warnings went to standard error, not to the warning stream'
    }

    # Why the cmdlet exists: the line the README gave before it puts the warning on standard output.
    It 'ConvertTo-AltimeterCredentialProcess / the old pipeline form breaks the AWS CLI when the chain warns' -Tag Unix {
        $old = "Import-Module $(& $quote $modulePath); Get-AltimeterSession 333333333333 -Accessor (New-AltimeterAccessor -Path $(& $quote $warningAccessor)) | ConvertTo-AltimeterCredentialProcess"

        $run = Invoke-PwshCommand $old
        $cli = Invoke-AwsCliThrough $old

        # The console host colours it: ANSI escapes before the text.
        ($run.StdOut -replace '\e\[[0-9;]*m') | Should -Match '(?m)^WARNING: .*duration_seconds 7200'
        $cli.ExitCode | Should -Not -Be 0 -Because 'the CLI cannot parse a warning as JSON'
    }
}
