using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using Amazon;

namespace Altimeter.Auth.Commands;

/// <summary>
/// Tab completion of region names, from the regions the AWS SDK knows that the cmdlets accept (the
/// SDK also lists endpoint variants such as us-east-1-regional, which are not region names), with
/// their display names as tool tips.
/// </summary>
public sealed class RegionCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
        return RegionEndpoint.EnumerableAllRegions
            .Where(r => r.SystemName.StartsWith(prefix, System.StringComparison.OrdinalIgnoreCase) && AwsRegion.IsWellFormed(r.SystemName))
            .OrderBy(r => r.SystemName, System.StringComparer.Ordinal)
            .Select(r => new CompletionResult(r.SystemName, r.SystemName, CompletionResultType.ParameterValue, string.IsNullOrEmpty(r.DisplayName) ? r.SystemName : r.DisplayName));
    }
}
