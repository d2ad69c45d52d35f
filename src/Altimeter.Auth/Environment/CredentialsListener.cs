using System;
using System.Collections.Concurrent;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Altimeter.Auth;

/// <summary>
/// The one loopback port of this process on which every <see cref="ContainerCredentialsEndpoint"/>
/// is served, told apart by its token. It is opened on first use and held until the process ends:
/// a child that outlives its block (or a stopped server) keeps sending its token to this port, so
/// the port must never become free for another user to bind and collect the token, hand the child
/// that user's keys, and see what it does with them. A stopped endpoint's token is answered 410
/// with no keys, which every SDK takes as a failed fetch (see <see cref="ContainerCredentialsEndpoint"/>).
/// </summary>
/// <remarks>
/// Another local user may open connections and send nothing, or a byte a second. A connection has
/// <see cref="HeadDeadline"/> to send its whole request head, and at most
/// <see cref="MaxPendingConnections"/> connections may be waiting for theirs: a newer one pushes
/// the oldest out (see <see cref="PendingConnections"/>), so accepting never stops and a client with
/// the token, which sends its head at once, is answered. Once the head is in, a request without a
/// valid token is answered at once and closed; only holders of a token wait for a renewal.
/// </remarks>
internal sealed class CredentialsListener : IDisposable
{
    /// <summary>The time a connection has from being accepted to its whole request head (an SDK sends it at once).</summary>
    internal static readonly TimeSpan HeadDeadline = TimeSpan.FromSeconds(3);

    /// <summary>Connections that may wait for their request head at once; more push the oldest out.</summary>
    internal const int MaxPendingConnections = 64;

    // Writing an answer of a few hundred bytes to loopback; a client that reads nothing is cut.
    private static readonly TimeSpan s_answerDeadline = TimeSpan.FromSeconds(10);

    // After a failed accept (no descriptors left): the port stays held and the loop goes on, without spinning.
    private static readonly TimeSpan s_acceptRetryPause = TimeSpan.FromMilliseconds(100);

    // Stopped tokens answered 410 rather than 403, newest kept; an older one gets 403, no keys either way.
    private const int RememberedStoppedTokens = 4096;

    private static readonly object s_processGate = new();
    private static CredentialsListener? s_process;

    private readonly TcpListener _listener;
    private readonly TimeSpan _headDeadline;
    private readonly PendingConnections _pending;
    private readonly byte[] _hostBytes;
    private readonly ConcurrentDictionary<string, ContainerCredentialsEndpoint> _running = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _stopped = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _stoppedOldestFirst = new();
    private int _refused;
    private int _closed;

    private CredentialsListener(TimeSpan headDeadline, int maxPendingConnections)
    {
        _headDeadline = headDeadline;
        _pending = new PendingConnections(maxPendingConnections);
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
        Uri = new Uri("http://" + authority + ContainerCredentialsEndpoint.CredentialsPath);
    }

    /// <summary>This process's listener, opened on first use and never closed.</summary>
    /// <exception cref="SocketException">No loopback port could be bound (tried again on the next call).</exception>
    public static CredentialsListener ForProcess
    {
        get
        {
            lock (s_processGate)
            {
                return s_process ??= Open(HeadDeadline, MaxPendingConnections);
            }
        }
    }

    /// <summary>The loopback port.</summary>
    public int Port { get; }

    /// <summary><c>http://127.0.0.1:port/credentials</c>.</summary>
    public Uri Uri { get; }

    /// <summary>True when no other socket may bind the port (set on Windows, see the constructor).</summary>
    public bool PortHeldExclusively => _listener.ExclusiveAddressUse;

    /// <summary>Requests answered with a 4xx since the port opened.</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>Connections waiting for their request head now.</summary>
    internal int PendingCount => _pending.Count;

    /// <summary>A listener of its own (tests: a deadline or a capacity of their choosing; <see cref="Dispose"/> closes it).</summary>
    /// <exception cref="SocketException">No loopback port could be bound.</exception>
    internal static CredentialsListener Open(TimeSpan headDeadline, int maxPendingConnections)
    {
        var listener = new CredentialsListener(headDeadline, maxPendingConnections);
        _ = listener.AcceptAsync();
        return listener;
    }

    /// <summary>What a token is known by: its SHA-256, so that finding it takes no time that depends on the token.</summary>
    internal static string KeyOf(byte[] token)
    {
        using var sha = SHA256.Create();
        return Convert.ToBase64String(sha.ComputeHash(token));
    }

