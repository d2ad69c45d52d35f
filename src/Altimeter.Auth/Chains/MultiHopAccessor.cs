using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Altimeter.Auth;

/// <summary>
/// One chain of role assumptions: every step but the last names its account, the last one is
/// assumed in the target account, all with the same role session name. It may start with an IAM
/// Identity Center role (<see cref="IdentityCenterRole"/>) instead of the source credentials: that
/// alone reaches the target account, or it names its account and the role hops follow it.
/// </summary>
public sealed class MultiHopAccessor
{
    /// <summary>Creates the chain; breaks of the chain rules are <see cref="AccessorDefinitionException"/>s.</summary>
    public MultiHopAccessor(string roleSessionName, IEnumerable<AccessStep> accessSteps)
        : this(roleSessionName, accessSteps, partition: null)
    {
    }

    /// <summary>Creates the chain with an explicit partition (aws, aws-cn, aws-us-gov, …) for its role ARNs.</summary>
    public MultiHopAccessor(string roleSessionName, IEnumerable<AccessStep> accessSteps, string? partition)
        : this(roleSessionName, identityCenterRole: null, accessSteps, partition)
    {
    }

    /// <summary>
    /// Creates the chain that starts with <paramref name="identityCenterRole"/> (null: with the
    /// source credentials). With no role hops after it, it is in the target account; with hops, it
    /// names its account.
    /// </summary>
    public MultiHopAccessor(string roleSessionName, IdentityCenterRole? identityCenterRole, IEnumerable<AccessStep> accessSteps, string? partition)
    {
        if (partition is not null && !AwsPartition.IsKnown(partition))
        {
            throw new AccessorDefinitionException(
                AccessorDefinitionException.StepInvalid,
                $"partition '{partition}' is not an AWS partition ({string.Join(", ", AwsPartition.Known)}).");
        }

        Partition = partition;
        if (!IamIdentifiers.IsRoleSessionName(roleSessionName))
        {
            throw new AccessorDefinitionException(
                AccessorDefinitionException.StepInvalid,
                $"role_session_name '{roleSessionName}' is not valid: STS takes 2-64 characters of letters, digits and +=,.@_-.");
        }

        var steps = (accessSteps ?? throw new ArgumentNullException(nameof(accessSteps))).ToList();
        IdentityCenterRole = identityCenterRole;
        if (identityCenterRole is not null)
        {
            if (steps.Count == 0 && !identityCenterRole.IsFinal)
            {
                throw new AccessorDefinitionException(
                    AccessorDefinitionException.ChainInvalid,
                    $"access_steps[0] ({identityCenterRole}) is the only step and must not have an account_id: its account is the target account asked for.");
            }

            if (steps.Count > 0 && identityCenterRole.IsFinal)
            {
                throw new AccessorDefinitionException(
                    AccessorDefinitionException.ChainInvalid,
                    $"access_steps[0] ({identityCenterRole}) has no account_id but is not the final step: only the final step's account is the target.");
            }
        }
        else if (steps.Count == 0)
        {
            throw new AccessorDefinitionException(AccessorDefinitionException.ChainInvalid, "One or more access steps must be specified.");
        }

        for (var i = 0; i < steps.Count - 1; i++)
        {
            if (steps[i].IsFinal)
            {
                throw new AccessorDefinitionException(
                    AccessorDefinitionException.ChainInvalid,
                    $"access_steps[{i}] ({steps[i]}) has no account_id but is not the final step: only the final step's account is the target.");
            }
        }

        var last = steps.Count == 0 ? null : steps[steps.Count - 1];
        if (last is { IsFinal: false })
        {
            throw new AccessorDefinitionException(
                AccessorDefinitionException.ChainInvalid,
                $"access_steps[{steps.Count - 1}] ({last}) is the final step and must not have an account_id: its account is the target account asked for.");
        }

        // AWS allows at most an hour to a session assumed with another role's credentials (an Identity Center role's too).
        var warnings = new List<string>();
        for (var i = identityCenterRole is null ? 1 : 0; i < steps.Count; i++)
        {
            if (steps[i].Options?.MfaSessionDurationSeconds is int sessionSeconds)
            {
                warnings.Add($"access_steps[{i}] ({steps[i]}): mfa_session_duration_seconds {sessionSeconds} is ignored: only the first step's device opens an MFA session.");
            }

            if (steps[i].Options?.DurationSeconds is int seconds && seconds > AssumeRoleOptions.ChainedMaxDurationSeconds)
            {
                warnings.Add($"access_steps[{i}] ({steps[i]}): duration_seconds {seconds} is more than AWS allows a role assumed through another role; {AssumeRoleOptions.ChainedMaxDurationSeconds} is asked for instead.");
                steps[i] = steps[i].WithOptions(steps[i].Options!.WithDuration(AssumeRoleOptions.ChainedMaxDurationSeconds));
            }
        }

        RoleSessionName = roleSessionName;
        AccessSteps = steps.AsReadOnly();
        Warnings = warnings.AsReadOnly();
    }

