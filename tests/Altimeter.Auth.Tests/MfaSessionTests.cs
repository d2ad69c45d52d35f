using Altimeter.Auth;
using Altimeter.Auth.Tests.Doubles;
using Amazon.Runtime;
using Xunit;

namespace Altimeter.Auth.Tests;

/// <summary>One MFA session (GetSessionToken) for a chain whose first AssumeRole needs a code and that starts from an IAM user's long-term keys.</summary>
public sealed class MfaSessionTests : IDisposable
{
    private const string Serial = "arn:aws:iam::111111111111:mfa/ops";
    private const string HubArn = "arn:aws:iam::111111111111:role/Hub";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"altimeter-mfa-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private static MultiHopAccessor MfaHub(int? hubSeconds = null, string? targetSerial = null, int? sessionSeconds = null) =>
        new("mfa", new[]
        {
            new AccessStep("Hub", TestData.Hub, null, _ => null, new AssumeRoleOptions(durationSeconds: hubSeconds, mfaSerial: Serial, mfaSessionDurationSeconds: sessionSeconds)),
            new AccessStep("Target", null, null, _ => null, targetSerial is null ? null : new AssumeRoleOptions(mfaSerial: targetSerial)),
        });

    // A person with a device: a new code each time they are asked.
    private sealed class Person
    {
        private int _asked;

        public int Asked => _asked;

