using System;
using System.Text.RegularExpressions;

namespace Altimeter.Auth;

/// <summary>
/// Which environment variables an external-id template may read. The rendered external id goes
/// to STS in an AssumeRole for a role the file's author picks, and STS logs it in that role's
/// account: a template that could read <c>AWS_SECRET_ACCESS_KEY</c> would hand the source secret
/// to whoever wrote the file. So credentials, the module's own settings and anything named like a
/// secret are refused; what users write (<c>EXTERNAL_ID</c>, <c>HUB_EXTERNAL_ID</c>, <c>TEST_EXT_ID</c>) passes.
/// </summary>
internal static class ExternalIdVariablePolicy
{
    // Substrings of names that hold secrets by convention, matched case-insensitively.
    private static readonly string[] s_secretWords =
    {
        "SECRET", "TOKEN", "PASSWORD", "PASSWD", "PASSPHRASE", "CREDENTIAL", "PRIVATE", "KEY", "AUTH", "COOKIE", "SESSION",
    };

    // ALTIMETER_* is the module's own namespace (cache directory, test settings); only names that
    // say they hold an external id (ALTIMETER_EXTERNAL_ID, ALTIMETER_HUB_EXT_ID) are external ids.
    private static readonly Regex s_altimeterExternalId = new(
        @"\AALTIMETER(?:_[A-Z0-9]+)*?_(?:EXTERNAL|EXT)_ID\z",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

    /// <summary>Why a template may not read <paramref name="name"/>, or null when it may.</summary>
    public static string? RefusalReason(string name)
    {
        if (name is null) throw new ArgumentNullException(nameof(name));
        if (name.StartsWith("AWS_", StringComparison.OrdinalIgnoreCase))
        {
            return "AWS_* variables hold the AWS credentials and settings";
        }

        foreach (var word in s_secretWords)
        {
            if (name.IndexOf(word, StringComparison.OrdinalIgnoreCase) >= 0)
            {
                return $"its name contains '{word}', so it may hold a secret";
            }
        }

        if (name.StartsWith("ALTIMETER_", StringComparison.OrdinalIgnoreCase) && !s_altimeterExternalId.IsMatch(name))
        {
            return "ALTIMETER_* variables are the module's own settings; only ALTIMETER_EXTERNAL_ID or ALTIMETER_<NAME>_EXTERNAL_ID (or _EXT_ID) may be read";
        }

        return null;
    }

    /// <summary>Throws <see cref="AccessorDefinitionException"/> (<see cref="AccessorDefinitionException.VariableRefused"/>) when a template may not read <paramref name="name"/>.</summary>
    public static void Require(string name)
    {
        var reason = RefusalReason(name);
        if (reason is not null)
        {
            throw new AccessorDefinitionException(
                AccessorDefinitionException.VariableRefused,
                $"external_id may not read environment variable '{name}': {reason}. An external id is sent to the role's account and logged there; put it in a variable of its own (like HUB_EXTERNAL_ID).");
        }
    }
}
