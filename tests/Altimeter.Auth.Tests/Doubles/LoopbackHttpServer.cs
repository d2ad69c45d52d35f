#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Altimeter.Auth.Tests.Doubles;

/// <summary>One HTTP/1.1 request as the server read it: header names lower-cased.</summary>
public sealed record LoopbackRequest(string Method, string Target, IReadOnlyDictionary<string, string> Headers, string Body)
{
    /// <summary>The path without the query string.</summary>
    public string Path => Target.Split('?')[0];

    /// <summary>The query string's parameters, decoded.</summary>
    public IReadOnlyDictionary<string, string> Query
    {
        get
        {
            var query = new Dictionary<string, string>(StringComparer.Ordinal);
            var at = Target.IndexOf('?', StringComparison.Ordinal);
            if (at < 0)
            {
                return query;
            }

            foreach (var pair in Target.Substring(at + 1).Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var parts = pair.Split('=', 2);
                query[Uri.UnescapeDataString(parts[0])] = parts.Length > 1 ? Uri.UnescapeDataString(parts[1].Replace('+', ' ')) : string.Empty;
            }

            return query;
        }
    }
}

/// <summary>An answer: status, extra headers, a body (JSON unless the headers name another Content-Type).</summary>
public sealed record LoopbackResponse(int Status, string Body, IReadOnlyDictionary<string, string>? Headers = null);

/// <summary>
/// The smallest HTTP/1.1 server a test double needs, on a free 127.0.0.1 port: keep-alive
/// connections, Content-Length bodies, one answer per request from a handler. Nagle is off and
/// each answer goes out in one write: otherwise a loopback round trip waits ~40 ms for the
/// client's delayed ACK. Plain BCL only, so Pester can compile it with Add-Type too.
/// </summary>
public sealed class LoopbackHttpServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<LoopbackRequest, LoopbackResponse> _handler;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;

    public LoopbackHttpServer(Func<LoopbackRequest, LoopbackResponse> handler)
    {
        _handler = handler;
        _listener.Start();
        Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _loop = Task.Run(AcceptAsync);
    }

    public string Url { get; }

    private int _connections;
    private int _connectionsWithNagle;

    /// <summary>Connections accepted.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Accepted connections whose socket still had Nagle's algorithm on (read back from the socket).</summary>
    public int ConnectionsWithNagle => Volatile.Read(ref _connectionsWithNagle);

    public void Dispose()
    {
        _stopping.Cancel();
        _listener.Stop();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            // Each answer is written at once; with Nagle on, the client's delayed ACK would add ~40 ms.
            client.NoDelay = true;
            Interlocked.Increment(ref _connections);
            if (!client.Client.NoDelay)
            {
                Interlocked.Increment(ref _connectionsWithNagle);
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                while (!_stopping.IsCancellationRequested && await ReadAsync(stream).ConfigureAwait(false) is LoopbackRequest request)
                {
                    var response = _handler(request);
                    var body = Encoding.UTF8.GetBytes(response.Body);
                    var head = new StringBuilder();
                    head.Append("HTTP/1.1 ").Append(response.Status).Append(' ').Append(response.Status < 400 ? "OK" : "Error").Append("\r\n");
                    var headers = response.Headers ?? new Dictionary<string, string>();
                    if (!headers.ContainsKey("Content-Type"))
                    {
                        head.Append("Content-Type: application/json\r\n");
                    }

                    head.Append("Content-Length: ").Append(body.Length).Append("\r\n");
                    foreach (var header in headers)
                    {
                        head.Append(header.Key).Append(": ").Append(header.Value).Append("\r\n");
                    }

                    head.Append("\r\n");
                    var bytes = new List<byte>(Encoding.ASCII.GetBytes(head.ToString()));
                    bytes.AddRange(body);
                    await stream.WriteAsync(bytes.ToArray()).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
            }
        }
    }

    // Null when the client closed the connection.
    private static async Task<LoopbackRequest?> ReadAsync(NetworkStream stream)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 4 || head[head.Count - 4] != '\r' || head[head.Count - 3] != '\n' || head[head.Count - 2] != '\r' || head[head.Count - 1] != '\n')
        {
            if (await stream.ReadAsync(one).ConfigureAwait(false) == 0)
            {
                return null;
            }

            head.Add(one[0]);
        }

        var lines = Encoding.ASCII.GetString(head.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var requestLine = lines[0].Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i < lines.Length; i++)
        {
            var colon = lines[i].IndexOf(':', StringComparison.Ordinal);
            headers[lines[i].Substring(0, colon).Trim().ToLowerInvariant()] = lines[i].Substring(colon + 1).Trim();
        }

        var body = new byte[headers.TryGetValue("content-length", out var length) ? int.Parse(length, System.Globalization.CultureInfo.InvariantCulture) : 0];
        for (var read = 0; read < body.Length;)
        {
            var got = await stream.ReadAsync(body.AsMemory(read)).ConfigureAwait(false);
            if (got == 0)
            {
                return null;
            }

            read += got;
        }

        return new LoopbackRequest(requestLine[0], requestLine[1], headers, Encoding.UTF8.GetString(body));
    }
}
