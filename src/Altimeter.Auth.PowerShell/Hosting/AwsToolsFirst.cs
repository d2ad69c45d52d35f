using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.RegularExpressions;

namespace Altimeter.Auth.Commands;

/// <summary>
/// Altimeter.Auth and AWS Tools for PowerShell 5 both carry AWSSDK.Core 4.0.0.0, and a process can
/// hold only one file of it. AWS.Tools.Common loads its copy through RequiredAssemblies, which fails
/// ("Assembly with same name is already loaded") once another copy is in. So when AWS Tools 5 is
/// installed and no AWSSDK.Core is loaded yet, AWS.Tools.Common is imported first and both modules
/// share its copy (AWSPowerShell.NetCore, the monolithic module, in its place when that is what is
/// installed); when one is already loaded, it is used as it is. AWS Tools 4 is built on
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
    // AWSPowerShell.NetCore's manifest lists every service's assembly and runs to some 20 KB.
    private const long MaxManifestBytes = 256 * 1024;

    private static readonly string[] Modules = { "AWS.Tools.Common", "AWSPowerShell.NetCore" };

    private const string ModuleVersionPattern = @"^\s*ModuleVersion\s*=\s*['""]([0-9.]+)['""]";

    public static void ImportWhenInstalled()
    {
        if (Environment.GetEnvironmentVariable(IgnoreVariable) == "1" || SdkLoaded() || InstalledAwsTools5() is not { } module)
        {
            return;
        }
        try
        {
            using var import = PowerShell.Create(RunspaceMode.CurrentRunspace);
            import.AddCommand("Microsoft.PowerShell.Core\\Import-Module")
                .AddParameter("Name", module)
                .AddParameter("MinimumVersion", "5.0")
                .AddParameter("Global")
                .AddParameter("ErrorAction", ActionPreference.Stop)
                .Invoke();
        }
        catch (RuntimeException e)
        {
            // -ErrorAction Stop wraps the import's own error: its message is the one that says why.
            var reason = e.ErrorRecord?.Exception?.Message ?? e.Message;
            Warn($"Altimeter.Auth: {module} could not be imported first ({reason}); using Altimeter.Auth's own {SdkAssembly}.");
        }
    }

    /// <summary>True when an AWSSDK.Core is in the process already (AWS Tools', once it was imported).</summary>
    internal static bool SdkLoaded() =>
        AppDomain.CurrentDomain.GetAssemblies().Any(a => string.Equals(a.GetName().Name, SdkAssembly, StringComparison.Ordinal));

    // The first module of AWS Tools 5 on PSModulePath, in its order: AWS.Tools.Common (modular) or
    // AWSPowerShell.NetCore (monolithic), each installed in a version folder (Install-Module,
    // Install-PSResource) or without one (a copied module folder, the extracted AWS Tools ZIP).
    // Version folders are judged by name, a folder without one by its manifest's ModuleVersion:
    // far cheaper than Get-Module -ListAvailable, which reads every manifest.
    private static string? InstalledAwsTools5()
    {
        var modulePath = Environment.GetEnvironmentVariable("PSModulePath") ?? string.Empty;
        foreach (var folder in modulePath.Split(new[] { Path.PathSeparator }, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var module in Modules)
            {
                if (IsAwsTools5(Path.Combine(folder, module), module))
                {
                    return module;
                }
            }
        }
        return null;
    }

    private static bool IsAwsTools5(string moduleFolder, string module)
    {
        try
        {
            if (!Directory.Exists(moduleFolder))
            {
                return false;
            }

            if (Directory.GetDirectories(moduleFolder).Any(v => Version.TryParse(Path.GetFileName(v), out var version) && version.Major >= 5))
            {
                return true;
            }

            // Read only when it claims a size a manifest has: a FIFO (size 0) would block the import.
            var manifest = new FileInfo(Path.Combine(moduleFolder, module + ".psd1"));
            return manifest.Exists && manifest.Length > 0 && manifest.Length <= MaxManifestBytes
                && Regex.Match(File.ReadAllText(manifest.FullName), ModuleVersionPattern, RegexOptions.Multiline | RegexOptions.CultureInvariant) is { Success: true } found
                && Version.TryParse(found.Groups[1].Value, out var unversioned) && unversioned.Major >= 5;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return false;
        }
    }

    // OnImport has no cmdlet to write through: the host shows the warning, as Write-Warning would.
    private static void Warn(string message)
    {
        using var warn = PowerShell.Create(RunspaceMode.CurrentRunspace);
        warn.AddScript("param($Message) $Host.UI.WriteWarningLine($Message)").AddArgument(message).Invoke();
    }
}
