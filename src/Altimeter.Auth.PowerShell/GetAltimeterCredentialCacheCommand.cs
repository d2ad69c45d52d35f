using System.Management.Automation;
using Altimeter.Auth;

namespace Altimeter.Auth.Commands;

/// <summary>
/// <para type="synopsis">Lists the cached credentials: account, role, session name, expiration — never the secrets.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "AltimeterCredentialCache")]
[OutputType(typeof(CacheEntryInfo))]
public sealed class GetAltimeterCredentialCacheCommand : PSCmdlet
{
    /// <inheritdoc />
    protected override void EndProcessing()
    {
        try
        {
            WriteObject(ProcessCaches.Default.List(), enumerateCollection: true);
        }
        catch (SharedCacheException e)
        {
            ThrowTerminatingError(ErrorRecordFactory.From(e, e.Directory));
        }
    }
}
