using System;
using Amazon.Runtime;

namespace Altimeter.Auth;

/// <summary>One issue of a session's credentials: the keys, until when, and how they were obtained.</summary>
internal sealed class SessionCredentials
{
    public SessionCredentials(ImmutableCredentials credentials, DateTime? expirationUtc, string chain, string? roleArn, bool? roleChained = null)
    {
        Credentials = credentials;
        ExpirationUtc = expirationUtc;
        Chain = chain;
        RoleArn = roleArn;
        RoleChained = roleChained;
    }

    public ImmutableCredentials Credentials { get; }

    /// <summary>Null when the credentials do not expire (long-term keys in local mode).</summary>
    public DateTime? ExpirationUtc { get; }

    public string Chain { get; }

    public string? RoleArn { get; }

    /// <summary>Whether the last hop was signed with temporary credentials (<see cref="ChainResult.RoleChained"/>); null when not known (local mode).</summary>
    public bool? RoleChained { get; }
}
