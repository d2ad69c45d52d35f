using System.Management.Automation;
using Altimeter.Auth;

namespace Altimeter.Auth.Commands;

/// <summary>
/// <para type="synopsis">Stops a credentials endpoint started by Start-AltimeterCredentialServer: its port closes at once.</para>
/// <para type="description">Tools that still hold keys from it keep them until they expire; their next fetch fails. Supports -WhatIf and -Confirm.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "AltimeterCredentialServer", SupportsShouldProcess = true)]
[OutputType(typeof(void))]
public sealed class StopAltimeterCredentialServerCommand : PSCmdlet
{
    /// <summary>The endpoint (from Start-AltimeterCredentialServer).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    public ContainerCredentialsEndpoint InputObject { get; set; } = null!;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (!ShouldProcess(InputObject.ToString(), "Stop"))
        {
            return;
        }

        CredentialServers.Stop(InputObject);
        WriteVerbose($"Stopped {InputObject}.");
    }
}
