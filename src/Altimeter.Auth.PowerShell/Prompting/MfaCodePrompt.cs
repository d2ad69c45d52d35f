using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;

namespace Altimeter.Auth.Commands;

/// <summary>
/// Asks the person at the host (or at the terminal) for MFA codes when one is really needed: once
/// for the MFA session a chain from long-term keys opens, else once per AssumeRole, since AWS takes
/// a code once (accounts that share a hop or a session share its one call, so they are asked once).
/// Hops run on other threads, where PowerShell cannot prompt: a hop awaits <see cref="CodeForAsync"/>,
/// whose task the cmdlet's pipeline thread completes in <see cref="AnswerRequests"/> while it waits
/// for results, so no thread waits for the person but that one. The code is read hidden and never
/// written anywhere; nothing typed for a device means no code for it for the rest of the command.
/// </summary>
internal sealed class MfaCodePrompt : IDisposable
{
    private const int Attempts = 3;
    internal static readonly Regex SixDigits = new(@"\A[0-9]{6}\z", RegexOptions.CultureInvariant);

    private readonly IHiddenLineReader _person;
    private readonly CancellationToken _stopping;
    private readonly CancellationTokenRegistration _stopRegistration;
    private readonly ConcurrentQueue<(string Serial, TaskCompletionSource<string?> Answer)> _unanswered = new();
    private readonly SemaphoreSlim _requested = new(0);
    // Pipeline thread only: the last code given per device (AWS refuses it a second time), and the devices declined.
    private readonly Dictionary<string, string> _lastCode = new(StringComparer.Ordinal);
    private readonly HashSet<string> _declined = new(StringComparer.Ordinal);

    public MfaCodePrompt(IHiddenLineReader person, CancellationToken stopping)
    {
        _person = person;
        _stopping = stopping;
        // Stopped: hops waiting fail as "no code", for whoever else waits on the same flight.
        _stopRegistration = stopping.Register(AnswerNone);
    }

    /// <summary>Signalled when a hop waits for a code the pipeline thread has not asked for yet.</summary>
    public WaitHandle Requested => _requested.AvailableWaitHandle;

    /// <summary>
    /// For a hop: a code for <paramref name="serial"/>, once the pipeline thread has asked the person
    /// for it; null when none was given, the command stops or <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public Task<string?> CodeForAsync(string serial, CancellationToken cancellationToken)
    {
        var answer = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (cancellationToken.CanBeCanceled)
        {
            var registration = cancellationToken.Register(() => answer.TrySetResult(null));
            answer.Task.ContinueWith(_ => registration.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        // Counted before it is queued: whoever takes it from the queue always has a count to take back.
        _requested.Release();
        _unanswered.Enqueue((serial, answer));
        if (_stopping.IsCancellationRequested)
        {
            AnswerNone();
        }

        return answer.Task;
    }

    /// <summary>On the pipeline thread: asks for every code hops are waiting for, in the order they asked.</summary>
    public void AnswerRequests()
    {
        while (_unanswered.TryDequeue(out var request))
        {
            _requested.Wait(0);
            if (!request.Answer.Task.IsCompleted)
            {
                request.Answer.TrySetResult(_declined.Contains(request.Serial) ? null : Ask(request.Serial));
            }
        }
    }

    private string? Ask(string serial)
    {
        var previous = _lastCode.TryGetValue(serial, out var last) ? last : null;
        try
        {
            for (var attempt = 0; attempt < Attempts && !_stopping.IsCancellationRequested; attempt++)
            {
                _person.Write(previous is null
                    ? $"Enter MFA code for {serial}: "
                    : $"Enter the next MFA code for {serial} (another role needs one; a code works once): ");
                var typed = _person.ReadHiddenLine()?.Trim();
                if (string.IsNullOrEmpty(typed))
                {
                    _declined.Add(serial);
                    return null;
                }

                if (!SixDigits.IsMatch(typed))
                {
                    _person.Write("An MFA code is 6 digits." + Environment.NewLine);
                }
                else if (typed == previous)
                {
                    _person.Write("That code was just used: wait for the next one." + Environment.NewLine);
                }
                else
                {
                    _lastCode[serial] = typed!;
                    return typed;
                }
            }
        }
        catch (Exception e) when (e is HostException or PSInvalidOperationException or NotImplementedException or PSNotImplementedException or IOException)
        {
            // A host that cannot ask: as if nothing was typed.
        }

        _declined.Add(serial);
        return null;
    }

    /// <summary>Hops still waiting get no code; the terminal, if one was opened, is closed.</summary>
    public void Dispose()
    {
        _stopRegistration.Dispose();
        AnswerNone();
        (_person as IDisposable)?.Dispose();
    }

    private void AnswerNone()
    {
        while (_unanswered.TryDequeue(out var request))
        {
            _requested.Wait(0);
            request.Answer.TrySetResult(null);
        }
    }
}
