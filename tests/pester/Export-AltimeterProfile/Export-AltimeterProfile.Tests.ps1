# Export-AltimeterProfile: profiles in an AWS config file whose credential_process reaches each
# account. The user's file must come back byte for byte outside the sections the cmdlet marked;
# the AWS CLI must reach the account through an exported profile (against moto).
# Tag Unix: file modes and the AWS CLI, which the Windows run (under Wine) cannot check.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    $suite = Start-TestFile -StsEnvironment
    $server = $suite.Server

    $scratch = Join-Path ([System.IO.Path]::GetTempPath()) "altimeter-export-$([guid]::NewGuid())"
    # A folder name with a blank and a quote: the line must be quoted for the CLI and for PowerShell.
    $accessorFolder = Join-Path $scratch "it's an accessor"
    $null = New-Item -ItemType Directory -Force $accessorFolder
    $accessor = Join-Path $accessorFolder 'accessor.json'
    Set-Content $accessor @'
{"multi_hop_accessors": [{"role_session_name": "altimeter-pester", "access_steps": [
  {"role_name": "AltimeterHub", "account_id": "111111111111", "external_id": "{{ env.ALTIMETER_PESTER_EXT_ID }}"},
  {"role_name": "AltimeterTarget"}]}]}
'@
    $marker = '# managed by Altimeter.Auth (Export-AltimeterProfile): replaced when exported again'
    $commandName = 'Altimeter.Auth.Commands.ExportAltimeterProfileCommand'

    # The user's own file: comments of both kinds, odd spacing, CRLF line endings, a byte that is
    # not UTF-8 in a comment, an indented sub-setting.
    $userText = "# my settings`r`n[default]`r`nregion=eu-west-1`r`n`r`n;  old comment `r`n[ profile   audit ]`r`n  aws_access_key_id = AKIAUSERKEY`r`ns3 =`r`n    max_concurrent_requests = 4`r`n# caf`u{00E9}`r`n"
    $userBytes = [byte[]]([System.Text.Encoding]::UTF8.GetBytes($userText) + [byte[]](0x23, 0xFF, 0x0D, 0x0A))

    function New-ConfigFile([byte[]] $Bytes = $userBytes) {
        $path = Join-Path $scratch "config-$([guid]::NewGuid())"
        [System.IO.File]::WriteAllBytes($path, $Bytes)
        $path
    }

    function Get-Bytes([string] $Path) { [System.IO.File]::ReadAllBytes($Path) }

    function Test-SameBytes([byte[]] $Actual, [byte[]] $Expected) {
        [Convert]::ToHexString($Actual) -ceq [Convert]::ToHexString($Expected)
    }

    # $Actual starts with exactly the bytes of $Expected.
    function Test-Prefix([byte[]] $Actual, [byte[]] $Expected) {
        [Convert]::ToHexString($Actual).StartsWith([Convert]::ToHexString($Expected), [StringComparison]::Ordinal)
    }

    # `aws sts get-caller-identity` through $Profile of $Config.
    function Invoke-AwsCli([string] $Config, [string] $Profile) {
        $saved = $env:AWS_CONFIG_FILE, $env:AWS_SHARED_CREDENTIALS_FILE
        $env:AWS_CONFIG_FILE = $Config
        $env:AWS_SHARED_CREDENTIALS_FILE = Join-Path $scratch 'no-credentials'
        try { $output = & aws sts get-caller-identity --profile $Profile --output json 2>&1 }
        finally { $env:AWS_CONFIG_FILE, $env:AWS_SHARED_CREDENTIALS_FILE = $saved }
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = "$output" }
    }
}

AfterAll {
    Stop-TestFile $suite
    Remove-Item -Recurse -Force $scratch -ErrorAction SilentlyContinue
}

