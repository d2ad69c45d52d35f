using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;

namespace Altimeter.Auth;

/// <summary>
/// Several chains into the accounts of an organization; the first one that works wins. With no
/// chain at all ("local mode") the source credentials are used as they are, once
/// GetCallerIdentity has shown they are for the account asked for.
/// </summary>
public sealed class Accessor
{
    /// <summary>The chain name used in local mode.</summary>
    public const string LocalChain = "local";

    private readonly List<string> _loadWarnings = new();

    /// <summary>Creates the accessor.</summary>
    /// <param name="multiHopAccessors">The chains, tried in order; none: local mode.</param>
    /// <param name="cacheCreds">False: chains run without the cache.</param>
    /// <param name="credentialsCache">The cache to use; one shared by every accessor of a process is the point of it.</param>
    public Accessor(IEnumerable<MultiHopAccessor>? multiHopAccessors = null, bool cacheCreds = true, CredentialsCache? credentialsCache = null)
        : this(multiHopAccessors, cacheCreds, credentialsCache, imported: null, loadWarnings: null)
    {
    }

    internal Accessor(IEnumerable<MultiHopAccessor>? multiHopAccessors, bool cacheCreds, CredentialsCache? credentialsCache, ImportedCredentials? imported, IEnumerable<string>? loadWarnings)
    {
        MultiHopAccessors = (multiHopAccessors ?? Enumerable.Empty<MultiHopAccessor>()).ToList().AsReadOnly();
        CacheCreds = cacheCreds;
        CredentialsCache = credentialsCache ?? new CredentialsCache();
        Imported = imported;
        _loadWarnings.AddRange(loadWarnings ?? Enumerable.Empty<string>());
    }

    /// <summary>The chains, in the order they are tried.</summary>
    public IReadOnlyList<MultiHopAccessor> MultiHopAccessors { get; }

    /// <summary>A step of some chain names an MFA device: only then is a person asked for a code.</summary>
    internal bool HasMfaSteps => MultiHopAccessors.Any(chain => chain.AccessSteps.Any(step => step.Options?.MfaSerial is not null));

    /// <summary>Whether chains read and fill the cache.</summary>
    public bool CacheCreds { get; }

    /// <summary>The cache the chains use.</summary>
    public CredentialsCache CredentialsCache { get; }

    /// <summary>
    /// What was adjusted or left out when the accessor was loaded (durations capped, a
    /// credentials_cache block ignored, imported entries dropped), to be shown to the user.
    /// </summary>
    public IReadOnlyList<string> Warnings
    {
        get
        {
            var chains = MultiHopAccessors.SelectMany(chain => chain.Warnings.Select(w => $"{chain}: {w}"));
            lock (_loadWarnings)
            {
                return chains.Concat(_loadWarnings).ToList();
            }
        }
    }

    // The credentials_cache entries this accessor was loaded with, when the caller asked for them; its own, no one else's.
    internal ImportedCredentials? Imported { get; }

    /// <summary>
    /// Checks the credentials this accessor's <c>credentials_cache</c> block carried (loaded with
    /// <see cref="AccessorLoadOptions.ImportCredentialsCache"/>): GetCallerIdentity with each entry's
    /// own keys must name exactly its <c>account:role:session</c> as an assumed role in the
    /// partition of <paramref name="region"/>. Entries that pass are used by this accessor's chains
    /// instead of their AssumeRole; the others are dropped, each with a warning (also added to
    /// <see cref="Warnings"/>). Entries never checked are never used.
    /// </summary>
    /// <param name="region">Region of the GetCallerIdentity calls; null: the default region (<see cref="AwsRegion.Resolve"/>).</param>
    /// <param name="sts">The STS to ask; null: the AWS SDK's.</param>
    /// <param name="cancellationToken">Stops the checks.</param>
    /// <returns>The warnings of this check.</returns>
    internal async Task<IReadOnlyList<string>> CheckImportedCredentialsAsync(string? region = null, ISecurityTokenService? sts = null, CancellationToken cancellationToken = default)
    {
        if (Imported is null)
        {
            return Array.Empty<string>();
        }

        var warnings = await Imported.CheckAsync(sts ?? ProcessCaches.Sts(), AwsRegion.Resolve(region), cancellationToken).ConfigureAwait(false);
        lock (_loadWarnings)
        {
            _loadWarnings.AddRange(warnings);
        }

        return warnings;
    }

