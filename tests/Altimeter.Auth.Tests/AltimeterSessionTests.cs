using Altimeter.Auth;
using Altimeter.Auth.Tests.Doubles;
using Amazon.Runtime;
using Xunit;

namespace Altimeter.Auth.Tests;

public class AltimeterSessionTests
{
    [Fact]
    public async Task A_fresh_session_hands_out_its_credentials_without_renewing()
    {
        var sts = new FakeSecurityTokenService();
        var session = await new Accessor(new[] { TestData.TwoHop() }).GetSessionAsync(TestData.Target, TestData.Options(sts));

        Assert.Equal(sts.Issued.Last().AccessKeyId, session.GetCredentials().AccessKey);
        Assert.Equal(sts.Issued.Last().AccessKeyId, (await session.GetCredentialsAsync()).AccessKey);
        Assert.Equal(0, session.Renewals);
        Assert.Equal(2, sts.AssumeRoleCalls.Count);
    }

    [Fact]
    public async Task Within_its_renewal_window_the_session_renews_by_walking_the_chain_again()
    {
        // Three minutes left, inside a five-minute renewal window: the next use renews.
        var sts = new FakeSecurityTokenService { Lifetime = TimeSpan.FromMinutes(3) };
        var session = await new Accessor(new[] { TestData.TwoHop() }).GetSessionAsync(TestData.Target, TestData.Options(sts));
        var first = sts.Issued.Last().AccessKeyId;
        sts.Lifetime = TimeSpan.FromHours(1);
        session.RenewalWindow = TimeSpan.FromMinutes(5);

        var renewed = session.GetCredentials();

        Assert.NotEqual(first, renewed.AccessKey);
        Assert.Equal(1, session.Renewals);
        Assert.Equal(renewed.AccessKey, session.GetCredentials().AccessKey);
        Assert.Equal(sts.Issued.Last().AccessKeyId, renewed.AccessKey);
        Assert.True(session.Expiration > DateTime.UtcNow.AddMinutes(50), $"expiration {session.Expiration:o}, now {DateTime.UtcNow:o}, renewals {session.Renewals}");
        // Both hops had less than the renewal window left, so both were assumed again, the hub first.
        var calls = sts.AssumeRoleCalls.ToArray();
        Assert.Equal(4, calls.Length);
        Assert.Equal("arn:aws:iam::111111111111:role/HubRole", calls[2].Request.RoleArn);
        Assert.Equal(sts.Issued[2].AccessKeyId, calls[3].SignedBy);
        Assert.Equal(TestData.Target, session.AccountId);
    }

    [Fact]
    public async Task A_renewal_reuses_cached_hops_that_outlive_the_renewal_window()
    {
        var sts = new FakeSecurityTokenService();
        var accessor = new Accessor(new[] { TestData.TwoHop() });
        var hub = await accessor.GetSessionAsync(TestData.Hub, TestData.Options(sts));  // warms nothing of the target
        sts.Lifetime = TimeSpan.FromMinutes(3);
        var session = await accessor.GetSessionAsync(TestData.Target, TestData.Options(sts));
        sts.Lifetime = TimeSpan.FromHours(1);
        session.RenewalWindow = TimeSpan.FromMinutes(5);
        var callsBefore = sts.AssumeRoleCalls.Count;

        session.GetCredentials();
        Assert.Equal(1, session.Renewals);

        // The hub hop (an hour left) came from the cache; only the target role was assumed again.
        var renewal = sts.AssumeRoleCalls.Skip(callsBefore).ToArray();
        Assert.Single(renewal);
        Assert.Equal("arn:aws:iam::222222222222:role/TargetRole", renewal[0].Request.RoleArn);
        Assert.NotNull(hub);
    }

    [Fact]
    public async Task A_renewed_session_is_cached_for_the_next_caller()
    {
        var sts = new FakeSecurityTokenService { Lifetime = TimeSpan.FromMinutes(3) };
        var accessor = new Accessor(new[] { TestData.TwoHop() });
        var session = await accessor.GetSessionAsync(TestData.Target, TestData.Options(sts));
        sts.Lifetime = TimeSpan.FromHours(1);
        session.RenewalWindow = TimeSpan.FromMinutes(5);
        session.GetCredentials();
        var calls = sts.AssumeRoleCalls.Count;

        var again = await accessor.GetSessionAsync(TestData.Target, TestData.Options(sts));

        Assert.Equal(calls, sts.AssumeRoleCalls.Count);
        Assert.Equal(session.GetCredentials().AccessKey, again.GetCredentials().AccessKey);
    }

    [Fact]
    public async Task Credentials_just_obtained_are_not_renewed_before_half_their_lifetime()
    {
        // Three minutes of lifetime against a five-minute window: renewing on every use would be a loop.
        var sts = new FakeSecurityTokenService { Lifetime = TimeSpan.FromMinutes(3) };
        var session = await new Accessor(new[] { TestData.TwoHop() }).GetSessionAsync(TestData.Target, TestData.Options(sts));

        session.GetCredentials();
        await session.GetCredentialsAsync();

        Assert.Equal(0, session.Renewals);
        Assert.Equal(2, sts.AssumeRoleCalls.Count);
    }

    [Fact]
    public async Task The_async_path_renews_too()
    {
        var sts = new FakeSecurityTokenService { Lifetime = TimeSpan.FromMinutes(3) };
        var session = await new Accessor(new[] { TestData.TwoHop() }).GetSessionAsync(TestData.Target, TestData.Options(sts));
        sts.Lifetime = TimeSpan.FromHours(1);
        session.RenewalWindow = TimeSpan.FromMinutes(5);

        var renewed = await session.GetCredentialsAsync();

        Assert.Equal(sts.Issued.Last().AccessKeyId, renewed.AccessKey);
        Assert.Equal(1, session.Renewals);
    }

    [Fact]
    public async Task Widening_the_renewal_window_renews_on_next_use()
    {
        var sts = new FakeSecurityTokenService();
        var session = await new Accessor(new[] { TestData.TwoHop() }).GetSessionAsync(TestData.Target, TestData.Options(sts));
        var expiration = session.Expiration;

        session.RenewalWindow = TimeSpan.FromMinutes(61);
        sts.Lifetime = TimeSpan.FromHours(2);
        session.GetCredentials();

        Assert.Equal(1, session.Renewals);
        Assert.True(session.Expiration > expiration);
        Assert.Equal(sts.Issued.Last().Expiration.UtcDateTime, session.Expiration);
    }

    [Fact]
    public async Task A_renewal_that_fails_surfaces_the_chain_errors_to_the_caller()
    {
        var sts = new FakeSecurityTokenService { Lifetime = TimeSpan.FromMinutes(3) };
        var session = await new Accessor(new[] { TestData.TwoHop() }).GetSessionAsync(TestData.Target, TestData.Options(sts));
        sts.Fail = FakeSecurityTokenService.AccessDenied;
        session.RenewalWindow = TimeSpan.FromMinutes(5);

        var e = Assert.Throws<AccountAuthException>(() => session.GetCredentials());

        Assert.Contains("AccessDenied", e.Message);
        Assert.Equal(0, session.Renewals);
    }
}
