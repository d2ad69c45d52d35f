# Altimeter.Auth and AWS Tools for PowerShell 5 both carry AWSSDK.Core 4.0.0.0, and a process can
# hold only one file of it. AWS.Tools.Common loads its copy through RequiredAssemblies, which
# fails ("Assembly with same name is already loaded") once another copy is in. So when AWS
# Tools 5 is installed and no AWSSDK.Core is loaded yet, AWS.Tools.Common goes first and both
# modules share its copy; when it is already loaded, its copy is used as it is. AWS Tools 4 is
# built on AWSSDK.Core 3.3.0.0, which Altimeter.Auth cannot use: it is left alone.
$sdkLoaded = [AppDomain]::CurrentDomain.GetAssemblies().Where({ $_.GetName().Name -eq 'AWSSDK.Core' }, 'First').Count -gt 0
if (-not $sdkLoaded -and $env:ALTIMETER_IGNORE_AWS_TOOLS -ne '1') {
    # A look at the version folders of each module folder is far cheaper than Get-Module
    # -ListAvailable, which reads every manifest.
    $awsToolsInstalled = $false
    foreach ($folder in $env:PSModulePath -split [System.IO.Path]::PathSeparator) {
        $common = if ($folder) { [System.IO.Path]::Combine($folder, 'AWS.Tools.Common') }
        if (-not $common -or -not [System.IO.Directory]::Exists($common)) { continue }
        foreach ($versionFolder in [System.IO.Directory]::GetDirectories($common)) {
            $version = $null
            if ([version]::TryParse([System.IO.Path]::GetFileName($versionFolder), [ref] $version) -and $version.Major -ge 5) { $awsToolsInstalled = $true; break }
        }
        if ($awsToolsInstalled) { break }
    }
    if ($awsToolsInstalled) {
        try {
            Import-Module AWS.Tools.Common -MinimumVersion 5.0 -Global -ErrorAction Stop
        }
        catch {
            Write-Warning "Altimeter.Auth: AWS.Tools.Common could not be imported first ($($_.Exception.Message)); using Altimeter.Auth's own AWSSDK.Core."
        }
    }
}

$binaryModule = Import-Module (Join-Path $PSScriptRoot 'Altimeter.Auth.PowerShell.dll') -PassThru
Export-ModuleMember -Cmdlet @($binaryModule.ExportedCmdlets.Keys)
