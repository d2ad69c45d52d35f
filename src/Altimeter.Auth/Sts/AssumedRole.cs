namespace Altimeter.Auth;

/// <summary>What AssumeRole answered: the credentials and the assumed-role user's ARN.</summary>
internal sealed class AssumedRole
{
    /// <summary>Creates the answer.</summary>
    public AssumedRole(CachedCredentials credentials, string assumedRoleUserArn)
    {
        Credentials = credentials;
        AssumedRoleUserArn = assumedRoleUserArn;
    }

    /// <summary>The temporary credentials.</summary>
    public CachedCredentials Credentials { get; }

    /// <summary><c>arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION</c>: tells which account the credentials are for.</summary>
    public string AssumedRoleUserArn { get; }
}
