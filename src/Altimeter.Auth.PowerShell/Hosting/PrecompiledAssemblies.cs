using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Altimeter.Auth.Commands;

/// <summary>
/// The engine, the AWS SDK and Tomlyn precompiled (ReadyToRun) for one platform and one .NET,
/// loaded in place of the IL copies beside the module's DLL when the process is that platform
/// and that .NET. A fresh pwsh spends most of its first session JIT-compiling the SDK, which ships
/// IL only; precompiled code removes most of that. The IL copies stay for everyone else: Windows
/// refuses a Linux ReadyToRun image outright ("Format of the executable or library is invalid"),
/// and code compiled against one .NET is not promised to run on an older one.
/// </summary>
/// <remarks>
/// Runs from <see cref="ModuleInitializer.OnImport"/>, after <see cref="AwsToolsFirst"/> and before
/// anything names a type of those assemblies: once a file is loaded, every reference by name binds
/// to it. An assembly already in the process is left as it is, and when AWS Tools' AWSSDK.Core is
/// in, so is the rest of the SDK.
/// </remarks>
internal static class PrecompiledAssemblies
{
    /// <summary>The folder beside the module's DLL, one subfolder per platform and .NET: build.ps1 fills it.</summary>
    public const string FolderName = "ReadyToRun";

    public static void LoadForThisProcess()
    {
        var folder = FolderForThisProcess(Path.GetDirectoryName(typeof(PrecompiledAssemblies).Assembly.Location) ?? string.Empty);
        if (folder is null || !Directory.Exists(folder))
        {
            return;
        }
        var loaded = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name).ToList();
        // AWS Tools' AWSSDK.Core in the process: its SDK family stays whole. Its AWSSDK.SSO and
        // SSOOIDC (and any service module's) must bind beside its Core, and a copy of ours loaded
        // first would make AWS Tools' own load of them fail ("Assembly with same name is already loaded").
        var awsToolsSdk = AwsToolsFirst.SdkLoaded();
        foreach (var file in Directory.GetFiles(folder, "*.dll"))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            if (loaded.Contains(name, StringComparer.OrdinalIgnoreCase) || (awsToolsSdk && name.StartsWith("AWSSDK.", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            Assembly.LoadFrom(file);
        }
    }

    // linux-x64 only, for now: the one platform the build can precompile for and test on.
    private static string? FolderForThisProcess(string moduleFolder) =>
        RuntimeInformation.IsOSPlatform(OSPlatform.Linux) && RuntimeInformation.ProcessArchitecture == Architecture.X64
            ? Path.Combine(moduleFolder, FolderName, $"net{Environment.Version.Major}.0-linux-x64")
            : null;
}
