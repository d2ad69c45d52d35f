using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;
using Altimeter.Auth;

namespace Altimeter.Auth.Commands;

/// <summary>
/// Asks the person at the host (or at the terminal) for MFA codes when one is really needed: once
/// for the MFA session a chain from long-term keys opens, else once per AssumeRole, since AWS takes
/// a code once (accounts that share a hop or a session share its one call, so they are asked once).
/// Hops run on other threads, where PowerShell cannot prompt: a hop awaits <see cref="CodeForAsync"/>,
/// whose task the cmdlet's pipeline thread completes in <see cref="AnswerRequests"/> while it waits
/// for results, so no thread waits for the person but that one. How the person is asked (tries,
/// hidden, a code once) is the engine's <see cref="MfaCodeQuestion"/>, as in the native credential_process.
/// </summary>
internal sealed class MfaCodePrompt : IDisposable
{
    private readonly MfaCodeQuestion _question;
    private readonly CancellationToken _stopping;
    private readonly CancellationTokenRegistration _stopRegistration;
    private readonly ConcurrentQueue<(string Serial, TaskCompletionSource<string?> Answer)> _unanswered = new();
    private readonly SemaphoreSlim _requested = new(0);

    public MfaCodePrompt(IHiddenLineReader person, CancellationToken stopping)
    {
        _question = new MfaCodeQuestion(person);
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
                request.Answer.TrySetResult(_question.Ask(request.Serial, _stopping));
            }
        }
    }

    /// <summary>Hops still waiting get no code; the terminal, if one was opened, is closed.</summary>
    public void Dispose()
    {
        _stopRegistration.Dispose();
        AnswerNone();
        _question.Dispose();
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
