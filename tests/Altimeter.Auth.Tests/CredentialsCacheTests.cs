using Altimeter.Auth;
using Altimeter.Auth.Tests.Doubles;
using Xunit;

namespace Altimeter.Auth.Tests;

public class CredentialsCacheTests
{
    private static readonly DateTimeOffset s_now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static CachedCredentials Credentials(TimeSpan lifetime) =>
        new("ASIAEXAMPLE000000001", "secret-value", "token-value", s_now + lifetime);

    [Fact]
    public void The_key_is_account_role_session_name()
    {
        Assert.Equal("123456789012:test_rn:test_rsn", new CacheKey("123456789012", "test_rn", "test_rsn").ToString());
    }

    [Fact]
    public void A_key_read_back_from_its_text_is_the_same_key_and_only_three_well_shaped_parts_read_as_one()
    {
        Assert.True(CacheKey.TryParse("123456789012:test_rn:test_rsn", out var key));
        Assert.Equal(new CacheKey("123456789012", "test_rn", "test_rsn"), key);
        Assert.True(key == new CacheKey("123456789012", "test_rn", "test_rsn"));
        Assert.Equal(new CacheKey("123456789012", "test_rn", "test_rsn").GetHashCode(), key.GetHashCode());
        Assert.NotEqual(new CacheKey("123456789012", "test_rn", "other"), key);

        foreach (var text in new[] { "123456789012:test_rn", "123456789012:a:b:c", "12345678901:r:s", "123456789012::s", "mfa-session|arn:aws:iam::111111111111:mfa/x", "", null })
        {
            Assert.False(CacheKey.TryParse(text, out _), text);
        }
    }

    [Fact]
    public void A_stored_entry_is_a_hit()
    {
        var cache = new CredentialsCache(() => s_now);
        var credentials = Credentials(TimeSpan.FromHours(1));
        cache.Store(credentials, new CacheKey("123456789012", "test_rn", "test_rsn"), null);

        Assert.Same(credentials, cache.Get(new CacheKey("123456789012", "test_rn", "test_rsn")));
    }

    [Fact]
    public void Another_key_is_a_miss()
    {
        var cache = new CredentialsCache(() => s_now);
        cache.Store(Credentials(TimeSpan.FromHours(1)), new CacheKey("123456789012", "test_rn", "test_rsn"), null);

        Assert.Null(cache.Get(new CacheKey("123456789012", "test_rn", "other_rsn")));
        Assert.Null(cache.Get(new CacheKey("210987654321", "test_rn", "test_rsn")));
    }

