using System;
using System.Threading;
using System.Threading.Tasks;

namespace Altimeter.Auth;

/// <summary>
/// A step into an account through IAM Identity Center: the role credentials of a permission set
/// (GetRoleCredentials, no AssumeRole), with the token the sign-in to an Identity Center profile
/// or sso-session left. It is the first step of its chain: in the target account when it is the
/// only one, else in <see cref="AccountId"/> with role hops after it. Like every hop its
/// credentials are verified (GetCallerIdentity must name that account's
/// <c>AWSReservedSSO_&lt;name&gt;_…</c> role), cached in memory and the shared cache, fetched once
/// for every caller asking at the same time, and renewed near expiry.
/// </summary>
public sealed class IdentityCenterRole
{
    private readonly Lazy<IdentityCenterRoleCredentials> _portal;

    /// <summary>Creates the step; a bad name or both a profile and an sso-session are <see cref="AccessorDefinitionException"/>s.</summary>
    /// <param name="permissionSetName">The permission set (the role name the portal lists, e.g. ReadOnly).</param>
    /// <param name="profileName">The Identity Center profile whose portal and token are used; null (and no sso-session): AWS_PROFILE, else default, when first used.</param>
    /// <param name="ssoSessionName">The <c>[sso-session]</c> whose portal and token are used, instead of a profile.</param>
    /// <param name="accountId">The account of this step when role hops follow it; null: the target account.</param>
    public IdentityCenterRole(string permissionSetName, string? profileName = null, string? ssoSessionName = null, string? accountId = null)
        : this(permissionSetName, profileName, ssoSessionName, accountId, portal: null)
    {
    }

    internal IdentityCenterRole(string permissionSetName, string? profileName, string? ssoSessionName, string? accountId, IdentityCenterRoleCredentials? portal)
    {
        if (!IamIdentifiers.IsPermissionSetName(permissionSetName))
        {
            throw Invalid($"identity_center role '{permissionSetName}' is not a permission set name (1-32 characters of letters, digits and +=,.@_-).");
        }

        if (profileName is not null && ssoSessionName is not null)
        {
            throw Invalid($"identity_center role '{permissionSetName}' names both a profile ('{profileName}') and an sso_session ('{ssoSessionName}'): name one, the portal and token are read from it.");
        }

        if (profileName?.Trim().Length == 0 || ssoSessionName?.Trim().Length == 0)
        {
            throw Invalid($"identity_center role '{permissionSetName}': an empty {(profileName is not null ? "profile" : "sso_session")} names nothing; leave it out to use AWS_PROFILE.");
        }

        if (accountId is not null && !IamIdentifiers.IsAccountId(accountId))
        {
            throw Invalid($"account_id '{accountId}' is not an AWS account id: an account id is exactly 12 digits.");
        }

        PermissionSetName = permissionSetName;
        ProfileName = profileName;
        SsoSessionName = ssoSessionName;
        AccountId = accountId;
        // Read when first used, and again after a failure: a config file fixed meanwhile is taken.
        _portal = new Lazy<IdentityCenterRoleCredentials>(
            () => portal ?? new IdentityCenterRoleCredentials(SsoSessionName is not null
                ? IdentityCenterPortal.FromSsoSession(SsoSessionName)
                : IdentityCenterPortal.FromProfile(ProfileName ?? DefaultIdentityCenterProfile.Name)),
            LazyThreadSafetyMode.PublicationOnly);
    }

    /// <summary>The permission set, as the portal names the role.</summary>
    public string PermissionSetName { get; }

    /// <summary>The Identity Center profile of the portal and token; null when an sso-session is named, or AWS_PROFILE is meant.</summary>
    public string? ProfileName { get; }

    /// <summary>The sso-session of the portal and token; null when a profile is meant.</summary>
    public string? SsoSessionName { get; }

    /// <summary>The account of this step; null when it is the only step, whose account is the target.</summary>
    public string? AccountId { get; }

