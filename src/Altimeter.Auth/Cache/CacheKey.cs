using System;

namespace Altimeter.Auth;

/// <summary>
/// The key of a cached hop, <c>account:role:session_name</c>: the account the credentials are
/// for, the role and the role session name. The three travel together and are compared together
/// (ordinal); the text form is made only to be shown or written, and read back only by
/// <see cref="TryParse"/>. No part can hold a ':' (IAM forbids it in role and session names).
/// What an entry under the key is bound to (the signer's credentials, the external id, the
/// AssumeRole options) is not part of the key: it is checked on lookup (<see cref="CredentialsCache.Get"/>).
/// </summary>
public readonly struct CacheKey : IEquatable<CacheKey>
{
    /// <summary>The key of the session <paramref name="roleSessionName"/> of role <paramref name="roleName"/> in <paramref name="accountId"/>.</summary>
    public CacheKey(string accountId, string roleName, string roleSessionName)
    {
        AccountId = accountId ?? throw new ArgumentNullException(nameof(accountId));
        RoleName = roleName ?? throw new ArgumentNullException(nameof(roleName));
        RoleSessionName = roleSessionName ?? throw new ArgumentNullException(nameof(roleSessionName));
    }

    /// <summary>Account of the credentials, 12 digits.</summary>
    public string AccountId { get; }

    /// <summary>Role the credentials are for.</summary>
    public string RoleName { get; }

    /// <summary>Role session name of the credentials.</summary>
    public string RoleSessionName { get; }

    /// <summary>
    /// Reads <c>account:role:session_name</c> whose parts have the shapes IAM allows (a 12-digit
    /// account, a role name, a role session name); anything else is false.
    /// </summary>
    public static bool TryParse(string? text, out CacheKey key)
    {
        key = default;
        var parts = text?.Split(':');
        if (parts is not { Length: 3 } || !IamIdentifiers.IsAccountId(parts[0]) || !IamIdentifiers.IsRoleName(parts[1]) || !IamIdentifiers.IsRoleSessionName(parts[2]))
        {
            return false;
        }

        key = new CacheKey(parts[0], parts[1], parts[2]);
        return true;
    }

    /// <inheritdoc />
    public bool Equals(CacheKey other) =>
        string.Equals(AccountId, other.AccountId, StringComparison.Ordinal)
        && string.Equals(RoleName, other.RoleName, StringComparison.Ordinal)
        && string.Equals(RoleSessionName, other.RoleSessionName, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is CacheKey other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        unchecked
        {
            var hash = StringComparer.Ordinal.GetHashCode(AccountId ?? string.Empty);
            hash = (hash * 397) ^ StringComparer.Ordinal.GetHashCode(RoleName ?? string.Empty);
            return (hash * 397) ^ StringComparer.Ordinal.GetHashCode(RoleSessionName ?? string.Empty);
        }
    }

    /// <summary><c>account:role:session_name</c>.</summary>
    public override string ToString() => $"{AccountId}:{RoleName}:{RoleSessionName}";

    /// <summary>Same account, role and session name.</summary>
    public static bool operator ==(CacheKey left, CacheKey right) => left.Equals(right);

    /// <summary>Another account, role or session name.</summary>
    public static bool operator !=(CacheKey left, CacheKey right) => !left.Equals(right);
}
