# build.ps1's ReadyToRun step as a person running Build sees it: crossgen2's line per assembly
# ("Emitting R2R PE file") stays out of the output, and shows when crossgen2 fails. The step's
# functions are taken from build.ps1 as they are written (its AST) and run in a fresh pwsh against
# a stand-in crossgen2 (a shell script that prints what crossgen2 prints and copies its input), so
# nothing is compiled or downloaded. Linux-x64 only: the step runs nowhere else.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    $buildScript = Join-Path $PSScriptRoot '../../../build.ps1'
    $ast = [System.Management.Automation.Language.Parser]::ParseFile((Resolve-Path $buildScript).Path, [ref] $null, [ref] $null)
    $functions = ($ast.FindAll({ param($node) $node -is [System.Management.Automation.Language.FunctionDefinitionAst] -and $node.Name -in 'Invoke-Native', 'Get-Crossgen', 'Invoke-ReadyToRun' }, $true) |
            ForEach-Object { $_.Extent.Text }) -join "`n"

    # Runs Invoke-ReadyToRun over two assemblies with a crossgen2 that ends with $ExitCode; returns
    # what the host showed (a transcript), the files made and the error, if any.
    function Invoke-ReadyToRunStep([int] $ExitCode) {
        $scratch = Join-Path $TestDrive "r2r-$ExitCode"
        Invoke-FreshPwsh -NoImport -Environment @{ ALTIMETER_READYTORUN = $null } -Parameters @{ Functions = $functions; Scratch = $scratch; ExitCode = $ExitCode } {
            param($Functions, $Scratch, $ExitCode)
            . ([scriptblock]::Create($Functions))
            $root = $Scratch
            $tools = Join-Path $root ".tools/microsoft.netcore.app.crossgen2.linux-x64/$([Environment]::Version.ToString(3))/tools"
            $null = New-Item -ItemType Directory -Force $tools, (Join-Path $root 'module')
            Set-Content (Join-Path $tools 'crossgen2') @"
#!/bin/sh
out=''; prev=''
for a in "`$@"; do [ "`$prev" = '-o' ] && out="`$a"; prev="`$a"; done
echo "Emitting R2R PE file: `$out"
[ $ExitCode -eq 0 ] || { echo 'error: stand-in crossgen2 failed'; exit $ExitCode; }
cp "`$1" "`$out"
"@
            chmod +x (Join-Path $tools 'crossgen2')
            foreach ($name in 'One.dll', 'Two.dll') { Set-Content (Join-Path $root "module/$name") 'not really an assembly' }
            $transcript = Join-Path $root 'host.txt'
            $null = Start-Transcript -LiteralPath $transcript
            $failure = try { Invoke-ReadyToRun (Join-Path $root 'module'); $null } catch { "$_" }
            $null = Stop-Transcript
            [pscustomobject]@{
                Shown = Get-Content -Raw -LiteralPath $transcript
                Made = @(Get-ChildItem -Recurse (Join-Path $root 'module/ReadyToRun') -Filter *.dll | ForEach-Object Name | Sort-Object)
                Failure = $failure
            }
        }
    }
}

Describe 'build.ps1' -Tag Unix {
    It 'build.ps1 / the ReadyToRun step keeps crossgen2''s line per assembly out of the output' {
        $result = Invoke-ReadyToRunStep 0
        $result.Failure | Should -BeNullOrEmpty
        $result.Made | Should -Be @('One.dll', 'Two.dll')
        $result.Shown | Should -Not -Match 'Emitting R2R PE file'
    }

    It 'build.ps1 / when crossgen2 fails, its output shows and the step fails' {
        $result = Invoke-ReadyToRunStep 3
        $result.Failure | Should -BeLike '*crossgen2*failed with exit code 3*'
        $result.Shown | Should -Match 'error: stand-in crossgen2 failed'
        $result.Shown | Should -Match 'Emitting R2R PE file'
    }
}
