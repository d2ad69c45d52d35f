using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Altimeter.Auth;

/// <summary>
/// A URL that signs a browser into the AWS console as a session, the way AWS documents for a
/// custom identity broker (IAM User Guide, "Enable custom identity broker access to the AWS
/// console"): the session's temporary credentials go to the partition's federation endpoint
/// (<c>Action=getSigninToken</c>), which answers with a SigninToken; the URL is that endpoint
/// with <c>Action=login</c>, the destination and the token. The URL is a bearer secret for the
/// 15 minutes AWS lets it be used: it is returned, never logged, and no error quotes it.
/// </summary>
internal static class ConsoleSignIn
{
    // The federation request carries the keys in its query: a redirect would carry them on to
    // wherever it points, so none is followed. One client for the process; timeouts are per call.
    private static readonly HttpClient s_client = new(new HttpClientHandler { AllowAutoRedirect = false })
    {
        Timeout = System.Threading.Timeout.InfiniteTimeSpan,
    };

    private const int MaxAnswerBytes = 64 * 1024;

    /// <summary>The console sign-in URL for <paramref name="session"/>.</summary>
    /// <exception cref="ConsoleSignInException">The session cannot sign in (long-term keys, SessionDuration after role chaining, an unknown partition), the destination or AWS_ENDPOINT_URL_SIGNIN is not acceptable, or the federation endpoint refused, failed or did not answer in time.</exception>
    /// <exception cref="ArgumentOutOfRangeException">SessionDurationSeconds is outside 900–43200.</exception>
    public static async Task<string> GetUrlAsync(AltimeterSession session, ConsoleSignInOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (session is null) throw new ArgumentNullException(nameof(session));
        options ??= new ConsoleSignInOptions();
        if (options.SessionDurationSeconds is int requested && (requested < ConsoleSignInOptions.MinSessionDurationSeconds || requested > ConsoleSignInOptions.MaxSessionDurationSeconds))
        {
            throw new ArgumentOutOfRangeException(nameof(options), requested, $"SessionDuration must be from {ConsoleSignInOptions.MinSessionDurationSeconds} to {ConsoleSignInOptions.MaxSessionDurationSeconds} seconds.");
        }

        var log = options.Log ?? NullAuthLog.Instance;
        var partition = PartitionOf(session);
        // Read in place, not through AwsEnvironmentLease: no Invoke-AltimeterCommand block sets this
        // variable, so waiting for another runspace's block (maybe an hour of terraform) gains nothing.
        var endpoint = SignInEndpoint.For(partition, Environment.GetEnvironmentVariable(SignInEndpoint.OverrideVariable));
        var destination = endpoint.DestinationFor(options.Destination, session.Region);

        // Renews the credentials first if they are near expiry: the console session lasts at most as long as they do.
        var keys = await session.GetCredentialsAsync().ConfigureAwait(false);
        if (!keys.UseToken)
        {
            throw new ConsoleSignInException(
                ConsoleSignInException.NeedsSessionToken,
                $"The session for {session.AccountId} holds long-term keys (key {session.AccessKeyId}, no session token): AWS gives console sign-in tokens for temporary credentials only. Reach the account through a chain that assumes a role.");
        }

        if (options.SessionDurationSeconds is not null && session.RoleChained == true)
        {
            throw new ConsoleSignInException(
                ConsoleSignInException.SessionDurationNotAllowed,
                $"The session for {session.AccountId} comes from role chaining (its last role was assumed with temporary credentials): AWS refuses SessionDuration for such credentials, and the console session lasts as long as they do{ExpiryText(session)}. Leave SessionDuration out.");
        }

        log.Verbose($"{session.AccountId}: asking {endpoint.Federation} ({partition}) for a console sign-in token{(options.SessionDurationSeconds is int s ? $", console session {s} s" : string.Empty)}");
        var token = await RequestSigninTokenAsync(endpoint, keys, options, cancellationToken).ConfigureAwait(false);
        log.Verbose($"{session.AccountId}: console sign-in URL made for {destination}; usable for 15 minutes");
        return $"{endpoint.Federation}?Action=login&Issuer=&Destination={Uri.EscapeDataString(destination)}&SigninToken={Uri.EscapeDataString(token)}";
    }

    // The ARN of the last role names the partition the credentials live in (a chain may name one); else the region's.
    internal static string PartitionOf(AltimeterSession session)
    {
        var arn = session.RoleArn;
        if (arn is not null && arn.StartsWith("arn:", StringComparison.Ordinal))
        {
            var end = arn.IndexOf(':', 4);
            if (end > 4) return arn.Substring(4, end - 4);
        }

        return AwsPartition.ForRegion(session.Region);
    }

