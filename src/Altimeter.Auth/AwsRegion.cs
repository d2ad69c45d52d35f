using System;

namespace Altimeter.Auth;

/// <summary>
/// The region of a session when none is given: AWS_REGION, AWS_DEFAULT_REGION, the region of
/// the profile (AWS_PROFILE or default), then us-east-1. Instance metadata is not asked: a
/// lookup that leaves the machine does not belong in picking a default.
/// </summary>
public static class AwsRegion
{
    /// <summary>The region used when nothing names one.</summary>
    public const string Fallback = "us-east-1";

    /// <summary>The region to use.</summary>
    public static string Resolve(string? region = null, string? profileName = null)
    {
        if (!string.IsNullOrWhiteSpace(region)) return region!;
        var fromEnvironment = Environment.GetEnvironmentVariable("AWS_REGION");
        if (!string.IsNullOrWhiteSpace(fromEnvironment)) return fromEnvironment!;
        fromEnvironment = Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION");
        if (!string.IsNullOrWhiteSpace(fromEnvironment)) return fromEnvironment!;

        var profile = profileName ?? Environment.GetEnvironmentVariable("AWS_PROFILE") ?? "default";
        if (SharedProfileStore.Open().TryGetProfile(profile, out var found) && found.Region is not null)
        {
            return found.Region.SystemName;
        }

        return Fallback;
    }
}
