using System;
using Amazon.Runtime;

namespace Altimeter.Auth;

/// <summary>
/// One set of temporary credentials as the cache keeps them. Its text forms never show the
/// secret access key or the session token.
/// </summary>
public sealed class CachedCredentials
{
    /// <summary>Credentials count as expired from this long before their real expiration.</summary>
    public static readonly TimeSpan ExpiryMargin = TimeSpan.FromSeconds(60);

    /// <summary>Creates the record.</summary>
    public CachedCredentials(string accessKeyId, string secretAccessKey, string? sessionToken, DateTimeOffset expiration)
    {
        AccessKeyId = accessKeyId ?? throw new ArgumentNullException(nameof(accessKeyId));
        SecretAccessKey = secretAccessKey ?? throw new ArgumentNullException(nameof(secretAccessKey));
        SessionToken = sessionToken;
        Expiration = expiration;
        _immutable = new ImmutableCredentials(AccessKeyId, SecretAccessKey, SessionToken ?? string.Empty);
    }

    private readonly ImmutableCredentials _immutable;

    /// <summary>The access key id.</summary>
    public string AccessKeyId { get; }

    /// <summary>The secret access key. Never printed.</summary>
    public string SecretAccessKey { get; }

    /// <summary>The session token. Never printed.</summary>
    public string? SessionToken { get; }

    /// <summary>When AWS stops accepting these credentials.</summary>
    public DateTimeOffset Expiration { get; }

    /// <summary>True from <see cref="ExpiryMargin"/> before <see cref="Expiration"/>.</summary>
    public bool IsExpired(DateTimeOffset now) => now >= Expiration - ExpiryMargin;

    /// <summary>The SDK's form of these credentials (one instance: a cached hop signs the next without allocating).</summary>
    public ImmutableCredentials ToImmutableCredentials() => _immutable;

    /// <summary>Access key id masked to its last four characters, and the expiration.</summary>
    public override string ToString() =>
        $"{SecretText.MaskAccessKeyId(AccessKeyId)} expires {ShownTime.Of(Expiration)}";
}
