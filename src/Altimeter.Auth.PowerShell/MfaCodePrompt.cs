using System;
using System.Collections.Concurrent;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;

namespace Altimeter.Auth.Commands;

/// <summary>
/// Asks the person at the host (or at the terminal) for MFA codes, once per device, only when a hop
/// that needs one is really assumed. Hops run on other threads, where PowerShell cannot prompt: a hop calls
/// <see cref="CodeFor"/> and waits; the cmdlet's pipeline thread calls <see cref="AnswerRequests"/>
/// while it waits for results. The code is read hidden and never written anywhere.
/// </summary>
internal sealed class MfaCodePrompt : IDisposable
{
    private const int Attempts = 3;
    private static readonly Regex SixDigits = new(@"^\d{6}$", RegexOptions.CultureInvariant);

    private readonly IHiddenLineReader _person;
    private readonly CancellationToken _stopping;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<string?>> _answers = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _unanswered = new();
    private readonly SemaphoreSlim _requested = new(0);

    public MfaCodePrompt(IHiddenLineReader person, CancellationToken stopping)
    {
        _person = person;
        _stopping = stopping;
    }

    /// <summary>Signalled when a hop waits for a code the pipeline thread has not asked for yet.</summary>
    public WaitHandle Requested => _requested.AvailableWaitHandle;

    /// <summary>On a hop's thread: the code for <paramref name="serial"/>, waiting for the person to type it; null when none was given or the command stops.</summary>
    public string? CodeFor(string serial)
    {
        var mine = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var answer = _answers.GetOrAdd(serial, mine);
        if (ReferenceEquals(answer, mine))
        {
            _unanswered.Enqueue(serial);
            _requested.Release();
        }

        try
        {
            answer.Task.Wait(_stopping);
            return answer.Task.Result;
        }
        catch (OperationCanceledException)
        {
            // Stopped: the hop fails as "no code", for whoever else waits on the same flight.
            return null;
        }
    }

    /// <summary>On the pipeline thread: asks for every code hops are waiting for.</summary>
    public void AnswerRequests()
    {
        while (_unanswered.TryDequeue(out var serial))
        {
            _requested.Wait(0);
            _answers[serial].TrySetResult(Ask(serial));
        }
    }

    private string? Ask(string serial)
    {
        try
        {
            for (var attempt = 0; attempt < Attempts && !_stopping.IsCancellationRequested; attempt++)
            {
                _person.Write($"Enter MFA code for {serial}: ");
                var typed = _person.ReadHiddenLine()?.Trim();
                if (string.IsNullOrEmpty(typed))
                {
                    return null;
                }

                if (SixDigits.IsMatch(typed))
                {
                    return typed;
                }

                _person.Write("An MFA code is 6 digits." + Environment.NewLine);
            }
        }
        catch (Exception e) when (e is HostException or PSInvalidOperationException or NotImplementedException or PSNotImplementedException or IOException)
        {
            // A host that cannot ask: as if nothing was typed.
        }

        return null;
    }

    /// <summary>Hops still waiting get no code; the terminal, if one was opened, is closed.</summary>
    public void Dispose()
    {
        foreach (var answer in _answers.Values)
        {
            answer.TrySetResult(null);
        }

        (_person as IDisposable)?.Dispose();
    }
}
