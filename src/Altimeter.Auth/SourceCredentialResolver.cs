using System;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;

namespace Altimeter.Auth;

/// <summary>
/// Finds the credentials a chain starts from: a named profile, or the SDK's default chain
/// (environment variables, AWS_PROFILE or the default profile, container and instance roles).
/// Fails with <see cref="NoSourceCredentialsException"/> when there are none, before STS is called.
/// </summary>
public static class SourceCredentialResolver
{
    /// <summary>The credentials of <paramref name="profileName"/>, or of the SDK's default chain when it is null.</summary>
    public static AWSCredentials Resolve(string? profileName = null)
    {
        if (!string.IsNullOrEmpty(profileName))
        {
            if (SharedProfileStore.Open().TryGetAWSCredentials(profileName, out var profileCredentials))
            {
                return profileCredentials;
            }

            throw new NoSourceCredentialsException(
                $"The AWS profile '{profileName}' was not found, or has no credentials, in the shared config and credentials files (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, ~/.aws).");
        }

        try
        {
            return DefaultAWSCredentialsIdentityResolver.GetCredentials();
        }
        catch (AmazonClientException e)
        {
            if (DefaultIdentityCenterProfile.TryResolve(out var identityCenter))
            {
                return identityCenter;
            }

            throw new NoSourceCredentialsException(
                "No AWS credentials to start from: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, "
                + "or configure a default profile, or run where a container or instance role is available. "
                + $"The SDK's credential chain said: {e.Message}",
                e);
        }
    }
}
