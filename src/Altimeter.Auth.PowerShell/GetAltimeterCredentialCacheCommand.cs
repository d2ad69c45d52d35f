using System.Linq;
using System.Management.Automation;
using Altimeter.Auth;

namespace Altimeter.Auth.Commands;

/// <summary>
/// <para type="synopsis">Lists the cached credentials: account, role, session name, expiration — never the secrets.</para>
/// <para type="description">Every cache of the session is listed, as Clear-AltimeterCredentialCache clears them: the default one and that of each -SharedCachePath given to New-AltimeterAccessor, with the entries other processes wrote in a shared cache. SharedCachePath tells which shared cache an entry is in (empty: this session's memory only).</para>
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
            WriteObject(ProcessCaches.All.SelectMany(cache => cache.List()).ToList(), enumerateCollection: true);
        }
        catch (SharedCacheException e)
        {
            ThrowTerminatingError(ErrorRecordFactory.From(e, e.Directory));
        }
    }
}
