using System.Management.Automation;
using Altimeter.Auth;

namespace Altimeter.Auth.Commands;

[Cmdlet(VerbsLifecycle.Stop, "AltimeterCredentialServer", SupportsShouldProcess = true)]
[OutputType(typeof(void))]
public sealed class StopAltimeterCredentialServerCommand : PSCmdlet
{
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
        QueuedOutput.WriteVerboseLine(this, $"Stopped {InputObject}.");
    }
}
