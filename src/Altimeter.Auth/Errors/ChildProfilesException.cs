using System;

namespace Altimeter.Auth;

/// <summary>
/// The copies of the shared config and credentials files that a block's children get (every
/// credential key taken out) could not be written, so the block does not run: its children would
/// otherwise find the user's own profiles before the session. The inner exception says why.
/// </summary>
public sealed class ChildProfilesException : AltimeterAuthException
{
    /// <summary>Creates the error.</summary>
    public ChildProfilesException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <inheritdoc />
    public override string ErrorId => "ChildProfilesUnavailable";
}
