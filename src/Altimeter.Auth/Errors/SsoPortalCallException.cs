using System;

namespace Altimeter.Auth;

/// <summary>
/// The IAM Identity Center portal failed a call with the person's token for another reason than
/// refusing the token (that is <see cref="SsoSignInRequiredException"/>): it could not be reached,
/// kept throttling after the SDK's retries, or answered with an error. The message names the
/// operation, the portal and the account when there is one; never the token.
/// </summary>
public sealed class SsoPortalCallException : AltimeterAuthException
{
    /// <summary>Creates the error.</summary>
    public SsoPortalCallException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <inheritdoc />
    public override string ErrorId => "SsoPortalCallFailed";
}
