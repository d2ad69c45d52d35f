# Invoke-AltimeterSsoLogin: the device-authorization sign-in against the loopback Identity Center
# double (tests/Altimeter.Auth.Tests/Doubles/SsoPortalDouble.cs, reached through
# AWS_ENDPOINT_URL_SSO_OIDC), with a person played by the answering host (tests/fixtures/hosts) in a
# runspace of this process, a scratch HOME, and a fake browser on PATH that records its argument:
# no real browser, no real ~/.aws. The token it writes is then used by Get-AltimeterSession in a
# fresh pwsh, whose chain goes on into moto.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../fixtures/IdentityCenter.psm1') -Force
    Add-LoopbackDoubles
    if (-not ('Altimeter.Auth.TestHosts.AnsweringHost' -as [type])) {
        Add-Type -Path (Get-FixturePath 'hosts/AnsweringHost.cs')
    }

    $suite = Start-TestFile -Moto -NoImport
    $server = $suite.Server
    $commandId = 'Altimeter.Auth.Commands.InvokeAltimeterSsoLoginCommand'
    $changed = 'HOME', 'PATH', 'DISPLAY', 'WAYLAND_DISPLAY', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_ENDPOINT_URL_SSO', 'AWS_ENDPOINT_URL_SSO_OIDC', 'AWS_ENDPOINT_URL', 'AWS_PROFILE'

    # Invoke-AltimeterSsoLogin with $Arguments in a runspace whose host is a person; returns the
    # output and the error, and leaves the running shell in $script:shell for a test that stops it.
    function Start-SignIn([hashtable] $Arguments) {
        $script:person = [Altimeter.Auth.TestHosts.AnsweringHost]::new(@())
        $script:runspace = [runspacefactory]::CreateRunspace($script:person)
        $script:runspace.Open()
        $script:shell = [powershell]::Create()
        $script:shell.Runspace = $script:runspace
        $null = $script:shell.AddCommand('Import-Module').AddParameter('Name', (Get-AltimeterModulePath)).AddStatement()
        $null = $script:shell.AddCommand('Invoke-AltimeterSsoLogin').AddParameters($Arguments)
        $script:shell.BeginInvoke()
    }

    function Complete-SignIn($Running) {
        try {
            $output = @($script:shell.EndInvoke($Running))
            $record = @($script:shell.Streams.Error) | Select-Object -First 1
            [pscustomobject]@{ Output = $output; Error = $record; Id = $record.FullyQualifiedErrorId }
        }
        catch {
            $record = $_.Exception.InnerException.ErrorRecord
            [pscustomobject]@{ Output = @(); Error = $record; Id = $record.FullyQualifiedErrorId }
        }
        finally {
            $script:shell.Dispose()
            $script:runspace.Dispose()
        }
    }

    function Invoke-SignIn([hashtable] $Arguments) { Complete-SignIn (Start-SignIn $Arguments) }

    function Get-UnixMode([string] $Path) { [System.IO.File]::GetUnixFileMode($Path) }
}

AfterAll {
    Stop-TestFile $suite
}

