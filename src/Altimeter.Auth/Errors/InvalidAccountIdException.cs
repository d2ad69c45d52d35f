namespace Altimeter.Auth;

/// <summary>An account id asked for at call time is not 12 digits.</summary>
public sealed class InvalidAccountIdException : AltimeterAuthException
{
    /// <summary>Creates the error for <paramref name="accountId"/>.</summary>
    public InvalidAccountIdException(string? accountId)
        : base(string.IsNullOrWhiteSpace(accountId)
            ? "An account id is empty (a blank line in the input?): an account id is exactly 12 digits."
            : $"'{accountId}' is not an AWS account id: an account id is exactly 12 digits.")
    {
        AccountId = accountId;
    }

    /// <summary>The value that was given.</summary>
    public string? AccountId { get; }

    /// <inheritdoc />
    public override string ErrorId => "InvalidAccountId";
}