        public Task<string?> Code(string serial, CancellationToken cancellationToken) => Task.FromResult<string?>((100000 + Interlocked.Increment(ref _asked)).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static SessionOptions Options(FakeSecurityTokenService sts, Person person, AWSCredentials? source = null)
    {
        var options = TestData.Options(sts, source: source);
        options.MfaTokenCode = person.Code;
        return options;
    }

    [Fact]
    public async Task Two_hundred_accounts_from_long_term_keys_take_one_GetSessionToken_one_code_and_every_hub_AssumeRole_is_signed_by_the_MFA_session()
    {
        var sts = new FakeSecurityTokenService { RequiresMfa = request => request.RoleArn == HubArn };
        var person = new Person();
        var accessor = new Accessor(new[] { MfaHub(hubSeconds: 7200) }, true, new CredentialsCache());
        var targets = Enumerable.Range(0, 200).Select(i => (300000000000L + i).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();

        await Task.WhenAll(targets.Select(target => accessor.GetSessionAsync(target, Options(sts, person))));

        Assert.Equal(1, person.Asked);
        var opened = Assert.Single(sts.GetSessionTokenCalls);
        Assert.Equal(TestData.Source.GetCredentials().AccessKey, opened.SignedBy);
        Assert.Equal(Serial, opened.SerialNumber);
        Assert.Equal("100001", opened.TokenCode);
        Assert.Equal(AssumeRoleOptions.DefaultMfaSessionDurationSeconds, opened.DurationSeconds);
        var session = sts.Issued.Single(c => c.AccessKeyId.StartsWith("ASIAMFASESSION", StringComparison.Ordinal));
        var hub = Assert.Single(sts.AssumeRoleCalls, call => call.Request.RoleArn == HubArn);
        Assert.Equal(session.AccessKeyId, hub.SignedBy);
        Assert.Null(hub.Request.TokenCode);
        Assert.Null(hub.Request.Options!.MfaSerial);
        // Signed with temporary credentials: AWS grants at most an hour.
        Assert.Equal(AssumeRoleOptions.ChainedMaxDurationSeconds, hub.Request.Options.DurationSeconds);
        Assert.Equal(201, sts.AssumeRoleCalls.Count);
        Assert.DoesNotContain(sts.AssumeRoleCalls, call => call.SignedBy == TestData.Source.GetCredentials().AccessKey);
    }

    [Fact]
    public async Task While_the_person_types_the_walks_wait_for_the_answer_without_a_thread_and_all_take_the_one_code()
    {
        var sts = new FakeSecurityTokenService { RequiresMfa = request => request.RoleArn == HubArn };
        var accessor = new Accessor(new[] { MfaHub() }, true, new CredentialsCache());
        var typed = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var asked = new SemaphoreSlim(0);
        var options = TestData.Options(sts);
        options.MfaTokenCode = (serial, _) =>
        {
            asked.Release();
            return typed.Task;
        };
        var targets = Enumerable.Range(0, 50).Select(i => (300000000000L + i).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();

        // Started from this thread: with the person not done, each call hands back a pending task at once.
        var walks = targets.Select(target => accessor.GetSessionAsync(target, options)).ToList();
        Assert.True(await asked.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.DoesNotContain(walks, walk => walk.IsCompleted);
        Assert.Empty(sts.GetSessionTokenCalls);

        typed.SetResult("100001");
        await Task.WhenAll(walks);

        Assert.Equal(0, asked.CurrentCount);
        Assert.Equal("100001", Assert.Single(sts.GetSessionTokenCalls).TokenCode);
    }

    [Fact]
    public async Task A_later_hop_with_the_same_device_needs_no_code_on_the_MFA_session_and_another_device_is_still_asked()
    {
        const string other = "arn:aws:iam::111111111111:mfa/other";
        var sts = new FakeSecurityTokenService { RequiresMfa = _ => true };
        var person = new Person();
        var cache = new CredentialsCache();

        await new Accessor(new[] { MfaHub(targetSerial: Serial) }, true, cache).GetSessionAsync(TestData.Target, Options(sts, person));
        Assert.Equal(1, person.Asked);
        Assert.All(sts.AssumeRoleCalls, call => Assert.Null(call.Request.TokenCode));

        await new Accessor(new[] { MfaHub(targetSerial: other) }, true, cache).GetSessionAsync("333333333333", Options(sts, person));
        Assert.Equal(2, person.Asked);
        var target = sts.AssumeRoleCalls.Last();
        Assert.Equal(other, target.Request.Options!.MfaSerial);
        Assert.Equal("100002", target.Request.TokenCode);
    }

    [Fact]
    public async Task Temporary_source_credentials_keep_a_code_per_AssumeRole()
    {
        var sts = new FakeSecurityTokenService();
        var person = new Person();
        var temporary = new SessionAWSCredentials("ASIATEMPSOURCE000001", "temp-secret", "temp-token");
        var accessor = new Accessor(new[] { MfaHub(targetSerial: Serial) }, true, new CredentialsCache());

        await accessor.GetSessionAsync(TestData.Target, Options(sts, person, temporary));

        Assert.Empty(sts.GetSessionTokenCalls);
        Assert.Equal(2, person.Asked);
        Assert.Equal(new[] { "100001", "100002" }, sts.AssumeRoleCalls.Select(call => call.Request.TokenCode).ToArray());
        Assert.Equal("ASIATEMPSOURCE000001", sts.AssumeRoleCalls.First().SignedBy);
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public async Task Turned_off_or_without_a_cache_the_first_AssumeRole_carries_the_code_itself(bool useMfaSession, bool cacheCreds)
    {
        var sts = new FakeSecurityTokenService();
        var person = new Person();
        var options = Options(sts, person);
        options.UseMfaSession = useMfaSession;

        await new Accessor(new[] { MfaHub() }, cacheCreds, new CredentialsCache()).GetSessionAsync(TestData.Target, options);

        Assert.Empty(sts.GetSessionTokenCalls);
        var hub = sts.AssumeRoleCalls.First();
        Assert.Equal(TestData.Source.GetCredentials().AccessKey, hub.SignedBy);
        Assert.Equal(Serial, hub.Request.Options!.MfaSerial);
        Assert.Equal("100001", hub.Request.TokenCode);
    }

    [Fact]
    public async Task A_chain_whose_first_step_needs_no_code_opens_no_MFA_session()
    {
        var sts = new FakeSecurityTokenService();
        var person = new Person();
        var chain = new MultiHopAccessor("mfa", new[]
        {
            new AccessStep("Hub", TestData.Hub),
            new AccessStep("Target", null, null, _ => null, new AssumeRoleOptions(mfaSerial: Serial)),
        });
        var accessor = new Accessor(new[] { chain }, true, new CredentialsCache());

        await accessor.GetSessionAsync(TestData.Target, Options(sts, person));
        await accessor.GetSessionAsync("333333333333", Options(sts, person));

        Assert.Empty(sts.GetSessionTokenCalls);
        Assert.Equal(2, person.Asked);
    }

    [Fact]
    public async Task The_MFA_session_is_bound_to_the_long_term_key_and_the_device()
    {
        var sts = new FakeSecurityTokenService();
        var person = new Person();
        var cache = new CredentialsCache();
        var otherKey = new BasicAWSCredentials("AKIAOTHERSOURCE00002", "other-secret");
        const string otherSerial = "arn:aws:iam::111111111111:mfa/other";
        var otherDevice = new MultiHopAccessor("mfa", new[]
        {
            new AccessStep("Hub", TestData.Hub, null, _ => null, new AssumeRoleOptions(mfaSerial: otherSerial)),
            new AccessStep("Target"),
        });

        await new Accessor(new[] { MfaHub() }, true, cache).GetSessionAsync(TestData.Target, Options(sts, person));
        await new Accessor(new[] { MfaHub() }, true, cache).GetSessionAsync("333333333333", Options(sts, person, otherKey));
        await new Accessor(new[] { otherDevice }, true, cache).GetSessionAsync("444444444444", Options(sts, person));
        await new Accessor(new[] { MfaHub() }, true, cache).GetSessionAsync("555555555555", Options(sts, person));

        Assert.Equal(3, person.Asked);
        Assert.Equal(
            new[] { ("AKIASOURCE0000000001", Serial), ("AKIAOTHERSOURCE00002", Serial), ("AKIASOURCE0000000001", otherSerial) },
            sts.GetSessionTokenCalls.Select(call => (call.SignedBy, call.SerialNumber)).ToArray());
        Assert.Null(cache.GetMfaSession("AKIAOTHERSOURCE00003", Serial, TimeSpan.Zero, NullAuthLog.Instance));
    }

    [Fact]
    public async Task A_second_process_with_the_shared_store_reaches_a_new_account_with_no_code_and_another_key_does_not()
    {
        var sts = new FakeSecurityTokenService();
        var person = new Person();
        var first = new CredentialsCache(() => DateTimeOffset.UtcNow, new SharedCredentialsStore(_directory));
        await new Accessor(new[] { MfaHub() }, true, first).GetSessionAsync(TestData.Target, Options(sts, person));

        var second = new CredentialsCache(() => DateTimeOffset.UtcNow, new SharedCredentialsStore(_directory));
        await new Accessor(new[] { MfaHub() }, true, second).GetSessionAsync("333333333333", Options(sts, person));
        Assert.Equal(1, person.Asked);
        Assert.Single(sts.GetSessionTokenCalls);

        var third = new CredentialsCache(() => DateTimeOffset.UtcNow, new SharedCredentialsStore(_directory));
        await new Accessor(new[] { MfaHub() }, true, third).GetSessionAsync("444444444444", Options(sts, person, new BasicAWSCredentials("AKIAOTHERSOURCE00002", "other-secret")));
        Assert.Equal(2, person.Asked);
        Assert.Equal(2, sts.GetSessionTokenCalls.Count);
    }

    // Issue 23, item 5: the key id is no secret; whoever holds it without the secret key gets no MFA session.
    [Fact]
    public async Task The_same_key_id_with_another_secret_gets_no_MFA_session_in_memory_nor_through_the_shared_store()
    {
        var sts = new FakeSecurityTokenService();
        var person = new Person();
        var wrongSecret = new BasicAWSCredentials(TestData.Source.GetCredentials().AccessKey, "not-the-secret-of-that-key");
        var first = new CredentialsCache(() => DateTimeOffset.UtcNow, new SharedCredentialsStore(_directory));
        await new Accessor(new[] { MfaHub() }, true, first).GetSessionAsync(TestData.Target, Options(sts, person));

        await new Accessor(new[] { MfaHub() }, true, first).GetSessionAsync("333333333333", Options(sts, person, wrongSecret));
        Assert.Equal(2, person.Asked);
        Assert.Equal(2, sts.GetSessionTokenCalls.Count);

        var second = new CredentialsCache(() => DateTimeOffset.UtcNow, new SharedCredentialsStore(_directory));
        await new Accessor(new[] { MfaHub() }, true, second).GetSessionAsync("444444444444", Options(sts, person, new BasicAWSCredentials(TestData.Source.GetCredentials().AccessKey, "another-wrong-secret")));
        Assert.Equal(3, person.Asked);
        Assert.Equal(3, sts.GetSessionTokenCalls.Count);

        // The right secret, in a third instance: the first session, from the shared store, no code.
        var third = new CredentialsCache(() => DateTimeOffset.UtcNow, new SharedCredentialsStore(_directory));
        await new Accessor(new[] { MfaHub() }, true, third).GetSessionAsync("555555555555", Options(sts, person));
        Assert.Equal(3, person.Asked);
        Assert.Equal(3, sts.GetSessionTokenCalls.Count);
        Assert.DoesNotContain("source-secret-not-real", string.Concat(Directory.GetFiles(_directory).Select(File.ReadAllText)));
    }

    [Fact]
    public async Task An_expired_MFA_session_asks_again_and_one_still_valid_signs_a_new_hub_session_without_a_code()
    {
        var sts = new FakeSecurityTokenService { MfaSessionLifetime = TimeSpan.FromHours(3) };
        var person = new Person();
        var now = DateTimeOffset.UtcNow;
        var cache = new CredentialsCache(() => now);
        var accessor = new Accessor(new[] { MfaHub() }, true, cache);

        await accessor.GetSessionAsync(TestData.Target, Options(sts, person));
        now += TimeSpan.FromHours(2);
        await accessor.GetSessionAsync(TestData.Target, Options(sts, person));
        Assert.Equal(1, person.Asked);
        Assert.Equal(2, sts.AssumeRoleCalls.Count(call => call.Request.RoleArn == HubArn));

        now += TimeSpan.FromHours(1);
        await accessor.GetSessionAsync(TestData.Target, Options(sts, person));
        Assert.Equal(2, person.Asked);
        Assert.Equal(2, sts.GetSessionTokenCalls.Count);
    }

    [Fact]
    public async Task A_session_renews_itself_through_the_cached_MFA_session_without_a_code()
    {
        var sts = new FakeSecurityTokenService { Lifetime = TimeSpan.FromMinutes(3) };
        var person = new Person();
        var session = await new Accessor(new[] { MfaHub() }, true, new CredentialsCache()).GetSessionAsync(TestData.Target, Options(sts, person));

        // Hops of three minutes inside a five-minute window: the next read renews, assuming both hops again.
        session.RenewalWindow = TimeSpan.FromMinutes(5);
        var renewed = await session.GetCredentialsAsync();

        Assert.Equal(1, session.Renewals);
        Assert.Equal(4, sts.AssumeRoleCalls.Count);
        Assert.NotNull(renewed.Token);
        Assert.Equal(1, person.Asked);
        Assert.Single(sts.GetSessionTokenCalls);
    }

    [Fact]
    public async Task A_refused_code_is_not_kept_and_the_next_walk_asks_again()
    {
        var sts = new FakeSecurityTokenService();
        var cache = new CredentialsCache();
        var options = TestData.Options(sts);
        options.MfaTokenCode = (_, _) => Task.FromResult<string?>("123456");
        var accessor = new Accessor(new[] { MfaHub() }, true, cache);
        await accessor.GetSessionAsync(TestData.Target, options);
        cache.Clear();

        var e = await Assert.ThrowsAsync<AccountAuthException>(() => accessor.GetSessionAsync("333333333333", options));

        var refused = Assert.IsType<StsCallException>(Assert.Single(e.Failures).Error);
        Assert.Equal("AccessDenied", refused.StsErrorCode);
        Assert.Null(cache.GetMfaSession(CacheBinding.OfCredentials(TestData.Source.GetCredentials()), Serial, TimeSpan.Zero, NullAuthLog.Instance));
        Assert.DoesNotContain("123456", e.Message);
    }

    [Fact]
    public async Task The_MFA_session_is_never_listed_or_exported_and_Clear_removes_it_from_memory_and_the_shared_store()
    {
        var sts = new FakeSecurityTokenService();
        var cache = new CredentialsCache(() => DateTimeOffset.UtcNow, new SharedCredentialsStore(_directory));
        await new Accessor(new[] { MfaHub() }, true, cache).GetSessionAsync(TestData.Target, Options(sts, new Person()));
        var session = sts.Issued.Single(c => c.AccessKeyId.StartsWith("ASIAMFASESSION", StringComparison.Ordinal));

        Assert.Equal(2, cache.List().Count);
        Assert.DoesNotContain(cache.List(), entry => entry.AccessKeyId.EndsWith(session.AccessKeyId.Substring(session.AccessKeyId.Length - 4), StringComparison.Ordinal));
        var export = cache.ExportWithSecrets();
        Assert.DoesNotContain(session.AccessKeyId, export);
        Assert.DoesNotContain(session.SecretAccessKey, export);

        // A filtered removal names accounts and roles: it leaves the MFA session alone.
        cache.Remove(_ => true);
        Assert.NotNull(new SharedCredentialsStore(_directory).TryGetMfaSession(CacheBinding.OfCredentials(TestData.Source.GetCredentials()), Serial, DateTimeOffset.UtcNow, NullAuthLog.Instance));

        cache.Clear();
        Assert.Null(cache.GetMfaSession(CacheBinding.OfCredentials(TestData.Source.GetCredentials()), Serial, TimeSpan.Zero, NullAuthLog.Instance));
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public void A_shared_MFA_session_is_found_only_for_its_key_and_device()
    {
        var store = new SharedCredentialsStore(_directory);
        var session = new CachedCredentials("ASIAMFASHARED0000001", "mfa-secret", "mfa-token", DateTimeOffset.UtcNow.AddHours(12));
        store.PutMfaSession(session, "AKIAUSERKEY000000001", Serial, NullAuthLog.Instance);

        Assert.Equal("ASIAMFASHARED0000001", store.TryGetMfaSession("AKIAUSERKEY000000001", Serial, DateTimeOffset.UtcNow, NullAuthLog.Instance)!.AccessKeyId);
        Assert.Null(store.TryGetMfaSession("AKIAUSERKEY000000002", Serial, DateTimeOffset.UtcNow, NullAuthLog.Instance));
        Assert.Null(store.TryGetMfaSession("AKIAUSERKEY000000001", "arn:aws:iam::111111111111:mfa/other", DateTimeOffset.UtcNow, NullAuthLog.Instance));
        // Nor does it answer for a hop of any name.
        Assert.Null(store.TryGet(new CacheKey("111111111111", "Hub", "mfa"), null, DateTimeOffset.UtcNow, NullAuthLog.Instance));
        Assert.Null(store.TryGetMfaSession("AKIAUSERKEY000000001", Serial, DateTimeOffset.UtcNow.AddHours(13), NullAuthLog.Instance));
    }

    [Theory]
    [InlineData(899)]
    [InlineData(129601)]
    public void An_MFA_session_duration_outside_AWS_limits_is_refused(int seconds)
    {
        var e = Assert.Throws<AccessorDefinitionException>(() => new AssumeRoleOptions(mfaSerial: Serial, mfaSessionDurationSeconds: seconds));
        Assert.Contains("900 to 129600", e.Message);
    }

    [Fact]
    public void An_MFA_session_duration_without_a_device_is_refused()
    {
        var e = Assert.Throws<AccessorDefinitionException>(() => AccessorJson.Read("""{"multi_hop_accessors": [{"role_session_name": "ab", "access_steps": [{"role_name": "R", "mfa_session_duration_seconds": 3600}]}]}""", "p.json"));
        Assert.Contains("needs the step's mfa_serial", e.Message);
    }

    [Fact]
    public async Task The_MFA_session_duration_loads_writes_back_and_reaches_GetSessionToken_and_on_a_later_step_is_a_warning()
    {
        const string json = """
            {"multi_hop_accessors": [{"role_session_name": "ab", "access_steps": [
              {"role_name": "Hub", "account_id": "111111111111", "mfa_serial": "arn:aws:iam::111111111111:mfa/ops", "mfa_session_duration_seconds": 3600},
              {"role_name": "Target", "mfa_serial": "arn:aws:iam::111111111111:mfa/ops", "mfa_session_duration_seconds": 7200}]}]}
            """;
        var accessor = AccessorJson.Read(json, "p.json");
        var sts = new FakeSecurityTokenService();

        await accessor.GetSessionAsync(TestData.Target, Options(sts, new Person()));

        Assert.Equal(3600, Assert.Single(sts.GetSessionTokenCalls).DurationSeconds);
        Assert.Contains("\"mfa_session_duration_seconds\": 3600", AccessorJson.Write(accessor));
        Assert.Contains(accessor.Warnings, w => w.Contains("mfa_session_duration_seconds 7200 is ignored", StringComparison.Ordinal));
        Assert.Equal(3600, AccessorTables.Read(new[] { new System.Collections.Hashtable
        {
            ["RoleSessionName"] = "ab",
            ["AccessSteps"] = new object[] { new System.Collections.Hashtable { ["RoleName"] = "R", ["MfaSerial"] = Serial, ["MfaSessionDurationSeconds"] = 3600 } },
        } }, "table").MultiHopAccessors[0].AccessSteps[0].Options!.MfaSessionDurationSeconds);
    }
}
