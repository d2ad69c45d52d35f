using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;

namespace Altimeter.Auth;

/// <summary>
/// The two STS calls the engine makes. The real one goes through the AWS SDK
/// (<see cref="SdkSecurityTokenService"/>); tests put a capturing double in its place to see
/// what moto does not record.
/// </summary>
public interface ISecurityTokenService
{
    /// <summary>AssumeRole, signed with <paramref name="signer"/>.</summary>
    Task<AssumedRole> AssumeRoleAsync(ImmutableCredentials signer, RoleAssumption request, string region, CancellationToken cancellationToken);

    /// <summary>GetCallerIdentity: the account and the ARN <paramref name="credentials"/> belong to.</summary>
    Task<CallerIdentity> GetCallerIdentityAsync(ImmutableCredentials credentials, string region, CancellationToken cancellationToken);
}
