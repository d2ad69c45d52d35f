using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using Amazon.Runtime;

namespace Altimeter.Auth;

/// <summary>
/// What this process keeps for every runspace and every command: the credentials caches and the
/// STS clients. The module's assembly is loaded once per process, so a scan split over runspaces
/// does not assume the same hub role once per runspace, nor open a connection per runspace. Every
/// cmdlet and completer reaches them here, the same way; nothing else holds process-wide state of
/// the cache.
/// <list type="bullet">
/// <item><see cref="Default"/>: the cache accessors use unless told otherwise, backed by the shared
/// store that ALTIMETER_CREDENTIAL_CACHE names, when it names one.</item>
/// <item><see cref="ForDirectory"/>: the one cache of each shared store (New-AltimeterAccessor -SharedCachePath).</item>
/// <item><see cref="All"/>: every cache in use, listed and cleared alike.</item>
/// <item><see cref="Sts"/>: one STS service per combination of client settings, so that its clients are reused.</item>
/// <item><see cref="Sso"/>: one IAM Identity Center portal client per region, for the role credentials of Identity Center steps.</item>
/// </list>
/// </summary>
internal static class ProcessCaches
{
    /// <summary>The environment variable that turns the cache shared with other processes on.</summary>
    public const string SharedCacheVariable = "ALTIMETER_CREDENTIAL_CACHE";

    private static readonly ConcurrentDictionary<string, CredentialsCache> s_byDirectory = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<(string?, int?, RequestRetryMode?, TimeSpan?), SdkSecurityTokenService> s_sts = new();

    // PublicationOnly: a refused directory (SharedCacheException) is not remembered; once the user
    // fixes it, the next command opens it.
    private static readonly Lazy<CredentialsCache> s_default = new(() =>
    {
        var directory = Environment.GetEnvironmentVariable(SharedCacheVariable);
        return string.IsNullOrWhiteSpace(directory) ? new CredentialsCache() : ForDirectory(directory!);
    }, LazyThreadSafetyMode.PublicationOnly);

    /// <summary>The cache accessors use unless told otherwise.</summary>
    /// <exception cref="SharedCacheException">ALTIMETER_CREDENTIAL_CACHE names a directory that cannot be trusted or used.</exception>
    public static CredentialsCache Default => s_default.Value;

    /// <summary>The cache backed by the shared store at <paramref name="directory"/> (one per directory).</summary>
    /// <exception cref="SharedCacheException">The directory cannot be trusted or used.</exception>
    public static CredentialsCache ForDirectory(string directory) =>
        s_byDirectory.GetOrAdd(
            Path.GetFullPath(directory ?? throw new ArgumentNullException(nameof(directory))),
            path => new CredentialsCache(() => DateTimeOffset.UtcNow, new SharedCredentialsStore(path)));

    /// <summary>Every cache in use: the default one first, then each shared store's.</summary>
    /// <exception cref="SharedCacheException">ALTIMETER_CREDENTIAL_CACHE names a directory that cannot be trusted or used.</exception>
    public static IReadOnlyList<CredentialsCache> All
    {
        get
        {
            var all = new List<CredentialsCache> { Default };
            foreach (var cache in s_byDirectory.Values)
            {
                if (!all.Contains(cache))
                {
                    all.Add(cache);
                }
            }

            return all;
        }
    }

    /// <summary>The STS service of these settings (the SDK's defaults when null), one for the whole process.</summary>
    public static ISecurityTokenService Sts(StsClientSettings? settings = null)
    {
        var copy = new StsClientSettings { ServiceUrl = settings?.ServiceUrl, MaxAttempts = settings?.MaxAttempts, RetryMode = settings?.RetryMode, Timeout = settings?.Timeout };
        return s_sts.GetOrAdd(copy.Identity, _ => new SdkSecurityTokenService(copy));
    }

    /// <summary>The portal client of <paramref name="region"/>, one for the whole process (its connections are reused).</summary>
    public static Amazon.SSO.IAmazonSSO Sso(string region) => SsoClients.ByRegion.GetOrAdd(region, IdentityCenterAccounts.SsoClientFor);

    // Apart, so that AWSSDK.SSO loads only when a portal is called: with AWS Tools' AWSSDK.Core in the
    // process, a copy of ours loaded earlier would make AWS Tools' own load of it fail.
    private static class SsoClients
    {
        public static readonly ConcurrentDictionary<string, Amazon.SSO.IAmazonSSO> ByRegion = new(StringComparer.Ordinal);
    }
}
