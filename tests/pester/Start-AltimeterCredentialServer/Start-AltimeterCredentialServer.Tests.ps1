# Start-AltimeterCredentialServer / Stop-AltimeterCredentialServer: the endpoint of
# Invoke-AltimeterCommand -Refreshing on its own, for a tool started outside any block, against
# moto. The endpoint object shows and serializes no token; stopping it (or removing the module)
# ends its token (410, no keys) while the process keeps the port.
# Tag Unix: the tests run the AWS CLI, which the Windows run (under Wine) cannot start.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    $suite = Start-TestFile -StsEnvironment
    $modulePath = Get-AltimeterModulePath
    $server = $suite.Server
    $accessor = New-AltimeterAccessor -Path (Get-FixturePath 'accessors/two-hop.json')

    # The status a request with the endpoint's token gets now.
    function Get-TokenStatus($Endpoint, [string] $Token) {
        (Invoke-WebRequest $Endpoint.Uri -Headers @{ Authorization = $Token } -SkipHttpErrorCheck).StatusCode
    }
}

AfterAll {
    Stop-TestFile $suite
}

Describe 'Start-AltimeterCredentialServer and Stop-AltimeterCredentialServer' {
    BeforeEach {
        Reset-MotoServer $server
        Clear-AltimeterCredentialCache -Confirm:$false
    }

    It 'Start-AltimeterCredentialServer / the AWS CLI started outside any block with its variables gets the session; after Stop from the pipeline it gets nothing and the port stays held' -Tag Unix {
        $session = Get-AltimeterSession 333333333333 -Accessor $accessor
        $endpoint = $session | Start-AltimeterCredentialServer
        $variables = $endpoint.GetEnvironmentVariables()
        try {
            $cli = Invoke-AwsCli $variables 'sts', 'get-caller-identity', '--output', 'json'

            $cli.ExitCode | Should -Be 0 -Because $cli.Error
            ($cli.Output | ConvertFrom-Json).Account | Should -Be '333333333333'
            $variables.Keys | Should -Contain 'AWS_ACCESS_KEY_ID'
            $variables['AWS_ACCESS_KEY_ID'] | Should -BeNullOrEmpty -Because 'the child must get no static keys'
            (Get-MotoRequest $server | Where-Object Action -EQ 'GetCallerIdentity').SignedBy | Should -Be $session.GetCredentials().AccessKey
            $endpoint.Served | Should -Be 1
            $endpoint.IsRunning | Should -BeTrue
            $env:AWS_CONTAINER_CREDENTIALS_FULL_URI | Should -BeNullOrEmpty -Because 'starting a server changes nothing in this process'
        }
        finally {
            $endpoint | Stop-AltimeterCredentialServer
        }

        $late = Invoke-AwsCli $variables 'sts', 'get-caller-identity', '--output', 'json'
        $endpoint.IsRunning | Should -BeFalse
        $late.ExitCode | Should -Not -Be 0
        $endpoint.Served | Should -Be 1
        @(Get-MotoRequest $server | Where-Object Action -EQ 'GetCallerIdentity').Count | Should -Be 1
        Get-TokenStatus $endpoint $variables['AWS_CONTAINER_AUTHORIZATION_TOKEN'] | Should -Be 410
        Test-LoopbackPort $endpoint.Port | Should -BeTrue -Because 'the process keeps the port for as long as it runs'
    }

    It 'Start-AltimeterCredentialServer / with a [default] profile holding keys in ~/.aws/credentials, the AWS CLI started with its variables answers as the session; the copies go with the server' -Tag Unix {
        $session = Get-AltimeterSession 333333333333 -Accessor $accessor
        $scratch = Join-Path ([System.IO.Path]::GetTempPath()) "altimeter-server-home-$([guid]::NewGuid())"
        $null = New-Item -ItemType Directory -Force (Join-Path $scratch '.aws')
        $credentialsFile = Join-Path $scratch '.aws/credentials'
        Set-Content -LiteralPath $credentialsFile -Value "[default]`naws_access_key_id = AKIADEFAULTPROFILE01`naws_secret_access_key = default-secret`n" -NoNewline
        $before = (Get-FileHash -LiteralPath $credentialsFile).Hash
        $saved = Save-TestEnvironment
        $realHome = $HOME
        try {
            $env:HOME = $scratch
            Set-TestVariable AWS_SHARED_CREDENTIALS_FILE $null
            Set-TestVariable AWS_CONFIG_FILE $null
            $endpoint = $session | Start-AltimeterCredentialServer
            $variables = $endpoint.GetEnvironmentVariables()
            $env:HOME = $realHome
            $info = [System.Diagnostics.ProcessStartInfo]::new((Get-Command aws -CommandType Application)[0].Source)
            foreach ($argument in 'sts', 'get-caller-identity', '--query', 'Account', '--output', 'text') { $info.ArgumentList.Add($argument) }
            $info.UseShellExecute = $false
            $info.RedirectStandardOutput = $true
            $info.RedirectStandardError = $true
            $info.Environment['HOME'] = $scratch
            foreach ($name in $variables.Keys) {
                if ($null -eq $variables[$name]) { $null = $info.Environment.Remove($name) } else { $info.Environment[$name] = $variables[$name] }
            }
            $process = [System.Diagnostics.Process]::Start($info)
            $stderr = $process.StandardError.ReadToEndAsync()
            $account = $process.StandardOutput.ReadToEnd().Trim()
            $process.WaitForExit()
            $copy = $variables['AWS_SHARED_CREDENTIALS_FILE']
            $copyWhileRunning = Test-Path -LiteralPath $copy
            $endpoint | Stop-AltimeterCredentialServer

            $account | Should -Be '333333333333' -Because "the server's variables must hide the [default] profile ($($stderr.Result))"
            (Get-MotoRequest $server | Where-Object Action -EQ 'GetCallerIdentity').SignedBy | Should -Be $session.GetCredentials().AccessKey
            $copy | Should -Not -Be $credentialsFile
            $copyWhileRunning | Should -BeTrue
            Test-Path -LiteralPath $copy | Should -BeFalse -Because 'the copies are removed when the server stops'
            (Get-FileHash -LiteralPath $credentialsFile).Hash | Should -Be $before
            { $endpoint.GetEnvironmentVariables() } | Should -Throw '*endpoint has stopped*'
        }
        finally {
            $env:HOME = $realHome
            Restore-TestEnvironment $saved
            Remove-Item -Recurse -Force $scratch -ErrorAction SilentlyContinue
        }
    }

    It 'Start-AltimeterCredentialServer / the endpoint''s views, text and JSON show the URI but never the token or the keys' {
        $session = Get-AltimeterSession 222222222222 -Accessor $accessor
        $endpoint = Start-AltimeterCredentialServer -Session $session
        try {
            $token = $endpoint.GetEnvironmentVariables()['AWS_CONTAINER_AUTHORIZATION_TOKEN']
            $keys = $session.GetCredentials()
            $visible = ($endpoint | ConvertTo-VisibleText) -join "`n"

            $token | Should -Match '^[0-9a-f]{64}$'
            $visible | Should -BeLike "*$($endpoint.Uri)*"
            $visible | Should -Not -BeLike "*$token*"
            $visible | Should -Not -BeLike "*$($keys.SecretKey)*"
            $visible | Should -Not -BeLike "*$($keys.Token)*"
            $endpoint.GetAuthorizationToken() | Should -BeOfType [securestring]
            [System.Net.NetworkCredential]::new('', $endpoint.GetAuthorizationToken()).Password | Should -Be $token
        }
        finally { Stop-AltimeterCredentialServer $endpoint }
    }

    It 'Start-AltimeterCredentialServer / Export-Clixml and ConvertTo-Json -Depth 5 of the endpoint write neither its token nor the keys' {
        $session = Get-AltimeterSession 222222222222 -Accessor $accessor
        $endpoint = Start-AltimeterCredentialServer -Session $session
        $path = Join-Path ([System.IO.Path]::GetTempPath()) "altimeter-pester-$([guid]::NewGuid()).xml"
        try {
            $token = $endpoint.GetEnvironmentVariables()['AWS_CONTAINER_AUTHORIZATION_TOKEN']
            # Off Windows Export-Clixml writes a SecureString as the hex of its UTF-16 text.
            $tokenHex = -join ([System.Text.Encoding]::Unicode.GetBytes($token) | ForEach-Object { $_.ToString('x2') })
            $keys = $session.GetCredentials()
            $endpoint | Export-Clixml -LiteralPath $path -Depth 5
            $written = (Get-Content -Raw -LiteralPath $path) + ($endpoint | ConvertTo-Json -Depth 5 -WarningAction SilentlyContinue)

            $written | Should -BeLike "*$($endpoint.Uri)*"
            foreach ($secret in $token, $tokenHex, $keys.SecretKey, $keys.Token) {
                $written.Contains($secret, [StringComparison]::OrdinalIgnoreCase) | Should -BeFalse
            }
            @($endpoint.PSObject.Properties | Where-Object { "$($_.Value)" -like "*$token*" -or $_.Value -is [securestring] }).Name | Should -BeNullOrEmpty
        }
        finally {
            Stop-AltimeterCredentialServer $endpoint
            Remove-Item -LiteralPath $path -ErrorAction SilentlyContinue
        }
    }

    It 'Stop-AltimeterCredentialServer / -WhatIf leaves the endpoint running' {
        $endpoint = Get-AltimeterSession 222222222222 -Accessor $accessor | Start-AltimeterCredentialServer
        $token = $endpoint.GetEnvironmentVariables()['AWS_CONTAINER_AUTHORIZATION_TOKEN']
        try {
            $endpoint | Stop-AltimeterCredentialServer -WhatIf
            $endpoint.IsRunning | Should -BeTrue
            Get-TokenStatus $endpoint $token | Should -Be 200
        }
        finally { $endpoint | Stop-AltimeterCredentialServer }
        Get-TokenStatus $endpoint $token | Should -Be 410
    }

    It 'Start-AltimeterCredentialServer / Remove-Module stops the servers the runspace started' {
        # A new process inherits the moto environment: local mode, moto's account.
        $result = Invoke-FreshPwsh {
            $session = Get-AltimeterSession 123456789012
            $endpoint = Start-AltimeterCredentialServer $session
            $token = $endpoint.GetEnvironmentVariables()['AWS_CONTAINER_AUTHORIZATION_TOKEN']
            $status = { (Invoke-WebRequest $endpoint.Uri -Headers @{ Authorization = $token } -SkipHttpErrorCheck).StatusCode }
            $before = & $status
            Remove-Module Altimeter.Auth
            $probe = [System.Net.Sockets.TcpClient]::new()
            try { $probe.Connect('127.0.0.1', $endpoint.Port); $held = $true } catch { $held = $false } finally { $probe.Dispose() }
            [pscustomobject]@{ Before = $before; After = & $status; Held = $held }
        }
        $result.Before | Should -Be 200
        $result.After | Should -Be 410
        $result.Held | Should -BeTrue
    }
}
