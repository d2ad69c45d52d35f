using System;

namespace Altimeter.Auth;

/// <summary>
/// A finished sign-in: which portal, until when, and the token file the AWS CLI, the SDKs and
/// Get-AltimeterSession now read. The token itself is not in it.
/// </summary>
public sealed class SsoSignInResult
{
    internal SsoSignInResult(IdentityCenterPortal portal, DateTimeOffset expiresAt, string tokenFile)
    {
        ProfileName = portal.ProfileName;
        SsoSession = portal.SsoSessionName;
        StartUrl = portal.StartUrl;
        Region = portal.Region;
        ExpiresAt = expiresAt;
        TokenFile = tokenFile;
    }

    /// <summary>The profile signed in for; null when an sso-session was named.</summary>
    public string? ProfileName { get; }

    /// <summary>The sso-session; null for a legacy profile.</summary>
    public string? SsoSession { get; }

    /// <summary>The portal's start URL.</summary>
    public string StartUrl { get; }

    /// <summary>The region of the portal's OIDC service.</summary>
    public string Region { get; }

    /// <summary>When the access token expires (the SDKs refresh it after that, while the refresh token lasts).</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>The token file written (owner-only).</summary>
    public string TokenFile { get; }

    /// <inheritdoc />
    public override string ToString() => $"Signed in to {StartUrl} until {ShownTime.Of(ExpiresAt)}";
}
