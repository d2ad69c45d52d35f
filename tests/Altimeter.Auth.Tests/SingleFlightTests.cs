using System.Collections.Concurrent;
using Altimeter.Auth;
using Altimeter.Auth.Tests.Doubles;
using Amazon.Runtime;
using Xunit;

namespace Altimeter.Auth.Tests;

public class SingleFlightTests
{
    private static List<string> Accounts(int count) =>
        Enumerable.Range(1, count).Select(i => (500000000000L + i).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();

    [Fact]
    public async Task Sixteen_threads_asking_for_the_same_100_accounts_cause_exactly_101_AssumeRole_calls()
    {
        var sts = new SlowSecurityTokenService(TimeSpan.FromMilliseconds(5));
        var accessor = new Accessor(new[] { TestData.TwoHop() });
        var accounts = Accounts(100);
        var wrong = new ConcurrentBag<string>();

        await Task.WhenAll(Enumerable.Range(0, 16).Select(worker => Task.Run(async () =>
        {
            // Each worker walks the accounts from its own starting point, so they collide everywhere.
            for (var i = 0; i < accounts.Count; i++)
            {
                var account = accounts[(i + (worker * 7)) % accounts.Count];
                var session = await accessor.GetSessionAsync(account, TestData.Options(sts));
                if (session.AccountId != account || sts.AccountOf(session.GetCredentials().AccessKey) != account)
                {
                    wrong.Add(account);
                }
            }
        })));

        Assert.Equal(101, sts.Calls.Count);
        Assert.Equal(100, sts.Calls.Count(c => c.EndsWith(":role/TargetRole", StringComparison.Ordinal)));
        Assert.Empty(wrong);
    }

    [Fact]
    public async Task A_failed_flight_reaches_every_waiter_and_is_not_cached()
    {
        // The target's answer waits for the test: all eight callers have joined its flight before it fails.
        var sts = new SlowSecurityTokenService(TimeSpan.Zero) { FailTargets = true, TargetGate = new(TaskCreationOptions.RunContinuationsAsynchronously) };
        var accessor = new Accessor(new[] { TestData.TwoHop() });

        var pending = Enumerable.Range(0, 8).Select(async _ =>
        {
            try
            {
                await accessor.GetSessionAsync(TestData.Target, TestData.Options(sts));
                return null;
            }
            catch (AccountAuthException e)
            {
                return e;
            }
        }).ToList();
        sts.TargetGate.SetResult(true);
        var attempts = await Task.WhenAll(pending);

        Assert.All(attempts, e => Assert.Contains("AccessDenied", e!.Message));
        Assert.Equal(2, sts.Calls.Count);
        Assert.Null(accessor.CredentialsCache.Get(new CacheKey(TestData.Target, "TargetRole", "altimeter")));

        sts.FailTargets = false;
        var session = await accessor.GetSessionAsync(TestData.Target, TestData.Options(sts));
        Assert.Equal(TestData.Target, session.AccountId);
        Assert.Equal(3, sts.Calls.Count);
    }

    [Fact]
    public async Task A_waiter_that_gives_up_does_not_cancel_the_flight_for_the_others()
    {
        // STS answers only when the test says so: no timing decides who waits for whom.
        var sts = new SlowSecurityTokenService(TimeSpan.Zero) { Gate = new(TaskCreationOptions.RunContinuationsAsynchronously) };
        var accessor = new Accessor(new[] { TestData.TwoHop() });
        using var impatient = new CancellationTokenSource();

        var patient = accessor.GetSessionAsync(TestData.Target, TestData.Options(sts));
        var giving = accessor.GetSessionAsync(TestData.Target, TestData.Options(sts), impatient.Token);
        impatient.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => giving);
        sts.Gate.SetResult(true);
        Assert.Equal(TestData.Target, (await patient).AccountId);
        Assert.Equal(2, sts.Calls.Count);
    }

    [Fact]
    public async Task Different_source_identities_do_not_share_a_flight()
    {
        var sts = new SlowSecurityTokenService(TimeSpan.FromMilliseconds(50));
        var accessor = new Accessor(new[] { TestData.TwoHop() });
        var other = new BasicAWSCredentials("AKIAOTHERSOURCE00003", "other");

        var sessions = await Task.WhenAll(
            accessor.GetSessionAsync(TestData.Target, TestData.Options(sts)),
            accessor.GetSessionAsync(TestData.Target, TestData.Options(sts, source: other)));

        Assert.Equal(4, sts.Calls.Count);
        Assert.NotEqual(sessions[0].GetCredentials().AccessKey, sessions[1].GetCredentials().AccessKey);
    }

    /// <summary>An STS that takes its time, so that concurrent callers overlap, and remembers whose keys it issued.</summary>
    private sealed class SlowSecurityTokenService : ISecurityTokenService
    {
        private readonly TimeSpan _delay;
        private readonly ConcurrentDictionary<string, string> _accountOfKey = new();
        private int _issued;

        public SlowSecurityTokenService(TimeSpan delay) => _delay = delay;

        /// <summary>Every answer waits for this; open unless a test closes it.</summary>
        public TaskCompletionSource<bool> Gate { get; init; } = Open();

        /// <summary>Answers for TargetRole also wait for this.</summary>
        public TaskCompletionSource<bool> TargetGate { get; init; } = Open();

        public ConcurrentQueue<string> Calls { get; } = new();

        public bool FailTargets { get; set; }

        public string? AccountOf(string accessKey) => _accountOfKey.TryGetValue(accessKey, out var account) ? account : null;

        public async Task<AssumedRole> AssumeRoleAsync(ImmutableCredentials signer, RoleAssumption request, string region, CancellationToken cancellationToken)
        {
            Calls.Enqueue(request.RoleArn);
            await Gate.Task;
            if (request.RoleArn.EndsWith(":role/TargetRole", StringComparison.Ordinal))
            {
                await TargetGate.Task;
            }

            await Task.Delay(_delay, cancellationToken);
            var account = request.RoleArn.Split(':')[4];
            if (FailTargets && request.RoleArn.EndsWith(":role/TargetRole", StringComparison.Ordinal))
            {
                throw FakeSecurityTokenService.AccessDenied(request);
            }

            var key = $"ASIASLOW{Interlocked.Increment(ref _issued):D12}";
            _accountOfKey[key] = account;
            return new AssumedRole(
                new CachedCredentials(key, "slow-secret", "slow-token", DateTimeOffset.UtcNow.AddHours(1)),
                $"arn:aws:sts::{account}:assumed-role/{request.RoleArn.Split('/')[1]}/{request.RoleSessionName}");
        }

        public Task<CallerIdentity> GetCallerIdentityAsync(ImmutableCredentials credentials, string region, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("chains must not call GetCallerIdentity");

        // As the STS API reference has it (API_GetSessionToken): the IAM user's own temporary keys, for DurationSeconds.
        public async Task<CachedCredentials> GetSessionTokenAsync(ImmutableCredentials longTermKeys, string serialNumber, string tokenCode, int durationSeconds, string region, CancellationToken cancellationToken)
        {
            Calls.Enqueue("GetSessionToken " + serialNumber);
            await Gate.Task;
            await Task.Delay(_delay, cancellationToken);
            return new CachedCredentials($"ASIASLOWMFA{Interlocked.Increment(ref _issued):D9}", "slow-mfa-secret", "slow-mfa-token", DateTimeOffset.UtcNow.AddSeconds(durationSeconds));
        }

        private static TaskCompletionSource<bool> Open()
        {
            var open = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            open.SetResult(true);
            return open;
        }
    }
}
