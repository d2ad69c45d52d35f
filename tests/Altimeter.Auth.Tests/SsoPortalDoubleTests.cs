using Altimeter.Auth.Tests.Doubles;
using Amazon.Runtime;
using Amazon.SSO;
using Amazon.SSO.Model;
using Amazon.SSOOIDC;
using Amazon.SSOOIDC.Model;
using Xunit;

namespace Altimeter.Auth.Tests;

/// <summary>
/// The Identity Center double read by the AWS SDK's own SSO and SSO OIDC clients (the ones
/// AWSSDK.Core uses for profiles): if the SDK's unmarshallers read its answers and errors as
/// AWS's, the Pester chains through it test what a real portal would give. And which SDK errors
/// mean "sign in again".
/// </summary>
public sealed class SsoPortalDoubleTests : IDisposable
{
    private readonly SsoPortalDouble _portal = new();
    private readonly AmazonSSOClient _sso;
    private readonly AmazonSSOOIDCClient _oidc;

    public SsoPortalDoubleTests()
    {
        var anonymous = new AnonymousAWSCredentials();
        _sso = new AmazonSSOClient(anonymous, new AmazonSSOConfig { ServiceURL = _portal.Url, MaxErrorRetry = 0 });
        _oidc = new AmazonSSOOIDCClient(anonymous, new AmazonSSOOIDCConfig { ServiceURL = _portal.Url, MaxErrorRetry = 0 });
    }

    public void Dispose()
    {
        _sso.Dispose();
        _oidc.Dispose();
        _portal.Dispose();
    }

    [Fact]
    public async Task GetRoleCredentials_with_an_accepted_token_gives_role_credentials_that_expire_as_the_sdk_reads_them()
    {
        _portal.AcceptAccessToken("token-1");

        var response = await _sso.GetRoleCredentialsAsync(new GetRoleCredentialsRequest { AccessToken = "token-1", AccountId = "111111111111", RoleName = "Hub" });

        Assert.StartsWith("ASIAPESTERSSO", response.RoleCredentials.AccessKeyId, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(response.RoleCredentials.SecretAccessKey));
        Assert.False(string.IsNullOrEmpty(response.RoleCredentials.SessionToken));
        var expiration = DateTimeOffset.FromUnixTimeMilliseconds(response.RoleCredentials.Expiration!.Value);
        Assert.InRange(expiration, DateTimeOffset.UtcNow.AddHours(7), DateTimeOffset.UtcNow.AddHours(9));
        Assert.Equal(new[] { "Hub@111111111111" }, _portal.RoleRequests);
        Assert.Equal(1, _portal.GetRoleCredentialsCount);
    }

    [Fact]
    public async Task GetRoleCredentials_with_an_unknown_token_is_the_sdks_UnauthorizedException_which_means_sign_in_again()
    {
        var error = await Assert.ThrowsAsync<UnauthorizedException>(() =>
            _sso.GetRoleCredentialsAsync(new GetRoleCredentialsRequest { AccessToken = "revoked", AccountId = "111111111111", RoleName = "Hub" }));

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Equal("UnauthorizedException", error.ErrorCode);
        Assert.True(SsoSignInRequiredException.Explains(error));
    }

