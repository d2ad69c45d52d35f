using System;
using System.IO;
using System.Linq;
using System.Management.Automation;

namespace Altimeter.Auth.Commands;

/// <summary>
/// Altimeter.Auth and AWS Tools for PowerShell 5 both carry AWSSDK.Core 4.0.0.0, and a process can
/// hold only one file of it. AWS.Tools.Common loads its copy through RequiredAssemblies, which fails
/// ("Assembly with same name is already loaded") once another copy is in. So when AWS Tools 5 is
/// installed and no AWSSDK.Core is loaded yet, AWS.Tools.Common is imported first and both modules
/// share its copy; when one is already loaded, it is used as it is. AWS Tools 4 is built on
/// AWSSDK.Core 3.3.0.0, which Altimeter.Auth cannot use: it is left alone.
/// </summary>
/// <remarks>
/// Runs from <see cref="ModuleInitializer.OnImport"/>, before anything of ours names an SDK type:
/// PowerShell loads the module's DLL and reads its cmdlet classes without loading the assemblies
/// they reference, so the SDK is still out of the process here (nothing in this type may name it).
/// </remarks>
internal static class AwsToolsFirst
{
    /// <summary>Set to 1, Altimeter.Auth uses its own AWSSDK.Core even when AWS Tools 5 is installed.</summary>
    public const string IgnoreVariable = "ALTIMETER_IGNORE_AWS_TOOLS";

    private const string SdkAssembly = "AWSSDK.Core";
    private const string CommonModule = "AWS.Tools.Common";

    public static void ImportWhenInstalled()
    {
        if (Environment.GetEnvironmentVariable(IgnoreVariable) == "1" || SdkLoaded() || !AwsTools5Installed())
        {
            return;
        }
        try
        {
            using var import = PowerShell.Create(RunspaceMode.CurrentRunspace);
            import.AddCommand("Microsoft.PowerShell.Core\\Import-Module")
                .AddParameter("Name", CommonModule)
                .AddParameter("MinimumVersion", "5.0")
                .AddParameter("Global")
                .AddParameter("ErrorAction", ActionPreference.Stop)
                .Invoke();
        }
        catch (RuntimeException e)
        {
            // -ErrorAction Stop wraps the import's own error: its message is the one that says why.
            var reason = e.ErrorRecord?.Exception?.Message ?? e.Message;
            Warn($"Altimeter.Auth: {CommonModule} could not be imported first ({reason}); using Altimeter.Auth's own {SdkAssembly}.");
        }
    }

    /// <summary>True when an AWSSDK.Core is in the process already (AWS Tools', once it was imported).</summary>
    internal static bool SdkLoaded() =>
        AppDomain.CurrentDomain.GetAssemblies().Any(a => string.Equals(a.GetName().Name, SdkAssembly, StringComparison.Ordinal));

    // A look at the version folders of each module folder: far cheaper than Get-Module
    // -ListAvailable, which reads every manifest.
    private static bool AwsTools5Installed()
    {
        var modulePath = Environment.GetEnvironmentVariable("PSModulePath") ?? string.Empty;
        foreach (var folder in modulePath.Split(new[] { Path.PathSeparator }, StringSplitOptions.RemoveEmptyEntries))
        {
            string[] versions;
            try
            {
                var common = Path.Combine(folder, CommonModule);
                if (!Directory.Exists(common))
                {
                    continue;
                }
                versions = Directory.GetDirectories(common);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                continue;
            }
            if (versions.Any(v => Version.TryParse(Path.GetFileName(v), out var version) && version.Major >= 5))
            {
                return true;
            }
        }
        return false;
    }

    // OnImport has no cmdlet to write through: the host shows the warning, as Write-Warning would.
    private static void Warn(string message)
    {
        using var warn = PowerShell.Create(RunspaceMode.CurrentRunspace);
        warn.AddScript("param($Message) $Host.UI.WriteWarningLine($Message)").AddArgument(message).Invoke();
    }
}
