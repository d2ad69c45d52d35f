using System.Management.Automation;
using Altimeter.Auth;

namespace Altimeter.Auth.Commands;

[Cmdlet(VerbsData.ConvertTo, "AltimeterCredentialProcess")]
[OutputType(typeof(string))]
public sealed class ConvertToAltimeterCredentialProcessCommand : PSCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    public AltimeterSession Session { get; set; } = null!;

    /// <inheritdoc />
    protected override void ProcessRecord() => WriteObject(CredentialExport.CredentialProcessJson(Session));
}
