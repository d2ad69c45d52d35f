using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using Altimeter.Auth;

namespace Altimeter.Auth.Commands;

/// <summary>
/// The credentials caches of this process. Every runspace that imports the module shares them
/// (the module's assembly is loaded once per process), so a scan split over runspaces does not
/// assume the same hub role once per runspace. The default one is backed by the shared store
/// that ALTIMETER_CREDENTIAL_CACHE names, when it names one; New-AltimeterAccessor -SharedCachePath
/// picks another store, and each store has its one cache.
/// </summary>
public static class ProcessCredentialsCache
{
    /// <summary>The environment variable that turns the cache shared with other processes on.</summary>
    public const string SharedCacheVariable = "ALTIMETER_CREDENTIAL_CACHE";

    private static readonly ConcurrentDictionary<string, CredentialsCache> s_byStore = new(StringComparer.Ordinal);
    // PublicationOnly: a refused directory (SharedCacheException) is not remembered; once the user
    // fixes it, the next command opens it.
    private static readonly Lazy<CredentialsCache> s_default = new(() =>
    {
        var directory = Environment.GetEnvironmentVariable(SharedCacheVariable);
        return string.IsNullOrWhiteSpace(directory) ? new CredentialsCache() : For(directory!);
    }, System.Threading.LazyThreadSafetyMode.PublicationOnly);

    /// <summary>The cache accessors use unless told otherwise.</summary>
    /// <exception cref="SharedCacheException">ALTIMETER_CREDENTIAL_CACHE names a directory that cannot be trusted or used.</exception>
    public static CredentialsCache Instance => s_default.Value;

    /// <summary>The cache backed by the shared store at <paramref name="directory"/>.</summary>
    /// <exception cref="SharedCacheException">The directory cannot be trusted or used.</exception>
    public static CredentialsCache For(string directory) =>
        s_byStore.GetOrAdd(Path.GetFullPath(directory), path => new CredentialsCache(() => DateTimeOffset.UtcNow, new SharedCredentialsStore(path)));

    /// <summary>Every cache in use: the default one and each shared store's.</summary>
    public static IEnumerable<CredentialsCache> All
    {
        get
        {
            var seen = new HashSet<CredentialsCache>();
            if (seen.Add(Instance)) yield return Instance;
            foreach (var cache in s_byStore.Values)
            {
                if (seen.Add(cache)) yield return cache;
            }
        }
    }
}
