using Altimeter.Auth;
using Altimeter.Auth.Tests.Doubles;
using Amazon.Runtime;
using Xunit;

namespace Altimeter.Auth.Tests;

public class AccessorTests
{
    private static Accessor TwoChains(CredentialsCache? cache = null, bool cacheCreds = true) => new(
        new[]
        {
            new MultiHopAccessor("first", new[] { new AccessStep("BrokenHub", TestData.Hub), new AccessStep("Target") }),
            new MultiHopAccessor("second", new[] { new AccessStep("Hub", TestData.Hub), new AccessStep("Target") }),
        },
        cacheCreds,
        cache);

    [Fact]
    public async Task The_first_chain_that_works_wins()
    {
        var sts = new FakeSecurityTokenService { Fail = r => r.RoleArn.EndsWith("role/BrokenHub", StringComparison.Ordinal) ? FakeSecurityTokenService.AccessDenied(r) : null };

        var session = await TwoChains().GetSessionAsync(TestData.Target, TestData.Options(sts));

        Assert.Equal(TestData.Target, session.AccountId);
        Assert.Equal("accessor:second:Hub@111111111111,Target@target", session.Chain);
        Assert.Equal("arn:aws:iam::222222222222:role/Target", session.RoleArn);
        Assert.Equal(3, sts.AssumeRoleCalls.Count);
        Assert.Equal(sts.Issued.Last().AccessKeyId, session.GetCredentials().AccessKey);
    }

    [Fact]
    public async Task When_every_chain_fails_the_error_names_account_accessor_and_each_chains_error()
    {
        var sts = new FakeSecurityTokenService { Fail = FakeSecurityTokenService.AccessDenied };
        var accessor = TwoChains();

        var e = await Assert.ThrowsAsync<AccountAuthException>(() => accessor.GetSessionAsync(TestData.Target, TestData.Options(sts)));

        Assert.Equal("AccountAuthFailed", e.ErrorId);
        Assert.Equal(TestData.Target, e.AccountId);
        Assert.Contains(TestData.Target, e.Message);
        Assert.All(accessor.MultiHopAccessors, chain => Assert.Contains($"] {chain}: ", e.Message));
        Assert.Equal(2, e.Failures.Count);
        Assert.Contains("arn:aws:iam::111111111111:role/BrokenHub", e.Message);
        Assert.Contains("arn:aws:iam::111111111111:role/Hub", e.Message);
        Assert.Contains("AccessDenied", e.Message);
    }

    [Fact]
    public async Task A_failing_chain_message_carries_no_secret_of_the_hops_that_worked()
    {
        var sts = new FakeSecurityTokenService { Fail = r => r.RoleArn.Contains(TestData.Target) ? FakeSecurityTokenService.AccessDenied(r) : null };
        var accessor = new Accessor(new[] { TestData.TwoHop() });

        var e = await Assert.ThrowsAsync<AccountAuthException>(() => accessor.GetSessionAsync(TestData.Target, TestData.Options(sts)));

        var hub = Assert.Single(sts.Issued);
        var text = e.ToString();
        Assert.DoesNotContain(hub.SecretAccessKey, text);
        Assert.DoesNotContain(hub.SessionToken!, text);
        Assert.DoesNotContain("source-secret-not-real", text);
    }

    [Fact]
    public async Task A_second_call_for_the_same_account_makes_no_STS_call()
    {
        var sts = new FakeSecurityTokenService();
        var accessor = new Accessor(new[] { TestData.TwoHop() });

        var first = await accessor.GetSessionAsync(TestData.Target, TestData.Options(sts));
        var second = await accessor.GetSessionAsync(TestData.Target, TestData.Options(sts, region: "eu-west-1"));

        Assert.Equal(2, sts.AssumeRoleCalls.Count);
        Assert.Equal(first.GetCredentials().AccessKey, second.GetCredentials().AccessKey);
        Assert.Equal("eu-west-1", second.Region);
    }

