using System;

namespace Altimeter.Auth;

/// <summary>
/// A profile could not be written to the AWS config file. <see cref="NotManaged"/> and
/// <see cref="NameInvalid"/> concern one profile (the others are still written);
/// <see cref="ConfigFileUnusable"/> stops the export, and the file is left as it was.
/// </summary>
public sealed class ProfileExportException : AltimeterAuthException
{
    /// <summary>A profile of that name is there and was not written by Export-AltimeterProfile: it is not replaced.</summary>
    public const string NotManaged = "ProfileNotManaged";

    /// <summary>The name the template gives is not one the AWS CLI reads as a profile name.</summary>
    public const string NameInvalid = "ProfileNameInvalid";

    /// <summary>The config file is a link or not a regular file, too large, or cannot be read or replaced.</summary>
    public const string ConfigFileUnusable = "ConfigFileUnusable";

    private readonly string _errorId;

    /// <summary>Creates the error.</summary>
    public ProfileExportException(string errorId, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        _errorId = errorId;
    }

    /// <inheritdoc />
    public override string ErrorId => _errorId;
}
