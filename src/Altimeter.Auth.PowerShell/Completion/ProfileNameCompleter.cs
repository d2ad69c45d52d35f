using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Text.RegularExpressions;

namespace Altimeter.Auth.Commands;

/// <summary>Tab completion of -ProfileName from the profiles of the shared config and credentials files.</summary>
public sealed class ProfileNameCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        Complete(AwsProfileNames.List(), wordToComplete);

    /// <summary>The <paramref name="names"/> that start with what was typed (quotes aside), quoted where needed.</summary>
    internal static IEnumerable<CompletionResult> Complete(IEnumerable<string> names, string? wordToComplete)
    {
        var prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
        return names
            .Where(name => name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(name => new CompletionResult(QuoteIfNeeded(name), name, CompletionResultType.ParameterValue, name));
    }

    // Profile names come from files anyone may have edited: only a plain ASCII name goes in bare;
    // anything else is single-quoted with PowerShell's own escaping, which doubles every quote
    // character the parser takes for one (' and the typographic ‘ ’ ‚ ‛), so it stays one word.
    private static readonly Regex s_bare = new(@"\A[A-Za-z0-9_][A-Za-z0-9_.-]*\z", RegexOptions.CultureInvariant);

    internal static string QuoteIfNeeded(string name) =>
        s_bare.IsMatch(name) ? name : "'" + CodeGeneration.EscapeSingleQuotedStringContent(name) + "'";
}
