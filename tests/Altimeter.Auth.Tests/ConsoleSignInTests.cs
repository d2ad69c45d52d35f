using System.Net;
using System.Net.Http;
using Altimeter.Auth;
using Altimeter.Auth.Tests.Doubles;
using Amazon.Runtime;
using Xunit;

namespace Altimeter.Auth.Tests;

// Sessions are made by the engine (Accessor over a fake STS, or local mode); the federation
// requests go to FederationEndpointDouble. Where the partition's real sign-in host must show, a
// handler carries the request to the double and records the host it was sent to (no DNS, no AWS).
// One class: some cases set AWS_ENDPOINT_URL_SIGNIN, which belongs to the process.
public class ConsoleSignInTests : IDisposable
{
    private readonly FederationEndpointDouble _federation = new();

    public void Dispose() => _federation.Dispose();

    [Theory]
    [InlineData("us-east-1", "signin.aws.amazon.com", "https://console.aws.amazon.com/console/home?region=us-east-1")]
    [InlineData("eu-west-1", "signin.aws.amazon.com", "https://console.aws.amazon.com/console/home?region=eu-west-1")]
    [InlineData("cn-north-1", "signin.amazonaws.cn", "https://console.amazonaws.cn/console/home?region=cn-north-1")]
    [InlineData("us-gov-west-1", "signin.amazonaws-us-gov.com", "https://console.amazonaws-us-gov.com/console/home?region=us-gov-west-1")]
    public async Task Each_partition_signs_in_at_its_own_host_and_lands_on_its_console(string region, string signInHost, string destination)
    {
        var session = await ChainSession(region);
        var forwarder = new ForwardingHandler(_federation.Url);

        var url = await ConsoleSignIn.GetUrlAsync(session, new ConsoleSignInOptions { Handler = forwarder });

        Assert.Equal(signInHost, Assert.Single(forwarder.Hosts));
        var login = new Uri(url);
        Assert.Equal($"https://{signInHost}/federation", login.GetLeftPart(UriPartial.Path));
        var query = Query(login);
        Assert.Equal("login", query["Action"]);
        Assert.Equal(destination, query["Destination"]);
        Assert.True(_federation.Issued(query["SigninToken"]));
        Assert.Equal(string.Empty, query["Issuer"]);
    }

