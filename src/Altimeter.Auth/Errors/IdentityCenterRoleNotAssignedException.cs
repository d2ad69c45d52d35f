using System;

namespace Altimeter.Auth;

/// <summary>
/// The IAM Identity Center portal refused the role credentials of a permission set in an account
/// (GetRoleCredentials: 403 ForbiddenException, "No access"): the permission set is not assigned
/// to the signed-in person in that account. That account alone fails; the others go on.
/// </summary>
public sealed class IdentityCenterRoleNotAssignedException : AltimeterAuthException
{
    /// <summary>Creates the error.</summary>
    public IdentityCenterRoleNotAssignedException(string permissionSetName, string accountId, string portal, Exception? innerException = null)
        : base($"The IAM Identity Center role '{permissionSetName}' is not assigned to you in account {accountId} ({portal} answered GetRoleCredentials with 'No access'). Get-AltimeterAccount lists the roles you have in each account.", innerException)
    {
        PermissionSetName = permissionSetName;
        AccountId = accountId;
    }

    /// <summary>The permission set (role) asked for.</summary>
    public string PermissionSetName { get; }

    /// <summary>The account asked for.</summary>
    public string AccountId { get; }

    /// <summary>The error id.</summary>
    public const string Id = "IdentityCenterRoleNotAssigned";

    /// <inheritdoc />
    public override string ErrorId => Id;
}
