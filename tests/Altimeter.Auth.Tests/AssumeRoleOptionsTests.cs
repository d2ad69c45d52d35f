using Altimeter.Auth;
using Altimeter.Auth.Tests.Doubles;
using Newtonsoft.Json.Linq;
using Xunit;

namespace Altimeter.Auth.Tests;

public class AssumeRoleOptionsTests
{
    private const string WithOptions = """
        {"multi_hop_accessors": [{"role_session_name": "opts", "partition": "aws-cn", "access_steps": [
          {"role_name": "Hub", "account_id": "111111111111", "duration_seconds": 7200, "mfa_serial": "arn:aws:iam::111111111111:mfa/ops",
           "source_identity": "alice", "tags": {"team": "sec", "cost-center": "42"}, "transitive_tag_keys": ["team"],
           "policy_arns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]},
          {"role_name": "Target", "duration_seconds": 7200}]}]}
        """;

    [Fact]
    public void The_new_keys_load_and_write_back_while_an_original_file_writes_back_without_them()
    {
        var accessor = AccessorJson.Read(WithOptions, "opts.json");
        var chain = Assert.Single(accessor.MultiHopAccessors);
        var options = chain.AccessSteps[0].Options!;

        Assert.Equal("aws-cn", chain.Partition);
        Assert.Equal(7200, options.DurationSeconds);
        Assert.Equal("arn:aws:iam::111111111111:mfa/ops", options.MfaSerial);
        Assert.Equal("alice", options.SourceIdentity);
        Assert.Equal("sec", options.Tags["team"]);
        Assert.Equal(new[] { "team" }, options.TransitiveTagKeys);
        Assert.Equal(new[] { "arn:aws:iam::aws:policy/ReadOnlyAccess" }, options.PolicyArns);
        var written = JObject.Parse(AccessorJson.Write(accessor));
        Assert.Equal("aws-cn", (string?)written["multi_hop_accessors"]![0]!["partition"]);
        Assert.Equal("42", (string?)written["multi_hop_accessors"]![0]!["access_steps"]![0]!["tags"]!["cost-center"]);
        Assert.Equal(AccessorJson.Write(accessor), AccessorJson.Write(AccessorJson.Read(written.ToString(), "again")));

        var original = AccessorJson.Write(AccessorJson.Read("{\"multi_hop_accessors\": [{\"role_session_name\": \"ab\", \"access_steps\": [{\"role_name\": \"R\"}]}]}", "orig"));
        Assert.DoesNotContain("duration_seconds", original);
        Assert.DoesNotContain("partition", original);
    }

    [Fact]
    public void A_duration_over_an_hour_on_a_hop_reached_through_another_role_is_capped_with_a_warning()
    {
        var accessor = AccessorJson.Read(WithOptions, "opts.json");
        var chain = accessor.MultiHopAccessors[0];

        Assert.Equal(7200, chain.AccessSteps[0].Options!.DurationSeconds);
        Assert.Equal(3600, chain.AccessSteps[1].Options!.DurationSeconds);
        var warning = Assert.Single(accessor.Warnings);
        Assert.Contains("duration_seconds 7200", warning);
        Assert.Contains("3600", warning);
    }

    [Theory]
    [InlineData("\"duration_seconds\": 899", "duration_seconds 899 is out of range")]
    [InlineData("\"duration_seconds\": 43201", "out of range")]
    [InlineData("\"duration_seconds\": \"3600\"", "duration_seconds must be a whole number")]
    [InlineData("\"mfa_serial\": \"x\"", "mfa_serial 'x'")]
    [InlineData("\"source_identity\": \"a b\"", "source_identity 'a b'")]
    [InlineData("\"tags\": {\"aws:x\": \"y\"}", "tag key 'aws:x'")]
    [InlineData("\"tags\": {\"team\": 5}", "tags.team must be a string")]
    [InlineData("\"tags\": {\"team\": \"a\"}, \"transitive_tag_keys\": [\"other\"]", "transitive_tag_keys names 'other'")]
    [InlineData("\"policy_arns\": [\"ReadOnlyAccess\"]", "policy_arns entry 'ReadOnlyAccess'")]
    public void Options_STS_would_refuse_are_refused_at_load_time(string option, string text)
    {
        var json = "{\"multi_hop_accessors\": [{\"role_session_name\": \"ab\", \"access_steps\": [{\"role_name\": \"R\", " + option + "}]}]}";
        var e = Assert.Throws<AccessorDefinitionException>(() => AccessorJson.Read(json, "bad.json"));
        Assert.Contains(text, e.Message);
        Assert.Contains("bad.json", e.Message);
    }

