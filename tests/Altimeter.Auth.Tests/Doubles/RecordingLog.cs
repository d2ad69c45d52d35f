using System.Collections.Concurrent;
using Altimeter.Auth;

namespace Altimeter.Auth.Tests.Doubles;

/// <summary>
/// An <see cref="IAuthLog"/> that keeps what it is told, as the cmdlets' per-call output does
/// (src/Altimeter.Auth.PowerShell/Hosting/QueuedOutput.cs): verbose messages when listening, warnings always.
/// </summary>
internal sealed class RecordingLog : IAuthLog
{
    private readonly ConcurrentQueue<string> _messages = new();
    private readonly ConcurrentQueue<string> _warnings = new();

    public RecordingLog(bool verbose = true)
    {
        IsEnabled = verbose;
    }

    public bool IsEnabled { get; }

    public IReadOnlyList<string> Messages => _messages.ToList();

    public IReadOnlyList<string> Warnings => _warnings.ToList();

    public void Verbose(string message)
    {
        if (IsEnabled)
        {
            _messages.Enqueue(message);
        }
    }

    public void Warning(string message) => _warnings.Enqueue(message);
}
