# What a person reads of the module's objects: the views of Altimeter.Auth.format.ps1xml and
# ToString, through Out-String at 80 and 120 columns, in a fresh pwsh whose zone is New York (UTC-5
# in December, UTC-4 in summer). Times: local time with its offset everywhere. Nothing that tells
# one chain or role from another is cut off.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    $suite = Start-TestFile -StsEnvironment

    # Everything shown, rendered in the child; the sessions come through examples/accessor.json.
    $render = {
        param($AccessorPath)
        $accessor = New-AltimeterAccessor -Path $AccessorPath
        $sessions = @('222222222222', '333333333333' | Get-AltimeterSession -Accessor $accessor)
        $cache = @(Get-AltimeterCredentialCache)
        $server = Start-AltimeterCredentialServer -Session $sessions[0]
        # A finished Identity Center sign-in, made as the engine makes it (its constructor is internal).
        $config = Join-Path ([System.IO.Path]::GetTempPath()) "altimeter-views-$([guid]::NewGuid())"
        Set-Content $config "[sso-session corp]`nsso_start_url = https://corp.awsapps.com/start`nsso_region = us-east-1`n"
        $flags = [System.Reflection.BindingFlags]'Static, Instance, Public, NonPublic'
        $portal = [Altimeter.Auth.SsoSignInResult].Assembly.GetType('Altimeter.Auth.IdentityCenterPortal').GetMethod('FromSsoSession', $flags, $null, [type[]]@([string], [string]), $null).Invoke($null, [object[]]@('corp', [string]$config))
        Remove-Item $config
        $signIn = [Altimeter.Auth.SsoSignInResult].GetConstructors($flags)[0].Invoke([object[]]@($portal, [DateTimeOffset]$sessions[0].Expiration, [string]'/home/someone/.aws/sso/cache/token.json'))
        try {
            $shown = [ordered]@{}
            foreach ($width in 80, 120) {
                $shown["Accessor$width"] = $accessor | Out-String -Width $width
                $shown["SessionTable$width"] = $sessions | Out-String -Width $width
                $shown["SessionList$width"] = $sessions | Format-List | Out-String -Width $width
                $shown["CacheTable$width"] = $cache | Out-String -Width $width
                $shown["CacheList$width"] = $cache | Format-List | Out-String -Width $width
                $shown["ServerTable$width"] = $server | Out-String -Width $width
                $shown["ServerList$width"] = $server | Format-List | Out-String -Width $width
                $shown["SignIn$width"] = $signIn | Out-String -Width $width
            }
            [pscustomobject]@{
                Shown = [pscustomobject]$shown
                SessionAll = $sessions[0] | Format-List * | Out-String -Width 200
                SessionProperties = @($sessions[0].PSObject.Properties.Name)
                SessionText = $sessions[0].ToString()
                CacheText = $cache[0].ToString()
                SignInText = $signIn.ToString()
                Chain = $sessions[0].Chain
                SessionExpiresUtc = ([DateTimeOffset]$sessions[0].Expiration).ToUnixTimeSeconds()
                CacheExpiresUtc = @($cache | ForEach-Object { $_.Expiration.ToUnixTimeSeconds() })
                ServerStartedUtc = ([DateTimeOffset]$server.StartedAt).ToUnixTimeSeconds()
            }
        }
        finally { $server | Stop-AltimeterCredentialServer }
    }
    $result = Invoke-FreshPwsh $render -Parameters @{ AccessorPath = (Join-Path $PSScriptRoot '../../../examples/accessor.json') } -Environment @{
        TZ = 'America/New_York'; ALTIMETER_DEMO_EXTERNAL_ID = 'demo-external-id'
    }

    # New York's clock for a UTC instant, as the rule writes it (the offset of that instant: -05:00 in December).
    $newYork = [System.TimeZoneInfo]::FindSystemTimeZoneById('America/New_York')
    function ConvertTo-NewYorkText([long] $UnixSeconds) {
        $utc = [DateTimeOffset]::FromUnixTimeSeconds($UnixSeconds)
        [System.TimeZoneInfo]::ConvertTime($utc, $newYork).ToString('yyyy-MM-dd HH:mm:ss zzz', [cultureinfo]::InvariantCulture)
    }
    function ConvertTo-UtcClock([long] $UnixSeconds) {
        [DateTimeOffset]::FromUnixTimeSeconds($UnixSeconds).UtcDateTime.ToString('HH:mm:ss', [cultureinfo]::InvariantCulture)
    }
    $sessionTime = ConvertTo-NewYorkText $result.SessionExpiresUtc
    $sessionUtcClock = ConvertTo-UtcClock $result.SessionExpiresUtc
    $hops = @($result.Chain -replace '^accessor:[^:]*:' -split ',')

    # The values of one column of a table as rows, a wrapped cell's lines joined: a row starts where
    # the first column is not blank; the column spans from its label to the next label (or the end).
    function Get-TableColumn([string] $Text, [string] $Label, [string] $NextLabel) {
        $lines = @($Text -split "`r?`n" | Where-Object { $_.Trim() })
        $start = $lines[0].IndexOf($Label)
        $end = if ($NextLabel) { $lines[0].IndexOf($NextLabel) } else { [int]::MaxValue }
        $rows = [System.Collections.Generic.List[string]]::new()
        foreach ($line in $lines | Select-Object -Skip 2) {
            $cell = if ($line.Length -gt $start) { $line.Substring($start, [Math]::Min($end, $line.Length) - $start).Trim() } else { '' }
            if ($line[0] -ne ' ') { $rows.Add($cell) } else { $rows[$rows.Count - 1] += $cell }
        }
        $rows
    }
}
AfterAll { Stop-TestFile $suite }