    [Fact]
    public void An_unknown_partition_is_refused()
    {
        var e = Assert.Throws<AccessorDefinitionException>(() => AccessorJson.Read("{\"multi_hop_accessors\": [{\"role_session_name\": \"ab\", \"partition\": \"aws-mars\", \"access_steps\": [{\"role_name\": \"R\"}]}]}", "p.json"));
        Assert.Contains("partition 'aws-mars'", e.Message);
    }

    [Fact]
    public async Task Every_option_reaches_the_STS_call_with_the_MFA_code_and_the_explicit_partition()
    {
        var sts = new FakeSecurityTokenService();
        var accessor = AccessorJson.Read(WithOptions, "opts.json");
        var options = TestData.Options(sts);
        options.MfaTokenCode = (serial, _) => Task.FromResult<string?>(serial == "arn:aws:iam::111111111111:mfa/ops" ? "123456" : null);
        // The code with the AssumeRole itself: no MFA session (MfaSessionTests has those).
        options.UseMfaSession = false;

        await accessor.GetSessionAsync(TestData.Target, options);

        var calls = sts.AssumeRoleCalls.ToArray();
        Assert.Equal("arn:aws-cn:iam::111111111111:role/Hub", calls[0].Request.RoleArn);
        Assert.Equal("arn:aws-cn:iam::222222222222:role/Target", calls[1].Request.RoleArn);
        var first = calls[0].Request;
        Assert.Equal(7200, first.Options!.DurationSeconds);
        Assert.Equal("123456", first.TokenCode);
        Assert.Equal("alice", first.Options.SourceIdentity);
        Assert.Equal(2, first.Options.Tags.Count);
        // The second hop is signed with the hub's temporary credentials: at most an hour.
        Assert.Equal(3600, calls[1].Request.Options!.DurationSeconds);
        Assert.Null(calls[1].Request.TokenCode);
    }

    [Fact]
    public async Task A_step_with_an_MFA_serial_and_no_code_fails_clearly_before_calling_STS_naming_no_cmdlet_parameter()
    {
        var sts = new FakeSecurityTokenService();
        var accessor = AccessorJson.Read(WithOptions, "opts.json");

        var e = await Assert.ThrowsAsync<AccountAuthException>(() => accessor.GetSessionAsync(TestData.Target, TestData.Options(sts)));

        var mfa = Assert.IsType<MfaTokenRequiredException>(Assert.Single(e.Failures).Error);
        Assert.Equal("MfaTokenRequired", mfa.ErrorId);
        Assert.Contains("needs an MFA code for arn:aws:iam::111111111111:mfa/ops", e.Message);
        // The engine does not know the cmdlets: what to pass is the cmdlet layer's to say.
        Assert.DoesNotContain("TokenCode", e.Message);
        Assert.Empty(sts.AssumeRoleCalls);
    }

    [Fact]
    public async Task The_MFA_code_is_asked_for_only_when_the_hop_is_assumed_and_once_for_targets_sharing_it()
    {
        var sts = new FakeSecurityTokenService();
        var accessor = AccessorJson.Read(WithOptions, "opts.json");
        var asked = 0;
        var options = TestData.Options(sts);
        options.UseMfaSession = false;
        options.MfaTokenCode = (_, _) =>
        {
            Interlocked.Increment(ref asked);
            return Task.FromResult<string?>("123456");
        };

        var targets = new[] { "222222222222", "333333333333", "444444444444", "555555555555" };
        await Task.WhenAll(targets.Select(target => accessor.GetSessionAsync(target, options)));
        Assert.Equal(1, asked);

        // The hub is cached now: a new target asks for nothing.
        await accessor.GetSessionAsync("666666666666", options);
        Assert.Equal(1, asked);
        Assert.Single(sts.AssumeRoleCalls, call => call.Request.TokenCode is not null);
        Assert.Equal(6, sts.AssumeRoleCalls.Count);
    }

    [Fact]
    public async Task Steps_with_different_options_do_not_share_cached_credentials()
    {
        var sts = new FakeSecurityTokenService();
        var plain = new MultiHopAccessor("same", new[] { new AccessStep("Target") });
        var tagged = new MultiHopAccessor("same", new[] { new AccessStep("Target", null, null, _ => null, new AssumeRoleOptions(tags: new Dictionary<string, string> { ["team"] = "a" })) });
        var cache = new CredentialsCache();

        var first = await new Accessor(new[] { plain }, true, cache).GetSessionAsync(TestData.Target, TestData.Options(sts));
        var second = await new Accessor(new[] { tagged }, true, cache).GetSessionAsync(TestData.Target, TestData.Options(sts));

        Assert.Equal(2, sts.AssumeRoleCalls.Count);
        Assert.NotEqual(first.GetCredentials().AccessKey, second.GetCredentials().AccessKey);
    }

