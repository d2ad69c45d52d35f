using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace Altimeter.Auth.Commands;

/// <summary>Tab completion of account ids from the credentials cache: the accounts this shell has reached.</summary>
public sealed class CachedAccountIdCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
        IReadOnlyList<CacheEntryInfo> entries;
        try
        {
            entries = ProcessCaches.All.SelectMany(cache => cache.List()).ToList();
        }
        catch (SharedCacheException)
        {
            // Tab completion has no way to show an error; the command itself reports it.
            return Enumerable.Empty<CompletionResult>();
        }

        return entries
            .Where(e => e.AccountId.StartsWith(prefix, System.StringComparison.Ordinal))
            .GroupBy(e => e.AccountId)
            .OrderBy(g => g.Key, System.StringComparer.Ordinal)
            .Select(g => new CompletionResult(g.Key, g.Key, CompletionResultType.ParameterValue, string.Join(", ", g.Select(e => e.RoleName).Distinct())));
    }
}
