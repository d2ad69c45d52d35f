using System;
using System.Collections.Generic;
using System.Globalization;
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
// debug log can tell a missing variable from a stale one; 410 to the token of a stopped endpoint
// (botocore then fails after its three tries, the .NET SDK after its five; a client that still
// holds unexpired keys keeps using them until they near expiry, then fails).

/// <summary>
/// A session served to other processes on a loopback HTTP endpoint that speaks the container
/// credentials protocol of the AWS SDKs and CLIs: a process started with
/// <see cref="GetEnvironmentVariables"/> fetches the session's current keys from it, and fetches
/// them again when they near expiry, by which time the session has renewed them through its chain.
/// So a tool runs longer than the one-hour limit of chained roles, without static keys.
/// </summary>
/// <remarks>
/// <para>Served on 127.0.0.1, on the one port this process opens for all its endpoints (on first
/// use, a port the system picks) and holds until it ends: endpoints are told apart by their tokens.
/// Every request must carry an endpoint's random 256-bit token in its Authorization header and the
/// port's own address as its Host (a web page that rebinds a name of its own to 127.0.0.1 sends its
/// name); only a GET of <see cref="CredentialsPath"/> is answered with keys. Nothing is logged.</para>
/// <para><see cref="Dispose"/> stops the endpoint, not the port: its token is answered 410 with no
/// keys from then on, so a child that outlives its block fails instead of sending its token to
/// whoever would bind a freed port next. The listening socket is not inherited by child processes
/// (.NET opens sockets close-on-exec): when this process ends the port is free, and a child still
/// running then is no longer protected.</para>
/// <para>The token is no property of the object (Export-Clixml writes properties, and a
/// SecureString is not encrypted off Windows): <see cref="GetEnvironmentVariables"/> and
/// <see cref="GetAuthorizationToken"/> hand it out.</para>
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

    // Long-term keys (local mode) have no expiry, but the protocol needs one: clients come back within the hour.
    private static readonly TimeSpan s_undatedKeysLifetime = TimeSpan.FromHours(1);

    private readonly CredentialsListener _listener;
    private readonly string _token;
    private readonly byte[] _tokenBytes;
    private readonly int _refusedBefore;
    private int _refusedUntilStopped = -1;
    private readonly object _profilesGate = new();
    private ChildProfileFiles? _profiles;
    private int _stopped;
    private int _served;
    private int _failed;

    private ContainerCredentialsEndpoint(AltimeterSession session, CredentialsListener listener)
    {
        Session = session;
        _listener = listener;
        _token = NewToken();
        _tokenBytes = Encoding.ASCII.GetBytes(_token);
        TokenKey = CredentialsListener.KeyOf(_tokenBytes);
        _refusedBefore = listener.Refused;
        StartedAt = DateTime.UtcNow;
    }

    /// <summary>The session served; the endpoint keeps it, and each request renews it when due.</summary>
    public AltimeterSession Session { get; }

    /// <summary>The account served.</summary>
    public string AccountId => Session.AccountId;

    /// <summary>The session's region, handed out as AWS_REGION and AWS_DEFAULT_REGION.</summary>
    public string Region => Session.Region;

    /// <summary>Where the credentials are: <c>http://127.0.0.1:port/credentials</c> (the same for every endpoint of the process).</summary>
    public Uri Uri => _listener.Uri;

    /// <summary>True when no other socket may bind the port (set on Windows, see <see cref="CredentialsListener"/>).</summary>
    internal bool PortHeldExclusively => _listener.PortHeldExclusively;

    /// <summary>The loopback port, held by this process until it ends.</summary>
    public int Port => _listener.Port;

    /// <summary>When the endpoint started (UTC).</summary>
    public DateTime StartedAt { get; }

    /// <summary>False once stopped: its token is answered 410, with no keys.</summary>
    public bool IsRunning => Volatile.Read(ref _stopped) == 0;

    /// <summary>Requests answered with keys.</summary>
    public int Served => Volatile.Read(ref _served);

    /// <summary>
    /// Requests the port refused while this endpoint ran (no token, a wrong or stopped one, foreign
    /// Host, not a GET of the path, malformed). The process's endpoints share the port: a request
    /// without a valid token belongs to none of them, so each running endpoint counts it.
    /// </summary>
    public int Refused
    {
        get
        {
            var untilStopped = Volatile.Read(ref _refusedUntilStopped);
            return (untilStopped >= 0 ? untilStopped : _listener.Refused) - _refusedBefore;
        }
    }

    /// <summary>Requests that found the session unable to renew its credentials (answered 500).</summary>
    public int Failed => Volatile.Read(ref _failed);

    /// <summary>What the listener knows the token by (<see cref="CredentialsListener.KeyOf"/>).</summary>
    internal string TokenKey { get; }

    /// <summary>
    /// Starts serving <paramref name="session"/> on the process's 127.0.0.1 port (opened on first use)
    /// under a new token.
    /// </summary>
    /// <exception cref="CredentialEndpointException">No loopback port could be bound.</exception>
    public static ContainerCredentialsEndpoint Start(AltimeterSession session)
    {
        if (session is null) throw new ArgumentNullException(nameof(session));
        CredentialsListener listener;
        try
        {
            listener = CredentialsListener.ForProcess;
        }
        catch (SocketException e)
        {
            throw new CredentialEndpointException($"The credentials endpoint could not listen on 127.0.0.1: {e.SocketErrorCode}.", e);
        }

        return Start(session, listener);
    }

    /// <summary>Starts serving <paramref name="session"/> on <paramref name="listener"/> (tests: a listener of their own).</summary>
    internal static ContainerCredentialsEndpoint Start(AltimeterSession session, CredentialsListener listener)
    {
        var endpoint = new ContainerCredentialsEndpoint(session ?? throw new ArgumentNullException(nameof(session)), listener);
        listener.Serve(endpoint);
        return endpoint;
    }

    /// <summary>
    /// The bearer token requests must carry, as a new read-only <see cref="SecureString"/> (the
    /// caller disposes it). It is a secret for the endpoint's lifetime: whoever has it gets the keys.
    /// A method, not a property, so that no serializer writes it.
    /// </summary>
    public SecureString GetAuthorizationToken()
    {
        var secure = new SecureString();
        foreach (var c in _token)
        {
            secure.AppendChar(c);
        }

        secure.MakeReadOnly();
        return secure;
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

    /// <summary>
    /// Stops serving: from now on its token, also in a request in flight, is answered 410 with no
    /// keys. The port stays held by the process. Calling it again does nothing.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        Volatile.Write(ref _refusedUntilStopped, _listener.Refused);
        _listener.StopServing(this);
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

    /// <summary>True when <paramref name="authorization"/> is this endpoint's token (compared in constant time).</summary>
    internal bool Holds(byte[] authorization) => ConstantTime.AreEqual(authorization, _tokenBytes);

    /// <summary>The answer to a request that carried this endpoint's token (the listener checked Host and token).</summary>
    internal async Task<HttpAnswer> AnswerAsync(HttpRequestHead head)
    {
        if (!IsRunning)
        {
            return CredentialsListener.Stopped();
        }

        if (!string.Equals(head.Method, "GET", StringComparison.Ordinal))
        {
            return HttpAnswer.Error(405, "MethodNotAllowed", "Only GET is answered.");
        }

        if (!string.Equals(head.Target, CredentialsPath, StringComparison.Ordinal))
        {
            return HttpAnswer.Error(404, "NotFound", "The credentials are at " + CredentialsPath + ".");
        }

        SessionCredentials current;
        try
        {
            current = await Session.CurrentAsync().ConfigureAwait(false);
        }
        catch (AltimeterAuthException e)
        {
            Interlocked.Increment(ref _failed);
            return HttpAnswer.Error(500, "RenewalFailed", e.ErrorId + ": " + e.Message);
        }
#pragma warning disable CA1031 // Whatever else a renewal throws (a network error), the client gets an answer; its text may not be safe to pass on.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Interlocked.Increment(ref _failed);
            return HttpAnswer.Error(500, "RenewalFailed", "The session could not renew its credentials (" + e.GetType().Name + ").");
        }

        // Stopped while the session renewed: the block is over, its children get nothing more.
        if (!IsRunning)
        {
            return CredentialsListener.Stopped();
        }

        Interlocked.Increment(ref _served);
        return new HttpAnswer(200, CredentialsJson(current));
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
}
