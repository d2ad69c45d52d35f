using System;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;

namespace Altimeter.Auth;

/// <summary>How <see cref="Accessor.GetSessionAsync(string, SessionOptions?, System.Threading.CancellationToken)"/> reaches STS and where chains start.</summary>
public sealed class SessionOptions
{
    /// <summary>Region of the session; null: <see cref="AwsRegion.Resolve"/>.</summary>
    public string? Region { get; set; }

    /// <summary>Credentials the chains start from; wins over <see cref="ProfileName"/>.</summary>
    public AWSCredentials? SourceCredentials { get; set; }

    /// <summary>Profile the chains start from; null: the SDK's default credential chain.</summary>
    public string? ProfileName { get; set; }

    /// <summary>The STS to call; null: the AWS SDK's.</summary>
    internal ISecurityTokenService? Sts { get; set; }

    /// <summary>
    /// The MFA code for a device serial (steps with mfa_serial), asked for only when such a hop is
    /// really assumed (not when it is cached). A person may be typing it: the task completes when
    /// the code is there, and no thread waits meanwhile. Null, or a null answer: none available.
    /// The token is cancelled when nobody waits for the code any more.
    /// </summary>
    public Func<string, CancellationToken, Task<string?>>? MfaTokenCode { get; set; }

    /// <summary>False: no MFA session, a code per AssumeRole that needs one (see <see cref="ChainContext.UseMfaSession"/>); default true.</summary>
    public bool UseMfaSession { get; set; } = true;

    /// <summary>Where progress is told; null: nowhere.</summary>
    public IAuthLog? Log { get; set; }

    /// <summary>Where the region came from, once resolved here (<c>AWS_REGION</c>, …); null when it was given or not resolved.</summary>
    internal string? RegionSource { get; private set; }

    /// <summary>Where the source credentials came from, once resolved here (<c>profile 'x'</c>, …); null when they were given or not resolved.</summary>
    internal string? CredentialSource { get; private set; }

    /// <summary>The same options, telling <paramref name="log"/>.</summary>
    public SessionOptions WithLog(IAuthLog? log) => new()
    {
        Region = Region,
        SourceCredentials = SourceCredentials,
        ProfileName = ProfileName,
        Sts = Sts,
        MfaTokenCode = MfaTokenCode,
        UseMfaSession = UseMfaSession,
        Log = log,
        RegionSource = RegionSource,
        CredentialSource = CredentialSource,
    };

    /// <summary>
    /// The same options with <see cref="Region"/> and <see cref="SourceCredentials"/> decided, once
    /// for every session asked for with them: the region given, else <paramref name="shellDefaultRegion"/>,
    /// else the environment and profile (<see cref="AwsRegion.Resolve"/>); the credentials given,
    /// else <see cref="ProfileName"/>'s, else the SDK's default chain (<see cref="SourceCredentialResolver"/>).
    /// Read from the environment as it is outside another flow's Invoke-AltimeterCommand block,
    /// which holds its own session's keys and region there while it runs.
    /// </summary>
    /// <param name="shellDefaultRegion">The shell's default region (AWS Tools' Set-DefaultAWSRegion), if any.</param>
    /// <param name="waiting">Called once, before waiting, when such a block holds the environment.</param>
    /// <param name="cancellationToken">Stops that wait.</param>
    /// <exception cref="InvalidRegionException">The region found is not a region name.</exception>
    /// <exception cref="NoSourceCredentialsException">There are no credentials to start from.</exception>
    public SessionOptions WithStartResolved(string? shellDefaultRegion = null, Action? waiting = null, CancellationToken cancellationToken = default)
    {
        if (StartIsResolved)
        {
            return this;
        }

        var resolved = WithLog(Log);
        (resolved.Region, resolved.RegionSource, resolved.SourceCredentials, resolved.CredentialSource) = AwsEnvironmentLease.Read(() => ReadStart(shellDefaultRegion), waiting, cancellationToken);
        return resolved;
    }

    /// <summary>As <see cref="WithStartResolved"/>, without blocking a thread while another flow holds the environment.</summary>
    internal async ValueTask<SessionOptions> WithStartResolvedAsync(CancellationToken cancellationToken)
    {
        if (StartIsResolved)
        {
            return this;
        }

        var resolved = WithLog(Log);
        (resolved.Region, resolved.RegionSource, resolved.SourceCredentials, resolved.CredentialSource) = await AwsEnvironmentLease.ReadAsync(() => ReadStart(shellDefaultRegion: null), cancellationToken: cancellationToken).ConfigureAwait(false);
        return resolved;
    }

    // Both given (or decided before): resolving would return them as they are, so the environment is not read again.
    private bool StartIsResolved => SourceCredentials is not null && AwsRegion.IsWellFormed(Region);

    private (string Region, string RegionSource, AWSCredentials Source, string? CredentialSource) ReadStart(string? shellDefaultRegion)
    {
        var (region, regionSource) = AwsRegion.ResolveDescribed(Region, ProfileName, shellDefaultRegion);
        if (SourceCredentials is not null)
        {
            return (region, regionSource, SourceCredentials, CredentialSource);
        }

        var (credentials, credentialSource) = SourceCredentialResolver.ResolveDescribed(ProfileName);
        return (region, regionSource, credentials, credentialSource);
    }
}
