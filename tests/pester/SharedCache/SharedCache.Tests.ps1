# The credentials cache shared by processes (ALTIMETER_CREDENTIAL_CACHE, or -SharedCachePath):
# real pwsh processes, one after the other and at the same time, against moto.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    $suite = Start-TestFile -Moto -NoImport
    $server = $suite.Server
    $accessorPath = Get-FixturePath 'accessors/two-hop.json'
    $modulePath = Get-AltimeterModulePath
    function New-SharedEnvironment([string] $Directory) {
        @{
            AWS_ENDPOINT_URL_STS = $server.Url; AWS_REGION = 'us-east-1'; AWS_EC2_METADATA_DISABLED = 'true'
            AWS_ACCESS_KEY_ID = 'AKIAPESTERSHAREDSRC1'; AWS_SECRET_ACCESS_KEY = 'pester-shared-secret'; AWS_SESSION_TOKEN = $null; AWS_PROFILE = $null
            ALTIMETER_PESTER_EXT_ID = 'pester-external-id'; ALTIMETER_CREDENTIAL_CACHE = $Directory
        }
    }
    $getSessions = {
        param($AccessorPath, $Accounts)
        $accessor = New-AltimeterAccessor -Path $AccessorPath
        @($Accounts | Get-AltimeterSession -Accessor $accessor | ForEach-Object { [pscustomobject]@{ AccountId = $_.AccountId; Key = $_.GetCredentials().AccessKey } })
    }
}

AfterAll {
    Stop-TestFile $suite
}