    /// <summary>False when every chain starts with an IAM Identity Center role: no source credentials are read.</summary>
    public bool StartsFromSource => IsLocal || MultiHopAccessors.Any(chain => chain.IdentityCenterRole is null);

    /// <summary>True when there is no chain: the source credentials are used directly.</summary>
    public bool IsLocal => MultiHopAccessors.Count == 0;

    /// <summary>
    /// A session for <paramref name="accountId"/> through the first chain that works. The session
    /// renews itself near expiry the same way, with the same options (and no log).
    /// </summary>
    /// <exception cref="AccountAuthException">Every chain failed; the message names each chain's error.</exception>
    /// <exception cref="NoSourceCredentialsException">There are no credentials to start from.</exception>
    /// <exception cref="InvalidAccountIdException"><paramref name="accountId"/> is not 12 digits.</exception>
    public async Task<AltimeterSession> GetSessionAsync(string accountId, SessionOptions? options = null, CancellationToken cancellationToken = default)
    {
        IamIdentifiers.RequireAccountId(accountId);
        options ??= new SessionOptions();

        // Where the session starts is decided once (by the caller for many sessions, else here).
        options = await options.WithStartResolvedAsync(cancellationToken).ConfigureAwait(false);
        var region = options.Region!;
        var first = await ObtainAsync(accountId, region, options, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);

        // Renewals happen later, wherever the SDK asks for credentials: no caller's log is listening then.
        // An MFA code is good once: a renewal that needs a new one fails clearly (MfaTokenRequired)
        // unless the cached hop, or the cached MFA session, lasts.
        var renewal = options.WithLog(null);
        renewal.MfaTokenCode = null;
        return new AltimeterSession(accountId, region, first, (minimumLifetime, token) => ObtainAsync(accountId, region, renewal, minimumLifetime, token).AsTask());
    }

    /// <summary>
    /// Sessions for <paramref name="accountId"/>, one per region of <paramref name="regions"/>, in
    /// that order, from one walk of the chain: the chain is walked in the options' region (a caller
    /// with several regions makes that the first of them), and every session holds the same
    /// credentials with its own region. Each renews itself near expiry as
    /// <see cref="GetSessionAsync"/>'s does, walking the chain in that same region.
    /// </summary>
    /// <param name="accountId">The account.</param>
    /// <param name="regions">The sessions' regions; empty: the options' region alone.</param>
    /// <param name="options">As for <see cref="GetSessionAsync"/>.</param>
    /// <param name="cancellationToken">Stops the walk.</param>
    /// <exception cref="InvalidRegionException">One of <paramref name="regions"/> is not a region name.</exception>
    /// <exception cref="AccountAuthException">Every chain failed; the message names each chain's error.</exception>
    /// <exception cref="NoSourceCredentialsException">There are no credentials to start from.</exception>
    /// <exception cref="InvalidAccountIdException"><paramref name="accountId"/> is not 12 digits.</exception>
    public async Task<IReadOnlyList<AltimeterSession>> GetSessionsAsync(string accountId, IReadOnlyList<string> regions, SessionOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (regions is null) throw new ArgumentNullException(nameof(regions));
        foreach (var other in regions)
        {
            if (!AwsRegion.IsWellFormed(other))
            {
                throw new InvalidRegionException(other ?? string.Empty, "the regions asked for");
            }
        }

        var first = await GetSessionAsync(accountId, options, cancellationToken).ConfigureAwait(false);
        if (regions.Count == 0)
        {
            return new[] { first };
        }

        // A region given twice gets two sessions, not the same one twice.
        var sessions = new AltimeterSession[regions.Count];
        for (var r = 0; r < regions.Count; r++)
        {
            sessions[r] = r == 0 && regions[0] == first.Region ? first : first.InRegion(regions[r]);
        }

        return sessions;
    }

