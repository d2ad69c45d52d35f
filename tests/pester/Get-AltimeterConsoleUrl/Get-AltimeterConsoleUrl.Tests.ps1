# Console sign-in URLs for moto sessions, asked of a federation endpoint double
# (tests/Altimeter.Auth.Tests/Doubles/FederationEndpointDouble.cs, compiled here with Add-Type) that
# AWS_ENDPOINT_URL_SIGNIN points at: so the URLs name the double, not the partitions' sign-in hosts.
# Which host each partition signs in at is tested in xunit (ConsoleSignInTests), where a handler
# carries the request to the double. Sessions in China and GovCloud regions are local-mode sessions
# made from a chain's keys: moto answers AssumeRole in those regions with arn:aws ARNs, which the
# chain rightly refuses.
# Tag Unix: the -Open tests put a fake xdg-open on PATH.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    $suite = Start-TestFile -StsEnvironment
    $server = $suite.Server
    Add-LoopbackDoubles
    $commandId = 'Altimeter.Auth.Commands.GetAltimeterConsoleUrlCommand'
    $twoHop = New-AltimeterAccessor -Path (Get-FixturePath 'accessors/two-hop.json')
    $oneHop = New-AltimeterAccessor -Json '{"multi_hop_accessors": [{"role_session_name": "altimeter-pester", "access_steps": [{"role_name": "AltimeterTarget"}]}]}'

    # A local-mode session in $Region with the keys of a chain's session: temporary keys, a region of any partition.
    function New-RegionSession([string] $Region) {
        $keys = (Get-AltimeterSession 222222222222 -Accessor $twoHop).GetCredentials()
        $credential = [Amazon.Runtime.SessionAWSCredentials]::new($keys.AccessKey, $keys.SecretKey, $keys.Token)
        Get-AltimeterSession 222222222222 -Credential $credential -Region $Region
    }

    function Get-Query([string] $Url) {
        $query = @{}
        foreach ($pair in ([uri]$Url).Query.TrimStart('?') -split '&') {
            $name, $value = $pair -split '=', 2
            $query[$name] = [uri]::UnescapeDataString($value)
        }
        $query
    }
}

AfterAll {
    Stop-TestFile $suite
}

