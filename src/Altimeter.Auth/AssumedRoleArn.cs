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
}
