using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Security;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;

namespace Altimeter.Auth;

// The protocol is the one the AWS SDKs and CLIs use for ECS tasks and EKS Pod Identity, as read in:
// - boto/botocore, botocore/credentials.py ContainerProvider and botocore/utils.py
//   ContainerMetadataFetcher (1.43): a GET of AWS_CONTAINER_CREDENTIALS_FULL_URI, which over http
//   must name a loopback address (any of 127.0.0.0/8, ::1) or an ECS/EKS host (169.254.170.2,
//   169.254.170.23, fd00:ec2::23); AWS_CONTAINER_AUTHORIZATION_TOKEN sent as the Authorization
//   header's whole value (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE wins when set); any status but 200
//   is a failure, retried three times a second apart; the JSON answer must carry AccessKeyId,
//   SecretAccessKey, Token and Expiration (ISO 8601), AccountId is optional. Refreshed 15 minutes
//   before Expiration (10 minutes at the latest).
// - aws/aws-sdk-net, Amazon.Runtime GenericContainerCredentials and URIBasedRefreshingCredentialHelper
//   (AWSSDK.Core 4.0): the same variables and hosts (Uri.IsLoopback), the relative URI
//   (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, the ECS host) preferred to the full one, five tries;
//   the helper's ValidateResponse in the source wants Code "Success" (the 4.0.102 build we ship takes
//   an answer without it). Refreshed 15 minutes before Expiration.
// Neither SDK tells 401 from 403: both are a failed fetch. The endpoint answers 401 to a request
// without the token and 403 to a wrong one, as HTTP means them, so that a person reading a client's
// debug log can tell a missing variable from a stale one.

/// <summary>
/// A session served to other processes on a loopback HTTP endpoint that speaks the container
/// credentials protocol of the AWS SDKs and CLIs: a process started with
/// <see cref="GetEnvironmentVariables"/> fetches the session's current keys from it, and fetches
/// them again when they near expiry, by which time the session has renewed them through its chain.
/// So a tool runs longer than the one-hour limit of chained roles, without static keys.
/// </summary>
/// <remarks>
/// Bound to 127.0.0.1 on a port the system picks. Every request must carry the endpoint's random
/// 256-bit token in its Authorization header (compared in constant time) and the endpoint's own
/// address and port as its Host (a web page that rebinds a name of its own to 127.0.0.1 sends its
/// name); only a GET of <see cref="CredentialsPath"/> is answered with keys. Nothing is logged. The
/// listening socket is not inherited by child processes (.NET opens sockets close-on-exec), so the
/// port closes when <see cref="Dispose"/> returns or the process ends.
/// </remarks>
public sealed class ContainerCredentialsEndpoint : IDisposable
{
    /// <summary>The path of the credentials; any other is answered 404.</summary>
    public const string CredentialsPath = "/credentials";

    /// <summary>The variable the SDKs read the endpoint's URI from.</summary>
    public const string FullUriVariable = "AWS_CONTAINER_CREDENTIALS_FULL_URI";

    /// <summary>The variable the SDKs read the Authorization header's value from.</summary>
    public const string AuthorizationTokenVariable = "AWS_CONTAINER_AUTHORIZATION_TOKEN";

    // Each of these is preferred by the SDKs to the endpoint (static keys come first in every
    // default chain; the relative URI and the token file win over the full URI and the token; web
    // identity comes before container credentials in botocore's and .NET's chains), so none of them
    // may reach a process that is to use the endpoint.
    private static readonly string[] s_preferredToTheEndpoint =
    {
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
        "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME",
    };

    // A request head arrives in one packet; a connection that sends nothing useful is cut.
    private static readonly TimeSpan s_requestTimeout = TimeSpan.FromSeconds(10);

    // Long-term keys (local mode) have no expiry, but the protocol needs one: clients come back within the hour.
    private static readonly TimeSpan s_undatedKeysLifetime = TimeSpan.FromHours(1);

    // SDKs fetch once per process and then near expiry: more at once is a local process misbehaving.
    private const int MaxOpenConnections = 32;

