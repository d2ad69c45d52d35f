# Secret hygiene, by test: the main scenarios with -Verbose -Debug, every stream captured, formatted
# output, ToString, exception text and JSON of every object — and none of the secret keys or session
# tokens moto issued (read back from moto) may appear, nor the source's secret key.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    $suite = Start-TestFile -StsEnvironment
    $server = $suite.Server
    $accessor = New-AltimeterAccessor -Path (Get-FixturePath 'accessors/two-hop.json')

    # Everything a scenario shows, as text: all six streams, views, ToString, JSON, exception chains.
    function Show-Everything([scriptblock] $Scenario) {
        $records = @(& $Scenario *>&1)
        $texts = foreach ($record in $records) {
            ConvertTo-VisibleText $record
            if ($record -is [System.Management.Automation.ErrorRecord]) { $record.Exception.ToString(); $record | Format-List * -Force | Out-String -Width 1000 }
        }
        [pscustomobject]@{ Records = $records; Text = ($texts -join "`n") }
    }
}

AfterAll {
    Stop-TestFile $suite
}

Describe 'Secrets never shown' {
    BeforeAll {
        Reset-MotoServer $server
        Clear-AltimeterCredentialCache -Confirm:$false
        $DebugPreference = 'Continue'
        $shown = [System.Collections.Generic.List[string]]::new()

        # Success, cold and warm.
        $shown.Add((Show-Everything { '222222222222', '333333333333' | Get-AltimeterSession -Accessor $accessor -Verbose -Debug }).Text)
        $shown.Add((Show-Everything { Get-AltimeterSession 222222222222 -Accessor $accessor -Verbose -Debug }).Text)
        # Each failure kind: bad id, wrong account (local mode), bad region, no answer from STS, no source credentials.
        $shown.Add((Show-Everything { Get-AltimeterSession 'abc', 444444444444 -Accessor $accessor -Verbose -Debug -ErrorAction Continue }).Text)
        $shown.Add((Show-Everything { Get-AltimeterSession 555555555555 -Verbose -Debug -ErrorAction Continue }).Text)
        $shown.Add((Show-Everything { try { Get-AltimeterSession 222222222222 -Accessor $accessor -Region nowhere -Verbose } catch { $_ } }).Text)
        $saved = $env:AWS_ENDPOINT_URL_STS
        $env:AWS_ENDPOINT_URL_STS = 'http://127.0.0.1:9'
        try {
            $fresh = New-AltimeterAccessor -Path (Get-FixturePath 'accessors/two-hop.json') -NoCache
            $shown.Add((Show-Everything { Get-AltimeterSession 666666666666 -Accessor $fresh -MaxAttempts 1 -TimeoutSec 2 -Verbose -Debug -ErrorAction Continue }).Text)
        }
        finally { $env:AWS_ENDPOINT_URL_STS = $saved }
        $shown.Add((Show-Everything { try { Get-AltimeterSession 222222222222 -Accessor $accessor -ProfileName no-such-profile-anywhere -Verbose } catch { $_ } }).Text)
        # Renewal, the cache listed and cleared, the accessor itself.
        $session = Get-AltimeterSession 777777777777 -Accessor $accessor
        $session.RenewalWindow = [TimeSpan]::FromMinutes(61)
        $null = $session.GetCredentials()
        $shown.Add((Show-Everything { $session; $session.ToString(); $session | ConvertTo-Json -Depth 4 -WarningAction SilentlyContinue }).Text)
        $shown.Add((Show-Everything { Get-AltimeterCredentialCache -Verbose }).Text)
        $shown.Add((Show-Everything { Clear-AltimeterCredentialCache -AccountId 222222222222 -PassThru -Verbose -Confirm:$false }).Text)
        $shown.Add((Show-Everything { $accessor; $accessor | ConvertTo-Json -Depth 6 -WarningAction SilentlyContinue; $accessor.ToString() }).Text)
        # The exports' own messages (what they print besides what the user asked for) show no secret either.
        $saved = Save-TestEnvironment
        try {
            $shown.Add((Show-Everything { $session | Set-AltimeterEnvironment -WhatIf -Verbose; $session | Set-AltimeterEnvironment -Verbose }).Text)
        }
        finally { Restore-TestEnvironment $saved }
        $shown.Add((Show-Everything { Invoke-AltimeterCommand $session { 'ran' } -Verbose }).Text)
        # A program per session that fails: the messages name the account and the code. The system's shell
        # (under Wine the host process is the test runner, not pwsh, so not this process's own program).
        $failing = if ($IsWindows) { ($env:ComSpec ?? (Join-Path $env:SystemRoot 'System32\cmd.exe')), '/c', 'exit 3' } else { 'sh', '-c', 'exit 3' }
        $shown.Add((Show-Everything { $session | Invoke-AltimeterCommand -FilePath $failing[0] -ArgumentList ($failing | Select-Object -Skip 1) -Verbose -ErrorAction Continue }).Text)
        $DebugPreference = 'SilentlyContinue'

        $all = $shown -join "`n"
        $issued = @(Get-MotoAssumedRole $server)
        $secrets = @($issued.secret_access_key) + @($issued.session_token) + $env:AWS_SECRET_ACCESS_KEY
    }

    It 'Secrets / the scenarios really ran: sessions, errors of each kind, renewal' {
        $issued.Count | Should -BeGreaterOrEqual 6
        $session.Renewals | Should -Be 1
        foreach ($id in 'InvalidAccountId', 'AccountAuthFailed', 'InvalidRegion', 'NoSourceCredentials', 'ProgramFailed') {
            $all | Should -Match $id
        }
        $all | Should -Match '666666666666.*AssumeRole arn:aws:iam::111111111111:role/AltimeterHub failed' -Because 'the unreachable-STS scenario ran'
        $all | Should -Match '222222222222'
    }

    It 'Secrets / no secret key or session token moto issued, nor the source secret key, appears anywhere' {
        $secrets | ForEach-Object { $_ | Should -Not -BeNullOrEmpty }
        foreach ($secret in $secrets) {
            $all.Contains($secret) | Should -BeFalse -Because "no output may contain a secret ($($secret.Substring(0, 4))...)"
        }
        Write-Host "secret hygiene: $($secrets.Count) secrets checked against $($all.Length) characters of output"
    }

    It 'Secrets / access key ids appear only masked to their last four characters' {
        foreach ($keyId in $issued.access_key_id) {
            $all.Contains($keyId) | Should -BeFalse
        }
        $all | Should -Match '\*\*\*\*[A-Z0-9]{4}'
    }
}
