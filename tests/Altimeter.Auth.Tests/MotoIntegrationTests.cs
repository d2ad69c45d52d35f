using Altimeter.Auth;
using Altimeter.Auth.Tests.Doubles;
using Amazon;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Xunit;

namespace Altimeter.Auth.Tests;

/// <summary>The engine against moto's STS, through the real AWS SDK.</summary>
[Collection(MotoGroup.Name)]
[Trait(MotoGroup.Trait, MotoGroup.Name)]
public sealed class MotoIntegrationTests
{
    private readonly MotoServer _moto;
    private readonly SdkSecurityTokenService _sts;

    public MotoIntegrationTests(MotoServer moto)
    {
        _moto = moto;
        _moto.Reset();
        _sts = new SdkSecurityTokenService(new StsClientSettings { ServiceUrl = moto.Url });
    }

    private SessionOptions Options(AWSCredentials? source = null) =>
        new() { Sts = _sts, Region = "us-east-1", SourceCredentials = source ?? TestData.Source };

    private async Task<string> CallerAccountOf(AWSCredentials credentials)
    {
        var config = new AmazonSecurityTokenServiceConfig { ServiceURL = _moto.Url, AuthenticationRegion = "us-east-1" };
        using var client = new AmazonSecurityTokenServiceClient(credentials, config);
        return (await client.GetCallerIdentityAsync(new GetCallerIdentityRequest())).Account;
    }

    [Fact]
    public async Task The_reference_accessor_file_gives_a_session_for_the_target_account()
    {
        var accessor = AccessorFile.Load(TestData.Fixture("reference-accessor.json"), new AccessorLoadOptions { Environment = TestData.Env(("TEST_EXT_ID", "foo")) });

        var session = await accessor.GetSessionAsync("123456789012", Options());

        Assert.Equal("123456789012", session.AccountId);
        Assert.Equal("123456789012", await CallerAccountOf(session));
        var calls = _moto.AssumedRoles();
        Assert.Equal(
            new[] { ("arn:aws:iam::123456789012:role/OrganizationAccountAccessRole", "altimeter-mb-a", "foo"), ("arn:aws:iam::123456789012:role/OrganizationAccountAccessRole", "altimeter-mb-a", (string?)null) },
            calls.Select(c => ((string)c["role_arn"]!, (string)c["session_name"]!, (string?)c["external_id"])));
    }

    [Fact]
    public async Task Each_hop_is_signed_with_the_previous_hops_credentials()
    {
        var accessor = new Accessor(new[] { TestData.TwoHop() });

        var session = await accessor.GetSessionAsync(TestData.Target, Options());

        var assumed = _moto.AssumedRoles();
        var requests = _moto.Requests().Where(r => r.Action == "AssumeRole").ToList();
        Assert.Equal(2, requests.Count);
        Assert.Equal("AKIASOURCE0000000001", requests[0].SignedBy);
        Assert.Equal((string)assumed[0]["access_key_id"]!, requests[1].SignedBy);
        Assert.Equal((string)assumed[1]["access_key_id"]!, session.GetCredentials().AccessKey);
        Assert.Equal(TestData.Target, await CallerAccountOf(session));
    }

    [Fact]
    public async Task A_second_call_for_the_same_account_makes_no_STS_call()
    {
        var accessor = new Accessor(new[] { TestData.TwoHop() });
        await accessor.GetSessionAsync(TestData.Target, Options());
        _moto.Reset();

        var again = await accessor.GetSessionAsync(TestData.Target, Options());

        Assert.Empty(_moto.Requests());
        Assert.Equal(TestData.Target, again.AccountId);
    }

