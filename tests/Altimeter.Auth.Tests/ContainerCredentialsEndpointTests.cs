using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using Altimeter.Auth;
using Altimeter.Auth.Tests.Doubles;
using Newtonsoft.Json.Linq;
using Xunit;

namespace Altimeter.Auth.Tests;

// The endpoint as the SDKs see it (botocore's ContainerMetadataFetcher, the .NET SDK's
// GenericContainerCredentials): a GET with the token as the Authorization header's whole value.
// Real SDK clients against moto are in tests/pester/Invoke-AltimeterCommand.
public class ContainerCredentialsEndpointTests
{
    private static readonly HttpClient s_http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task A_GET_with_the_token_gets_the_sessions_keys_and_their_ISO_8601_expiration()
    {
        var (sts, session) = await NewSession();
        using var endpoint = ContainerCredentialsEndpoint.Start(session);

        using var response = await s_http.SendAsync(Request(endpoint));
        var json = Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var issued = sts.Issued.Last();
        Assert.Equal(issued.AccessKeyId, (string?)json["AccessKeyId"]);
        Assert.Equal(issued.SecretAccessKey, (string?)json["SecretAccessKey"]);
        Assert.Equal(issued.SessionToken, (string?)json["Token"]);
        Assert.Equal(TestData.Target, (string?)json["AccountId"]);
        Assert.Equal(Iso8601(session.Expiration!.Value), (string?)json["Expiration"]);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal(1, endpoint.Served);
    }

    [Fact]
    public async Task Near_expiry_a_request_gets_the_keys_the_session_renewed_through_its_chain()
    {
        var (sts, session) = await NewSession(TimeSpan.FromMinutes(3));
        session.RenewalWindow = TimeSpan.FromMinutes(5);
        var before = sts.Issued.Last().AccessKeyId;
        using var endpoint = ContainerCredentialsEndpoint.Start(session);

        using var response = await s_http.SendAsync(Request(endpoint));
        var json = Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(1, session.Renewals);
        Assert.NotEqual(before, (string?)json["AccessKeyId"]);
        Assert.Equal(sts.Issued.Last().AccessKeyId, (string?)json["AccessKeyId"]);
        Assert.Equal(Iso8601(session.Expiration!.Value), (string?)json["Expiration"]);
    }

    [Fact]
    public async Task A_session_that_cannot_renew_is_answered_500_with_the_error_id_and_no_keys()
    {
        var (sts, session) = await NewSession(TimeSpan.FromMinutes(3));
        sts.Fail = FakeSecurityTokenService.AccessDenied;
        session.RenewalWindow = TimeSpan.FromMinutes(5);
        using var endpoint = ContainerCredentialsEndpoint.Start(session);

        using var response = await s_http.SendAsync(Request(endpoint));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("AccountAuthFailed", body, StringComparison.Ordinal);
        Assert.DoesNotContain(sts.Issued.Last().SecretAccessKey, body, StringComparison.Ordinal);
        Assert.Equal(1, endpoint.Failed);
    }

    [Fact]
    public async Task Without_the_Authorization_header_the_answer_is_401_and_carries_no_keys()
    {
        var (sts, session) = await NewSession();
        using var endpoint = ContainerCredentialsEndpoint.Start(session);
        using var request = Request(endpoint, token: null);

        using var response = await s_http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain(sts.Issued.Last().AccessKeyId, body, StringComparison.Ordinal);
        Assert.Equal(0, endpoint.Served);
        Assert.Equal(1, endpoint.Refused);
    }

    [Theory]
    [InlineData("wrong")]
    [InlineData("Bearer {token}")]
    [InlineData("{token}x")]
    [InlineData("{flipped}")]
    public async Task A_wrong_token_is_answered_403(string template)
    {
        var (_, session) = await NewSession();
        using var endpoint = ContainerCredentialsEndpoint.Start(session);
        var token = Token(endpoint);
        var flipped = token.Substring(0, token.Length - 1) + (token[^1] == 'a' ? 'b' : 'a');
        using var request = Request(endpoint, template.Replace("{token}", token, StringComparison.Ordinal).Replace("{flipped}", flipped, StringComparison.Ordinal));

        using var response = await s_http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(0, endpoint.Served);
    }

