using System.Management.Automation;
using Altimeter.Auth;

namespace Altimeter.Auth.Commands;

/// <summary>
/// <para type="synopsis">Writes a session as the JSON the AWS CLI and SDKs read from a credential_process.</para>
/// <para type="description">The output holds the secret key and session token: it is meant for a credential_process line of an AWS config profile, whose caller reads it from standard output.</para>
/// </summary>
[Cmdlet(VerbsData.ConvertTo, "AltimeterCredentialProcess")]
[OutputType(typeof(string))]
public sealed class ConvertToAltimeterCredentialProcessCommand : PSCmdlet
{
    /// <summary>The session (from Get-AltimeterSession).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    public AltimeterSession Session { get; set; } = null!;

    /// <inheritdoc />
    protected override void ProcessRecord() => WriteObject(CredentialExport.CredentialProcessJson(Session));
}
