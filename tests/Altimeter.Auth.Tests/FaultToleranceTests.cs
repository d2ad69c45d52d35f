using System.Diagnostics;
using Altimeter.Auth;
using Altimeter.Auth.Tests.Doubles;
using Amazon.Runtime;
using Xunit;

namespace Altimeter.Auth.Tests;

/// <summary>The engine through the real SDK against moto behind a fault-injecting front.</summary>
[Collection(MotoGroup.Name)]
[Trait(MotoGroup.Trait, MotoGroup.Name)]
public sealed class FaultToleranceTests : IDisposable
{
    private readonly MotoServer _moto;
    private readonly FaultInjectingStsFront _front;

    public FaultToleranceTests(MotoServer moto)
    {
        _moto = moto;
        _moto.Reset();
        _front = new FaultInjectingStsFront(moto.Url);
    }

    public void Dispose() => _front.Dispose();

    private SessionOptions Options(int maxAttempts = 3, TimeSpan? timeout = null) => new()
    {
        Region = "us-east-1",
        SourceCredentials = TestData.Source,
        // A new service per test: no client of another test's front is reused.
        Sts = new SdkSecurityTokenService(new StsClientSettings { ServiceUrl = _front.Url, MaxAttempts = maxAttempts, Timeout = timeout, RetryMode = RequestRetryMode.Standard }),
    };