    [Theory]
    [InlineData("attacker.example:{port}")]
    [InlineData("localhost:{port}")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:1")]
    public async Task A_Host_header_other_than_the_loopback_address_and_port_is_refused_even_with_the_token(string host)
    {
        var (_, session) = await NewSession();
        using var endpoint = ContainerCredentialsEndpoint.Start(session);
        using var request = Request(endpoint);
        request.Headers.Host = host.Replace("{port}", endpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

        using var response = await s_http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(0, endpoint.Served);
    }

    [Fact]
    public async Task Only_a_GET_of_the_credentials_path_is_answered_with_keys()
    {
        var (_, session) = await NewSession();
        using var endpoint = ContainerCredentialsEndpoint.Start(session);
        using var post = Request(endpoint);
        post.Method = HttpMethod.Post;
        using var elsewhere = Request(endpoint);
        elsewhere.RequestUri = new Uri(endpoint.Uri, "/latest/meta-data/iam/security-credentials/");
        using var query = Request(endpoint);
        query.RequestUri = new Uri(endpoint.Uri.AbsoluteUri + "?x=1");

        using var postResponse = await s_http.SendAsync(post);
        using var elsewhereResponse = await s_http.SendAsync(elsewhere);
        using var queryResponse = await s_http.SendAsync(query);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, postResponse.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, elsewhereResponse.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, queryResponse.StatusCode);
        Assert.Equal(0, endpoint.Served);
    }

    [Theory]
    [InlineData("GET /credentials HTTP/1.1\r\nHost: {host}\r\nAuthorization: {token}\r\nAuthorization: {token}\r\n\r\n")]
    [InlineData("GET /credentials HTTP/1.1\r\nHost: {host}\r\nHost: {host}\r\nAuthorization: {token}\r\n\r\n")]
    [InlineData("GET /credentials HTTP/1.1\nHost: {host}\r\nAuthorization: {token}\r\n\r\n")]
    [InlineData("GET /credentials\r\nHost: {host}\r\nAuthorization: {token}\r\n\r\n")]
    [InlineData("GET /credentials HTTP/1.1\r\nHost : {host}\r\nAuthorization: {token}\r\n\r\n")]
    public async Task An_ambiguous_or_malformed_request_head_is_answered_400_even_with_the_token(string head)
    {
        var (_, session) = await NewSession();
        using var endpoint = ContainerCredentialsEndpoint.Start(session);

        var answer = await RawExchange(endpoint, head.Replace("{host}", endpoint.Uri.Authority, StringComparison.Ordinal).Replace("{token}", Token(endpoint), StringComparison.Ordinal));

        Assert.StartsWith("HTTP/1.1 400 ", answer, StringComparison.Ordinal);
        Assert.Equal(0, endpoint.Served);
    }

    [Fact]
    public async Task A_request_head_over_8_KiB_is_refused()
    {
        var (_, session) = await NewSession();
        using var endpoint = ContainerCredentialsEndpoint.Start(session);

        var answer = await RawExchange(endpoint, "GET /credentials HTTP/1.1\r\nX-Padding: " + new string('a', 9000) + "\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 400 ", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Once_disposed_the_port_refuses_connections_and_disposing_again_does_nothing()
    {
        var (_, session) = await NewSession();
        var endpoint = ContainerCredentialsEndpoint.Start(session);
        using (var response = await s_http.SendAsync(Request(endpoint)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        endpoint.Dispose();
        endpoint.Dispose();

        Assert.False(endpoint.IsRunning);
        using var client = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => client.ConnectAsync(IPAddress.Loopback, endpoint.Port));
    }

    [Fact]
    public async Task It_listens_on_127_0_0_1_only()
    {
        var (_, session) = await NewSession();
        using var endpoint = ContainerCredentialsEndpoint.Start(session);

        Assert.Equal("127.0.0.1", endpoint.Uri.Host);
        using var client = new TcpClient(AddressFamily.InterNetworkV6);
        await Assert.ThrowsAnyAsync<SocketException>(() => client.ConnectAsync(IPAddress.IPv6Loopback, endpoint.Port));
    }

    [Fact]
    public async Task Its_variables_name_the_endpoint_and_the_region_and_remove_everything_the_SDKs_prefer_to_it()
    {
        var (_, session) = await NewSession();
        using var endpoint = ContainerCredentialsEndpoint.Start(session);

        var variables = endpoint.GetEnvironmentVariables();

        Assert.Equal(endpoint.Uri.AbsoluteUri, variables["AWS_CONTAINER_CREDENTIALS_FULL_URI"]);
        Assert.Equal(64, variables["AWS_CONTAINER_AUTHORIZATION_TOKEN"]!.Length);
        Assert.Equal("us-east-1", variables["AWS_REGION"]);
        Assert.Equal("us-east-1", variables["AWS_DEFAULT_REGION"]);
        foreach (var name in new[] { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CREDENTIAL_EXPIRATION",
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN" })
        {
            Assert.True(variables.ContainsKey(name) && variables[name] is null, $"{name} must be removed");
        }
    }

    [Fact]
    public async Task Two_endpoints_have_different_tokens_and_its_text_shows_neither_token_nor_keys()
    {
        var (sts, session) = await NewSession();
        using var first = ContainerCredentialsEndpoint.Start(session);
        using var second = ContainerCredentialsEndpoint.Start(session);

        Assert.NotEqual(Token(first), Token(second));
        Assert.DoesNotContain(Token(first), first.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(sts.Issued.Last().AccessKeyId, first.ToString(), StringComparison.Ordinal);
        Assert.Equal(64, first.AuthorizationToken.Length);
        Assert.True(first.AuthorizationToken.IsReadOnly());
    }

    [Fact]
    public void The_constant_time_comparison_tells_equal_bytes_from_any_difference()
    {
        Assert.True(ConstantTime.AreEqual(new byte[] { 1, 2, 3 }, new byte[] { 1, 2, 3 }));
        Assert.True(ConstantTime.AreEqual(Array.Empty<byte>(), Array.Empty<byte>()));
        Assert.False(ConstantTime.AreEqual(new byte[] { 1, 2, 3 }, new byte[] { 1, 2, 4 }));
        Assert.False(ConstantTime.AreEqual(new byte[] { 0, 2, 3 }, new byte[] { 1, 2, 3 }));
        Assert.False(ConstantTime.AreEqual(new byte[] { 1, 2, 3 }, new byte[] { 1, 2 }));
    }

    private static async Task<(FakeSecurityTokenService Sts, AltimeterSession Session)> NewSession(TimeSpan? lifetime = null)
    {
        var sts = new FakeSecurityTokenService { Lifetime = lifetime ?? TimeSpan.FromHours(1) };
        var session = await new Accessor(new[] { TestData.TwoHop() }).GetSessionAsync(TestData.Target, TestData.Options(sts));
        sts.Lifetime = TimeSpan.FromHours(1);
        return (sts, session);
    }

    // As the SDKs read it: Expiration is text, not a date Newtonsoft turns into its own format.
    private static JObject Parse(string json) =>
        Newtonsoft.Json.JsonConvert.DeserializeObject<JObject>(json, new Newtonsoft.Json.JsonSerializerSettings { DateParseHandling = Newtonsoft.Json.DateParseHandling.None })!;

    private static string Iso8601(DateTime utc) => utc.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

    private static string Token(ContainerCredentialsEndpoint endpoint) => endpoint.GetEnvironmentVariables()["AWS_CONTAINER_AUTHORIZATION_TOKEN"]!;

    private static HttpRequestMessage Request(ContainerCredentialsEndpoint endpoint, string? token = "{token}")
    {
        var request = new HttpRequestMessage(HttpMethod.Get, endpoint.Uri);
        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", token.Replace("{token}", Token(endpoint), StringComparison.Ordinal));
        }

        return request;
    }

    private static async Task<string> RawExchange(ContainerCredentialsEndpoint endpoint, string head)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, endpoint.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadToEndAsync();
    }
}
