# Altimeter.Auth and AWS Tools for PowerShell both carry AWSSDK.Core 4.0.0.0, and a process can
# hold only one file of it. AWS.Tools.Common loads its copy through RequiredAssemblies, which
# fails ("Assembly with same name is already loaded") once another copy is in. So when AWS
# Tools is installed and no AWSSDK.Core is loaded yet, AWS.Tools.Common goes first and both
# modules share its copy; when it is already loaded, its copy is used as it is.
$sdkLoaded = [AppDomain]::CurrentDomain.GetAssemblies().Where({ $_.GetName().Name -eq 'AWSSDK.Core' }, 'First').Count -gt 0
if (-not $sdkLoaded -and $env:ALTIMETER_IGNORE_AWS_TOOLS -ne '1') {
    $awsTools = Get-Module -ListAvailable -Name AWS.Tools.Common | Sort-Object Version -Descending | Select-Object -First 1
    if ($awsTools) {
        try {
            Import-Module $awsTools -Global -ErrorAction Stop
        }
        catch {
            Write-Warning "Altimeter.Auth: AWS.Tools.Common $($awsTools.Version) could not be imported first ($($_.Exception.Message)); using Altimeter.Auth's own AWSSDK.Core."
        }
    }
}

$binaryModule = Import-Module (Join-Path $PSScriptRoot 'Altimeter.Auth.PowerShell.dll') -PassThru
Export-ModuleMember -Cmdlet @($binaryModule.ExportedCmdlets.Keys)
