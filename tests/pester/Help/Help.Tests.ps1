# The help is the one source of what a user reads about the cmdlets: the MAML file beside the
# DLL (en-US/Altimeter.Auth.PowerShell.dll-Help.xml, written by hand) and the about_ topic. The
# C# carries no help text, so nothing regenerates the MAML when a cmdlet changes: these tests hold
# it to the cmdlets as PowerShell sees them (Get-Command in a fresh pwsh), so that a parameter
# added, removed, renamed or rebound without its help fails here.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    $cmdlets = @(Get-DeclaredCmdlets | ForEach-Object { @{ Name = $_ } })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    $moduleFolder = Split-Path (Get-AltimeterModulePath)
    $mamlPath = Join-Path $moduleFolder 'en-US/Altimeter.Auth.PowerShell.dll-Help.xml'
    $aboutPath = Join-Path $moduleFolder 'en-US/about_Altimeter_Auth.help.txt'
    $maml = [xml](Get-Content -Raw -LiteralPath $mamlPath)
    $about = Get-Content -Raw -LiteralPath $aboutPath

    # One row per cmdlet, parameter set and parameter, in the words MAML uses.
    $metadataJson = Invoke-FreshPwsh {
        # -WhatIf and -Confirm are the cmdlet's own choice (SupportsShouldProcess): documented like the others.
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters
        $rows = foreach ($command in Get-Command -Module Altimeter.Auth -CommandType Cmdlet) {
            foreach ($set in $command.ParameterSets) {
                $parameters = @($set.Parameters | Where-Object Name -NotIn $common)
                if (-not $parameters) { [pscustomobject]@{ Command = $command.Name; Set = $set.Name; Parameter = $null } }
                foreach ($parameter in $parameters) {
                    $type = $parameter.ParameterType
                    if ([Nullable]::GetUnderlyingType($type)) { $type = [Nullable]::GetUnderlyingType($type) }
                    $bindings = @(if ($parameter.ValueFromPipeline) { 'ByValue' }; if ($parameter.ValueFromPipelineByPropertyName) { 'ByPropertyName' })
                    [pscustomobject]@{
                        Command = $command.Name
                        Set = $set.Name
                        Parameter = $parameter.Name
                        Type = $type.Name
                        Required = "$($parameter.IsMandatory)".ToLowerInvariant()
                        Position = if ($parameter.Position -lt 0) { 'named' } else { "$($parameter.Position)" }
                        PipelineInput = if ($bindings) { "True ($($bindings -join ', '))" } else { 'False' }
                        Globbing = "$([bool]($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }))".ToLowerInvariant()
                        Aliases = ($parameter.Aliases | Sort-Object) -join ', '
                    }
                }
            }
        }
        ConvertTo-Json -InputObject @($rows) -Compress
    }
    $metadata = @($metadataJson | ConvertFrom-Json)
    $commonParameters = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters

    function Get-MamlCommand([string] $Name) { @($maml.helpItems.command | Where-Object { $_.details.name -eq $Name }) }
    function Get-Text($Node) { (@($Node.para) | ForEach-Object { "$_".Trim() } | Where-Object { $_ }) -join "`n" }
    function Get-Parameters([string] $Command) { @($metadata | Where-Object { $_.Command -eq $Command -and $_.Parameter }) }

    # Every name a user could type after a dash for this module's cmdlets, and for PowerShell itself.
    $anyParameter = @($metadata.Parameter) + @($metadata.Aliases | ForEach-Object { $_ -split ', ' }) + $commonParameters | Where-Object { $_ } | Sort-Object -Unique
    # Named in the text but not ours: pwsh's own switch (sessions without a person).
    $foreignParameters = @('NonInteractive')

    # -Name tokens of prose: a dash after a space or an opening bracket, then a capital; not those
    # that follow another module's command (ForEach-Object -Parallel).
    function Get-DashedNames([string] $Text) {
        [regex]::Matches($Text, '(?<!\b[A-Z][A-Za-z]*-(?!Altimeter)[A-Z][A-Za-z]* )(?<![\w\-.:/])-([A-Z][A-Za-z]+)\b') | ForEach-Object { $_.Groups[1].Value }
    }

    # The parameters each call of one of our cmdlets passes in a piece of PowerShell.
    function Get-CallParameters([string] $Code) {
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($Code, [ref] $null, [ref] $null)
        foreach ($call in $ast.FindAll({ param($node) $node -is [System.Management.Automation.Language.CommandAst] }, $true)) {
            $name = $call.GetCommandName()
            if ($name -notlike '*-Altimeter*') { continue }
            $passed = @($call.CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] })
            if (-not $passed) { [pscustomobject]@{ Command = $name; Parameter = $null } }
            foreach ($parameter in $passed) { [pscustomobject]@{ Command = $name; Parameter = $parameter.ParameterName } }
        }
    }

    function Test-ParameterOf([string] $Command, [string] $Parameter) {
        $rows = Get-Parameters $Command
        $Parameter -in $commonParameters -or $Parameter -in $rows.Parameter -or $Parameter -in @($rows.Aliases | ForEach-Object { $_ -split ', ' })
    }
}

