using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace Altimeter.Auth.Commands;

/// <summary>
/// Tab completion of -ProfileName of Invoke-AltimeterSsoLogin: only the config file's profiles that
/// sign in to IAM Identity Center, the ones the cmdlet accepts.
/// </summary>
public sealed class IdentityCenterProfileCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        ProfileNameCompleter.Complete(AwsProfileNames.IdentityCenterProfiles(), wordToComplete);
}
