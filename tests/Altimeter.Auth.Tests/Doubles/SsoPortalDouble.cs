#nullable enable
using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
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
/// (<c>x-amzn-ErrorType</c> header, <c>{"message"}</c> body). With <see cref="RefuseUnassignedRoles"/>,
/// a role not assigned in that account (<see cref="AddAccount"/>) is 403 <c>ForbiddenException</c>
/// <c>{"message":"No access"}</c> — the portal's answer, though the service model lists no such error
/// (as the CLI and Go SDK report it: fwdcloudsec/granted#276 "StatusCode: 403 … api error
/// ForbiddenException: No access"; aws/aws-cli#7871); <see cref="ThrottleNext"/> calls are 429
/// <c>TooManyRequestsException</c>. With <see cref="MotoUrl"/> set, the keys are moto's: the double
/// calls moto's AssumeRole of the role IAM Identity Center makes in the account,
/// <c>arn:aws:iam::&lt;account&gt;:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_&lt;name&gt;_&lt;16 hex&gt;</c>,
/// as <see cref="UserName"/>, so GetCallerIdentity answers as for a real permission-set role
/// (<c>arn:aws:sts::&lt;account&gt;:assumed-role/AWSReservedSSO_&lt;name&gt;_&lt;hex&gt;/&lt;user&gt;</c>).
/// Followed: docs.aws.amazon.com/singlesignon/latest/PortalAPIReference/API_GetRoleCredentials.html;
/// aws/aws-sdk-net sdk/src/Services/SSO/Generated/Model/Internal/MarshallTransformations/
/// GetRoleCredentialsResponseUnmarshaller.cs and RoleCredentialsUnmarshaller.cs;
/// docs.aws.amazon.com/singlesignon/latest/userguide/referencingpermissionsets.html (the role's path and name).</item>
/// <item>the portal's ListAccounts: <c>GET /assignment/accounts?max_result=&amp;next_token=</c> with the
/// token in <c>x-amz-sso_bearer_token</c>; 200 with <c>{"accountList":[{"accountId","accountName","emailAddress"}],"nextToken"}</c>,
/// <c>nextToken</c> left out on the last page. And ListAccountRoles: <c>GET /assignment/roles?account_id=&amp;max_result=&amp;next_token=</c>;
/// 200 with <c>{"roleList":[{"accountId","roleName"}],"nextToken"}</c>. A page holds at most
/// max_result items (1–100, else 400 <c>InvalidRequestException</c>) and at most <see cref="PageSize"/>;
/// a next_token this listing did not give is 400 <c>InvalidRequestException</c>; an unknown token is
/// 401 <c>UnauthorizedException</c>; an account not assigned to the person is 404
/// <c>ResourceNotFoundException</c> (the reference's "resource doesn't exist"); <see cref="ThrottleNext"/>
/// list calls are 429 <c>TooManyRequestsException</c>. Errors in the REST-JSON shape above.
/// Followed: docs.aws.amazon.com/singlesignon/latest/PortalAPIReference/API_ListAccounts.html and
/// API_ListAccountRoles.html (request syntax, URI parameters, response syntax, errors); aws/aws-sdk-net
/// sdk/src/Services/SSO/Generated/Model/Internal/MarshallTransformations/ListAccountsRequestMarshaller.cs
/// and ListAccountsResponseUnmarshaller.cs at 13bd83ed856609040c6482d25394a0d39339c6b0,
/// ListAccountRolesRequestMarshaller.cs at 3f5c416d2244a352925f07899ecc0ad4b96563cb (query names
/// account_id, max_result, next_token; the bearer header; errors told apart by x-amzn-ErrorType).</item>
/// <item>SSO OIDC's RegisterClient: <c>POST /client/register</c>, JSON body <c>{"clientName","clientType","scopes"}</c>;
/// 200 with <c>{"clientId","clientSecret","clientIdIssuedAt","clientSecretExpiresAt"}</c> (epoch
/// seconds); a client type other than <c>public</c> is 400 <c>InvalidClientMetadataException</c>.
/// Followed: docs.aws.amazon.com/singlesignon/latest/OIDCAPIReference/API_RegisterClient.html.</item>
/// <item>SSO OIDC's StartDeviceAuthorization: <c>POST /device_authorization</c>, JSON body
/// <c>{"clientId","clientSecret","startUrl"}</c>; 200 with <c>{"deviceCode","userCode","verificationUri",
/// "verificationUriComplete","expiresIn","interval"}</c>; an unknown client is 401
/// <c>InvalidClientException</c>. Followed: .../OIDCAPIReference/API_StartDeviceAuthorization.html.</item>
/// <item>SSO OIDC's CreateToken: <c>POST /token</c>, JSON body <c>{"clientId","clientSecret","grantType",
/// "deviceCode"|"refreshToken"}</c>; 200 with <c>{"accessToken","tokenType":"Bearer","expiresIn","refreshToken"}</c>.
/// Errors are 400 with <c>x-amzn-ErrorType</c> and the OAuth body <c>{"error","error_description"}</c>:
/// <c>AuthorizationPendingException</c> (authorization_pending), <c>SlowDownException</c> (slow_down),
/// <c>ExpiredTokenException</c> (expired_token), <c>AccessDeniedException</c> (access_denied),
/// <c>InvalidGrantException</c> (invalid_grant: unknown device code or refresh token),
/// <c>UnsupportedGrantTypeException</c>; an unknown client is 401 <c>InvalidClientException</c>
/// (invalid_client). Followed: .../OIDCAPIReference/API_CreateToken.html and its Errors section;
/// aws/aws-sdk-net sdk/src/Services/SSOOIDC/Generated/Model/Internal/MarshallTransformations/
/// CreateTokenResponseUnmarshaller.cs (errors told apart by the x-amzn-ErrorType code).
/// Test controls: <see cref="DeviceAnswers"/> (the OAuth errors to give the next device-code
/// polls, in order; then the token), <see cref="Interval"/>, <see cref="DeviceCodeLifetime"/>.</item>
/// </list>
/// The keys it hands out are not real; moto takes any key, so a chain goes on into moto with them.
/// It counts each call. Plain BCL only, so Pester compiles it with Add-Type as well.
/// </summary>
public sealed class SsoPortalDouble : IDisposable
{
    private readonly LoopbackHttpServer _server;
    private readonly ConcurrentDictionary<string, bool> _accessTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string ClientId, string ClientSecret)> _refreshTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _clients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _deviceCodes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string Name, string Email, string[] Roles)> _accounts = new(StringComparer.Ordinal);
    private readonly List<string> _accountOrder = new();
    private readonly object _inFlightLock = new();
    private static readonly HttpClient s_moto = new();
    private int _getRoleCredentials;
    private int _motoAssumeRoles;
    private int _listAccounts;
    private int _listAccountRoles;
    private int _throttleNext;
    private int _roleListsInFlight;
    private int _maxRoleListsInFlight;
    private bool _roleListGateOpen;
    private int _roleCredentialsInFlight;
    private int _maxRoleCredentialsInFlight;
    private bool _roleCredentialsGateOpen;
    private int _createToken;
    private int _registerClient;
    private int _startDeviceAuthorization;
    private int _issued;

    public SsoPortalDouble()
    {
        _server = new LoopbackHttpServer(Handle);
    }

    /// <summary>The base URL of both services.</summary>
    public string Url => _server.Url;

    /// <summary>The loopback server answering for the double (its connection counts).</summary>
    public LoopbackHttpServer Server => _server;

    /// <summary>GetRoleCredentials calls answered (200 or error).</summary>
    public int GetRoleCredentialsCount => Volatile.Read(ref _getRoleCredentials);

    /// <summary>ListAccounts calls answered (200 or error).</summary>
    public int ListAccountsCount => Volatile.Read(ref _listAccounts);

    /// <summary>ListAccountRoles calls answered (200 or error).</summary>
    public int ListAccountRolesCount => Volatile.Read(ref _listAccountRoles);

    /// <summary>The most ListAccountRoles calls that were being answered at one moment.</summary>
    public int MaxRoleListsInFlight => Volatile.Read(ref _maxRoleListsInFlight);

    /// <summary>Every ListAccounts and ListAccountRoles, in order: <c>ListAccounts max_result next_token</c>, <c>ListAccountRoles account_id max_result next_token</c>.</summary>
    public ConcurrentQueue<string> ListRequests { get; } = new();

    /// <summary>The most items a list page holds whatever max_result asks (a small one makes paging happen).</summary>
    public int PageSize { get; set; } = 100;

    /// <summary>How many of the next list and GetRoleCredentials calls answer 429 TooManyRequestsException.</summary>
    public int ThrottleNext
    {
        get => Volatile.Read(ref _throttleNext);
        set => Volatile.Write(ref _throttleNext, value);
    }

    /// <summary>
    /// When above zero, ListAccountRoles calls are held until this many are being answered at once
    /// (then every call passes), each at most <see cref="RoleListGateTimeout"/>: how many a client
    /// runs at once shows as a count (<see cref="MaxRoleListsInFlight"/>), not a timing.
    /// </summary>
    public int RoleListGate { get; set; }

    /// <summary>The longest a ListAccountRoles call is held at <see cref="RoleListGate"/>.</summary>
    public TimeSpan RoleListGateTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>As <see cref="RoleListGate"/>, for GetRoleCredentials (held at most <see cref="RoleListGateTimeout"/>).</summary>
    public int RoleCredentialsGate { get; set; }

    /// <summary>The most GetRoleCredentials calls that were being answered at one moment.</summary>
    public int MaxRoleCredentialsInFlight => Volatile.Read(ref _maxRoleCredentialsInFlight);

    /// <summary>CreateToken calls answered (200 or error).</summary>
    public int CreateTokenCount => Volatile.Read(ref _createToken);

    /// <summary>RegisterClient calls answered.</summary>
    public int RegisterClientCount => Volatile.Read(ref _registerClient);

    /// <summary>StartDeviceAuthorization calls answered.</summary>
    public int StartDeviceAuthorizationCount => Volatile.Read(ref _startDeviceAuthorization);

    /// <summary>Every RegisterClient, in order: <c>clientName clientType scopes</c>.</summary>
    public ConcurrentQueue<string> Registrations { get; } = new();

    /// <summary>When each CreateToken with the device_code grant arrived, in order: the poll spacing.</summary>
    public ConcurrentQueue<DateTimeOffset> DevicePolls { get; } = new();

    /// <summary>
    /// What the next device-code polls answer, in order: <c>authorization_pending</c>, <c>slow_down</c>,
    /// <c>expired_token</c> or <c>access_denied</c>; when empty, the person has approved and the token is given.
    /// </summary>
    public ConcurrentQueue<string> DeviceAnswers { get; } = new();

    /// <summary>StartDeviceAuthorization's interval, seconds (AWS answers 1 today).</summary>
    public int Interval { get; set; } = 1;

    /// <summary>StartDeviceAuthorization's expiresIn, seconds (AWS answers 600).</summary>
    public int DeviceCodeLifetime { get; set; } = 600;

    /// <summary>When set, role credentials are moto's AssumeRole of the account's <c>AWSReservedSSO_</c> role (see the class summary).</summary>
    public string? MotoUrl { get; set; }

    /// <summary>The person signed in: the role session name of the credentials from moto.</summary>
    public string UserName { get; set; } = "pester.user@example.com";

    /// <summary>The access key id that signs the double's own calls to moto, to tell them from the client's.</summary>
    public const string MotoSigner = "ASIASSOPORTALDOUBLE";

    /// <summary>AssumeRole calls the double made to moto.</summary>
    public int MotoAssumeRoleCount => Volatile.Read(ref _motoAssumeRoles);

    /// <summary>
    /// True: GetRoleCredentials of a role not assigned in that account (<see cref="AddAccount"/>) is 403
    /// ForbiddenException, as at AWS. False (the default): any role of any account is given, for tests of
    /// a profile source whose account the listing leaves out.
    /// </summary>
    public bool RefuseUnassignedRoles { get; set; }

    /// <summary>When set, GetRoleCredentials answers with the credentials of this account's role, whatever account was asked for (a portal gone wrong).</summary>
    public string? AnswerFromAccount { get; set; }

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

    /// <summary>An account assigned to the person, with the roles (permission sets) they may use in it; listed in the order added.</summary>
    public void AddAccount(string accountId, string accountName, string emailAddress, params string[] roleNames)
    {
        lock (_accountOrder)
        {
            if (_accounts.TryAdd(accountId, (accountName, emailAddress, roleNames)))
            {
                _accountOrder.Add(accountId);
            }
        }
    }

    /// <summary>
    /// Counts and records emptied, answers and settings back to their defaults, for a test that
    /// shares one double (and so one endpoint, which a process's SDK may keep) with others.
    /// Issued tokens and clients stay valid, as they would at AWS.
    /// </summary>
    public void Reset()
    {
        Interlocked.Exchange(ref _getRoleCredentials, 0);
        Interlocked.Exchange(ref _motoAssumeRoles, 0);
        AnswerFromAccount = null;
        RefuseUnassignedRoles = false;
        Interlocked.Exchange(ref _listAccounts, 0);
        Interlocked.Exchange(ref _listAccountRoles, 0);
        Interlocked.Exchange(ref _maxRoleListsInFlight, 0);
        ThrottleNext = 0;
        RoleListGate = 0;
        RoleCredentialsGate = 0;
        Interlocked.Exchange(ref _maxRoleCredentialsInFlight, 0);
        RoleListGateTimeout = TimeSpan.FromSeconds(10);
        PageSize = 100;
        lock (_inFlightLock)
        {
            _roleListGateOpen = false;
            _roleCredentialsGateOpen = false;
        }

        ListRequests.Clear();
        Interlocked.Exchange(ref _createToken, 0);
        Interlocked.Exchange(ref _registerClient, 0);
        Interlocked.Exchange(ref _startDeviceAuthorization, 0);
        RoleRequests.Clear();
        Registrations.Clear();
        DevicePolls.Clear();
        DeviceAnswers.Clear();
        Interval = 1;
        DeviceCodeLifetime = 600;
    }

    public void Dispose() => _server.Dispose();

    private LoopbackResponse Handle(LoopbackRequest request)
    {
        if (request.Method == "GET" && request.Path == "/federation/credentials")
        {
            return GetRoleCredentials(request);
        }

        if (request.Method == "GET" && request.Path == "/assignment/accounts")
        {
            return ListAccounts(request);
        }

        if (request.Method == "GET" && request.Path == "/assignment/roles")
        {
            return ListAccountRoles(request);
        }

        if (request.Method == "POST" && request.Path == "/token")
        {
            return CreateToken(request);
        }

        if (request.Method == "POST" && request.Path == "/client/register")
        {
            return RegisterClient(request);
        }

        if (request.Method == "POST" && request.Path == "/device_authorization")
        {
            return StartDeviceAuthorization(request);
        }

        return Error(404, "ResourceNotFoundException", $"No such operation: {request.Method} {request.Path}");
    }

    private LoopbackResponse GetRoleCredentials(LoopbackRequest request)
    {
        var inFlight = Interlocked.Increment(ref _roleCredentialsInFlight);
        try
        {
            InterlockedMax(ref _maxRoleCredentialsInFlight, inFlight);
            WaitAtGate(inFlight, RoleCredentialsGate, ref _roleCredentialsGateOpen);
            return AnswerRoleCredentials(request);
        }
        finally
        {
            Interlocked.Decrement(ref _roleCredentialsInFlight);
        }
    }

    private LoopbackResponse AnswerRoleCredentials(LoopbackRequest request)
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

        if (Throttled() is { } throttled)
        {
            return throttled;
        }

        if (RefuseUnassignedRoles && !(_accounts.TryGetValue(accountId!, out var assigned) && Array.IndexOf(assigned.Roles, roleName) >= 0))
        {
            return Error(403, "ForbiddenException", "No access");
        }

        if (MotoUrl is { } moto)
        {
            return FromMoto(moto, AnswerFromAccount ?? accountId!, roleName!);
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

    // moto takes any signature; the Authorization header only names the double as the caller.
    private LoopbackResponse FromMoto(string moto, string accountId, string roleName)
    {
        Interlocked.Increment(ref _motoAssumeRoles);
        var suffix = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(accountId + "/" + roleName)), 0, 8).ToLowerInvariant();
        var roleArn = $"arn:aws:iam::{accountId}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_{roleName}_{suffix}";
        using var call = new HttpRequestMessage(HttpMethod.Post, moto.TrimEnd('/') + "/")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Action"] = "AssumeRole",
                ["Version"] = "2011-06-15",
                ["RoleArn"] = roleArn,
                ["RoleSessionName"] = UserName,
                ["DurationSeconds"] = "3600",
            }),
        };
        call.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential={MotoSigner}/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0");
        using var answer = s_moto.Send(call);
        var xml = answer.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        if (!answer.IsSuccessStatusCode)
        {
            return Error(500, "InternalServerException", "moto refused AssumeRole: " + xml);
        }

        string Element(string name) => Regex.Match(xml, $"<{name}>([^<]*)</{name}>").Groups[1].Value;
        var body = JsonSerializer.Serialize(new
        {
            roleCredentials = new
            {
                accessKeyId = Element("AccessKeyId"),
                secretAccessKey = Element("SecretAccessKey"),
                sessionToken = Element("SessionToken"),
                expiration = DateTimeOffset.UtcNow.Add(Lifetime).ToUnixTimeMilliseconds(),
            },
        });
        return new LoopbackResponse(200, body);
    }

    private LoopbackResponse ListAccounts(LoopbackRequest request)
    {
        Interlocked.Increment(ref _listAccounts);
        var query = request.Query;
        ListRequests.Enqueue($"ListAccounts {Value(query, "max_result")} {Value(query, "next_token")}".TrimEnd());
        if (Refusal(request) is { } refused)
        {
            return refused;
        }

        string[] ids;
        lock (_accountOrder)
        {
            ids = _accountOrder.ToArray();
        }

        if (!TryPage(query, "accounts", ids.Length, out var start, out var count, out var invalid))
        {
            return invalid!;
        }

        var accountList = new List<object>();
        for (var i = start; i < start + count; i++)
        {
            var account = _accounts[ids[i]];
            accountList.Add(new { accountId = ids[i], accountName = account.Name, emailAddress = account.Email });
        }

        return Page("accountList", accountList, "accounts", start + count, ids.Length);
    }

    private LoopbackResponse ListAccountRoles(LoopbackRequest request)
    {
        Interlocked.Increment(ref _listAccountRoles);
        var inFlight = Interlocked.Increment(ref _roleListsInFlight);
        try
        {
            InterlockedMax(ref _maxRoleListsInFlight, inFlight);
            WaitAtGate(inFlight, RoleListGate, ref _roleListGateOpen);
            var query = request.Query;
            var accountId = Value(query, "account_id");
            ListRequests.Enqueue($"ListAccountRoles {accountId} {Value(query, "max_result")} {Value(query, "next_token")}".TrimEnd());
            if (Refusal(request) is { } refused)
            {
                return refused;
            }

            if (string.IsNullOrEmpty(accountId))
            {
                return Error(400, "InvalidRequestException", "account_id is required");
            }

            if (!_accounts.TryGetValue(accountId!, out var account))
            {
                return Error(404, "ResourceNotFoundException", "The specified resource doesn't exist.");
            }

            if (!TryPage(query, "roles-" + accountId, account.Roles.Length, out var start, out var count, out var invalid))
            {
                return invalid!;
            }

            var roleList = new List<object>();
            for (var i = start; i < start + count; i++)
            {
                roleList.Add(new { accountId, roleName = account.Roles[i] });
            }

            return Page("roleList", roleList, "roles-" + accountId, start + count, account.Roles.Length);
        }
        finally
        {
            Interlocked.Decrement(ref _roleListsInFlight);
        }
    }

    // A list call's token and throttling, checked as the portal would before it reads anything.
    private LoopbackResponse? Refusal(LoopbackRequest request)
    {
        if (!request.Headers.TryGetValue("x-amz-sso_bearer_token", out var token) || !_accessTokens.ContainsKey(token))
        {
            return Error(401, "UnauthorizedException", "Session token not found or invalid");
        }

        return Throttled();
    }

    private LoopbackResponse? Throttled()
    {
        while (true)
        {
            var left = Volatile.Read(ref _throttleNext);
            if (left <= 0)
            {
                return null;
            }

            if (Interlocked.CompareExchange(ref _throttleNext, left - 1, left) == left)
            {
                return Error(429, "TooManyRequestsException", "Rate exceeded");
            }
        }
    }

    // next_token is opaque to clients; here it is "<listing>:<offset>", valid only for that listing.
    private bool TryPage(IReadOnlyDictionary<string, string> query, string listing, int total, out int start, out int count, out LoopbackResponse? invalid)
    {
        start = 0;
        count = 0;
        invalid = null;
        var maxResults = 100;
        if (query.TryGetValue("max_result", out var max) && (!int.TryParse(max, out maxResults) || maxResults < 1 || maxResults > 100))
        {
            invalid = Error(400, "InvalidRequestException", "max_result must be between 1 and 100");
            return false;
        }

        if (query.TryGetValue("next_token", out var next))
        {
            var parts = next.Split(':');
            if (parts.Length != 2 || parts[0] != listing || !int.TryParse(parts[1], out start) || start <= 0 || start >= total)
            {
                invalid = Error(400, "InvalidRequestException", "Invalid next_token");
                return false;
            }
        }

        count = Math.Min(Math.Min(maxResults, PageSize), total - start);
        return true;
    }

    private static LoopbackResponse Page(string listName, List<object> items, string listing, int end, int total)
    {
        var body = new Dictionary<string, object> { [listName] = items };
        if (end < total)
        {
            body["nextToken"] = $"{listing}:{end}";
        }

        return new LoopbackResponse(200, JsonSerializer.Serialize(body));
    }

    private void WaitAtGate(int inFlight, int gate, ref bool open)
    {
        if (gate <= 0)
        {
            return;
        }

        lock (_inFlightLock)
        {
            if (inFlight >= gate)
            {
                open = true;
                Monitor.PulseAll(_inFlightLock);
                return;
            }

            var until = DateTime.UtcNow.Add(RoleListGateTimeout);
            while (!open && DateTime.UtcNow < until)
            {
                Monitor.Wait(_inFlightLock, TimeSpan.FromMilliseconds(100));
            }
        }
    }

    private static void InterlockedMax(ref int location, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref location)) < value && Interlocked.CompareExchange(ref location, value, seen) != seen)
        {
        }
    }

    private static string? Value(IReadOnlyDictionary<string, string> query, string name) => query.TryGetValue(name, out var value) ? value : null;

    private LoopbackResponse RegisterClient(LoopbackRequest request)
    {
        Interlocked.Increment(ref _registerClient);
        using var json = JsonDocument.Parse(request.Body.Length == 0 ? "{}" : request.Body);
        var name = Field(json, "clientName");
        var type = Field(json, "clientType");
        var scopes = json.RootElement.TryGetProperty("scopes", out var list) ? string.Join(",", EnumerateStrings(list)) : string.Empty;
        Registrations.Enqueue($"{name} {type} {scopes}".TrimEnd());
        if (string.IsNullOrEmpty(name) || type != "public")
        {
            return OAuthError("InvalidClientMetadataException", "invalid_client_metadata", "clientName is required and clientType must be public");
        }

        var n = Interlocked.Increment(ref _issued);
        var clientId = $"sso-double-client-{n}";
        var clientSecret = $"sso-double-client-secret-{n}";
        _clients[clientId] = clientSecret;
        var now = DateTimeOffset.UtcNow;
        return new LoopbackResponse(200, JsonSerializer.Serialize(new
        {
            clientId,
            clientSecret,
            clientIdIssuedAt = now.ToUnixTimeSeconds(),
            clientSecretExpiresAt = now.AddDays(90).ToUnixTimeSeconds(),
        }));
    }

    private LoopbackResponse StartDeviceAuthorization(LoopbackRequest request)
    {
        Interlocked.Increment(ref _startDeviceAuthorization);
        using var json = JsonDocument.Parse(request.Body.Length == 0 ? "{}" : request.Body);
        if (!IsClient(json))
        {
            return OAuthError("InvalidClientException", "invalid_client", "Invalid client provided", 401);
        }

        if (string.IsNullOrEmpty(Field(json, "startUrl")))
        {
            return OAuthError("InvalidRequestException", "invalid_request", "startUrl is required");
        }

        var n = Interlocked.Increment(ref _issued);
        var deviceCode = $"sso-double-device-code-{n}";
        var userCode = $"PEST-{n:D4}";
        _deviceCodes[deviceCode] = Field(json, "clientId")!;
        return new LoopbackResponse(200, JsonSerializer.Serialize(new
        {
            deviceCode,
            userCode,
            verificationUri = $"{Url}/device",
            verificationUriComplete = $"{Url}/device?user_code={userCode}",
            expiresIn = DeviceCodeLifetime,
            interval = Interval,
        }));
    }

    private LoopbackResponse CreateToken(LoopbackRequest request)
    {
        Interlocked.Increment(ref _createToken);
        using var json = JsonDocument.Parse(request.Body.Length == 0 ? "{}" : request.Body);
        return Field(json, "grantType") switch
        {
            "refresh_token" => RefreshToken(json),
            "urn:ietf:params:oauth:grant-type:device_code" => DeviceCodeToken(json),
            _ => OAuthError("UnsupportedGrantTypeException", "unsupported_grant_type", "Unsupported grant type"),
        };
    }

    private LoopbackResponse RefreshToken(JsonDocument json)
    {
        var refreshToken = Field(json, "refreshToken") ?? string.Empty;
        if (!_refreshTokens.TryRemove(refreshToken, out var client) || client.ClientId != Field(json, "clientId") || client.ClientSecret != Field(json, "clientSecret"))
        {
            return OAuthError("InvalidGrantException", "invalid_grant", "Invalid refresh token provided");
        }

        return Token(client.ClientId, client.ClientSecret);
    }

    private LoopbackResponse DeviceCodeToken(JsonDocument json)
    {
        DevicePolls.Enqueue(DateTimeOffset.UtcNow);
        if (!IsClient(json))
        {
            return OAuthError("InvalidClientException", "invalid_client", "Invalid client provided", 401);
        }

        var deviceCode = Field(json, "deviceCode") ?? string.Empty;
        if (!_deviceCodes.TryGetValue(deviceCode, out var owner) || owner != Field(json, "clientId"))
        {
            return OAuthError("InvalidGrantException", "invalid_grant", "Invalid device code provided");
        }

        if (DeviceAnswers.TryDequeue(out var answer))
        {
            switch (answer)
            {
                case "authorization_pending":
                    return OAuthError("AuthorizationPendingException", answer, "Authorization is still pending");
                case "slow_down":
                    return OAuthError("SlowDownException", answer, "Client is polling too fast");
                case "expired_token":
                    _deviceCodes.TryRemove(deviceCode, out _);
                    return OAuthError("ExpiredTokenException", answer, "Device code has expired");
                case "access_denied":
                    _deviceCodes.TryRemove(deviceCode, out _);
                    return OAuthError("AccessDeniedException", answer, "Access denied");
                default:
                    throw new InvalidOperationException($"Unknown device answer '{answer}'");
            }
        }

        _deviceCodes.TryRemove(deviceCode, out _);
        return Token(owner, _clients[owner]);
    }

    private LoopbackResponse Token(string clientId, string clientSecret)
    {
        var n = Interlocked.Increment(ref _issued);
        var accessToken = $"sso-double-access-token-{n}";
        var newRefreshToken = $"sso-double-refresh-token-{n}";
        AcceptAccessToken(accessToken);
        AcceptRefreshToken(newRefreshToken, clientId, clientSecret);
        var body = JsonSerializer.Serialize(new
        {
            accessToken,
            tokenType = "Bearer",
            expiresIn = (int)Lifetime.TotalSeconds,
            refreshToken = newRefreshToken,
        });
        return new LoopbackResponse(200, body);
    }

    private bool IsClient(JsonDocument json) =>
        Field(json, "clientId") is { } id && _clients.TryGetValue(id, out var secret) && secret == Field(json, "clientSecret");

    private static string? Field(JsonDocument json, string name) =>
        json.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static IEnumerable<string> EnumerateStrings(JsonElement list)
    {
        foreach (var item in list.EnumerateArray())
        {
            yield return item.GetString() ?? string.Empty;
        }
    }

    private static LoopbackResponse Error(int status, string type, string message) =>
        new(status, JsonSerializer.Serialize(new { message }), new Dictionary<string, string> { ["x-amzn-ErrorType"] = type });

    private static LoopbackResponse OAuthError(string type, string error, string description, int status = 400) =>
        new(status, JsonSerializer.Serialize(new { error, error_description = description }), new Dictionary<string, string> { ["x-amzn-ErrorType"] = type });
}
