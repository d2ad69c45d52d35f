using System.Linq;
using System.Management.Automation;
using Altimeter.Auth;

namespace Altimeter.Auth.Commands;

[Cmdlet(VerbsCommon.Get, "AltimeterCredentialCache")]
[OutputType(typeof(CacheEntryInfo))]
public sealed class GetAltimeterCredentialCacheCommand : PSCmdlet
{
    /// <inheritdoc />
    protected override void EndProcessing()
    {
        try
        {
            WriteObject(ProcessCaches.All.SelectMany(cache => cache.List()).ToList(), enumerateCollection: true);
        }
        catch (SharedCacheException e)
        {
            ThrowTerminatingError(ErrorRecordFactory.From(e, e.Directory));
        }
    }
}