    /// <summary>The Identity Center role the chain starts with; null: it starts from the source credentials.</summary>
    public IdentityCenterRole? IdentityCenterRole { get; }

    /// <summary>Partition of the chain's role ARNs; null: the partition of the session's region.</summary>
    public string? Partition { get; }

    /// <summary>What was adjusted when the chain was built (durations capped), to be shown to the user.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>RoleSessionName of every hop.</summary>
    public string RoleSessionName { get; }

    /// <summary>The role hops, in order (after the Identity Center role, when there is one; then maybe none).</summary>
    public IReadOnlyList<AccessStep> AccessSteps { get; }

    /// <summary>Walks the chain to <paramref name="targetAccountId"/>: each hop signed with the previous hop's credentials.</summary>
    internal async ValueTask<SessionCredentials> AssumeAsync(string targetAccountId, ChainContext context, CancellationToken cancellationToken = default)
    {
        if (context is null) throw new ArgumentNullException(nameof(context));
        IamIdentifiers.RequireAccountId(targetAccountId);

        CachedCredentials? current = null;
        Amazon.Runtime.ImmutableCredentials signer;
        if (IdentityCenterRole is { } identityCenter)
        {
            var account = identityCenter.AccountId ?? targetAccountId;
            current = await identityCenter.ObtainAsync(account, Partition ?? context.Partition, context, Hop(targetAccountId, -1, identityCenter.ToString()), cancellationToken).ConfigureAwait(false);
            signer = current.ToImmutableCredentials();
        }
        else
        {
            signer = await context.SourceAsync().ConfigureAwait(false);
        }

        // GetRoleCredentials is not role chaining; a hop after it is.
        var lastSignedWithToken = false;
        var mfaSerial = IdentityCenterRole is null ? MfaSessionSerial(context, signer) : null;
        var onMfaSession = false;
        if (mfaSerial is not null && context.Cache!.GetMfaSession(CacheBinding.OfCredentials(signer), mfaSerial, context.MinimumLifetime, context.Log) is CachedCredentials session)
        {
            if (context.Log.IsEnabled)
            {
                context.Log.Verbose($"{targetAccountId}: MFA session for {mfaSerial}: cached credentials {session}");
            }

            signer = session.ToImmutableCredentials();
            onMfaSession = true;
        }

        for (var i = 0; i < AccessSteps.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var step = AccessSteps[i];
            var account = step.AccountId ?? targetAccountId;
            var key = new CacheKey(account, step.RoleName, RoleSessionName);

            // The warm path: a hit costs a lookup, no text and no allocation (the binding is made once per signer and step).
            // Imported credentials say nothing of what was sent to STS for them (external id, session
            // policies, tags): they serve plain steps only, and a step with an external id is assumed.
            var imported = step.Options is null && step.ExternalId is null
                ? context.Imported?.Get(key, Partition ?? context.Partition, context.MinimumLifetime)
                : null;
            current = imported ?? context.Cache?.Get(key, CacheBinding.ForHop(signer, step), context.MinimumLifetime, context.Log);
            if (current is not null)
            {
                if (context.Log.IsEnabled)
                {
                    context.Log.Verbose($"{Hop(targetAccountId, i, context, account, step)}: {(imported is null ? "cached" : "imported (credentials_cache)")} credentials {current}");
                }
            }
            else
            {
                // The code is asked for only now, when the first hop is really assumed: a cached hop needs none.
                if (i == 0 && mfaSerial is not null && !onMfaSession)
                {
                    signer = (await OpenMfaSessionAsync(mfaSerial, context, Hop(targetAccountId, i, context, account, step), cancellationToken).ConfigureAwait(false)).ToImmutableCredentials();
                    onMfaSession = true;
                }

                var mfaCarried = onMfaSession && step.Options?.MfaSerial == mfaSerial;
                current = await AssumeHopAsync(targetAccountId, i, context, signer, account, step, mfaCarried, cancellationToken).ConfigureAwait(false);
            }

            // What signed this hop (the MFA session included): a role assumed with temporary credentials is chained.
            lastSignedWithToken = signer.UseToken;
            signer = current.ToImmutableCredentials();
        }

        // The Identity Center role's IAM name has a suffix only IAM knows: its session names no role ARN.
        var roleArn = AccessSteps.Count == 0 ? null : AwsPartition.RoleArn(Partition ?? context.Partition, targetAccountId, AccessSteps[AccessSteps.Count - 1].RoleName);
        return new SessionCredentials(current!.ToImmutableCredentials(), current.Expiration.UtcDateTime, ToString(), roleArn, lastSignedWithToken);
    }

