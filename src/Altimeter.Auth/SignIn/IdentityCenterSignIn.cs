using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Amazon;
using Amazon.Runtime;
using Amazon.SSOOIDC;
using Amazon.SSOOIDC.Model;

namespace Altimeter.Auth;

/// <summary>
/// Signing in to IAM Identity Center as <c>aws sso login</c> does, with OAuth's device-authorization
/// grant against the portal region's SSO OIDC service: a registered client (RegisterClient, public,
/// reused from the token cache until it expires), StartDeviceAuthorization, then CreateToken with
/// the grant type <c>urn:ietf:params:oauth:grant-type:device_code</c> every interval until the
/// person approves — <c>authorization_pending</c> polls again, <c>slow_down</c> adds 5 seconds
/// to the interval (RFC 8628 §3.5, as botocore's SSOTokenFetcher), <c>expired_token</c> and
/// <c>access_denied</c> end it. The token is written to the token cache the AWS CLI and SDKs read.
/// Two steps, so the caller can show the code and open a browser in between; every wait takes the
/// cancellation token.
/// </summary>
/// <remarks>
/// Followed: docs.aws.amazon.com/singlesignon/latest/OIDCAPIReference (API_RegisterClient,
/// API_StartDeviceAuthorization, API_CreateToken); botocore/utils.py SSOTokenFetcher and
/// awscli/customizations/sso/utils.py (do_sso_login) for the cache files and the polling. The SSO
/// OIDC client is the SDK's, so AWS_ENDPOINT_URL_SSO_OIDC and AWS_ENDPOINT_URL are honoured as for
/// any SDK client.
/// </remarks>
internal sealed class IdentityCenterSignIn : IDisposable
{
    internal const string DeviceCodeGrant = "urn:ietf:params:oauth:grant-type:device_code";

    /// <summary>What slow_down adds to the interval (RFC 8628 §3.5).</summary>
    internal static readonly TimeSpan SlowDownStep = TimeSpan.FromSeconds(5);

    /// <summary>The interval when the service names none (RFC 8628 §3.2).</summary>
    internal static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(5);

    /// <summary>A cached client this close to expiry is registered anew (botocore's expiry window).</summary>
    internal static readonly TimeSpan RegistrationMargin = TimeSpan.FromMinutes(15);

    private readonly IdentityCenterPortal _portal;
    private readonly IAmazonSSOOIDC _oidc;
    private readonly string _cacheDirectory;
    private readonly Func<DateTimeOffset> _now;
    private readonly Func<TimeSpan, CancellationToken, Task> _delay;
    private readonly IAuthLog _log;

    /// <summary>A sign-in to <paramref name="portal"/>, writing to ~/.aws/sso/cache.</summary>
    public IdentityCenterSignIn(IdentityCenterPortal portal, IAuthLog? log = null)
        : this(portal, OidcClientFor(portal), SsoTokenCache.DefaultDirectory, () => DateTimeOffset.UtcNow, Task.Delay, log)
    {
    }

    internal IdentityCenterSignIn(IdentityCenterPortal portal, IAmazonSSOOIDC oidc, string cacheDirectory, Func<DateTimeOffset> now, Func<TimeSpan, CancellationToken, Task> delay, IAuthLog? log)
    {
        _portal = portal ?? throw new ArgumentNullException(nameof(portal));
        _oidc = oidc;
        _cacheDirectory = cacheDirectory;
        _now = now;
        _delay = delay;
        _log = log ?? NullAuthLog.Instance;
    }

