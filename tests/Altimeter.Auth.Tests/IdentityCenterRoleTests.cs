using Altimeter.Auth.Tests.Doubles;
using Amazon.Runtime;
using Amazon.SSO;
using Amazon.SSOOIDC;
using Newtonsoft.Json.Linq;
using Xunit;

namespace Altimeter.Auth.Tests;

/// <summary>
/// An IAM Identity Center role as the step into each account: GetRoleCredentials from the portal
/// double, whose keys are moto's AssumeRole of the account's AWSReservedSSO_ role, so GetCallerIdentity
/// answers as for a real permission-set role. No AssumeRole of ours: every AssumeRole moto saw is the
/// double's (signed by <see cref="SsoPortalDouble.MotoSigner"/>) unless a role hop follows.
/// </summary>
[Collection(MotoGroup.Name)]
[Trait(MotoGroup.Trait, MotoGroup.Name)]
public sealed class IdentityCenterRoleTests : IDisposable
{
    private const string Token = "icrole-signed-in-token";
    private static readonly string[] Reachable = { "111111111111", "222222222222", "333333333333", "444444444444", "555555555555" };
    private const string Unassigned = "666666666666";

    private readonly MotoServer _moto;
    private readonly SsoPortalDouble _portal = new();
    private readonly IdentityCenterHome _home;
    private readonly RecordingLog _log = new();
    private readonly SdkSecurityTokenService _sts;

    public IdentityCenterRoleTests(MotoServer moto)
    {
        _moto = moto;
        _moto.Reset();
        _sts = new SdkSecurityTokenService(new StsClientSettings { ServiceUrl = moto.Url });
        _portal.MotoUrl = moto.Url;
        _portal.RefuseUnassignedRoles = true;
        _home = new IdentityCenterHome(_portal, "icrole");
        foreach (var id in Reachable)
        {
            _portal.AddAccount(id, "acct-" + id[..3], $"aws+{id}@example.com", "ReadOnly", "AdministratorAccess");
        }

        _portal.AddAccount(Unassigned, "logs", "aws+logs@example.com", "LogReader");
    }

    private IdentityCenterPortal Corp => _home.Corp;

    public void Dispose()
    {
        _portal.Dispose();
        _home.Dispose();
    }

    [Fact]
    public async Task Five_accounts_are_reached_through_their_Identity_Center_role_with_no_AssumeRole_of_ours()
    {
        SignedIn(expiresIn: TimeSpan.FromHours(4));
        var accessor = Accessor(IcRole("ReadOnly"), new CredentialsCache());

        foreach (var account in Reachable)
        {
            var session = await accessor.GetSessionAsync(account, Options());
            var identity = await _sts.GetCallerIdentityAsync(session.GetCredentials(), "us-east-1", CancellationToken.None);
            Assert.Equal(account, identity.Account);
            Assert.Matches($"^arn:aws:sts::{account}:assumed-role/AWSReservedSSO_ReadOnly_[0-9a-f]{{16}}/pester.user@example.com$", identity.Arn);
        }

        Assert.Equal(Reachable.Select(a => $"ReadOnly@{a}"), _portal.RoleRequests);
        var assumeRoles = _moto.Requests().Where(r => r.Action == "AssumeRole").ToList();
        Assert.Equal(5, assumeRoles.Count);
        Assert.All(assumeRoles, r => Assert.Equal(SsoPortalDouble.MotoSigner, r.SignedBy));
        Assert.Equal(5, _portal.MotoAssumeRoleCount);
    }

    [Fact]
    public async Task An_unassigned_role_fails_that_account_alone_naming_role_and_account()
    {
        SignedIn(expiresIn: TimeSpan.FromHours(4));
        var accessor = Accessor(IcRole("ReadOnly"), new CredentialsCache());

        var failed = await Assert.ThrowsAsync<AccountAuthException>(() => accessor.GetSessionAsync(Unassigned, Options()));
        var reached = await accessor.GetSessionAsync(Reachable[0], Options());

        var error = Assert.IsType<IdentityCenterRoleNotAssignedException>(Assert.Single(failed.Failures).Error);
        Assert.Equal("IdentityCenterRoleNotAssigned", error.ErrorId);
        Assert.Equal(("ReadOnly", Unassigned), (error.PermissionSetName, error.AccountId));
        Assert.Contains($"'ReadOnly' is not assigned to you in account {Unassigned}", failed.Message);
        Assert.Equal(Reachable[0], reached.AccountId);
    }

