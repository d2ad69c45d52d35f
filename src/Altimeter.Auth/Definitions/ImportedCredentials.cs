using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Altimeter.Auth;

/// <summary>
/// The credentials a <c>credentials_cache</c> block carried into one accessor, when the caller
/// asked for them (<see cref="AccessorLoadOptions.ImportCredentialsCache"/>). They are trusted no
/// more than credentials from STS: kept here, private to that accessor (never in the process-wide
/// cache or the shared store, so no other accessor sees them), and used only once
/// GetCallerIdentity with their own keys has named exactly the role and session of their key,
/// in the partition they are used in. They say nothing of what was sent to STS for them, so a
/// chain uses them only for a step without an external id or options (<see cref="MultiHopAccessor"/>).
/// </summary>
internal sealed class ImportedCredentials
{
    private readonly ConcurrentDictionary<CacheKey, Entry> _entries = new();
    private readonly Func<DateTimeOffset> _clock;
    private readonly string _source;

    /// <summary>Keeps the unexpired <paramref name="entries"/> of the block read from <paramref name="source"/>, unchecked.</summary>
    public ImportedCredentials(IEnumerable<(CacheKey Key, CachedCredentials Credentials)> entries, string source, Func<DateTimeOffset>? clock = null)
    {
        _source = source;
        _clock = clock ?? (() => DateTimeOffset.UtcNow);
        var now = _clock();
        foreach (var (key, credentials) in entries)
        {
            if (!credentials.IsExpired(now))
            {
                _entries[key] = new Entry(credentials, checkedPartition: null);
            }
        }
    }

    /// <summary>Entries kept, checked or not.</summary>
    public int Count => _entries.Count;

    /// <summary>
    /// Asks GetCallerIdentity, with each unchecked entry's own keys, whose they are. An entry whose
    /// ARN is not <c>arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION</c> for its key (or
    /// whose check fails) is dropped; the warnings name the key, never a secret.
    /// </summary>
    public async Task<IReadOnlyList<string>> CheckAsync(ISecurityTokenService sts, string region, CancellationToken cancellationToken)
    {
        var partition = AwsPartition.ForRegion(region);
        var warnings = new List<string>();
        foreach (var pair in _entries.Where(pair => pair.Value.CheckedPartition is null).ToList())
        {
            var key = pair.Key;
            string? refusal;
            try
            {
                var identity = await sts.GetCallerIdentityAsync(pair.Value.Credentials.ToImmutableCredentials(), region, cancellationToken).ConfigureAwait(false);
                refusal = AssumedRoleArn.IsFor(identity.Arn, partition, key.AccountId, key.RoleName, key.RoleSessionName)
                    ? null
                    : $"GetCallerIdentity says they are {identity.Arn}, not {AssumedRoleArn.For(partition, key.AccountId, key.RoleName, key.RoleSessionName)}";
            }
            catch (StsCallException e)
            {
                refusal = $"GetCallerIdentity with them failed: {e.Message}";
            }

            if (refusal is null)
            {
                _entries.TryUpdate(pair.Key, new Entry(pair.Value.Credentials, partition), pair.Value);
            }
            else
            {
                ((ICollection<KeyValuePair<CacheKey, Entry>>)_entries).Remove(pair);
                warnings.Add($"{_source}: credentials_cache entry '{key}' dropped: {refusal}.");
            }
        }

        return warnings;
    }

    /// <summary>
    /// The checked credentials for the key in <paramref name="partition"/>, or null: unchecked,
    /// checked in another partition, expired, or with less than <paramref name="minimumLifetime"/> left.
    /// </summary>
    public CachedCredentials? Get(CacheKey key, string partition, TimeSpan minimumLifetime)
    {
        if (!_entries.TryGetValue(key, out var entry)
            || !string.Equals(entry.CheckedPartition, partition, StringComparison.Ordinal))
        {
            return null;
        }

        var now = _clock();
        return entry.Credentials.IsExpired(now) || entry.Credentials.Expiration - now < minimumLifetime ? null : entry.Credentials;
    }

    private sealed class Entry
    {
        public Entry(CachedCredentials credentials, string? checkedPartition)
        {
            Credentials = credentials;
            CheckedPartition = checkedPartition;
        }

        public CachedCredentials Credentials { get; }

        // The partition whose GetCallerIdentity named the entry's key; null until then.
        public string? CheckedPartition { get; }
    }
}
