using System;
using System.Collections.Generic;

namespace Altimeter.Auth;

/// <summary>
/// An account the person signed in to IAM Identity Center may reach, as the portal lists it
/// (ListAccounts), with the roles (permission sets) assigned to them there (ListAccountRoles).
/// Its <see cref="AccountId"/> binds Get-AltimeterSession's -AccountId by property name.
/// </summary>
public sealed class IdentityCenterAccount
{
    internal IdentityCenterAccount(string accountId, string? accountName, string? emailAddress, IReadOnlyList<string> roleNames)
    {
        AccountId = accountId ?? throw new ArgumentNullException(nameof(accountId));
        AccountName = accountName;
        EmailAddress = emailAddress;
        RoleNames = roleNames ?? throw new ArgumentNullException(nameof(roleNames));
    }

    /// <summary>The 12-digit account id.</summary>
    public string AccountId { get; }

    /// <summary>The account's display name in the portal.</summary>
    public string? AccountName { get; }

    /// <summary>The account's email address, as the portal shows it.</summary>
    public string? EmailAddress { get; }

    /// <summary>The roles (permission sets) the person may use in the account, in the portal's order.</summary>
    public IReadOnlyList<string> RoleNames { get; }

    /// <inheritdoc />
    public override string ToString() => AccountName is null ? AccountId : $"{AccountId} ({AccountName})";
}
