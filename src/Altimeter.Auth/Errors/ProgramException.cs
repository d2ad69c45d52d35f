using System;

namespace Altimeter.Auth;

/// <summary>
/// A program run once per session (Invoke-AltimeterCommand -FilePath) failed in one account: it exited
/// with a non-zero code (<see cref="Failed"/>) or could not be started (<see cref="NotStarted"/>, the
/// operating system's error is the inner exception). The other sessions' programs go on.
/// </summary>
public sealed class ProgramException : AltimeterAuthException
{
    /// <summary>The program ran and exited with a code other than 0.</summary>
    public const string Failed = "ProgramFailed";

    /// <summary>The program could not be started (not found, not executable).</summary>
    public const string NotStarted = "ProgramNotStarted";

    private readonly string _errorId;

    private ProgramException(string errorId, string message, string program, string accountId, string region, int? exitCode, Exception? innerException)
        : base(message, innerException)
    {
        _errorId = errorId;
        Program = program;
        AccountId = accountId;
        Region = region;
        ExitCode = exitCode;
    }

    /// <inheritdoc />
    public override string ErrorId => _errorId;

    /// <summary>The program as it was started (its resolved path).</summary>
    public string Program { get; }

    /// <summary>The account whose session the program ran as.</summary>
    public string AccountId { get; }

    /// <summary>The session's region.</summary>
    public string Region { get; }

    /// <summary>The program's exit code; null when it did not start.</summary>
    public int? ExitCode { get; }

    internal static ProgramException Exited(string program, string accountId, string region, int exitCode) =>
        new(Failed, $"'{program}' exited with code {exitCode} in account {accountId} ({region}).", program, accountId, region, exitCode, null);

    internal static ProgramException CouldNotStart(string program, string accountId, string region, Exception innerException) =>
        new(NotStarted, $"'{program}' could not be started for account {accountId} ({region}): {innerException.Message}", program, accountId, region, null, innerException);
}
