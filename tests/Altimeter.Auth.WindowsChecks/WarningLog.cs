using System.Collections.Concurrent;
using Altimeter.Auth;

namespace Altimeter.Auth.WindowsChecks;

/// <summary>An <see cref="IAuthLog"/> that keeps the warnings a check's store calls give, as a cmdlet's per-call output does.</summary>
internal sealed class WarningLog : IAuthLog
{
    public ConcurrentQueue<string> Warnings { get; } = new();

    public bool IsEnabled => false;

    public void Verbose(string message)
    {
    }

    public void Warning(string message) => Warnings.Enqueue(message);
}
