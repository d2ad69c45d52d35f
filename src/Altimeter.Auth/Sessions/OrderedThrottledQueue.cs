using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Altimeter.Auth;

/// <summary>
/// Work for many items (accounts), started as they are added, at most <see cref="ThrottleLimit"/>
/// running at once, and handed back in the order the items were added whatever order they finish
/// in. It is made for a caller that must stay on one thread and may not await (a PowerShell
/// pipeline thread, the only one that may write output or talk to the person at the host): it
/// adds and takes; when it has to wait (too much pending, or the end), it waits on its own thread
/// and wakes up for what it must also do meanwhile (<c>whileWaiting</c>: answer an MFA prompt,
/// show progress). Not thread-safe: one caller adds and takes.
/// </summary>
/// <typeparam name="TItem">What the work is for.</typeparam>
/// <typeparam name="TResult">What the work gives.</typeparam>
internal sealed class OrderedThrottledQueue<TItem, TResult>
{
    private readonly Queue<(TItem Item, Task<TResult> Work)> _pending = new();
    private readonly Func<TItem, CancellationToken, Task<TResult>> _work;
    private readonly SemaphoreSlim _throttle;
    private readonly CancellationToken _cancellationToken;
    private readonly Action? _whileWaiting;
    private readonly WaitHandle[] _wakeUps;
    private readonly TimeSpan _tick;

    /// <param name="throttleLimit">How many items are worked on at once.</param>
    /// <param name="work">The work for one item; it gets <paramref name="cancellationToken"/>.</param>
    /// <param name="cancellationToken">Stops the work: items not started yet never start.</param>
    /// <param name="whileWaiting">Called on the taking thread whenever it wakes up while it waits, and before each item is taken.</param>
    /// <param name="wakeUp">Wakes a waiting taker at once (something it must do arrived); null: only work finishing and <paramref name="tick"/> do.</param>
    /// <param name="tick">The longest a waiting taker sleeps before <paramref name="whileWaiting"/> is called again.</param>
    public OrderedThrottledQueue(
        int throttleLimit,
        Func<TItem, CancellationToken, Task<TResult>> work,
        CancellationToken cancellationToken,
        Action? whileWaiting = null,
        WaitHandle? wakeUp = null,
        TimeSpan? tick = null)
    {
        if (throttleLimit < 1) throw new ArgumentOutOfRangeException(nameof(throttleLimit), throttleLimit, "At least one item must be worked on at a time.");
        ThrottleLimit = throttleLimit;
        _work = work ?? throw new ArgumentNullException(nameof(work));
        _throttle = new SemaphoreSlim(throttleLimit, throttleLimit);
        _cancellationToken = cancellationToken;
        _whileWaiting = whileWaiting;
        _wakeUps = wakeUp is null ? Array.Empty<WaitHandle>() : new[] { wakeUp };
        _tick = tick ?? TimeSpan.FromMilliseconds(200);
    }

    /// <summary>How many items are worked on at once, at most.</summary>
    public int ThrottleLimit { get; }

    /// <summary>
    /// With this many items added and not taken, <see cref="TakeFinished"/> waits for the first
    /// one: a long pipeline keeps a few rounds of work in memory, not all of it.
    /// </summary>
    public int PendingLimit => ThrottleLimit * 4;

    /// <summary>Items added and not taken yet.</summary>
    public int Pending => _pending.Count;

    /// <summary>Items added so far.</summary>
    public int Added { get; private set; }

    /// <summary>Items taken so far.</summary>
    public int Taken { get; private set; }

    /// <summary>Adds <paramref name="item"/>; its work starts now, or once fewer than <see cref="ThrottleLimit"/> items are worked on.</summary>
    public void Add(TItem item)
    {
        _pending.Enqueue((item, RunAsync(item)));
        Added++;
    }

    /// <summary>
    /// The items whose work has ended, first added first, each with its finished work (its result,
    /// error or cancellation is the caller's to read). Stops at the first item still being worked
    /// on, after waiting for it when <paramref name="all"/> is true or when <see cref="PendingLimit"/>
    /// items are pending. Items are taken as the enumeration goes.
    /// </summary>
    public IEnumerable<(TItem Item, Task<TResult> Work)> TakeFinished(bool all)
    {
        var mustWait = all || _pending.Count >= PendingLimit;
        while (_pending.Count > 0)
        {
            _whileWaiting?.Invoke();
            var head = _pending.Peek();
            if (!head.Work.IsCompleted)
            {
                if (!mustWait)
                {
                    yield break;
                }

                WaitFor(head.Work);
            }

            _pending.Dequeue();
            Taken++;
            mustWait = all;
            yield return head;
        }
    }

    private async Task<TResult> RunAsync(TItem item)
    {
        await _throttle.WaitAsync(_cancellationToken).ConfigureAwait(false);
        try
        {
            // A slot freed by cancelled work may be handed to a waiter before its own wait sees
            // the cancellation: work not started yet must still never start.
            _cancellationToken.ThrowIfCancellationRequested();
            return await _work(item, _cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _throttle.Release();
        }
    }

    // The taker's thread sleeps until the work ends, something wakes it, or a tick passes; it does
    // what it must meanwhile each time it wakes.
    private void WaitFor(Task work)
    {
        var handles = new WaitHandle[_wakeUps.Length + 1];
        handles[0] = ((IAsyncResult)work).AsyncWaitHandle;
        _wakeUps.CopyTo(handles, 1);
        while (!work.IsCompleted)
        {
            WaitHandle.WaitAny(handles, _tick);
            _whileWaiting?.Invoke();
        }
    }
}
