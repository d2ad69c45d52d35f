BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    $suite = Start-TestFile
    $savedEnvironment = Save-TestEnvironment
    $env:TEST_EXT_ID = 'foo'
    $env:ALTIMETER_PESTER_EXT_ID = 'pester-external-id'

    $referenceFile = Get-FixturePath 'engine/reference-accessor.json'
    $tomlConfig = Get-FixturePath 'engine/altimeter-config.toml'
    $twoHopFile = Get-FixturePath 'accessors/two-hop.json'
    $commandId = 'Altimeter.Auth.Commands.NewAltimeterAccessorCommand'

    # The ErrorRecord New-AltimeterAccessor throws for a fixture of the bad-input corpus.
    function Get-LoadError([string] $Fixture) {
        try { $null = New-AltimeterAccessor -Path (Get-FixturePath $Fixture) } catch { return $_ }
        throw "New-AltimeterAccessor loaded $Fixture without an error."
    }
}

AfterAll {
    Restore-TestEnvironment $savedEnvironment
}

Describe 'New-AltimeterAccessor' {
    Context 'loading definitions' {
        It 'New-AltimeterAccessor / -Path loads the reference accessor file with both chains, their steps and external-id templates' {
            $accessor = New-AltimeterAccessor -Path $referenceFile

            $accessor | Should -BeOfType ([Altimeter.Auth.Accessor])
            $accessor.IsLocal | Should -BeFalse
            $accessor.CacheCreds | Should -BeTrue
            $accessor.MultiHopAccessors.RoleSessionName | Should -Be @('altimeter-mb-a', 'altimeter-mb-b')
            $first, $second = $accessor.MultiHopAccessors
            $first.AccessSteps.Count | Should -Be 2
            $second.AccessSteps.Count | Should -Be 3
            $first.AccessSteps[0].AccountId | Should -Be '123456789012'
            $first.AccessSteps[0].RoleName | Should -Be 'OrganizationAccountAccessRole'
            $first.AccessSteps[0].ExternalIdTemplate | Should -Be "{{ env['TEST_EXT_ID'] }}"
            $first.AccessSteps[1].IsFinal | Should -BeTrue
            $first.AccessSteps[1].ExternalIdTemplate | Should -BeNullOrEmpty
            $second.AccessSteps[0..1].ExternalIdTemplate | Should -Be @("{{ env['TEST_EXT_ID'] }}", "{{ env['TEST_EXT_ID'] }}")
        }

        It 'New-AltimeterAccessor / -Path resolves a path relative to the current location and takes files piped from Get-Item' {
            Push-Location (Split-Path $twoHopFile)
            try { $relative = New-AltimeterAccessor -Path './two-hop.json' }
            finally { Pop-Location }
            $piped = Get-Item $twoHopFile | New-AltimeterAccessor

            "$relative" | Should -Be 'accessor:altimeter-pester:AltimeterHub@111111111111,AltimeterTarget@target'
            "$piped" | Should -Be "$relative"
        }

        It 'New-AltimeterAccessor / -Path reads the [accessor] table of an altimeter TOML config and ignores the rest of it' {
            $accessor = New-AltimeterAccessor -Path $tomlConfig

            $accessor.IsLocal | Should -BeFalse
            $accessor.CacheCreds | Should -BeTrue
            $accessor.MultiHopAccessors.Count | Should -Be 1
            "$($accessor.MultiHopAccessors[0])" | Should -Be 'accessor:altimeter:HubRole@111111111111,OrganizationAccountAccessRole@target'
            $accessor.MultiHopAccessors[0].AccessSteps[0].ExternalIdTemplate | Should -Be '{{ env.TEST_EXT_ID }}'
        }

        It 'New-AltimeterAccessor / -Path of a TOML config without [accessor] gives local mode' {
            $config = Join-Path $TestDrive 'no-accessor.toml'
            Set-Content -LiteralPath $config -Value "artifact_path = '/tmp/altimeter'`n[concurrency]`nmax_account_scan_threads = 1"

            $accessor = New-AltimeterAccessor -Path $config

            $accessor.IsLocal | Should -BeTrue
            $accessor.MultiHopAccessors.Count | Should -Be 0
        }

        It 'New-AltimeterAccessor / -Json reads a definition given as text' {
            $json = '{"multi_hop_accessors": [{"role_session_name": "from-text", "access_steps": [{"role_name": "Hub", "account_id": "012345678901", "external_id": "literal-id"}, {"role_name": "Spoke"}]}], "cache_creds": false}'

            $accessor = New-AltimeterAccessor -Json $json

            "$accessor" | Should -Be 'accessor:from-text:Hub@012345678901,Spoke@target'
            $accessor.MultiHopAccessors[0].AccessSteps[0].AccountId | Should -Be '012345678901'
            $accessor.MultiHopAccessors[0].AccessSteps[0].ExternalIdTemplate | Should -Be 'literal-id'
            $accessor.CacheCreds | Should -BeFalse
        }

        It 'New-AltimeterAccessor / without parameters returns a local-mode accessor that caches' {
            $accessor = New-AltimeterAccessor

            $accessor | Should -BeOfType ([Altimeter.Auth.Accessor])
            $accessor.IsLocal | Should -BeTrue
            $accessor.MultiHopAccessors.Count | Should -Be 0
            $accessor.CacheCreds | Should -BeTrue
            "$accessor" | Should -Be 'local'
        }

        It 'New-AltimeterAccessor / -NoCache sets CacheCreds false even when the file says cache_creds = true' {
            (Get-Content -Raw $twoHopFile | ConvertFrom-Json).cache_creds | Should -BeTrue -Because 'the fixture must say true for this test to mean anything'

            (New-AltimeterAccessor -Path $twoHopFile).CacheCreds | Should -BeTrue
            (New-AltimeterAccessor -Path $twoHopFile -NoCache).CacheCreds | Should -BeFalse
            (New-AltimeterAccessor -Path $tomlConfig -NoCache).CacheCreds | Should -BeFalse
            (New-AltimeterAccessor -Json '{"cache_creds": true}' -NoCache).CacheCreds | Should -BeFalse
            (New-AltimeterAccessor -NoCache).CacheCreds | Should -BeFalse
        }

        It 'New-AltimeterAccessor / accessors share the one process-wide credentials cache' {
            $one = New-AltimeterAccessor -Path $twoHopFile
            $other = New-AltimeterAccessor

            [object]::ReferenceEquals($one.CredentialsCache, $other.CredentialsCache) | Should -BeTrue
        }

        It 'New-AltimeterAccessor / -IdentityCenterRole <Case> makes one chain whose only step is that Identity Center role, reading no source' -ForEach @(
            @{ Case = '-SsoSession corp'; Named = @{ SsoSession = 'corp' }; Profile = $null; Session = 'corp' }
            @{ Case = '-ProfileName dev'; Named = @{ ProfileName = 'dev' }; Profile = 'dev'; Session = $null }
            @{ Case = 'alone (AWS_PROFILE)'; Named = @{}; Profile = 'from-env'; Session = $null }
        ) {
            $env:AWS_PROFILE = 'from-env'
            try { $accessor = New-AltimeterAccessor -IdentityCenterRole ReadOnly @Named -NoCache }
            finally { Remove-Item Env:AWS_PROFILE -ErrorAction SilentlyContinue }

            $accessor.MultiHopAccessors | Should -HaveCount 1
            $chain = $accessor.MultiHopAccessors[0]
            $chain.AccessSteps | Should -HaveCount 0
            $chain.IdentityCenterRole.PermissionSetName | Should -Be 'ReadOnly'
            $chain.IdentityCenterRole.ProfileName | Should -Be $Profile
            $chain.IdentityCenterRole.SsoSessionName | Should -Be $Session
            $chain.IdentityCenterRole.IsFinal | Should -BeTrue
            $accessor.StartsFromSource | Should -BeFalse
            $accessor.CacheCreds | Should -BeFalse
        }

        It 'New-AltimeterAccessor / -IdentityCenterRole with a name no permission set has is AccessStepInvalid, and -ProfileName with -SsoSession binds to no parameter set' {
            { New-AltimeterAccessor -IdentityCenterRole 'Read Only' -SsoSession corp } | Should -Throw -ErrorId "AccessStepInvalid,$commandId"
            { New-AltimeterAccessor -IdentityCenterRole ReadOnly -ProfileName dev -SsoSession corp } | Should -Throw -ErrorId 'AmbiguousParameterSet,Altimeter.Auth.Commands.NewAltimeterAccessorCommand'
        }
    }

    Context 'display' {
        It 'New-AltimeterAccessor / the default display lists every chain as accessor:name:role@acct,role@target, a hop to a line' {
            # The view gives a chain's name and each hop a line of their own, so nothing is cut at any width.
            $text = (New-AltimeterAccessor -Path $referenceFile | Out-String -Width 1000) -replace '\r?\n[ ]+', ''

            $text | Should -Match 'Chains\s*:'
            $text | Should -Match ([regex]::Escape('accessor:altimeter-mb-a:OrganizationAccountAccessRole@123456789012,OrganizationAccountAccessRole@target'))
            $text | Should -Match ([regex]::Escape('accessor:altimeter-mb-b:OrganizationAccountAccessRole@123456789012,OrganizationAccountAccessRole@123456789012,OrganizationAccountAccessRole@target'))
            $text | Should -Match 'CacheCreds\s*:\s*True'
        }

        It 'New-AltimeterAccessor / Format-List shows the chain of a two-hop file and CacheCreds' {
            $text = (New-AltimeterAccessor -Path $twoHopFile -NoCache | Format-List | Out-String -Width 1000) -replace '\r?\n[ ]+', ''

            $text | Should -Match 'Chains\s*:\s*accessor:altimeter-pester:AltimeterHub@111111111111,AltimeterTarget@target'
            $text | Should -Match 'CacheCreds\s*:\s*False'
        }

        It 'New-AltimeterAccessor / the default display of a local-mode accessor says local' {
            New-AltimeterAccessor | Out-String | Should -Match 'Chains\s*:\s*local'
        }
    }

    # One test per error id: how the cmdlet maps each engine error to an ErrorRecord (id, category,
    # target, message naming the file). The rules themselves, file by file of the bad-input corpus,
    # are tested once in xunit (BadInputCorpusTests).
    Context 'invalid definitions' {
        It 'New-AltimeterAccessor / an unknown key is AccessorFileInvalid naming the file and the key' {
            { New-AltimeterAccessor -Path (Get-FixturePath 'bad-input/misspelled-account-id.json') } |
                Should -Throw -ErrorId "AccessorFileInvalid,$commandId"

            $err = Get-LoadError 'bad-input/misspelled-account-id.json'
            $err.Exception.Message | Should -BeLike "*$(Get-FixturePath 'bad-input/misspelled-account-id.json')*"
            $err.Exception.Message | Should -BeLike "*'acount_id'*"
            $err.CategoryInfo.Category | Should -Be 'InvalidData'
        }

        It 'New-AltimeterAccessor / an account id written as a JSON number is AccessStepInvalid naming the file' {
            { New-AltimeterAccessor -Path (Get-FixturePath 'bad-input/account-id-number.json') } |
                Should -Throw -ErrorId "AccessStepInvalid,$commandId"

            $err = Get-LoadError 'bad-input/account-id-number.json'
            $err.Exception.Message | Should -BeLike "*$(Get-FixturePath 'bad-input/account-id-number.json')*"
            $err.Exception.Message | Should -BeLike '*account_id*'
        }

        It 'New-AltimeterAccessor / a final step with an account id is AccessorChainInvalid naming the file and the step' {
            { New-AltimeterAccessor -Path (Get-FixturePath 'bad-input/final-step-with-account.json') } |
                Should -Throw -ErrorId "AccessorChainInvalid,$commandId"

            $err = Get-LoadError 'bad-input/final-step-with-account.json'
            $err.Exception.Message | Should -BeLike "*$(Get-FixturePath 'bad-input/final-step-with-account.json')*"
            $err.Exception.Message | Should -BeLike '*Target@222222222222*'
        }

        It 'New-AltimeterAccessor / a chain without steps is AccessorChainInvalid' {
            { New-AltimeterAccessor -Json '{"multi_hop_accessors": [{"role_session_name": "empty", "access_steps": []}]}' } |
                Should -Throw -ErrorId "AccessorChainInvalid,$commandId" -ExpectedMessage '*One or more access steps must be specified*'
        }

        It 'New-AltimeterAccessor / an external id reading an unset variable is ExternalIdVariableMissing naming the variable and the file' {
            $env:ALTIMETER_CORPUS_NEVER_SET_EXT_ID | Should -BeNullOrEmpty -Because 'the fixture reads a variable nobody sets'
            { New-AltimeterAccessor -Path (Get-FixturePath 'bad-input/external-id-missing-variable.json') } |
                Should -Throw -ErrorId "ExternalIdVariableMissing,$commandId"

            $err = Get-LoadError 'bad-input/external-id-missing-variable.json'
            $err.Exception.Message | Should -BeLike "*$(Get-FixturePath 'bad-input/external-id-missing-variable.json')*"
            $err.Exception.Message | Should -BeLike "*'ALTIMETER_CORPUS_NEVER_SET_EXT_ID'*"
        }

        It 'New-AltimeterAccessor / an external id reading the source secret key is ExternalIdVariableRefused, a security error that never shows the value' {
            $env:AWS_SECRET_ACCESS_KEY = 'pesterSourceSecretValue0123456789'
            $json = '{"multi_hop_accessors": [{"role_session_name": "s1", "access_steps": [{"role_name": "Hub", "account_id": "111111111111", "external_id": "{{ env[''AWS_SECRET_ACCESS_KEY''] }}"}, {"role_name": "T"}]}]}'

            { New-AltimeterAccessor -Json $json } | Should -Throw -ErrorId "ExternalIdVariableRefused,$commandId" -ExpectedMessage "*'AWS_SECRET_ACCESS_KEY'*AWS_* variables hold the AWS credentials*"

            try { $null = New-AltimeterAccessor -Json $json } catch { $err = $_ }
            $err.CategoryInfo.Category | Should -Be 'SecurityError'
            ConvertTo-VisibleText $err | Should -Not -Match 'pesterSourceSecretValue'
        }

        It 'New-AltimeterAccessor / an external id reading a variable not named as one (GH_PAT) is refused until -ExternalIdVariable allows it, for -Json and -MultiHopAccessor' {
            $env:GH_PAT = 'ghp_pesterTokenValue0123456789'
            $env:PARTNER_REF = 'partner-ref-pester'
            try {
                $json = '{"multi_hop_accessors": [{"role_session_name": "s1", "access_steps": [{"role_name": "Hub", "account_id": "111111111111", "external_id": "{{ env.GH_PAT }}"}, {"role_name": "T"}]}]}'
                { New-AltimeterAccessor -Json $json } | Should -Throw -ErrorId "ExternalIdVariableRefused,$commandId" -ExpectedMessage "*'GH_PAT': its name does not say it holds an external id*-ExternalIdVariable GH_PAT*"
                try { $null = New-AltimeterAccessor -Json $json } catch { $err = $_ }
                ConvertTo-VisibleText $err | Should -Not -Match 'pesterTokenValue'

                $chain = @{ RoleSessionName = 's1'; AccessSteps = @(@{ RoleName = 'Hub'; AccountId = '111111111111'; ExternalId = 'x-{{ env.PARTNER_REF }}' }, @{ RoleName = 'T' }) }
                { New-AltimeterAccessor -MultiHopAccessor $chain } | Should -Throw -ErrorId "ExternalIdVariableRefused,$commandId" -ExpectedMessage "*'PARTNER_REF'*"
                $allowed = New-AltimeterAccessor -MultiHopAccessor $chain -ExternalIdVariable PARTNER_REF
                $allowed.MultiHopAccessors[0].AccessSteps[0].ExternalIdTemplate | Should -Be 'x-{{ env.PARTNER_REF }}'
                (New-AltimeterAccessor -Json $json -ExternalIdVariable GH_PAT).MultiHopAccessors | Should -HaveCount 1
            }
            finally { Remove-Item Env:GH_PAT, Env:PARTNER_REF -ErrorAction SilentlyContinue }
        }

        It 'New-AltimeterAccessor / -ExternalIdVariable cannot open AWS_* variables' {
            $env:AWS_SECRET_ACCESS_KEY = 'pesterSourceSecretValue0123456789'
            $json = '{"multi_hop_accessors": [{"role_session_name": "s1", "access_steps": [{"role_name": "Hub", "account_id": "111111111111", "external_id": "{{ env.AWS_SECRET_ACCESS_KEY }}"}, {"role_name": "T"}]}]}'

            { New-AltimeterAccessor -Json $json -ExternalIdVariable AWS_SECRET_ACCESS_KEY } | Should -Throw -ErrorId "ExternalIdVariableRefused,$commandId" -ExpectedMessage '*even when allowed by name*'
        }

        It 'New-AltimeterAccessor / the reference file without TEST_EXT_ID set is ExternalIdVariableMissing' {
            Remove-Item Env:TEST_EXT_ID
            try {
                { New-AltimeterAccessor -Path $referenceFile } | Should -Throw -ErrorId "ExternalIdVariableMissing,$commandId" -ExpectedMessage "*'TEST_EXT_ID'*"
            }
            finally { $env:TEST_EXT_ID = 'foo' }
        }

        It 'New-AltimeterAccessor / template syntax other than env references is ExternalIdTemplateUnsupported naming the file' {
            { New-AltimeterAccessor -Path (Get-FixturePath 'bad-input/external-id-jinja-filter.json') } |
                Should -Throw -ErrorId "ExternalIdTemplateUnsupported,$commandId"

            $err = Get-LoadError 'bad-input/external-id-jinja-filter.json'
            $err.Exception.Message | Should -BeLike "*$(Get-FixturePath 'bad-input/external-id-jinja-filter.json')*"
            $err.Exception.Message | Should -BeLike '*upper*'
        }

        It 'New-AltimeterAccessor / a missing file is AccessorFileUnreadable (ReadError) naming the file' {
            $missing = Join-Path $TestDrive 'no-such-accessor.json'
            { New-AltimeterAccessor -Path $missing } | Should -Throw -ErrorId "AccessorFileUnreadable,$commandId"

            $err = try { New-AltimeterAccessor -Path $missing } catch { $_ }
            $err.Exception.Message | Should -BeLike "*$missing*"
            $err.CategoryInfo.Category | Should -Be 'ReadError'
            $err.TargetObject | Should -Be $missing
        }

        It 'New-AltimeterAccessor / an unknown key in -Json text is AccessorFileInvalid naming -Json as the source' {
            { New-AltimeterAccessor -Json '{"multi_hop_accessors": [], "surprise": 1}' } |
                Should -Throw -ErrorId "AccessorFileInvalid,$commandId" -ExpectedMessage "-Json:*'surprise'*"
        }

        It 'New-AltimeterAccessor / JSON that does not parse is AccessorFileInvalid' {
            { New-AltimeterAccessor -Json '{"multi_hop_accessors": [' } | Should -Throw -ErrorId "AccessorFileInvalid,$commandId"
        }

        It 'New-AltimeterAccessor / a definition error is terminating and its TargetObject is the path given' {
            $path = Get-FixturePath 'bad-input/misspelled-account-id.json'
            $after = $false
            try {
                New-AltimeterAccessor -Path $path -ErrorAction SilentlyContinue
                $after = $true
            }
            catch { $err = $_ }

            $after | Should -BeFalse -Because '-ErrorAction SilentlyContinue must not swallow a terminating error'
            $err.TargetObject | Should -Be $path
        }
    }

    Context 'chains as hashtables' {
        It 'New-AltimeterAccessor / -MultiHopAccessor takes PascalCase keys' {
            $accessor = New-AltimeterAccessor -MultiHopAccessor @{
                RoleSessionName = 'scan'
                AccessSteps = @(@{ RoleName = 'Hub'; AccountId = '111111111111'; ExternalId = "{{ env['ALTIMETER_PESTER_EXT_ID'] }}" }, @{ RoleName = 'Target' })
            }

            "$accessor" | Should -Be 'accessor:scan:Hub@111111111111,Target@target'
            $accessor.MultiHopAccessors[0].AccessSteps[0].ExternalIdTemplate | Should -Be "{{ env['ALTIMETER_PESTER_EXT_ID'] }}"
        }

        It 'New-AltimeterAccessor / -MultiHopAccessor takes the snake_case keys of the JSON form, several chains, and steps as [pscustomobject]s' {
            $accessor = New-AltimeterAccessor -NoCache -MultiHopAccessor @(
                @{ role_session_name = 'first'; access_steps = @(@{ role_name = 'A' }) },
                @{ role_session_name = 'second'; access_steps = @([pscustomobject]@{ RoleName = 'Hub'; AccountId = '111111111111' }, [pscustomobject]@{ RoleName = 'B' }) }
            )

            @($accessor.MultiHopAccessors | ForEach-Object ToString) | Should -Be @('accessor:first:A@target', 'accessor:second:Hub@111111111111,B@target')
            $accessor.CacheCreds | Should -BeFalse
        }

        It 'New-AltimeterAccessor / -MultiHopAccessor refuses a number account id with AccessStepInvalid' {
            { New-AltimeterAccessor -MultiHopAccessor @{ RoleSessionName = 'scan'; AccessSteps = @(@{ RoleName = 'Hub'; AccountId = 111111111111 }, @{ RoleName = 'T' }) } } |
                Should -Throw -ErrorId "AccessStepInvalid,$commandId" -ExpectedMessage '*quote it*'
        }

        It 'New-AltimeterAccessor / -MultiHopAccessor refuses an unknown key with AccessorFileInvalid naming it' {
            { New-AltimeterAccessor -MultiHopAccessor @{ RoleSessionName = 'scan'; AccessSteps = @(@{ RoleName = 'T'; Role = 'x' }) } } |
                Should -Throw -ErrorId "AccessorFileInvalid,$commandId" -ExpectedMessage "*-MultiHopAccessor*unknown key 'Role'*"
        }
    }

    Context 'step options' {
        It 'New-AltimeterAccessor / a duration over an hour on a hop reached through another role is capped with a warning' {
            $accessor = New-AltimeterAccessor -Path (Get-FixturePath 'accessors/options.json') -WarningVariable warned -WarningAction SilentlyContinue

            @($warned) | Should -HaveCount 1
            "$($warned[0])" | Should -BeLike '*duration_seconds 7200*3600*'
            $accessor.MultiHopAccessors[0].AccessSteps[1].Options.DurationSeconds | Should -Be 3600
            $accessor.MultiHopAccessors[0].AccessSteps[0].Options.DurationSeconds | Should -Be 7200
        }

        It 'New-AltimeterAccessor / -MultiHopAccessor takes the step options in PascalCase, tag names as written' {
            $accessor = New-AltimeterAccessor -MultiHopAccessor @{
                RoleSessionName = 'opts'; Partition = 'aws-us-gov'
                AccessSteps = @(@{ RoleName = 'Target'; DurationSeconds = 1800; SourceIdentity = 'me'; Tags = @{ RoleName = 'kept'; team = 'a' }; TransitiveTagKeys = @('team') })
            }
            $step = $accessor.MultiHopAccessors[0].AccessSteps[0]
            $accessor.MultiHopAccessors[0].Partition | Should -Be 'aws-us-gov'
            $step.Options.DurationSeconds | Should -Be 1800
            $step.Options.Tags['RoleName'] | Should -Be 'kept'
        }
    }
}
