namespace Altimeter.Auth;

/// <summary>
/// Reads the account out of the ARN that AssumeRole returns for the assumed-role user
/// (<c>arn:aws:sts::123456789012:assumed-role/Role/session</c>). It is the same fact
/// GetCallerIdentity would report, and AssumeRole already paid for it.
/// </summary>
public static class AssumedRoleArn
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

    /// <summary>
    /// True when <paramref name="arn"/> is exactly <c>arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION</c>
    /// for these values: the role name compared case-insensitively (IAM role names are unique
    /// regardless of case and STS may echo either), everything else exactly.
    /// </summary>
    public static bool Is(string? arn, string partition, string accountId, string roleName, string roleSessionName)
    {
        var prefix = $"arn:{partition}:sts::{accountId}:assumed-role/";
        if (arn is null || !arn.StartsWith(prefix, System.StringComparison.Ordinal))
        {
            return false;
        }

        // Neither a role name nor a session name may hold a '/': the first one ends the role.
        var resource = arn.Substring(prefix.Length);
        var slash = resource.IndexOf('/');
        return slash > 0
            && string.Equals(resource.Substring(0, slash), roleName, System.StringComparison.OrdinalIgnoreCase)
            && string.Equals(resource.Substring(slash + 1), roleSessionName, System.StringComparison.Ordinal);
    }
}