    /// <summary>The chains in text form, one after the other; <c>local</c> when there is none.</summary>
    public override string ToString() =>
        IsLocal ? LocalChain : string.Join("; ", MultiHopAccessors.Select(chain => chain.ToString()));

    // ValueTask: a warm walk completes without waiting, and then allocates no task.
    private async ValueTask<SessionCredentials> ObtainAsync(string accountId, string region, SessionOptions options, TimeSpan minimumLifetime, CancellationToken cancellationToken)
    {
        var sts = options.Sts ?? ProcessCaches.Sts();
        var log = options.Log ?? NullAuthLog.Instance;
        var sourceCredentials = options.SourceCredentials!;
        if (IsLocal)
        {
            var source = await ReadSourceAsync(sourceCredentials, options.ProfileName).ConfigureAwait(false);
            return await GetLocalCredentialsAsync(accountId, region, source, (sourceCredentials as RefreshingAWSCredentials)?.Expiration, sts, log, cancellationToken).ConfigureAwait(false);
        }

        // Read only by a chain that starts from it: one that starts with an Identity Center role does not.
        var context = new ChainContext(() => ReadSourceAsync(sourceCredentials, options.ProfileName), region, sts, CacheCreds ? CredentialsCache : null, log, minimumLifetime, options.MfaTokenCode)
        {
            Imported = CacheCreds ? Imported : null,
            UseMfaSession = options.UseMfaSession,
        };
        List<ChainFailure>? failures = null;
        for (var c = 0; c < MultiHopAccessors.Count; c++)
        {
            var chain = MultiHopAccessors[c];
            try
            {
                if (log.IsEnabled)
                {
                    log.Verbose($"{accountId}: trying {chain}");
                }

                return await chain.AssumeAsync(accountId, context, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e) when (e is NoSourceCredentialsException or SsoSignInException)
            {
                // No source, no Identity Center sign-in, or an Identity Center profile that is not one:
                // no other chain or account fares better; signing in, or the config file, is the fix.
                throw;
            }
            catch (AltimeterAuthException e)
            {
                log.Verbose($"{accountId}: {chain} failed: {e.Message}");
                (failures ??= new List<ChainFailure>()).Add(new ChainFailure(chain.ToString(), e));
            }
        }

        throw new AccountAuthException(accountId, ToString(), failures ?? new List<ChainFailure>());
    }

    private static async ValueTask<ImmutableCredentials> ReadSourceAsync(AWSCredentials source, string? profileName)
    {
        if (source is SSOAWSCredentials identityCenter)
        {
            // Every time: the SDK reads the token file again whenever it needs new role credentials.
            SsoTokenCache.RequireTrustedToken(identityCenter, profileName);
        }

        try
        {
            // Static keys are read in place; only credentials that refresh themselves may need to wait.
            return source is RefreshingAWSCredentials
                ? await source.GetCredentialsAsync().ConfigureAwait(false)
                : source.GetCredentials();
        }
        catch (Exception e) when (source is SSOAWSCredentials sso && SsoSignInRequiredException.Explains(e))
        {
            throw new SsoSignInRequiredException(sso, profileName, e);
        }
        catch (Exception e) when (e is AmazonClientException or AmazonServiceException)
        {
            throw new NoSourceCredentialsException($"The source credentials could not be read: {e.Message}", e);
        }
    }

    private async Task<SessionCredentials> GetLocalCredentialsAsync(string accountId, string region, ImmutableCredentials source, DateTime? expiration, ISecurityTokenService sts, IAuthLog log, CancellationToken cancellationToken)
    {
        log.Verbose($"{accountId}: local mode, GetCallerIdentity with the source credentials");
        Exception failure;
        try
        {
            var actual = (await sts.GetCallerIdentityAsync(source, region, cancellationToken).ConfigureAwait(false)).Account;
            if (actual == accountId)
            {
                return new SessionCredentials(source, expiration, LocalChain, roleArn: null);
            }

            failure = new AccountMismatchException(accountId, actual, "The source credentials");
        }
        catch (StsCallException e)
        {
            failure = e;
        }

        throw new AccountAuthException(accountId, ToString(), new[] { new ChainFailure(LocalChain, failure) });
    }
}
