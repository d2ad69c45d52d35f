using System.Management.Automation;
using Altimeter.Auth;

namespace Altimeter.Auth.Commands;

[Cmdlet(VerbsLifecycle.Start, "AltimeterCredentialServer")]
[OutputType(typeof(ContainerCredentialsEndpoint))]
public sealed class StartAltimeterCredentialServerCommand : PSCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    public AltimeterSession Session { get; set; } = null!;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        ContainerCredentialsEndpoint endpoint;
        try
        {
            endpoint = ContainerCredentialsEndpoint.Start(Session);
        }
        catch (CredentialEndpointException e)
        {
            WriteError(ErrorRecordFactory.From(e, Session));
            return;
        }

        CredentialServers.Keep(endpoint);
        QueuedOutput.WriteVerboseLine(this, $"Serving {Session.AccountId} ({Session.Region}) at {endpoint.Uri}.");
        WriteObject(endpoint);
    }
}
