namespace Altimeter.Auth;

/// <summary>
/// STS handed back credentials for another account than the one asked for. Such credentials
/// are never cached nor returned.
/// </summary>
public sealed class AccountMismatchException : AltimeterAuthException
{
    /// <summary>Creates the error.</summary>
    public AccountMismatchException(string expectedAccountId, string? actualAccountId, string what)
        : base($"{what} belong to account {actualAccountId ?? "(unknown)"}, not {expectedAccountId}.")
    {
        ExpectedAccountId = expectedAccountId;
        ActualAccountId = actualAccountId;
    }

    /// <summary>The account asked for.</summary>
    public string ExpectedAccountId { get; }

    /// <summary>The account the credentials are for.</summary>
    public string? ActualAccountId { get; }

    /// <inheritdoc />
    public override string ErrorId => "AccountMismatch";
}
