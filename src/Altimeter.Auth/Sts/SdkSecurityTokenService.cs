using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Amazon;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;

namespace Altimeter.Auth;

/// <summary>STS through the AWS SDK for .NET v4 (AWSSDK.SecurityToken), on the regional endpoint of the session's region.</summary>
internal sealed class SdkSecurityTokenService : ISecurityTokenService
{
    // One client per signing key and region: N targets behind one hub share the hub's client.
    // Clients are thread-safe; past the bound the set is dropped (not disposed: others may be
    // using them) and rebuilt as needed.
    private const int MaxClients = 256;
    private readonly ConcurrentDictionary<(string AccessKey, string Region, string? Endpoint), AmazonSecurityTokenServiceClient> _clients = new();
    private readonly StsClientSettings _settings;

    /// <summary>Creates the service with <paramref name="settings"/>, or the SDK's defaults; the cmdlets share one per settings (<see cref="ProcessCaches.Sts"/>).</summary>
    public SdkSecurityTokenService(StsClientSettings? settings = null)
    {
        _settings = settings ?? new StsClientSettings();
    }

    /// <inheritdoc />
    public async Task<AssumedRole> AssumeRoleAsync(ImmutableCredentials signer, RoleAssumption request, string region, CancellationToken cancellationToken)
    {
        if (request is null) throw new ArgumentNullException(nameof(request));
        var call = $"AssumeRole {request.RoleArn}";
        var client = ClientFor(signer, region);
        var response = await Call(call, cancellationToken, () => client.AssumeRoleAsync(
            ToRequest(request),
            cancellationToken)).ConfigureAwait(false);

        var credentials = response.Credentials ?? throw new StsCallException(call, null, "the answer carried no credentials.", null);
        return new AssumedRole(
            new CachedCredentials(credentials.AccessKeyId, credentials.SecretAccessKey, credentials.SessionToken, ToUtc(credentials.Expiration)),
            response.AssumedRoleUser?.Arn ?? string.Empty);
    }

    private static AssumeRoleRequest ToRequest(RoleAssumption request)
    {
        var sdk = new AssumeRoleRequest
        {
            RoleArn = request.RoleArn,
            RoleSessionName = request.RoleSessionName,
            ExternalId = request.ExternalId,
        };
        if (request.Options is AssumeRoleOptions options)
        {
            sdk.DurationSeconds = options.DurationSeconds;
            sdk.SerialNumber = options.MfaSerial;
            sdk.TokenCode = request.TokenCode;
            sdk.SourceIdentity = options.SourceIdentity;
            if (options.Tags.Count > 0)
            {
                sdk.Tags = options.Tags.Select(t => new Tag { Key = t.Key, Value = t.Value }).ToList();
            }

            if (options.TransitiveTagKeys.Count > 0)
            {
                sdk.TransitiveTagKeys = options.TransitiveTagKeys.ToList();
            }

            if (options.PolicyArns.Count > 0)
            {
                sdk.PolicyArns = options.PolicyArns.Select(arn => new PolicyDescriptorType { Arn = arn }).ToList();
            }
        }

        return sdk;
    }

    /// <inheritdoc />
    public async Task<CachedCredentials> GetSessionTokenAsync(ImmutableCredentials longTermKeys, string serialNumber, string tokenCode, int durationSeconds, string region, CancellationToken cancellationToken)
    {
        var call = $"GetSessionToken for MFA device {serialNumber}";
        var client = ClientFor(longTermKeys, region);
        var response = await Call(call, cancellationToken, () => client.GetSessionTokenAsync(
            new GetSessionTokenRequest { SerialNumber = serialNumber, TokenCode = tokenCode, DurationSeconds = durationSeconds },
            cancellationToken)).ConfigureAwait(false);
        var credentials = response.Credentials ?? throw new StsCallException(call, null, "the answer carried no credentials.", null);
        return new CachedCredentials(credentials.AccessKeyId, credentials.SecretAccessKey, credentials.SessionToken, ToUtc(credentials.Expiration));
    }

    /// <inheritdoc />
    public async Task<CallerIdentity> GetCallerIdentityAsync(ImmutableCredentials credentials, string region, CancellationToken cancellationToken)
    {
        var client = ClientFor(credentials, region);
        var response = await Call("GetCallerIdentity", cancellationToken, () => client.GetCallerIdentityAsync(new GetCallerIdentityRequest(), cancellationToken)).ConfigureAwait(false);
        return new CallerIdentity(response.Account ?? string.Empty, response.Arn ?? string.Empty);
    }

    private static async Task<T> Call<T>(string call, CancellationToken cancellationToken, Func<Task<T>> send)
    {
        try
        {
            return await send().ConfigureAwait(false);
        }
        catch (AmazonServiceException e) when (e.ErrorCode is not null)
        {
            throw new StsCallException(call, e.ErrorCode, e.Message, e);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // Every way an HTTP call can fail must become this call's error, never escape as another type.
        catch (Exception e)
#pragma warning restore CA1031
        {
            throw new StsCallException(call, null, Describe(e), e);
        }
    }

    // What went wrong with the exchange, in words that point at the network rather than at the parser.
    private static string Describe(Exception e) => e switch
    {
        TimeoutException or OperationCanceledException => "no answer in time.",
        System.Xml.XmlException => "the answer was empty or cut off (the connection may have been dropped).",
        _ when e.InnerException is System.Xml.XmlException => "the answer was empty or cut off (the connection may have been dropped).",
        _ => e.Message,
    };

    private static DateTimeOffset ToUtc(DateTime? expiration)
    {
        if (expiration is null)
        {
            return DateTimeOffset.UtcNow.AddHours(1);
        }

        var value = expiration.Value;
        return value.Kind == DateTimeKind.Unspecified
            ? new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc))
            : new DateTimeOffset(value.ToUniversalTime());
    }

    private AmazonSecurityTokenServiceClient ClientFor(ImmutableCredentials credentials, string region)
    {
        if (credentials is null) throw new ArgumentNullException(nameof(credentials));
        // The endpoint the environment names is part of the key: a script (or a test) may point it elsewhere.
        var key = (credentials.AccessKey, region, _settings.ServiceUrl ?? Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_STS") ?? Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL"));
        if (_clients.TryGetValue(key, out var client))
        {
            return client;
        }

        if (_clients.Count >= MaxClients)
        {
            _clients.Clear();
        }

        return _clients.GetOrAdd(key, _ => CreateClient(credentials, region));
    }

    private AmazonSecurityTokenServiceClient CreateClient(ImmutableCredentials credentials, string region)
    {
        var config = new AmazonSecurityTokenServiceConfig { RegionEndpoint = RegionEndpoint.GetBySystemName(region) };
        if (_settings.ServiceUrl is not null)
        {
            config.ServiceURL = _settings.ServiceUrl;
            config.AuthenticationRegion = region;
        }

        if (_settings.MaxAttempts is int attempts) config.MaxErrorRetry = Math.Max(0, attempts - 1);
        if (_settings.RetryMode is RequestRetryMode mode) config.RetryMode = mode;
        config.Timeout = _settings.Timeout ?? StsClientSettings.DefaultTimeout;
        if (_settings.HttpClientFactory is not null) config.HttpClientFactory = _settings.HttpClientFactory;

        AWSCredentials signer = credentials.UseToken
            ? new SessionAWSCredentials(credentials.AccessKey, credentials.SecretKey, credentials.Token)
            : new BasicAWSCredentials(credentials.AccessKey, credentials.SecretKey);
        return new AmazonSecurityTokenServiceClient(signer, config);
    }
}
