using System;
using Amazon;
using Amazon.Runtime;

namespace Altimeter.Auth;

/// <summary>
/// The profile the SDK's default chain reads (AWS_PROFILE, else <c>default</c>) when it is an IAM
/// Identity Center profile. The default chain passes over such a profile when its token file is
/// missing and ends with "no credentials", which sends people to the wrong fix; taken from here,
/// the profile is the source, and reading it says to sign in (<see cref="SsoSignInRequiredException"/>).
/// </summary>
internal static class DefaultIdentityCenterProfile
{
    /// <summary>The name of the profile the default chain reads, chosen as the SDK chooses it.</summary>
    public static string Name =>
        !string.IsNullOrWhiteSpace(AWSConfigs.AWSProfileName) ? AWSConfigs.AWSProfileName
        : Environment.GetEnvironmentVariable("AWS_PROFILE") is { } fromEnvironment && !string.IsNullOrWhiteSpace(fromEnvironment) ? fromEnvironment
        : "default";

    /// <summary>The Identity Center credentials of that profile; false when it is not an Identity Center profile.</summary>
    public static bool TryResolve(out AWSCredentials credentials)
    {
        if (SharedProfileStore.Open().TryGetAWSCredentials(Name, out var sso) && sso is SSOAWSCredentials)
        {
            credentials = sso;
            return true;
        }

        credentials = null!;
        return false;
    }
}