# Unix only: the child pwsh is given its time zone through TZ with an IANA name, which Windows
# (and pwsh under Wine) does not read. The views and ShownTime are the same code on Windows.
Describe 'Views and text of Altimeter.Auth objects' -Tag Unix {
    It 'Views / show times as local time with its offset, never the UTC clock unmarked' {
        $sessionTime | Should -Match ' -0[45]:00$'
        foreach ($name in 'SessionTable80', 'SessionTable120', 'SessionList80', 'SessionList120', 'ServerList120', 'SignIn80') {
            $result.Shown.$name | Should -BeLike "*$sessionTime*" -Because "$name shows the session's expiry"
            $result.Shown.$name | Should -Not -BeLike "*$sessionUtcClock*" -Because "$name must not show the UTC clock"
        }
        foreach ($seconds in $result.CacheExpiresUtc) {
            $result.Shown.CacheTable120 | Should -BeLike "*$(ConvertTo-NewYorkText $seconds)*"
            $result.Shown.CacheList80 | Should -BeLike "*$(ConvertTo-NewYorkText $seconds)*"
        }
        $result.Shown.ServerList80 | Should -BeLike "*StartedAt*: $(ConvertTo-NewYorkText $result.ServerStartedUtc)*"
    }

    It 'ToString / shows times by the same rule as the views' {
        $result.SessionText | Should -BeLike "* expires $sessionTime key ****"
        $result.CacheText | Should -BeLike "* expires $(ConvertTo-NewYorkText $result.CacheExpiresUtc[0])"
        $result.SignInText | Should -Be "Signed in to https://corp.awsapps.com/start until $sessionTime"
    }

    It 'Views / cut nothing at 80 or 120 columns: no ellipsis, every hop and role name in full' {
        foreach ($name in $result.Shown.PSObject.Properties.Name) {
            $text = $result.Shown.$name
            $text | Should -Not -Match '…' -Because "$name must wrap, not cut"
            # Headers are not broken over two lines: the line under the labels holds only dashes.
            if ($text -match '(?m)^-{3,}') {
                $lines = $text -split "`r?`n" | Where-Object { $_.Trim() }
                $lines[1].Trim() | Should -Match '^[-\s]+$' -Because "the header of $name fits on one line"
            }
        }
        foreach ($name in 'Accessor80', 'Accessor120', 'SessionList80', 'SessionList120', 'SessionTable120', 'ServerList80') {
            $lines = $result.Shown.$name -split "`r?`n" | ForEach-Object Trim
            foreach ($hop in $hops) {
                $lines | Where-Object { $_ -like "*$hop*" } | Should -Not -BeNullOrEmpty -Because "$name shows the hop $hop on one line"
            }
        }
        # At 80 columns the tables wrap long hops and role names, but lose no character of them.
        foreach ($width in 80, 120) {
            Get-TableColumn $result.Shown."SessionTable$width" 'Chain' | Should -Be @($result.Chain, $result.Chain)
            Get-TableColumn $result.Shown."CacheTable$width" 'RoleName' 'SessionName' | Should -Be (@('OrganizationAccountAccessRole') * 3)
            Get-TableColumn $result.Shown."ServerTable$width" 'Uri' 'AccountId' | Should -BeLike 'http://127.0.0.1:*/*'
        }
        $result.Shown.CacheTable120 | Should -Match '(?m)^111111111111 OrganizationAccountAccessRole +altimeter-demo '
    }

    It 'Views / never split an account id across lines' {
        foreach ($name in $result.Shown.PSObject.Properties.Name) {
            # A run of digits at the end of a line followed by digits at the start of the next is a cut id.
            $result.Shown.$name | Should -Not -Match '\d(\r?\n)\s*\d{1,11}\b' -Because "$name keeps account ids whole"
        }
        foreach ($account in '111111111111', '222222222222', '333333333333') {
            $result.Shown.SessionList80 + $result.Shown.CacheList80 | Should -BeLike "*$account*"
        }
    }

    It 'Format-List * / shows the session''s properties, not the SDK''s refresh internals' {
        $result.SessionProperties | Should -Not -Contain 'PreemptExpiryTime'
        $result.SessionProperties | Should -Not -Contain 'ExpirationBuffer'
        $result.SessionAll | Should -Not -Match 'PreemptExpiryTime|ExpirationBuffer'
        foreach ($property in 'AccountId', 'Region', 'Chain', 'RoleArn', 'AccessKeyId', 'RenewalWindow', 'Expiration', 'Renewals') {
            $result.SessionProperties | Should -Contain $property
        }
    }
}
