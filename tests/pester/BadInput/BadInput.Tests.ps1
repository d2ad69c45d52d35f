# Bad input through New-AltimeterAccessor -Path. The corpus's rules, file by file, are tested once in
# xunit (BadInputCorpusTests, over tests/fixtures/bad-input/cases.json), and the mapping of each error
# id to an ErrorRecord in tests/pester/New-AltimeterAccessor; here: files no index can hold (huge,
# FIFOs, devices) and what a refusal must leave of the session.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    $suite = Start-TestFile
    $commandId = 'Altimeter.Auth.Commands.NewAltimeterAccessorCommand'
    $corpus = Join-Path $PSScriptRoot '../../fixtures/bad-input'
    $refused = @((Get-Content -Raw (Join-Path $corpus 'cases.json') | ConvertFrom-Json).cases | Where-Object error_id | ForEach-Object { (Resolve-Path (Join-Path $corpus $_.file)).Path })
}

Describe 'Bad input' {
    It 'Bad input / a huge file is refused unread with AccessorFileInvalid' {
        $huge = Join-Path $TestDrive 'huge.json'
        $stream = [System.IO.File]::Create($huge)
        # One byte over AccessorFile.MaxFileBytes (8 MB).
        try { $stream.SetLength(8MB + 1) } finally { $stream.Dispose() }

        { New-AltimeterAccessor -Path $huge } | Should -Throw -ErrorId "AccessorFileInvalid,$commandId" -ExpectedMessage '*huge.json*larger than*'
    }

    # Tag Unix: FIFOs and /dev/zero. In a fresh pwsh, so that a read that blocks or never ends fails the test (120 s) instead of hanging the run.
    It 'Bad input / a FIFO or a link to /dev/zero as -Path is AccessorFileUnreadable at once' -Tag Unix {
        $fifo = Join-Path $TestDrive 'fifo.json'
        $zero = Join-Path $TestDrive 'zero.json'
        mkfifo $fifo
        $null = New-Item -ItemType SymbolicLink -Path $zero -Target '/dev/zero'

        $errors = Invoke-FreshPwsh -Parameters @{ Paths = @($fifo, $zero) } {
            param($Paths)
            foreach ($path in $Paths) {
                try { $null = New-AltimeterAccessor -Path $path } catch { [pscustomobject]@{ Id = $_.FullyQualifiedErrorId; Message = $_.Exception.Message } }
            }
        }

        $errors.Id | Should -Be @("AccessorFileUnreadable,$commandId", "AccessorFileUnreadable,$commandId")
        $errors[0].Message | Should -BeLike '*fifo.json*it is a FIFO (named pipe), not a regular file*'
        $errors[1].Message | Should -BeLike '*zero.json*it is a character device, not a regular file*'
    }

    It 'Bad input / every refusal of the corpus leaves the environment as it was, no refused file open, and the next load works' {
        $refused.Count | Should -BeGreaterOrEqual 40
        $before = Get-ChildItem Env: | ForEach-Object { "$($_.Name)=$($_.Value)" }

        $ids = foreach ($path in $refused) {
            try { $null = New-AltimeterAccessor -Path $path; "loaded: $path" } catch { ($_.FullyQualifiedErrorId -split ',')[1] }
        }

        $ids | Sort-Object -Unique | Should -Be $commandId -Because 'each file is refused by a terminating error of the cmdlet'
        Get-ChildItem Env: | ForEach-Object { "$($_.Name)=$($_.Value)" } | Should -Be $before
        # A handle left open: on Unix a descriptor of this process on the file; on Windows the file cannot be opened alone.
        $open = foreach ($path in $refused) {
            if (Test-Path /proc/self/fd) { if (Get-ChildItem /proc/$PID/fd -ErrorAction Ignore | Where-Object { $_.LinkTarget -eq $path }) { $path } }
            else { try { [System.IO.File]::Open($path, 'Open', 'Read', 'None').Dispose() } catch { $path } }
        }
        $open | Should -BeNullOrEmpty
        "$(New-AltimeterAccessor -Json '{"multi_hop_accessors": [{"role_session_name": "after", "access_steps": [{"role_name": "R"}]}]}')" | Should -Be 'accessor:after:R@target'
    }
}