    private static List<string> Targets(int count, long first) =>
        Enumerable.Range(1, count).Select(i => (first + i).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();

    [Theory]
    [InlineData(StsFault.Throttling, 400, "Throttling", ErrorType.Sender)]
    [InlineData(StsFault.InternalError, 500, "InternalFailure", ErrorType.Receiver)]
    public async Task The_fronts_errors_read_through_the_SDK_as_STS_errors_with_one_request_id(StsFault fault, int status, string code, ErrorType type)
    {
        _front.Rules.Enqueue(new FaultRule { Fault = fault, Action = "GetCallerIdentity" });
        using var client = new Amazon.SecurityToken.AmazonSecurityTokenServiceClient(TestData.Source, new Amazon.SecurityToken.AmazonSecurityTokenServiceConfig { ServiceURL = _front.Url, MaxErrorRetry = 0 });

        var error = await Assert.ThrowsAnyAsync<AmazonServiceException>(() => client.GetCallerIdentityAsync(new Amazon.SecurityToken.Model.GetCallerIdentityRequest()));

        Assert.Equal(status, (int)error.StatusCode);
        Assert.Equal(code, error.ErrorCode);
        Assert.Equal(type, error.ErrorType);
        Assert.True(Guid.TryParse(error.RequestId, out _), $"request id '{error.RequestId}'");

        // As STS answers: the body's RequestId is the x-amzn-RequestId header's.
        using var http = new System.Net.Http.HttpClient();
        using var raw = await http.PostAsync(_front.Url, new System.Net.Http.StringContent("Action=GetCallerIdentity&Version=2011-06-15", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));
        var body = System.Xml.Linq.XDocument.Parse(await raw.Content.ReadAsStringAsync());
        Assert.Equal(raw.Headers.GetValues("x-amzn-RequestId").Single(), body.Descendants().Single(e => e.Name.LocalName == "RequestId").Value);
    }

    [Fact]
    public async Task Throttling_and_500s_on_a_third_of_AssumeRoles_are_retried_and_all_200_sessions_are_right()
    {
        _front.Rules.Enqueue(new FaultRule { Fault = StsFault.Throttling, Rate = 0.30 });
        _front.Rules.Enqueue(new FaultRule { Fault = StsFault.InternalError, Rate = 0.05 / 0.70 });
        var accessor = new Accessor(new[] { TestData.TwoHop() });
        var targets = Targets(200, 610000000000);
        var options = Options(maxAttempts: 12);
        using var throttle = new SemaphoreSlim(8);

        var watch = Stopwatch.StartNew();
        var sessions = await Task.WhenAll(targets.Select(async target =>
        {
            await throttle.WaitAsync();
            try { return await accessor.GetSessionAsync(target, options); }
            finally { throttle.Release(); }
        }));

        Assert.Equal(targets, sessions.Select(s => s.AccountId));
        var byKey = _moto.AssumedRoles().ToDictionary(a => (string)a["access_key_id"]!, a => (string)a["role_arn"]!);
        Assert.All(sessions, s => Assert.Equal($"arn:aws:iam::{s.AccountId}:role/TargetRole", byKey[s.GetCredentials().AccessKey]));
        Assert.Equal(201, byKey.Count);
        Assert.True(_front.Injected.GetValueOrDefault(StsFault.Throttling) > 40, $"throttled {_front.Injected.GetValueOrDefault(StsFault.Throttling)} times");
        Assert.True(_front.Injected.GetValueOrDefault(StsFault.InternalError) > 5, $"500s: {_front.Injected.GetValueOrDefault(StsFault.InternalError)}");
        Assert.True(watch.Elapsed < TimeSpan.FromMinutes(3), $"took {watch.Elapsed}");
        TestFigures.Report(
            $"faults survived: 200 sessions right through {_front.Injected.GetValueOrDefault(StsFault.Throttling)} throttlings and "
            + $"{_front.Injected.GetValueOrDefault(StsFault.InternalError)} 500s on {_front.Seen.GetValueOrDefault("AssumeRole")} AssumeRole requests");
    }

    [Fact]
    public async Task A_500_that_outlasts_the_retries_fails_that_account_naming_the_hop_and_the_code_and_the_others_are_unaffected()
    {
        _front.Rules.Enqueue(new FaultRule { Fault = StsFault.InternalError, BodyContains = "620000000002" });
        var accessor = new Accessor(new[] { TestData.TwoHop() });
        var options = Options(maxAttempts: 2);

        var good = await accessor.GetSessionAsync("620000000001", options);
        var e = await Assert.ThrowsAsync<AccountAuthException>(() => accessor.GetSessionAsync("620000000002", options));
        var alsoGood = await accessor.GetSessionAsync("620000000003", options);

        var failure = Assert.IsType<StsCallException>(Assert.Single(e.Failures).Error);
        Assert.Equal("InternalFailure", failure.StsErrorCode);
        Assert.Contains("AssumeRole arn:aws:iam::620000000002:role/TargetRole", e.Message);
        Assert.Contains("InternalFailure", e.Message);
        Assert.Equal(2, _front.Injected[StsFault.InternalError]);
        Assert.Equal("620000000001", good.AccountId);
        Assert.Equal("620000000003", alsoGood.AccountId);
    }

    [Fact]
    public async Task A_connection_reset_that_outlasts_the_retries_fails_naming_the_hop()
    {
        _front.Rules.Enqueue(new FaultRule { Fault = StsFault.Reset });
        var accessor = new Accessor(new[] { TestData.TwoHop() });

        var e = await Assert.ThrowsAsync<AccountAuthException>(() => accessor.GetSessionAsync("630000000001", Options(maxAttempts: 2)));

        var failure = Assert.IsType<StsCallException>(Assert.Single(e.Failures).Error);
        Assert.Equal("AssumeRole arn:aws:iam::111111111111:role/HubRole", failure.Call);
        // The SDK retried the dropped connection: both attempts reached the front.
        Assert.True(_front.Injected[StsFault.Reset] >= 2, $"resets: {_front.Injected[StsFault.Reset]}; {failure.Message}");
        Assert.DoesNotContain("Root element", failure.Message);
    }

    [Fact]
    public async Task An_STS_that_never_answers_fails_after_the_timeout_instead_of_hanging()
    {
        _front.Rules.Enqueue(new FaultRule { Fault = StsFault.Hang });
        var accessor = new Accessor(new[] { TestData.TwoHop() });

        var watch = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<AccountAuthException>(() => accessor.GetSessionAsync("640000000001", Options(maxAttempts: 1, timeout: TimeSpan.FromSeconds(2))));

        var failure = Assert.IsType<StsCallException>(Assert.Single(e.Failures).Error);
        Assert.Contains("AssumeRole arn:aws:iam::111111111111:role/HubRole", failure.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
        Assert.True(_front.Injected[StsFault.Hang] >= 1);
    }

    [Fact]
    public async Task An_answer_for_another_account_is_rejected_and_not_cached()
    {
        _front.Rules.Enqueue(new FaultRule { Fault = StsFault.WrongAccount, BodyContains = "650000000001" });
        var accessor = new Accessor(new[] { TestData.TwoHop() });

        var e = await Assert.ThrowsAsync<AccountAuthException>(() => accessor.GetSessionAsync("650000000001", Options()));

        var mismatch = Assert.IsType<AccountMismatchException>(Assert.Single(e.Failures).Error);
        Assert.Equal("999999999999", mismatch.ActualAccountId);
        Assert.Null(accessor.CredentialsCache.Get(new CacheKey("650000000001", "TargetRole", "altimeter")));
        Assert.NotNull(accessor.CredentialsCache.Get(new CacheKey(TestData.Hub, "HubRole", "altimeter")));
    }

    // The answer names the right account but not the role asked for: each part of the ARN counts.
    [Theory]
    [InlineData("arn:aws-cn:sts::650000000002:assumed-role/TargetRole/altimeter", "another partition")]
    [InlineData("arn:aws:iam::650000000002:user/TargetRole", "an IAM user")]
    [InlineData("arn:aws:iam::650000000002:assumed-role/TargetRole/altimeter", "another service")]
    [InlineData("arn:aws:sts:us-east-1:650000000002:assumed-role/TargetRole/altimeter", "a region where STS ARNs have none")]
    [InlineData("arn:aws:sts::650000000002:federated-user/TargetRole", "a federated user")]
    [InlineData("arn:aws:sts::650000000002:assumed-role/OtherRole/altimeter", "another role")]
    [InlineData("arn:aws:sts::650000000002:assumed-role/TargetRole/someone-else", "another session name")]
    [InlineData("arn:aws:sts::650000000002:assumed-role/TargetRole/altimeter/extra", "a longer resource")]
    public async Task An_answer_for_another_role_of_the_right_account_is_rejected_and_not_cached(string answeredArn, string what)
    {
        _front.Rules.Enqueue(new FaultRule { Fault = StsFault.RewrittenArn, BodyContains = "650000000002", RewriteArn = _ => answeredArn });
        var accessor = new Accessor(new[] { TestData.TwoHop() });

        var e = await Assert.ThrowsAsync<AccountAuthException>(() => accessor.GetSessionAsync("650000000002", Options()));

        var mismatch = Assert.IsType<AssumedRoleMismatchException>(Assert.Single(e.Failures).Error);
        Assert.Equal("AssumedRoleMismatch", mismatch.ErrorId);
        Assert.Equal(answeredArn, mismatch.ActualArn);
        Assert.Equal("arn:aws:sts::650000000002:assumed-role/TargetRole/altimeter", mismatch.ExpectedArn);
        Assert.Null(accessor.CredentialsCache.Get(new CacheKey("650000000002", "TargetRole", "altimeter")));
        Assert.True(_front.Injected[StsFault.RewrittenArn] == 1, what);
    }

    [Fact]
    public async Task The_role_name_in_the_answer_may_differ_in_case_only()
    {
        // IAM role names are unique without case; STS answers with the role's own spelling.
        _front.Rules.Enqueue(new FaultRule { Fault = StsFault.RewrittenArn, BodyContains = "650000000003", RewriteArn = arn => arn.Replace("TargetRole", "targetrole", StringComparison.Ordinal) });
        var accessor = new Accessor(new[] { TestData.TwoHop() });

        var session = await accessor.GetSessionAsync("650000000003", Options());

        Assert.Equal("650000000003", session.AccountId);
        Assert.Equal(1, _front.Injected[StsFault.RewrittenArn]);
    }

    [Fact]
    public async Task The_SDK_sends_every_step_option_on_the_wire_and_moto_grants_the_duration()
    {
        var chain = new MultiHopAccessor("wire", new[]
        {
            new AccessStep("Target", null, null, _ => null, new AssumeRoleOptions(
                durationSeconds: 1800,
                mfaSerial: "arn:aws:iam::111111111111:mfa/ops",
                sourceIdentity: "alice",
                tags: new Dictionary<string, string> { ["team"] = "sec" },
                transitiveTagKeys: new[] { "team" },
                policyArns: new[] { "arn:aws:iam::aws:policy/ReadOnlyAccess" })),
        });
        var options = Options();
        options.MfaTokenCode = (_, _) => Task.FromResult<string?>("654321");
        options.UseMfaSession = false;

        var session = await new Accessor(new[] { chain }).GetSessionAsync("660000000001", options);

        var body = _front.Bodies.Single(b => b.Contains("Action=AssumeRole", StringComparison.Ordinal));
        foreach (var sent in new[] { "DurationSeconds=1800", "SerialNumber=arn:aws:iam::111111111111:mfa/ops", "TokenCode=654321", "SourceIdentity=alice", "Tags.member.1.Key=team", "Tags.member.1.Value=sec", "TransitiveTagKeys.member.1=team", "PolicyArns.member.1.arn=arn:aws:iam::aws:policy/ReadOnlyAccess" })
        {
            Assert.Contains(sent, body);
        }

        Assert.InRange(session.Expiration!.Value, DateTime.UtcNow.AddMinutes(25), DateTime.UtcNow.AddMinutes(31));
    }

    [Fact]
    public async Task The_SDK_sends_GetSessionToken_with_the_device_code_and_duration_and_the_AssumeRole_it_signs_carries_no_code()
    {
        var chain = new MultiHopAccessor("wire", new[]
        {
            new AccessStep("Target", null, null, _ => null, new AssumeRoleOptions(mfaSerial: "arn:aws:iam::111111111111:mfa/ops", mfaSessionDurationSeconds: 7200)),
        });
        var options = Options();
        options.MfaTokenCode = (_, _) => Task.FromResult<string?>("654321");

        var session = await new Accessor(new[] { chain }, true, new CredentialsCache()).GetSessionAsync("660000000002", options);

        var opened = _front.Bodies.Single(b => b.Contains("Action=GetSessionToken", StringComparison.Ordinal));
        foreach (var sent in new[] { "SerialNumber=arn:aws:iam::111111111111:mfa/ops", "TokenCode=654321", "DurationSeconds=7200" })
        {
            Assert.Contains(sent, opened);
        }

        var assumed = _front.Bodies.Single(b => b.Contains("Action=AssumeRole", StringComparison.Ordinal) && b.Contains("660000000002", StringComparison.Ordinal));
        Assert.DoesNotContain("SerialNumber", assumed);
        Assert.DoesNotContain("TokenCode", assumed);
        Assert.Equal("arn:aws:iam::660000000002:role/Target", session.RoleArn);
    }
}
