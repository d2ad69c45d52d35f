# Handing a session to other tools: the AWS_* variables for this process or one script block, and
# the credential_process JSON, used for real by the AWS CLI against moto.
# Tag Unix: tests that run the AWS CLI, which the Windows run (under Wine) cannot start.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    $suite = Start-TestFile -StsEnvironment
    $server = $suite.Server
    $accessorPath = Get-FixturePath 'accessors/two-hop.json'
    $accessor = New-AltimeterAccessor -Path $accessorPath
}

AfterAll {
    Stop-TestFile $suite
}

Describe 'Handing sessions to other tools' {
    BeforeEach {
        Reset-MotoServer $server
        # moto forgets the keys it issued on reset: cached ones would be strangers to it.
        Clear-AltimeterCredentialCache -Confirm:$false
    }

    It 'ConvertTo-AltimeterCredentialProcess / writes Version 1 JSON with the keys and an ISO 8601 expiration' {
        $session = Get-AltimeterSession 222222222222 -Accessor $accessor
        $text = $session | ConvertTo-AltimeterCredentialProcess
        $json = $text | ConvertFrom-Json -AsHashtable
        $keys = $session.GetCredentials()

        $json.Version | Should -Be 1
        $json.AccessKeyId | Should -Be $keys.AccessKey
        $json.SecretAccessKey | Should -Be $keys.SecretKey
        $json.SessionToken | Should -Be $keys.Token
        $text | Should -Match '"Expiration":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"'
    }

    It 'ConvertTo-AltimeterCredentialProcess / the AWS CLI gets the target account through a credential_process profile' -Tag Unix {
        $scratch = Join-Path ([System.IO.Path]::GetTempPath()) "altimeter-cli-$([guid]::NewGuid())"
        $null = New-Item -ItemType Directory -Force $scratch
        try {
            $pwsh = (Get-PwshCommandLine) -join ' '
            $command = "Import-Module '$(Get-AltimeterModulePath)'; Get-AltimeterSession 333333333333 -Accessor (New-AltimeterAccessor -Path '$accessorPath') | ConvertTo-AltimeterCredentialProcess"
            Set-Content (Join-Path $scratch 'config') "[profile altimeter]`ncredential_process = $pwsh -NoProfile -NonInteractive -Command `"$command`"`nregion = us-east-1`n"
            $saved = $env:AWS_CONFIG_FILE, $env:AWS_SHARED_CREDENTIALS_FILE
            $env:AWS_CONFIG_FILE = Join-Path $scratch 'config'
            $env:AWS_SHARED_CREDENTIALS_FILE = Join-Path $scratch 'credentials'
            try { $identity = & aws sts get-caller-identity --profile altimeter --output json 2>&1 }
            finally { $env:AWS_CONFIG_FILE, $env:AWS_SHARED_CREDENTIALS_FILE = $saved }

            $LASTEXITCODE | Should -Be 0 -Because "$identity"
            ($identity | ConvertFrom-Json).Account | Should -Be '333333333333'
            (Get-MotoRequest $server | Where-Object Action -EQ 'GetCallerIdentity').SignedBy | Should -BeLike 'ASIA*'
        }
        finally { Remove-Item -Recurse -Force $scratch -ErrorAction SilentlyContinue }
    }

    It 'Invoke-AltimeterCommand / sets the session''s variables only while the script block runs, for native tools too' -Tag Unix {
        $session = Get-AltimeterSession 222222222222 -Accessor $accessor
        $before = $env:AWS_ACCESS_KEY_ID

        $inside = Invoke-AltimeterCommand $session { $env:AWS_ACCESS_KEY_ID; & aws sts get-caller-identity --query Account --output text }

        $inside[0] | Should -Be $session.GetCredentials().AccessKey
        "$($inside[1])".Trim() | Should -Be '222222222222'
        $env:AWS_ACCESS_KEY_ID | Should -Be $before
    }

    It 'Set-AltimeterEnvironment / sets the AWS_* variables of the process, and -WhatIf leaves them' -Tag Unix {
        $session = Get-AltimeterSession 222222222222 -Accessor $accessor
        $saved = Save-TestEnvironment
        try {
            $session | Set-AltimeterEnvironment -WhatIf
            $env:AWS_ACCESS_KEY_ID | Should -Be $saved['AWS_ACCESS_KEY_ID']

            $session | Set-AltimeterEnvironment
            $env:AWS_ACCESS_KEY_ID | Should -Be $session.GetCredentials().AccessKey
            $env:AWS_SESSION_TOKEN | Should -Be $session.GetCredentials().Token
            $env:AWS_REGION | Should -Be 'us-east-1'
            "$(& aws sts get-caller-identity --query Account --output text)".Trim() | Should -Be '222222222222'
        }
        finally { Restore-TestEnvironment $saved }
    }

    It 'Set-AltimeterEnvironment / two sessions piped in keep the last, with a warning that says so' {
        $sessions = Get-AltimeterSession 222222222222, 333333333333 -Accessor $accessor
        $saved = Save-TestEnvironment
        try {
            $sessions | Set-AltimeterEnvironment -WarningVariable warned -WarningAction SilentlyContinue

            $env:AWS_ACCESS_KEY_ID | Should -Be $sessions[1].GetCredentials().AccessKey
            @($warned | Where-Object { "$_" -notlike 'AWS_PROFILE is set*' }).ForEach({ "$_" }) |
                Should -Be @('2 sessions were piped in, and the AWS_* variables hold only the last: 333333333333 (us-east-1). For several accounts, run a block per session with Invoke-AltimeterCommand.')
        }
        finally { Restore-TestEnvironment $saved }
    }
}
