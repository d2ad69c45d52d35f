using System.Text.RegularExpressions;

namespace Altimeter.Auth;

/// <summary>
/// The shapes IAM and STS accept for the names an accessor carries. Checked when an accessor
/// is built so that a typo fails at load time, naming the file and the step, instead of
/// hours later as an STS ValidationError in the middle of a scan.
/// </summary>
internal static class IamIdentifiers
{
    // AWS's patterns are ASCII: its \w is [A-Za-z0-9_], while .NET's is any Unicode letter or
    // digit. And .NET's $ also matches before a final newline: whole strings are \A…\z.
    internal const string WordCharacters = "A-Za-z0-9_";

    private static readonly Regex s_accountId = new(@"\A[0-9]{12}\z", RegexOptions.CultureInvariant);

    // IAM role names: 1-64 characters of [\w+=,.@-] (IAM API reference, CreateRole).
    private static readonly Regex s_roleName = new($@"\A[{WordCharacters}+=,.@-]{{1,64}}\z", RegexOptions.CultureInvariant);

    // RoleSessionName: 2-64 characters of [\w+=,.@-] (STS API reference, AssumeRole).
    private static readonly Regex s_roleSessionName = new($@"\A[{WordCharacters}+=,.@-]{{2,64}}\z", RegexOptions.CultureInvariant);

    // ExternalId: 2-1224 characters of [\w+=,.@:/-] (STS API reference, AssumeRole).
    private static readonly Regex s_externalId = new($@"\A[{WordCharacters}+=,.@:/-]{{2,1224}}\z", RegexOptions.CultureInvariant);

    // Permission set names: 1-32 characters of [\w+=,.@-] (IAM Identity Center API reference, CreatePermissionSet).
    private static readonly Regex s_permissionSetName = new($@"\A[{WordCharacters}+=,.@-]{{1,32}}\z", RegexOptions.CultureInvariant);

    /// <summary>True when <paramref name="value"/> is a 12-digit AWS account id.</summary>
    public static bool IsAccountId(string? value) => value is not null && s_accountId.IsMatch(value);

    /// <summary>True when <paramref name="value"/> is a valid IAM role name.</summary>
    public static bool IsRoleName(string? value) => value is not null && s_roleName.IsMatch(value);

    /// <summary>True when <paramref name="value"/> is a valid IAM Identity Center permission set name.</summary>
    public static bool IsPermissionSetName(string? value) => value is not null && s_permissionSetName.IsMatch(value);

    /// <summary>True when <paramref name="value"/> is a valid STS role session name.</summary>
    public static bool IsRoleSessionName(string? value) => value is not null && s_roleSessionName.IsMatch(value);

    /// <summary>True when <paramref name="value"/> is a valid STS external id.</summary>
    public static bool IsExternalId(string? value) => value is not null && s_externalId.IsMatch(value);

    /// <summary>Throws <see cref="InvalidAccountIdException"/> unless <paramref name="accountId"/> is 12 digits.</summary>
    public static string RequireAccountId(string? accountId)
    {
        if (!IsAccountId(accountId))
        {
            throw new InvalidAccountIdException(accountId);
        }

        return accountId!;
    }
}
