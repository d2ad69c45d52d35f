using System.Collections.Concurrent;
using Altimeter.Auth;

namespace Altimeter.Auth.Commands;

/// <summary>
/// Collects the engine's messages from whatever thread its awaits resume on; the cmdlet writes
/// them on the pipeline thread, the only one PowerShell lets write.
/// </summary>
internal sealed class QueuedVerboseLog : IAuthLog
{
    private readonly ConcurrentQueue<string> _messages = new();

    public QueuedVerboseLog(bool enabled)
    {
        IsEnabled = enabled;
    }

    public bool IsEnabled { get; }

    public void Verbose(string message)
    {
        if (IsEnabled)
        {
            _messages.Enqueue(message);
        }
    }

    public bool TryDequeue(out string message) => _messages.TryDequeue(out message!);
}
