using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;

namespace Altimeter.Auth;

/// <summary>
/// The credentials cache: one entry per <see cref="CacheKey"/> (<c>account:role:session_name</c>), safe to share
/// between threads and runspaces. An entry counts as expired from 60 seconds before its
/// expiration and is dropped when a lookup finds it so. An entry a chain stored is bound to what
/// obtained it (<see cref="CacheBinding"/>: the signer's credentials, secret included, the external
/// id and the AssumeRole options): a lookup with another binding misses. Beside the hops it keeps
/// MFA sessions (GetSessionToken), one per long-term credentials and MFA device; they are never
/// listed or exported, only used to sign a chain's first hop, and <see cref="Clear"/> removes them.
/// </summary>
public sealed class CredentialsCache
{
    // Keyed by the three parts of the key, compared as they are: a lookup builds no string.
    private readonly ConcurrentDictionary<CacheKey, Entry> _entries = new();
    private readonly ConcurrentDictionary<(string Source, string SerialNumber), CachedCredentials> _mfaSessions = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<CachedCredentials>>> _inFlight = new(StringComparer.Ordinal);
    private readonly Func<DateTimeOffset> _clock;

    /// <summary>A cache on the system clock.</summary>
    public CredentialsCache()
        : this(() => DateTimeOffset.UtcNow)
    {
    }

    /// <summary>A cache on the given clock (tests move time with it).</summary>
    public CredentialsCache(Func<DateTimeOffset> clock)
        : this(clock, shared: null)
    {
    }

    /// <summary>A cache backed by a store shared with other processes: what one process assumed, the next one reuses (<see cref="ProcessCaches.ForDirectory"/>).</summary>
    internal CredentialsCache(Func<DateTimeOffset> clock, SharedCredentialsStore? shared)
    {
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
        Shared = shared;
    }

    /// <summary>The store shared with other processes, or null.</summary>
    internal SharedCredentialsStore? Shared { get; }

    /// <summary>The directory of the store this cache shares with other processes; null: this process's memory only.</summary>
    public string? SharedCachePath => Shared?.Directory;

    /// <summary>Number of entries, expired ones included until a lookup drops them.</summary>
    public int Count => _entries.Count;

    /// <summary>
    /// The credentials cached for the key, or null. An expired entry is removed. When
    /// <paramref name="binding"/> is given (what a chain binds a hop to: a digest of the signer's
    /// credentials, the external id and the AssumeRole options), an entry bound to anything else, or
    /// to nothing, is a miss, so a hop is reused only by a chain that would send STS the same call;
    /// an entry with less than <paramref name="minimumLifetime"/> left is a miss too (a session
    /// renewing itself wants credentials that outlive its own renewal window). A shared-store file
    /// that is ignored is told to <paramref name="log"/>, the log of the call that asked.
    /// </summary>
    public CachedCredentials? Get(CacheKey key, string? binding = null, TimeSpan minimumLifetime = default, IAuthLog? log = null) =>
        Lookup(key, binding, minimumLifetime, log ?? NullAuthLog.Instance);

