using System;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;

namespace Altimeter.Auth;

/// <summary>
/// Credentials for one account, in one region, and how they were obtained. It is an
/// <see cref="AWSCredentials"/> (a <see cref="RefreshingAWSCredentials"/>), so it goes wherever
/// the AWS SDK and AWS Tools for PowerShell take credentials; when its credentials come within
/// <see cref="RenewalWindow"/> of expiry, the next use renews them by walking the chain again
/// (cache aware), so a long job that keeps it outlives the one-hour limit of chained roles.
/// Its text form shows account, chain, role and expiry, never the secrets.
/// </summary>
public sealed class AltimeterSession : RefreshingAWSCredentials
{
    /// <summary>How long before expiry a session renews its credentials, unless told otherwise.</summary>
    public static readonly TimeSpan DefaultRenewalWindow = TimeSpan.FromMinutes(5);

    private readonly Func<TimeSpan, CancellationToken, Task<SessionCredentials>> _renew;
    private volatile SessionCredentials _current;
    private int _renewals;
    private TimeSpan _renewalWindow = DefaultRenewalWindow;

    internal AltimeterSession(string accountId, string region, SessionCredentials initial, Func<TimeSpan, CancellationToken, Task<SessionCredentials>> renew)
    {
        AccountId = accountId;
        Region = region;
        _current = initial;
        _renew = renew;
        // The renewal is done in the caller's thread when the SDK sees the window reached, rather
        // than by the SDK's background refresh, whose result can be overwritten by a second one.
        PreemptExpiryTime = TimeSpan.Zero;
        currentState = StateOf(initial, fresh: true);
    }

    /// <summary>
    /// A session with the credentials held now and <paramref name="region"/> as its region, and the
    /// default renewal window; it renews itself the same way as this one (walking the chain in this
    /// one's region), on its own.
    /// </summary>
    internal AltimeterSession InRegion(string region) =>
        new(AccountId, region, _current, _renew);

    /// <summary>The account these credentials are for.</summary>
    public string AccountId { get; }

    /// <summary>The region of the session.</summary>
    public string Region { get; }

    /// <summary>The chain that produced the current credentials (<c>accessor:name:steps</c>), or <c>local</c>.</summary>
    public string Chain => _current.Chain;

    /// <summary>ARN of the role of the last hop; null in local mode.</summary>
    public string? RoleArn => _current.RoleArn;

    /// <summary>Whether the current credentials come from role chaining (<see cref="SessionCredentials.RoleChained"/>); null when not known (local mode).</summary>
    internal bool? RoleChained => _current.RoleChained;

    /// <summary>The current access key id, masked to its last four characters.</summary>
    public string AccessKeyId => SecretText.MaskAccessKeyId(_current.Credentials.AccessKey);

    /// <summary>
    /// How long before expiry the session renews its credentials (default five minutes; for
    /// credentials just obtained, at most half their lifetime). Setting it applies to the
    /// credentials held now: a window wider than what is left renews them on next use.
    /// </summary>
    public TimeSpan RenewalWindow
    {
        get => _renewalWindow;
        set
        {
            if (value < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(value), "The renewal window cannot be negative.");
            _renewalWindow = value;
            currentState = StateOf(_current, fresh: false);
        }
    }

    /// <summary>When the current credentials expire (UTC); null when they do not.</summary>
    public override DateTime? Expiration => _current.ExpirationUtc;

    /// <summary>How many times the session has renewed its credentials.</summary>
    public int Renewals => _renewals;

    // The SDK's knobs of its own background refresh, hidden from reflection (and so from
    // Format-List * and Get-Member in PowerShell) by these private members of the same names: the
    // session renews in the caller's thread with RenewalWindow instead, and setting them would
    // bypass it. Code typed as RefreshingAWSCredentials still reaches the SDK's.
    private new TimeSpan PreemptExpiryTime
    {
        get => base.PreemptExpiryTime;
        set => base.PreemptExpiryTime = value;
    }

    private new TimeSpan ExpirationBuffer => base.ExpirationBuffer;

    /// <summary>
    /// The current keys together with their own expiration, renewed first when the renewal window
    /// is reached. Reading the keys and <see cref="Expiration"/> one after the other could pair old
    /// keys with a renewal's later expiry; this cannot.
    /// </summary>
    internal async Task<SessionCredentials> CurrentAsync()
    {
        await GetCredentialsAsync().ConfigureAwait(false);
        return _current;
    }

    /// <inheritdoc />
    protected override CredentialsRefreshState GenerateNewCredentials() =>
        GenerateNewCredentialsAsync().GetAwaiter().GetResult();

    /// <inheritdoc />
    protected override async Task<CredentialsRefreshState> GenerateNewCredentialsAsync()
    {
        // Ask for credentials that outlive the renewal window, or the SDK would ask again at once.
        var renewed = await _renew(_renewalWindow + CachedCredentials.ExpiryMargin, CancellationToken.None).ConfigureAwait(false);
        _current = renewed;
        Interlocked.Increment(ref _renewals);
        return StateOf(renewed, fresh: true);
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var current = _current;
        var expires = current.ExpirationUtc is DateTime e ? $" expires {ShownTime.Of(e)}" : string.Empty;
        return $"{AccountId} {Region} via {current.Chain}{(current.RoleArn is null ? string.Empty : " as " + current.RoleArn)}{expires} key {SecretText.MaskAccessKeyId(current.Credentials.AccessKey)}";
    }

    // The SDK renews when the state's expiration has passed, so the renewal window goes into it.
    // Credentials just obtained get at most half their lifetime as window: a window wider than the
    // lifetime STS grants would have them renewed on every use (the SDK refuses such a state).
    private CredentialsRefreshState StateOf(SessionCredentials credentials, bool fresh)
    {
        if (credentials.ExpirationUtc is not DateTime expiration)
        {
            return new(credentials.Credentials.Copy(), DateTime.MaxValue);
        }

        var window = _renewalWindow;
        if (fresh)
        {
            var halfLife = TimeSpan.FromTicks(Math.Max(0, (expiration - DateTime.UtcNow).Ticks / 2));
            window = window < halfLife ? window : halfLife;
        }

        return new(credentials.Credentials.Copy(), expiration - window);
    }
}
