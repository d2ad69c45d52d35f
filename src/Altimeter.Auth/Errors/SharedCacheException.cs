using System;

namespace Altimeter.Auth;

/// <summary>
/// The shared credentials cache directory cannot be used. <see cref="Untrusted"/>: someone other
/// than the current user could have written its entries (another owner, a symbolic link, not a
/// directory), so nothing in it is read. <see cref="Unavailable"/>: it could not be created or opened.
/// The message names the directory.
/// </summary>
public sealed class SharedCacheException : AltimeterAuthException
{
    /// <summary>The directory belongs to someone else, is a symbolic link, or is not a directory.</summary>
    public const string Untrusted = "SharedCacheUntrusted";

    /// <summary>The directory could not be created, opened or made owner-only.</summary>
    public const string Unavailable = "SharedCacheUnavailable";

    private readonly string _errorId;

    /// <summary>Creates the error.</summary>
    public SharedCacheException(string errorId, string directory, string reason, Exception? innerException = null)
        : base($"The shared credentials cache '{directory}' {reason}", innerException)
    {
        _errorId = errorId;
        Directory = directory;
    }

    /// <summary>The directory named by ALTIMETER_CREDENTIAL_CACHE or -SharedCachePath.</summary>
    public string Directory { get; }

    /// <inheritdoc />
    public override string ErrorId => _errorId;
}
