namespace Altimeter.Auth;

/// <summary>A step needs an MFA code and none was given: no -TokenCode, and nobody could be asked or nobody answered.</summary>
public sealed class MfaTokenRequiredException : AltimeterAuthException
{
    /// <summary>Creates the error.</summary>
    public MfaTokenRequiredException(string mfaSerial, string step)
        : base($"{step} needs an MFA code for {mfaSerial} and none was given: pass -TokenCode, or answer the prompt (only an interactive session is asked).")
    {
        MfaSerial = mfaSerial;
    }

    /// <summary>The MFA device asked for.</summary>
    public string MfaSerial { get; }

    /// <inheritdoc />
    public override string ErrorId => "MfaTokenRequired";
}
