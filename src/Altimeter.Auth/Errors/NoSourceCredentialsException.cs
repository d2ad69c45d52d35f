using System;

namespace Altimeter.Auth;

/// <summary>
/// No credentials to start a chain from. Raised before any STS call: left to itself the SDK
/// reports this case as a missing SigV4a/CRT dependency, which sends people the wrong way.
/// </summary>
public class NoSourceCredentialsException : AltimeterAuthException
{
    /// <summary>Creates the error.</summary>
    public NoSourceCredentialsException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <inheritdoc />
    public override string ErrorId => "NoSourceCredentials";
}