    private static async Task<string> RequestSigninTokenAsync(SignInEndpoint endpoint, ImmutableCredentials keys, ConsoleSignInOptions options, CancellationToken cancellationToken)
    {
        var sessionJson = new JObject
        {
            ["sessionId"] = keys.AccessKey,
            ["sessionKey"] = keys.SecretKey,
            ["sessionToken"] = keys.Token,
        }.ToString(Formatting.None);
        var query = new StringBuilder("?Action=getSigninToken");
        if (options.SessionDurationSeconds is int seconds)
        {
            query.Append("&SessionDuration=").Append(seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        query.Append("&Session=").Append(Uri.EscapeDataString(sessionJson));

        var timeout = options.Timeout ?? StsClientSettings.DefaultTimeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var client = options.Handler is null ? s_client : new HttpClient(options.Handler, disposeHandler: false) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, endpoint.Federation + query.ToString());
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            var body = await ReadBoundedAsync(response.Content, deadline.Token).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                // Neither the page nor the reason phrase goes into the error: an endpoint (or a proxy
                // before it) that echoes the request would put the keys there in forms no scrubbing
                // finds (URL-encoded, JSON-escaped, cut). The status and a fixed text say enough.
                var hint = options.SessionDurationSeconds is null
                    ? string.Empty
                    : " AWS answers so to SessionDuration when the credentials come from role chaining or GetFederationToken; try without it.";
                throw new ConsoleSignInException(
                    ConsoleSignInException.Refused,
                    $"The federation endpoint {endpoint.Federation} refused the sign-in token request: HTTP {(int)response.StatusCode} ({RefusalText(response.StatusCode)}).{hint}")
                {
                    StatusCode = (int)response.StatusCode,
                };
            }

            return SigninTokenOf(body, endpoint);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ConsoleSignInException(
                ConsoleSignInException.Unreachable,
                $"The federation endpoint {endpoint.Federation} did not answer within {timeout.TotalSeconds:0.#} s.");
        }
        catch (HttpRequestException e)
        {
            // .NET's messages name host and port at most; scrubbed all the same, the inner exception kept.
            throw new ConsoleSignInException(
                ConsoleSignInException.Unreachable,
                $"The federation endpoint {endpoint.Federation} could not be reached: {Scrub(e.Message, keys)}",
                e);
        }
        finally
        {
            if (!ReferenceEquals(client, s_client)) client.Dispose();
        }
    }

    private static string SigninTokenOf(string body, SignInEndpoint endpoint)
    {
        string? token = null;
        try
        {
            if (JToken.Parse(body) is JObject answer && answer["SigninToken"] is JValue { Type: JTokenType.String } value)
            {
                token = (string?)value;
            }
        }
        catch (JsonException)
        {
        }

        if (token is null || token.Length == 0 || token.Length > 16 * 1024 || !SignInEndpoint.IsPrintableAscii(token))
        {
            throw new ConsoleSignInException(
                ConsoleSignInException.AnswerInvalid,
                $"The federation endpoint {endpoint.Federation} answered HTTP 200 without a SigninToken (a JSON object with a SigninToken string is expected).");
        }

        return token;
    }

    private static string RefusalText(HttpStatusCode status) => (int)status switch
    {
        400 => "AWS answers so to credentials or parameters it does not accept",
        401 or 403 => "the credentials were not accepted",
        404 => "no federation endpoint at that address",
        429 => "too many requests; try again later",
        >= 500 => "the endpoint failed; try again later",
        _ => "an answer other than a sign-in token",
    };

    // What .NET says of a failed connection names host and port at most; scrubbed all the same.
    private static string Scrub(string text, ImmutableCredentials keys)
    {
        foreach (var secret in new[] { keys.Token, keys.SecretKey, keys.AccessKey })
        {
            if (!string.IsNullOrEmpty(secret)) text = text.Replace(secret, "****");
        }

        return text;
    }

    private static async Task<string> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        using var stream = await content.ReadAsStreamAsync().ConfigureAwait(false);
        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while (buffer.Length < MaxAnswerBytes && (read = await stream.ReadAsync(chunk, 0, chunk.Length, cancellationToken).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, read);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)Math.Min(buffer.Length, MaxAnswerBytes));
    }

    private static string ExpiryText(AltimeterSession session) =>
        session.Expiration is DateTime e ? $" (until {ShownTime.Of(e)})" : string.Empty;
}
