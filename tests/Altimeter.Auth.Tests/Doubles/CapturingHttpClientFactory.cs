using System.Collections.Concurrent;
using System.Net;
using System.Net.Http;
using Amazon.Runtime;

namespace Altimeter.Auth.Tests.Doubles;

/// <summary>
/// HTTP for the AWS SDK that never leaves the process: records each request (URL, Authorization
/// header) and answers AssumeRole with a canned STS response for the role asked for.
/// </summary>
/// <remarks>
/// The answer has the shape of the STS API Reference's AssumeRole response (API_AssumeRole,
/// Query protocol XML in the 2011-06-15 namespace): Credentials, and an AssumedRoleUser whose Arn is
/// <c>arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE-NAME/SESSION-NAME</c> (the role's path is not in
/// it) and whose AssumedRoleId is <c>ROLE-ID:SESSION-NAME</c>.
/// </remarks>
internal sealed class CapturingHttpClientFactory : HttpClientFactory
{
    public ConcurrentQueue<(Uri Url, string Authorization)> Requests { get; } = new();

    public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(new Handler(this));

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

    private sealed class Handler : HttpMessageHandler
    {
        private readonly CapturingHttpClientFactory _owner;

        public Handler(CapturingHttpClientFactory owner) => _owner = owner;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            _owner.Requests.Enqueue((request.RequestUri!, request.Headers.TryGetValues("Authorization", out var values) ? string.Join(",", values) : string.Empty));
            var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
            string Parameter(string name) => Uri.UnescapeDataString(body.Split('&').First(p => p.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..].Replace('+', ' '));
            var roleArn = Parameter("RoleArn");
            var session = Parameter("RoleSessionName");
            var roleName = roleArn[(roleArn.LastIndexOf('/') + 1)..];
            var assumedRole = $"{roleArn[..roleArn.IndexOf(":role/", StringComparison.Ordinal)].Replace(":iam::", ":sts::", StringComparison.Ordinal)}:assumed-role/{roleName}/{session}";
            var xml = $"""
                <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                  <AssumeRoleResult>
                    <Credentials>
                      <AccessKeyId>ASIACAPTURED00000001</AccessKeyId>
                      <SecretAccessKey>captured-secret-not-real</SecretAccessKey>
                      <SessionToken>captured-token-not-real</SessionToken>
                      <Expiration>{DateTime.UtcNow.AddHours(1):yyyy-MM-ddTHH:mm:ssZ}</Expiration>
                    </Credentials>
                    <AssumedRoleUser>
                      <AssumedRoleId>AROACAPTURED0000000001:{session}</AssumedRoleId>
                      <Arn>{assumedRole}</Arn>
                    </AssumedRoleUser>
                  </AssumeRoleResult>
                  <ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata>
                </AssumeRoleResponse>
                """;
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(xml, System.Text.Encoding.UTF8, "text/xml") };
        }
    }
}
