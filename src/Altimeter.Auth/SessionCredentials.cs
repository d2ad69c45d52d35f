using System;
using Amazon.Runtime;

namespace Altimeter.Auth;

/// <summary>One issue of a session's credentials: the keys, until when, and how they were obtained.</summary>
internal sealed class SessionCredentials
{
    public SessionCredentials(ImmutableCredentials credentials, DateTime? expirationUtc, string chain, string? roleArn)
    {
        Credentials = credentials;
        ExpirationUtc = expirationUtc;
        Chain = chain;
        RoleArn = roleArn;
    }

    public ImmutableCredentials Credentials { get; }

    /// <summary>Null when the credentials do not expire (long-term keys in local mode).</summary>
    public DateTime? ExpirationUtc { get; }

    public string Chain { get; }

    public string? RoleArn { get; }
}