    // The device of the MFA session the walk runs on, or null: only when the first AssumeRole needs a
    // code and the chain starts from an IAM user's long-term keys (GetSessionToken takes nothing
    // else), with the cache on (a session used once saves nothing) and the session not turned off.
    private string? MfaSessionSerial(ChainContext context, Amazon.Runtime.ImmutableCredentials source) =>
        AccessSteps[0].Options?.MfaSerial is string serial && context.UseMfaSession && context.Cache is not null && !source.UseToken
            ? serial
            : null;

    // One GetSessionToken, with one code, for every walk of these credentials and device until it expires.
    private async Task<CachedCredentials> OpenMfaSessionAsync(string serial, ChainContext context, string hop, CancellationToken cancellationToken)
    {
        var source = await context.SourceAsync().ConfigureAwait(false);
        var seconds = AccessSteps[0].Options!.MfaSessionDurationSeconds ?? AssumeRoleOptions.DefaultMfaSessionDurationSeconds;
        var (session, fromCache) = await context.Cache!.GetOrOpenMfaSessionAsync(
            CacheBinding.OfCredentials(source),
            serial,
            context.MinimumLifetime,
            async () =>
            {
                var tokenCode = await MfaCodeAsync(context, serial, hop, CancellationToken.None).ConfigureAwait(false);
                return await context.Sts.GetSessionTokenAsync(source, serial, tokenCode, seconds, context.Region, CancellationToken.None).ConfigureAwait(false);
            },
            context.Log,
            cancellationToken).ConfigureAwait(false);
        context.Log.Verbose(fromCache
            ? $"{hop}: MFA session for {serial}: cached credentials {session} (obtained by a concurrent request)"
            : $"{hop}: MFA session for {serial}: GetSessionToken for {seconds} s, credentials {session}");
        return session;
    }

