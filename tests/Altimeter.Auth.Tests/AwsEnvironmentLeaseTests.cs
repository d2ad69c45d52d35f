using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Altimeter.Auth;
using Xunit;

namespace Altimeter.Auth.Tests;

// The lease is process-wide: these tests use variables of their own (not AWS_*), so that the other
// test classes xunit runs at the same time never see them. "Another runspace" is a task started
// without the test's execution flow, as a runspace thread has its own.
public class AwsEnvironmentLeaseTests
{
    private const string Set = "ALTIMETER_TEST_LEASE_SET";
    private const string Unset = "ALTIMETER_TEST_LEASE_UNSET";
    private const string Empty = "ALTIMETER_TEST_LEASE_EMPTY";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public void On_release_every_variable_is_exactly_as_before_unset_stays_unset_and_empty_stays_empty()
    {
        Environment.SetEnvironmentVariable(Set, "before");
        Environment.SetEnvironmentVariable(Unset, null);
        Environment.SetEnvironmentVariable(Empty, string.Empty);
        try
        {
            using (AwsEnvironmentLease.Acquire(Variables(("lease", "lease", "lease")), null, CancellationToken.None))
            {
                Assert.Equal("lease", Environment.GetEnvironmentVariable(Set));
                Assert.Equal("lease", Environment.GetEnvironmentVariable(Unset));
                Assert.Equal("lease", Environment.GetEnvironmentVariable(Empty));
            }

            Assert.Equal("before", Environment.GetEnvironmentVariable(Set));
            Assert.Null(Environment.GetEnvironmentVariable(Unset));
            Assert.Equal(string.Empty, Environment.GetEnvironmentVariable(Empty));
        }
        finally
        {
            Environment.SetEnvironmentVariable(Set, null);
            Environment.SetEnvironmentVariable(Empty, null);
        }
    }

    [Fact]
    public async Task A_second_flow_waits_for_the_lease_and_is_told_so()
    {
        var waited = 0;
        Task<string?> second;
        using (AwsEnvironmentLease.Acquire(Variables(("first", null, null)), null, CancellationToken.None))
        {
            second = InAnotherFlow(() =>
            {
                using var lease = AwsEnvironmentLease.Acquire(Variables(("second", null, null)), () => Interlocked.Increment(ref waited), CancellationToken.None);
                return Environment.GetEnvironmentVariable(Set);
            });
            Assert.False(await FinishesWithin(second, TimeSpan.FromMilliseconds(300)), "the second lease must wait for the first");
            Assert.Equal("first", Environment.GetEnvironmentVariable(Set));
        }

        Assert.True(await FinishesWithin(second, Patience));
        Assert.Equal("second", await second);
        Assert.Equal(1, waited);
        Assert.Null(Environment.GetEnvironmentVariable(Set));
    }

    [Fact]
    public async Task A_lease_taken_again_in_the_same_flow_nests_instead_of_waiting_for_itself()
    {
        var nested = InAnotherFlow(() =>
        {
            using (AwsEnvironmentLease.Acquire(Variables(("outer", null, null)), null, CancellationToken.None))
            {
                using (var inner = AwsEnvironmentLease.Acquire(Variables(("inner", "inner", null)), () => throw new InvalidOperationException("the inner lease waited"), CancellationToken.None))
                {
                    Assert.True(inner.IsNested);
                    Assert.Equal("inner", Environment.GetEnvironmentVariable(Set));
                }

                Assert.Null(Environment.GetEnvironmentVariable(Unset));
                return Environment.GetEnvironmentVariable(Set);
            }
        });

        Assert.True(await FinishesWithin(nested, Patience), "the nested lease deadlocked");
        Assert.Equal("outer", await nested);
        Assert.Null(Environment.GetEnvironmentVariable(Set));
    }

    [Fact]
    public async Task Leases_nested_by_flows_the_block_started_take_turns_and_each_sees_only_its_own_variables()
    {
        // ForEach-Object -Parallel inside Invoke-AltimeterCommand: runspaces the block starts carry
        // its lease in their flow, and each runs a nested block of its own at the same time.
        var inside = 0;
        var most = 0;
        var mixed = new List<string>();
        using (AwsEnvironmentLease.Acquire(Variables(("outer", null, null)), null, CancellationToken.None))
        {
            var siblings = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
            {
                for (var round = 0; round < 5; round++)
                {
                    var mine = $"sibling-{i}-{round}";
                    using (var nested = AwsEnvironmentLease.Acquire(Variables((mine, null, null)), null, CancellationToken.None))
                    {
                        Assert.True(nested.IsNested);
                        var now = Interlocked.Increment(ref inside);
                        InterlockedMax(ref most, now);
                        for (var look = 0; look < 5; look++)
                        {
                            await Task.Delay(2);
                            var seen = Environment.GetEnvironmentVariable(Set);
                            if (seen != mine)
                            {
                                lock (mixed) mixed.Add($"{mine} saw {seen}");
                            }
                        }

                        Interlocked.Decrement(ref inside);
                    }
                }
            })).ToArray();