    [Fact]
    public async Task The_double_sees_the_sessions_current_keys_and_nothing_else()
    {
        var session = await ChainSession("us-east-1");
        var keys = session.GetCredentials();

        var url = await ConsoleSignIn.GetUrlAsync(session, new ConsoleSignInOptions { Handler = new ForwardingHandler(_federation.Url) });

        var request = Assert.Single(_federation.TokenRequests);
        Assert.Equal((keys.AccessKey, keys.SecretKey, keys.Token), (request.SessionId, request.SessionKey, request.SessionToken));
        Assert.Null(request.SessionDuration);
        Assert.Equal(request.IssuedToken, Query(new Uri(url))["SigninToken"]);
        Assert.DoesNotContain(keys.SecretKey, url, StringComparison.Ordinal);
        Assert.DoesNotContain(Uri.EscapeDataString(keys.Token), url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_partition_of_the_chains_role_wins_over_the_regions()
    {
        var chain = new MultiHopAccessor("altimeter", new[] { new AccessStep("HubRole", TestData.Hub), new AccessStep("TargetRole") }, partition: "aws-us-gov");
        var session = await new Accessor(new[] { chain }, cacheCreds: false).GetSessionAsync(TestData.Target, TestData.Options(new FakeSecurityTokenService(), "us-east-1"));
        var forwarder = new ForwardingHandler(_federation.Url);

        await ConsoleSignIn.GetUrlAsync(session, new ConsoleSignInOptions { Handler = forwarder });

        Assert.Equal("signin.amazonaws-us-gov.com", Assert.Single(forwarder.Hosts));
    }

    [Fact]
    public async Task SessionDuration_is_sent_for_credentials_of_a_role_assumed_with_long_term_keys()
    {
        var oneHop = new MultiHopAccessor("altimeter", new[] { new AccessStep("TargetRole") });
        var session = await new Accessor(new[] { oneHop }, cacheCreds: false).GetSessionAsync(TestData.Target, TestData.Options(new FakeSecurityTokenService()));

        await ConsoleSignIn.GetUrlAsync(session, new ConsoleSignInOptions { SessionDurationSeconds = 7200, Handler = new ForwardingHandler(_federation.Url) });

        Assert.Equal("7200", Assert.Single(_federation.TokenRequests).SessionDuration);
    }

    [Fact]
    public async Task SessionDuration_after_role_chaining_is_refused_before_any_request()
    {
        var session = await ChainSession("us-east-1");

        var e = await Assert.ThrowsAsync<ConsoleSignInException>(() => ConsoleSignIn.GetUrlAsync(session, new ConsoleSignInOptions { SessionDurationSeconds = 3600, Handler = new ForwardingHandler(_federation.Url) }));

        Assert.Equal(ConsoleSignInException.SessionDurationNotAllowed, e.ErrorId);
        Assert.Contains("role chaining", e.Message);
        Assert.Empty(_federation.Targets);
    }

    [Theory]
    [InlineData(899)]
    [InlineData(43201)]
    [InlineData(0)]
    public async Task SessionDuration_out_of_range_is_refused_before_any_request(int seconds)
    {
        var session = await LocalSession("us-east-1");

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ConsoleSignIn.GetUrlAsync(session, new ConsoleSignInOptions { SessionDurationSeconds = seconds, Handler = new ForwardingHandler(_federation.Url) }));

        Assert.Empty(_federation.Targets);
    }

    [Fact]
    public async Task Long_term_keys_cannot_sign_in_and_nothing_is_sent()
    {
        var sts = new FakeSecurityTokenService { CallerAccount = TestData.Target };
        var session = await new Accessor().GetSessionAsync(TestData.Target, TestData.Options(sts));

        var e = await Assert.ThrowsAsync<ConsoleSignInException>(() => ConsoleSignIn.GetUrlAsync(session, new ConsoleSignInOptions { Handler = new ForwardingHandler(_federation.Url) }));

        Assert.Equal(ConsoleSignInException.NeedsSessionToken, e.ErrorId);
        Assert.Empty(_federation.Targets);
        Assert.DoesNotContain("source-secret-not-real", e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refusal_from_an_endpoint_that_echoes_the_request_carries_its_status_and_a_fixed_text_and_no_form_of_the_keys()
    {
        _federation.EchoRequest = true;
        // Shaped as AWS's are: a secret key with / and +, a session token of base64 (+, /, =), so
        // their URL-encoded and JSON-escaped forms differ from the raw ones.
        var session = await LocalSession("us-east-1", new SessionAWSCredentials(
            "ASIAECHOED0000000001",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYECHOEDKEY1",
            "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+echoed/session+token/not+real/0123456789abcdefghij=="));
        var keys = session.GetCredentials();

        var e = await Assert.ThrowsAsync<ConsoleSignInException>(() => ConsoleSignIn.GetUrlAsync(session, new ConsoleSignInOptions { Handler = new ForwardingHandler(_federation.Url) }));

        Assert.Equal(ConsoleSignInException.Refused, e.ErrorId);
        Assert.Equal(400, e.StatusCode);
        Assert.Single(_federation.TokenRequests);
        Assert.Contains("HTTP 400", e.Message, StringComparison.Ordinal);
        var text = e.ToString();
        foreach (var secret in new[] { keys.SecretKey, keys.Token })
        {
            // Raw, URL-encoded (once and twice), JSON-escaped, and a 40-character piece of each.
            foreach (var form in new[] { secret, Uri.EscapeDataString(secret), Uri.EscapeDataString(Uri.EscapeDataString(secret)), System.Text.Json.JsonSerializer.Serialize(secret).Trim('"'), secret.Substring(0, Math.Min(40, secret.Length)), secret.Substring(secret.Length - Math.Min(40, secret.Length)) })
            {
                Assert.DoesNotContain(form, text, StringComparison.Ordinal);
            }
        }

        Assert.DoesNotContain("Invalid request", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Bad Session", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refusal_names_the_status_and_a_fixed_text_without_the_endpoints_page_keys_or_query()
    {
        _federation.RefuseSessionDuration = true;
        var session = await LocalSession("us-east-1");
        var keys = session.GetCredentials();

        var e = await Assert.ThrowsAsync<ConsoleSignInException>(() => ConsoleSignIn.GetUrlAsync(session, new ConsoleSignInOptions { SessionDurationSeconds = 1800, Handler = new ForwardingHandler(_federation.Url) }));

        Assert.Equal(ConsoleSignInException.Refused, e.ErrorId);
        Assert.Equal(400, e.StatusCode);
        Assert.Contains("HTTP 400", e.Message);
        Assert.DoesNotContain("Invalid credentials parameter", e.Message);
        Assert.Contains("role chaining", e.Message);
        Assert.Equal("1800", Assert.Single(_federation.TokenRequests).SessionDuration);
        foreach (var secret in new[] { keys.AccessKey, keys.SecretKey, keys.Token, "Session=", "getSigninToken" })
        {
            Assert.DoesNotContain(secret, e.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AWS_ENDPOINT_URL_SIGNIN_points_the_request_and_the_URL_at_the_double()
    {
        var session = await ChainSession("cn-north-1");
        using var _ = new EnvironmentVariable(SignInEndpoint.OverrideVariable, _federation.Url);

        var url = await ConsoleSignIn.GetUrlAsync(session);

        Assert.StartsWith(_federation.Url + "/federation?Action=login&", url, StringComparison.Ordinal);
        Assert.Equal("https://console.amazonaws.cn/console/home?region=cn-north-1", Query(new Uri(url))["Destination"]);
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var login = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("https://console.amazonaws.cn/console/home?region=cn-north-1", login.Headers.Location!.ToString());
    }

    [Theory]
    [InlineData("http://signin.example.com")]
    [InlineData("http://127.0.0.1.example.com:8080")]
    [InlineData("https://user:pw@signin.example.com")]
    [InlineData("https://signin.example.com/?a=b")]
    [InlineData("ftp://127.0.0.1/")]
    [InlineData("not a url")]
    public async Task An_endpoint_that_would_carry_the_keys_in_clear_or_elsewhere_is_refused(string endpoint)
    {
        var session = await ChainSession("us-east-1");
        using var _ = new EnvironmentVariable(SignInEndpoint.OverrideVariable, endpoint);

        var e = await Assert.ThrowsAsync<ConsoleSignInException>(() => ConsoleSignIn.GetUrlAsync(session));

        Assert.Equal(ConsoleSignInException.EndpointInvalid, e.ErrorId);
    }

    [Theory]
    [InlineData("http://localhost:1", "http://localhost:1/federation")]
    [InlineData("http://[::1]:2/", "http://[::1]:2/federation")]
    [InlineData("https://signin.example.com/base/", "https://signin.example.com/base/federation")]
    [InlineData("https://signin.example.com/federation", "https://signin.example.com/federation")]
    public void The_endpoint_variable_names_the_base_of_the_federation_path(string endpoint, string federation)
    {
        Assert.Equal(federation, SignInEndpoint.For("aws", endpoint).Federation.ToString());
    }

    [Theory]
    [InlineData(null, "https://console.aws.amazon.com/console/home?region=eu-west-1")]
    [InlineData("/s3/home", "https://console.aws.amazon.com/s3/home?region=eu-west-1")]
    [InlineData("/ec2/home?x=1", "https://console.aws.amazon.com/ec2/home?x=1&region=eu-west-1")]
    [InlineData("/ec2/home?region=us-west-2", "https://console.aws.amazon.com/ec2/home?region=us-west-2")]
    [InlineData("https://eu-west-1.console.aws.amazon.com/lambda/home", "https://eu-west-1.console.aws.amazon.com/lambda/home")]
    public void A_destination_is_a_console_path_or_an_https_URL(string? destination, string expected)
    {
        Assert.Equal(expected, SignInEndpoint.For("aws", null).DestinationFor(destination, "eu-west-1"));
    }

    [Theory]
    [InlineData("http://console.aws.amazon.com/")]
    [InlineData("javascript:alert(1)")]
    [InlineData("//evil.example/x")]
    [InlineData("https://u:p@console.aws.amazon.com/")]
    [InlineData("/s3/home bad")]
    [InlineData("/s3/h\u00e9me")]
    public void Other_destinations_are_refused(string destination)
    {
        var e = Assert.Throws<ConsoleSignInException>(() => SignInEndpoint.For("aws", null).DestinationFor(destination, "us-east-1"));
        Assert.Equal(ConsoleSignInException.DestinationInvalid, e.ErrorId);
    }

    [Theory]
    [InlineData("aws-iso")]
    [InlineData("aws-iso-b")]
    [InlineData("aws-iso-e")]
    [InlineData("aws-iso-f")]
    [InlineData("aws-eusc")]
    public void Partitions_without_a_known_endpoint_need_one_configured_and_a_full_destination(string partition)
    {
        Assert.Equal(ConsoleSignInException.PartitionUnsupported, Assert.Throws<ConsoleSignInException>(() => SignInEndpoint.For(partition, null)).ErrorId);

        var configured = SignInEndpoint.For(partition, "https://signin.example.internal");
        Assert.Equal(ConsoleSignInException.DestinationInvalid, Assert.Throws<ConsoleSignInException>(() => configured.DestinationFor(null, "us-iso-east-1")).ErrorId);
        Assert.Equal("https://console.example.internal/", configured.DestinationFor("https://console.example.internal/", "us-iso-east-1"));
    }

    [Fact]
    public async Task A_slow_endpoint_fails_at_the_timeout()
    {
        _federation.DelaySeconds = 5;
        var session = await LocalSession("us-east-1");
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<ConsoleSignInException>(() => ConsoleSignIn.GetUrlAsync(session, new ConsoleSignInOptions { Timeout = TimeSpan.FromMilliseconds(500), Handler = new ForwardingHandler(_federation.Url) }));

        Assert.Equal(ConsoleSignInException.Unreachable, e.ErrorId);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(4), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task A_closed_port_is_unreachable_without_the_query_in_the_error()
    {
        var session = await LocalSession("us-east-1");
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var _ = new EnvironmentVariable(SignInEndpoint.OverrideVariable, $"http://127.0.0.1:{port}");

        var e = await Assert.ThrowsAsync<ConsoleSignInException>(() => ConsoleSignIn.GetUrlAsync(session));

        Assert.Equal(ConsoleSignInException.Unreachable, e.ErrorId);
        Assert.DoesNotContain(session.GetCredentials().SecretKey, e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Session=", e.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(200, "{\"NotAToken\":\"x\"}")]
    [InlineData(200, "not json")]
    [InlineData(200, "{\"SigninToken\":\"\"}")]
    [InlineData(200, "{\"SigninToken\":\"has space\"}")]
    public async Task An_answer_without_a_usable_token_is_an_error(int status, string body)
    {
        using var endpoint = new LoopbackHttpServer(_ => new LoopbackResponse(status, body));
        var session = await LocalSession("us-east-1");
        using var _ = new EnvironmentVariable(SignInEndpoint.OverrideVariable, endpoint.Url);

        var e = await Assert.ThrowsAsync<ConsoleSignInException>(() => ConsoleSignIn.GetUrlAsync(session));

        Assert.Equal(ConsoleSignInException.AnswerInvalid, e.ErrorId);
    }

    [Fact]
    public async Task A_redirect_is_not_followed_with_the_keys()
    {
        using var elsewhere = new FederationEndpointDouble();
        using var endpoint = new LoopbackHttpServer(request => new LoopbackResponse(302, string.Empty, new Dictionary<string, string> { ["Location"] = elsewhere.Url + request.Target }));
        var session = await LocalSession("us-east-1");
        using var _ = new EnvironmentVariable(SignInEndpoint.OverrideVariable, endpoint.Url);

        var e = await Assert.ThrowsAsync<ConsoleSignInException>(() => ConsoleSignIn.GetUrlAsync(session));

        Assert.Equal(ConsoleSignInException.Refused, e.ErrorId);
        Assert.Equal(302, e.StatusCode);
        Assert.Empty(elsewhere.Targets);
    }

    [Fact]
    public async Task An_error_page_echoing_the_keys_is_scrubbed()
    {
        using var endpoint = new LoopbackHttpServer(request => new LoopbackResponse(400, "<p>bad " + request.Query["Session"] + "</p>", new Dictionary<string, string> { ["Content-Type"] = "text/html" }));
        var session = await LocalSession("us-east-1");
        var keys = session.GetCredentials();
        using var _ = new EnvironmentVariable(SignInEndpoint.OverrideVariable, endpoint.Url);

        var e = await Assert.ThrowsAsync<ConsoleSignInException>(() => ConsoleSignIn.GetUrlAsync(session));

        Assert.Equal(ConsoleSignInException.Refused, e.ErrorId);
        Assert.DoesNotContain(keys.SecretKey.Substring(0, 20), e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(keys.Token.Substring(0, 20), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Role_chaining_is_recorded_from_the_signer_of_the_last_hop()
    {
        var sts = new FakeSecurityTokenService();
        var context = new ChainContext(TestData.Source.GetCredentials(), "us-east-1", sts, cache: null, NullAuthLog.Instance);
        var temporary = new ChainContext(new ImmutableCredentials("ASIASOURCE0000000001", "s", "token"), "us-east-1", sts, cache: null, NullAuthLog.Instance);
        var oneHop = new MultiHopAccessor("altimeter", new[] { new AccessStep("TargetRole") });

        Assert.True((await TestData.TwoHop().AssumeAsync(TestData.Target, context)).RoleChained);
        Assert.False((await oneHop.AssumeAsync(TestData.Target, context)).RoleChained);
        Assert.True((await oneHop.AssumeAsync(TestData.Target, temporary)).RoleChained);
    }

    private static Task<AltimeterSession> ChainSession(string region) =>
        new Accessor(new[] { TestData.TwoHop() }, cacheCreds: false).GetSessionAsync(TestData.Target, TestData.Options(new FakeSecurityTokenService(), region));

    // Local mode with temporary keys: whether they come from role chaining is not known.
    private static Task<AltimeterSession> LocalSession(string region, SessionAWSCredentials? keys = null)
    {
        var sts = new FakeSecurityTokenService { CallerAccount = TestData.Target };
        keys ??= new SessionAWSCredentials("ASIALOCAL00000000001", "local-secret-not-real-0123456789abcdef", "local-session-token-not-real-0123456789abcdef");
        return new Accessor().GetSessionAsync(TestData.Target, TestData.Options(sts, region, keys));
    }

    private static Dictionary<string, string> Query(Uri url) =>
        url.Query.TrimStart('?').Split('&').Select(pair => pair.Split('=', 2)).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]), StringComparer.Ordinal);

    // Sends each request to the double instead of the host it names, and remembers that host.
    private sealed class ForwardingHandler : DelegatingHandler
    {
        private readonly Uri _to;

        public ForwardingHandler(string to)
            : base(new HttpClientHandler { AllowAutoRedirect = false })
        {
            _to = new Uri(to);
        }

        public List<string> Hosts { get; } = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Hosts.Add(request.RequestUri!.Host);
            request.RequestUri = new UriBuilder(request.RequestUri) { Scheme = _to.Scheme, Host = _to.Host, Port = _to.Port }.Uri;
            return base.SendAsync(request, cancellationToken);
        }
    }

    private sealed class EnvironmentVariable : IDisposable
    {
        private readonly string _name;
        private readonly string? _before;

        public EnvironmentVariable(string name, string value)
        {
            _name = name;
            _before = Environment.GetEnvironmentVariable(name);
            Environment.SetEnvironmentVariable(name, value);
        }

        public void Dispose() => Environment.SetEnvironmentVariable(_name, _before);
    }
}