    [Fact]
    public async Task N_targets_through_a_two_hop_chain_cost_N_plus_one_AssumeRole_and_no_GetCallerIdentity()
    {
        var accessor = new Accessor(new[] { TestData.TwoHop() });
        var targets = Enumerable.Range(1, 20).Select(i => (400000000000L + i).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();

        var sessions = new List<AltimeterSession>();
        foreach (var target in targets)
        {
            sessions.Add(await accessor.GetSessionAsync(target, Options()));
        }

        var requests = _moto.Requests();
        Assert.Equal(targets.Count + 1, requests.Count(r => r.Action == "AssumeRole"));
        Assert.Equal(0, requests.Count(r => r.Action == "GetCallerIdentity"));
        Assert.Equal(targets, sessions.Select(s => s.AccountId));
        Assert.Equal(targets[7], await CallerAccountOf(sessions[7]));
        Assert.Equal(
            targets.Select(t => $"arn:aws:iam::{t}:role/TargetRole"),
            _moto.AssumedRoles().Skip(1).Select(c => (string)c["role_arn"]!));
    }

    [Fact]
    public async Task Local_mode_checks_the_account_with_GetCallerIdentity()
    {
        // moto reports account 123456789012 for keys it did not issue.
        var session = await new Accessor().GetSessionAsync("123456789012", Options());
        Assert.Equal("local", session.Chain);
        Assert.Equal(1, _moto.Requests().Count(r => r.Action == "GetCallerIdentity"));

        var e = await Assert.ThrowsAsync<AccountAuthException>(() => new Accessor().GetSessionAsync("210987654321", Options()));
        Assert.Contains("123456789012", e.Message);
    }

    [Fact]
    public async Task Credentials_put_from_outside_a_chain_are_checked_against_the_role_session()
    {
        var hub = await new Accessor(new[] { new MultiHopAccessor("ab", new[] { new AccessStep("Role") }) }).GetSessionAsync(TestData.Hub, Options());
        var keys = hub.GetCredentials();
        var credentials = new CachedCredentials(keys.AccessKey, keys.SecretKey, keys.Token, DateTimeOffset.UtcNow.AddHours(1));
        var cache = new CredentialsCache();

        await cache.PutAsync(credentials, new CacheKey(TestData.Hub, "Role", "ab"), _sts, "us-east-1");
        await Assert.ThrowsAsync<AccountMismatchException>(() => cache.PutAsync(credentials, new CacheKey(TestData.Target, "Role", "ab"), _sts, "us-east-1"));
        await Assert.ThrowsAsync<AssumedRoleMismatchException>(() => cache.PutAsync(credentials, new CacheKey(TestData.Hub, "OtherRole", "ab"), _sts, "us-east-1"));

        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public async Task An_unreachable_STS_fails_naming_the_hop_and_no_secret()
    {
        var dead = new SdkSecurityTokenService(new StsClientSettings { ServiceUrl = "http://127.0.0.1:9", MaxAttempts = 1, Timeout = TimeSpan.FromSeconds(5) });
        var options = Options();
        options.Sts = dead;

        var e = await Assert.ThrowsAsync<AccountAuthException>(() => new Accessor(new[] { TestData.TwoHop() }).GetSessionAsync(TestData.Target, options));

        var failure = Assert.IsType<StsCallException>(Assert.Single(e.Failures).Error);
        Assert.Equal("AssumeRole arn:aws:iam::111111111111:role/HubRole", failure.Call);
        Assert.DoesNotContain("source-secret-not-real", e.ToString());
    }

    // Issue 23, item 1 against a real STS: each walk whose external id differs from the cached hop's reaches STS, as moto's log shows.
    [Fact]
    public async Task A_cached_hop_is_not_handed_to_a_chain_with_another_external_id_or_none()
    {
        var cache = new CredentialsCache();
        MultiHopAccessor Chain(string? externalId) => new("ab", new[] { new AccessStep("ExtRole", TestData.Hub, externalId), new AccessStep("Target") });

        await new Accessor(new[] { Chain("the-right-external-id") }, true, cache).GetSessionAsync(TestData.Target, Options());
        await new Accessor(new[] { Chain("the-right-external-id") }, true, cache).GetSessionAsync("333333333333", Options());
        Assert.Single(_moto.AssumedRoles(), c => ((string)c["role_arn"]!).EndsWith("role/ExtRole", StringComparison.Ordinal));

        await new Accessor(new[] { Chain("a-wrong-external-id") }, true, cache).GetSessionAsync(TestData.Target, Options());
        await new Accessor(new[] { Chain(null) }, true, cache).GetSessionAsync(TestData.Target, Options());

        Assert.Equal(
            new[] { "the-right-external-id", "a-wrong-external-id", null },
            _moto.AssumedRoles().Where(c => ((string)c["role_arn"]!).EndsWith("role/ExtRole", StringComparison.Ordinal)).Select(c => (string?)c["external_id"]));
    }
}
