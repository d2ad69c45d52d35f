using System.Management.Automation;
using Altimeter.Auth;

namespace Altimeter.Auth.Commands;

/// <summary>
/// An MFA code as a parameter: 6 digits. ValidatePattern would show its regular expression to the
/// user; this says what a code is, as the prompt does.
/// </summary>
internal sealed class ValidateMfaCodeAttribute : ValidateArgumentsAttribute
{
    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        var code = arguments is PSObject wrapped ? wrapped.BaseObject : arguments;
        if (code is not string text || !MfaCodeQuestion.SixDigits.IsMatch(text))
        {
            throw new ValidationMetadataException("An MFA code is 6 digits, like 123456: the one your device shows now.");
        }
    }
}
