namespace Altimeter.Auth;

/// <summary>
/// A block run with others side by side (Invoke-AltimeterCommand -Parallel) asked to put a
/// session's keys or credentials endpoint in the process environment (Invoke-AltimeterCommand
/// without -Parallel, Set-AltimeterEnvironment). Refused: the environment belongs to the whole
/// process, so the children the other blocks start meanwhile would run as that session while
/// their output is taken for their own account's. Nothing is changed.
/// </summary>
public sealed class KeysInParallelBlockException : AltimeterAuthException
{
    /// <summary>Creates the error.</summary>
    public KeysInParallelBlockException()
        : base("A session's keys cannot be put in the process environment while Invoke-AltimeterCommand -Parallel runs blocks side by side: the children of the other blocks would run as that session. Run programs without -Parallel, or use AWS Tools cmdlets in the parallel block, which act as its session.", null)
    {
    }

    /// <inheritdoc />
    public override string ErrorId => "KeysInParallelBlock";
}
