# The rendered external id may come from a variable the user keeps out of files (issue 11, case 4):
# it goes to STS and nowhere else — not in output objects, views, JSON, verbose, debug or errors.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    $suite = Start-TestFile -StsEnvironment
    $server = $suite.Server
    $savedVariable = $env:PESTER_HYGIENE_EXTERNAL_ID
    $distinct = 'xid-Hygiene-7f3c9e1d5b'
    $env:PESTER_HYGIENE_EXTERNAL_ID = $distinct
    $json = '{"multi_hop_accessors": [{"role_session_name": "hygiene", "access_steps": [{"role_name": "AltimeterHub", "account_id": "111111111111", "external_id": "{{ env.PESTER_HYGIENE_EXTERNAL_ID }}"}, {"role_name": "AltimeterTarget"}]}]}'

    # Every record of every stream a scenario writes, as the text a user could see of it.
    function Show-Everything([scriptblock] $Scenario) {
        $records = @(& $Scenario *>&1)
        ($records | ConvertTo-VisibleText) -join "`n"
    }

    # Everything a user could see of an object: views of all properties, Select *, JSON, ToString.
    function Show-Object($InputObject) {
        $InputObject | Format-List * -Force | Out-String -Width 1000
        $InputObject | Select-Object * | Out-String -Width 1000
        $InputObject | Select-Object * | ConvertTo-Json -Depth 10 -WarningAction SilentlyContinue
        $InputObject | ConvertTo-Json -Depth 10 -WarningAction SilentlyContinue
        "$InputObject"
    }
}

AfterAll {
    $env:PESTER_HYGIENE_EXTERNAL_ID = $savedVariable
    Stop-TestFile $suite
}

Describe 'Rendered external ids never shown' {
    BeforeAll {
        Reset-MotoServer $server
        Clear-AltimeterCredentialCache -Confirm:$false
        $DebugPreference = 'Continue'
        $shown = [System.Collections.Generic.List[string]]::new()

        $shown.Add((Show-Everything { New-AltimeterAccessor -Json $json -Verbose -Debug }))
        $accessor = New-AltimeterAccessor -Json $json
        $chain = $accessor.MultiHopAccessors[0]
        $step = $chain.AccessSteps[0]
        foreach ($object in $accessor, $chain, $step) { $shown.Add((Show-Object $object) -join "`n") }
        $shown.Add(($accessor | Out-String -Width 1000))

        $shown.Add((Show-Everything { Get-AltimeterSession 222222222222 -Accessor $accessor -Verbose -Debug }))
        $assumed = @(Get-MotoAssumedRole $server)

        # A failing chain: STS unreachable, so the hop with the external id is the one that fails.
        $saved = $env:AWS_ENDPOINT_URL_STS
        $env:AWS_ENDPOINT_URL_STS = 'http://127.0.0.1:9'
        try {
            $fresh = New-AltimeterAccessor -Json $json -NoCache
            $shown.Add((Show-Everything { Get-AltimeterSession 333333333333 -Accessor $fresh -MaxAttempts 1 -TimeoutSec 2 -Verbose -Debug -ErrorAction Continue }))
        }
        finally { $env:AWS_ENDPOINT_URL_STS = $saved }
        $DebugPreference = 'SilentlyContinue'
        $all = $shown -join "`n"
    }

    It 'External ids / the scenarios ran: the external id was sent to STS, the failing chain failed at that hop' {
        $assumed[0].role_arn | Should -Be 'arn:aws:iam::111111111111:role/AltimeterHub'
        $assumed[0].external_id | Should -Be $distinct
        $all | Should -Match 'AccountAuthFailed'
        $all | Should -Match '333333333333.*AssumeRole arn:aws:iam::111111111111:role/AltimeterHub failed'
        $all | Should -Match 'AssumeRole as hygiene with ExternalId' -Because 'verbose says an external id is sent, not which'
    }

    It 'External ids / the step shows its template, not its rendered value' {
        $step.ExternalIdTemplate | Should -Be '{{ env.PESTER_HYGIENE_EXTERNAL_ID }}'
        $step.PSObject.Properties.Name | Should -Not -Contain 'ExternalId'
    }

    It 'External ids / the rendered value appears in no view, JSON, Select *, verbose, debug or error text' {
        $all.Length | Should -BeGreaterThan 1000
        $all.Contains($distinct) | Should -BeFalse -Because 'the rendered external id must stay between altimeter and STS'
    }
}
