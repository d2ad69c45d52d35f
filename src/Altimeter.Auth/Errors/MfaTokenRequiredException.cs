using System.Linq;

namespace Altimeter.Auth;

/// <summary>A step needs an MFA code and none was given: no code came with the options, and nobody could be asked or nobody answered.</summary>
public sealed class MfaTokenRequiredException : AltimeterAuthException
{
    /// <summary>Creates the error.</summary>
    public MfaTokenRequiredException(string mfaSerial, string step)
        : base($"{step} needs an MFA code for {mfaSerial}, and none was given.")
    {
        MfaSerial = mfaSerial;
    }

    /// <summary>The MFA device asked for.</summary>
    public string MfaSerial { get; }

    /// <inheritdoc />
    public override string ErrorId => "MfaTokenRequired";

    /// <summary>True when <paramref name="error"/> is this error or an account's failure through it: the user can do something about it (give a code).</summary>
    internal static bool IsCauseOf(AltimeterAuthException error) =>
        error is MfaTokenRequiredException
        || (error is AccountAuthException account && account.Failures.Any(failure => failure.Error is MfaTokenRequiredException));
}