    private async Task<CachedCredentials> AssumeHopAsync(string targetAccountId, int index, ChainContext context, Amazon.Runtime.ImmutableCredentials signer, string account, AccessStep step, bool mfaCarried, CancellationToken cancellationToken)
    {
        var hop = Hop(targetAccountId, index, context, account, step);
        var options = step.Options;
        if (options?.DurationSeconds is int seconds && seconds > AssumeRoleOptions.ChainedMaxDurationSeconds && signer.UseToken)
        {
            // Signed with temporary credentials: AWS refuses more than an hour if they are a role's or an MFA session's.
            context.Log.Verbose($"{hop}: duration_seconds {seconds} capped at {AssumeRoleOptions.ChainedMaxDurationSeconds}: the hop is signed with temporary credentials");
            options = options.WithDuration(AssumeRoleOptions.ChainedMaxDurationSeconds);
        }

        // Signed with the MFA session (or a role assumed with it): AWS sees the MFA in the signature; a code would be refused anyway, it was used.
        if (mfaCarried)
        {
            options = options!.WithoutMfa();
        }

        var roleArn = AwsPartition.RoleArn(Partition ?? context.Partition, account, step.RoleName);
        var assuming = $"{hop}: AssumeRole as {RoleSessionName}{(step.ExternalId is null ? string.Empty : " with ExternalId")}{(mfaCarried ? " on the MFA session" : string.Empty)}";
        if (context.Cache is null)
        {
            context.Log.Verbose(assuming + " (no cache)");
            return await AssumeHopRoleAsync(cancellationToken).ConfigureAwait(false);
        }

        // A flight is shared by every caller waiting for the same hop: none of them may cancel it for the others.
        var (credentials, fromCache) = await context.Cache.GetOrAssumeAsync(
            new CacheKey(account, step.RoleName, RoleSessionName), CacheBinding.ForHop(signer, step), context.MinimumLifetime,
            () => AssumeHopRoleAsync(CancellationToken.None),
            context.Log,
            cancellationToken).ConfigureAwait(false);
        context.Log.Verbose(fromCache ? $"{hop}: cached credentials {credentials} (obtained by a concurrent request)" : assuming);
        return credentials;

        // The MFA code is asked for only when the hop is really assumed: a cached hop needs none.
        async Task<CachedCredentials> AssumeHopRoleAsync(CancellationToken token)
        {
            string? tokenCode = null;
            if (options?.MfaSerial is string serial)
            {
                tokenCode = await MfaCodeAsync(context, serial, hop, token).ConfigureAwait(false);
            }

            var request = new RoleAssumption(roleArn, RoleSessionName, step.ExternalId, options, tokenCode);
            return await AssumeCheckedAsync(context, signer, request, Partition ?? context.Partition, account, step.RoleName, token).ConfigureAwait(false);
        }
    }

    // A person may be typing the code: the flight awaits it, no thread waits for them.
    private static async Task<string> MfaCodeAsync(ChainContext context, string serial, string hop, CancellationToken cancellationToken) =>
        (context.MfaTokenCode is { } ask ? await ask(serial, cancellationToken).ConfigureAwait(false) : null)
            ?? throw new MfaTokenRequiredException(serial, hop);

    private string Hop(string targetAccountId, int index, ChainContext context, string account, AccessStep step) =>
        Hop(targetAccountId, index, AwsPartition.RoleArn(Partition ?? context.Partition, account, step.RoleName));

    // Counted from the Identity Center role (index -1) when the chain starts with one.
    private string Hop(string targetAccountId, int index, string what)
    {
        var first = IdentityCenterRole is null ? 1 : 2;
        return $"{targetAccountId}: hop {index + first}/{AccessSteps.Count + first - 1} {what}";
    }

    // The answer must name exactly the role asked for: the account alone would let another partition,
    // an IAM user, another service or another role (or session) through.
    private static async Task<CachedCredentials> AssumeCheckedAsync(ChainContext context, Amazon.Runtime.ImmutableCredentials signer, RoleAssumption request, string partition, string account, string roleName, CancellationToken cancellationToken)
    {
        var assumed = await context.Sts.AssumeRoleAsync(signer, request, context.Region, cancellationToken).ConfigureAwait(false);
        var actual = AssumedRoleArn.AccountOf(assumed.AssumedRoleUserArn);
        if (actual != account)
        {
            throw new AccountMismatchException(account, actual, $"AssumeRole {request.RoleArn} returned credentials that");
        }

        if (!AssumedRoleArn.IsFor(assumed.AssumedRoleUserArn, partition, account, roleName, request.RoleSessionName))
        {
            throw new AssumedRoleMismatchException(AssumedRoleArn.For(partition, account, roleName, request.RoleSessionName), assumed.AssumedRoleUserArn, $"AssumeRole {request.RoleArn} returned credentials that");
        }

        return assumed.Credentials;
    }

    // The chain's text goes into every session it makes: made once (the steps do not change).
    private string? _text;

    /// <summary><c>accessor:&lt;role_session_name&gt;:&lt;step&gt;,&lt;step&gt;</c>.</summary>
    public override string ToString() => _text ??= $"accessor:{RoleSessionName}:{string.Join(",", (IdentityCenterRole is null ? Enumerable.Empty<object>() : new object[] { IdentityCenterRole }).Concat(AccessSteps))}";
}
