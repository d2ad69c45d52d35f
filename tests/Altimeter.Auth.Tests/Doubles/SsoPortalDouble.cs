#nullable enable
using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Text.Json;
using System.Threading;

namespace Altimeter.Auth.Tests.Doubles;

/// <summary>
/// A loopback double of the two IAM Identity Center services a signed-in SDK calls, on one port
/// (point both AWS_ENDPOINT_URL_SSO and AWS_ENDPOINT_URL_SSO_OIDC at <see cref="Url"/>):
/// <list type="bullet">
/// <item>the portal's GetRoleCredentials: <c>GET /federation/credentials?account_id=&amp;role_name=</c>
/// with the access token in <c>x-amz-sso_bearer_token</c>; 200 with
/// <c>{"roleCredentials":{"accessKeyId","secretAccessKey","sessionToken","expiration"}}</c> (epoch
/// milliseconds); an unknown token is 401 <c>UnauthorizedException</c>, AWS's REST-JSON error shape
/// (<c>x-amzn-ErrorType</c> header, <c>{"message"}</c> body).
/// Followed: docs.aws.amazon.com/singlesignon/latest/PortalAPIReference/API_GetRoleCredentials.html;
/// aws/aws-sdk-net sdk/src/Services/SSO/Generated/Model/Internal/MarshallTransformations/
/// GetRoleCredentialsResponseUnmarshaller.cs and RoleCredentialsUnmarshaller.cs.</item>
/// <item>SSO OIDC's CreateToken with the refresh_token grant: <c>POST /token</c>, JSON body
/// <c>{"clientId","clientSecret","grantType","refreshToken"}</c>; 200 with
/// <c>{"accessToken","tokenType":"Bearer","expiresIn","refreshToken"}</c>; an unknown client or
/// refresh token is 400 <c>InvalidGrantException</c> (<c>{"error":"invalid_grant","error_description"}</c>).
/// Followed: docs.aws.amazon.com/singlesignon/latest/OIDCAPIReference/API_CreateToken.html.
/// The device flow (RegisterClient, StartDeviceAuthorization) is not here: nothing in the chain
/// starts it.</item>
/// </list>
/// The keys it hands out are not real; moto takes any key, so a chain goes on into moto with them.
/// It counts each call. Plain BCL only, so Pester compiles it with Add-Type as well.
/// </summary>
public sealed class SsoPortalDouble : IDisposable
{
    private readonly LoopbackHttpServer _server;
    private readonly ConcurrentDictionary<string, bool> _accessTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string ClientId, string ClientSecret)> _refreshTokens = new(StringComparer.Ordinal);
    private int _getRoleCredentials;
    private int _createToken;
    private int _issued;

    public SsoPortalDouble()
    {
        _server = new LoopbackHttpServer(Handle);
    }

    /// <summary>The base URL of both services.</summary>
    public string Url => _server.Url;

    /// <summary>GetRoleCredentials calls answered (200 or error).</summary>
    public int GetRoleCredentialsCount => Volatile.Read(ref _getRoleCredentials);

    /// <summary>CreateToken calls answered (200 or error).</summary>
    public int CreateTokenCount => Volatile.Read(ref _createToken);

    /// <summary>Every GetRoleCredentials, in order: account and role asked for.</summary>
    public ConcurrentQueue<string> RoleRequests { get; } = new();

    /// <summary>Access key id prefix of the role credentials handed out.</summary>
    public string AccessKeyPrefix { get; set; } = "ASIAPESTERSSO";

    /// <summary>How long handed-out access tokens and role credentials last.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>An access token the portal accepts, as after a sign-in.</summary>
    public void AcceptAccessToken(string accessToken) => _accessTokens[accessToken] = true;

    /// <summary>A refresh token CreateToken accepts from this registered client.</summary>
    public void AcceptRefreshToken(string refreshToken, string clientId, string clientSecret) =>
        _refreshTokens[refreshToken] = (clientId, clientSecret);

    public void Dispose() => _server.Dispose();

    private LoopbackResponse Handle(LoopbackRequest request)
    {
        if (request.Method == "GET" && request.Path == "/federation/credentials")
        {
            return GetRoleCredentials(request);
        }

        if (request.Method == "POST" && request.Path == "/token")
        {
            return CreateToken(request);
        }

        return Error(404, "ResourceNotFoundException", $"No such operation: {request.Method} {request.Path}");
    }

    private LoopbackResponse GetRoleCredentials(LoopbackRequest request)
    {
        Interlocked.Increment(ref _getRoleCredentials);
        var query = request.Query;
        query.TryGetValue("account_id", out var accountId);
        query.TryGetValue("role_name", out var roleName);
        RoleRequests.Enqueue($"{roleName}@{accountId}");
        if (!request.Headers.TryGetValue("x-amz-sso_bearer_token", out var token) || !_accessTokens.ContainsKey(token))
        {
            return Error(401, "UnauthorizedException", "Session token not found or invalid");
        }

        if (string.IsNullOrEmpty(accountId) || string.IsNullOrEmpty(roleName))
        {
            return Error(400, "InvalidRequestException", "account_id and role_name are required");
        }

        var n = Interlocked.Increment(ref _issued);
        var body = JsonSerializer.Serialize(new
        {
            roleCredentials = new
            {
                accessKeyId = $"{AccessKeyPrefix}{n:D7}",
                secretAccessKey = $"sso-double-secret-{n}",
                sessionToken = $"sso-double-session-token-{n}",
                expiration = DateTimeOffset.UtcNow.Add(Lifetime).ToUnixTimeMilliseconds(),
            },
        });
        return new LoopbackResponse(200, body);
    }

    private LoopbackResponse CreateToken(LoopbackRequest request)
    {
        Interlocked.Increment(ref _createToken);
        using var json = JsonDocument.Parse(request.Body.Length == 0 ? "{}" : request.Body);
        string? Field(string name) => json.RootElement.TryGetProperty(name, out var value) ? value.GetString() : null;

        if (Field("grantType") != "refresh_token")
        {
            return OAuthError("UnsupportedGrantTypeException", "unsupported_grant_type", "Only the refresh_token grant is doubled");
        }

        var refreshToken = Field("refreshToken") ?? string.Empty;
        if (!_refreshTokens.TryRemove(refreshToken, out var client) || client.ClientId != Field("clientId") || client.ClientSecret != Field("clientSecret"))
        {
            return OAuthError("InvalidGrantException", "invalid_grant", "Invalid refresh token provided");
        }

        var n = Interlocked.Increment(ref _issued);
        var accessToken = $"sso-double-access-token-{n}";
        var newRefreshToken = $"sso-double-refresh-token-{n}";
        AcceptAccessToken(accessToken);
        AcceptRefreshToken(newRefreshToken, client.ClientId, client.ClientSecret);
        var body = JsonSerializer.Serialize(new
        {
            accessToken,
            tokenType = "Bearer",
            expiresIn = (int)Lifetime.TotalSeconds,
            refreshToken = newRefreshToken,
        });
        return new LoopbackResponse(200, body);
    }

    private static LoopbackResponse Error(int status, string type, string message) =>
        new(status, JsonSerializer.Serialize(new { message }), new Dictionary<string, string> { ["x-amzn-ErrorType"] = type });

    private static LoopbackResponse OAuthError(string type, string error, string description) =>
        new(400, JsonSerializer.Serialize(new { error, error_description = description }), new Dictionary<string, string> { ["x-amzn-ErrorType"] = type });
}
