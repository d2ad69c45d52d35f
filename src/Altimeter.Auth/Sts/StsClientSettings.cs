using System;
using Amazon.Runtime;

namespace Altimeter.Auth;

/// <summary>
/// How the SDK's STS client is set up. Unset values keep the SDK's own defaults and environment
/// (AWS_ENDPOINT_URL_STS, AWS_RETRY_MODE, AWS_MAX_ATTEMPTS), except the request timeout, which is
/// <see cref="DefaultTimeout"/> rather than the HTTP client's 100 seconds.
/// </summary>
internal sealed class StsClientSettings
{
    /// <summary>Time allowed for one HTTP request when <see cref="Timeout"/> is not set.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>STS endpoint to use instead of the regional one, e.g. a local test server.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>Attempts per request, the first included (throttling, 5xx and dropped connections are retried).</summary>
    public int? MaxAttempts { get; set; }

    /// <summary>The SDK's retry mode: Standard or Adaptive (client-side rate limiting on throttling).</summary>
    public RequestRetryMode? RetryMode { get; set; }

    /// <summary>Time allowed for one HTTP request.</summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary>Makes the SDK's HTTP clients; null: the SDK's own. For tests that see the requests the SDK would send.</summary>
    internal HttpClientFactory? HttpClientFactory { get; set; }

    /// <summary>A key that tells settings apart, for reusing one service per combination.</summary>
    internal (string?, int?, RequestRetryMode?, TimeSpan?) Identity => (ServiceUrl, MaxAttempts, RetryMode, Timeout);
}
