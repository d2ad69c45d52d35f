using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace Altimeter.Auth.Commands;

/// <summary>Tab completion of -SsoSession from the <c>[sso-session NAME]</c> sections of the AWS config file.</summary>
public sealed class SsoSessionCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        ProfileNameCompleter.Complete(AwsProfileNames.SsoSessions(), wordToComplete);
}
