namespace Altimeter.Auth;

/// <summary>
/// Where the engine reports to the person who made the call: what it is doing (verbose) and what
/// went wrong without stopping it (warnings). The cmdlets adapt it to WriteVerbose and
/// WriteWarning of the command that made the call, so a message reaches only that command's
/// runspace; the engine never knows it runs in PowerShell. Messages carry no secrets.
/// </summary>
public interface IAuthLog
{
    /// <summary>False when nobody listens to verbose messages: the engine then skips building them. Warnings are always given.</summary>
    bool IsEnabled { get; }

    /// <summary>A step of the work worth showing with -Verbose.</summary>
    void Verbose(string message);

    /// <summary>Something the user should know that did not stop the work (a cache file ignored, say).</summary>
    void Warning(string message);
}

/// <summary>A log that drops everything.</summary>
internal sealed class NullAuthLog : IAuthLog
{
    /// <summary>The one instance.</summary>
    public static readonly NullAuthLog Instance = new();

    private NullAuthLog()
    {
    }

    /// <inheritdoc />
    public bool IsEnabled => false;

    /// <inheritdoc />
    public void Verbose(string message)
    {
    }

    /// <inheritdoc />
    public void Warning(string message)
    {
    }
}
