using System;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;
using Amazon.SSO;
using Amazon.SSO.Model;

namespace Altimeter.Auth;

/// <summary>
/// The role credentials of a permission set in an account, from the IAM Identity Center portal
/// (GetRoleCredentials, as <c>aws sso get-role-credentials</c> and an Identity Center profile get
/// them), with the token the sign-in left, read and refreshed as the sources and
/// <see cref="IdentityCenterAccounts"/> read it (<see cref="IdentityCenterAccessToken"/>). The
/// SDK's SSO client retries throttling (429 TooManyRequestsException) and server errors.
/// </summary>
/// <remarks>
/// Followed: docs.aws.amazon.com/singlesignon/latest/PortalAPIReference/API_GetRoleCredentials.html
/// (errors: 401 UnauthorizedException for a refused token, 429 TooManyRequestsException, 400
/// InvalidRequestException, 404 ResourceNotFoundException). A role that is not the person's in that
/// account is 403 <c>ForbiddenException</c> "No access", which the service model does not list (so the
/// SDK has no type for it): as the AWS CLI and Go SDK report it, e.g. fwdcloudsec/granted#276
/// ("StatusCode: 403 … api error ForbiddenException: No access") and aws/aws-cli#7871.
/// </remarks>
internal sealed class IdentityCenterRoleCredentials
{
    private readonly IAmazonSSO _sso;
    private readonly Func<CancellationToken, Task<string>> _accessToken;

    /// <summary>The portal's role credentials through the process's SSO client of its region, with its token from ~/.aws/sso/cache.</summary>
    public IdentityCenterRoleCredentials(IdentityCenterPortal portal)
        : this(portal, ProcessCaches.Sso(portal.Region), new IdentityCenterAccessToken(portal).GetAsync)
    {
    }

    internal IdentityCenterRoleCredentials(IdentityCenterPortal portal, IAmazonSSO sso, Func<CancellationToken, Task<string>> accessToken)
    {
        Portal = portal ?? throw new ArgumentNullException(nameof(portal));
        _sso = sso ?? throw new ArgumentNullException(nameof(sso));
        _accessToken = accessToken ?? throw new ArgumentNullException(nameof(accessToken));
    }

    /// <summary>The portal asked.</summary>
    public IdentityCenterPortal Portal { get; }

    /// <summary>The person's access token, refreshed first when it expires soon.</summary>
    /// <exception cref="SsoSignInRequiredException">No usable token.</exception>
    /// <exception cref="SsoSignInException">The token could not be refreshed, or the token cache cannot be used.</exception>
    public Task<string> AccessTokenAsync(CancellationToken cancellationToken) => _accessToken(cancellationToken);

    /// <summary>GetRoleCredentials of <paramref name="permissionSetName"/> in <paramref name="accountId"/>.</summary>
    /// <exception cref="IdentityCenterRoleNotAssignedException">403: the role is not the person's in that account.</exception>
    /// <exception cref="SsoSignInRequiredException">401: the portal refused the token.</exception>
    /// <exception cref="SsoPortalCallException">Any other failure, after the SDK's retries.</exception>
    public async Task<CachedCredentials> GetAsync(string accessToken, string accountId, string permissionSetName, CancellationToken cancellationToken)
    {
        try
        {
            var answer = await _sso.GetRoleCredentialsAsync(
                new GetRoleCredentialsRequest { AccessToken = accessToken, AccountId = accountId, RoleName = permissionSetName },
                cancellationToken).ConfigureAwait(false);
            var role = answer.RoleCredentials;
            if (role is null || string.IsNullOrEmpty(role.AccessKeyId) || string.IsNullOrEmpty(role.SecretAccessKey) || role.Expiration is not long expiration)
            {
                throw new SsoPortalCallException($"The IAM Identity Center portal of {Portal} ({Portal.StartUrl}) answered GetRoleCredentials of {permissionSetName} in account {accountId} without credentials.");
            }

            return new CachedCredentials(role.AccessKeyId, role.SecretAccessKey, role.SessionToken, DateTimeOffset.FromUnixTimeMilliseconds(expiration));
        }
        catch (AmazonServiceException e) when (e.StatusCode == HttpStatusCode.Forbidden && e.ErrorCode == "ForbiddenException")
        {
            throw new IdentityCenterRoleNotAssignedException(permissionSetName, accountId, Portal.ToString(), e);
        }
        catch (UnauthorizedException e)
        {
            throw new SsoSignInRequiredException(Portal, e);
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException)
        {
            var status = e is AmazonServiceException { StatusCode: var code } service && code != 0 ? $" ({(int)code} {service.ErrorCode})" : string.Empty;
            throw new SsoPortalCallException($"The IAM Identity Center portal of {Portal} ({Portal.StartUrl}) failed GetRoleCredentials of {permissionSetName} in account {accountId}{status}: {e.Message}", e);
        }
    }
}
