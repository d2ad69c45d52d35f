using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;

namespace Altimeter.Auth;

/// <summary>
/// The credentials cache: one entry per <c>account:role:session_name</c>, safe to share
/// between threads and runspaces. An entry counts as expired from 60 seconds before its
/// expiration and is dropped when a lookup finds it so.
/// </summary>
public sealed class CredentialsCache
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Func<DateTimeOffset> _clock;

    /// <summary>A cache on the system clock.</summary>
    public CredentialsCache()
        : this(() => DateTimeOffset.UtcNow)
    {
    }

    /// <summary>A cache on the given clock (tests move time with it).</summary>
    public CredentialsCache(Func<DateTimeOffset> clock)
    {
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
    }

    /// <summary>Number of entries, expired ones included until a lookup drops them.</summary>
    public int Count => _entries.Count;

    /// <summary>The cache key: <c>account:role:session_name</c>.</summary>
    public static string BuildKey(string accountId, string roleName, string roleSessionName) =>
        $"{accountId}:{roleName}:{roleSessionName}";

    /// <summary>
    /// The credentials cached for the key, or null. An expired entry is removed. When
    /// <paramref name="signerFingerprint"/> is given, an entry made by another signer is a miss;
    /// an entry with less than <paramref name="minimumLifetime"/> left is a miss too (a session
    /// renewing itself wants credentials that outlive its own renewal window).
    /// </summary>
    public CachedCredentials? Get(string accountId, string roleName, string roleSessionName, string? signerFingerprint = null, TimeSpan minimumLifetime = default)
    {
        var key = BuildKey(accountId, roleName, roleSessionName);
        if (!_entries.TryGetValue(key, out var entry))
        {
            return null;
        }

        var now = _clock();
        if (entry.Credentials.IsExpired(now))
        {
            // Remove only the entry we looked at: another thread may have stored a fresh one.
            ((ICollection<KeyValuePair<string, Entry>>)_entries).Remove(new KeyValuePair<string, Entry>(key, entry));
            return null;
        }

        if (signerFingerprint is not null && entry.SignerFingerprint is not null && entry.SignerFingerprint != signerFingerprint)
        {
            return null;
        }

        if (entry.Credentials.Expiration - now < minimumLifetime)
        {
            return null;
        }

        return entry.Credentials;
    }

    /// <summary>
    /// Stores credentials obtained from outside a chain, after checking with GetCallerIdentity
    /// that they belong to <paramref name="accountId"/>; credentials for another account are refused.
    /// </summary>
    public async Task PutAsync(
        CachedCredentials credentials,
        string accountId,
        string roleName,
        string roleSessionName,
        ISecurityTokenService sts,
        string region,
        CancellationToken cancellationToken = default)
    {
        if (credentials is null) throw new ArgumentNullException(nameof(credentials));
        if (sts is null) throw new ArgumentNullException(nameof(sts));
        IamIdentifiers.RequireAccountId(accountId);
        var actual = await sts.GetCallerAccountAsync(credentials.ToImmutableCredentials(), region, cancellationToken).ConfigureAwait(false);
        if (actual != accountId)
        {
            throw new AccountMismatchException(accountId, actual, $"credentials put in the cache for {BuildKey(accountId, roleName, roleSessionName)}");
        }

        Store(credentials, accountId, roleName, roleSessionName, signerFingerprint: null);
    }

    /// <summary>Stores credentials whose account the caller has already checked.</summary>
    internal void Store(CachedCredentials credentials, string accountId, string roleName, string roleSessionName, string? signerFingerprint)
    {
        _entries[BuildKey(accountId, roleName, roleSessionName)] = new Entry(credentials, signerFingerprint);
    }

    /// <summary>Describes every entry, without secrets.</summary>
    public IReadOnlyList<CacheEntryInfo> List()
    {
        var now = _clock();
        return _entries
            .Select(pair => Describe(pair.Key, pair.Value, now))
            .OrderBy(info => info.Key, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Removes the entries <paramref name="match"/> selects and returns what was removed.</summary>
    public IReadOnlyList<CacheEntryInfo> Remove(Func<CacheEntryInfo, bool> match)
    {
        if (match is null) throw new ArgumentNullException(nameof(match));
        var now = _clock();
        var removed = new List<CacheEntryInfo>();
        foreach (var pair in _entries)
        {
            var info = Describe(pair.Key, pair.Value, now);
            if (match(info) && ((ICollection<KeyValuePair<string, Entry>>)_entries).Remove(pair))
            {
                removed.Add(info);
            }
        }

        return removed.OrderBy(info => info.Key, StringComparer.Ordinal).ToList();
    }

    /// <summary>Empties the cache.</summary>
    public void Clear() => _entries.Clear();

    /// <summary>
    /// The cache in altimeter's serialised form, <b>with secrets</b>:
    /// <c>{"cache": {"key": {access_key_id, secret_access_key, session_token, expiration}}}</c>.
    /// Meant only for a caller that asked to write the cache somewhere it controls.
    /// </summary>
    public string ExportWithSecrets()
    {
        var cache = new JObject();
        foreach (var pair in _entries.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var c = pair.Value.Credentials;
            cache[pair.Key] = new JObject
            {
                ["access_key_id"] = c.AccessKeyId,
                ["secret_access_key"] = c.SecretAccessKey,
                ["session_token"] = c.SessionToken,
                ["expiration"] = c.Expiration.ToUnixTimeSeconds(),
            };
        }

        return new JObject { ["cache"] = cache }.ToString(Newtonsoft.Json.Formatting.None);
    }

    /// <summary>Adds the entries of altimeter's serialised cache form; expired ones are skipped. Returns how many were added.</summary>
    public int ImportWithSecrets(string json, string source = "<credentials_cache>")
    {
        return ImportWithSecrets(AccessorJson.Parse(json, source), source);
    }

    internal int ImportWithSecrets(JToken root, string source)
    {
        var entries = CredentialsCacheJson.Read(root, source);
        var now = _clock();
        var added = 0;
        foreach (var (key, credentials) in entries)
        {
            if (credentials.IsExpired(now))
            {
                continue;
            }

            _entries[key] = new Entry(credentials, null);
            added++;
        }

        return added;
    }

    private static CacheEntryInfo Describe(string key, Entry entry, DateTimeOffset now)
    {
        var parts = key.Split(':');
        return new CacheEntryInfo(parts[0], parts[1], parts[2], entry.Credentials.Expiration, entry.Credentials.IsExpired(now), SecretText.MaskAccessKeyId(entry.Credentials.AccessKeyId));
    }

    private sealed class Entry
    {
        public Entry(CachedCredentials credentials, string? signerFingerprint)
        {
            Credentials = credentials;
            SignerFingerprint = signerFingerprint;
        }

        public CachedCredentials Credentials { get; }

        public string? SignerFingerprint { get; }
    }
}
