using Altimeter.Auth;
using Altimeter.Auth.Tests.Doubles;
using Xunit;

namespace Altimeter.Auth.Tests;

public sealed class SharedCredentialsStoreTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"altimeter-shared-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private static CachedCredentials Credentials(string key, TimeSpan lifetime) =>
        new(key, "shared-secret-" + key, "shared-token-" + key, DateTimeOffset.UtcNow + lifetime);

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void An_entry_round_trips_in_an_owner_only_file_whose_name_is_a_hash()
    {
        var store = new SharedCredentialsStore(_directory);
        var log = new RecordingLog();
        store.Put(Credentials("ASIASHARED0000000001", TimeSpan.FromHours(1)), new CacheKey("123456789012", "Role", "s1"), "AKIASIGNER", log);

        var found = store.TryGet(new CacheKey("123456789012", "Role", "s1"), "AKIASIGNER", DateTimeOffset.UtcNow, log);

        Assert.Equal("ASIASHARED0000000001", found!.AccessKeyId);
        Assert.Equal("shared-token-ASIASHARED0000000001", found.SessionToken);
        var file = Assert.Single(Directory.GetFiles(_directory));
        Assert.DoesNotContain(":", Path.GetFileName(file));
        Assert.DoesNotContain("123456789012", Path.GetFileName(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_directory));
        Assert.Null(store.TryGet(new CacheKey("123456789012", "Role", "s1"), "AKIAOTHERSIGNER", DateTimeOffset.UtcNow, log));
    }

    [Fact]
    public void An_unsigned_lookup_of_a_shared_entry_does_not_leave_it_in_memory_for_every_signer()
    {
        var writer = new CredentialsCache(() => DateTimeOffset.UtcNow, new SharedCredentialsStore(_directory));
        writer.Store(Credentials("ASIASHARED0000000002", TimeSpan.FromHours(1)), new CacheKey("123456789012", "Role", "s1"), "AKIASIGNER");
        var reader = new CredentialsCache(() => DateTimeOffset.UtcNow, new SharedCredentialsStore(_directory));

        Assert.NotNull(reader.Get(new CacheKey("123456789012", "Role", "s1")));

        Assert.Null(reader.Get(new CacheKey("123456789012", "Role", "s1"), "AKIAOTHERSIGNER"));
        Assert.NotNull(reader.Get(new CacheKey("123456789012", "Role", "s1"), "AKIASIGNER"));
    }

    [Fact]
    public void A_malformed_file_is_ignored_with_a_warning_and_replaced()
    {
        var store = new SharedCredentialsStore(_directory);
        var log = new RecordingLog();
        store.Put(Credentials("ASIASHARED0000000002", TimeSpan.FromHours(1)), new CacheKey("123456789012", "Role", "s1"), null, log);
        var file = Assert.Single(Directory.GetFiles(_directory));
        File.WriteAllText(file, "{\"key\": \"123456789012:Role:s1\", \"access_key_id\": ");

        Assert.Null(store.TryGet(new CacheKey("123456789012", "Role", "s1"), null, DateTimeOffset.UtcNow, log));
        var warning = Assert.Single(log.Warnings);
        Assert.Contains("malformed", warning);
        Assert.DoesNotContain("shared-secret", warning);

        store.Put(Credentials("ASIASHARED0000000003", TimeSpan.FromHours(1)), new CacheKey("123456789012", "Role", "s1"), null, log);
        Assert.Equal("ASIASHARED0000000003", store.TryGet(new CacheKey("123456789012", "Role", "s1"), null, DateTimeOffset.UtcNow, log)!.AccessKeyId);
    }

    [Theory]
    [InlineData("\"expiration\": \"planted-secret-value\"}", "a field is not of the type an entry holds")]
    [InlineData("\"expiration\": 99999999999999999999999}", "a field is not of the type an entry holds")]
    [InlineData("\"expiration\": planted-secret-value}", "not valid JSON at line 1, column ")]
    public void A_malformed_file_is_described_in_our_words_without_quoting_its_fields(string tail, string reason)
    {
        var store = new SharedCredentialsStore(_directory);
        var log = new RecordingLog();
        store.Put(Credentials("ASIASHARED0000000004", TimeSpan.FromHours(1)), new CacheKey("123456789012", "Role", "s1"), null, log);
        File.WriteAllText(Assert.Single(Directory.GetFiles(_directory)), "{\"key\": \"123456789012:Role:s1\", \"access_key_id\": \"ASIA0000\", \"secret_access_key\": \"s\", " + tail);

        Assert.Null(store.TryGet(new CacheKey("123456789012", "Role", "s1"), null, DateTimeOffset.UtcNow, log));

        var warning = Assert.Single(log.Warnings);
        Assert.Contains($"is malformed ({reason}", warning);
        Assert.DoesNotContain("planted", warning);
    }

    [Fact]
    public void A_warning_of_the_store_goes_to_the_call_that_met_the_file_and_to_no_other()
    {
        var cache = new CredentialsCache(() => DateTimeOffset.UtcNow, new SharedCredentialsStore(_directory));
        cache.Store(Credentials("ASIASHARED0000000005", TimeSpan.FromHours(1)), new CacheKey("123456789012", "Role", "s1"), "AKIASIGNER");
        File.WriteAllText(Assert.Single(Directory.GetFiles(_directory)), "{\"broken\": ");
        var reader = new CredentialsCache(() => DateTimeOffset.UtcNow, cache.Shared);
        var caller = new RecordingLog(verbose: false);
        var bystander = new RecordingLog(verbose: false);

        Assert.Null(reader.Get(new CacheKey("123456789012", "Role", "s1"), "AKIASIGNER", log: caller));
        Assert.Null(reader.Get(new CacheKey("123456789012", "Role", "s2"), "AKIASIGNER", log: bystander));

        Assert.Contains("malformed", Assert.Single(caller.Warnings));
        Assert.Empty(bystander.Warnings);
    }

    [Fact]
    public void A_cache_lists_the_entries_another_process_wrote_in_its_store_and_removes_them_alike()
    {
        var writer = new CredentialsCache(() => DateTimeOffset.UtcNow, new SharedCredentialsStore(_directory));
        writer.Store(Credentials("ASIASHARED0000000006", TimeSpan.FromHours(1)), new CacheKey("123456789012", "Role", "s1"), "AKIASIGNER");
        writer.Store(Credentials("ASIASHARED0000000007", TimeSpan.FromHours(1)), new CacheKey("210987654321", "Role", "s1"), "AKIASIGNER");
        var reader = new CredentialsCache(() => DateTimeOffset.UtcNow, new SharedCredentialsStore(_directory));

        var listed = reader.List();

        Assert.Equal(new[] { "123456789012:Role:s1", "210987654321:Role:s1" }, listed.Select(entry => entry.Key));
        Assert.All(listed, entry => Assert.Equal(reader.Shared!.Directory, entry.SharedCachePath));
        Assert.Equal("****0006", listed[0].AccessKeyId);
        var removed = reader.Remove(entry => entry.AccountId == "210987654321");
        Assert.Equal("210987654321:Role:s1", Assert.Single(removed).Key);
        Assert.Equal("123456789012:Role:s1", Assert.Single(reader.List()).Key);
        Assert.Single(Directory.GetFiles(_directory));
    }

    [Fact]
    public void Expired_entries_are_never_handed_out_and_are_pruned()
    {
        var store = new SharedCredentialsStore(_directory);
        var log = new RecordingLog();
        store.Put(Credentials("ASIASHARED0000000004", TimeSpan.FromSeconds(30)), new CacheKey("123456789012", "Role", "s1"), null, log);

        Assert.Null(store.TryGet(new CacheKey("123456789012", "Role", "s1"), null, DateTimeOffset.UtcNow, log));
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public async Task A_second_cache_on_the_same_store_reuses_the_first_ones_hops_without_STS()
    {
        var sts = new FakeSecurityTokenService();
        var first = new Accessor(new[] { TestData.TwoHop() }, true, new CredentialsCache(() => DateTimeOffset.UtcNow, new SharedCredentialsStore(_directory)));
        var session = await first.GetSessionAsync(TestData.Target, TestData.Options(sts));

        // As another process would: a new cache object on the same directory.
        var second = new Accessor(new[] { TestData.TwoHop() }, true, new CredentialsCache(() => DateTimeOffset.UtcNow, new SharedCredentialsStore(_directory)));
        var again = await second.GetSessionAsync(TestData.Target, TestData.Options(sts));

        Assert.Equal(2, sts.AssumeRoleCalls.Count);
        Assert.Equal(session.GetCredentials().AccessKey, again.GetCredentials().AccessKey);
        Assert.Equal(2, Directory.GetFiles(_directory).Length);

        second.CredentialsCache.Clear();
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public async Task Writers_and_readers_at_once_never_see_a_torn_entry()
    {
        var torn = 0;
        var writers = Enumerable.Range(0, 8).Select(w => Task.Run(() =>
        {
            var store = new SharedCredentialsStore(_directory);
            var log = new RecordingLog();
            for (var i = 0; i < 100; i++)
            {
                store.Put(Credentials($"ASIAW{w}N{i:D14}", TimeSpan.FromHours(1)), new CacheKey("123456789012", "Role", "s1"), null, log);
            }
        }));
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            var store = new SharedCredentialsStore(_directory);
            var log = new RecordingLog();
            for (var i = 0; i < 300; i++)
            {
                store.TryGet(new CacheKey("123456789012", "Role", "s1"), null, DateTimeOffset.UtcNow, log);
                if (log.Warnings.Count > 0) Interlocked.Increment(ref torn);
            }
        }));

        await Task.WhenAll(writers.Concat(readers));

        Assert.Equal(0, torn);
        var log = new RecordingLog();
        var file = Assert.Single(Directory.GetFiles(_directory, "*.json"));
        Assert.StartsWith("ASIAW", new SharedCredentialsStore(_directory).TryGet(new CacheKey("123456789012", "Role", "s1"), null, DateTimeOffset.UtcNow, log)!.AccessKeyId);
        Assert.Empty(Directory.GetFiles(_directory, "*.tmp"));
        Assert.NotNull(file);
    }

    // Issue 23, item 5: what one process cached is bound to the secret of the key that signed it, not to its key id alone.
    [Fact]
    public async Task The_same_key_id_with_another_secret_does_not_get_the_hops_another_process_cached()
    {
        var sts = new FakeSecurityTokenService();
        Accessor NewProcess() => new(new[] { TestData.TwoHop() }, true, new CredentialsCache(() => DateTimeOffset.UtcNow, new SharedCredentialsStore(_directory)));
        var session = await NewProcess().GetSessionAsync(TestData.Target, TestData.Options(sts));
        var same = await NewProcess().GetSessionAsync(TestData.Target, TestData.Options(sts));
        Assert.Equal(2, sts.AssumeRoleCalls.Count);
        Assert.Equal(session.GetCredentials().AccessKey, same.GetCredentials().AccessKey);

        var wrongSecret = new Amazon.Runtime.BasicAWSCredentials(TestData.Source.GetCredentials().AccessKey, "not-the-secret-of-that-key");
        var stolen = await NewProcess().GetSessionAsync(TestData.Target, TestData.Options(sts, source: wrongSecret));

        Assert.Equal(4, sts.AssumeRoleCalls.Count);
        Assert.NotEqual(session.GetCredentials().AccessKey, stolen.GetCredentials().AccessKey);
        var files = string.Concat(Directory.GetFiles(_directory).Select(File.ReadAllText));
        Assert.DoesNotContain("source-secret-not-real", files);
        Assert.DoesNotContain("not-the-secret-of-that-key", files);
    }

    // Issue 23, item 1, across processes: a hop obtained with the right external id is not another process's with a wrong one.
    [Fact]
    public async Task A_hop_assumed_with_the_right_external_id_is_not_handed_to_another_process_with_another()
    {
        var sts = new FakeSecurityTokenService();
        Accessor NewProcess(string externalId) => new(
            new[] { new MultiHopAccessor("same", new[] { new AccessStep("ExtRole", TestData.Hub, externalId), new AccessStep("Target") }) },
            true,
            new CredentialsCache(() => DateTimeOffset.UtcNow, new SharedCredentialsStore(_directory)));
        await NewProcess("the-right-external-id").GetSessionAsync(TestData.Target, TestData.Options(sts));
        await NewProcess("the-right-external-id").GetSessionAsync("333333333333", TestData.Options(sts));
        var files = string.Concat(Directory.GetFiles(_directory).Select(File.ReadAllText));

        var reader = new CredentialsCache(() => DateTimeOffset.UtcNow, new SharedCredentialsStore(_directory));
        await new Accessor(new[] { new MultiHopAccessor("same", new[] { new AccessStep("ExtRole", TestData.Hub, "a-wrong-external-id"), new AccessStep("Target") }) }, true, reader)
            .GetSessionAsync("444444444444", TestData.Options(sts));

        Assert.Equal(
            new[] { "the-right-external-id", "a-wrong-external-id" },
            sts.AssumeRoleCalls.Where(c => c.Request.RoleArn.EndsWith("role/ExtRole", StringComparison.Ordinal)).Select(c => c.Request.ExternalId));
        Assert.DoesNotContain("external-id", files);
        Assert.All(reader.List(), entry => Assert.DoesNotContain("external-id", entry.ToString() + entry.Key + entry.AccessKeyId));
    }

    // Issue 23, item 5: an entry written before entries were bound to the signer's secret (format 1: the key id's hash) is not trusted.
    [Fact]
    public async Task An_entry_of_the_old_format_is_a_miss_and_clearing_its_account_removes_it()
    {
        var sts = new FakeSecurityTokenService();
        var cache = new CredentialsCache(() => DateTimeOffset.UtcNow, new SharedCredentialsStore(_directory));
        PlantFormat1Entry(new CacheKey(TestData.Target, "Target", "same"), "ASIAFORMAT1ENTRY0001", TestData.Source.GetCredentials().AccessKey);

        var session = await new Accessor(new[] { new MultiHopAccessor("same", new[] { new AccessStep("Target") }) }, true, cache).GetSessionAsync(TestData.Target, TestData.Options(sts));

        Assert.Single(sts.AssumeRoleCalls);
        Assert.NotEqual("ASIAFORMAT1ENTRY0001", session.GetCredentials().AccessKey);

        PlantFormat1Entry(new CacheKey("333333333333", "Target", "same"), "ASIAFORMAT1ENTRY0002", TestData.Source.GetCredentials().AccessKey);
        Assert.DoesNotContain(cache.List(), entry => entry.AccountId == "333333333333");
        cache.Remove(entry => entry.AccountId == "333333333333");
        cache.Remove(entry => entry.RoleName == "Target" && entry.AccountId == TestData.Target);
        Assert.Empty(Directory.GetFiles(_directory));
    }

    // As the format-1 store wrote an entry: its file name the key's hash, its signer the SHA-256 of the signer's key id.
    private void PlantFormat1Entry(CacheKey key, string accessKeyId, string signerKeyId)
    {
        static string Hex(string text) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
        var path = Path.Combine(_directory, Hex(key.ToString()) + ".altimeter-creds.json");
        File.WriteAllText(path, $$"""
            {"version": 1, "key": "{{key}}", "signer": "{{Hex(signerKeyId)}}", "access_key_id": "{{accessKeyId}}", "secret_access_key": "format1-secret",
             "session_token": "format1-token", "expiration": {{DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds()}}}
            """);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
