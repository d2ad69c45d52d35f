using System;
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
            // Read while no Invoke-AltimeterCommand block elsewhere has its session's keys in the
            // environment; and read once: the SDK's environment credentials read the variables
            // again at every use, so a renewal during such a block would sign with its keys. The
            // Identity Center fallback reads AWS_PROFILE, so it runs under the same lease.
            return AwsEnvironmentLease.Read(() =>
            {
                try
                {
                    return Pinned(DefaultAWSCredentialsIdentityResolver.GetCredentials());
                }
                catch (AmazonClientException) when (DefaultIdentityCenterProfile.TryResolve(out var identityCenter))
                {
                    return identityCenter;
                }
            });
        }
        catch (AmazonClientException e)
        {
            throw new NoSourceCredentialsException(
                "No AWS credentials to start from: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, "
                + "or configure a default profile, or run where a container or instance role is available. "
                + $"The SDK's credential chain said: {e.Message}",
                e);
        }
    }

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
