#nullable enable
using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Text.Json;
using System.Threading;

namespace Altimeter.Auth.Tests.Doubles;

/// <summary>What one getSigninToken request carried, as the double decoded it.</summary>
public sealed record FederationTokenRequest(string? SessionDuration, string SessionId, string SessionKey, string SessionToken, string IssuedToken);

/// <summary>
/// A loopback double of the AWS federation endpoint (point AWS_ENDPOINT_URL_SIGNIN at
/// <see cref="Url"/>), built from the IAM User Guide page "Enable custom identity broker access to
/// the AWS console" (docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_enable-console-custom-url.html),
/// section "Example code using IAM query API operations":
/// <list type="bullet">
/// <item><c>GET /federation?Action=getSigninToken&amp;SessionDuration=&amp;Session=</c>: Session is the
/// URL-encoded JSON <c>{"sessionId","sessionKey","sessionToken"}</c> of temporary credentials;
/// SessionDuration, optional, 900 to 43200. Answer: 200 <c>{"SigninToken":"…"}</c>.</item>
/// <item><c>GET /federation?Action=login&amp;Issuer=&amp;Destination=&amp;SigninToken=</c>: a browser
/// is sent on to Destination (302) when the token is one this double issued.</item>
/// </list>
/// Refusals are 400 with a short HTML page, as the real endpoint answers (its text,
/// "Invalid credentials parameter", as quoted in 99designs/aws-vault issue 77); the page says
/// which rule the request broke. <see cref="RefuseSessionDuration"/> plays credentials from role
/// chaining, for which the page says AWS refuses SessionDuration. Requests with a wrong method
/// or path get 404. Every getSigninToken request is recorded, refused or not. <see cref="EchoRequest"/>
/// is not AWS's behaviour: it plays an endpoint (or a proxy before it) whose error page echoes the
/// request, the raw query (the keys URL-encoded) and the Session JSON (the keys JSON-escaped).
/// Plain BCL only, so Pester compiles it with Add-Type as well.
/// </summary>
public sealed class FederationEndpointDouble : IDisposable
{
    private readonly LoopbackHttpServer _server;
    private readonly ConcurrentDictionary<string, bool> _issued = new(StringComparer.Ordinal);
    private int _count;

    public FederationEndpointDouble()
    {
        _server = new LoopbackHttpServer(Handle);
    }

    /// <summary>The endpoint's base URL (the federation path is /federation under it).</summary>
    public string Url => _server.Url;

    /// <summary>Every getSigninToken request, in order; refused ones with an empty IssuedToken.</summary>
    public ConcurrentQueue<FederationTokenRequest> TokenRequests { get; } = new();

    /// <summary>Every request's target (path and query), in order, login requests included.</summary>
    public ConcurrentQueue<string> Targets { get; } = new();

    /// <summary>Answer getSigninToken requests that carry SessionDuration with 400, as AWS does for role-chained credentials.</summary>
    public bool RefuseSessionDuration { get; set; }

    /// <summary>Refuse every getSigninToken with a page that echoes the request (see the class summary).</summary>
    public bool EchoRequest { get; set; }

    /// <summary>Seconds to wait before answering getSigninToken (a slow endpoint).</summary>
    public int DelaySeconds { get; set; }

    /// <summary>Whether <paramref name="token"/> is a SigninToken this double issued.</summary>
    public bool Issued(string token) => _issued.ContainsKey(token);

    public void Dispose() => _server.Dispose();

    private LoopbackResponse Handle(LoopbackRequest request)
    {
        Targets.Enqueue(request.Target);
        if (request.Method != "GET" || request.Path != "/federation")
        {
            return Page(404, "Not Found", $"No such resource: {request.Method} {request.Path}");
        }

        var query = request.Query;
        query.TryGetValue("Action", out var action);
        return action switch
        {
            "getSigninToken" when EchoRequest => Echo(request.Target, query),
            "getSigninToken" => GetSigninToken(query),
            "login" => Login(query),
            _ => Page(400, "Bad Request", "Invalid Action parameter"),
        };
    }

