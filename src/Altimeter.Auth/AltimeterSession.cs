using System;
using Amazon.Runtime;

namespace Altimeter.Auth;

/// <summary>
/// Credentials for one account, in one region, and how they were obtained. It is an
/// <see cref="AWSCredentials"/>, so it goes wherever the AWS SDK and AWS Tools for PowerShell
/// take credentials. Its text form shows account, chain, role and expiry, never the secrets.
/// </summary>
public sealed class AltimeterSession : AWSCredentials
{
    private readonly ImmutableCredentials _credentials;

    /// <summary>Creates the session; <paramref name="expiration"/> is null for the source credentials of local mode.</summary>
    public AltimeterSession(string accountId, string region, ImmutableCredentials credentials, DateTimeOffset? expiration, string chain, string? roleArn)
    {
        AccountId = accountId;
        Region = region;
        _credentials = credentials ?? throw new ArgumentNullException(nameof(credentials));
        // BaseIdentity.Expiration is where the SDK looks for it; keep it in UTC.
        Expiration = expiration?.UtcDateTime;
        Chain = chain;
        RoleArn = roleArn;
    }

    /// <summary>The account these credentials are for.</summary>
    public string AccountId { get; }

    /// <summary>The region of the session.</summary>
    public string Region { get; }

    /// <summary>The chain that produced them (<c>accessor:name:steps</c>), or <c>local</c>.</summary>
    public string Chain { get; }

    /// <summary>ARN of the role of the last hop; null in local mode.</summary>
    public string? RoleArn { get; }

    /// <summary>The access key id masked to its last four characters.</summary>
    public string AccessKeyId => SecretText.MaskAccessKeyId(_credentials.AccessKey);

    /// <summary>The keys, for those who need them.</summary>
    public override ImmutableCredentials GetCredentials() => _credentials.Copy();

    /// <inheritdoc />
    public override string ToString()
    {
        var expires = Expiration is DateTime e ? $" expires {e:yyyy-MM-ddTHH:mm:ssZ}" : string.Empty;
        return $"{AccountId} {Region} via {Chain}{(RoleArn is null ? string.Empty : " as " + RoleArn)}{expires} key {AccessKeyId}";
    }
}
