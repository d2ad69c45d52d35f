using Altimeter.Auth;
using Xunit;

namespace Altimeter.Auth.Tests;

/// <summary>
/// The ordered throttled queue behind Get-AltimeterSession: input order out, at most ThrottleLimit
/// at work, backpressure, cancellation. Every wait here is on a signal the work gives, never on
/// elapsed time; the long timeouts only turn a hang into a failure.
/// </summary>
public sealed class OrderedThrottledQueueTests
{
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);

    // Work whose end the test decides, counting how much runs at once.
    private sealed class ControlledWork
    {
        private readonly Dictionary<int, TaskCompletionSource<int>> _ends = new();
        private readonly SemaphoreSlim _started = new(0);
        private int _running;
        private int _mostRunning;
        private int _startedCount;

        public int MostRunning => Volatile.Read(ref _mostRunning);

        public int Started => Volatile.Read(ref _startedCount);

        public async Task<int> RunAsync(int item, CancellationToken cancellationToken)
        {
            TaskCompletionSource<int> end;
            lock (_ends)
            {
                end = EndOf(item);
            }

            var running = Interlocked.Increment(ref _running);
            InterlockedMax(ref _mostRunning, running);
            Interlocked.Increment(ref _startedCount);
            _started.Release();
            try
            {
                using (cancellationToken.Register(() => end.TrySetCanceled(cancellationToken)))
                {
                    return await end.Task.ConfigureAwait(false);
                }
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        }

        public void Finish(int item)
        {
            lock (_ends)
            {
                EndOf(item).TrySetResult(item * 10);
            }
        }

        public void WaitForStarts(int count)
        {
            while (Started < count)
            {
                Assert.True(_started.Wait(Hang), $"only {Started} of {count} items started");
            }
        }

        private TaskCompletionSource<int> EndOf(int item)
        {
            if (!_ends.TryGetValue(item, out var end))
            {
                end = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
                _ends[item] = end;
            }

            return end;
        }

        private static void InterlockedMax(ref int target, int value)
        {
            int seen;
            while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
            {
            }
        }
    }

    [Fact]
    public void Results_come_out_in_input_order_when_later_items_finish_first()
    {
        var work = new ControlledWork();
        var queue = new OrderedThrottledQueue<int, int>(8, work.RunAsync, CancellationToken.None);
        for (var i = 0; i < 5; i++) queue.Add(i);

        for (var i = 4; i >= 1; i--) work.Finish(i);
        // Items 1-4 are done, 0 is not: nothing may come out yet.
        Assert.Empty(queue.TakeFinished(all: false));

        work.Finish(0);
        var taken = queue.TakeFinished(all: true).ToList();

        Assert.Equal(new[] { 0, 1, 2, 3, 4 }, taken.Select(t => t.Item));
        Assert.Equal(new[] { 0, 10, 20, 30, 40 }, taken.Select(t => t.Work.Result));
        Assert.Equal(0, queue.Pending);
        Assert.Equal(5, queue.Taken);
    }

    [Fact]
    public void No_more_than_ThrottleLimit_items_are_at_work_at_once()
    {
        const int limit = 3;
        const int items = 20;
        var work = new ControlledWork();
        var queue = new OrderedThrottledQueue<int, int>(limit, work.RunAsync, CancellationToken.None);
        for (var i = 0; i < items; i++) queue.Add(i);

        work.WaitForStarts(limit);
        Assert.Equal(limit, work.Started);
        for (var i = 0; i < items; i++)
        {
            // One ends, so exactly one more may start (until none are left to start).
            work.Finish(i);
            work.WaitForStarts(Math.Min(items, i + 1 + limit));
            Assert.True(work.Started <= i + 1 + limit, $"{work.Started} started after {i + 1} finished with a limit of {limit}");
        }

        Assert.Equal(items, queue.TakeFinished(all: true).Count());
        Assert.Equal(limit, work.MostRunning);
    }

    [Fact]
    public async Task With_PendingLimit_items_pending_taking_waits_for_the_first_and_streams_the_rest()
    {
        var work = new ControlledWork();
        var queue = new OrderedThrottledQueue<int, int>(2, work.RunAsync, CancellationToken.None);
        Assert.Equal(8, queue.PendingLimit);
        for (var i = 0; i < queue.PendingLimit - 1; i++)
        {
            queue.Add(i);
            // Below the limit: taking never waits.
            Assert.Empty(queue.TakeFinished(all: false));
        }

        queue.Add(queue.PendingLimit - 1);
        var taking = Task.Run(() => queue.TakeFinished(all: false).Select(t => t.Item).ToList());
        Assert.NotSame(taking, await Task.WhenAny(taking, Task.Delay(200)));

        work.Finish(0);
        // Only the first was waited for: the others are still at work and stay pending.
        Assert.Equal(new[] { 0 }, await taking.WaitAsync(Hang));
        Assert.Equal(queue.PendingLimit - 1, queue.Pending);
    }

    [Fact]
    public async Task A_waiting_taker_wakes_up_on_its_own_thread_for_what_it_must_do_meanwhile()
    {
        var work = new ControlledWork();
        using var wakeUp = new SemaphoreSlim(0);
        using var aboutToWait = new SemaphoreSlim(0);
        var calls = new List<int>();
        var queue = new OrderedThrottledQueue<int, int>(
            1,
            work.RunAsync,
            CancellationToken.None,
            whileWaiting: () =>
            {
                calls.Add(Environment.CurrentManagedThreadId);
                aboutToWait.Release();
                // Like an MFA prompt answered on the pipeline thread: what the work waited for arrives.
                if (wakeUp.Wait(0)) work.Finish(0);
            },
            wakeUp: wakeUp.AvailableWaitHandle,
            tick: TimeSpan.FromMinutes(10));
        queue.Add(0);

        var takerThread = 0;
        var taking = Task.Run(() =>
        {
            takerThread = Environment.CurrentManagedThreadId;
            return queue.TakeFinished(all: true).Select(t => t.Item).ToList();
        });
        Assert.True(await aboutToWait.WaitAsync(Hang));
        wakeUp.Release();

        // The tick is ten minutes: only the signal can wake the taker before the guard.
        Assert.Equal(new[] { 0 }, await taking.WaitAsync(Hang));
        Assert.NotEmpty(calls);
        Assert.All(calls, thread => Assert.Equal(takerThread, thread));
    }

    [Fact]
    public void Cancelled_work_that_has_not_started_never_starts_and_every_item_still_comes_out()
    {
        using var stopping = new CancellationTokenSource();
        var work = new ControlledWork();
        var queue = new OrderedThrottledQueue<int, int>(2, work.RunAsync, stopping.Token);
        for (var i = 0; i < 6; i++) queue.Add(i);
        work.WaitForStarts(2);

        stopping.Cancel();
        var taken = queue.TakeFinished(all: true).ToList();

        Assert.Equal(new[] { 0, 1, 2, 3, 4, 5 }, taken.Select(t => t.Item));
        Assert.All(taken, t => Assert.True(t.Work.IsCanceled, $"item {t.Item}: {t.Work.Status}"));
        Assert.Equal(2, work.Started);
    }
}
