using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Altimeter.Auth;

/// <summary>
/// One chain of role assumptions: every step but the last names its account, the last one is
/// assumed in the target account, all with the same role session name.
/// </summary>
public sealed class MultiHopAccessor
{
    /// <summary>Creates the chain; breaks of the chain rules are <see cref="AccessorDefinitionException"/>s.</summary>
    public MultiHopAccessor(string roleSessionName, IEnumerable<AccessStep> accessSteps)
    {
        if (!IamIdentifiers.IsRoleSessionName(roleSessionName))
        {
            throw new AccessorDefinitionException(
                AccessorDefinitionException.StepInvalid,
                $"role_session_name '{roleSessionName}' is not valid: STS takes 2-64 characters of letters, digits and +=,.@_-.");
        }

        var steps = (accessSteps ?? throw new ArgumentNullException(nameof(accessSteps))).ToList();
        if (steps.Count == 0)
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

        var last = steps[steps.Count - 1];
        if (!last.IsFinal)
        {
            throw new AccessorDefinitionException(
                AccessorDefinitionException.ChainInvalid,
                $"access_steps[{steps.Count - 1}] ({last}) is the final step and must not have an account_id: its account is the target account asked for.");
        }

        RoleSessionName = roleSessionName;
        AccessSteps = steps.AsReadOnly();
    }

    /// <summary>RoleSessionName of every hop.</summary>
    public string RoleSessionName { get; }

    /// <summary>The hops, in order.</summary>
    public IReadOnlyList<AccessStep> AccessSteps { get; }

    /// <summary>Walks the chain to <paramref name="targetAccountId"/>: each hop signed with the previous hop's credentials.</summary>
    public async Task<ChainResult> AssumeAsync(string targetAccountId, ChainContext context, CancellationToken cancellationToken = default)
    {
        if (context is null) throw new ArgumentNullException(nameof(context));
        IamIdentifiers.RequireAccountId(targetAccountId);

        var signer = context.Source;
        CachedCredentials? current = null;
        var roleArn = string.Empty;
        for (var i = 0; i < AccessSteps.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var step = AccessSteps[i];
            var account = step.AccountId ?? targetAccountId;
            roleArn = AwsPartition.RoleArn(context.Partition, account, step.RoleName);
            var hop = $"{targetAccountId}: hop {i + 1}/{AccessSteps.Count} {roleArn}";
            var signerFingerprint = SignerFingerprint.Of(signer);

            current = context.Cache?.Get(account, step.RoleName, RoleSessionName, signerFingerprint, context.MinimumLifetime);
            if (current is not null)
            {
                context.Log.Verbose($"{hop}: cached credentials {current}");
            }
            else
            {
                context.Log.Verbose($"{hop}: AssumeRole as {RoleSessionName}{(step.ExternalId is null ? string.Empty : " with ExternalId")}");
                var assumed = await context.Sts.AssumeRoleAsync(signer, new RoleAssumption(roleArn, RoleSessionName, step.ExternalId), context.Region, cancellationToken).ConfigureAwait(false);
                var actual = AssumedRoleArn.AccountOf(assumed.AssumedRoleUserArn);
                if (actual != account)
                {
                    throw new AccountMismatchException(account, actual, $"AssumeRole {roleArn} returned credentials that");
                }

                current = assumed.Credentials;
                context.Cache?.Store(current, account, step.RoleName, RoleSessionName, signerFingerprint);
            }

            signer = current.ToImmutableCredentials();
        }

        return new ChainResult(current!, roleArn);
    }

    /// <summary><c>accessor:&lt;role_session_name&gt;:&lt;step&gt;,&lt;step&gt;</c>.</summary>
    public override string ToString() => $"accessor:{RoleSessionName}:{string.Join(",", AccessSteps)}";
}
