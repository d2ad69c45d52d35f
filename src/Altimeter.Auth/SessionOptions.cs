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
    public ISecurityTokenService? Sts { get; set; }

    /// <summary>The MFA code for a device serial (steps with mfa_serial), asked for only when such a hop is really assumed (not when it is cached); it may block while a person types; null, or a null answer: none available.</summary>
    public System.Func<string, string?>? MfaTokenCode { get; set; }

    /// <summary>False: no MFA session, a code per AssumeRole that needs one (see <see cref="ChainContext.UseMfaSession"/>); default true.</summary>
    public bool UseMfaSession { get; set; } = true;

    /// <summary>Where progress is told; null: nowhere.</summary>
    public IAuthLog? Log { get; set; }

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
    };
}
