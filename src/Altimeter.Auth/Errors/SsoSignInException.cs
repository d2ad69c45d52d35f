using System;

namespace Altimeter.Auth;

/// <summary>
/// Signing in to IAM Identity Center (the device-authorization flow of Invoke-AltimeterSsoLogin)
/// did not give a token. <see cref="ErrorId"/> says why; the message says what to do. Messages
/// never contain the access token, the refresh token, the device code or the client secret.
/// </summary>
public sealed class SsoSignInException : AltimeterAuthException
{
    /// <summary>The profile or sso-session is missing, is not an Identity Center one, or lacks its start URL or region.</summary>
    public const string ConfigurationInvalid = "SsoConfigurationInvalid";

    /// <summary>Nobody can be asked to approve the sign-in (-NonInteractive, no terminal): it is refused before any call.</summary>
    public const string NotInteractive = "SsoSignInNotInteractive";

    /// <summary>The device code expired before the sign-in was approved (SSO OIDC's expired_token, or its expiresIn passed).</summary>
    public const string AuthorizationExpired = "SsoAuthorizationExpired";

    /// <summary>The person denied the sign-in in the browser (SSO OIDC's access_denied).</summary>
    public const string AccessDenied = "SsoAccessDenied";

    /// <summary>The token cache, or a directory above it up to the home directory, belongs to someone else or others may write it (<see cref="SsoTokenCacheUntrustedException"/>).</summary>
    public const string CacheUntrusted = SsoTokenCacheUntrustedException.Id;

    /// <summary>SSO OIDC failed or could not be reached, or the token could not be written.</summary>
    public const string Failed = "SsoSignInFailed";

    private readonly string _errorId;

    /// <summary>Creates the error.</summary>
    public SsoSignInException(string errorId, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        _errorId = errorId;
    }

    /// <inheritdoc />
    public override string ErrorId => _errorId;
}
