using System;
using System.Collections.Generic;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;

namespace Altimeter.Auth;

/// <summary>
/// Finds the credentials a chain starts from: a named profile, or the SDK's default chain
/// (environment variables, AWS_PROFILE or the default profile, container and instance roles).
/// Fails with <see cref="NoSourceCredentialsException"/> when there are none, before STS is called.
/// Keys found in the environment are taken as they are at that moment, outside any
/// <see cref="AwsEnvironmentLease"/> of another flow.
/// </summary>
internal static class SourceCredentialResolver
{
    /// <summary>The credentials of <paramref name="profileName"/>, or of the SDK's default chain when it is null.</summary>
    public static AWSCredentials Resolve(string? profileName = null) => ResolveDescribed(profileName).Credentials;

    /// <summary>
    /// As <see cref="Resolve"/>, with where the credentials came from in words a user knows
    /// (<c>AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment</c>, <c>profile 'x'</c>, …).
    /// </summary>
    public static (AWSCredentials Credentials, string Source) ResolveDescribed(string? profileName = null)
    {
        if (!string.IsNullOrEmpty(profileName))
        {
            if (SharedProfileStore.Open().TryGetAWSCredentials(profileName, out var profileCredentials))
            {
                return (profileCredentials, $"profile '{profileName}'");
            }

            throw new NoSourceCredentialsException(
                $"The AWS profile '{profileName}' was not found, or has no credentials, in the shared config and credentials files (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, ~/.aws).");
        }

        // Read while no Invoke-AltimeterCommand block elsewhere has its session's keys in the
        // environment; and read once: the SDK's environment credentials read the variables
        // again at every use, so a renewal during such a block would sign with its keys. The
        // Identity Center fallback reads AWS_PROFILE, so it runs under the same lease.
        return AwsEnvironmentLease.Read(() =>
        {
            try
            {
                var found = DefaultAWSCredentialsIdentityResolver.GetCredentials();
                return (Pinned(found), SourceOf(found));
            }
            catch (AmazonClientException) when (DefaultIdentityCenterProfile.TryResolve(out var identityCenter))
            {
                return (identityCenter, $"the Identity Center profile '{DefaultIdentityCenterProfile.Name}'");
            }
            catch (AmazonClientException e)
            {
                // The SDK's own text lists every provider's complaint, some about settings nobody
                // made (webIdentityTokenFile); said here is where was looked, as the user knows it.
                throw new NoSourceCredentialsException(NothingFound(), e);
            }
        });
    }

    // Where the SDK's default chain found credentials, by the kind it returned.
    private static string SourceOf(AWSCredentials found)
    {
        var kind = found.GetType().Name;
        return kind switch
        {
            "EnvironmentVariablesAWSCredentials" => "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment",
            "AssumeRoleWithWebIdentityCredentials" => "the web identity token of AWS_WEB_IDENTITY_TOKEN_FILE (AWS_ROLE_ARN)",
            _ when kind.Contains("Container") || kind.StartsWith("ECS", StringComparison.Ordinal) => "the container credentials endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI)",
            _ when kind.Contains("InstanceProfile") => "the EC2 instance's role (instance metadata)",
            _ => ProfileInWords(),
        };
    }

    private static string ProfileInWords()
    {
        var fromEnvironment = !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("AWS_PROFILE"));
        return $"profile '{DefaultIdentityCenterProfile.Name}'{(fromEnvironment ? " (AWS_PROFILE)" : string.Empty)}";
    }

    // The places the default chain looks, each with why it gave nothing, as far as that can be told without asking again.
    private static string NothingFound()
    {
        var places = new List<string>
        {
            (Set("AWS_ACCESS_KEY_ID"), Set("AWS_SECRET_ACCESS_KEY")) switch
            {
                (true, true) => "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment (set, but not usable)",
                (false, false) => "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment (not set)",
                (true, false) => "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment (only AWS_ACCESS_KEY_ID is set)",
                (false, true) => "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment (only AWS_SECRET_ACCESS_KEY is set)",
            },
        };
        if (Set("AWS_WEB_IDENTITY_TOKEN_FILE"))
        {
            places.Add("the web identity token of AWS_WEB_IDENTITY_TOKEN_FILE (set, but the token or AWS_ROLE_ARN could not be used)");
        }

        places.Add($"{ProfileInWords()} in the shared config and credentials files (not there, or without credentials)");
        places.Add(Set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") || Set("AWS_CONTAINER_CREDENTIALS_FULL_URI")
            ? "the container credentials endpoint (set, but it gave nothing)"
            : "a container credentials endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI not set)");
        places.Add(string.Equals(Environment.GetEnvironmentVariable("AWS_EC2_METADATA_DISABLED"), "true", StringComparison.OrdinalIgnoreCase)
            ? "an EC2 instance role (AWS_EC2_METADATA_DISABLED is true)"
            : "an EC2 instance role (the instance metadata service gave none)");
        return "No AWS credentials to start from. Looked for: " + string.Join("; ", places) + ". "
            + "Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or configure a default profile.";
    }

    private static bool Set(string variable) => !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(variable));

    private static AWSCredentials Pinned(AWSCredentials found)
    {
        if (found is not EnvironmentVariablesAWSCredentials)
        {
            return found;
        }

        var keys = found.GetCredentials();
        return keys.UseToken
            ? new SessionAWSCredentials(keys.AccessKey, keys.SecretKey, keys.Token)
            : new BasicAWSCredentials(keys.AccessKey, keys.SecretKey);
    }
}
