using System;

namespace Altimeter.Auth;

/// <summary>How the SDK's STS client is set up. Unset values keep the SDK's own defaults and environment (AWS_ENDPOINT_URL_STS, AWS_RETRY_MODE, AWS_MAX_ATTEMPTS).</summary>
public sealed class StsClientSettings
{
    /// <summary>STS endpoint to use instead of the regional one, e.g. a local test server.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>Retries of a failed request (throttling, 5xx, dropped connection) by the SDK's retry mode.</summary>
    public int? MaxErrorRetry { get; set; }

    /// <summary>Time allowed for one HTTP request.</summary>
    public TimeSpan? Timeout { get; set; }
}
