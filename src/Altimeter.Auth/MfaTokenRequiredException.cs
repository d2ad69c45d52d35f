namespace Altimeter.Auth;

/// <summary>A step needs an MFA code and none was given (in a session that cannot be asked for one).</summary>
public sealed class MfaTokenRequiredException : AltimeterAuthException
{
    /// <summary>Creates the error.</summary>
    public MfaTokenRequiredException(string mfaSerial, string step)
        : base($"{step} needs an MFA code for {mfaSerial}: pass -TokenCode (a session that is not interactive cannot be asked for one).")
    {
        MfaSerial = mfaSerial;
    }

    /// <summary>The MFA device asked for.</summary>
    public string MfaSerial { get; }

    /// <inheritdoc />
    public override string ErrorId => "MfaTokenRequired";
}
