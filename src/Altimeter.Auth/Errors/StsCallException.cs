using System;

namespace Altimeter.Auth;

/// <summary>An STS call failed; names the role (or call) and STS's error code. The SDK's exception is the inner exception.</summary>
public sealed class StsCallException : AltimeterAuthException
{
    /// <summary>Creates the error.</summary>
    public StsCallException(string call, string? errorCode, string detail, Exception? innerException)
        : base($"{call} failed: {(errorCode is null ? string.Empty : errorCode + ": ")}{detail}", innerException)
    {
        Call = call;
        StsErrorCode = errorCode;
    }

    /// <summary>What was called, e.g. <c>AssumeRole arn:aws:iam::123456789012:role/Hub</c>.</summary>
    public string Call { get; }

    /// <summary>STS's error code (AccessDenied, Throttling, …) when it answered with one.</summary>
    public string? StsErrorCode { get; }

    /// <inheritdoc />
    public override string ErrorId => "StsCallFailed";
}