Describe 'The credentials cache shared by processes' {
    BeforeEach {
        Reset-MotoServer $server
        $directory = Join-Path ([System.IO.Path]::GetTempPath()) "altimeter-shared-$([guid]::NewGuid())"
    }

    AfterEach { Remove-Item -Recurse -Force $directory -ErrorAction SilentlyContinue }

    It 'Shared cache / a second pwsh process reuses the first one''s hub and target credentials with zero STS calls' {
        $accounts = '222222222222', '333333333333'
        $first = Invoke-FreshPwsh -Environment (New-SharedEnvironment $directory) -Parameters @{ AccessorPath = $accessorPath; Accounts = $accounts } $getSessions
        $callsAfterFirst = @(Get-MotoRequest $server).Count
        $second = Invoke-FreshPwsh -Environment (New-SharedEnvironment $directory) -Parameters @{ AccessorPath = $accessorPath; Accounts = $accounts } $getSessions

        $callsAfterFirst | Should -Be 3
        @(Get-MotoRequest $server).Count | Should -Be 3 -Because 'the second process made no STS call'
        $second.Key | Should -Be $first.Key
        $second.AccountId | Should -Be $accounts
    }

    # Tag Unix: Unix file modes. On Windows the store sets an access list instead, checked as built by
    # tests/Altimeter.Auth.WindowsChecks (Wine, where the Windows run happens, neither stores nor enforces them).
    It 'Shared cache / the directory is owner-only, one file per entry, named by a hash' -Tag Unix {
        $null = Invoke-FreshPwsh -Environment (New-SharedEnvironment $directory) -Parameters @{ AccessorPath = $accessorPath; Accounts = @('222222222222') } $getSessions

        (Get-Item $directory).UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute')
        $files = @(Get-ChildItem $directory -File)
        $files | Should -HaveCount 2
        foreach ($file in $files) {
            $file.UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite')
            $file.Name | Should -Not -Match ':|\d{12}'
        }
    }

    It 'Shared cache / two processes writing at once lose or tear no entry' {
        $a = 1..25 | ForEach-Object { '{0:D12}' -f (810000000000 + $_) }
        $b = 1..25 | ForEach-Object { '{0:D12}' -f (810000000000 + $_ + 12) }
        # Two pwsh processes started together, each getting 25 accounts (12 of them the same).
        $processes = foreach ($accounts in @(, $a) + @(, $b)) {
            $script = "Import-Module '$modulePath'; `$accessor = New-AltimeterAccessor -Path '$accessorPath'; '$($accounts -join "','")' | Get-AltimeterSession -Accessor `$accessor | Out-Null"
            $pwsh = @(Get-PwshCommandLine)
            $info = [System.Diagnostics.ProcessStartInfo]::new($pwsh[0])
            foreach ($argument in $pwsh | Select-Object -Skip 1) { $info.ArgumentList.Add($argument) }
            foreach ($argument in '-NoProfile', '-NonInteractive', '-Command', $script) { $info.ArgumentList.Add($argument) }
            $info.UseShellExecute = $false
            $environment = New-SharedEnvironment $directory
            foreach ($name in $environment.Keys) {
                if ($null -eq $environment[$name]) { $null = $info.Environment.Remove($name) } else { $info.Environment[$name] = $environment[$name] }
            }
            [System.Diagnostics.Process]::Start($info)
        }
        foreach ($process in $processes) {
            $process.WaitForExit(180000) | Should -BeTrue
            $process.ExitCode | Should -Be 0
        }

        $files = @(Get-ChildItem $directory -File -Filter '*.json')
        $files | Should -HaveCount 38 -Because '37 distinct targets and the hub, each once'
        foreach ($file in $files) {
            $entry = Get-Content -Raw $file.FullName | ConvertFrom-Json
            $entry.access_key_id | Should -Match '^ASIA'
            $entry.key | Should -Match '^\d{12}:Altimeter(Hub|Target):altimeter-pester$'
        }
        # The store's own temporaries (.<guid>.tmp, hidden on Unix: -Force). Wine's ReplaceFile may leave
        # its own rfNNNN.tmp when two processes replace one file at once; Windows' does not.
        @(Get-ChildItem $directory -File -Force | Where-Object Name -Like '.*.tmp') | Should -HaveCount 0
    }

    It 'Shared cache / Clear-AltimeterCredentialCache empties it too' {
        $null = Invoke-FreshPwsh -Environment (New-SharedEnvironment $directory) -Parameters @{ AccessorPath = $accessorPath; Accounts = @('222222222222') } $getSessions
        $left = Invoke-FreshPwsh -Environment (New-SharedEnvironment $directory) -Parameters @{ Directory = $directory } {
            param($Directory)
            Clear-AltimeterCredentialCache -Confirm:$false
            @(Get-ChildItem $Directory -File).Count
        }

        $left | Should -Be 0
    }

    It 'Shared cache / another process lists the entries the first one wrote, and Clear-AltimeterCredentialCache -PassThru tells those it removed' {
        $null = Invoke-FreshPwsh -Environment (New-SharedEnvironment $directory) -Parameters @{ AccessorPath = $accessorPath; Accounts = @('222222222222') } $getSessions
        $seen = Invoke-FreshPwsh -Environment (New-SharedEnvironment $directory) {
            [pscustomobject]@{
                Listed = @(Get-AltimeterCredentialCache | ForEach-Object { "$($_.Key) $($_.SharedCachePath) $($_.IsExpired)" })
                Removed = @(Clear-AltimeterCredentialCache -AccountId 222222222222 -Confirm:$false -PassThru | ForEach-Object Key)
                Left = @(Get-AltimeterCredentialCache | ForEach-Object Key)
            }
        }

        $full = (Get-Item $directory).FullName
        $seen.Listed | Should -Be @("111111111111:AltimeterHub:altimeter-pester $full False", "222222222222:AltimeterTarget:altimeter-pester $full False")
        $seen.Removed | Should -Be @('222222222222:AltimeterTarget:altimeter-pester')
        $seen.Left | Should -Be @('111111111111:AltimeterHub:altimeter-pester')
        @(Get-ChildItem $directory -File) | Should -HaveCount 1
    }

    It 'Shared cache / a malformed file is ignored with a warning and replaced' {
        $null = Invoke-FreshPwsh -Environment (New-SharedEnvironment $directory) -Parameters @{ AccessorPath = $accessorPath; Accounts = @('222222222222') } $getSessions
        Get-ChildItem $directory -File | ForEach-Object { Set-Content $_.FullName '{"broken": ' }
        Reset-MotoServer $server

        $result = Invoke-FreshPwsh -Environment (New-SharedEnvironment $directory) -Parameters @{ AccessorPath = $accessorPath } {
            param($AccessorPath)
            $session = Get-AltimeterSession 222222222222 -Accessor (New-AltimeterAccessor -Path $AccessorPath) -WarningVariable warned -WarningAction SilentlyContinue
            [pscustomobject]@{ AccountId = $session.AccountId; Warnings = @($warned | ForEach-Object { "$_" }) }
        }

        $result.AccountId | Should -Be '222222222222'
        ($result.Warnings -join "`n") | Should -BeLike '*malformed*'
        @(Get-MotoRequest $server | Where-Object Action -EQ 'AssumeRole') | Should -HaveCount 2
        $entries = @(Get-ChildItem $directory -File)
        $entries | Should -HaveCount 2 -Because 'the hub''s and the target''s entries were written again'
        $entries | ForEach-Object { { Get-Content -Raw $_.FullName | ConvertFrom-Json } | Should -Not -Throw }
    }
}

