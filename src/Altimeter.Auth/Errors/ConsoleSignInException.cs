using System;

namespace Altimeter.Auth;

/// <summary>
/// A console sign-in URL could not be made, or not opened. <see cref="AltimeterAuthException.ErrorId"/>
/// says which of the constants below; the message names the account, the endpoint (never its
/// query) and AWS's answer, never a key, a token or the URL.
/// </summary>
public sealed class ConsoleSignInException : AltimeterAuthException
{
    /// <summary>The session holds long-term keys (an IAM user's, in local mode): AWS gives sign-in tokens for temporary credentials only.</summary>
    public const string NeedsSessionToken = "ConsoleSignInNeedsSessionToken";

    /// <summary>SessionDuration was asked for credentials of a role reached by role chaining, which AWS refuses.</summary>
    public const string SessionDurationNotAllowed = "ConsoleSessionDurationNotAllowed";

    /// <summary>The session's partition has no public federation endpoint this module knows (aws-iso*, aws-eusc) and none was configured.</summary>
    public const string PartitionUnsupported = "ConsoleSignInPartitionUnsupported";

    /// <summary>AWS_ENDPOINT_URL_SIGNIN is not an https URL (or http on a loopback address).</summary>
    public const string EndpointInvalid = "SignInEndpointInvalid";

    /// <summary>The destination is neither an https URL nor a path of the console.</summary>
    public const string DestinationInvalid = "ConsoleDestinationInvalid";

    /// <summary>The federation endpoint answered with an error status.</summary>
    public const string Refused = "FederationRequestRefused";

    /// <summary>The federation endpoint could not be reached or did not answer in time.</summary>
    public const string Unreachable = "FederationEndpointUnreachable";

    /// <summary>The federation endpoint answered 200 without a usable SigninToken.</summary>
    public const string AnswerInvalid = "FederationAnswerInvalid";

    /// <summary>No program to open a browser with (xdg-open, open) was found.</summary>
    public const string BrowserUnavailable = "BrowserUnavailable";

    /// <summary>The program that opens the browser failed at once.</summary>
    public const string BrowserFailed = "BrowserFailed";

    private readonly string _errorId;

    /// <summary>Creates the error.</summary>
    public ConsoleSignInException(string errorId, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        _errorId = errorId;
    }

    /// <summary>The HTTP status the federation endpoint answered with, for <see cref="Refused"/>.</summary>
    public int? StatusCode { get; internal set; }

    /// <inheritdoc />
    public override string ErrorId => _errorId;
}
