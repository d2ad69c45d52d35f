# examples/Demo.ps1 (build.ps1 Demo) with its output going to a file or a pipe, as in CI or
# `./build.ps1 Demo > demo.txt`: plain text, without the escape sequences of colour.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    $suite = Start-TestFile -Moto -NoImport
}
AfterAll { Stop-TestFile $suite }

# Unix only: under Wine the demo child was handed the module path as a positional argument it
# refused (noted for a later session); the demo's colour handling is not platform code.
Describe 'The demo' -Tag Unix {
    It 'Demo / output redirected to a pipe has no colour escape sequences, and still shows the sessions' {
        $pwsh = @(Get-PwshCommandLine)
        $saved = $env:ALTIMETER_TEST_MOTO_URL, $env:NO_COLOR
        # The demo joins this file's moto, and nothing asks it for plain text but the redirection.
        $env:ALTIMETER_TEST_MOTO_URL, $env:NO_COLOR = $suite.Server.Url, $null
        try {
            $output = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File (Join-Path $PSScriptRoot '../../../examples/Demo.ps1') -ModulePath (Get-AltimeterModulePath) 2>&1
            $exitCode = $LASTEXITCODE
        }
        finally { $env:ALTIMETER_TEST_MOTO_URL, $env:NO_COLOR = $saved }

        $text = $output -join "`n"
        $exitCode | Should -Be 0 -Because $text
        $text | Should -BeLike '*Sessions (cold cache):*AccountId*222222222222*'
        $text | Should -Not -Match "$([char]27)\["
    }
}
