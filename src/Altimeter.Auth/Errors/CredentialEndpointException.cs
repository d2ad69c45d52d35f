using System;

namespace Altimeter.Auth;

/// <summary>A credentials endpoint could not listen on the loopback address; the socket error is the inner exception.</summary>
public sealed class CredentialEndpointException : AltimeterAuthException
{
    /// <summary>Creates the error.</summary>
    public CredentialEndpointException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <inheritdoc />
    public override string ErrorId => "CredentialEndpointUnavailable";
}