    [Fact]
    public async Task ListAccounts_and_ListAccountRoles_page_as_the_sdk_reads_them_and_refuse_what_the_portal_refuses_with_its_errors()
    {
        _portal.AcceptAccessToken("token-1");
        _portal.PageSize = 2;
        _portal.AddAccount("111111111111", "hub", "hub@example.com", "A", "B", "C");
        _portal.AddAccount("222222222222", "dev", "dev@example.com");
        _portal.AddAccount("333333333333", "prod", "prod@example.com", "ReadOnly");

        var first = await _sso.ListAccountsAsync(new ListAccountsRequest { AccessToken = "token-1", MaxResults = 100 });
        var last = await _sso.ListAccountsAsync(new ListAccountsRequest { AccessToken = "token-1", MaxResults = 100, NextToken = first.NextToken });
        var roles = await _sso.ListAccountRolesAsync(new ListAccountRolesRequest { AccessToken = "token-1", AccountId = "111111111111", MaxResults = 1 });

        Assert.Equal(new[] { "111111111111", "222222222222" }, first.AccountList.Select(a => a.AccountId));
        Assert.Equal(new[] { "hub", "dev" }, first.AccountList.Select(a => a.AccountName));
        Assert.Equal("hub@example.com", first.AccountList[0].EmailAddress);
        Assert.Equal(new[] { "333333333333" }, last.AccountList.Select(a => a.AccountId));
        Assert.Null(last.NextToken);
        Assert.Equal(new[] { ("111111111111", "A") }, roles.RoleList.Select(r => (r.AccountId, r.RoleName)));
        Assert.False(string.IsNullOrEmpty(roles.NextToken));

        var unauthorized = await Assert.ThrowsAsync<UnauthorizedException>(() => _sso.ListAccountsAsync(new ListAccountsRequest { AccessToken = "revoked" }));
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        await Assert.ThrowsAsync<Amazon.SSO.Model.InvalidRequestException>(() => _sso.ListAccountsAsync(new ListAccountsRequest { AccessToken = "token-1", NextToken = roles.NextToken }));
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => _sso.ListAccountRolesAsync(new ListAccountRolesRequest { AccessToken = "token-1", AccountId = "999999999999" }));
        _portal.ThrottleNext = 1;
        var throttled = await Assert.ThrowsAsync<TooManyRequestsException>(() => _sso.ListAccountsAsync(new ListAccountsRequest { AccessToken = "token-1" }));
        Assert.Equal((System.Net.HttpStatusCode)429, throttled.StatusCode);
        Assert.Equal(new[] { "ListAccounts 100", "ListAccounts 100 accounts:2", "ListAccountRoles 111111111111 1" }, _portal.ListRequests.Take(3));
    }

    [Fact]
    public async Task CreateToken_with_a_registered_clients_refresh_token_gives_a_new_access_token_the_portal_accepts()
    {
        _portal.AcceptRefreshToken("refresh-1", "client-1", "secret-1");

        var token = await _oidc.CreateTokenAsync(new CreateTokenRequest { ClientId = "client-1", ClientSecret = "secret-1", GrantType = "refresh_token", RefreshToken = "refresh-1" });
        var credentials = await _sso.GetRoleCredentialsAsync(new GetRoleCredentialsRequest { AccessToken = token.AccessToken, AccountId = "111111111111", RoleName = "Hub" });

        Assert.Equal("Bearer", token.TokenType);
        Assert.True(token.ExpiresIn > 3600);
        Assert.False(string.IsNullOrEmpty(token.RefreshToken));
        Assert.NotNull(credentials.RoleCredentials.AccessKeyId);
        Assert.Equal(1, _portal.CreateTokenCount);
    }

    [Fact]
    public async Task CreateToken_with_an_unknown_or_used_refresh_token_is_the_sdks_InvalidGrantException()
    {
        _portal.AcceptRefreshToken("refresh-1", "client-1", "secret-1");
        await _oidc.CreateTokenAsync(new CreateTokenRequest { ClientId = "client-1", ClientSecret = "secret-1", GrantType = "refresh_token", RefreshToken = "refresh-1" });

        var error = await Assert.ThrowsAsync<InvalidGrantException>(() =>
            _oidc.CreateTokenAsync(new CreateTokenRequest { ClientId = "client-1", ClientSecret = "secret-1", GrantType = "refresh_token", RefreshToken = "refresh-1" }));

        Assert.Equal("invalid_grant", error.Error);
    }

    // Timings belong in benchmarks: what keeps the double from adding a delayed ACK per request is
    // Nagle's algorithm off on every connection, read back from the sockets.
    [Fact]
    public async Task Every_connection_to_the_double_has_Nagles_algorithm_off()
    {
        _portal.AcceptAccessToken("token-1");
        var request = new GetRoleCredentialsRequest { AccessToken = "token-1", AccountId = "111111111111", RoleName = "Hub" };

        for (var i = 0; i < 3; i++)
        {
            await _sso.GetRoleCredentialsAsync(request);
        }

        Assert.True(_portal.Server.Connections >= 1);
        Assert.Equal(0, _portal.Server.ConnectionsWithNagle);
    }

    [Theory]
    [InlineData("No valid SSO Token could be found.")]
    [InlineData("SSO Token has expired and can not be refreshed")]
    public void The_token_managers_client_errors_mean_sign_in_again(string message)
    {
        Assert.True(SsoSignInRequiredException.Explains(new AmazonClientException(message)));
    }

    [Fact]
    public async Task A_refresh_SSO_OIDC_refuses_means_sign_in_again()
    {
        var refusal = await Assert.ThrowsAsync<InvalidGrantException>(() =>
            _oidc.CreateTokenAsync(new CreateTokenRequest { ClientId = "client-1", ClientSecret = "secret-1", GrantType = "refresh_token", RefreshToken = "revoked" }));

        // What the SDK's token manager throws when the refresh of an expired token fails.
        Assert.True(SsoSignInRequiredException.Explains(new AmazonClientException("SSO Token has expired and failed to refresh", refusal)));
    }

    [Fact]
    public void An_unreachable_or_failing_portal_does_not_mean_sign_in_again()
    {
        Assert.False(SsoSignInRequiredException.Explains(new AmazonServiceException("boom", null, ErrorType.Receiver, "InternalFailure", "r", System.Net.HttpStatusCode.InternalServerError)));
        Assert.False(SsoSignInRequiredException.Explains(new AmazonClientException("send failed", new System.Net.Http.HttpRequestException("refused"))));
        Assert.False(SsoSignInRequiredException.Explains(new AmazonClientException("SSO Token has expired and failed to refresh",
            new AmazonServiceException("unavailable", null, ErrorType.Receiver, "ServiceUnavailable", "r", System.Net.HttpStatusCode.ServiceUnavailable))));
    }
}
