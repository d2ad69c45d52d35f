# Tab completion offers only what the cmdlet then accepts: regions the cmdlets take, sso-session
# names and Identity Center profiles from the config file (not file names, not every profile).
# Through TabExpansion2, as a person pressing Tab gets it. No call leaves 127.0.0.1: the region
# check points STS at a closed loopback port.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    $suite = Start-TestFile
    $saved = Save-TestEnvironment

    function Get-Completion([string] $Line) {
        (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText
    }
}
AfterAll {
    Restore-TestEnvironment $saved
    Stop-TestFile $suite
}

Describe 'Argument completion' {
    It 'Get-AltimeterSession / Tab after -Region us- offers only regions the cmdlet accepts (no us-east-1-regional)' {
        $offered = @(Get-Completion 'Get-AltimeterSession 111111111111 -Region us-')
        $offered | Should -Contain 'us-east-1'
        $offered | Should -Contain 'us-west-2'
        $offered | Should -Not -Contain 'us-east-1-regional'

        # Each one offered is taken: the call fails at the closed STS port, never at the region.
        $env:AWS_ENDPOINT_URL_STS = "http://127.0.0.1:$(Get-FreeTcpPort)"
        $credential = [Amazon.Runtime.BasicAWSCredentials]::new('AKIAFAKECOMPLETION01', 'not-a-secret')
        $refusedIds = foreach ($region in @(Get-Completion 'Get-AltimeterSession 111111111111 -Region ') + 'us-east-1-regional') {
            try { $null = Get-AltimeterSession 111111111111 -Region $region -Credential $credential -MaxAttempts 1 -TimeoutSec 5 -ErrorAction Stop }
            catch { if ($_.FullyQualifiedErrorId -like 'InvalidRegion,*') { $region } }
        }
        # The one the SDK lists but the cmdlet refuses proves the check can see a refusal.
        $refusedIds | Should -Be @('us-east-1-regional')
    }

    It 'Invoke-AltimeterCredentialProcess / Tab after -Region offers no endpoint variant' {
        Get-Completion 'Invoke-AltimeterCredentialProcess 111111111111 -Region us-east-1' | Should -Be @('us-east-1')
    }

    Context 'the AWS config file' {
        BeforeAll {
            $config = Join-Path $TestDrive 'config'
            Set-Content $config @'
[default]
region = us-east-1
[profile corp-dev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Dev
[profile legacy-sso]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-east-1
[profile corp-plain]
role_arn = arn:aws:iam::111111111111:role/Plain
source_profile = default
[profile corp-unset]
sso_start_url = https://unset.awsapps.com/start
[profile corp-unset]
sso_start_url =
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
[sso-session corp-eu]
sso_start_url = https://corp-eu.awsapps.com/start
sso_region = eu-west-1
[services corp-endpoints]
sts =
  endpoint_url = http://127.0.0.1:1
'@
            $credentials = Join-Path $TestDrive 'credentials'
            Set-Content $credentials "[corp-keys]`naws_access_key_id = AKIAFAKECOMPLETION02`naws_secret_access_key = fake`n"
            $env:AWS_CONFIG_FILE, $env:AWS_SHARED_CREDENTIALS_FILE = $config, $credentials
            # A file beside the prompt whose name starts as the sso-session's does: not a session name.
            $here = Join-Path $TestDrive 'cwd'
            $null = New-Item -ItemType Directory $here
            Set-Content (Join-Path $here 'corp-notes.txt') 'not a session'
            Push-Location $here
        }
        AfterAll { Pop-Location }

        It 'Invoke-AltimeterSsoLogin / Tab after -SsoSession completes the config file''s sso-session names, not file names' {
            Get-Completion 'Invoke-AltimeterSsoLogin -SsoSession co' | Should -Be @('corp', 'corp-eu')
        }

        It 'Invoke-AltimeterSsoLogin / Tab after -ProfileName completes only profiles that sign in to Identity Center' {
            Get-Completion 'Invoke-AltimeterSsoLogin -ProfileName ' | Should -Be @('corp-dev', 'legacy-sso')
            Get-Completion 'Invoke-AltimeterSsoLogin corp' | Should -Be @('corp-dev')
        }

        It 'Get-AltimeterSession / Tab after -ProfileName still completes every profile' {
            Get-Completion 'Get-AltimeterSession 111111111111 -ProfileName corp' | Should -Be @('corp-dev', 'corp-keys', 'corp-plain', 'corp-unset')
        }
    }
}
