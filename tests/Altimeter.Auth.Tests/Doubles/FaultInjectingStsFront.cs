using System.Collections.Concurrent;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Altimeter.Auth.Tests.Doubles;

/// <summary>What the front does to a request it picks.</summary>
public enum StsFault
{
    /// <summary>400 with an AWS <c>Throttling</c> error body, as STS throttles.</summary>
    Throttling,

    /// <summary>500 with an AWS <c>InternalFailure</c> error body.</summary>
    InternalError,

    /// <summary>The connection is dropped without an answer.</summary>
    Reset,

    /// <summary>No answer until the test ends.</summary>
    Hang,

    /// <summary>moto's answer, with the AssumedRoleUser ARN naming another account.</summary>
    WrongAccount,

    /// <summary>moto's answer, with the AssumedRoleUser ARN replaced by <see cref="FaultRule.RewriteArn"/>'s.</summary>
    RewrittenArn,
}

/// <summary>One rule: which action, which fault, how often (a rate, or the first N requests).</summary>
public sealed class FaultRule
{
    public required StsFault Fault { get; init; }

    public string Action { get; init; } = "AssumeRole";

    /// <summary>Share of matching requests hit, 0 to 1.</summary>
    public double Rate { get; init; } = 1.0;

    /// <summary>At most this many requests hit; null: no limit.</summary>
    public int? Count { get; init; }

    /// <summary>Only requests whose body contains this text (e.g. a role ARN's account).</summary>
    public string? BodyContains { get; init; }

    /// <summary>For <see cref="StsFault.RewrittenArn"/>: moto's AssumedRoleUser ARN to the ARN answered instead.</summary>
    public Func<string, string>? RewriteArn { get; init; }

    internal int Hits;
}

/// <summary>
/// A loopback HTTP front for moto's STS that injects faults per request, driven by the tests:
/// throttling, 500s, dropped connections, silence, or an AssumeRole answer for another account.
/// It counts what it saw and what it did.
/// </summary>
/// <remarks>
/// The faults follow STS's public contract. STS speaks the AWS Query protocol: an error is
/// <c>&lt;ErrorResponse&gt;&lt;Error&gt;&lt;Type/&gt;&lt;Code/&gt;&lt;Message/&gt;&lt;/Error&gt;&lt;RequestId/&gt;&lt;/ErrorResponse&gt;</c>
/// in STS's 2011-06-15 namespace, Type Sender for the caller's fault and Receiver for the service's,
/// with the same request id in the x-amzn-RequestId header (read by aws-sdk-net,
/// sdk/src/Core/Amazon.Runtime/Internal/Transform/ErrorResponseUnmarshaller.cs, commit 481cb1f9db56).
/// Codes and statuses from the STS API Reference, Common Errors: InternalFailure is HTTP 500; a
/// throttled request is HTTP 400, and STS names it <c>Throttling</c> ("Rate exceeded"), the first
/// of the SDKs' throttling codes (aws-sdk-java-v2 AwsErrorCode.THROTTLING_ERROR_CODES).
/// </remarks>
public sealed class FaultInjectingStsFront : IDisposable
{
    private static readonly Regex s_action = new("(?:^|&)Action=([^&]+)", RegexOptions.CultureInvariant);
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly HttpClient _moto = new() { Timeout = TimeSpan.FromSeconds(60) };
    private readonly string _motoUrl;
    private readonly Random _random = new(20261130);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;

    public FaultInjectingStsFront(string motoUrl)
    {
        _motoUrl = motoUrl.TrimEnd('/');
        _listener.Start();
        Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _loop = Task.Run(AcceptAsync);
    }

    public string Url { get; }

    public ConcurrentQueue<FaultRule> Rules { get; } = new();

    /// <summary>Requests seen, by action.</summary>
    public ConcurrentDictionary<string, int> Seen { get; } = new();

    /// <summary>Faults injected, by kind.</summary>
    public ConcurrentDictionary<StsFault, int> Injected { get; } = new();

    /// <summary>Every request body, decoded, in arrival order: what the SDK really sent.</summary>
    public ConcurrentQueue<string> Bodies { get; } = new();

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