    /// <summary>
    /// Starts the sign-in: opens the token cache (so a cache that cannot be used fails before the
    /// person does anything), registers a client or reuses the cached one, and asks for a device
    /// authorization.
    /// </summary>
    /// <exception cref="SsoSignInException"><see cref="SsoSignInException.Failed"/>: SSO OIDC refused or failed, or the token cache cannot be used.</exception>
    public async Task<DeviceAuthorization> StartAsync(CancellationToken cancellationToken = default)
    {
        using var cache = SsoTokenCache.Open(_cacheDirectory);
        var registrationKey = RegistrationKey();
        var client = cache.ReadRegistration(registrationKey, _now(), RegistrationMargin);
        if (client is not null)
        {
            Log($"Reusing the SSO OIDC {client}.");
            try
            {
                return await AuthorizeAsync(client, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidClientException)
            {
                // Revoked or deleted since it was cached: register anew, once.
                Log("SSO OIDC no longer knows the cached client; registering a new one.");
            }
        }

        client = await RegisterAsync(cancellationToken).ConfigureAwait(false);
        cache.WriteRegistration(registrationKey, client, _portal.RegistrationScopes);
        try
        {
            return await AuthorizeAsync(client, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidClientException e)
        {
            throw Failure("StartDeviceAuthorization", e);
        }
    }

    /// <summary>
    /// Polls CreateToken until the person approves <paramref name="authorization"/>, then writes the
    /// token file (owner-only) where the AWS CLI and SDKs read it.
    /// </summary>
    /// <exception cref="SsoSignInException">
    /// <see cref="SsoSignInException.AuthorizationExpired"/>, <see cref="SsoSignInException.AccessDenied"/>,
    /// or <see cref="SsoSignInException.Failed"/>.
    /// </exception>
    /// <exception cref="OperationCanceledException">Stopped (Ctrl+C).</exception>
    public async Task<SsoSignInResult> CompleteAsync(DeviceAuthorization authorization, CancellationToken cancellationToken = default)
    {
        if (authorization is null) throw new ArgumentNullException(nameof(authorization));
        var interval = authorization.Interval;
        while (true)
        {
            if (_now() >= authorization.ExpiresAt)
            {
                throw Expired(null);
            }

            await _delay(interval, cancellationToken).ConfigureAwait(false);
            CreateTokenResponse token;
            try
            {
                token = await _oidc.CreateTokenAsync(
                    new CreateTokenRequest
                    {
                        ClientId = authorization.Client.ClientId,
                        ClientSecret = authorization.Client.ClientSecret,
                        GrantType = DeviceCodeGrant,
                        DeviceCode = authorization.DeviceCode,
                    },
                    cancellationToken).ConfigureAwait(false);
            }
            catch (AuthorizationPendingException)
            {
                continue;
            }
            catch (SlowDownException)
            {
                interval += SlowDownStep;
                Log($"SSO OIDC asked to slow down: polling every {interval.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s.");
                continue;
            }
            catch (ExpiredTokenException e)
            {
                throw Expired(e);
            }
            catch (AccessDeniedException e)
            {
                throw new SsoSignInException(SsoSignInException.AccessDenied, $"The sign-in to {_portal.StartUrl} ({_portal}) was denied in the browser. Run the command again to start a new sign-in.", e);
            }
            catch (Exception e) when (IsServiceFailure(e))
            {
                throw Failure("CreateToken", e);
            }

            var expiresAt = _now().AddSeconds(token.ExpiresIn ?? 0);
            using var cache = SsoTokenCache.Open(_cacheDirectory);
            var file = cache.WriteToken(_portal, token.AccessToken, expiresAt, token.RefreshToken, authorization.Client);
            Log($"Signed in to {_portal.StartUrl} until {ShownTime.Of(expiresAt)}; token written to {file}.");
            return new SsoSignInResult(_portal, expiresAt, file);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _oidc.Dispose();

    internal static IAmazonSSOOIDC OidcClientFor(IdentityCenterPortal portal) =>
        new AmazonSSOOIDCClient(new AnonymousAWSCredentials(), new AmazonSSOOIDCConfig { RegionEndpoint = RegionEndpoint.GetBySystemName(portal.Region) });

    private async Task<ClientRegistration> RegisterAsync(CancellationToken cancellationToken)
    {
        RegisterClientResponse registered;
        try
        {
            registered = await _oidc.RegisterClientAsync(
                new RegisterClientRequest
                {
                    ClientName = "altimeter-auth-" + (_portal.SsoSessionName ?? "legacy"),
                    ClientType = "public",
                    Scopes = _portal.RegistrationScopes.Count > 0 ? _portal.RegistrationScopes.ToList() : null,
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsServiceFailure(e))
        {
            throw Failure("RegisterClient", e);
        }

        var client = new ClientRegistration(registered.ClientId, registered.ClientSecret, DateTimeOffset.FromUnixTimeSeconds(registered.ClientSecretExpiresAt ?? 0));
        Log($"Registered the SSO OIDC {client}.");
        return client;
    }

    private async Task<DeviceAuthorization> AuthorizeAsync(ClientRegistration client, CancellationToken cancellationToken)
    {
        StartDeviceAuthorizationResponse started;
        try
        {
            started = await _oidc.StartDeviceAuthorizationAsync(
                new StartDeviceAuthorizationRequest { ClientId = client.ClientId, ClientSecret = client.ClientSecret, StartUrl = _portal.StartUrl },
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not InvalidClientException && IsServiceFailure(e))
        {
            throw Failure("StartDeviceAuthorization", e);
        }

        var interval = started.Interval is > 0 ? TimeSpan.FromSeconds(started.Interval.Value) : DefaultInterval;
        return new DeviceAuthorization(
            _portal, client, started.DeviceCode, started.UserCode, started.VerificationUri, started.VerificationUriComplete,
            _now().AddSeconds(started.ExpiresIn ?? 0), interval);
    }

    // The same inputs give the same file, as botocore's _registration_cache_key (its fields, sorted);
    // "tool" keeps our registrations apart from the AWS CLI's, whose client has another name.
    private string RegistrationKey()
    {
        // Built as a JSON object in sorted key order (not serialized by reflection: the engine is
        // compiled ahead of time for the native credential_process); the same text as before.
        var fields = new Newtonsoft.Json.Linq.JObject
        {
            ["region"] = _portal.Region,
            ["scopes"] = new Newtonsoft.Json.Linq.JArray(_portal.RegistrationScopes),
            ["session_name"] = _portal.SsoSessionName,
            ["startUrl"] = _portal.StartUrl,
            ["tool"] = "altimeter",
        };
        return fields.ToString(Newtonsoft.Json.Formatting.None);
    }

    private static bool IsServiceFailure(Exception e) => e is AmazonServiceException or AmazonClientException or HttpRequestException;

    private SsoSignInException Expired(Exception? inner) =>
        new(SsoSignInException.AuthorizationExpired, $"The sign-in to {_portal.StartUrl} ({_portal}) was not approved before its code expired. Run the command again and approve the new code in the browser.", inner);

    private SsoSignInException Failure(string operation, Exception inner) =>
        new(SsoSignInException.Failed, $"IAM Identity Center's SSO OIDC service ({_portal.Region}) failed the {operation} call for {_portal}: {inner.Message}", inner);

    private void Log(string message)
    {
        if (_log.IsEnabled)
        {
            _log.Verbose(message);
        }
    }
}
