using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;

namespace Altimeter.Auth;

/// <summary>
/// The STS calls the engine makes. The real one goes through the AWS SDK
/// (<see cref="SdkSecurityTokenService"/>); tests put a capturing double in its place to see
/// what moto does not record.
/// </summary>
internal interface ISecurityTokenService
{
    /// <summary>AssumeRole, signed with <paramref name="signer"/>.</summary>
    Task<AssumedRole> AssumeRoleAsync(ImmutableCredentials signer, RoleAssumption request, string region, CancellationToken cancellationToken);

    /// <summary>
    /// GetSessionToken with an MFA device, signed with an IAM user's long-term keys: the MFA session
    /// whose calls AWS sees as MFA-authenticated (aws:MultiFactorAuthPresent). AWS takes
    /// <paramref name="durationSeconds"/> from 900 to 129600 for an IAM user.
    /// </summary>
    Task<CachedCredentials> GetSessionTokenAsync(ImmutableCredentials longTermKeys, string serialNumber, string tokenCode, int durationSeconds, string region, CancellationToken cancellationToken);

    /// <summary>GetCallerIdentity: the account and the ARN <paramref name="credentials"/> belong to.</summary>
    Task<CallerIdentity> GetCallerIdentityAsync(ImmutableCredentials credentials, string region, CancellationToken cancellationToken);
}
