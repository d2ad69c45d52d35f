@{
    RootModule           = 'Altimeter.Auth.PowerShell.dll'
    # Stamped by build.ps1 from Directory.Build.props; the source copy is never published.
    ModuleVersion        = '0.0.0'
    CompatiblePSEditions = @('Core')
    GUID                 = '6f0b7d0e-5c1e-4a9b-9a57-3f1c2d8e4b21'
    Author               = 'Altimeter.Auth developers'
    CompanyName          = 'Altimeter.Auth'
    Copyright            = '(c) 2026 Altimeter.Auth developers. MIT License.'
    Description          = 'AWS credentials for any account of an organization, through chains of IAM role assumptions (altimeter accessor files), as Amazon.Runtime.AWSCredentials for AWS Tools for PowerShell.'
    PowerShellVersion    = '7.2'
    FormatsToProcess     = @('Altimeter.Auth.format.ps1xml')
    CmdletsToExport      = @(
        'New-AltimeterAccessor'
        'Get-AltimeterSession'
        'Get-AltimeterCredentialCache'
        'Clear-AltimeterCredentialCache'
        'Set-AltimeterEnvironment'
        'Invoke-AltimeterCommand'
        'ConvertTo-AltimeterCredentialProcess'
        'Invoke-AltimeterCredentialProcess'
        'Export-AltimeterProfile'
        'Get-AltimeterConsoleUrl'
        'Invoke-AltimeterSsoLogin'
        'Get-AltimeterAccount'
        'Start-AltimeterCredentialServer'
        'Stop-AltimeterCredentialServer'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('AWS', 'STS', 'AssumeRole', 'Credentials', 'Altimeter', 'Organizations', 'PSEdition_Core', 'Linux', 'Windows', 'MacOS')
            LicenseUri = 'https://opensource.org/license/mit'
            # Stamped by build.ps1 from the top entry of CHANGELOG.md.
            ReleaseNotes = ''
        }
    }
}
