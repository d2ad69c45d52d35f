using System;
using Amazon.Runtime;

namespace Altimeter.Auth;

/// <summary>
/// One issue of a session's credentials: the keys, until when, and how they were obtained — what a
/// chain walk ends with and what a session holds. The credentials take three shapes on the way:
/// <see cref="AssumedRole"/> (STS's answer: the keys and whose they are, checked by the walk),
/// <see cref="CachedCredentials"/> (a hop as the cache keeps it) and this.
/// </summary>
internal sealed class SessionCredentials
{
    public SessionCredentials(ImmutableCredentials credentials, DateTime? expirationUtc, string chain, string? roleArn, bool? roleChained = null)
    {
        Credentials = credentials;
        // The renewal's arithmetic and the views take it as UTC: a time of another kind (from a
        // source's SDK credentials in local mode) is made one.
        ExpirationUtc = expirationUtc is DateTime e && e.Kind != DateTimeKind.Utc
            ? (e.Kind == DateTimeKind.Local ? e.ToUniversalTime() : DateTime.SpecifyKind(e, DateTimeKind.Utc))
            : expirationUtc;
        Chain = chain;
        RoleArn = roleArn;
        RoleChained = roleChained;
    }

    public ImmutableCredentials Credentials { get; }

    /// <summary>Null when the credentials do not expire (long-term keys in local mode).</summary>
    public DateTime? ExpirationUtc { get; }

    public string Chain { get; }

    public string? RoleArn { get; }

    /// <summary>
    /// Whether the last hop was signed with temporary credentials (another role's, Identity
    /// Center's, a session token's): AWS calls that role chaining and limits what the credentials
    /// may do (one hour at most; no SessionDuration on a console sign-in token). Null when not
    /// known (local mode).
    /// </summary>
    public bool? RoleChained { get; }
}
