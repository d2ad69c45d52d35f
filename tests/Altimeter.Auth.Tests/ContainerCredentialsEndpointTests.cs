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
    public async Task Once_stopped_its_token_gets_410_and_no_keys_the_port_stays_held_and_stopping_again_does_nothing()
    {
        var (sts, session) = await NewSession();
        var endpoint = ContainerCredentialsEndpoint.Start(session);
        var token = Token(endpoint);
        using (var response = await s_http.SendAsync(Request(endpoint)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        endpoint.Dispose();
        endpoint.Dispose();

        // A child that outlived its block asks again with the token it was given.
        using var late = new HttpRequestMessage(HttpMethod.Get, endpoint.Uri);
        late.Headers.TryAddWithoutValidation("Authorization", token);
        using var lateResponse = await s_http.SendAsync(late);
        var body = await lateResponse.Content.ReadAsStringAsync();
        Assert.False(endpoint.IsRunning);
        Assert.Equal(HttpStatusCode.Gone, lateResponse.StatusCode);
        Assert.DoesNotContain(sts.Issued.Last().AccessKeyId, body, StringComparison.Ordinal);
        Assert.DoesNotContain(sts.Issued.Last().SecretAccessKey, body, StringComparison.Ordinal);
        Assert.Equal(1, endpoint.Served);

        // Nobody else may listen where the child sends its token.
        var thief = new TcpListener(IPAddress.Loopback, endpoint.Port);
        Assert.Throws<SocketException>(() => thief.Start());
    }

    [Fact]
    public async Task Idle_and_byte_a_second_connections_keep_no_client_with_the_token_from_its_keys_and_the_server_closes_them_all()
    {
        var (sts, session) = await NewSession();
        using var endpoint = ContainerCredentialsEndpoint.Start(session);
        var held = new List<TcpClient>();
        using var stopTrickling = new CancellationTokenSource();
        var trickles = new List<Task>();
        try
        {
            // More than every connection cap the endpoint ever had, all open before the client comes.
            for (var i = 0; i < 100; i++)
            {
                held.Add(await Connected(endpoint));
            }

            // Slow loris: a request head that never ends, one byte a second.
            for (var i = 0; i < 10; i++)
            {
                var client = await Connected(endpoint);
                held.Add(client);
                trickles.Add(Trickle(client, stopTrickling.Token));
            }

            using var response = await s_http.SendAsync(Request(endpoint));
            var json = Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(sts.Issued.Last().AccessKeyId, (string?)json["AccessKeyId"]);

            // Counted, not timed: every one of them is closed by the server (bounded wait of a minute).
            var closed = await Task.WhenAll(held.Select(ClosedByServer));
            Assert.Equal(held.Count, closed.Count(c => c));
        }
        finally
        {
            stopTrickling.Cancel();
            foreach (var client in held)
            {
                client.Dispose();
            }

            await Task.WhenAll(trickles);
        }
    }

    [Fact]
    public async Task A_request_in_flight_when_the_endpoint_stops_gets_410_and_not_the_keys_the_session_renewed_meanwhile()
    {
        var initial = new SessionCredentials(new Amazon.Runtime.ImmutableCredentials("ASIAINITIALKEY000001", "initial-secret", "initial-token"), DateTime.UtcNow.AddMinutes(3), "test", roleArn: null);
        var renewed = new SessionCredentials(new Amazon.Runtime.ImmutableCredentials("ASIARENEWEDKEY000002", "renewed-secret", "renewed-token"), DateTime.UtcNow.AddHours(1), "test", roleArn: null);
        var renewing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource<SessionCredentials>(TaskCreationOptions.RunContinuationsAsynchronously);
        var session = new AltimeterSession(TestData.Target, "us-east-1", initial, (_, _) =>
        {
            renewing.TrySetResult();
            return release.Task;
        })
        { RenewalWindow = TimeSpan.FromMinutes(5) };
        var endpoint = ContainerCredentialsEndpoint.Start(session);

        var request = s_http.SendAsync(Request(endpoint));
        await renewing.Task.WaitAsync(TimeSpan.FromSeconds(30));
        endpoint.Dispose();
        release.SetResult(renewed);
        using var response = await request;
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Gone, response.StatusCode);
        Assert.DoesNotContain("renewed-secret", body, StringComparison.Ordinal);
        Assert.DoesNotContain("ASIARENEWEDKEY000002", body, StringComparison.Ordinal);
        Assert.Equal(0, endpoint.Served);
    }

    [Fact]
    public async Task Endpoints_of_one_process_share_its_port_each_token_gets_its_own_session_and_stopping_one_leaves_the_other()
    {
        var (firstSts, firstSession) = await NewSession();
        var (secondSts, secondSession) = await NewSession();
        using var first = ContainerCredentialsEndpoint.Start(firstSession);
        using var second = ContainerCredentialsEndpoint.Start(secondSession);

        using (var response = await s_http.SendAsync(Request(second)))
        {
            Assert.Equal(secondSts.Issued.Last().AccessKeyId, (string?)Parse(await response.Content.ReadAsStringAsync())["AccessKeyId"]);
        }

        first.Dispose();
        using var firstResponse = await s_http.SendAsync(Request(first));
        using var secondResponse = await s_http.SendAsync(Request(second));

        Assert.Equal(first.Port, second.Port);
        Assert.Equal(HttpStatusCode.Gone, firstResponse.StatusCode);
        Assert.DoesNotContain(firstSts.Issued.Last().AccessKeyId, await firstResponse.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, secondResponse.StatusCode);
        Assert.Equal(secondSts.Issued.Last().AccessKeyId, (string?)Parse(await secondResponse.Content.ReadAsStringAsync())["AccessKeyId"]);
        Assert.Equal(0, first.Served);
        Assert.Equal(2, second.Served);
    }

    [Fact]
    public async Task Connections_reset_as_soon_as_they_are_made_do_not_stop_the_listener()
    {
        // A connection may be gone by the time it is accepted: setting up the socket then fails,
        // and must fail that connection only, not the accept loop of the process's one port.
        using var listener = CredentialsListener.Open(CredentialsListener.HeadDeadline, CredentialsListener.MaxPendingConnections);
        var (sts, session) = await NewSession();
        using var endpoint = ContainerCredentialsEndpoint.Start(session, listener);
        for (var i = 0; i < 200; i++)
        {
            using var client = new TcpClient { LingerState = new LingerOption(true, 0) };
            await client.ConnectAsync(IPAddress.Loopback, endpoint.Port);
        }

        using var response = await s_http.SendAsync(Request(endpoint));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(sts.Issued.Last().AccessKeyId, (string?)Parse(await response.Content.ReadAsStringAsync())["AccessKeyId"]);
    }

    [Fact]
    public async Task Connections_that_send_no_head_beyond_the_cap_push_the_oldest_out_and_never_keep_a_client_from_being_accepted()
    {
        // No head deadline here: only the cap closes connections, so which ones is a count, not a race.
        using var listener = CredentialsListener.Open(Timeout.InfiniteTimeSpan, maxPendingConnections: 8);
        var (sts, session) = await NewSession();
        using var endpoint = ContainerCredentialsEndpoint.Start(session, listener);
        var held = new List<TcpClient>();
        try
        {
            for (var i = 0; i < 18; i++)
            {
                held.Add(await Connected(endpoint));
            }

            // The client's own connection pushes one more out while it waits for its head.
            using var response = await s_http.SendAsync(Request(endpoint));

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(sts.Issued.Last().AccessKeyId, (string?)Parse(await response.Content.ReadAsStringAsync())["AccessKeyId"]);
            var oldest = await Task.WhenAll(held.Take(11).Select(ClosedByServer));
            Assert.Equal(11, oldest.Count(c => c));
            Assert.Equal(7, listener.PendingCount);
            Assert.All(held.Skip(11), c => Assert.False(c.Client.Poll(0, SelectMode.SelectRead), "a connection within the cap was closed"));
        }
        finally
        {
            foreach (var client in held)
            {
                client.Dispose();
            }
        }
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
        using var secure = first.GetAuthorizationToken();
        Assert.Equal(Token(first), new NetworkCredential(string.Empty, secure).Password);
        Assert.True(secure.IsReadOnly());
    }

    [Fact]
    public async Task No_public_property_of_the_endpoint_holds_its_token()
    {
        // What Export-Clixml and ConvertTo-Json write are the public properties (a SecureString is
        // not encrypted off Windows): the token is handed out by methods only.
        var (_, session) = await NewSession();
        using var endpoint = ContainerCredentialsEndpoint.Start(session);
        var token = Token(endpoint);

        var properties = typeof(ContainerCredentialsEndpoint).GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance);
        foreach (var property in properties)
        {
            var value = property.GetValue(endpoint);
            var text = value is System.Security.SecureString secure
                ? new NetworkCredential(string.Empty, secure).Password
                : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.False((text ?? string.Empty).Contains(token, StringComparison.Ordinal), $"{property.Name} holds the token");
        }

        Assert.Contains(properties, p => p.Name == nameof(ContainerCredentialsEndpoint.Uri));
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

    // The endpoint's own variables: GetEnvironmentVariables writes the children's profile copies and refuses once stopped.
    private static string Token(ContainerCredentialsEndpoint endpoint) => endpoint.GetBlockVariables()["AWS_CONTAINER_AUTHORIZATION_TOKEN"]!;

    private static HttpRequestMessage Request(ContainerCredentialsEndpoint endpoint, string? token = "{token}")
    {
        var request = new HttpRequestMessage(HttpMethod.Get, endpoint.Uri);
        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", token.Replace("{token}", Token(endpoint), StringComparison.Ordinal));
        }

        return request;
    }

    private static async Task<TcpClient> Connected(ContainerCredentialsEndpoint endpoint)
    {
        var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, endpoint.Port);
        return client;
    }

    private static async Task Trickle(TcpClient client, CancellationToken stop)
    {
        var head = Encoding.ASCII.GetBytes("GET /credentials HTTP/1.1\r\nX-Slow: " + new string('a', 200));
        try
        {
            foreach (var b in head)
            {
                await client.GetStream().WriteAsync(new[] { b }, stop);
                await Task.Delay(TimeSpan.FromSeconds(1), stop);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // The server closed it (the point), or the test is over.
        }
    }

    // True when the server ends the connection (end of stream or reset) within a minute.
    private static async Task<bool> ClosedByServer(TcpClient client)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var buffer = new byte[1024];
        try
        {
            while (await client.GetStream().ReadAsync(buffer, bound.Token) > 0)
            {
            }

            return true;
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
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
