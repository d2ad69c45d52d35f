namespace Altimeter.Auth;

/// <summary>What one AssumeRole call asks for.</summary>
internal sealed class RoleAssumption
{
    /// <summary>Creates the request.</summary>
    public RoleAssumption(string roleArn, string roleSessionName, string? externalId, AssumeRoleOptions? options = null, string? tokenCode = null)
    {
        RoleArn = roleArn;
        RoleSessionName = roleSessionName;
        ExternalId = externalId;
        Options = options;
        TokenCode = tokenCode;
    }

    /// <summary>Duration, MFA serial, source identity, tags and session policies, when the step has them.</summary>
    public AssumeRoleOptions? Options { get; }

    /// <summary>The MFA code for <see cref="AssumeRoleOptions.MfaSerial"/>. Never printed.</summary>
    public string? TokenCode { get; }

    /// <summary>ARN of the role to assume.</summary>
    public string RoleArn { get; }

    /// <summary>RoleSessionName sent to STS.</summary>
    public string RoleSessionName { get; }

    /// <summary>ExternalId sent to STS, when the step has one.</summary>
    public string? ExternalId { get; }

    /// <inheritdoc />
    public override string ToString() => $"AssumeRole {RoleArn} as {RoleSessionName}";
}