    [Fact]
    public async Task An_expired_token_is_refreshed_through_SSO_OIDC_and_the_new_one_used()
    {
        SignedIn(expiresIn: TimeSpan.FromHours(-1), accepted: false, refreshToken: "icrole-refresh");
        _portal.AcceptRefreshToken("icrole-refresh", "icrole-client", "icrole-client-secret");

        var session = await Accessor(IcRole("ReadOnly"), new CredentialsCache()).GetSessionAsync(Reachable[0], Options());

        Assert.Equal(1, _portal.CreateTokenCount);
        Assert.Equal(1, _portal.GetRoleCredentialsCount);
        Assert.Equal(Reachable[0], session.AccountId);
        Assert.NotEqual(Token, (string?)JObject.Parse(File.ReadAllText(_home.TokenFile()))["accessToken"]);
    }

    [Fact]
    public async Task A_refused_token_is_SsoSignInRequired_for_the_whole_call()
    {
        SignedIn(expiresIn: TimeSpan.FromHours(4), accepted: false);

        var error = await Assert.ThrowsAsync<SsoSignInRequiredException>(() => Accessor(IcRole("ReadOnly"), new CredentialsCache()).GetSessionAsync(Reachable[0], Options()));

        Assert.Equal("SsoSignInRequired", error.ErrorId);
        Assert.Equal(1, _portal.GetRoleCredentialsCount);
    }