    [Fact]
    public void An_entry_counts_as_expired_from_60_seconds_before_expiry_and_is_dropped_on_lookup()
    {
        var now = s_now;
        var cache = new CredentialsCache(() => now);
        cache.Store(Credentials(TimeSpan.FromSeconds(61)), new CacheKey("123456789012", "r", "s1"), null);

        Assert.NotNull(cache.Get(new CacheKey("123456789012", "r", "s1")));
        now = s_now.AddSeconds(1);
        Assert.Null(cache.Get(new CacheKey("123456789012", "r", "s1")));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void An_entry_made_by_another_signer_is_a_miss_for_that_signer()
    {
        var cache = new CredentialsCache(() => s_now);
        cache.Store(Credentials(TimeSpan.FromHours(1)), new CacheKey("123456789012", "r", "s1"), "AKIAFIRSTSOURCE00001");

        Assert.NotNull(cache.Get(new CacheKey("123456789012", "r", "s1"), "AKIAFIRSTSOURCE00001"));
        Assert.Null(cache.Get(new CacheKey("123456789012", "r", "s1"), "AKIASECONDSOURCE0001"));
    }

    // Issue 23, item 1: credentials put from outside a chain are bound to nothing: no chain's external id or options were checked for them.
    [Fact]
    public async Task An_entry_put_from_outside_a_chain_is_not_handed_to_a_chain()
    {
        var sts = new FakeSecurityTokenService();
        var cache = new CredentialsCache();
        var put = (await sts.AssumeRoleAsync(TestData.Source.GetCredentials(), new RoleAssumption("arn:aws:iam::123456789012:role/ExtRole", "s1", "the-right-external-id"), "us-east-1", CancellationToken.None)).Credentials;
        await cache.PutAsync(put, new CacheKey("123456789012", "ExtRole", "s1"), sts, "us-east-1");
        var chain = new MultiHopAccessor("s1", new[] { new AccessStep("ExtRole", null, "a-wrong-external-id") });

        var session = await new Accessor(new[] { chain }, true, cache).GetSessionAsync("123456789012", TestData.Options(sts));

        Assert.NotEqual(put.AccessKeyId, session.GetCredentials().AccessKey);
        Assert.Equal("a-wrong-external-id", sts.AssumeRoleCalls.Last().Request.ExternalId);
    }

    [Fact]
    public async Task Put_from_outside_a_chain_checks_the_role_session_with_GetCallerIdentity()
    {
        var sts = new FakeSecurityTokenService();
        var assumed = await sts.AssumeRoleAsync(TestData.Source.GetCredentials(), new RoleAssumption("arn:aws:iam::123456789012:role/r", "s1", null), "us-east-1", default);
        var cache = new CredentialsCache(() => s_now);

        await cache.PutAsync(assumed.Credentials, new CacheKey("123456789012", "r", "s1"), sts, "us-east-1");

        Assert.Single(sts.GetCallerIdentityCalls);
        Assert.NotNull(cache.Get(new CacheKey("123456789012", "r", "s1")));
    }

    [Fact]
    public async Task Put_refuses_credentials_of_another_account()
    {
        var sts = new FakeSecurityTokenService { CallerAccount = "999999999999" };
        var cache = new CredentialsCache(() => s_now);

        var e = await Assert.ThrowsAsync<AccountMismatchException>(() => cache.PutAsync(Credentials(TimeSpan.FromHours(1)), new CacheKey("123456789012", "r", "s1"), sts, "us-east-1"));

        Assert.Equal("AccountMismatch", e.ErrorId);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task Put_refuses_credentials_of_the_right_account_that_are_not_that_role_session()
    {
        // An IAM user's keys, or another role's session, of the same account: every chain could be handed them.
        var sts = new FakeSecurityTokenService { CallerAccount = "123456789012" };
        var other = await sts.AssumeRoleAsync(TestData.Source.GetCredentials(), new RoleAssumption("arn:aws:iam::123456789012:role/other", "s1", null), "us-east-1", default);
        var cache = new CredentialsCache(() => s_now);

        var user = await Assert.ThrowsAsync<AssumedRoleMismatchException>(() => cache.PutAsync(Credentials(TimeSpan.FromHours(1)), new CacheKey("123456789012", "r", "s1"), sts, "us-east-1"));
        var role = await Assert.ThrowsAsync<AssumedRoleMismatchException>(() => cache.PutAsync(other.Credentials, new CacheKey("123456789012", "r", "s1"), sts, "us-east-1"));

        Assert.Equal("arn:aws:iam::123456789012:user/fake-source", user.ActualArn);
        Assert.Equal("arn:aws:sts::123456789012:assumed-role/other/s1", role.ActualArn);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void List_and_remove_describe_entries_without_secrets()
    {
        var cache = new CredentialsCache(() => s_now);
        cache.Store(Credentials(TimeSpan.FromHours(1)), new CacheKey("123456789012", "r", "s1"), null);
        cache.Store(Credentials(TimeSpan.FromHours(1)), new CacheKey("210987654321", "r", "s1"), null);

        var listed = cache.List();
        Assert.Equal(new[] { "123456789012:r:s1", "210987654321:r:s1" }, listed.Select(e => e.Key));
        Assert.All(listed, e => Assert.Equal("****0001", e.AccessKeyId));
        Assert.DoesNotContain("secret-value", string.Join(" ", listed.Select(e => e.ToString())));

        var removed = cache.Remove(e => e.AccountId == "123456789012");
        Assert.Single(removed);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void The_cache_round_trips_through_its_explicit_secret_export()
    {
        var cache = new CredentialsCache(() => s_now);
        cache.Store(Credentials(TimeSpan.FromHours(1)), new CacheKey("123456789012", "test_rn", "test_rsn"), null);

        var json = cache.ExportWithSecrets();
        var read = Assert.Single(CredentialsCacheJson.Read(AccessorJson.Parse(json, "export"), "export"));

        Assert.Contains("\"cache\"", json);
        Assert.Equal(new CacheKey("123456789012", "test_rn", "test_rsn"), read.Key);
        Assert.Equal("secret-value", read.Credentials.SecretAccessKey);
    }

    [Fact]
    public void Text_forms_of_cached_credentials_show_no_secret()
    {
        var credentials = Credentials(TimeSpan.FromHours(1));
        Assert.DoesNotContain("secret-value", credentials.ToString());
        Assert.DoesNotContain("token-value", credentials.ToString());
        Assert.Contains("****0001", credentials.ToString());
    }

    [Fact]
    public async Task Concurrent_stores_lookups_and_clears_never_mix_accounts_up()
    {
        var cache = new CredentialsCache();
        var mixedUp = 0;
        var tasks = Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 2000; i++)
            {
                var account = (100000000000 + (i % 50)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                cache.Store(new CachedCredentials($"ASIA{account}{t}{i:D4}", "s", "t", DateTimeOffset.UtcNow.AddHours(1)), new CacheKey(account, "r", "s1"), null);
                // Another thread may have cleared it meanwhile; what is found must be this account's.
                var found = cache.Get(new CacheKey(account, "r", "s1"));
                if (found is not null && !found.AccessKeyId.StartsWith($"ASIA{account}", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref mixedUp);
                }

                if (i % 500 == 0) cache.Clear();
            }
        }));
        await Task.WhenAll(tasks);

        Assert.Equal(0, mixedUp);
        Assert.InRange(cache.Count, 1, 50);
    }
}
