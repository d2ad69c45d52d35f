using Altimeter.Auth;
using Altimeter.Auth.Tests.Doubles;
using Xunit;

namespace Altimeter.Auth.Tests;

public class MultiHopAccessorTests
{
    [Fact]
    public void Text_form_is_accessor_session_then_steps()
    {
        var chain = new MultiHopAccessor("foo", new[] { new AccessStep("foo", "123456789012"), new AccessStep("boo") });
        Assert.Equal("accessor:foo:foo@123456789012,boo@target", chain.ToString());
    }

    [Fact]
    public void A_chain_without_steps_is_refused()
    {
        var e = Assert.Throws<AccessorDefinitionException>(() => new MultiHopAccessor("foo", Array.Empty<AccessStep>()));
        Assert.Equal(AccessorDefinitionException.ChainInvalid, e.ErrorId);
        Assert.Contains("One or more access steps must be specified", e.Message);
    }

    [Fact]
    public void A_middle_step_without_an_account_is_refused()
    {
        var e = Assert.Throws<AccessorDefinitionException>(() => new MultiHopAccessor("foo", new[] { new AccessStep("a"), new AccessStep("b") }));
        Assert.Equal(AccessorDefinitionException.ChainInvalid, e.ErrorId);
        Assert.Contains("access_steps[0]", e.Message);
    }

    [Fact]
    public void A_final_step_with_an_account_is_refused()
    {
        var e = Assert.Throws<AccessorDefinitionException>(() => new MultiHopAccessor("foo", new[] { new AccessStep("a", "123456789012") }));
        Assert.Equal(AccessorDefinitionException.ChainInvalid, e.ErrorId);
        Assert.Contains("final step", e.Message);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("has space")]
    [InlineData("colon:name")]
    public void A_role_session_name_STS_would_refuse_is_refused(string name)
    {
        var e = Assert.Throws<AccessorDefinitionException>(() => new MultiHopAccessor(name, new[] { new AccessStep("a") }));
        Assert.Equal(AccessorDefinitionException.StepInvalid, e.ErrorId);
    }

    [Fact]
    public void A_role_session_name_of_64_characters_is_accepted_and_65_refused()
    {
        Assert.Equal(new string('s', 64), new MultiHopAccessor(new string('s', 64), new[] { new AccessStep("a") }).RoleSessionName);
        Assert.Throws<AccessorDefinitionException>(() => new MultiHopAccessor(new string('s', 65), new[] { new AccessStep("a") }));
    }

    [Fact]
    public async Task Each_hop_is_signed_with_the_previous_hops_credentials()
    {
        var sts = new FakeSecurityTokenService();
        var context = new ChainContext(TestData.Source.GetCredentials(), "us-east-1", sts, cache: null, NullAuthLog.Instance);

        var result = await TestData.TwoHop().AssumeAsync(TestData.Target, context);

        var calls = sts.AssumeRoleCalls.ToArray();
        Assert.Equal(2, calls.Length);
        Assert.Equal("AKIASOURCE0000000001", calls[0].SignedBy);
        Assert.Equal("arn:aws:iam::111111111111:role/HubRole", calls[0].Request.RoleArn);
        Assert.Equal(sts.Issued[0].AccessKeyId, calls[1].SignedBy);
        Assert.Equal("arn:aws:iam::222222222222:role/TargetRole", calls[1].Request.RoleArn);
        Assert.Equal(sts.Issued[1].AccessKeyId, result.Credentials.AccessKey);
        Assert.Equal("arn:aws:iam::222222222222:role/TargetRole", result.RoleArn);
        Assert.Empty(sts.GetCallerIdentityCalls);
    }

    [Theory]
    [InlineData("cn-north-1", "aws-cn")]
    [InlineData("us-gov-west-1", "aws-us-gov")]
    [InlineData("us-iso-east-1", "aws-iso")]
    [InlineData("us-isob-east-1", "aws-iso-b")]
    [InlineData("eu-west-1", "aws")]
    public async Task Role_arns_carry_the_partition_of_the_region(string region, string partition)
    {
        var sts = new FakeSecurityTokenService();
        var context = new ChainContext(TestData.Source.GetCredentials(), region, sts, cache: null, NullAuthLog.Instance);

        await TestData.TwoHop().AssumeAsync(TestData.Target, context);

        Assert.All(sts.AssumeRoleCalls, call => Assert.StartsWith($"arn:{partition}:iam::", call.Request.RoleArn));
        Assert.All(sts.AssumeRoleCalls, call => Assert.Equal(region, call.Region));
    }

    [Theory]
    [InlineData("cn-north-1", "aws-cn", "sts.cn-north-1.amazonaws.com.cn")]
    [InlineData("us-gov-west-1", "aws-us-gov", "sts.us-gov-west-1.amazonaws.com")]
    [InlineData("us-iso-east-1", "aws-iso", "sts.us-iso-east-1.c2s.ic.gov")]
    [InlineData("us-isob-east-1", "aws-iso-b", "sts.us-isob-east-1.sc2s.sgov.gov")]
    [InlineData("eu-west-1", "aws", "sts.eu-west-1.amazonaws.com")]
    [InlineData("us-east-1", "aws", "sts.us-east-1.amazonaws.com")]
    public async Task The_SDK_calls_the_regional_STS_endpoint_of_the_partition_and_signs_for_the_region(string region, string partition, string host)
    {
        var http = new CapturingHttpClientFactory();
        var sts = new SdkSecurityTokenService(new StsClientSettings { HttpClientFactory = http, MaxAttempts = 1 });
        var context = new ChainContext(TestData.Source.GetCredentials(), region, sts, cache: null, NullAuthLog.Instance);

        var result = await TestData.TwoHop().AssumeAsync(TestData.Target, context);

        Assert.Equal($"arn:{partition}:iam::{TestData.Target}:role/TargetRole", result.RoleArn);
        Assert.Equal(2, http.Requests.Count);
        Assert.All(http.Requests, request =>
        {
            Assert.Equal($"https://{host}/", request.Url.ToString());
            Assert.Contains($"/{region}/sts/aws4_request", request.Authorization);
        });
    }