    /// <summary>True when it is the whole chain: its account is the target.</summary>
    public bool IsFinal => AccountId is null;

    /// <summary><c>identity_center:&lt;name&gt;@&lt;account|target&gt;</c>, with the profile or sso-session when one is named.</summary>
    public override string ToString() =>
        $"identity_center:{PermissionSetName}@{AccountId ?? "target"}{(ProfileName is not null ? $"(profile {ProfileName})" : SsoSessionName is not null ? $"(sso_session {SsoSessionName})" : string.Empty)}";

    /// <summary>
    /// The key of its credentials in <paramref name="accountId"/>:
    /// <c>account:AWSReservedSSO_&lt;name&gt;:sso-&lt;hex of the portal&gt;</c>, one per portal, account and permission set.
    /// </summary>
    internal static CacheKey KeyFor(string accountId, string permissionSetName, IdentityCenterPortal portal) =>
        new(accountId, AssumedRoleArn.IdentityCenterRolePrefix + permissionSetName, "sso-" + IdentityCenterPortal.Sha1Hex(portal.StartUrl + "\n" + portal.Region));

    /// <summary>The verified role credentials in <paramref name="accountId"/>: cached, else from the portal (once for every caller asking at the same time).</summary>
    internal async Task<CachedCredentials> ObtainAsync(string accountId, string partition, ChainContext context, string hop, CancellationToken cancellationToken)
    {
        var portal = _portal.Value;
        var token = await portal.AccessTokenAsync(cancellationToken).ConfigureAwait(false);
        var binding = CacheBinding.ForIdentityCenterRole(portal.Portal.StartUrl, portal.Portal.Region, token);
        var key = KeyFor(accountId, PermissionSetName, portal.Portal);
        if (context.Cache?.Get(key, binding, context.MinimumLifetime, context.Log) is CachedCredentials cached)
        {
            if (context.Log.IsEnabled)
            {
                context.Log.Verbose($"{hop}: cached credentials {cached}");
            }

            return cached;
        }

        var fetching = $"{hop}: GetRoleCredentials from {portal.Portal} ({portal.Portal.StartUrl})";
        if (context.Cache is null)
        {
            context.Log.Verbose(fetching + " (no cache)");
            return await FetchCheckedAsync(cancellationToken).ConfigureAwait(false);
        }

        // A flight is shared by every caller waiting for the same credentials: none of them may cancel it for the others.
        var (credentials, fromCache) = await context.Cache.GetOrAssumeAsync(
            key, binding, context.MinimumLifetime, () => FetchCheckedAsync(CancellationToken.None), context.Log, cancellationToken).ConfigureAwait(false);
        context.Log.Verbose(fromCache ? $"{hop}: cached credentials {credentials} (obtained by a concurrent request)" : fetching);
        return credentials;

        // The answer must be that account's role of this permission set: another account's, or any other identity, is refused.
        async Task<CachedCredentials> FetchCheckedAsync(CancellationToken token2)
        {
            var fetched = await portal.GetAsync(token, accountId, PermissionSetName, token2).ConfigureAwait(false);
            var identity = await context.Sts.GetCallerIdentityAsync(fetched.ToImmutableCredentials(), context.Region, token2).ConfigureAwait(false);
            var what = $"GetRoleCredentials of {PermissionSetName} in {accountId} returned credentials that";
            if (identity.Account != accountId)
            {
                throw new AccountMismatchException(accountId, identity.Account, what);
            }

            if (!AssumedRoleArn.IsIdentityCenterRoleSession(identity.Arn, partition, accountId, PermissionSetName))
            {
                throw new AssumedRoleMismatchException($"arn:{partition}:sts::{accountId}:assumed-role/{AssumedRoleArn.IdentityCenterRolePrefix}{PermissionSetName}_<suffix>/<user>", identity.Arn, what);
            }

            return fetched;
        }
    }

    private static AccessorDefinitionException Invalid(string message) => new(AccessorDefinitionException.StepInvalid, message);
}
