using System;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;

namespace Altimeter.Auth;

/// <summary>What a chain walk needs: where it starts, which STS and cache it uses, where it reports.</summary>
internal sealed class ChainContext
{
    /// <summary>Creates the context.</summary>
    public ChainContext(ImmutableCredentials source, string region, ISecurityTokenService sts, CredentialsCache? cache, IAuthLog log, TimeSpan minimumLifetime = default, Func<string, CancellationToken, Task<string?>>? mfaTokenCode = null)
        : this(() => new ValueTask<ImmutableCredentials>(source ?? throw new ArgumentNullException(nameof(source))), region, sts, cache, log, minimumLifetime, mfaTokenCode)
    {
    }

    /// <summary>Creates the context whose source is read by the first chain that starts from it (an Identity Center role needs none).</summary>
    public ChainContext(Func<ValueTask<ImmutableCredentials>> readSource, string region, ISecurityTokenService sts, CredentialsCache? cache, IAuthLog log, TimeSpan minimumLifetime = default, Func<string, CancellationToken, Task<string?>>? mfaTokenCode = null)
    {
        MfaTokenCode = mfaTokenCode;
        MinimumLifetime = minimumLifetime;
        _readSource = readSource ?? throw new ArgumentNullException(nameof(readSource));
        Region = region;
        Partition = AwsPartition.ForRegion(region);
        Sts = sts;
        Cache = cache;
        Log = log;
    }

    private readonly Func<ValueTask<ImmutableCredentials>> _readSource;
    private ImmutableCredentials? _source;

    /// <summary>The credentials that sign the first hop of a chain that starts from them, read once per walk.</summary>
    public async ValueTask<ImmutableCredentials> SourceAsync() => _source ??= await _readSource().ConfigureAwait(false);

    /// <summary>Region of the STS calls and of the session.</summary>
    public string Region { get; }

    /// <summary>Partition of the role ARNs, from the region.</summary>
    public string Partition { get; }

    /// <summary>The STS to call.</summary>
    public ISecurityTokenService Sts { get; }

    /// <summary>The cache, or null when caching is off.</summary>
    public CredentialsCache? Cache { get; }

    /// <summary>The checked credentials the accessor's own file carried; null when it has none or caching is off.</summary>
    internal ImportedCredentials? Imported { get; set; }

    /// <summary>Cached hops with less time left than this are assumed again.</summary>
    public TimeSpan MinimumLifetime { get; }

    /// <summary>The MFA code for a device serial, or null when there is none (see <see cref="SessionOptions.MfaTokenCode"/>).</summary>
    public Func<string, CancellationToken, Task<string?>>? MfaTokenCode { get; }

    /// <summary>
    /// True (the default): a chain whose first step names an mfa_serial and that starts from an IAM
    /// user's long-term keys runs on one MFA session (GetSessionToken), cached like the hops, so one
    /// code serves every AssumeRole until it expires. False: a code per AssumeRole that needs one.
    /// </summary>
    public bool UseMfaSession { get; set; } = true;

    /// <summary>Where the walk reports.</summary>
    public IAuthLog Log { get; }
}