    [Fact]
    public async Task Credentials_for_another_account_are_an_error_and_are_not_cached()
    {
        var sts = new FakeSecurityTokenService { ClaimAccount = r => r.RoleArn.Contains(TestData.Target) ? "999999999999" : null };
        var cache = new CredentialsCache();
        var context = new ChainContext(TestData.Source.GetCredentials(), "us-east-1", sts, cache, NullAuthLog.Instance);

        var e = await Assert.ThrowsAsync<AccountMismatchException>(() => TestData.TwoHop().AssumeAsync(TestData.Target, context).AsTask());

        Assert.Equal("999999999999", e.ActualAccountId);
        Assert.Contains("999999999999", e.Message);
        Assert.Null(cache.Get(new CacheKey(TestData.Target, "TargetRole", "altimeter")));
        Assert.NotNull(cache.Get(new CacheKey(TestData.Hub, "HubRole", "altimeter")));
    }

    [Fact]
    public async Task The_external_id_of_each_step_is_sent_with_its_hop()
    {
        var sts = new FakeSecurityTokenService();
        var chain = new MultiHopAccessor("s1", new[] { new AccessStep("Hub", TestData.Hub, "ext-hub"), new AccessStep("Target") });
        var context = new ChainContext(TestData.Source.GetCredentials(), "us-east-1", sts, cache: null, NullAuthLog.Instance);

        await chain.AssumeAsync(TestData.Target, context);

        var calls = sts.AssumeRoleCalls.ToArray();
        Assert.Equal("ext-hub", calls[0].Request.ExternalId);
        Assert.Null(calls[1].Request.ExternalId);
        Assert.All(calls, c => Assert.Equal("s1", c.Request.RoleSessionName));
    }

    // Issue 23, item 1 (the confused deputy): STS checks the external id; a cached hop must not stand in for that check.
    [Fact]
    public async Task A_hop_assumed_with_the_right_external_id_is_not_handed_to_a_chain_with_another_or_none()
    {
        var sts = new FakeSecurityTokenService();
        var cache = new CredentialsCache();
        MultiHopAccessor Chain(string? externalId) => new("same", new[] { new AccessStep("ExtRole", TestData.Hub, externalId), new AccessStep("Target") });

        var right = await new Accessor(new[] { Chain("the-right-external-id") }, true, cache).GetSessionAsync(TestData.Target, TestData.Options(sts));
        await new Accessor(new[] { Chain("the-right-external-id") }, true, cache).GetSessionAsync("333333333333", TestData.Options(sts));
        var wrong = await new Accessor(new[] { Chain("a-wrong-external-id") }, true, cache).GetSessionAsync(TestData.Target, TestData.Options(sts));
        var none = await new Accessor(new[] { Chain(null) }, true, cache).GetSessionAsync(TestData.Target, TestData.Options(sts));

        // The second walk with the right id reuses the hub hop; the wrong id and none each go to STS.
        var hubCalls = sts.AssumeRoleCalls.Where(c => c.Request.RoleArn.EndsWith("role/ExtRole", StringComparison.Ordinal)).Select(c => c.Request.ExternalId).ToArray();
        Assert.Equal(new[] { "the-right-external-id", "a-wrong-external-id", null }, hubCalls);
        Assert.Equal(3, new[] { right, wrong, none }.Select(s => s.GetCredentials().AccessKey).Distinct().Count());
        Assert.DoesNotContain(cache.List(), entry => entry.ToString().Contains("external-id", StringComparison.Ordinal));
    }

    // Issue 23, item 5: the key id is no secret; a cached hop is bound to the signer's secret key too.
    [Fact]
    public async Task The_same_key_id_with_another_secret_does_not_get_the_cached_hop()
    {
        var sts = new FakeSecurityTokenService();
        var cache = new CredentialsCache();
        var accessor = new Accessor(new[] { new MultiHopAccessor("same", new[] { new AccessStep("Target") }) }, true, cache);
        var wrongSecret = new Amazon.Runtime.BasicAWSCredentials(TestData.Source.GetCredentials().AccessKey, "not-the-secret-of-that-key");

        var right = await accessor.GetSessionAsync(TestData.Target, TestData.Options(sts));
        var rightAgain = await accessor.GetSessionAsync(TestData.Target, TestData.Options(sts));
        var wrong = await accessor.GetSessionAsync(TestData.Target, TestData.Options(sts, source: wrongSecret));
        var withToken = await accessor.GetSessionAsync(TestData.Target, TestData.Options(sts, source: new Amazon.Runtime.SessionAWSCredentials(TestData.Source.GetCredentials().AccessKey, "source-secret-not-real", "some-token")));

        Assert.Equal(3, sts.AssumeRoleCalls.Count);
        Assert.Equal(right.GetCredentials().AccessKey, rightAgain.GetCredentials().AccessKey);
        Assert.Equal(3, new[] { right, wrong, withToken }.Select(s => s.GetCredentials().AccessKey).Distinct().Count());
    }
}
