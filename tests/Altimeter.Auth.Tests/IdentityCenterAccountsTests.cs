using Altimeter.Auth.Tests.Doubles;
using Amazon.Runtime;
using Amazon.SSO;
using Amazon.SSO.Model;
using Amazon.SSOOIDC;
using Newtonsoft.Json.Linq;
using Xunit;

namespace Altimeter.Auth.Tests;

/// <summary>
/// Listing the accounts and roles a person signed in to IAM Identity Center may reach, through the
/// SDK's SSO client against the portal double: every page of ListAccounts and of each account's
/// ListAccountRoles, the bound on role lists at once, the token read and refreshed by the SDK's
/// token manager as the Identity Center sources read it, and what a missing or refused token gives.
/// </summary>
public sealed class IdentityCenterAccountsTests : IDisposable
{
    private const string Token = "accounts-signed-in-token";
    private readonly SsoPortalDouble _portal = new();
    private readonly IdentityCenterHome _home;
    private readonly RecordingLog _log = new();

    // Seven accounts, two to a page: four pages of accounts; role lists of 0 to 3 roles, so one takes two pages.
    private static readonly (string Id, string Name, string[] Roles)[] Assigned =
    {
        ("111111111111", "hub", new[] { "AdministratorAccess", "ReadOnly", "Billing" }),
        ("222222222222", "dev", new[] { "ReadOnly" }),
        ("333333333333", "test", new[] { "ReadOnly", "PowerUser" }),
        ("444444444444", "prod", new[] { "ReadOnly" }),
        ("555555555555", "audit", Array.Empty<string>()),
        ("666666666666", "logs", new[] { "ReadOnly", "LogReader" }),
        ("012345678901", "sandbox", new[] { "AdministratorAccess" }),
    };

    public IdentityCenterAccountsTests()
    {
        _home = new IdentityCenterHome(_portal, "accounts");
        foreach (var (id, name, roles) in Assigned)
        {
            _portal.AddAccount(id, name, $"aws+{name}@example.com", roles);
        }
    }

    private string ConfigFile => _home.ConfigFile;

    private string CacheDirectory => _home.CacheDirectory;

    private IdentityCenterPortal Dev => _home.Dev;

    public void Dispose()
    {
        _portal.Dispose();
        _home.Dispose();
    }

    [Fact]
    public async Task Every_account_of_a_paged_portal_comes_in_its_order_with_every_page_of_its_roles()
    {
        _portal.PageSize = 2;
        SignedIn(expiresIn: TimeSpan.FromHours(4));

        using var lister = Lister(CacheDirectory);
        var accounts = await lister.ListAsync(throttleLimit: 4, CancellationToken.None);

        Assert.Equal(Assigned.Select(a => a.Id), accounts.Select(a => a.AccountId));
        Assert.Equal(Assigned.Select(a => a.Name), accounts.Select(a => a.AccountName));
        Assert.Equal(Assigned.Select(a => $"aws+{a.Name}@example.com"), accounts.Select(a => a.EmailAddress));
        foreach (var (account, assigned) in accounts.Zip(Assigned))
        {
            Assert.Equal(assigned.Roles, account.RoleNames);
        }

        Assert.Equal(4, _portal.ListAccountsCount);
        Assert.Equal(Assigned.Sum(a => Math.Max(1, (a.Roles.Length + 1) / 2)), _portal.ListAccountRolesCount);
        var requests = _portal.ListRequests.ToList();
        Assert.Equal(
            new[] { "ListAccounts 100", "ListAccounts 100 accounts:2", "ListAccounts 100 accounts:4", "ListAccounts 100 accounts:6" },
            requests.Where(r => r.StartsWith("ListAccounts ", StringComparison.Ordinal)));
        Assert.Contains("ListAccountRoles 111111111111 100 roles-111111111111:2", requests);
        Assert.Equal(0, _portal.CreateTokenCount);
        Assert.Equal("111111111111 (hub)", accounts[0].ToString());
    }