        _moto.Dispose();
        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    // HTTP/1.1 keep-alive: one request after another on the connection until it closes.
    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            try
            {
                while (!_stopping.IsCancellationRequested)
                {
                    var request = await ReadRequestAsync(stream);
                    if (request is null)
                    {
                        return;
                    }

                    if (!await HandleAsync(client, stream, request.Value.Head, request.Value.Body))
                    {
                        return;
                    }
                }
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
            }
            catch (IOException)
            {
            }
            catch (SocketException)
            {
            }
        }
    }

    private static async Task<(string Head, string Body)?> ReadRequestAsync(NetworkStream stream)
    {
        var buffer = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            if (await stream.ReadAsync(one) == 0)
            {
                return null;
            }

            buffer.Add(one[0]);
            var n = buffer.Count;
            if (n >= 4 && buffer[n - 4] == '\r' && buffer[n - 3] == '\n' && buffer[n - 2] == '\r' && buffer[n - 1] == '\n')
            {
                break;
            }
        }

        var head = Encoding.ASCII.GetString(buffer.ToArray());
        var length = Regex.Match(head, @"(?im)^content-length:\s*(\d+)");
        var body = new byte[length.Success ? int.Parse(length.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0];
        var read = 0;
        while (read < body.Length)
        {
            var got = await stream.ReadAsync(body.AsMemory(read));
            if (got == 0)
            {
                return null;
            }

            read += got;
        }

        return (head, Encoding.UTF8.GetString(body));
    }

    // False when the connection is closed (dropped) and must not be read again.
    private async Task<bool> HandleAsync(TcpClient client, NetworkStream stream, string head, string body)
    {
        Bodies.Enqueue(Uri.UnescapeDataString(body.Replace('+', ' ')));
        var match = s_action.Match(body);
        var action = match.Success ? match.Groups[1].Value : "(none)";
        Seen.AddOrUpdate(action, 1, (_, n) => n + 1);
        var rule = Pick(action, body);

        switch (rule?.Fault)
        {
            case StsFault.Throttling:
                await WriteErrorAsync(stream, 400, "Throttling", "Rate exceeded");
                return true;
            case StsFault.InternalError:
                await WriteErrorAsync(stream, 500, "InternalFailure", "The request processing has failed because of an unknown error, exception or failure.");
                return true;
            case StsFault.Reset:
                // Linger 0 makes Close send a TCP reset instead of an orderly shutdown.
                client.Client.LingerState = new LingerOption(true, 0);
                client.Client.Close();
                return false;
            case StsFault.Hang:
                try
                {
                    await Task.Delay(Timeout.Infinite, _stopping.Token);
                }
                catch (OperationCanceledException)
                {
                }

                return false;
        }

        var path = head.Split(' ')[1];
        using var forward = new HttpRequestMessage(HttpMethod.Post, _motoUrl + path)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        foreach (var name in new[] { "Authorization", "X-Amz-Date", "X-Amz-Security-Token", "User-Agent" })
        {
            var header = Regex.Match(head, $@"(?im)^{name}:\s*(.*?)\r$");
            if (header.Success)
            {
                forward.Headers.TryAddWithoutValidation(name, header.Groups[1].Value);
            }
        }

        using var answer = await _moto.SendAsync(forward);
        var text = await answer.Content.ReadAsStringAsync();
        if (rule?.Fault == StsFault.WrongAccount)
        {
            text = Regex.Replace(text, @"(<Arn>arn:[^:]+:sts::)\d{12}(:assumed-role/)", "${1}999999999999${2}");
        }
        else if (rule?.Fault == StsFault.RewrittenArn)
        {
            // Only the AssumedRoleUser's <Arn>: the one element of AssumeRoleResult named so.
            text = Regex.Replace(text, "<Arn>(?<arn>[^<]*)</Arn>", m => $"<Arn>{rule.RewriteArn!(m.Groups["arn"].Value)}</Arn>");
        }

        var requestId = answer.Headers.TryGetValues("x-amzn-RequestId", out var ids) ? ids.First() : Guid.NewGuid().ToString();
        await WriteAsync(stream, (int)answer.StatusCode, answer.Content.Headers.ContentType?.ToString() ?? "text/xml", text, requestId);
        return true;
    }

    private FaultRule? Pick(string action, string body)
    {
        lock (_random)
        {
            foreach (var rule in Rules)
            {
                if (rule.Action != action || (rule.BodyContains is not null && !body.Contains(rule.BodyContains, StringComparison.Ordinal)))
                {
                    continue;
                }

                if (rule.Count is int count && rule.Hits >= count)
                {
                    continue;
                }

                if (_random.NextDouble() < rule.Rate)
                {
                    rule.Hits++;
                    Injected.AddOrUpdate(rule.Fault, 1, (_, n) => n + 1);
                    return rule;
                }
            }

            return null;
        }
    }

    // One request id, in the body and in the header, as STS answers.
    private static Task WriteErrorAsync(NetworkStream stream, int status, string code, string message)
    {
        var requestId = Guid.NewGuid().ToString();
        var body = $"<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>{(status >= 500 ? "Receiver" : "Sender")}</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>{requestId}</RequestId></ErrorResponse>";
        return WriteAsync(stream, status, "text/xml", body, requestId);
    }

    private static async Task WriteAsync(NetworkStream stream, int status, string contentType, string body, string requestId)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var reason = status switch { 200 => "OK", 400 => "Bad Request", 403 => "Forbidden", 500 => "Internal Server Error", _ => "Status" };
        var head = Encoding.ASCII.GetBytes($"HTTP/1.1 {status} {reason}\r\nContent-Type: {contentType}\r\nContent-Length: {bytes.Length}\r\nx-amzn-RequestId: {requestId}\r\n\r\n");
        await stream.WriteAsync(head);
        await stream.WriteAsync(bytes);
        await stream.FlushAsync();
    }
}