    private LoopbackResponse GetSigninToken(IReadOnlyDictionary<string, string> query)
    {
        if (DelaySeconds > 0)
        {
            Thread.Sleep(TimeSpan.FromSeconds(DelaySeconds));
        }

        query.TryGetValue("SessionDuration", out var duration);
        string? id = null, key = null, sessionToken = null;
        string? refusal = null;
        try
        {
            using var session = JsonDocument.Parse(query.TryGetValue("Session", out var text) ? text : string.Empty);
            var root = session.RootElement;
            string? Field(string name) => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            (id, key, sessionToken) = (Field("sessionId"), Field("sessionKey"), Field("sessionToken"));
            if (root.ValueKind != JsonValueKind.Object || CountProperties(root) != 3 || string.IsNullOrEmpty(id) || string.IsNullOrEmpty(key) || string.IsNullOrEmpty(sessionToken))
            {
                refusal = "Invalid credentials parameter: Session must be {\"sessionId\",\"sessionKey\",\"sessionToken\"} of temporary credentials";
            }
        }
        catch (JsonException)
        {
            refusal = "Invalid credentials parameter: Session is not JSON";
        }

        if (refusal is null && duration is not null)
        {
            if (!int.TryParse(duration, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds) || seconds < 900 || seconds > 43200)
            {
                refusal = "Invalid SessionDuration parameter: 900 to 43200 seconds";
            }
            else if (RefuseSessionDuration)
            {
                refusal = "Invalid credentials parameter: SessionDuration is not allowed for these credentials";
            }
        }

        if (refusal is not null)
        {
            TokenRequests.Enqueue(new FederationTokenRequest(duration, id ?? string.Empty, key ?? string.Empty, sessionToken ?? string.Empty, string.Empty));
            return Page(400, "Bad Request", refusal);
        }

        var issued = $"double-signin-token-{Interlocked.Increment(ref _count)}-{Guid.NewGuid():N}";
        _issued[issued] = true;
        TokenRequests.Enqueue(new FederationTokenRequest(duration, id!, key!, sessionToken!, issued));
        return new LoopbackResponse(200, JsonSerializer.Serialize(new { SigninToken = issued }));
    }

    // The message as text, and the Session JSON escaped once more, as a JSON error body would hold it.
    private LoopbackResponse Echo(string target, IReadOnlyDictionary<string, string> query)
    {
        TokenRequests.Enqueue(new FederationTokenRequest(null, string.Empty, string.Empty, string.Empty, string.Empty));
        var session = query.TryGetValue("Session", out var text) ? text : string.Empty;
        return new LoopbackResponse(400, JsonSerializer.Serialize(new { message = $"Invalid request {target}", Error = new { Message = "Bad Session " + JsonSerializer.Serialize(session) } }),
            new Dictionary<string, string> { ["Content-Type"] = "application/json" });
    }

    private LoopbackResponse Login(IReadOnlyDictionary<string, string> query)
    {
        if (!query.TryGetValue("SigninToken", out var token) || !_issued.ContainsKey(token) || !query.TryGetValue("Destination", out var destination))
        {
            return Page(400, "Bad Request", "Invalid SigninToken or Destination parameter");
        }

        return new LoopbackResponse(302, string.Empty, new Dictionary<string, string> { ["Location"] = destination, ["Content-Type"] = "text/html" });
    }

    private static int CountProperties(JsonElement element)
    {
        var count = 0;
        foreach (var _ in element.EnumerateObject())
        {
            count++;
        }

        return count;
    }

    private static LoopbackResponse Page(int status, string title, string message) =>
        new(status, $"<html><head><title>{title}</title></head><body><h1>{status} {title}</h1><p><b>message</b> <u>{System.Net.WebUtility.HtmlEncode(message)}</u></p></body></html>",
            new Dictionary<string, string> { ["Content-Type"] = "text/html;charset=utf-8" });
}