    [Fact]
    public async Task Role_lists_run_at_most_throttle_limit_at_once_and_up_to_it()
    {
        // Held until three are in flight, which a lister bound to two never reaches: each call then
        // waits out the gate (1 s) with the others of its round, and the count shows how many ran at once.
        const int throttleLimit = 2;
        _portal.RoleListGate = throttleLimit + 1;
        _portal.RoleListGateTimeout = TimeSpan.FromSeconds(1);
        SignedIn(expiresIn: TimeSpan.FromHours(4));

        using var lister = Lister(CacheDirectory);
        var accounts = await lister.ListAsync(throttleLimit, CancellationToken.None);

        Assert.Equal(Assigned.Length, accounts.Count);
        Assert.Equal(throttleLimit, _portal.MaxRoleListsInFlight);
    }

    [Fact]
    public async Task An_expired_token_is_refreshed_through_SSO_OIDC_the_file_updated_and_the_new_token_used()
    {
        var file = SignedIn(expiresIn: TimeSpan.FromHours(-1), accepted: false, refreshToken: "accounts-refresh");
        _portal.AcceptRefreshToken("accounts-refresh", "accounts-client", "accounts-client-secret");

        using var lister = Lister(CacheDirectory);
        var accounts = await lister.ListAsync(throttleLimit: 8, CancellationToken.None);

        Assert.Equal(Assigned.Length, accounts.Count);
        Assert.Equal(1, _portal.CreateTokenCount);
        var written = JObject.Parse(File.ReadAllText(file));
        Assert.StartsWith("sso-double-access-token-", (string?)written["accessToken"], StringComparison.Ordinal);
        Assert.NotEqual("accounts-refresh", (string?)written["refreshToken"]);
    }