    private readonly TcpListener _listener;
    private readonly string _token;
    private readonly byte[] _tokenBytes;
    private readonly byte[] _hostBytes;
    private readonly CancellationTokenSource _stopping = new();
    private readonly object _profilesGate = new();
    private ChildProfileFiles? _profiles;
    private int _openConnections;
    private int _stopped;
    private int _served;
    private int _refused;
    private int _failed;

    private ContainerCredentialsEndpoint(AltimeterSession session)
    {
        Session = session;
        _token = NewToken();
        _tokenBytes = Encoding.ASCII.GetBytes(_token);
        _listener = new TcpListener(IPAddress.Loopback, 0);
        if (System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Windows))
        {
            // Windows lets another process bind the same port with SO_REUSEADDR and take the
            // child's requests (and their token) unless the port is held exclusively. Linux allows
            // a second listener only to the same user (SO_REUSEPORT), which could read the token anyway.
            _listener.ExclusiveAddressUse = true;
        }

        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        var authority = string.Format(CultureInfo.InvariantCulture, "127.0.0.1:{0}", Port);
        _hostBytes = Encoding.ASCII.GetBytes(authority);
        Uri = new Uri("http://" + authority + CredentialsPath);
        StartedAt = DateTime.UtcNow;
    }

    /// <summary>The session served; the endpoint keeps it, and each request renews it when due.</summary>
    public AltimeterSession Session { get; }

    /// <summary>The account served.</summary>
    public string AccountId => Session.AccountId;

    /// <summary>The session's region, handed out as AWS_REGION and AWS_DEFAULT_REGION.</summary>
    public string Region => Session.Region;

    /// <summary>Where the credentials are: <c>http://127.0.0.1:port/credentials</c>.</summary>
    public Uri Uri { get; }

    /// <summary>True when no other socket may bind the port (set on Windows, see the constructor).</summary>
    internal bool PortHeldExclusively => _listener.ExclusiveAddressUse;

    /// <summary>The loopback port.</summary>
    public int Port { get; }

    /// <summary>When the endpoint started (UTC).</summary>
    public DateTime StartedAt { get; }

    /// <summary>False once stopped: the port is closed.</summary>
    public bool IsRunning => Volatile.Read(ref _stopped) == 0;

    /// <summary>Requests answered with keys.</summary>
    public int Served => Volatile.Read(ref _served);

    /// <summary>Requests refused (no token, wrong token, foreign Host, not a GET of the path, malformed).</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>Requests that found the session unable to renew its credentials (answered 500).</summary>
    public int Failed => Volatile.Read(ref _failed);

    /// <summary>
    /// The bearer token requests must carry, as a new read-only <see cref="SecureString"/> (the
    /// caller disposes it). It is a secret for the endpoint's lifetime: whoever has it gets the keys.
    /// </summary>
    public SecureString AuthorizationToken
    {
        get
        {
            var secure = new SecureString();
            foreach (var c in _token)
            {
                secure.AppendChar(c);
            }

            secure.MakeReadOnly();
            return secure;
        }
    }

    /// <summary>Starts serving <paramref name="session"/> on a free 127.0.0.1 port.</summary>
    /// <exception cref="CredentialEndpointException">No loopback port could be bound.</exception>
    public static ContainerCredentialsEndpoint Start(AltimeterSession session)
    {
        if (session is null) throw new ArgumentNullException(nameof(session));
        ContainerCredentialsEndpoint endpoint;
        try
        {
            endpoint = new ContainerCredentialsEndpoint(session);
        }
        catch (SocketException e)
        {
            throw new CredentialEndpointException($"The credentials endpoint could not listen on 127.0.0.1: {e.SocketErrorCode}.", e);
        }

        _ = endpoint.AcceptAsync();
        return endpoint;
    }

    /// <summary>
    /// The environment a process needs to use the endpoint and nothing else: the URI, the token and
    /// the session's region set; everything the SDKs would prefer to the endpoint (static keys, a
    /// profile, web identity, another container endpoint) as null, to be removed; and the shared
    /// config and credentials files pointed at owner-only copies without any credentials
    /// (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, BOTO_CONFIG), written at the first call from
    /// the files of that moment and removed when the endpoint stops. It holds the token: hand it
    /// only to processes that are to have the session's keys.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The endpoint has stopped.</exception>
    /// <exception cref="ChildProfilesException">The copies could not be written.</exception>
    public IReadOnlyDictionary<string, string?> GetEnvironmentVariables()
    {
        lock (_profilesGate)
        {
            if (!IsRunning)
            {
                throw new ObjectDisposedException(nameof(ContainerCredentialsEndpoint), "The credentials endpoint has stopped.");
            }

            _profiles ??= ChildProfileFiles.Create(AwsEnvironmentLease.Read(ChildProfileFiles.SourcePaths));
            return ChildEnvironment.Compose(_profiles, GetBlockVariables());
        }
    }

    /// <summary>
    /// The endpoint's own variables, for a block whose lease adds the rest (<see cref="AwsEnvironmentLease.AcquireForBlock"/>):
    /// the URI, the token and the region set, static keys and the container variables the SDKs prefer removed.
    /// </summary>
    internal IReadOnlyDictionary<string, string?> GetBlockVariables()
    {
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var name in s_preferredToTheEndpoint)
        {
            variables[name] = null;
        }

        variables[FullUriVariable] = Uri.AbsoluteUri;
        variables[AuthorizationTokenVariable] = _token;
        variables["AWS_REGION"] = Session.Region;
        variables["AWS_DEFAULT_REGION"] = Session.Region;
        return variables;
    }

    /// <summary>Closes the port at once; requests in flight are cut. Calling it again does nothing.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        _stopping.Cancel();
        _listener.Stop();
        _stopping.Dispose();
        lock (_profilesGate)
        {
            _profiles?.Dispose();
        }
    }

    /// <inheritdoc />
    public override string ToString() =>
        string.Format(CultureInfo.InvariantCulture, "{0} for {1} {2} ({3})", Uri, AccountId, Region, IsRunning ? "running" : "stopped");

    private static string NewToken()
    {
        var bytes = new byte[32];
        using (var random = RandomNumberGenerator.Create())
        {
            random.GetBytes(bytes);
        }

        var text = new StringBuilder(bytes.Length * 2);
        foreach (var b in bytes)
        {
            text.Append(b.ToString("x2", CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    private async Task AcceptAsync()
    {
        while (IsRunning)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            if (Interlocked.Increment(ref _openConnections) > MaxOpenConnections)
            {
                Interlocked.Decrement(ref _openConnections);
                client.Dispose();
                continue;
            }

            // Without it a loopback answer waits ~40 ms for the client's delayed ACK.
            client.NoDelay = true;
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        try
        {
            using (client)
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token))
            {
                timeout.CancelAfter(s_requestTimeout);
                var stream = client.GetStream();
                Answer answer;
                try
                {
                    var head = await HttpRequestHead.ReadAsync(stream, timeout.Token).ConfigureAwait(false);
                    if (head is null)
                    {
                        return;
                    }

                    answer = await AnswerAsync(head).ConfigureAwait(false);
                }
                catch (FormatException)
                {
                    answer = Refuse(400, "BadRequest", "The request is not a well-formed HTTP/1.1 request head.");
                }

                var bytes = answer.ToBytes();
                await stream.WriteAsync(bytes, 0, bytes.Length, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The client went away, was too slow, or the endpoint stopped: nobody to answer.
        }
        finally
        {
            Interlocked.Decrement(ref _openConnections);
        }
    }

    private async Task<Answer> AnswerAsync(HttpRequestHead head)
    {
        var host = head.Single("Host");
        if (host is null || !ConstantTime.AreEqual(host, _hostBytes))
        {
            return Refuse(403, "ForeignHost", "The Host header must be this endpoint's loopback address and port.");
        }

        var authorization = head.Single("Authorization");
        if (authorization is null)
        {
            return Refuse(401, "MissingToken", "The request carries no Authorization header: set " + AuthorizationTokenVariable + ".");
        }

        if (!ConstantTime.AreEqual(authorization, _tokenBytes))
        {
            return Refuse(403, "WrongToken", "The Authorization header does not hold this endpoint's token.");
        }

        if (!string.Equals(head.Method, "GET", StringComparison.Ordinal))
        {
            return Refuse(405, "MethodNotAllowed", "Only GET is answered.");
        }

        if (!string.Equals(head.Target, CredentialsPath, StringComparison.Ordinal))
        {
            return Refuse(404, "NotFound", "The credentials are at " + CredentialsPath + ".");
        }

        SessionCredentials current;
        try
        {
            current = await Session.CurrentAsync().ConfigureAwait(false);
        }
        catch (AltimeterAuthException e)
        {
            Interlocked.Increment(ref _failed);
            return new Answer(500, Error("RenewalFailed", e.ErrorId + ": " + e.Message));
        }
#pragma warning disable CA1031 // Whatever else a renewal throws (a network error), the client gets an answer; its text may not be safe to pass on.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Interlocked.Increment(ref _failed);
            return new Answer(500, Error("RenewalFailed", "The session could not renew its credentials (" + e.GetType().Name + ")."));
        }

        Interlocked.Increment(ref _served);
        return new Answer(200, CredentialsJson(current));
    }

    private string CredentialsJson(SessionCredentials current)
    {
        var keys = current.Credentials;
        var expiration = current.ExpirationUtc ?? DateTime.UtcNow + s_undatedKeysLifetime;
        var json = new JObject
        {
            // Some builds of the .NET SDK refuse an answer without Code "Success"; botocore ignores it.
            ["Code"] = "Success",
            ["AccessKeyId"] = keys.AccessKey,
            ["SecretAccessKey"] = keys.SecretKey,
            // Empty for long-term keys: both SDKs then sign without a session token.
            ["Token"] = keys.UseToken ? keys.Token : string.Empty,
            ["Expiration"] = expiration.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["AccountId"] = Session.AccountId,
        };
        if (current.RoleArn is not null)
        {
            json["RoleArn"] = current.RoleArn;
        }

        return json.ToString(Newtonsoft.Json.Formatting.None);
    }

    private Answer Refuse(int status, string code, string message)
    {
        Interlocked.Increment(ref _refused);
        return new Answer(status, Error(code, message));
    }

    private static string Error(string code, string message) =>
        new JObject { ["Code"] = code, ["Message"] = message }.ToString(Newtonsoft.Json.Formatting.None);

    private readonly struct Answer
    {
        public Answer(int status, string body)
        {
            Status = status;
            Body = body;
        }

        public int Status { get; }

        public string Body { get; }

        public byte[] ToBytes()
        {
            var body = Encoding.UTF8.GetBytes(Body);
            var head = new StringBuilder()
                .Append("HTTP/1.1 ").Append(Status.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(Reason(Status)).Append("\r\n")
                .Append("Content-Type: application/json\r\n")
                .Append("Content-Length: ").Append(body.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n")
                .Append("Cache-Control: no-store\r\n")
                // One request per connection: SDKs fetch rarely, and the endpoint keeps no idle sockets.
                .Append("Connection: close\r\n");
            if (Status == 405)
            {
                head.Append("Allow: GET\r\n");
            }

            head.Append("\r\n");
            var headBytes = Encoding.ASCII.GetBytes(head.ToString());
            var all = new byte[headBytes.Length + body.Length];
            Buffer.BlockCopy(headBytes, 0, all, 0, headBytes.Length);
            Buffer.BlockCopy(body, 0, all, headBytes.Length, body.Length);
            return all;
        }

        private static string Reason(int status) => status switch
        {
            200 => "OK",
            400 => "Bad Request",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "Not Found",
            405 => "Method Not Allowed",
            _ => "Internal Server Error",
        };
    }
}
