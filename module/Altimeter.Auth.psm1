# Altimeter.Auth and AWS Tools for PowerShell both carry AWSSDK.Core 4.0.0.0, and a process can
# hold only one file of it. AWS.Tools.Common loads its copy through RequiredAssemblies, which
# fails ("Assembly with same name is already loaded") once another copy is in. So when AWS
# Tools is installed and no AWSSDK.Core is loaded yet, AWS.Tools.Common goes first and both
# modules share its copy; when it is already loaded, its copy is used as it is.
$sdkLoaded = [AppDomain]::CurrentDomain.GetAssemblies().Where({ $_.GetName().Name -eq 'AWSSDK.Core' }, 'First').Count -gt 0
if (-not $sdkLoaded -and $env:ALTIMETER_IGNORE_AWS_TOOLS -ne '1') {
    # A look in each module folder is far cheaper than Get-Module -ListAvailable, which reads every manifest.
    $awsToolsInstalled = $false
    foreach ($folder in $env:PSModulePath -split [System.IO.Path]::PathSeparator) {
        if ($folder -and [System.IO.Directory]::Exists([System.IO.Path]::Combine($folder, 'AWS.Tools.Common'))) { $awsToolsInstalled = $true; break }
    }
    if ($awsToolsInstalled) {
        try {
            Import-Module AWS.Tools.Common -Global -ErrorAction Stop
        }
        catch {
            Write-Warning "Altimeter.Auth: AWS.Tools.Common could not be imported first ($($_.Exception.Message)); using Altimeter.Auth's own AWSSDK.Core."
        }
    }
}

$binaryModule = Import-Module (Join-Path $PSScriptRoot 'Altimeter.Auth.PowerShell.dll') -PassThru
Export-ModuleMember -Cmdlet @($binaryModule.ExportedCmdlets.Keys)
