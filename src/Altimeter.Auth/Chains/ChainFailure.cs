using System;

namespace Altimeter.Auth;

/// <summary>Why one chain of an accessor did not reach the target account.</summary>
public sealed class ChainFailure
{
    /// <summary>Creates the record.</summary>
    public ChainFailure(string chain, Exception error)
    {
        Chain = chain;
        Error = error ?? throw new ArgumentNullException(nameof(error));
    }

    /// <summary>The chain in text form (<c>accessor:name:role@account,role@target</c>), or <c>local</c>.</summary>
    public string Chain { get; }

    /// <summary>The error it ended with.</summary>
    public Exception Error { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Chain}: {Error.Message}";
}