    // sharedLog null: memory only, for rechecks right after a full lookup (a shared-store miss
    // reads a file; a hop should read it once, not once per recheck).
    private CachedCredentials? Lookup(CacheKey key, string? binding, TimeSpan minimumLifetime, IAuthLog? sharedLog)
    {
        if (!_entries.TryGetValue(key, out var entry))
        {
            return sharedLog is null ? null : GetShared(key, binding, minimumLifetime, sharedLog);
        }

        var now = _clock();
        if (entry.Credentials.IsExpired(now))
        {
            // Remove only the entry we looked at: another thread may have stored a fresh one.
            ((ICollection<KeyValuePair<CacheKey, Entry>>)_entries).Remove(new KeyValuePair<CacheKey, Entry>(key, entry));
            return null;
        }

        // An unbound entry (put from outside a chain) says nothing of the external id or options it was obtained with.
        if (binding is not null && !string.Equals(entry.Binding, binding, StringComparison.Ordinal))
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
    /// that they are the session of <paramref name="key"/>; another account's are AccountMismatch,
    /// anything else of that account (an IAM user, another role or session) AssumedRoleMismatch.
    /// </summary>
    internal async Task PutAsync(
        CachedCredentials credentials,
        CacheKey key,
        ISecurityTokenService sts,
        string region,
        CancellationToken cancellationToken = default,
        IAuthLog? log = null)
    {
        if (credentials is null) throw new ArgumentNullException(nameof(credentials));
        if (sts is null) throw new ArgumentNullException(nameof(sts));
        IamIdentifiers.RequireAccountId(key.AccountId);
        var identity = await sts.GetCallerIdentityAsync(credentials.ToImmutableCredentials(), region, cancellationToken).ConfigureAwait(false);
        var what = $"credentials put in the cache for {key}";
        if (identity.Account != key.AccountId)
        {
            throw new AccountMismatchException(key.AccountId, identity.Account, what);
        }

        // Any chain may be handed this entry: it must be that very role's session, not just its account's.
        var partition = AwsPartition.ForRegion(region);
        if (!AssumedRoleArn.IsFor(identity.Arn, partition, key.AccountId, key.RoleName, key.RoleSessionName))
        {
            throw new AssumedRoleMismatchException(AssumedRoleArn.For(partition, key.AccountId, key.RoleName, key.RoleSessionName), identity.Arn, what);
        }

        Store(credentials, key, binding: null, log);
    }

    /// <summary>
    /// The cached credentials for the key, or those <paramref name="assume"/> obtains — once for all
    /// the threads and runspaces that ask for the same key and binding at the same time
    /// (single-flight): they all wait for the one AssumeRole. What <paramref name="assume"/>
    /// returns is stored (it must have checked the account); what it throws reaches every waiter
    /// and is not cached. <c>FromCache</c> tells whether this caller's STS call was saved. The
    /// caller has just missed with <see cref="Get"/>, shared store included: the rechecks here
    /// (another thread may have landed the hop since) look in memory only.
    /// </summary>
    internal async Task<(CachedCredentials Credentials, bool FromCache)> GetOrAssumeAsync(
        CacheKey key,
        string binding,
        TimeSpan minimumLifetime,
        Func<Task<CachedCredentials>> assume,
        IAuthLog log,
        CancellationToken cancellationToken)
    {
        return await SingleFlightAsync(
            key + "\n" + binding,
            () => Lookup(key, binding, minimumLifetime, sharedLog: null),
            assume,
            obtained => Store(obtained, key, binding, log),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The MFA session of the long-term credentials whose digest is <paramref name="source"/>
    /// (<see cref="CacheBinding.OfCredentials"/>: key id, secret key) and the device
    /// <paramref name="serialNumber"/> with at least <paramref name="minimumLifetime"/> left, from
    /// memory or the shared store; null when there is none. A session is bound to both: other
    /// credentials (the same key id with another secret too), or another device, never find it.
    /// </summary>
    internal CachedCredentials? GetMfaSession(string source, string serialNumber, TimeSpan minimumLifetime, IAuthLog log) =>
        LookupMfaSession(source, serialNumber, minimumLifetime, log);

    /// <summary>
    /// The MFA session of those credentials and that device, or the one <paramref name="open"/> obtains (it may
    /// ask a person for a code) — once for every caller asking at the same time, as
    /// <see cref="GetOrAssumeAsync"/> does for hops. What it returns is kept in memory and in the
    /// shared store; what it throws reaches every waiter and is not kept.
    /// </summary>
    internal async Task<(CachedCredentials Credentials, bool FromCache)> GetOrOpenMfaSessionAsync(
        string source,
        string serialNumber,
        TimeSpan minimumLifetime,
        Func<Task<CachedCredentials>> open,
        IAuthLog log,
        CancellationToken cancellationToken)
    {
        return await SingleFlightAsync(
            "mfa-session\n" + serialNumber + "\n" + source,
            () => LookupMfaSession(source, serialNumber, minimumLifetime, sharedLog: null),
            open,
            opened =>
            {
                _mfaSessions[(source, serialNumber)] = opened;
                Shared?.PutMfaSession(opened, source, serialNumber, log);
            },
            cancellationToken).ConfigureAwait(false);
    }

    private CachedCredentials? LookupMfaSession(string source, string serialNumber, TimeSpan minimumLifetime, IAuthLog? sharedLog)
    {
        var key = (source, serialNumber);
        var now = _clock();
        if (_mfaSessions.TryGetValue(key, out var session))
        {
            if (!session.IsExpired(now))
            {
                return session.Expiration - now < minimumLifetime ? null : session;
            }

            ((ICollection<KeyValuePair<(string, string), CachedCredentials>>)_mfaSessions).Remove(new KeyValuePair<(string, string), CachedCredentials>(key, session));
        }

        var found = sharedLog is null ? null : Shared?.TryGetMfaSession(source, serialNumber, now, sharedLog);
        if (found is null || found.Expiration - now < minimumLifetime)
        {
            return null;
        }

        _mfaSessions[key] = found;
        return found;
    }

    // What lookup finds, else one obtain for every caller of the same key at the same time: a
    // flight is shared by every caller waiting for it, none of them may cancel it for the others.
    // FromCache: this caller's call was saved (found, another caller's flight, or what landed
    // before this flight started).
    private async Task<(CachedCredentials Credentials, bool FromCache)> SingleFlightAsync(
        string flightKey,
        Func<CachedCredentials?> lookup,
        Func<Task<CachedCredentials>> obtain,
        Action<CachedCredentials> store,
        CancellationToken cancellationToken)
    {
        var cached = lookup();
        if (cached is not null)
        {
            return (cached, true);
        }

        Lazy<Task<CachedCredentials>>? flight = null;
        flight = new Lazy<Task<CachedCredentials>>(() => FlyAsync(), LazyThreadSafetyMode.ExecutionAndPublication);
        var shared = _inFlight.GetOrAdd(flightKey, flight);
        var credentials = await WaitAsync(shared.Value, cancellationToken).ConfigureAwait(false);
        return (credentials, !ReferenceEquals(shared, flight));

        async Task<CachedCredentials> FlyAsync()
        {
            try
            {
                // Another flight may have landed between the caller's lookup and this one's start.
                var landed = lookup();
                if (landed is not null)
                {
                    return landed;
                }

                var obtained = await obtain().ConfigureAwait(false);
                store(obtained);
                return obtained;
            }
            finally
            {
                ((ICollection<KeyValuePair<string, Lazy<Task<CachedCredentials>>>>)_inFlight).Remove(new KeyValuePair<string, Lazy<Task<CachedCredentials>>>(flightKey, flight!));
            }
        }
    }

    /// <summary>Stores credentials whose account the caller has already checked.</summary>
    internal void Store(CachedCredentials credentials, CacheKey key, string? binding, IAuthLog? log = null)
    {
        _entries[key] = new Entry(credentials, binding);
        Shared?.Put(credentials, key, binding, log ?? NullAuthLog.Instance);
    }

    // A miss in memory may be a hit in the store another process filled; it is kept in memory from then on.
    private CachedCredentials? GetShared(CacheKey key, string? binding, TimeSpan minimumLifetime, IAuthLog log)
    {
        var now = _clock();
        var found = Shared?.TryGet(key, binding, now, log);
        if (found is null || found.Expiration - now < minimumLifetime)
        {
            return null;
        }

        // An unbound lookup may see any entry: kept in memory without its binding, it would then
        // answer no chain. Only a bound hit is remembered.
        if (binding is not null)
        {
            _entries[key] = new Entry(found, binding);
        }

        return found;
    }

    // A waiter may give up (Ctrl+C) without cancelling the flight the others wait for.
    private static async Task<T> WaitAsync<T>(Task<T> task, CancellationToken cancellationToken)
    {
        if (!cancellationToken.CanBeCanceled || task.IsCompleted)
        {
            return await task.ConfigureAwait(false);
        }

        var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        using (cancellationToken.Register(() => cancelled.TrySetResult(true)))
        {
            if (await Task.WhenAny(task, cancelled.Task).ConfigureAwait(false) != task)
            {
                throw new OperationCanceledException(cancellationToken);
            }
        }

        return await task.ConfigureAwait(false);
    }

    /// <summary>
    /// Describes every entry, without secrets: those in memory, and those of the shared store
    /// (another process's too) that memory does not hold — what <see cref="Remove"/> would remove.
    /// </summary>
    public IReadOnlyList<CacheEntryInfo> List()
    {
        var now = _clock();
        var listed = _entries.Select(pair => Describe(pair.Key, pair.Value.Credentials, now)).ToList();
        if (Shared is not null)
        {
            listed.AddRange(SharedOnly(listed, now).Values);
        }

        return listed.OrderBy(info => info.Key, StringComparer.Ordinal).ToList();
    }

    // The shared store's entries that are not among those already described.
    private Dictionary<CacheKey, CacheEntryInfo> SharedOnly(IEnumerable<CacheEntryInfo> described, DateTimeOffset now)
    {
        var known = new HashSet<CacheKey>(described.Select(info => info.CacheKey));
        return Shared!.List()
            .Where(entry => !known.Contains(entry.Key))
            .ToDictionary(entry => entry.Key, entry => Describe(entry.Key, entry.Credentials, now));
    }

    /// <summary>Removes the entries <paramref name="match"/> selects and returns what was removed.</summary>
    public IReadOnlyList<CacheEntryInfo> Remove(Func<CacheEntryInfo, bool> match)
    {
        if (match is null) throw new ArgumentNullException(nameof(match));
        var now = _clock();
        var removed = new List<CacheEntryInfo>();
        foreach (var pair in _entries)
        {
            var info = Describe(pair.Key, pair.Value.Credentials, now);
            if (match(info) && ((ICollection<KeyValuePair<CacheKey, Entry>>)_entries).Remove(pair))
            {
                removed.Add(info);
            }
        }

        if (Shared is SharedCredentialsStore shared)
        {
            // What the files hold is told as memory's entries are; a file that cannot be described is removed by its key alone.
            var onDisk = SharedOnly(removed, now);
            removed.AddRange(onDisk.Values.Where(match));
            shared.Remove(key => match(onDisk.TryGetValue(key, out var info) ? info : new CacheEntryInfo(key, now, isExpired: false, "****", shared.Directory)));
        }

        return removed.OrderBy(info => info.Key, StringComparer.Ordinal).ToList();
    }

    /// <summary>Number of MFA sessions held in memory, expired ones included until a lookup drops them.</summary>
    public int MfaSessionCount => _mfaSessions.Count;

    /// <summary>
    /// Ends the MFA sessions: removes them from memory and from the shared store, so the next chain
    /// that needs one asks for a code. Returns how many were removed (memory and files).
    /// </summary>
    public int EndMfaSessions()
    {
        var removed = _mfaSessions.Count;
        _mfaSessions.Clear();
        return removed + (Shared?.RemoveMfaSessions() ?? 0);
    }

    /// <summary>Empties the cache, MFA sessions included, and the shared store when there is one.</summary>
    public void Clear()
    {
        _entries.Clear();
        _mfaSessions.Clear();
        Shared?.Remove();
    }

    /// <summary>
    /// The cache in altimeter's serialised form, <b>with secrets</b>:
    /// <c>{"cache": {"key": {access_key_id, secret_access_key, session_token, expiration}}}</c>.
    /// Meant only for a caller that asked to write the cache somewhere it controls. There is no
    /// import into a cache: a <c>credentials_cache</c> block is read back only by an accessor loaded
    /// with <see cref="AccessorLoadOptions.ImportCredentialsCache"/>, checked and private to it.
    /// </summary>
    public string ExportWithSecrets()
    {
        var cache = new JObject();
        foreach (var pair in _entries.OrderBy(p => p.Key.ToString(), StringComparer.Ordinal))
        {
            var c = pair.Value.Credentials;
            cache[pair.Key.ToString()] = new JObject
            {
                ["access_key_id"] = c.AccessKeyId,
                ["secret_access_key"] = c.SecretAccessKey,
                ["session_token"] = c.SessionToken,
                ["expiration"] = c.Expiration.ToUnixTimeSeconds(),
            };
        }

        return new JObject { ["cache"] = cache }.ToString(Newtonsoft.Json.Formatting.None);
    }

    private CacheEntryInfo Describe(CacheKey key, CachedCredentials credentials, DateTimeOffset now) =>
        new(key, credentials.Expiration, credentials.IsExpired(now), SecretText.MaskAccessKeyId(credentials.AccessKeyId), SharedCachePath);

    private sealed class Entry
    {
        public Entry(CachedCredentials credentials, string? binding)
        {
            Credentials = credentials;
            Binding = binding;
        }

        public CachedCredentials Credentials { get; }

        // What the chain that obtained it bound it to (CacheBinding.ForHop); null for credentials put from outside a chain.
        public string? Binding { get; }
    }
}
