using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;
using Amazon.Runtime.Credentials.Internal;
using Amazon.Runtime.SharedInterfaces;
using Amazon.Util;
using Amazon.Util.Internal;

namespace Altimeter.Auth;

/// <summary>
/// The access token of a portal that a sign-in left in the token cache, as an Identity Center
/// source reads it: through the SDK's own token manager (the one SSOAWSCredentials uses), which
/// reads the cache file, refreshes an expiring token with its refresh token through SSO OIDC and
/// writes the refreshed token back. It never starts a sign-in (SupportsGettingNewToken is false):
/// no usable token is <see cref="SsoSignInRequiredException"/>, with the command to sign in.
/// </summary>
internal sealed class IdentityCenterAccessToken
{
    private readonly IdentityCenterPortal _portal;
    private readonly ISSOTokenManager _tokens;
    private readonly string _cacheDirectory;

    /// <summary>The token of <paramref name="portal"/> in ~/.aws/sso/cache, refreshed through the portal region's SSO OIDC.</summary>
    public IdentityCenterAccessToken(IdentityCenterPortal portal)
        : this(portal, (ICoreAmazonSSOOIDC)IdentityCenterSignIn.OidcClientFor(portal), SsoTokenCache.DefaultDirectory)
    {
    }

    internal IdentityCenterAccessToken(IdentityCenterPortal portal, ICoreAmazonSSOOIDC oidc, string cacheDirectory)
    {
        _portal = portal ?? throw new ArgumentNullException(nameof(portal));
        _cacheDirectory = cacheDirectory;
        _tokens = new SSOTokenManager(oidc, new SSOTokenFileCache(CryptoUtilFactory.CryptoInstance, new FileRetriever(), new DirectoryRetriever()));
    }

    /// <summary>The access token, refreshed first when it expires soon.</summary>
    /// <exception cref="SsoSignInRequiredException">No token, or one that expired and could not be refreshed.</exception>
    /// <exception cref="SsoSignInException"><see cref="SsoSignInException.Failed"/>: the token cache cannot be used, or SSO OIDC could not be reached.</exception>
    public async Task<string> GetAsync(CancellationToken cancellationToken)
    {
        // No cache, no token: nothing is created on the way to saying so.
        if (!System.IO.Directory.Exists(_cacheDirectory))
        {
            throw new SsoSignInRequiredException(_portal);
        }

        // Opened as the sign-in opens it before the SDK reads from it: a directory that is someone
        // else's, open to others' writes or a link is refused before any token in it is used.
        using var cache = SsoTokenCache.Open(_cacheDirectory);
        // And the token file itself, as the chains' sources check it: the SDK reads it by path.
        cache.RequireTrustedToken(_portal.TokenFileName, () => new SsoSignInRequiredException(_portal));
        try
        {
            var token = await _tokens.GetTokenAsync(
                new SSOTokenManagerGetTokenOptions
                {
                    StartUrl = _portal.StartUrl,
                    Region = _portal.Region,
                    Session = _portal.SsoSessionName,
                    CacheFolderLocation = cache.Directory,
                    SupportsGettingNewToken = false,
                },
                cancellationToken).ConfigureAwait(false);
            return token.AccessToken;
        }
        catch (Exception e) when (SsoSignInRequiredException.Explains(e))
        {
            throw new SsoSignInRequiredException(_portal, e);
        }
        catch (Exception e) when (e is AmazonClientException or AmazonServiceException or HttpRequestException)
        {
            throw new SsoSignInException(SsoSignInException.Failed, $"The sign-in token of {_portal} could not be refreshed: IAM Identity Center's SSO OIDC service ({_portal.Region}) failed: {e.Message}", e);
        }
    }
}
