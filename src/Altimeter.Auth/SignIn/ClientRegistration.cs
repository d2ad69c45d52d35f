using System;

namespace Altimeter.Auth;

/// <summary>
/// A client registered with SSO OIDC (RegisterClient): what StartDeviceAuthorization and CreateToken
/// are called as, and what the SDKs later refresh a token with. The secret never leaves the token
/// cache; <see cref="ToString"/> shows the id alone.
/// </summary>
internal sealed class ClientRegistration
{
    public ClientRegistration(string clientId, string clientSecret, DateTimeOffset expiresAt)
    {
        ClientId = clientId;
        ClientSecret = clientSecret;
        ExpiresAt = expiresAt;
    }

    public string ClientId { get; }

    public string ClientSecret { get; }

    /// <summary>When the client secret expires (RegisterClient's clientSecretExpiresAt).</summary>
    public DateTimeOffset ExpiresAt { get; }

    public override string ToString() => $"client {ClientId} (until {ShownTime.Of(ExpiresAt)})";
}