    [Fact]
    public async Task Cached_credentials_serve_a_second_call_with_no_portal_call_and_concurrent_calls_share_one()
    {
        SignedIn(expiresIn: TimeSpan.FromHours(4));
        var accessor = Accessor(IcRole("ReadOnly"), new CredentialsCache());

        var together = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => accessor.GetSessionAsync(Reachable[1], Options())));
        var again = await accessor.GetSessionAsync(Reachable[1], Options());

        Assert.Equal(1, _portal.GetRoleCredentialsCount);
        Assert.Single(together.Select(s => s.GetCredentials().AccessKey).Append(again.GetCredentials().AccessKey).Distinct());
        var key = Assert.Single(accessor.CredentialsCache.List()).Key;
        Assert.Equal($"{Reachable[1]}:AWSReservedSSO_ReadOnly:sso-{IdentityCenterPortal.Sha1Hex(IdentityCenterHome.StartUrl + "\n" + "us-east-1")}", key.ToString());
    }

    [Fact]
    public async Task Throttled_GetRoleCredentials_is_retried_by_the_SDK()
    {
        SignedIn(expiresIn: TimeSpan.FromHours(4));
        _portal.ThrottleNext = 2;
        var role = new IdentityCenterRole("ReadOnly", null, "corp", null, RoleCredentials(maxErrorRetry: 3));

        var session = await Accessor(role, new CredentialsCache()).GetSessionAsync(Reachable[0], Options());

        Assert.Equal(Reachable[0], session.AccountId);
        Assert.Equal(0, _portal.ThrottleNext);
        Assert.Equal(3, _portal.GetRoleCredentialsCount);
    }

    [Fact]
    public async Task A_session_renews_near_expiry_with_new_role_credentials_from_the_portal()
    {
        SignedIn(expiresIn: TimeSpan.FromHours(4));
        _portal.Lifetime = TimeSpan.FromMinutes(4);
        var accessor = Accessor(IcRole("ReadOnly"), new CredentialsCache());
        var session = await accessor.GetSessionAsync(Reachable[0], Options());
        var first = session.Expiration!.Value;
        _portal.Lifetime = TimeSpan.FromHours(1);
        // Wider than the 4 minutes left: the next use renews, and the cached credentials are too short for it.
        session.RenewalWindow = TimeSpan.FromMinutes(10);

        var renewed = await session.GetCredentialsAsync();

        Assert.Equal(2, _portal.GetRoleCredentialsCount);
        Assert.Equal(1, session.Renewals);
        Assert.True(session.Expiration > first.AddMinutes(30));
        var identity = await _sts.GetCallerIdentityAsync(renewed, "us-east-1", CancellationToken.None);
        Assert.Equal(Reachable[0], identity.Account);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_shared_cache_entry_serves_the_same_portal_and_token_only()
    {
        SignedIn(expiresIn: TimeSpan.FromHours(4));
        var shared = Path.Combine(_home.Directory, "shared");
        await Accessor(IcRole("ReadOnly"), SharedCache(shared)).GetSessionAsync(Reachable[2], Options());
        Assert.Equal(1, _portal.GetRoleCredentialsCount);

        // Another process of the same person: the entry is taken.
        await Accessor(IcRole("ReadOnly"), SharedCache(shared)).GetSessionAsync(Reachable[2], Options());
        Assert.Equal(1, _portal.GetRoleCredentialsCount);

        // Another person (another token) of the same portal: never theirs.
        _portal.AcceptAccessToken("someone-elses-token");
        var other = new IdentityCenterRoleCredentials(Corp, _home.SsoClient(), _ => Task.FromResult("someone-elses-token"));
        await Accessor(new IdentityCenterRole("ReadOnly", null, "corp", null, other), SharedCache(shared)).GetSessionAsync(Reachable[2], Options());
        Assert.Equal(2, _portal.GetRoleCredentialsCount);
    }

    [Fact]
    public async Task Credentials_of_another_account_in_the_answer_are_refused_and_not_cached()
    {
        SignedIn(expiresIn: TimeSpan.FromHours(4));
        _portal.AnswerFromAccount = Reachable[4];
        var accessor = Accessor(IcRole("ReadOnly"), new CredentialsCache());

        var failed = await Assert.ThrowsAsync<AccountAuthException>(() => accessor.GetSessionAsync(Reachable[3], Options()));

        var error = Assert.IsType<AccountMismatchException>(Assert.Single(failed.Failures).Error);
        Assert.Equal(Reachable[4], error.ActualAccountId);
        Assert.Equal(0, accessor.CredentialsCache.Count);
    }

    [Fact]
    public async Task Role_hops_may_follow_the_Identity_Center_role_and_a_chain_after_it_is_tried_in_order()
    {
        SignedIn(expiresIn: TimeSpan.FromHours(4));
        var throughHub = new MultiHopAccessor("altimeter-ic", new IdentityCenterRole("AdministratorAccess", null, "corp", Reachable[0], RoleCredentials()), new[] { new AccessStep("OrganizationAccountAccessRole") }, partition: null);
        var unassigned = new MultiHopAccessor("altimeter-ic", new IdentityCenterRole("LogReader", null, "corp", null, RoleCredentials()), Array.Empty<AccessStep>(), partition: null);
        var accessor = new Accessor(new[] { unassigned, throughHub });

        var session = await accessor.GetSessionAsync(Reachable[3], Options());

        Assert.Equal(new[] { $"LogReader@{Reachable[3]}", $"AdministratorAccess@{Reachable[0]}" }, _portal.RoleRequests);
        var ours = _moto.Requests().Where(r => r.Action == "AssumeRole" && r.SignedBy != SsoPortalDouble.MotoSigner).ToList();
        var hub = _moto.AssumedRoles()[0];
        Assert.Equal((string)hub["access_key_id"]!, Assert.Single(ours).SignedBy);
        var identity = await _sts.GetCallerIdentityAsync(session.GetCredentials(), "us-east-1", CancellationToken.None);
        Assert.Equal($"arn:aws:sts::{Reachable[3]}:assumed-role/OrganizationAccountAccessRole/altimeter-ic", identity.Arn);
        Assert.Equal("accessor:altimeter-ic:identity_center:LogReader@target(sso_session corp)", unassigned.ToString());
    }

    [Fact]
    public void A_chain_of_the_Identity_Center_role_alone_takes_no_account_and_one_with_hops_needs_one()
    {
        var alone = Assert.Throws<AccessorDefinitionException>(() => new MultiHopAccessor("s1", new IdentityCenterRole("ReadOnly", accountId: Reachable[0]), Array.Empty<AccessStep>(), null));
        var before = Assert.Throws<AccessorDefinitionException>(() => new MultiHopAccessor("s1", new IdentityCenterRole("ReadOnly"), new[] { new AccessStep("Role") }, null));
        var both = Assert.Throws<AccessorDefinitionException>(() => new IdentityCenterRole("ReadOnly", "dev", "corp"));
        var name = Assert.Throws<AccessorDefinitionException>(() => new IdentityCenterRole("a-name-far-longer-than-thirty-two-characters"));

        Assert.Equal(AccessorDefinitionException.ChainInvalid, alone.ErrorId);
        Assert.Equal(AccessorDefinitionException.ChainInvalid, before.ErrorId);
        Assert.Equal(AccessorDefinitionException.StepInvalid, both.ErrorId);
        Assert.Equal(AccessorDefinitionException.StepInvalid, name.ErrorId);
    }

    private SessionOptions Options() =>
        new() { Sts = _sts, Region = "us-east-1", SourceCredentials = new AnonymousAWSCredentials(), Log = _log };

    private static Accessor Accessor(IdentityCenterRole role, CredentialsCache cache) =>
        new(new[] { new MultiHopAccessor("altimeter-ic", role, Array.Empty<AccessStep>(), partition: null) }, cacheCreds: true, credentialsCache: cache);

    private IdentityCenterRole IcRole(string name) => new(name, null, "corp", null, RoleCredentials());

    private IdentityCenterRoleCredentials RoleCredentials(int maxErrorRetry = 0) =>
        new(Corp, _home.SsoClient(maxErrorRetry), new IdentityCenterAccessToken(Corp, _home.OidcClient(), _home.CacheDirectory).GetAsync);

    private static CredentialsCache SharedCache(string directory) => new(() => DateTimeOffset.UtcNow, new SharedCredentialsStore(directory));

    private void SignedIn(TimeSpan expiresIn, bool accepted = true, string? refreshToken = "icrole-refresh") =>
        _home.SignIn(Token, "icrole", expiresIn, accepted, refreshToken);
}