# One scratch home and one double for the file: a process's SDK reads AWS_CONFIG_FILE once.
# Tag Unix: the fake browser is a shell script, and the token cache is found through HOME, which
# does not move the Windows user profile folder the SDK reads it from.
Describe 'Invoke-AltimeterSsoLogin' -Tag Unix {
    BeforeAll {
        $saved = @{}
        foreach ($name in $changed) { $saved[$name] = [Environment]::GetEnvironmentVariable($name) }
        $portal = [Altimeter.Auth.Tests.Doubles.SsoPortalDouble]::new()
        $scratch = New-IdentityCenterHome -PortalUrl $portal.Url -StsUrl $server.Url

        # The browser: a script named as the launcher, recording how many arguments it got and the first.
        $bin = Join-Path $scratch.Home 'bin'
        $browserLog = Join-Path $scratch.Home 'browser.log'
        $null = New-Item -ItemType Directory $bin
        Set-Content -LiteralPath (Join-Path $bin 'xdg-open') -Value "#!/bin/sh`nprintf '%s\n' `"`$#:`$1`" >> '$browserLog'`n"
        [System.IO.File]::SetUnixFileMode((Join-Path $bin 'xdg-open'), 'UserRead, UserWrite, UserExecute')

        foreach ($name in 'HOME', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_ENDPOINT_URL_SSO', 'AWS_ENDPOINT_URL_SSO_OIDC', 'AWS_ENDPOINT_URL', 'AWS_PROFILE') {
            Set-TestVariable $name $scratch.Environment[$name]
        }
        $env:PATH = "$bin$([System.IO.Path]::PathSeparator)$($saved.PATH)"
        $env:DISPLAY = ':altimeter-pester'
        Set-TestVariable 'WAYLAND_DISPLAY' $null
    }

    AfterAll {
        foreach ($name in $changed) { Set-TestVariable $name $saved[$name] }
        $portal.Dispose()
        Remove-Item -Recurse -Force $scratch.Home -ErrorAction SilentlyContinue
    }

    BeforeEach {
        Reset-MotoServer $server
        $portal.Reset()
        Remove-Item -Recurse -Force $scratch.Cache, $browserLog -ErrorAction SilentlyContinue
    }

    It 'Invoke-AltimeterSsoLogin / completes the device flow through authorization_pending and slow_down (polls 5 s further apart after it), opens the browser at the address with the code, and writes the token owner-only where a fresh pwsh''s Get-AltimeterSession -ProfileName dev uses it with one GetRoleCredentials' {
        $portal.DeviceAnswers.Enqueue('authorization_pending')
        $portal.DeviceAnswers.Enqueue('slow_down')

        $result = Invoke-SignIn @{ ProfileName = 'dev' }

        $result.Error | Should -BeNullOrEmpty
        $signedIn = $result.Output | Select-Object -Last 1
        $tokenFile = Join-Path $scratch.Cache (Get-TokenFileName 'corp')
        $signedIn.TokenFile | Should -Be $tokenFile
        $signedIn.ProfileName | Should -Be 'dev'
        $signedIn.SsoSession | Should -Be 'corp'
        $signedIn.ExpiresAt | Should -BeGreaterThan ([datetimeoffset]::UtcNow.AddHours(7))
        $portal.RegisterClientCount | Should -Be 1
        @($portal.Registrations) | Should -Be @('altimeter-auth-corp public sso:account:access')
        $portal.StartDeviceAuthorizationCount | Should -Be 1

        # Polls: pending at +1 s, slow_down at +2 s, the token 1 + 5 s later.
        $polls = @($portal.DevicePolls)
        $polls | Should -HaveCount 3
        ($polls[1] - $polls[0]).TotalSeconds | Should -BeLessThan 2.5
        ($polls[2] - $polls[1]).TotalSeconds | Should -BeGreaterThan 5.5

        $person.Keyboard.Written | Should -Match ([regex]::Escape("$($portal.Url)/device?user_code=PEST-"))
        $code = [regex]::Match($person.Keyboard.Written, 'the code (PEST-\d{4})').Groups[1].Value
        $code | Should -Not -BeNullOrEmpty
        Get-Content -LiteralPath $browserLog | Should -Be @("1:$($portal.Url)/device?user_code=$code")

        Get-UnixMode $scratch.Cache | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute')
        Get-UnixMode $tokenFile | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite')
        $token = Get-Content -Raw -LiteralPath $tokenFile | ConvertFrom-Json -DateKind String
        $token.startUrl | Should -Be $scratch.CorpStartUrl
        $token.region | Should -Be 'us-east-1'
        $token.accessToken | Should -BeLike 'sso-double-access-token-*'
        $token.refreshToken | Should -BeLike 'sso-double-refresh-token-*'
        $token.clientId | Should -BeLike 'sso-double-client-*'
        $token.clientSecret | Should -BeLike 'sso-double-client-secret-*'
        $token.expiresAt | Should -Match '\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\z'
        $token.registrationExpiresAt | Should -Match '\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\z'
        $person.Keyboard.Written | Should -Not -Match 'sso-double-(access|refresh)-token|sso-double-client-secret|sso-double-device-code'

        $chain = Invoke-FreshPwsh -Environment $scratch.Environment -Parameters @{ AccessorPath = (Get-FixturePath 'accessors/two-hop.json') } -ScriptBlock {
            param($AccessorPath)
            $accessor = New-AltimeterAccessor -Path $AccessorPath
            Get-AltimeterSession '222222222222', '333333333333' -Accessor $accessor -ProfileName dev | ForEach-Object AccountId
        }

        @($chain | Sort-Object) | Should -Be @('222222222222', '333333333333')
        $portal.GetRoleCredentialsCount | Should -Be 1
        $portal.CreateTokenCount | Should -Be 3 -Because 'the three polls of the sign-in, and no refresh: the SDK took the token as written'
        @($portal.RoleRequests) | Should -Be @('PesterIdentityCenter@999999999999')
    }

    It 'Invoke-AltimeterSsoLogin / <Case> writes the token file the AWS CLI names for it' -ForEach @(
        @{ Case = '-SsoSession corp'; Arguments = @{ SsoSession = 'corp' }; Key = 'corp' }
        @{ Case = 'a legacy profile (sso_start_url on it)'; Arguments = @{ ProfileName = 'legacy' }; Key = 'https://pester-legacy.awsapps.com/start' }
    ) {
        $result = Invoke-SignIn $Arguments

        $result.Error | Should -BeNullOrEmpty -Because "$($result.Error)"
        ($result.Output | Select-Object -Last 1).TokenFile | Should -Be (Join-Path $scratch.Cache (Get-TokenFileName $Key))
        Test-Path -LiteralPath (Join-Path $scratch.Cache (Get-TokenFileName $Key)) | Should -BeTrue
    }

    It 'Invoke-AltimeterSsoLogin / without -ProfileName signs in for the profile AWS_PROFILE names, as aws sso login does' {
        Set-TestVariable 'AWS_PROFILE' 'dev'
        try { $result = Invoke-SignIn @{} }
        finally { Set-TestVariable 'AWS_PROFILE' $scratch.Environment['AWS_PROFILE'] }

        $result.Error | Should -BeNullOrEmpty -Because "$($result.Error)"
        ($result.Output | Select-Object -Last 1).ProfileName | Should -Be 'dev'
        Test-Path -LiteralPath (Join-Path $scratch.Cache (Get-TokenFileName 'corp')) | Should -BeTrue
    }

    It 'Invoke-AltimeterSsoLogin / a second sign-in reuses the registered client cached beside the token' {
        $null = Invoke-SignIn @{ ProfileName = 'dev' }
        $result = Invoke-SignIn @{ ProfileName = 'dev' }

        $result.Error | Should -BeNullOrEmpty
        $portal.RegisterClientCount | Should -Be 1
        $portal.StartDeviceAuthorizationCount | Should -Be 2
    }

    It 'Invoke-AltimeterSsoLogin / -NoBrowser shows the address and code and starts no browser' {
        $result = Invoke-SignIn @{ ProfileName = 'dev'; NoBrowser = $true }

        $result.Error | Should -BeNullOrEmpty
        $person.Keyboard.Written | Should -Match 'the code PEST-\d{4}'
        Test-Path -LiteralPath $browserLog | Should -BeFalse
    }

    It 'Invoke-AltimeterSsoLogin / <Answer>: <Id> names the sign-in, and no token is written' -ForEach @(
        @{ Answer = 'expired_token'; Id = 'SsoAuthorizationExpired'; Category = 'OperationTimeout'; Word = 'expired' }
        @{ Answer = 'access_denied'; Id = 'SsoAccessDenied'; Category = 'PermissionDenied'; Word = 'denied' }
    ) {
        $portal.DeviceAnswers.Enqueue($Answer)

        $result = Invoke-SignIn @{ ProfileName = 'dev' }

        $result.Id | Should -Be "$Id,$commandId"
        "$($result.Error.CategoryInfo.Category)" | Should -Be $Category
        $result.Error.Exception.Message | Should -BeLike "*$Word*"
        $result.Error.Exception.Message | Should -BeLike "*profile 'dev'*"
        $result.Error.Exception.Message | Should -Not -Match 'sso-double-'
        Test-Path -LiteralPath (Join-Path $scratch.Cache (Get-TokenFileName 'corp')) | Should -BeFalse
    }

    It 'Invoke-AltimeterSsoLogin / Ctrl+C stops the polling at once and writes no token' {
        foreach ($i in 1..100) { $portal.DeviceAnswers.Enqueue('authorization_pending') }
        $running = Start-SignIn @{ ProfileName = 'dev' }
        $deadline = [datetime]::UtcNow.AddSeconds(20)
        while ($portal.DevicePolls.Count -lt 1 -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }

        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        $script:shell.Stop()
        $result = Complete-SignIn $running

        $clock.Elapsed.TotalSeconds | Should -BeLessThan 1
        $result.Output | Should -HaveCount 0
        $portal.DevicePolls.Count | Should -BeLessOrEqual 2
        Test-Path -LiteralPath (Join-Path $scratch.Cache (Get-TokenFileName 'corp')) | Should -BeFalse
    }

    It 'Invoke-AltimeterSsoLogin / -NonInteractive: SsoSignInNotInteractive at once, before any call to SSO OIDC or a browser' {
        $result = Invoke-FreshPwsh -Environment ($scratch.Environment + @{ PATH = $env:PATH; DISPLAY = $env:DISPLAY }) -ScriptBlock {
            $clock = [System.Diagnostics.Stopwatch]::StartNew()
            try { Invoke-AltimeterSsoLogin -ProfileName dev; 'no error' }
            catch { [pscustomobject]@{ Id = $_.FullyQualifiedErrorId; Message = $_.Exception.Message; Seconds = $clock.Elapsed.TotalSeconds } }
        }

        $result.Id | Should -Be "SsoSignInNotInteractive,$commandId"
        $result.Message | Should -BeLike '*Invoke-AltimeterSsoLogin -ProfileName dev*'
        $result.Seconds | Should -BeLessThan 2
        $portal.RegisterClientCount | Should -Be 0
        $portal.StartDeviceAuthorizationCount | Should -Be 0
        Test-Path -LiteralPath $browserLog | Should -BeFalse
        Test-Path -LiteralPath $scratch.Cache | Should -BeFalse
    }

    It 'Invoke-AltimeterSsoLogin / <Case>: SsoConfigurationInvalid, before any call' -ForEach @(
        @{ Case = 'a profile that does not exist'; Arguments = @{ ProfileName = 'nosuch' }; Words = "*no profile 'nosuch'*" }
        @{ Case = 'a profile that is not an Identity Center profile'; Arguments = @{ ProfileName = 'keys' }; Words = '*not an IAM Identity Center profile*' }
        @{ Case = 'an sso-session that does not exist'; Arguments = @{ SsoSession = 'nosuch' }; Words = '*no `[sso-session nosuch`] section*' }
    ) {
        $result = Invoke-SignIn $Arguments

        $result.Id | Should -Be "SsoConfigurationInvalid,$commandId"
        $result.Error.Exception.Message | Should -BeLike $Words
        $portal.RegisterClientCount | Should -Be 0
    }
}
