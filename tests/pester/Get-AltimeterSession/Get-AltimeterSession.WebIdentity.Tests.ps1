# CI web identity: GitHub Actions and GitLab give a job an OIDC token in a file and name the role to
# trade it for (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN). The AWS SDK's default chain does the
# AssumeRoleWithWebIdentity; moto answers it as STS does (the token is not checked: a dummy JWT).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    $suite = Start-TestFile -Moto -NoImport
    $server = $suite.Server
    $twoHopFile = Get-FixturePath 'accessors/two-hop.json'
}

AfterAll {
    Stop-TestFile $suite
}

Describe 'Get-AltimeterSession from CI web identity' {
    BeforeEach { Reset-MotoServer $server }

    It 'Get-AltimeterSession / AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN start a two-hop chain: the first hop is signed with the web-identity role''s credentials' {
        # header.payload.signature, as a CI provider's OIDC token is shaped; nothing here reads the claims.
        $claims = [Convert]::ToBase64String([System.Text.Encoding]::UTF8.GetBytes('{"sub":"repo:example/app:ref:refs/heads/main","aud":"sts.amazonaws.com"}')).TrimEnd('=')
        $tokenFile = Join-Path $TestDrive 'web-identity-token'
        Set-Content -LiteralPath $tokenFile -Value "eyJhbGciOiJSUzI1NiJ9.$claims.c2lnbmF0dXJl" -NoNewline
        $environment = @{
            AWS_WEB_IDENTITY_TOKEN_FILE = $tokenFile; AWS_ROLE_ARN = 'arn:aws:iam::555555555555:role/PesterCiDeploy'; AWS_ROLE_SESSION_NAME = 'pester-ci-job'
            AWS_ENDPOINT_URL_STS = $server.Url; AWS_REGION = 'us-east-1'; AWS_DEFAULT_REGION = $null; AWS_EC2_METADATA_DISABLED = 'true'; AWS_ENDPOINT_URL = $null
            AWS_ACCESS_KEY_ID = $null; AWS_SECRET_ACCESS_KEY = $null; AWS_SESSION_TOKEN = $null; AWS_PROFILE = $null; AWS_DEFAULT_PROFILE = $null
            AWS_CONTAINER_CREDENTIALS_FULL_URI = $null; AWS_CONTAINER_CREDENTIALS_RELATIVE_URI = $null
            AWS_SHARED_CREDENTIALS_FILE = Join-Path $TestDrive 'no-credentials'; AWS_CONFIG_FILE = Join-Path $TestDrive 'no-config'
            ALTIMETER_PESTER_EXT_ID = 'pester-external-id'
        }

        $result = Invoke-FreshPwsh -Environment $environment -Parameters @{ AccessorPath = $twoHopFile } -ScriptBlock {
            param($AccessorPath)
            Get-AltimeterSession 222222222222 -Accessor (New-AltimeterAccessor -Path $AccessorPath) | Select-Object AccountId, RoleArn
        }

        $result.AccountId | Should -Be '222222222222'
        $result.RoleArn | Should -Be 'arn:aws:iam::222222222222:role/AltimeterTarget'
        $calls = @(Get-MotoRequest $server)
        $calls.Action | Should -Be @('AssumeRoleWithWebIdentity', 'AssumeRole', 'AssumeRole')
        $calls[0].Parameters.RoleArn | Should -Be 'arn:aws:iam::555555555555:role/PesterCiDeploy'
        $calls[0].Parameters.RoleSessionName | Should -Be 'pester-ci-job'
        $calls[0].SignedBy | Should -BeNullOrEmpty -Because 'AssumeRoleWithWebIdentity is not signed: the token is the proof'
        $webIdentityKey = @(Get-MotoAssumedRole $server | Where-Object { $_.role_arn -eq 'arn:aws:iam::555555555555:role/PesterCiDeploy' })[0].access_key_id
        $webIdentityKey | Should -Not -BeNullOrEmpty
        $calls[1].Parameters.RoleArn | Should -Be 'arn:aws:iam::111111111111:role/AltimeterHub'
        $calls[1].SignedBy | Should -Be $webIdentityKey
    }
}
