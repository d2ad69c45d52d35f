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

    private static string BuildMessage(string accountId, string accessor, IReadOnlyList<ChainFailure>? failures)
    {
        var reasons = failures is null || failures.Count == 0
            ? " No chain was tried."
            : string.Concat(failures.Select((f, i) => $" [{i + 1}] {f}"));
        return $"Unable to access account {accountId} using {accessor}.{reasons}";
    }
}
