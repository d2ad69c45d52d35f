using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace Altimeter.Auth.Commands;

/// <summary>Tab completion of -ProfileName from the profiles of the shared config and credentials files.</summary>
public sealed class ProfileNameCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
        return AwsProfileNames.List()
            .Where(name => name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(name => new CompletionResult(QuoteIfNeeded(name), name, CompletionResultType.ParameterValue, name));
    }

    private static string QuoteIfNeeded(string name) =>
        name.Any(c => char.IsWhiteSpace(c) || "'\"$`;(){}@&|,#".IndexOf(c) >= 0) ? "'" + name.Replace("'", "''") + "'" : name;
}
