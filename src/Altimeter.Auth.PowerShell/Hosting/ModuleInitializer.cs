using System.Management.Automation;
using System.Runtime.CompilerServices;
using Altimeter.Auth;
using Amazon.Runtime;
using Amazon.SecurityToken;

namespace Altimeter.Auth.Commands;

/// <summary>
/// Loads the engine and the AWS SDK when the module is imported, so that right after
/// <c>Import-Module Altimeter.Auth</c> a script can name <c>[Amazon.Runtime.BasicAWSCredentials]</c>
/// to build a -Credential, or <c>[Altimeter.Auth.Accessor]</c>. An AWSSDK.Core already in the
/// process (AWS Tools for PowerShell's) is the one used, and AWS Tools 5, when installed, is imported
/// first so that its copy is (<see cref="AwsToolsFirst"/>). On removal, stops the credentials
/// endpoints this runspace started: nothing could reach them to stop them afterwards.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    /// <inheritdoc />
    public void OnImport()
    {
        AwsToolsFirst.ImportWhenInstalled();
        PrecompiledAssemblies.LoadForThisProcess();
        LoadEngine();
    }

    // Its own method: compiling it loads the SDK, which must wait until AWS Tools and the precompiled
    // copies had their turn.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void LoadEngine()
    {
        _ = typeof(AWSCredentials).Assembly;
        _ = typeof(AmazonSecurityTokenServiceClient).Assembly;
        _ = typeof(Accessor).Assembly;
    }

    /// <inheritdoc />
    public void OnRemove(PSModuleInfo psModuleInfo) => CredentialServers.StopThoseOfThisRunspace();
}