# Issue 11, case 3: a cache directory someone else could write. Tag Unix: Unix owners and modes, and
# strace. No root needed: root gives a directory of its own to `nobody`; anyone else takes /tmp, root's.
Describe 'The shared cache trusts only what the current user could have written' -Tag Unix {
    BeforeAll {
        Import-Module (Get-AltimeterModulePath) -Force
        $me = [int](id -u)
        $moduleCommand = 'Altimeter.Auth.Commands'
        # A directory of another user that anyone may write into, as a neighbour would leave it:
        # as root, a 0777 one given to `nobody` with an entry in it; otherwise the system's own
        # (/tmp, /var/tmp or /dev/shm, root's). Made is whether this test made it (and removes it).
        function New-ForeignDirectory {
            if ($me -eq 0) {
                $path = Join-Path ([System.IO.Path]::GetTempPath()) "altimeter-foreign-$([guid]::NewGuid())"
                $null = New-Item -ItemType Directory $path
                Set-Content (Join-Path $path 'planted.altimeter-creds.json') '{"key": "222222222222:AltimeterTarget:altimeter-pester"}'
                chmod 0777 $path
                chown -R 65534:65534 $path
                return [pscustomobject]@{ Path = $path; Owner = 65534; Made = $true }
            }
            foreach ($path in '/tmp', '/var/tmp', '/dev/shm') {
                if ((Test-Path $path) -and ([int](stat -c %u $path)) -ne $me -and ((Get-Item $path).UnixFileMode -band [System.IO.UnixFileMode]::OtherWrite)) {
                    return [pscustomobject]@{ Path = $path; Owner = [int](stat -c %u $path); Made = $false }
                }
            }
            throw 'No directory of another user to test with: not root, and none of /tmp, /var/tmp, /dev/shm belongs to someone else and is writable by all.'
        }
    }

    AfterEach { if ($foreign -and $foreign.Made) { Remove-Item -Recurse -Force $foreign.Path -ErrorAction SilentlyContinue } }

    It 'Shared cache / a -SharedCachePath that cannot be made is SharedCacheUnavailable, saying why' -Tag Unix {
        # /proc refuses new directories, to root as to anyone.
        { New-AltimeterAccessor -SharedCachePath /proc/altimeter-pester-cache } |
            Should -Throw -ErrorId "SharedCacheUnavailable,$moduleCommand.NewAltimeterAccessorCommand" -ExpectedMessage "The shared credentials cache '/proc/altimeter-pester-cache' could not be created: mkdir: No such file or directory (errno 2)."
    }

    It 'Shared cache / New-AltimeterAccessor -SharedCachePath on a directory another user owns is SharedCacheUntrusted, naming it' {
        $foreign = New-ForeignDirectory

        { New-AltimeterAccessor -SharedCachePath $foreign.Path } |
            Should -Throw -ErrorId "SharedCacheUntrusted,$moduleCommand.NewAltimeterAccessorCommand" -ExpectedMessage "*'$($foreign.Path)' belongs to uid $($foreign.Owner), not to this user (uid $me)*"
    }

    It 'Shared cache / Get-AltimeterSession with ALTIMETER_CREDENTIAL_CACHE on such a directory is SharedCacheUntrusted (SecurityError), before any STS call' {
        $foreign = New-ForeignDirectory
        Reset-MotoServer $server
        $environment = New-SharedEnvironment $foreign.Path

        $result = Invoke-FreshPwsh -Environment $environment {
            try { Get-AltimeterSession 222222222222 } catch { [pscustomobject]@{ Id = $_.FullyQualifiedErrorId; Category = "$($_.CategoryInfo.Category)"; Target = $_.TargetObject; Message = $_.Exception.Message } }
        }

        $result.Id | Should -Be "SharedCacheUntrusted,$moduleCommand.GetAltimeterSessionCommand"
        $result.Category | Should -Be 'SecurityError'
        $result.Target | Should -Be $foreign.Path
        $result.Message | Should -BeLike "*'$($foreign.Path)' belongs to uid $($foreign.Owner)*"
        Get-MotoRequest $server | Should -BeNullOrEmpty -Because 'the directory is refused before any STS call'
    }

    It 'Shared cache / under umask 000 the directory is made by mkdir 0700 and an entry by openat O_EXCL|O_NOFOLLOW 0600, never chmod-ed by path (strace)' {
        if (-not (Get-Command strace -ErrorAction SilentlyContinue)) { throw 'strace is not installed: ./build.ps1 Bootstrap installs it as root (Debian: apt-get install strace).' }
        $traced = Join-Path ([System.IO.Path]::GetTempPath()) "altimeter-strace-$([guid]::NewGuid())"
        $foreign = [pscustomobject]@{ Path = $traced; Made = $true }
        $log = "$traced.strace"
        $script = "$traced.ps1"
        Set-Content $script @"
Import-Module '$(Get-AltimeterModulePath)'
`$cache = (New-AltimeterAccessor -SharedCachePath '$traced').CredentialsCache
# What a chain does after an AssumeRole (the store and this method are internal: no STS needed here).
`$store = [Altimeter.Auth.CredentialsCache].GetMethod('Store', [System.Reflection.BindingFlags]'NonPublic, Instance')
`$null = `$store.Invoke(`$cache, @([Altimeter.Auth.CachedCredentials]::new('ASIAPESTERSTRACE0001', 'strace-secret', 'strace-token', [DateTimeOffset]::UtcNow.AddHours(1)), [Altimeter.Auth.CacheKey]::new('222222222222', 'Role', 'strace'), 'AKIAPESTERSTRACESIGN', `$null))
"@
        $pwsh = (@(Get-PwshCommandLine) | ForEach-Object { "'$_'" }) -join ' '
        sh -c "umask 000; exec strace -f -qq -e trace=mkdir,mkdirat,open,openat,chmod,fchmodat,fchmod,rename,renameat,renameat2 -o '$log' $pwsh -NoProfile -NonInteractive -File '$script'"
        $LASTEXITCODE | Should -Be 0
        $trace = Get-Content $log
        Remove-Item $log, $script
        $calls = @($trace | Where-Object { $_ -match [regex]::Escape($traced) -or $_ -match '\.tmp"|altimeter-creds' }) -join "`n"
        # What the store opened (the directory, the temporary), to tell its fchmod calls from pwsh's own.
        $descriptors = @([regex]::Matches($calls, '(?m)^\d+\s+openat\(.*(?:' + [regex]::Escape($traced) + '"|\.tmp").*\) = (\d+)$') | ForEach-Object { $_.Groups[1].Value })

        $calls | Should -Match "mkdir(at)?\((AT_FDCWD, )?`"$([regex]::Escape($traced))`", 0700\)"
        $calls | Should -Match 'openat\(\d+, "\.[0-9a-f]{32}\.tmp", O_WRONLY\|O_CREAT\|O_EXCL\|O_NOFOLLOW\|O_CLOEXEC, 0600\)'
        $descriptors | Should -Not -BeNullOrEmpty
        $calls | Should -Not -Match 'chmod' -Because 'a mode set by path after creation leaves a window, and follows a link planted at the name'
        $trace | Where-Object { $_ -match "fchmod\(($($descriptors -join '|')),"} | Should -BeNullOrEmpty -Because 'a new directory or file needs no mode change'
        (Get-Item $traced).UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute')
        (Get-ChildItem $traced -File).UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite')
    }
}

# Issue 13: a warning of the shared store goes to the command whose call met the file, in its own
# runspace. Two runspaces of this process share the module's caches (one store object for the
# directory): before, the store queued its warnings for whichever Get-AltimeterSession drained them.
Describe 'Shared cache warnings stay in the runspace whose call caused them' {
    BeforeAll {
        Import-Module (Get-AltimeterModulePath) -Force
        $runspaceModule = Get-AltimeterModulePath
        $mfaAccessorPath = Get-FixturePath 'accessors/mfa-single.json'
        # Temporary source keys and no code: the one hop with mfa_serial fails with MfaTokenRequired
        # after its cache lookup, without any STS call.
        $getSession = {
            param($ModulePath, $AccessorPath, $Directory, $ErrorAction)
            Import-Module $ModulePath
            $accessor = New-AltimeterAccessor -Path $AccessorPath -SharedCachePath $Directory
            $source = [Amazon.Runtime.SessionAWSCredentials]::new('ASIAPESTERRUNSPACE01', 'pester-runspace-secret', 'pester-runspace-token')
            & {
                try { Get-AltimeterSession 222222222222 -Accessor $accessor -Credential $source -Region us-east-1 -ErrorAction $ErrorAction }
                catch { "error: $($_.FullyQualifiedErrorId)" }
            } 3>&1 2>$null | ForEach-Object { if ($_ -is [System.Management.Automation.WarningRecord]) { "warning: $($_.Message)" } else { "$_" } }
        }
        function Invoke-InRunspace([System.Management.Automation.Runspaces.Runspace] $Runspace, [hashtable] $Parameters) {
            $shell = [powershell]::Create()
            $shell.Runspace = $Runspace
            try { @($shell.AddScript($getSession).AddParameters($Parameters).Invoke()) } finally { $shell.Dispose() }
        }
    }

    BeforeEach {
        $directory = Join-Path ([System.IO.Path]::GetTempPath()) "altimeter-runspaces-$([guid]::NewGuid())"
        $first = [runspacefactory]::CreateRunspace(); $first.Open()
        $second = [runspacefactory]::CreateRunspace(); $second.Open()
    }

    AfterEach {
        $first.Dispose(); $second.Dispose()
        Remove-Item -Recurse -Force $directory -ErrorAction SilentlyContinue
    }

    It 'Shared cache / a malformed entry read in one runspace is warned there, and not in another runspace of the process' {
        $null = New-AltimeterAccessor -SharedCachePath $directory
        $key = '222222222222:AltimeterTarget:altimeter-mfa-single'
        $name = -join ([System.Security.Cryptography.SHA256]::HashData([System.Text.Encoding]::UTF8.GetBytes($key)) | ForEach-Object { $_.ToString('x2') })
        $planted = Join-Path $directory "$name.altimeter-creds.json"
        Set-Content $planted "{`"key`": `"$key`", `"access_key_id`": "
        if (-not $IsWindows) { [System.IO.File]::SetUnixFileMode($planted, [System.IO.UnixFileMode]'UserRead, UserWrite') }

        # The first stops at its error (-ErrorAction Stop); the second ends normally, after its own error.
        $inFirst = Invoke-InRunspace $first @{ ModulePath = $runspaceModule; AccessorPath = $mfaAccessorPath; Directory = $directory; ErrorAction = 'Stop' }
        $inSecond = Invoke-InRunspace $second @{ ModulePath = $runspaceModule; AccessorPath = $mfaAccessorPath; Directory = $directory; ErrorAction = 'SilentlyContinue' }

        $inFirst | Should -Contain 'error: AccountAuthFailed,Altimeter.Auth.Commands.GetAltimeterSessionCommand' -Because 'the hop failed (no MFA code) after its lookup'
        @(@($inFirst) -like 'warning: *malformed*') | Should -HaveCount 1
        @(@($inSecond) -like 'warning: *') | Should -HaveCount 0 -Because 'the second runspace read no bad file'
        Test-Path $planted | Should -BeFalse -Because 'the malformed file was removed by the read that warned'
    }
}
