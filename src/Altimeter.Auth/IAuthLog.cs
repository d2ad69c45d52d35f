namespace Altimeter.Auth;

/// <summary>
/// Where the engine says what it is doing. The cmdlets adapt it to WriteVerbose; the engine
/// never knows it runs in PowerShell. Messages carry no secrets.
/// </summary>
public interface IAuthLog
{
    /// <summary>False when nobody listens: the engine then skips building its messages.</summary>
    bool IsEnabled { get; }

    /// <summary>A step of the work worth showing with -Verbose.</summary>
    void Verbose(string message);
}

/// <summary>A log that drops everything.</summary>
public sealed class NullAuthLog : IAuthLog
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
}
