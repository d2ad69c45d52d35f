using System;
using System.Collections.Generic;
using System.Linq;

namespace Altimeter.Auth;

/// <summary>
/// No way into the account: every chain failed (or, in local mode, the source credentials are
/// for another account). The message names the account, the accessor and each chain's error;
/// it never contains a secret.
/// </summary>
public sealed class AccountAuthException : AltimeterAuthException
{
    /// <summary>Creates the error.</summary>
    public AccountAuthException(string accountId, string accessor, IReadOnlyList<ChainFailure> failures)
        : base(BuildMessage(accountId, accessor, failures), failures?.Count == 1 ? failures[0].Error : null)
    {
        AccountId = accountId;
        Accessor = accessor;
        Failures = failures ?? Array.Empty<ChainFailure>();
    }

    /// <summary>The target account.</summary>
    public string AccountId { get; }

    /// <summary>The accessor in text form.</summary>
    public string Accessor { get; }

    /// <summary>Each chain tried, with its error, in order.</summary>
    public IReadOnlyList<ChainFailure> Failures { get; }

    /// <inheritdoc />
    public override string ErrorId => "AccountAuthFailed";

    // One chain: its reason, the chain said once. Local mode: what was checked. Several: each chain's reason.
    private static string BuildMessage(string accountId, string accessor, IReadOnlyList<ChainFailure>? failures)
    {
        if (failures is null || failures.Count == 0)
        {
            return $"Unable to access account {accountId}: the accessor has no chain to try.";
        }

        if (failures.Count == 1)
        {
            var only = failures[0];
            return only.Chain == Altimeter.Auth.Accessor.LocalChain
                ? $"Unable to access account {accountId} with the source credentials themselves (the accessor has no chain): {Reason(accountId, only)}"
                : $"Unable to access account {accountId} through {only.Chain}: {Reason(accountId, only)}";
        }

        return $"Unable to access account {accountId}: none of the {failures.Count} chains of the accessor worked."
            + string.Concat(failures.Select((f, i) => $" [{i + 1}] {f.Chain}: {Reason(accountId, f)}"));
    }

    // A hop's error starts with the target account, which the message has already named.
    private static string Reason(string accountId, ChainFailure failure)
    {
        var message = failure.Error.Message;
        var prefix = accountId + ": ";
        return message.StartsWith(prefix, StringComparison.Ordinal) ? message.Substring(prefix.Length) : message;
    }
}
