namespace Altimeter.Auth;

/// <summary>
/// STS handed back credentials for the right account but not for the role asked for: another
/// partition, another service, not an assumed role, another role or another session name.
/// Such credentials are never cached nor returned. (Another account is <see cref="AccountMismatchException"/>.)
/// </summary>
public sealed class AssumedRoleMismatchException : AltimeterAuthException
{
    /// <summary>Creates the error.</summary>
    public AssumedRoleMismatchException(string expectedArn, string? actualArn, string what)
        : base($"{what} are for {actualArn ?? "(no ARN)"}, not {expectedArn}.")
    {
        ExpectedArn = expectedArn;
        ActualArn = actualArn;
    }

    /// <summary>The assumed-role ARN asked for.</summary>
    public string ExpectedArn { get; }

    /// <summary>The ARN STS answered with.</summary>
    public string? ActualArn { get; }

    /// <inheritdoc />
    public override string ErrorId => "AssumedRoleMismatch";
}