    /// <summary>Answers requests that carry <paramref name="endpoint"/>'s token from now on.</summary>
    internal void Serve(ContainerCredentialsEndpoint endpoint) => _running[endpoint.TokenKey] = endpoint;

    /// <summary>From now on <paramref name="endpoint"/>'s token is answered 410, with no keys.</summary>
    internal void StopServing(ContainerCredentialsEndpoint endpoint)
    {
        if (!_running.TryRemove(endpoint.TokenKey, out _))
        {
            return;
        }

        _stopped[endpoint.TokenKey] = 0;
        _stoppedOldestFirst.Enqueue(endpoint.TokenKey);
        while (_stoppedOldestFirst.Count > RememberedStoppedTokens && _stoppedOldestFirst.TryDequeue(out var oldest))
        {
            _stopped.TryRemove(oldest, out _);
        }
    }

    /// <summary>The answer to a request whose endpoint is stopped.</summary>
    internal static HttpAnswer Stopped() =>
        HttpAnswer.Error(410, "ServerStopped", "The credentials server of this token was stopped (its block ended): it hands out no more keys.");

    /// <summary>Closes the port (a listener of a test's own; the process's is never closed).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            _listener.Stop();
        }
    }

    private async Task AcceptAsync()
    {
        while (Volatile.Read(ref _closed) == 0)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            catch (SocketException)
            {
                if (Volatile.Read(ref _closed) != 0)
                {
                    return;
                }

                await Task.Delay(s_acceptRetryPause).ConfigureAwait(false);
                continue;
            }

            try
            {
                // Without it a loopback answer waits ~40 ms for the client's delayed ACK.
                client.NoDelay = true;
            }
            catch (SocketException)
            {
                // Reset before it was accepted: this connection is over, the loop is not.
                client.Dispose();
                continue;
            }

            var connection = new PendingConnection(client, _headDeadline);
            _pending.Add(connection)?.Cut();
            _ = ServeAsync(connection);
        }
    }

    private async Task ServeAsync(PendingConnection connection)
    {
        var client = connection.Client;
        try
        {
            var stream = client.GetStream();
            HttpRequestHead? head = null;
            var malformed = false;
            try
            {
                head = await HttpRequestHead.ReadAsync(stream, CancellationToken.None).ConfigureAwait(false);
            }
            catch (FormatException)
            {
                malformed = true;
            }
            finally
            {
                // The head is in (or never will be): no more deadline. Pushed out meanwhile, it is being cut.
                connection.Dispose();
            }

            if (!_pending.Remove(connection) || connection.IsCut || (head is null && !malformed))
            {
                return;
            }

            HttpAnswer answer;
            try
            {
                answer = head is null ? BadRequest() : await AnswerAsync(head).ConfigureAwait(false);
            }
            catch (FormatException)
            {
                // A Host or Authorization header sent twice.
                answer = BadRequest();
            }

            if (answer.Status is >= 400 and < 500)
            {
                Interlocked.Increment(ref _refused);
            }

            var bytes = answer.ToBytes();
            using var deadline = new CancellationTokenSource(s_answerDeadline);
            using (deadline.Token.Register(client.Dispose))
            {
                await stream.WriteAsync(bytes, 0, bytes.Length, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // The client went away, was too slow or was pushed out: nobody to answer.
        }
        finally
        {
            _pending.Remove(connection);
            client.Dispose();
        }
    }

    private static HttpAnswer BadRequest() =>
        HttpAnswer.Error(400, "BadRequest", "The request is not a well-formed HTTP/1.1 request head.");

    private async Task<HttpAnswer> AnswerAsync(HttpRequestHead head)
    {
        var host = head.Single("Host");
        if (host is null || !ConstantTime.AreEqual(host, _hostBytes))
        {
            return HttpAnswer.Error(403, "ForeignHost", "The Host header must be this endpoint's loopback address and port.");
        }

        var authorization = head.Single("Authorization");
        if (authorization is null)
        {
            return HttpAnswer.Error(401, "MissingToken", "The request carries no Authorization header: set " + ContainerCredentialsEndpoint.AuthorizationTokenVariable + ".");
        }

        var key = KeyOf(authorization);
        if (_running.TryGetValue(key, out var endpoint) && endpoint.Holds(authorization))
        {
            return await endpoint.AnswerAsync(head).ConfigureAwait(false);
        }

        return _stopped.ContainsKey(key)
            ? Stopped()
            : HttpAnswer.Error(403, "WrongToken", "The Authorization header does not hold this endpoint's token.");
    }
}
