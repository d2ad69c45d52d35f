namespace Altimeter.Auth;

/// <summary>The end of a successful chain walk: the last hop's credentials and role.</summary>
public sealed class ChainResult
{
    /// <summary>Creates the result.</summary>
    public ChainResult(CachedCredentials credentials, string roleArn, bool roleChained = false)
    {
        Credentials = credentials;
        RoleArn = roleArn;
        RoleChained = roleChained;
    }

    /// <summary>Credentials of the last hop.</summary>
    public CachedCredentials Credentials { get; }

    /// <summary>ARN of the role of the last hop.</summary>
    public string RoleArn { get; }

    /// <summary>
    /// True when the last hop was signed with temporary credentials (another role's, Identity
    /// Center's, a session token's): AWS calls that role chaining and limits what the credentials
    /// may do (one hour at most; no SessionDuration on a console sign-in token).
    /// </summary>
    public bool RoleChained { get; }
}
