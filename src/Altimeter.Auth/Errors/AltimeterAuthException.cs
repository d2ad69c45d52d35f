using System;

namespace Altimeter.Auth;

/// <summary>
/// Base of every error the engine raises on purpose. <see cref="ErrorId"/> is stable: the
/// cmdlets use it as the FullyQualifiedErrorId of the ErrorRecord, and scripts may match it.
/// Messages never contain a secret access key or a session token.
/// </summary>
public abstract class AltimeterAuthException : Exception
{
    /// <summary>Creates the error.</summary>
    protected AltimeterAuthException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>Stable identifier of this kind of error.</summary>
    public abstract string ErrorId { get; }
}
