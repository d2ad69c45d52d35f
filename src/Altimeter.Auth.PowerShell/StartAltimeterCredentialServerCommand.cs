using System.Management.Automation;
using Altimeter.Auth;

namespace Altimeter.Auth.Commands;

/// <summary>
/// <para type="synopsis">Serves a session on a loopback container-credentials endpoint until Stop-AltimeterCredentialServer, for tools started elsewhere.</para>
/// <para type="description">Outputs the endpoint: its Uri, its token as a SecureString (AuthorizationToken) and, from GetEnvironmentVariables(), the variables a tool needs (AWS_CONTAINER_CREDENTIALS_FULL_URI, AWS_CONTAINER_AUTHORIZATION_TOKEN, the region; static keys and profiles removed). Each request gets the session's current keys, renewed through its chain when due.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "AltimeterCredentialServer")]
[OutputType(typeof(ContainerCredentialsEndpoint))]
public sealed class StartAltimeterCredentialServerCommand : PSCmdlet
{
    /// <summary>The session to serve (from Get-AltimeterSession).</summary>
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
        WriteVerbose($"Serving {Session.AccountId} ({Session.Region}) at {endpoint.Uri}.");
        WriteObject(endpoint);
    }
}