            // The outer block waits for them, holding its lease: they must not wait for it.
            Assert.True(await FinishesWithin(Task.WhenAll(siblings), Patience), "the nested leases of the block's tasks deadlocked against the block");
            await Task.WhenAll(siblings);
            Assert.Equal("outer", Environment.GetEnvironmentVariable(Set));
        }

        Assert.Empty(mixed);
        Assert.Equal(1, most);
        Assert.Null(Environment.GetEnvironmentVariable(Set));
    }

    [Fact]
    public async Task A_flow_the_block_started_reads_the_blocks_variables_not_a_siblings_nested_ones()
    {
        var seen = new List<string?>();
        using (AwsEnvironmentLease.Acquire(Variables(("outer", null, null)), null, CancellationToken.None))
        {
            using var nestedHeld = new ManualResetEventSlim(false);
            using var release = new ManualResetEventSlim(false);
            var sibling = Task.Run(() =>
            {
                using (AwsEnvironmentLease.Acquire(Variables(("sibling", null, null)), null, CancellationToken.None))
                {
                    nestedHeld.Set();
                    release.Wait(Patience);
                }
            });
            Assert.True(nestedHeld.Wait(Patience));
            var reader = Task.Run(() => AwsEnvironmentLease.Read(() => Environment.GetEnvironmentVariable(Set)));
            Assert.False(await FinishesWithin(reader, TimeSpan.FromMilliseconds(300)), "the reader must wait for the sibling's nested lease to end");
            release.Set();
            Assert.True(await FinishesWithin(reader, Patience));
            seen.Add(await reader);
            await sibling;
        }

        Assert.Equal(new[] { "outer" }, seen);
    }

    [Fact]
    public async Task A_block_that_ends_while_a_flow_it_started_is_in_a_nested_lease_waits_for_it_before_putting_anything_back()
    {
        string? seenByNestedAtItsEnd = null;
        using var nestedHeld = new ManualResetEventSlim(false);
        using var release = new ManualResetEventSlim(false);
        var outerDone = InAnotherFlow(() =>
        {
            using (AwsEnvironmentLease.Acquire(Variables(("outer", null, null)), null, CancellationToken.None))
            {
                _ = Task.Run(() =>
                {
                    using (AwsEnvironmentLease.Acquire(Variables(("nested", null, null)), null, CancellationToken.None))
                    {
                        nestedHeld.Set();
                        release.Wait(Patience);
                        seenByNestedAtItsEnd = Environment.GetEnvironmentVariable(Set);
                    }
                });
                Assert.True(nestedHeld.Wait(Patience));
            }

            return true;
        });

        Assert.False(await FinishesWithin(outerDone, TimeSpan.FromMilliseconds(300)), "the outer lease must not end under a nested one");
        release.Set();
        Assert.True(await FinishesWithin(outerDone, Patience));
        Assert.Equal("nested", seenByNestedAtItsEnd);
        Assert.Null(Environment.GetEnvironmentVariable(Set));
    }

    [Fact]
    public async Task A_reader_in_another_flow_waits_and_sees_the_environment_as_it_is_outside_the_lease()
    {
        Environment.SetEnvironmentVariable(Set, "outside");
        try
        {
            var waited = 0;
            Task<string?> reader;
            using (AwsEnvironmentLease.Acquire(Variables(("block", null, null)), null, CancellationToken.None))
            {
                Assert.Equal("block", AwsEnvironmentLease.Read(() => Environment.GetEnvironmentVariable(Set)));
                reader = InAnotherFlow(() => AwsEnvironmentLease.Read(() => Environment.GetEnvironmentVariable(Set), () => Interlocked.Increment(ref waited)));
                Assert.False(await FinishesWithin(reader, TimeSpan.FromMilliseconds(300)), "the reader must not read the block's variables");
            }

            Assert.True(await FinishesWithin(reader, Patience));
            Assert.Equal("outside", await reader);
            Assert.Equal(1, waited);
        }
        finally
        {
            Environment.SetEnvironmentVariable(Set, null);
        }
    }

    [Fact]
    public async Task A_cancelled_wait_throws_and_changes_nothing()
    {
        using var stop = new CancellationTokenSource();
        Task<bool> second;
        using (AwsEnvironmentLease.Acquire(Variables(("first", null, null)), null, CancellationToken.None))
        {
            second = InAnotherFlow(() =>
            {
                try
                {
                    AwsEnvironmentLease.Acquire(Variables(("second", null, null)), stop.Cancel, stop.Token).Dispose();
                    return false;
                }
                catch (OperationCanceledException)
                {
                    return true;
                }
            });
            Assert.True(await FinishesWithin(second, Patience));
            Assert.True(await second);
            Assert.Equal("first", Environment.GetEnvironmentVariable(Set));
        }

        Assert.Null(Environment.GetEnvironmentVariable(Set));
        // A lease left held would make this wait for ever. (Not "waiting must not be called": a
        // reader of another test class, queued behind the first lease, may hold the lock a moment.)
        var again = InAnotherFlow(() =>
        {
            AwsEnvironmentLease.Acquire(Variables(("again", null, null)), null, CancellationToken.None).Dispose();
            return true;
        });
        Assert.True(await FinishesWithin(again, Patience), "the lease was left held");
    }

    [Fact]
    public void Source_keys_from_the_environment_are_read_once_and_do_not_follow_later_changes()
    {
        // AWS_* for real: the SDK's resolver reads only those. Parallel test classes that read them
        // wait for this lease (that is the point of it), so they never see the keys set here.
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["AWS_ACCESS_KEY_ID"] = "AKIALEASETESTFIRST01",
            ["AWS_SECRET_ACCESS_KEY"] = "lease-test-secret",
            ["AWS_SESSION_TOKEN"] = null,
            ["AWS_PROFILE"] = null,
        };
        using var lease = AwsEnvironmentLease.Acquire(variables, null, CancellationToken.None);
        var resolved = SourceCredentialResolver.Resolve();
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "AKIALEASETESTLATER01");

        Assert.Equal("AKIALEASETESTFIRST01", resolved.GetCredentials().AccessKey);
    }

    [Fact]
    public void A_blocks_variables_are_set_with_the_profile_hidden_and_all_come_back_afterwards()
    {
        // AWS_PROFILE for real, set by an outer lease: it is what AcquireForBlock hides, and parallel
        // readers of AWS_* wait for the lease.
        var outer = new Dictionary<string, string?>(StringComparer.Ordinal) { ["AWS_PROFILE"] = "someone-else", [Set] = "before", [Unset] = null };
        using (AwsEnvironmentLease.Acquire(outer, null, CancellationToken.None))
        {
            using (AwsEnvironmentLease.AcquireForBlock(() => Variables(("block", "block", null)), null, CancellationToken.None))
            {
                Assert.Equal("block", Environment.GetEnvironmentVariable(Set));
                Assert.Equal("block", Environment.GetEnvironmentVariable(Unset));
                Assert.Null(Environment.GetEnvironmentVariable("AWS_PROFILE"));
            }

            Assert.Equal("before", Environment.GetEnvironmentVariable(Set));
            Assert.Null(Environment.GetEnvironmentVariable(Unset));
            Assert.Equal("someone-else", Environment.GetEnvironmentVariable("AWS_PROFILE"));
        }
    }

    [Fact]
    public async Task A_lease_without_credentials_removes_the_keys_refuses_keys_nested_in_it_from_any_of_its_flows_and_puts_all_back()
    {
        // Keys for real, set by an outer lease of this test's own (parallel readers of AWS_* wait for it).
        var outer = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["AWS_ACCESS_KEY_ID"] = "AKIAOUTERTEST0000001", ["AWS_SECRET_ACCESS_KEY"] = "outer-secret", ["AWS_SESSION_TOKEN"] = "outer-token", [Set] = "before",
        };
        using (AwsEnvironmentLease.Acquire(outer, null, CancellationToken.None))
        {
            using (var parallel = AwsEnvironmentLease.AcquireWithoutCredentials(null, CancellationToken.None))
            {
                Assert.True(parallel.IsNested);
                Assert.Null(Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID"));
                Assert.Null(Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY"));
                Assert.Null(Environment.GetEnvironmentVariable("AWS_SESSION_TOKEN"));
                Assert.Equal("true", Environment.GetEnvironmentVariable("AWS_EC2_METADATA_DISABLED"));

                // A block of the parallel run (a flow the run started) may not set keys, in a lease or for the process.
                var inBlock = Task.Run(() =>
                {
                    Assert.Throws<KeysInParallelBlockException>(() => AwsEnvironmentLease.Acquire(Variables(("block", null, null)), null, CancellationToken.None));
                    Assert.Throws<KeysInParallelBlockException>(() => AwsEnvironmentLease.SetForProcess(Variables(("block", null, null)), null, CancellationToken.None));
                    using (AwsEnvironmentLease.AcquireWithoutCredentials(null, CancellationToken.None))
                    {
                        return Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID");
                    }
                });
                Assert.True(await FinishesWithin(inBlock, Patience), "a refused lease must give its turn back");
                Assert.Null(await inBlock);
                Assert.Equal("before", Environment.GetEnvironmentVariable(Set));
            }

            Assert.Equal("AKIAOUTERTEST0000001", Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID"));
            Assert.Equal("outer-token", Environment.GetEnvironmentVariable("AWS_SESSION_TOKEN"));
        }
    }

    private static Dictionary<string, string?> Variables((string? set, string? unset, string? empty) values) =>
        new(StringComparer.Ordinal) { [Set] = values.set, [Unset] = values.unset, [Empty] = values.empty };

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    private static async Task<bool> FinishesWithin(Task task, TimeSpan time) => await Task.WhenAny(task, Task.Delay(time)) == task;

    private static Task<T> InAnotherFlow<T>(Func<T> work)
    {
        using (ExecutionContext.SuppressFlow())
        {
            return Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
    }
}
