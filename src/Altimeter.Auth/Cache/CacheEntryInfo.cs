using System;

namespace Altimeter.Auth;

/// <summary>What may be shown of a cache entry: whose credentials, until when. No secrets.</summary>
public sealed class CacheEntryInfo
{
    internal CacheEntryInfo(CacheKey key, DateTimeOffset expiration, bool isExpired, string maskedAccessKeyId, string? sharedCachePath)
    {
        CacheKey = key;
        Expiration = expiration;
        IsExpired = isExpired;
        AccessKeyId = maskedAccessKeyId;
        SharedCachePath = sharedCachePath;
    }

    // The parts travel together; the text form is made when shown.
    internal CacheKey CacheKey { get; }

    /// <summary>Account of the cached credentials.</summary>
    public string AccountId => CacheKey.AccountId;

    /// <summary>Role the credentials are for.</summary>
    public string RoleName => CacheKey.RoleName;

    /// <summary>Role session name.</summary>
    public string RoleSessionName => CacheKey.RoleSessionName;

    /// <summary>Expiration of the credentials.</summary>
    public DateTimeOffset Expiration { get; }

    /// <summary>True when the entry is within the expiry margin.</summary>
    public bool IsExpired { get; }

    /// <summary>The access key id masked to its last four characters.</summary>
    public string AccessKeyId { get; }

    /// <summary>The cache key, <c>account:role:session_name</c>.</summary>
    public string Key => CacheKey.ToString();

    /// <summary>The directory of the shared store the entry is kept in too (ALTIMETER_CREDENTIAL_CACHE or -SharedCachePath); null: this process's memory only.</summary>
    public string? SharedCachePath { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Key} expires {ShownTime.Of(Expiration)}";
}
