using System;

namespace Altimeter.Auth;

/// <summary>What may be shown of a cache entry: whose credentials, until when. No secrets.</summary>
public sealed class CacheEntryInfo
{
    /// <summary>Creates the description.</summary>
    public CacheEntryInfo(string accountId, string roleName, string roleSessionName, DateTimeOffset expiration, bool isExpired, string maskedAccessKeyId)
    {
        AccountId = accountId;
        RoleName = roleName;
        RoleSessionName = roleSessionName;
        Expiration = expiration;
        IsExpired = isExpired;
        AccessKeyId = maskedAccessKeyId;
    }

    /// <summary>Account of the cached credentials.</summary>
    public string AccountId { get; }

    /// <summary>Role the credentials are for.</summary>
    public string RoleName { get; }

    /// <summary>Role session name.</summary>
    public string RoleSessionName { get; }

    /// <summary>Expiration of the credentials.</summary>
    public DateTimeOffset Expiration { get; }

    /// <summary>True when the entry is within the expiry margin.</summary>
    public bool IsExpired { get; }

    /// <summary>The access key id masked to its last four characters.</summary>
    public string AccessKeyId { get; }

    /// <summary>The cache key, <c>account:role:session_name</c>.</summary>
    public string Key => CredentialsCache.BuildKey(AccountId, RoleName, RoleSessionName);

    /// <inheritdoc />
    public override string ToString() => $"{Key} expires {Expiration.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}";
}
