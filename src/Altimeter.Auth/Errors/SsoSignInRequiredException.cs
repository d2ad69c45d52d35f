using System;
using System.Net;
using Amazon.Runtime;

namespace Altimeter.Auth;

/// <summary>
/// The source is an IAM Identity Center (SSO) profile and there is no token to use: none in the
/// shared token cache (~/.aws/sso/cache), or one that expired and could not be refreshed, or one
/// the portal refused. Only signing in again helps, so this is said at once, with the command to
/// run. (The SDK never starts a sign-in here: a profile's SSO credentials have
/// SupportsGettingNewToken false and no verification callback, so nothing waits for a person.)
/// </summary>
public sealed class SsoSignInRequiredException : NoSourceCredentialsException
{
    /// <summary>Creates the error for <paramref name="source"/>.</summary>
    /// <param name="source">The Identity Center credentials that could not be read.</param>
    /// <param name="profileName">The profile they were read for; null: the SDK's default chain chose it (AWS_PROFILE, else default).</param>
    /// <param name="innerException">What the SDK or the portal said.</param>
    public SsoSignInRequiredException(SSOAWSCredentials source, string? profileName, Exception? innerException = null)
        : base(MessageFor(source ?? throw new ArgumentNullException(nameof(source)), ProfileInUse(profileName)), innerException)
    {
        ProfileName = ProfileInUse(profileName);
        SsoSessionName = string.IsNullOrEmpty(source.Options?.SessionName) ? null : source.Options!.SessionName;
        StartUrl = source.StartUrl;
    }

    /// <summary>Creates the error for the portal of a profile or sso-session whose token was to be used directly (listing accounts).</summary>
    internal SsoSignInRequiredException(IdentityCenterPortal portal, Exception? innerException = null)
        : base(MessageFor(portal ?? throw new ArgumentNullException(nameof(portal))), innerException)
    {
        ProfileName = portal.ProfileName;
        SsoSessionName = portal.SsoSessionName;
        StartUrl = portal.StartUrl;
    }

    /// <summary>The profile that names the Identity Center portal; null when an sso-session was named instead.</summary>
    public string? ProfileName { get; }

    /// <summary>The sso-session section the profile uses; null for a legacy profile with sso_start_url on it.</summary>
    public string? SsoSessionName { get; }

    /// <summary>The Identity Center portal's start URL.</summary>
    public string StartUrl { get; }

    /// <inheritdoc />
    public override string ErrorId => "SsoSignInRequired";

    /// <summary>
    /// Whether <paramref name="error"/>, raised reading Identity Center credentials, means "sign in
    /// again": the SDK's token manager reports a missing or expired token as an
    /// AmazonClientException, holding SSO OIDC's refusal when a refresh was refused (a revoked
    /// refresh token is 400 InvalidGrantException); the portal refuses a revoked access token with
    /// 401 UnauthorizedException. An unreachable or failing service is not a sign-in problem.
    /// </summary>
    internal static bool Explains(Exception error) => error switch
    {
        AmazonServiceException service => IsRefusal(service),
        AmazonClientException client => client.InnerException is null || (client.InnerException is AmazonServiceException inner && IsRefusal(inner)),
        _ => false,
    };

    private static bool IsRefusal(AmazonServiceException error) =>
        error.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden;

    private static string MessageFor(SSOAWSCredentials source, string profileName) =>
        $"The IAM Identity Center profile '{profileName}' ({source.StartUrl}) has no valid sign-in token in the token cache (~/.aws/sso/cache): "
        + "none was found, or it expired and could not be refreshed, or the portal refused it. "
        + $"Sign in, then run the command again: Invoke-AltimeterSsoLogin -ProfileName {profileName} (or: aws sso login --profile {profileName})";

    private static string MessageFor(IdentityCenterPortal portal)
    {
        var (login, cli) = portal.ProfileName is { } profile
            ? ($"-ProfileName {profile}", $"--profile {profile}")
            : ($"-SsoSession {portal.SsoSessionName}", $"--sso-session {portal.SsoSessionName}");
        return $"The IAM Identity Center {portal} ({portal.StartUrl}) has no valid sign-in token in the token cache (~/.aws/sso/cache): "
            + "none was found, or it expired and could not be refreshed, or the portal refused it. "
            + $"Sign in, then run the command again: Invoke-AltimeterSsoLogin {login} (or: aws sso login {cli})";
    }

    private static string ProfileInUse(string? profileName) =>
        !string.IsNullOrEmpty(profileName) ? profileName! : DefaultIdentityCenterProfile.Name;
}