    [Fact]
    public async Task N_targets_through_a_two_hop_chain_cost_N_plus_one_AssumeRole_and_no_GetCallerIdentity()
    {
        var sts = new FakeSecurityTokenService();
        var accessor = new Accessor(new[] { TestData.TwoHop() });
        var targets = Enumerable.Range(0, 25).Select(i => (300000000000L + i).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();

        foreach (var target in targets)
        {
            var session = await accessor.GetSessionAsync(target, TestData.Options(sts));
            Assert.Equal(target, session.AccountId);
        }

        Assert.Equal(targets.Count + 1, sts.AssumeRoleCalls.Count);
        Assert.Empty(sts.GetCallerIdentityCalls);
    }

    [Fact]
    public async Task With_cache_creds_off_every_call_walks_the_whole_chain()
    {
        var sts = new FakeSecurityTokenService();
        var cache = new CredentialsCache();
        var accessor = new Accessor(new[] { TestData.TwoHop() }, cacheCreds: false, cache);

        await accessor.GetSessionAsync(TestData.Target, TestData.Options(sts));
        await accessor.GetSessionAsync(TestData.Target, TestData.Options(sts));

        Assert.Equal(4, sts.AssumeRoleCalls.Count);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task Sessions_for_several_regions_come_from_one_walk_in_the_options_region_one_per_region_in_order()
    {
        var sts = new FakeSecurityTokenService();
        // No cache: a walk per region would show as two more AssumeRole.
        var accessor = new Accessor(new[] { TestData.TwoHop() }, cacheCreds: false, new CredentialsCache());

        var sessions = await accessor.GetSessionsAsync(TestData.Target, new[] { "eu-west-1", "ap-southeast-2", "eu-west-1" }, TestData.Options(sts, region: "eu-west-1"));

        Assert.Equal(new[] { "eu-west-1", "ap-southeast-2", "eu-west-1" }, sessions.Select(s => s.Region));
        Assert.All(sessions, s => Assert.Equal(TestData.Target, s.AccountId));
        Assert.Equal(2, sts.AssumeRoleCalls.Count);
        Assert.All(sts.AssumeRoleCalls, call => Assert.Equal("eu-west-1", call.Region));
        Assert.All(sessions, s => Assert.Equal(sts.Issued.Last().AccessKeyId, s.GetCredentials().AccessKey));
        Assert.NotSame(sessions[0], sessions[2]);
    }

    [Fact]
    public async Task A_session_of_another_region_renews_on_its_own_walking_the_chain_in_the_first_region()
    {
        var sts = new FakeSecurityTokenService();
        var accessor = new Accessor(new[] { TestData.TwoHop() }, cacheCreds: false, new CredentialsCache());
        var sessions = await accessor.GetSessionsAsync(TestData.Target, new[] { "us-west-2", "eu-central-1" }, TestData.Options(sts, region: "us-west-2"));
        var before = sessions[1].GetCredentials().AccessKey;

        sessions[1].RenewalWindow = TimeSpan.FromMinutes(61);
        var after = sessions[1].GetCredentials().AccessKey;

        Assert.NotEqual(before, after);
        Assert.Equal(1, sessions[1].Renewals);
        Assert.Equal(0, sessions[0].Renewals);
        Assert.Equal(before, sessions[0].GetCredentials().AccessKey);
        Assert.Equal("eu-central-1", sessions[1].Region);
        Assert.Equal(4, sts.AssumeRoleCalls.Count);
        Assert.All(sts.AssumeRoleCalls, call => Assert.Equal("us-west-2", call.Region));
    }

    [Fact]
    public async Task Sessions_for_no_region_given_are_one_in_the_options_region_and_a_bad_region_is_refused_before_any_call()
    {
        var sts = new FakeSecurityTokenService();
        var accessor = new Accessor(new[] { TestData.TwoHop() });

        var e = await Assert.ThrowsAsync<InvalidRegionException>(() => accessor.GetSessionsAsync(TestData.Target, new[] { "us-east-1", "us-east" }, TestData.Options(sts)));
        Assert.Equal("us-east", e.Region);
        Assert.Empty(sts.AssumeRoleCalls);

        var sessions = await accessor.GetSessionsAsync(TestData.Target, Array.Empty<string>(), TestData.Options(sts, region: "eu-west-1"));
        Assert.Equal("eu-west-1", Assert.Single(sessions).Region);
    }

    [Fact]
    public async Task Another_source_identity_never_gets_the_cached_hops_of_the_first()
    {
        var sts = new FakeSecurityTokenService();
        var accessor = new Accessor(new[] { TestData.TwoHop() });
        var other = new BasicAWSCredentials("AKIAOTHERSOURCE00002", "other-secret");

        var first = await accessor.GetSessionAsync(TestData.Target, TestData.Options(sts));
        var second = await accessor.GetSessionAsync(TestData.Target, TestData.Options(sts, source: other));

        Assert.Equal(4, sts.AssumeRoleCalls.Count);
        Assert.Equal("AKIAOTHERSOURCE00002", sts.AssumeRoleCalls.ToArray()[2].SignedBy);
        Assert.NotEqual(first.GetCredentials().AccessKey, second.GetCredentials().AccessKey);
    }

    [Fact]
    public async Task Expired_cached_credentials_are_never_handed_out()
    {
        var now = DateTimeOffset.UtcNow;
        var cache = new CredentialsCache(() => now);
        var sts = new FakeSecurityTokenService { Lifetime = TimeSpan.FromMinutes(15) };
        var accessor = new Accessor(new[] { TestData.TwoHop() }, true, cache);

        var first = await accessor.GetSessionAsync(TestData.Target, TestData.Options(sts));
        now = now.AddMinutes(14).AddSeconds(1);
        var second = await accessor.GetSessionAsync(TestData.Target, TestData.Options(sts));

        Assert.Equal(4, sts.AssumeRoleCalls.Count);
        Assert.NotEqual(first.GetCredentials().AccessKey, second.GetCredentials().AccessKey);
    }

    [Fact]
    public async Task Local_mode_returns_the_source_credentials_when_they_are_for_the_account()
    {
        var sts = new FakeSecurityTokenService { CallerAccount = "123456789012" };

        var session = await new Accessor().GetSessionAsync("123456789012", TestData.Options(sts));

        Assert.Equal("local", session.Chain);
        Assert.Equal("AKIASOURCE0000000001", session.GetCredentials().AccessKey);
        Assert.Single(sts.GetCallerIdentityCalls);
        Assert.Empty(sts.AssumeRoleCalls);
    }

    [Fact]
    public async Task Local_mode_fails_clearly_when_the_source_credentials_are_for_another_account()
    {
        var sts = new FakeSecurityTokenService { CallerAccount = "123456789012" };

        var e = await Assert.ThrowsAsync<AccountAuthException>(() => new Accessor().GetSessionAsync("210987654321", TestData.Options(sts)));

        Assert.Contains("210987654321", e.Message);
        Assert.Contains("123456789012", e.Message);
        Assert.IsType<AccountMismatchException>(Assert.Single(e.Failures).Error);
    }

    [Theory]
    [InlineData("12345")]
    [InlineData("abcdefghijkl")]
    [InlineData("")]
    public async Task An_account_id_that_is_not_12_digits_is_refused_before_any_call(string accountId)
    {
        var sts = new FakeSecurityTokenService();
        var e = await Assert.ThrowsAsync<InvalidAccountIdException>(() => new Accessor(new[] { TestData.TwoHop() }).GetSessionAsync(accountId, TestData.Options(sts)));
        Assert.Equal("InvalidAccountId", e.ErrorId);
        Assert.Empty(sts.AssumeRoleCalls);
    }

    [Fact]
    public async Task The_session_is_AWSCredentials_whose_text_shows_no_secret()
    {
        var sts = new FakeSecurityTokenService();
        var session = await new Accessor(new[] { TestData.TwoHop() }).GetSessionAsync(TestData.Target, TestData.Options(sts));
        var issued = sts.Issued.Last();

        Assert.IsAssignableFrom<AWSCredentials>(session);
        Assert.Equal(issued.SecretAccessKey, session.GetCredentials().SecretKey);
        Assert.Equal(issued.SessionToken, session.GetCredentials().Token);
        Assert.DoesNotContain(issued.SecretAccessKey, session.ToString());
        Assert.DoesNotContain(issued.SessionToken!, session.ToString());
        Assert.DoesNotContain(issued.AccessKeyId, session.ToString());
        Assert.Contains(issued.AccessKeyId.Substring(issued.AccessKeyId.Length - 4), session.ToString());
        Assert.Equal(issued.Expiration.UtcDateTime, session.Expiration);
    }

    [Fact]
    public async Task Verbose_messages_tell_each_hop_and_never_a_secret()
    {
        var sts = new FakeSecurityTokenService();
        var log = new RecordingLog();
        var options = TestData.Options(sts);
        options.Log = log;
        var accessor = new Accessor(new[] { TestData.TwoHop() });

        await accessor.GetSessionAsync(TestData.Target, options);
        await accessor.GetSessionAsync(TestData.Target, options);

        var text = string.Join("\n", log.Messages);
        Assert.Contains("hop 1/2 arn:aws:iam::111111111111:role/HubRole", text);
        Assert.Contains("cached credentials", text);
        foreach (var issued in sts.Issued)
        {
            Assert.DoesNotContain(issued.SecretAccessKey, text);
            Assert.DoesNotContain(issued.SessionToken!, text);
        }
    }
}
