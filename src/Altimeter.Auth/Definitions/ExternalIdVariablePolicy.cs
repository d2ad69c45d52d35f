using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace Altimeter.Auth;

/// <summary>
/// Which environment variables an external-id template may read. The rendered external id goes
/// to STS in an AssumeRole for a role the file's author picks, and STS logs it in that role's
/// account: a template that could read <c>GH_PAT</c> or <c>DATABASE_URL</c> would hand it to whoever
/// wrote the file. A list of secret-looking names cannot know every secret, so a template reads
/// only what plainly is an external id (a name with an <c>EXTERNAL_ID</c> or <c>EXT_ID</c> part,
/// like <c>HUB_EXTERNAL_ID</c> or <c>TEST_EXT_ID</c>) or a name the user allows
/// (<see cref="AccessorLoadOptions.ExternalIdVariables"/>); everything else is refused.
/// <c>AWS_*</c> and the module's own <c>ALTIMETER_*</c> settings are refused even when allowed.
/// </summary>
internal sealed class ExternalIdVariablePolicy
{
    // EXTERNAL_ID or EXT_ID as whole parts of the name: CONTEXT_ID and NEXT_IDENTITY are not external ids.
    private static readonly Regex s_externalIdName = new(
        @"(?:\A|_)(?:EXTERNAL|EXT)_ID(?:_|\z)",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

    private readonly HashSet<string> _allowed;

    /// <summary>A policy that also allows <paramref name="allowed"/> (names the user vouches for).</summary>
    public ExternalIdVariablePolicy(IEnumerable<string>? allowed)
    {
        _allowed = new HashSet<string>((allowed ?? Enumerable.Empty<string>()).Where(name => !string.IsNullOrWhiteSpace(name)).Select(name => name.Trim()), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Only the names that plainly are external ids.</summary>
    public static ExternalIdVariablePolicy Default { get; } = new(null);

    /// <summary>Why a template may not read <paramref name="name"/>, or null when it may.</summary>
    public string? RefusalReason(string name)
    {
        if (name is null) throw new ArgumentNullException(nameof(name));
        if (name.StartsWith("AWS_", StringComparison.OrdinalIgnoreCase))
        {
            return "AWS_* variables hold the AWS credentials and settings, and are never read, even when allowed by name";
        }

        var externalIdName = s_externalIdName.IsMatch(name);
        if (name.StartsWith("ALTIMETER_", StringComparison.OrdinalIgnoreCase) && !externalIdName)
        {
            return "ALTIMETER_* variables are the module's own settings, and are never read, even when allowed by name; only ALTIMETER_EXTERNAL_ID or ALTIMETER_<NAME>_EXTERNAL_ID (or _EXT_ID) may be";
        }

        if (externalIdName || _allowed.Contains(name))
        {
            return null;
        }

        return "its name does not say it holds an external id (a name with an EXTERNAL_ID or EXT_ID part, like HUB_EXTERNAL_ID), and it was not allowed by name. "
            + $"If it does hold the external id, allow it: New-AltimeterAccessor -ExternalIdVariable {name} (AccessorLoadOptions.ExternalIdVariables)";
    }

    /// <summary>Throws <see cref="AccessorDefinitionException"/> (<see cref="AccessorDefinitionException.VariableRefused"/>) when a template may not read <paramref name="name"/>.</summary>
    public void Require(string name)
    {
        var reason = RefusalReason(name);
        if (reason is not null)
        {
            throw new AccessorDefinitionException(
                AccessorDefinitionException.VariableRefused,
                $"external_id may not read environment variable '{name}': {reason}. An external id is sent to the role's account and logged there, so a template reads only variables meant for it.");
        }
    }
}
