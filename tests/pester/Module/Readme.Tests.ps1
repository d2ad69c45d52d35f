# The README's first example ("A first session, from a clone") runs as written, from the root of
# the clone, against moto: the code block is read from README.md, not copied here. Two things
# differ from a user's machine, and only these: the module imported is the one under test (the
# block's ./out/... path, replaced when ALTIMETER_MODULE_PATH names another), and AWS Tools is the
# stand-in AWS.Tools.Common (New-AwsToolsStandIn) with Get-S3Bucket played by a function (below).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    $suite = Start-TestFile -StsEnvironment -NoImport
    $root = (Resolve-Path (Join-Path $PSScriptRoot '../../..')).Path
    $readme = Get-Content -Raw (Join-Path $root 'README.md')
    $standInRoot = New-AwsToolsStandIn -Root (Join-Path ([System.IO.Path]::GetTempPath()) "altimeter-awstools-$([guid]::NewGuid())")
}
AfterAll {
    Remove-Item -Recurse -Force $standInRoot -ErrorAction SilentlyContinue
    Stop-TestFile $suite
}

Describe 'README' {
    It 'README / the first-session example runs as written from the clone and gets the session for its account' {
        Reset-MotoServer $suite.Server
        $match = [regex]::Match($readme, '(?s)A first session, from a clone.*?```powershell\r?\n(.*?)```')
        $match.Success | Should -BeTrue
        $code = $match.Groups[1].Value

        $result = Invoke-FreshPwsh -NoImport -Environment @{
            PSModulePath = "$standInRoot$([System.IO.Path]::PathSeparator)$env:PSModulePath"
            ALTIMETER_DEMO_EXTERNAL_ID = $null
        } -Parameters @{ Root = $root; Code = $code; ModulePath = (Get-AltimeterModulePath) } {
            param($Root, $Code, $ModulePath)
            Set-Location $Root
            # Get-S3Bucket of AWS.Tools.S3, as much of it as the example uses: the common -Credential
            # (AWSCredentials) and -Region parameters (docs.aws.amazon.com/powershell/latest/reference/items/Get-S3Bucket.html).
            # It answers with the account the credentials are for, asked of STS (moto), instead of buckets.
            function Get-S3Bucket {
                param([Amazon.Runtime.AWSCredentials] $Credential, [object] $Region)
                $config = [Amazon.SecurityToken.AmazonSecurityTokenServiceConfig]@{ RegionEndpoint = [Amazon.RegionEndpoint]::GetBySystemName("$Region") }
                $client = [Amazon.SecurityToken.AmazonSecurityTokenServiceClient]::new($Credential, $config)
                try { $script:s3Caller = $client.GetCallerIdentityAsync([Amazon.SecurityToken.Model.GetCallerIdentityRequest]::new()).GetAwaiter().GetResult().Account }
                finally { $client.Dispose() }
            }
            if ($ModulePath -ne (Join-Path $Root 'out/Altimeter.Auth/Altimeter.Auth.psd1')) {
                $Code = $Code.Replace('./out/Altimeter.Auth/Altimeter.Auth.psd1', $ModulePath)
            }
            $shown = . ([scriptblock]::Create($Code)) | Out-String -Width 120
            [pscustomobject]@{
                Account = $session.AccountId
                Region = $session.Region
                S3Caller = $script:s3Caller
                Shell = "$StoredAWSCredentials"
                ShellAccount = (Get-AWSCredential).AccountId
                Shown = $shown
            }
        }

        $result.Account | Should -Be '123456789012'
        $result.Region | Should -Be 'eu-west-1'
        $result.S3Caller | Should -Be '123456789012'
        $result.ShellAccount | Should -Be '123456789012'
        $result.Shown | Should -BeLike '*123456789012*eu-west-1*accessor:altimeter-demo:*'
        $result.Shown | Should -BeLike '*about_Altimeter_Auth*'
        # The external id the example sets is the one the hub's AssumeRole carried.
        $expectedExternalId = [regex]::Match($code, "ALTIMETER_DEMO_EXTERNAL_ID = '([^']+)'").Groups[1].Value
        $hub = @(Get-MotoRequest $suite.Server | Where-Object { $_.Action -eq 'AssumeRole' -and $_.Parameters.RoleArn -like '*111111111111*' })
        $hub | Should -HaveCount 1
        $hub[0].Parameters.ExternalId | Should -Be $expectedExternalId
    }
}
