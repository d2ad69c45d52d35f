using System;

namespace Altimeter.Auth;

/// <summary>
/// A sign-in waiting for a person (StartDeviceAuthorization's answer): the page to open and the
/// code to confirm there. The device code it is polled with stays inside the engine.
/// </summary>
internal sealed class DeviceAuthorization
{
    internal DeviceAuthorization(IdentityCenterPortal portal, ClientRegistration client, string deviceCode, string userCode, string verificationUri, string verificationUriComplete, DateTimeOffset expiresAt, TimeSpan interval)
    {
        Portal = portal;
        Client = client;
        DeviceCode = deviceCode;
        UserCode = userCode;
        VerificationUri = verificationUri;
        VerificationUriComplete = verificationUriComplete;
        ExpiresAt = expiresAt;
        Interval = interval;
    }

    /// <summary>Where the sign-in is for.</summary>
    public IdentityCenterPortal Portal { get; }

    /// <summary>The code the person checks on the page.</summary>
    public string UserCode { get; }

    /// <summary>The page where the code is entered.</summary>
    public string VerificationUri { get; }

    /// <summary>The page with the code filled in: what a browser is opened at.</summary>
    public string VerificationUriComplete { get; }

    /// <summary>When the device code expires: the sign-in must be approved before.</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>How long to wait between polls, as the service asked.</summary>
    public TimeSpan Interval { get; }

    internal ClientRegistration Client { get; }

    internal string DeviceCode { get; }

    /// <inheritdoc />
    public override string ToString() => $"Sign-in to {Portal.StartUrl}: open {VerificationUriComplete} and confirm the code {UserCode}";
}
