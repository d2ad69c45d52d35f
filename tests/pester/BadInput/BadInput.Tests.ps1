# The bad-input corpus (tests/fixtures/bad-input, indexed by cases.psd1): every file gives its own
# error id and a message that names the file — never a stack trace, never a crash of the session —
# or loads, for the odd but valid ones (BOM, CRLF).
BeforeDiscovery {
    $corpus = Join-Path $PSScriptRoot '../../fixtures/bad-input'
    $cases = (Import-PowerShellDataFile (Join-Path $corpus 'cases.psd1')).Cases | ForEach-Object { $_ + @{ Path = Join-Path $corpus $_.File } }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    Import-Module (Get-AltimeterModulePath) -Force
    $commandId = 'Altimeter.Auth.Commands.NewAltimeterAccessorCommand'
    $corpus = Join-Path $PSScriptRoot '../../fixtures/bad-input'
    $count = @((Import-PowerShellDataFile (Join-Path $corpus 'cases.psd1')).Cases).Count
    $files = @(Get-ChildItem $corpus -File | Where-Object Name -NE 'cases.psd1').Count
}

AfterAll {
    Write-Host "bad-input corpus: $count files checked, each with its expected outcome"
}

Describe 'Bad input' {
    It 'Bad input / the index lists every file of the corpus, and there are at least 40' {
        $count | Should -Be $files
        $count | Should -BeGreaterOrEqual 40
    }

    It 'Bad input / <File> gives <ErrorId>' -ForEach $cases {
        if ($null -eq $ErrorId) {
            $accessor = New-AltimeterAccessor -Path $Path
            $accessor.MultiHopAccessors.Count | Should -BeGreaterThan 0
            return
        }

        $record = $null
        try { $null = New-AltimeterAccessor -Path $Path } catch { $record = $_ }

        $record | Should -Not -BeNullOrEmpty -Because "$File must be refused"
        $record.FullyQualifiedErrorId | Should -Be "$ErrorId,$commandId"
        $text = $record.Exception.Message
        $text | Should -BeLike $Message
        $text.Contains($File) | Should -BeTrue -Because 'the message names the file'
        $text | Should -Not -Match '\n\s+at ' -Because 'no stack trace'
        $record.TargetObject | Should -Be $Path
    }

    It 'Bad input / a huge file is refused unread with AccessorFileInvalid' {
        $huge = Join-Path $TestDrive 'huge.json'
        $stream = [System.IO.File]::Create($huge)
        try { $stream.SetLength([Altimeter.Auth.AccessorFile]::MaxFileBytes + 1) } finally { $stream.Dispose() }

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

    It 'Bad input / after every refusal the session still works' {
        $accessor = New-AltimeterAccessor -Json '{"multi_hop_accessors": [{"role_session_name": "after", "access_steps": [{"role_name": "R"}]}]}'
        "$accessor" | Should -Be 'accessor:after:R@target'
    }
}