    // Issue 23, item 1: tags are something STS checks (aws:RequestTag in the trust policy, aws:PrincipalTag after); two sets that
    // read alike as "key=value" text are still two sets.
    [Fact]
    public async Task Tags_whose_text_reads_alike_do_not_share_cached_credentials()
    {
        var sts = new FakeSecurityTokenService();
        var cache = new CredentialsCache();
        MultiHopAccessor Tagged(string key, string value) =>
            new("same", new[] { new AccessStep("Target", null, null, _ => null, new AssumeRoleOptions(tags: new Dictionary<string, string> { [key] = value })) });

        await new Accessor(new[] { Tagged("team=admin", "x") }, true, cache).GetSessionAsync(TestData.Target, TestData.Options(sts));
        await new Accessor(new[] { Tagged("team", "admin=x") }, true, cache).GetSessionAsync(TestData.Target, TestData.Options(sts));

        Assert.Equal(new[] { "team=admin", "team" }, sts.AssumeRoleCalls.Select(c => c.Request.Options!.Tags.Keys.Single()));
    }

    // Issue 23, item 1: every AssumeRole input STS checks is part of what a cached hop is bound to; a walk that
    // differs in one of them goes to STS, one that differs in none is served from the cache.
    [Theory]
    [InlineData("source identity")]
    [InlineData("policy ARNs")]
    [InlineData("transitive tag keys")]
    [InlineData("tag value")]
    [InlineData("MFA serial")]
    [InlineData("duration")]
    public async Task A_step_that_differs_in_one_AssumeRole_input_is_a_miss_and_the_same_step_a_hit(string input)
    {
        var sts = new FakeSecurityTokenService();
        var cache = new CredentialsCache();
        var tags = new Dictionary<string, string> { ["team"] = "a" };
        var baseline = new AssumeRoleOptions(durationSeconds: 3600, sourceIdentity: "alice", tags: tags, policyArns: new[] { "arn:aws:iam::aws:policy/ReadOnlyAccess" });
        var changed = input switch
        {
            "source identity" => new AssumeRoleOptions(durationSeconds: 3600, sourceIdentity: "mallory", tags: tags, policyArns: baseline.PolicyArns),
            "policy ARNs" => new AssumeRoleOptions(durationSeconds: 3600, sourceIdentity: "alice", tags: tags, policyArns: new[] { "arn:aws:iam::aws:policy/AdministratorAccess" }),
            "transitive tag keys" => new AssumeRoleOptions(durationSeconds: 3600, sourceIdentity: "alice", tags: tags, transitiveTagKeys: new[] { "team" }, policyArns: baseline.PolicyArns),
            "tag value" => new AssumeRoleOptions(durationSeconds: 3600, sourceIdentity: "alice", tags: new Dictionary<string, string> { ["team"] = "b" }, policyArns: baseline.PolicyArns),
            "MFA serial" => new AssumeRoleOptions(durationSeconds: 3600, mfaSerial: "arn:aws:iam::111111111111:mfa/ops", sourceIdentity: "alice", tags: tags, policyArns: baseline.PolicyArns),
            _ => new AssumeRoleOptions(durationSeconds: 7200, sourceIdentity: "alice", tags: tags, policyArns: baseline.PolicyArns),
        };
        MultiHopAccessor Chain(AssumeRoleOptions options) => new("same", new[] { new AccessStep("Target", null, null, _ => null, options) });
        var options = TestData.Options(sts);
        options.MfaTokenCode = (_, _) => Task.FromResult<string?>("123456");
        options.UseMfaSession = false;

        await new Accessor(new[] { Chain(baseline) }, true, cache).GetSessionAsync(TestData.Target, options);
        await new Accessor(new[] { Chain(baseline) }, true, cache).GetSessionAsync(TestData.Target, options);
        Assert.Single(sts.AssumeRoleCalls);

        await new Accessor(new[] { Chain(changed) }, true, cache).GetSessionAsync(TestData.Target, options);
        Assert.Equal(2, sts.AssumeRoleCalls.Count);
    }
}