Describe 'Export-AltimeterProfile' {
    BeforeEach { Reset-MotoServer $server }

    It 'Export-AltimeterProfile / keeps every byte of the user''s file (comments, spacing, CRLF, non-UTF-8) and appends one marked section per account' {
        $config = New-ConfigFile

        $written = @('111111111111', '222222222222' | Export-AltimeterProfile -Path $accessor -ConfigFile $config -Region us-east-1)

        $written | Should -HaveCount 2
        $written[0].ProfileName | Should -Be 'altimeter-111111111111'
        $written[0].AccountId | Should -Be '111111111111'
        $written[0].ConfigFile | Should -Be $config
        $bytes = Get-Bytes $config
        Test-Prefix $bytes $userBytes | Should -BeTrue -Because 'the user''s bytes come first, unchanged'
        $added = [System.Text.Encoding]::UTF8.GetString($bytes, $userBytes.Length, $bytes.Length - $userBytes.Length)
        $added | Should -Not -Match '(?<!\r)\n' -Because 'the file''s CRLF line endings are kept'
        ([regex]::Matches($added, [regex]::Escape($marker))).Count | Should -Be 2
        $added | Should -Match "(?m)^\[profile altimeter-111111111111\]\r\ncredential_process = .+\r\nregion = us-east-1\r$"
    }

    It 'Export-AltimeterProfile / run again, it replaces its own sections in place: same bytes, no duplicate; a new region changes only its lines' {
        $config = New-ConfigFile
        '111111111111', '222222222222' | Export-AltimeterProfile -Path $accessor -ConfigFile $config -Region us-east-1 | Out-Null
        $first = Get-Bytes $config
        $user2 = [System.Text.Encoding]::UTF8.GetBytes("# added by the user after the export`r`n[profile later]`r`nregion = us-west-2`r`n")
        [System.IO.File]::WriteAllBytes($config, [byte[]]($first + $user2))

        '111111111111', '222222222222' | Export-AltimeterProfile -Path $accessor -ConfigFile $config -Region us-east-1 | Out-Null
        $again = Get-Bytes $config
        '222222222222' | Export-AltimeterProfile -Path $accessor -ConfigFile $config -Region eu-central-1 | Out-Null
        $changed = [System.Text.Encoding]::Latin1.GetString((Get-Bytes $config))

        Test-SameBytes $again ([byte[]]($first + $user2)) | Should -BeTrue -Because 'the same export writes the same bytes'
        ([regex]::Matches($changed, '\[profile altimeter-222222222222\]')).Count | Should -Be 1
        ([regex]::Matches($changed, [regex]::Escape($marker))).Count | Should -Be 2
        $changed | Should -Match '(?m)^region = eu-central-1\r$'
        $changed | Should -Match '# added by the user after the export\r\n\[profile later\]\r\nregion = us-west-2\r\n$' -Because 'what the user wrote after the sections stays where it was'
        Test-Prefix (Get-Bytes $config) $userBytes | Should -BeTrue
    }

    It 'Export-AltimeterProfile / refuses a profile it did not write (ProfileNotManaged, non-terminating) and still writes the others' {
        $config = New-ConfigFile ([System.Text.Encoding]::UTF8.GetBytes("[profile prod-111111111111]`nregion = eu-west-1`n"))
        $before = Get-Bytes $config

        $written = @('111111111111', '222222222222' | Export-AltimeterProfile -Path $accessor -ConfigFile $config -ProfileName 'prod-{AccountId}' -ErrorVariable failed -ErrorAction SilentlyContinue)

        $failed | Should -HaveCount 1
        $failed[0].FullyQualifiedErrorId | Should -Be "ProfileNotManaged,$commandName"
        $failed[0].TargetObject | Should -Be '111111111111'
        $failed[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        $written.ProfileName | Should -Be 'prod-222222222222'
        Test-Prefix (Get-Bytes $config) $before | Should -BeTrue -Because 'the user''s profile is untouched'
        ([regex]::Matches((Get-Content -Raw $config), '\[profile prod-111111111111\]')).Count | Should -Be 1
    }

    It 'Export-AltimeterProfile / -WhatIf writes nothing: an existing file keeps its bytes and time, a missing one is not created' {
        $config = New-ConfigFile
        $time = (Get-Item $config).LastWriteTimeUtc
        $missing = Join-Path $scratch "missing-$([guid]::NewGuid())/config"

        $output = @('111111111111' | Export-AltimeterProfile -Path $accessor -ConfigFile $config -WhatIf)
        '111111111111' | Export-AltimeterProfile -Path $accessor -ConfigFile $missing -WhatIf

        $output | Should -HaveCount 0
        Test-SameBytes (Get-Bytes $config) $userBytes | Should -BeTrue
        (Get-Item $config).LastWriteTimeUtc | Should -Be $time
        Test-Path (Split-Path $missing) | Should -BeFalse
    }

    It 'Export-AltimeterProfile / the file is owner-only (0600) afterwards, and a missing ~/.aws is made 0700' -Tag Unix {
        $config = New-ConfigFile
        chmod 0644 $config
        $fresh = Join-Path $scratch "home-$([guid]::NewGuid())/.aws/config"

        '111111111111' | Export-AltimeterProfile -Path $accessor -ConfigFile $config | Out-Null
        '111111111111' | Export-AltimeterProfile -Path $accessor -ConfigFile $fresh | Out-Null

        (Get-Item $config).UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite')
        (Get-Item $fresh).UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite')
        (Get-Item -Force (Split-Path $fresh)).UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute')
        @(Get-ChildItem -Force (Split-Path $config) -Filter '.config-*.tmp') | Should -HaveCount 0 -Because 'no temporary file is left'
    }

    It 'Export-AltimeterProfile / takes accounts by property name (Id and Name of Get-ORGAccountList rows, AccountId of CSV rows) and names them from the template' {
        $config = New-ConfigFile ([byte[]]@())
        $csv = Join-Path $scratch "accounts-$([guid]::NewGuid()).csv"
        Set-Content $csv "AccountId,AccountName`n333333333333,Prod Web`n"
        $organizations = [pscustomobject]@{ Id = '444444444444'; Name = 'Sandbox'; Arn = 'arn:aws:organizations::111111111111:account/o-x/444444444444' }

        $written = @(@(Import-Csv $csv) + $organizations | Export-AltimeterProfile -Path $accessor -ConfigFile $config -ProfileName 'org-{AccountName}-{AccountId}')

        $written.ProfileName | Should -Be @('org-Prod-Web-333333333333', 'org-Sandbox-444444444444')
        $written.AccountName | Should -Be @('Prod Web', 'Sandbox')
        (Get-Content -Raw $config) | Should -Match '(?m)^\[profile org-Sandbox-444444444444\]\r?$'
    }

    It 'Export-AltimeterProfile / an account that is not 12 digits, a name the CLI cannot read and {AccountName} without a name are each a non-terminating error' {
        $config = New-ConfigFile ([byte[]]@())

        $written = @('12345', '111111111111' | Export-AltimeterProfile -Path $accessor -ConfigFile $config -ErrorVariable bad -ErrorAction SilentlyContinue)
        '222222222222' | Export-AltimeterProfile -Path $accessor -ConfigFile $config -ProfileName 'my profile' -ErrorVariable spaced -ErrorAction SilentlyContinue
        '222222222222' | Export-AltimeterProfile -Path $accessor -ConfigFile $config -ProfileName '{AccountName}' -ErrorVariable unnamed -ErrorAction SilentlyContinue

        $written.AccountId | Should -Be '111111111111'
        $bad[0].FullyQualifiedErrorId | Should -Be "InvalidAccountId,$commandName"
        $spaced[0].FullyQualifiedErrorId | Should -Be "ProfileNameInvalid,$commandName"
        $unnamed[0].FullyQualifiedErrorId | Should -Be "ProfileNameInvalid,$commandName"
        $spaced[0].TargetObject | Should -Be '222222222222'
    }

    It 'Export-AltimeterProfile / a config file that is a symbolic link is refused (ConfigFileUnusable) and its target is untouched' -Tag Unix {
        $target = New-ConfigFile
        $link = Join-Path $scratch "link-$([guid]::NewGuid())"
        $null = New-Item -ItemType SymbolicLink -Path $link -Target $target

        { '111111111111' | Export-AltimeterProfile -Path $accessor -ConfigFile $link } | Should -Throw -ErrorId "ConfigFileUnusable,$commandName"

        (Get-Item $link).LinkType | Should -Be 'SymbolicLink'
        Test-SameBytes (Get-Bytes $target) $userBytes | Should -BeTrue
    }

    It 'Export-AltimeterProfile / the AWS CLI reaches the account through an exported profile running pwsh (a path with a blank and a quote)' -Tag Unix {
        # The user's file as before, without the byte that is not UTF-8 (botocore refuses to read such a file).
        $config = New-ConfigFile ([System.Text.Encoding]::UTF8.GetBytes($userText))

        $profile = '333333333333' | Export-AltimeterProfile -Path $accessor -ConfigFile $config -Region us-east-1 -Program PowerShell
        $cli = Invoke-AwsCli $config $profile.ProfileName

        $profile.CredentialProcess | Should -Match '^/\S+ .*-Command '
        $cli.ExitCode | Should -Be 0 -Because $cli.Output
        ($cli.Output | ConvertFrom-Json).Account | Should -Be '333333333333'
        $assumed = @(Get-MotoRequest $server | Where-Object Action -EQ 'AssumeRole')
        $assumed.Parameters.RoleArn | Should -Be @('arn:aws:iam::111111111111:role/AltimeterHub', 'arn:aws:iam::333333333333:role/AltimeterTarget')
    }
}
