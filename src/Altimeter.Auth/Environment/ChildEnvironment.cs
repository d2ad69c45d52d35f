using System;
using System.Collections.Generic;

namespace Altimeter.Auth;

/// <summary>
/// What a child process that a session is handed to sees besides the session: no other source of
/// credentials. Used by every place that hands a session to children (Invoke-AltimeterCommand in both
/// modes, a credential server's variables), so that a child runs as its session or finds no
/// credentials at all.
/// </summary>
/// <remarks>
/// The chains this follows (each SDK stops at the first source that answers): botocore 1.43
/// create_credential_resolver (the AWS CLI v1 and v2, boto3): environment keys, assume-role profile,
/// web identity (environment or profile), SSO, shared credentials file, `aws login`,
/// credential_process, config file, AWS_CREDENTIAL_FILE, boto config, container, instance; the .NET
/// SDK 4 DefaultAWSCredentialsIdentityResolver: environment keys (AWS_ACCESS_KEY/AWS_SECRET_KEY too),
/// web identity, the profile of AWS_PROFILE or default, container, instance; the Java SDK 2
/// DefaultCredentialsProvider and the JS SDK 3 defaultProvider in the same spirit. A tool that names a
/// profile itself (--profile, profile = in Terraform) skips the environment keys: the profile copies
/// (<see cref="ChildProfileFiles"/>) leave it nothing to sign with, and with instance metadata off an
/// EC2 instance's role cannot answer in its place either.
/// </remarks>
internal static class ChildEnvironment
{
    private static readonly string[] s_removed =
    {
        // A profile chosen by name, and an expiration that would describe other keys.
        "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CREDENTIAL_EXPIRATION",
        // Legacy names of keys and tokens (botocore reads AWS_SECURITY_TOKEN before AWS_SESSION_TOKEN;
        // the .NET SDK AWS_ACCESS_KEY and AWS_SECRET_KEY), and an account id of other keys.
        "AWS_SECURITY_TOKEN", "AWS_ACCESS_KEY", "AWS_SECRET_KEY", "AWS_ACCOUNT_ID",
        // Web identity, before the container in every chain.
        "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME",
        // Another container endpoint (ECS, EKS); -Refreshing sets its own.
        "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
        // botocore's OriginalEC2Provider: the EC2 tools' key file.
        "AWS_CREDENTIAL_FILE",
    };

    /// <summary>The variables no child sees, whatever else it is given.</summary>
    internal static IReadOnlyList<string> Removed => s_removed;

    /// <summary>
    /// A child's variables: <see cref="Removed"/> removed, instance metadata off, the profile copies
    /// of <paramref name="profiles"/>, then <paramref name="own"/> (the session's keys or endpoint) over them.
    /// </summary>
    public static Dictionary<string, string?> Compose(ChildProfileFiles profiles, IReadOnlyDictionary<string, string?> own)
    {
        if (profiles is null) throw new ArgumentNullException(nameof(profiles));
        if (own is null) throw new ArgumentNullException(nameof(own));
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var name in s_removed)
        {
            variables[name] = null;
        }

        variables["AWS_EC2_METADATA_DISABLED"] = "true";
        foreach (var variable in profiles.Variables)
        {
            variables[variable.Key] = variable.Value;
        }

        foreach (var variable in own)
        {
            variables[variable.Key] = variable.Value;
        }

        return variables;
    }
}