Describe 'Get-AltimeterConsoleUrl' {
    BeforeEach {
        Reset-MotoServer $server
        Clear-AltimeterCredentialCache -Confirm:$false
        $federation = [Altimeter.Auth.Tests.Doubles.FederationEndpointDouble]::new()
        $env:AWS_ENDPOINT_URL_SIGNIN = $federation.Url
    }

    AfterEach {
        $federation.Dispose()
        Remove-Item Env:AWS_ENDPOINT_URL_SIGNIN -ErrorAction SilentlyContinue
    }

    It 'Get-AltimeterConsoleUrl / a session in <Region> lands on <Console>, with the token the endpoint gave for its keys' -ForEach @(
        @{ Region = 'us-east-1'; Console = 'https://console.aws.amazon.com/console/home?region=us-east-1' }
        @{ Region = 'cn-north-1'; Console = 'https://console.amazonaws.cn/console/home?region=cn-north-1' }
        @{ Region = 'us-gov-west-1'; Console = 'https://console.amazonaws-us-gov.com/console/home?region=us-gov-west-1' }
    ) {
        $session = New-RegionSession $Region
        $keys = $session.GetCredentials()

        $url = Get-AltimeterConsoleUrl $session

        $url | Should -BeOfType [string]
        $url | Should -BeLike "$($federation.Url)/federation?Action=login&*"
        $query = Get-Query $url
        $query.Destination | Should -Be $Console
        $request = @($federation.TokenRequests)
        $request | Should -HaveCount 1
        $request[0].SessionId | Should -Be $keys.AccessKey
        $request[0].SessionKey | Should -Be $keys.SecretKey
        $request[0].SessionToken | Should -Be $keys.Token
        $request[0].SessionDuration | Should -BeNullOrEmpty
        $query.SigninToken | Should -Be $request[0].IssuedToken
        $url | Should -Not -Match ([regex]::Escape([uri]::EscapeDataString($keys.SecretKey)))
    }

    It 'Get-AltimeterConsoleUrl / -Destination takes a console path and adds the region' {
        $session = Get-AltimeterSession 222222222222 -Accessor $twoHop

        $url = Get-AltimeterConsoleUrl $session -Destination '/s3/home'

        (Get-Query $url).Destination | Should -Be 'https://console.aws.amazon.com/s3/home?region=us-east-1'
    }

    It 'Get-AltimeterConsoleUrl / a -Destination that is not https stops the whole call before any request' {
        $sessions = Get-AltimeterSession 222222222222, 333333333333 -Accessor $twoHop

        { $sessions | Get-AltimeterConsoleUrl -Destination 'http://console.aws.amazon.com/' -ErrorAction SilentlyContinue } | Should -Throw -ErrorId "ConsoleDestinationInvalid,$commandId"
        @($federation.Targets) | Should -HaveCount 0
    }

    It 'Get-AltimeterConsoleUrl / -TimeoutSec bounds the wait for the federation endpoint' {
        $federation.DelaySeconds = 4
        $session = New-RegionSession 'us-east-1'
        $watch = [System.Diagnostics.Stopwatch]::StartNew()

        { Get-AltimeterConsoleUrl $session -TimeoutSec 1 -ErrorAction Stop } | Should -Throw -ErrorId "FederationEndpointUnreachable,$commandId"
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 3
    }

    It 'Get-AltimeterConsoleUrl / -SessionDuration goes to the endpoint for a role assumed with long-term keys' {
        $session = Get-AltimeterSession 222222222222 -Accessor $oneHop

        $null = Get-AltimeterConsoleUrl $session -SessionDuration 43200

        @($federation.TokenRequests)[0].SessionDuration | Should -Be '43200'
    }

    It 'Get-AltimeterConsoleUrl / -SessionDuration after role chaining is refused before any request' {
        $session = Get-AltimeterSession 222222222222 -Accessor $twoHop

        { Get-AltimeterConsoleUrl $session -SessionDuration 3600 -ErrorAction Stop } | Should -Throw -ErrorId "ConsoleSessionDurationNotAllowed,$commandId"
        @($federation.Targets) | Should -HaveCount 0
    }

    It 'Get-AltimeterConsoleUrl / -SessionDuration <Seconds> is out of range and nothing is sent' -ForEach @(@{ Seconds = 899 }, @{ Seconds = 43201 }) {
        $session = New-RegionSession 'us-east-1'

        { Get-AltimeterConsoleUrl $session -SessionDuration $Seconds } | Should -Throw -ErrorId "ParameterArgumentValidationError,$commandId"
        @($federation.Targets) | Should -HaveCount 0
    }

    It 'Get-AltimeterConsoleUrl / long-term keys in local mode cannot sign in, and nothing is sent' {
        # moto's GetCallerIdentity names its default account for keys it did not issue.
        $session = Get-AltimeterSession 123456789012

        { Get-AltimeterConsoleUrl $session -ErrorAction Stop } | Should -Throw -ErrorId "ConsoleSignInNeedsSessionToken,$commandId"
        @($federation.Targets) | Should -HaveCount 0
    }

    It 'Get-AltimeterConsoleUrl / one URL per session from the pipeline' {
        $sessions = Get-AltimeterSession 222222222222, 333333333333 -Accessor $twoHop

        $urls = $sessions | Get-AltimeterConsoleUrl

        $urls | Should -HaveCount 2
        @($federation.TokenRequests).SessionId | Should -Be @($sessions | ForEach-Object { $_.GetCredentials().AccessKey })
    }

    It 'Get-AltimeterConsoleUrl / a refusal names the HTTP status and AWS''s message' {
        $federation.RefuseSessionDuration = $true
        $session = New-RegionSession 'us-east-1'

        $record = Get-AltimeterConsoleUrl $session -SessionDuration 1800 -ErrorAction SilentlyContinue -ErrorVariable failures
        $record | Should -BeNullOrEmpty
        $failures | Should -HaveCount 1
        $failures[0].FullyQualifiedErrorId | Should -Be "FederationRequestRefused,$commandId"
        $failures[0].CategoryInfo.Category | Should -Be 'ConnectionError'
        $failures[0].Exception.Message | Should -Match 'HTTP 400 \(AWS answers so'
    }

    It 'Get-AltimeterConsoleUrl / neither the URL, the token nor the keys reach the other streams (<Case>)' -ForEach @(
        @{ Case = 'success'; Refuse = $false }
        @{ Case = 'refusal'; Refuse = $true }
    ) {
        $federation.RefuseSessionDuration = $Refuse
        $session = New-RegionSession 'us-east-1'
        $keys = $session.GetCredentials()

        $all = Get-AltimeterConsoleUrl $session -SessionDuration 1800 -Verbose -Debug -ErrorAction Continue *>&1
        $others = @($all | Where-Object { $_ -isnot [string] })
        $url = @($all | Where-Object { $_ -is [string] })

        @($others | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }) | Should -Not -BeNullOrEmpty
        $text = ($others | ConvertTo-VisibleText) -join "`n"
        $secrets = @($keys.SecretKey, $keys.Token, [uri]::EscapeDataString($keys.Token), 'SigninToken=', 'Session=') + @($federation.TokenRequests | ForEach-Object IssuedToken | Where-Object { $_ }) + $url
        foreach ($secret in $secrets) { $text | Should -Not -Match ([regex]::Escape($secret)) }
        $url | Should -HaveCount ([int](-not $Refuse))
    }

    Context '-Open' -Tag Unix {
        BeforeEach {
            $bin = Join-Path ([System.IO.Path]::GetTempPath()) "altimeter-browser-$([guid]::NewGuid())"
            $null = New-Item -ItemType Directory $bin
            $record = Join-Path $bin 'opened.txt'
            $opener = if ($IsMacOS) { 'open' } else { 'xdg-open' }
            # Records what another user could read in ps (its whole argv), and what it was handed: the
            # mode of the file and of its folder, and the content, at the moment it ran.
            $seen = Join-Path $bin 'seen'
            Set-Content -LiteralPath (Join-Path $bin $opener) -Value @"
#!/bin/sh
printf '%s\n' "`$0" "`$@" > '$record'
stat -c '%a' "`$1" "`$(dirname "`$1")" > '$seen.mode' 2>/dev/null
cat "`$1" > '$seen.content' 2>/dev/null
"@
            chmod +x (Join-Path $bin $opener)
            $savedPath, $savedDisplay, $savedWayland = $env:PATH, $env:DISPLAY, $env:WAYLAND_DISPLAY
            # xdg-open is used only in a graphical session.
            $env:DISPLAY = ':altimeter-pester'
        }

        AfterEach {
            $env:PATH = $savedPath
            Set-TestVariable 'DISPLAY' $savedDisplay
            Set-TestVariable 'WAYLAND_DISPLAY' $savedWayland
            Remove-Item -Recurse -Force $bin -ErrorAction SilentlyContinue
        }

        It 'Get-AltimeterConsoleUrl / -Open hands the opener only the path of an owner-only page that sends the browser to the URL, and writes nothing out' {
            $env:PATH = "$bin$([System.IO.Path]::PathSeparator)$savedPath"
            $session = Get-AltimeterSession 222222222222 -Accessor $twoHop

            $all = Get-AltimeterConsoleUrl $session -Open -Verbose *>&1

            @($all | Where-Object { $_ -is [string] }) | Should -HaveCount 0
            $argv = @(Get-Content -LiteralPath $record)
            $argv | Should -HaveCount 2
            $issued = @($federation.TokenRequests)[0].IssuedToken
            $issued | Should -Not -BeNullOrEmpty
            ($argv -join ' ') | Should -Not -Match ([regex]::Escape($issued))
            ($argv -join ' ') | Should -Not -Match 'federation|SigninToken|https?:'
            $page = $argv[1]
            $page | Should -BeLike '/*.html'
            @(Get-Content -LiteralPath "$seen.mode") | Should -Be @('600', '700')
            $content = [System.Net.WebUtility]::HtmlDecode((Get-Content -Raw -LiteralPath "$seen.content"))
            $url = [regex]::Match($content, 'url=([^"]+)"').Groups[1].Value
            $url | Should -BeLike "$($federation.Url)/federation?Action=login&*"
            (Get-Query $url).SigninToken | Should -Be $issued
            ($all | ConvertTo-VisibleText) -join "`n" | Should -Not -Match ([regex]::Escape($issued))
        }

        It 'Get-AltimeterConsoleUrl / -Open: the page is gone when the process that opened it exits' {
            $environment = @{ PATH = "$bin$([System.IO.Path]::PathSeparator)$savedPath"; DISPLAY = ':altimeter-pester'; AWS_ENDPOINT_URL_SIGNIN = $env:AWS_ENDPOINT_URL_SIGNIN }
            $null = Invoke-FreshPwsh -Environment $environment -Parameters @{ AccessorPath = (Get-FixturePath 'accessors/two-hop.json') } -ScriptBlock {
                param($AccessorPath)
                Get-AltimeterSession 222222222222 -Accessor (New-AltimeterAccessor -Path $AccessorPath) | Get-AltimeterConsoleUrl -Open
            }
            $argv = @(Get-Content -LiteralPath $record)
            $argv | Should -HaveCount 2
            Test-Path -LiteralPath "$seen.content" | Should -BeTrue
            Test-Path -LiteralPath $argv[1] | Should -BeFalse
        }

        It 'Get-AltimeterConsoleUrl / -Open without an opener on PATH is an error, at once' {
            $env:PATH = $bin
            Remove-Item -LiteralPath (Join-Path $bin $opener)
            $session = Get-AltimeterSession 222222222222 -Accessor $twoHop
            $watch = [System.Diagnostics.Stopwatch]::StartNew()

            { Get-AltimeterConsoleUrl $session -Open -ErrorAction Stop } | Should -Throw -ErrorId "BrowserUnavailable,$commandId"
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 5
        }

        It 'Get-AltimeterConsoleUrl / -Open without a graphical session is an error, and no opener runs' {
            $env:PATH = "$bin$([System.IO.Path]::PathSeparator)$savedPath"
            Set-TestVariable 'DISPLAY' $null
            Set-TestVariable 'WAYLAND_DISPLAY' $null
            $session = Get-AltimeterSession 222222222222 -Accessor $twoHop

            { Get-AltimeterConsoleUrl $session -Open -ErrorAction Stop } | Should -Throw -ErrorId "BrowserUnavailable,$commandId" -ExpectedMessage '*graphical session*'
            Test-Path -LiteralPath $record | Should -BeFalse
        }
    }
}
