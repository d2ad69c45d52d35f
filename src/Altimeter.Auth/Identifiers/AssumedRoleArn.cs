using System;

namespace Altimeter.Auth;

/// <summary>
/// The ARN that AssumeRole returns for the assumed-role user
/// (<c>arn:aws:sts::123456789012:assumed-role/Role/session</c>). It is the same fact
/// GetCallerIdentity would report, and AssumeRole already paid for it: a hop is accepted only
/// when it names exactly the partition, account, role and session asked for.
/// </summary>
internal static class AssumedRoleArn
{
    /// <summary>The account id in <paramref name="arn"/>, or null when it is not an ARN with one.</summary>
    public static string? AccountOf(string? arn)
    {
        if (arn is null)
        {
            return null;
        }

        // arn:partition:service:region:account:resource
        var parts = arn.Split(new[] { ':' }, 6);
        if (parts.Length < 6 || parts[0] != "arn")
        {
            return null;
        }

        return IamIdentifiers.IsAccountId(parts[4]) ? parts[4] : null;
    }

    /// <summary>The assumed-role ARN STS reports for <paramref name="roleName"/> assumed as <paramref name="roleSessionName"/>.</summary>
    public static string For(string partition, string accountId, string roleName, string roleSessionName) =>
        $"arn:{partition}:sts::{accountId}:assumed-role/{roleName}/{roleSessionName}";

    /// <summary>
    /// True when <paramref name="arn"/> is exactly the assumed-role ARN of that role and session:
    /// same partition, service <c>sts</c>, no region, same account, resource type
    /// <c>assumed-role</c>, same session name. The role name is compared without case, as IAM
    /// keeps role names unique without case (STS answers with the role's own spelling).
    /// </summary>
    public static bool IsFor(string? arn, string partition, string accountId, string roleName, string roleSessionName)
    {
        if (arn is null)
        {
            return false;
        }

        var prefix = $"arn:{partition}:sts::{accountId}:assumed-role/";
        var suffix = "/" + roleSessionName;
        return arn.Length == prefix.Length + roleName.Length + suffix.Length
            && arn.StartsWith(prefix, StringComparison.Ordinal)
            && arn.EndsWith(suffix, StringComparison.Ordinal)
            && string.Compare(arn, prefix.Length, roleName, 0, roleName.Length, StringComparison.OrdinalIgnoreCase) == 0;
    }

    /// <summary>The prefix of the IAM role IAM Identity Center makes in each account for a permission set: <c>AWSReservedSSO_&lt;name&gt;_</c>, then a hex suffix.</summary>
    public const string IdentityCenterRolePrefix = "AWSReservedSSO_";

    /// <summary>
    /// True when <paramref name="arn"/> is a session of the role IAM Identity Center made for the
    /// permission set <paramref name="permissionSetName"/> in that account:
    /// <c>arn:&lt;partition&gt;:sts::&lt;account&gt;:assumed-role/AWSReservedSSO_&lt;name&gt;_&lt;hex&gt;/&lt;session&gt;</c>.
    /// The session name is the person's user name, so any is taken; the role is exactly that
    /// permission set's (a longer name that starts the same has no hex suffix after it).
    /// </summary>
    public static bool IsIdentityCenterRoleSession(string? arn, string partition, string accountId, string permissionSetName)
    {
        var prefix = $"arn:{partition}:sts::{accountId}:assumed-role/{IdentityCenterRolePrefix}{permissionSetName}_";
        if (arn is null || !arn.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var slash = arn.IndexOf('/', prefix.Length);
        if (slash <= prefix.Length || slash == arn.Length - 1)
        {
            return false;
        }

        for (var i = prefix.Length; i < slash; i++)
        {
            if (!Uri.IsHexDigit(arn[i]))
            {
                return false;
            }
        }

        return arn.IndexOf('/', slash + 1) < 0;
    }
}