Describe 'Help of the Altimeter.Auth cmdlets' {
    It 'help / the MAML has one entry for each exported cmdlet and none for anything else' {
        $exported = @($metadata.Command | Sort-Object -Unique)
        $exported | Should -Be @(Get-DeclaredCmdlets)
        @($maml.helpItems.command.details.name | Sort-Object) | Should -Be $exported
    }

    It 'help / Get-Help finds the MAML of every cmdlet and the about_ topic' {
        $shown = Invoke-FreshPwsh {
            foreach ($command in Get-Command -Module Altimeter.Auth -CommandType Cmdlet) {
                [pscustomobject]@{ Name = $command.Name; Synopsis = "$((Get-Help $command.Name).Synopsis)".Trim() }
            }
            [pscustomobject]@{ Name = 'about_Altimeter_Auth'; Synopsis = (Get-Help about_Altimeter_Auth | Out-String) }   # the whole topic
        }
        $shown | Should -HaveCount (@(Get-DeclaredCmdlets).Count + 1)
        foreach ($entry in $shown | Where-Object Name -NE 'about_Altimeter_Auth') {
            $written = Get-Text @(Get-MamlCommand $entry.Name)[0].details.description
            # Without MAML, Get-Help makes a synopsis of the syntax line: this proves the file was read.
            $entry.Synopsis | Should -Be $written -Because "Get-Help $($entry.Name) should read the MAML"
        }
        # The topic explains accessor files: their keys, the external id template and the TOML table.
        $topic = ($shown | Where-Object Name -EQ 'about_Altimeter_Auth').Synopsis
        $topic | Should -BeLike '*multi_hop_accessors*'
        $topic | Should -BeLike '*role_session_name*'
        $topic.Contains("{{ env['NAME'] }}") | Should -BeTrue
        $topic | Should -BeLike '*[[]accessor]*'
    }

    Context '<Name>' -ForEach $cmdlets {
        BeforeAll {
            $entry = @(Get-MamlCommand $Name)
            $entry | Should -HaveCount 1 -Because "$Name needs exactly one MAML entry"
            $entry = $entry[0]
            $parameters = Get-Parameters $Name
            $sets = @($metadata | Where-Object Command -EQ $Name | Group-Object Set)
            $described = @($entry.parameters.parameter | Where-Object { $_ })
        }

        It '<Name> / has a synopsis, a description and at least two numbered examples that call it' {
            $entry.details.verb + '-' + $entry.details.noun | Should -Be $Name
            Get-Text $entry.details.description | Should -Not -BeNullOrEmpty
            (Get-Text $entry.description).Length | Should -BeGreaterThan 40
            $examples = @($entry.examples.example)
            $examples.Count | Should -BeGreaterOrEqual 2
            for ($i = 0; $i -lt $examples.Count; $i++) {
                $examples[$i].title | Should -Match "\bExample $($i + 1)\b"
                "$($examples[$i].code)" | Should -BeLike "*$Name*"
                Get-Text $examples[$i].remarks | Should -Not -BeNullOrEmpty
            }
        }

        It '<Name> / INPUTS names what its pipeline parameters take: the type of each by value, each by property name' {
            $piped = @($parameters | Where-Object PipelineInput -NE 'False' | Sort-Object Parameter -Unique)
            $inputs = @($entry.inputTypes.inputType | Where-Object { $_ })
            if (-not $piped) {
                $inputs | Should -BeNullOrEmpty -Because "$Name takes no pipeline input"
                return
            }
            $inputs | Should -Not -BeNullOrEmpty -Because "$Name takes pipeline input"
            $names = @($inputs | ForEach-Object { "$($_.type.name)".Trim() })
            $text = ($inputs | ForEach-Object { "$($_.type.name) $(Get-Text $_.description)" }) -join "`n"
            foreach ($parameter in $piped) {
                if ($parameter.PipelineInput -like '*ByValue*') {
                    $element = $parameter.Type -replace '\[\]$'
                    @($names | Where-Object { ($_ -replace '\[\]$' -split '\.')[-1] -eq $element }) | Should -Not -BeNullOrEmpty -Because "-$($parameter.Parameter) takes $element by value"
                }
                if ($parameter.PipelineInput -like '*ByPropertyName*') {
                    $text | Should -Match "\b$($parameter.Parameter)\b" -Because "-$($parameter.Parameter) binds by property name"
                }
            }
        }

        It '<Name> / describes every parameter once, with its type and aliases, and no parameter it does not have' {
            @($described.name | Sort-Object) | Should -Be @($parameters.Parameter | Sort-Object -Unique)
            foreach ($parameter in $described) {
                $rows = @($parameters | Where-Object Parameter -EQ $parameter.name)
                Get-Text $parameter.description | Should -Not -BeNullOrEmpty -Because "-$($parameter.name) needs a description"
                $parameter.type.name | Should -Be $rows[0].Type -Because "the type of -$($parameter.name)"
                (@("$($parameter.aliases)" -split ', ' | Where-Object { $_ -and $_ -ne 'None' } | Sort-Object) -join ', ') | Should -Be $rows[0].Aliases -Because "the aliases of -$($parameter.name)"
                # A parameter in several sets may be bound differently in each: the help states one of them.
                foreach ($attribute in 'Required', 'Position', 'PipelineInput', 'Globbing') {
                    $parameter.($attribute.Substring(0, 1).ToLowerInvariant() + $attribute.Substring(1)) | Should -BeIn @($rows.$attribute) -Because "$attribute of -$($parameter.name)"
                }
            }
        }

        It '<Name> / has one syntax per parameter set, each with its parameters as the cmdlet binds them (type, required, position, pipeline input, wildcards)' {
            $items = @($entry.syntax.syntaxItem)
            $items | Should -HaveCount $sets.Count
            $unmatched = [System.Collections.Generic.List[object]]::new($items)
            foreach ($set in $sets) {
                $expected = @($set.Group | Where-Object Parameter)
                $item = $unmatched | Where-Object { (@($_.parameter.name | Sort-Object) -join ',') -eq (@($expected.Parameter | Sort-Object) -join ',') } | Select-Object -First 1
                $item | Should -Not -BeNullOrEmpty -Because "parameter set '$($set.Name)' ($($expected.Parameter -join ', ')) needs its syntax"
                $null = $unmatched.Remove($item)
                $item.name | Should -Be $Name
                foreach ($row in $expected) {
                    $shown = @($item.parameter | Where-Object name -EQ $row.Parameter)[0]
                    $because = "-$($row.Parameter) in set '$($set.Name)'"
                    $shown.required | Should -Be $row.Required -Because $because
                    $shown.position | Should -Be $row.Position -Because $because
                    $shown.pipelineInput | Should -Be $row.PipelineInput -Because $because
                    $shown.globbing | Should -Be $row.Globbing -Because $because
                    $shown.type.name | Should -Be $row.Type -Because $because
                    # Text lives in the parameters section only: a copy here would drift from it.
                    $shown.description | Should -BeNullOrEmpty -Because "$because has its description in <command:parameters>"
                    if ($row.Type -eq 'SwitchParameter') { $shown.parameterValue | Should -BeNullOrEmpty -Because $because }
                    else { "$($shown.parameterValue.'#text')" | Should -Be $row.Type -Because $because }
                }
            }
        }

        It '<Name> / its examples pass only parameters the cmdlets have' {
            foreach ($call in Get-CallParameters (@($entry.examples.example.code) -join "`n")) {
                $call.Command | Should -BeIn $metadata.Command -Because 'an example calls it'
                if ($call.Parameter) { Test-ParameterOf $call.Command $call.Parameter | Should -BeTrue -Because "$($call.Command) -$($call.Parameter) is in an example" }
            }
        }

        It '<Name> / its text names only parameters that exist' {
            $text = @(Get-Text $entry.description; $described | ForEach-Object { Get-Text $_.description }; $entry.examples.example | ForEach-Object { Get-Text $_.remarks }) -join "`n"
            foreach ($dashed in Get-DashedNames $text) {
                $dashed | Should -BeIn ($anyParameter + $foreignParameters) -Because "the help of $Name mentions -$dashed"
            }
        }
    }

    It 'help / the cmdlets'' C# carries no help text of its own (no XmlDoc2CmdletDoc para blocks, no doc comments on parameters)' {
        $files = @(Get-ChildItem (Join-Path $PSScriptRoot '../../../src/Altimeter.Auth.PowerShell') -Filter '*Command.cs' -Recurse)
        $files | Should -HaveCount @(Get-DeclaredCmdlets).Count -Because 'each cmdlet has its file'
        foreach ($file in $files) {
            $source = Get-Content -Raw -LiteralPath $file.FullName
            $source | Should -Not -Match '<para type=' -Because "$($file.Name) would be a second source of help"
            # A /// comment, then attributes among which [Parameter(...)].
            $source | Should -Not -Match '///[^\n]*\n(\s*\[[^\n]*\n)*?\s*\[Parameter\b' -Because "a parameter of $($file.Name) is described in the MAML"
        }
    }

    It 'Get-AltimeterSession / Get-Help opens the description with what it does, renewal after' {
        $paragraphs = @(Invoke-FreshPwsh { (Get-Help Get-AltimeterSession).description.Text })
        $paragraphs[0] | Should -Match '^For each account id, walks the chains'
        $renewal = @($paragraphs | Where-Object { $_ -match 'renew' })[0]
        [array]::IndexOf($paragraphs, $renewal) | Should -BeGreaterThan 0
    }

    It 'help / no example puts ConvertTo-AltimeterCredentialProcess on a credential_process line (the help sends profiles to Invoke-AltimeterCredentialProcess)' {
        $code = @($maml.helpItems.command.examples.example | ForEach-Object { "$($_.code)" }) + $about
        foreach ($line in $code -split '\r?\n' | Where-Object { $_ -match 'credential_process\s*=' }) {
            $line | Should -Not -Match 'ConvertTo-AltimeterCredentialProcess'
        }
    }

    It 'about_Altimeter_Auth / ERRORS names every error id the code can give' {
        # The ids as the code writes them: the engine's errors (ErrorId => "…" and the consts of the
        # errors with several ids) and the ErrorRecords the cmdlets make themselves.
        $src = Join-Path $PSScriptRoot '../../../src'
        $source = (Get-ChildItem $src -Recurse -Filter *.cs | Where-Object FullName -NotMatch '[\\/](obj|bin)[\\/]' | Get-Content -Raw) -join "`n"
        $errorTypes = (Get-ChildItem (Join-Path $src 'Altimeter.Auth/Errors') -Filter *.cs | Get-Content -Raw) -join "`n"
        $ids = @(
            [regex]::Matches($source, 'ErrorId\s*=>\s*"(\w+)"')
            [regex]::Matches($errorTypes, 'public const string \w+ = "(\w+)";')
            [regex]::Matches($source, 'new ErrorRecord\([^;]*?,\s*"(\w+)",\s*ErrorCategory')
            [regex]::Matches($source, 'ErrorRecordFactory\.InvalidArgument\(\s*"(\w+)"')
        ) | ForEach-Object { $_.Groups[1].Value } | Sort-Object -Unique
        $ids | Should -Contain 'MfaTokenRequired'
        $ids | Should -Contain 'ConsoleDestinationInvalid'
        $ids | Should -Contain 'NoSession'
        $errors = ($about -split '(?m)^ERRORS\s*$')[1] -split '(?m)^[A-Z]{3,}\s*$' | Select-Object -First 1
        foreach ($id in $ids) {
            $errors | Should -Match "\b$id\b" -Because "the code gives the error id $id"
        }
    }

    It 'about_Altimeter_Auth / names only cmdlets that exist, and each of them' {
        $named = @([regex]::Matches($about, '\b[A-Z][A-Za-z]+-Altimeter[A-Za-z]*\b').Value | Sort-Object -Unique)
        $named | Should -Be @(Get-DeclaredCmdlets)
    }

    It 'about_Altimeter_Auth / names only parameters that exist, and its examples pass each to a cmdlet that has it' {
        foreach ($dashed in Get-DashedNames $about) {
            $dashed | Should -BeIn ($anyParameter + $foreignParameters) -Because "about_Altimeter_Auth mentions -$dashed"
        }
        # The examples are the lines indented by eight spaces.
        $code = ($about -split '\r?\n' | Where-Object { $_ -match '^ {8,}\S' }) -join "`n"
        $calls = @(Get-CallParameters $code | Where-Object Parameter)
        $calls | Should -Not -BeNullOrEmpty
        foreach ($call in $calls) {
            Test-ParameterOf $call.Command $call.Parameter | Should -BeTrue -Because "$($call.Command) -$($call.Parameter) is in an example of about_Altimeter_Auth"
        }
    }
}
