namespace Altimeter.Auth;

/// <summary>The end of a successful chain walk: the last hop's credentials and role.</summary>
public sealed class ChainResult
{
    /// <summary>Creates the result.</summary>
    public ChainResult(CachedCredentials credentials, string roleArn)
    {
        Credentials = credentials;
        RoleArn = roleArn;
    }

    /// <summary>Credentials of the last hop.</summary>
    public CachedCredentials Credentials { get; }

    /// <summary>ARN of the role of the last hop.</summary>
    public string RoleArn { get; }
}