    [Theory]
    [InlineData("none", 0)]
    [InlineData("expired without a refresh token", 0)]
    [InlineData("expired, its refresh refused", 1)]
    [InlineData("refused by the portal", 0)]
    public async Task Without_a_usable_token_it_is_SsoSignInRequired_naming_the_profile_and_the_sign_in_commands_and_creates_no_cache(string token, int refreshes)
    {
        switch (token)
        {
            case "expired without a refresh token":
                SignedIn(expiresIn: TimeSpan.FromHours(-1), refreshToken: null);
                break;
            case "expired, its refresh refused":
                SignedIn(expiresIn: TimeSpan.FromHours(-1), refreshToken: "accounts-revoked-refresh");
                break;
            case "refused by the portal":
                SignedIn(expiresIn: TimeSpan.FromHours(4), accepted: false);
                break;
        }

        using var lister = Lister(CacheDirectory);
        var e = await Assert.ThrowsAsync<SsoSignInRequiredException>(() => lister.ListAsync(throttleLimit: 8, CancellationToken.None));

        Assert.Equal("SsoSignInRequired", e.ErrorId);
        Assert.Equal("dev", e.ProfileName);
        Assert.Equal("corp", e.SsoSessionName);
        Assert.Contains("profile 'dev'", e.Message, StringComparison.Ordinal);
        Assert.Contains("Invoke-AltimeterSsoLogin -ProfileName dev (or: aws sso login --profile dev)", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("accounts-revoked-refresh", e.ToString(), StringComparison.Ordinal);
        Assert.Equal(refreshes, _portal.CreateTokenCount);
        Assert.Equal(token == "refused by the portal" ? 1 : 0, _portal.ListAccountsCount);
        Assert.Equal(0, _portal.ListAccountRolesCount);
        Assert.Equal(token != "none", Directory.Exists(CacheDirectory));
    }

    [Fact]
    public async Task A_token_the_portal_refuses_for_an_sso_session_is_SsoSignInRequired_naming_the_sso_session_commands()
    {
        _portal.PageSize = 2;
        SignedIn(expiresIn: TimeSpan.FromHours(4));
        var portal = IdentityCenterPortal.FromSsoSession("corp", ConfigFile);
        using var lister = new IdentityCenterAccounts(portal, SsoClient(), async cancellationToken =>
        {
            var token = await new IdentityCenterAccessToken(portal, OidcClient(), CacheDirectory).GetAsync(cancellationToken);
            return token + "-revoked";
        }, _log);

        var e = await Assert.ThrowsAsync<SsoSignInRequiredException>(() => lister.ListAsync(throttleLimit: 2, CancellationToken.None));

        Assert.Null(e.ProfileName);
        Assert.Contains("Invoke-AltimeterSsoLogin -SsoSession corp (or: aws sso login --sso-session corp)", e.Message, StringComparison.Ordinal);
        Assert.IsType<UnauthorizedException>(e.InnerException);
    }

    [Fact]
    public async Task Throttled_list_calls_are_retried_by_the_SDK_and_every_account_still_comes()
    {
        _portal.PageSize = 2;
        _portal.ThrottleNext = 3;
        SignedIn(expiresIn: TimeSpan.FromHours(4));

        using var lister = Lister(CacheDirectory, maxErrorRetry: 3);
        var accounts = await lister.ListAsync(throttleLimit: 1, CancellationToken.None);

        Assert.Equal(Assigned.Select(a => a.Id), accounts.Select(a => a.AccountId));
        Assert.Equal(0, _portal.ThrottleNext);
        Assert.Equal(4 + 3, _portal.ListAccountsCount + _portal.ListAccountRolesCount - Assigned.Sum(a => Math.Max(1, (a.Roles.Length + 1) / 2)));
    }

    [Fact]
    public async Task A_portal_that_keeps_throttling_is_SsoPortalCallFailed_naming_the_call_and_its_status()
    {
        _portal.ThrottleNext = 100;
        SignedIn(expiresIn: TimeSpan.FromHours(4));

        using var lister = Lister(CacheDirectory, maxErrorRetry: 1);
        var e = await Assert.ThrowsAsync<SsoPortalCallException>(() => lister.ListAsync(throttleLimit: 8, CancellationToken.None));

        Assert.Equal("SsoPortalCallFailed", e.ErrorId);
        Assert.Contains("failed ListAccounts (429 TooManyRequestsException)", e.Message, StringComparison.Ordinal);
        Assert.Contains("profile 'dev'", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, _portal.ListAccountsCount);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_token_cache_directory_of_another_user_is_refused_before_its_token_is_sent()
    {
        var foreign = UnixTestFiles.ForeignDirectory(_home.Directory);
        var planted = SignedIn(expiresIn: TimeSpan.FromHours(4), directory: foreign.Path);
        try
        {
            using var lister = Lister(foreign.Path);
            var e = await Assert.ThrowsAsync<SsoSignInException>(() => lister.ListAsync(throttleLimit: 8, CancellationToken.None));

            Assert.Equal(SsoSignInException.Failed, e.ErrorId);
            Assert.Contains($"'{foreign.Path}' cannot be used", e.Message, StringComparison.Ordinal);
            Assert.Equal(0, _portal.ListAccountsCount);
        }
        finally
        {
            File.Delete(planted);
        }
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_token_file_others_may_write_is_refused_before_its_token_is_sent()
    {
        var planted = SignedIn(expiresIn: TimeSpan.FromHours(4));
        File.SetUnixFileMode(planted, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);

        using var lister = Lister(CacheDirectory);
        var e = await Assert.ThrowsAsync<SsoTokenCacheUntrustedException>(() => lister.ListAsync(throttleLimit: 8, CancellationToken.None));

        Assert.Equal("SsoTokenCacheUntrusted", e.ErrorId);
        Assert.Contains(planted, e.Message, StringComparison.Ordinal);
        Assert.Equal(0, _portal.ListAccountsCount);
    }

    // The token file `aws sso login` leaves for sso-session corp; the portal accepts the token unless told otherwise.
    private string SignedIn(TimeSpan expiresIn, bool accepted = true, string? refreshToken = "accounts-refresh", string? directory = null) =>
        _home.SignIn(Token, "accounts", expiresIn, accepted, refreshToken, directory);

    private IdentityCenterAccounts Lister(string cacheDirectory, int maxErrorRetry = 0) =>
        new(Dev, SsoClient(maxErrorRetry), new IdentityCenterAccessToken(Dev, OidcClient(), cacheDirectory).GetAsync, _log);

    private AmazonSSOClient SsoClient(int maxErrorRetry = 0) => _home.SsoClient(maxErrorRetry);

    private AmazonSSOOIDCClient OidcClient() => _home.OidcClient();
}
