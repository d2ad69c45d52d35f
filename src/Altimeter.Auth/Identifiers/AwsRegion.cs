using System;

namespace Altimeter.Auth;

/// <summary>
/// The region of a session when none is given: the shell default AWS Tools holds, AWS_REGION,
/// AWS_DEFAULT_REGION, the region of the profile (AWS_PROFILE or default), then us-east-1. Instance metadata is not asked: a
/// lookup that leaves the machine does not belong in picking a default.
/// </summary>
internal static class AwsRegion
{
    private static readonly System.Text.RegularExpressions.Regex s_shape =
        new(@"\A[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}\z", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>
    /// True when <paramref name="region"/> has the shape of an AWS region name (us-east-1,
    /// us-gov-west-1, cn-north-1, …). Regions newer than the SDK pass; typos like "us-east" do not.
    /// </summary>
    public static bool IsWellFormed(string? region) => region is not null && s_shape.IsMatch(region);

    /// <summary>
    /// A warning when <paramref name="region"/> is well formed but not a region the AWS SDK knows in
    /// its partition (a typo like eu-westt-1, or a region newer than the SDK); null when it knows it.
    /// </summary>
    public static string? UnknownRegionWarning(string region, string source)
    {
        foreach (var known in Amazon.RegionEndpoint.EnumerableAllRegions)
        {
            if (string.Equals(known.SystemName, region, StringComparison.Ordinal))
            {
                return null;
            }
        }

        return $"Region '{region}' (from {source}) is not a region of partition {AwsPartition.ForRegion(region)} that this module's AWS SDK knows: if it is a typo, every STS call will fail to connect. A region newer than the SDK works as it is.";
    }

    /// <summary>The region used when nothing names one.</summary>
    public const string Fallback = "us-east-1";

    /// <summary>The region to use: <paramref name="region"/>, else <paramref name="shellDefault"/> (AWS Tools' Set-DefaultAWSRegion), else the environment and profile.</summary>
    /// <exception cref="InvalidRegionException">The value found is not a region name; the message says where it came from.</exception>
    public static string Resolve(string? region = null, string? profileName = null, string? shellDefault = null) =>
        ResolveDescribed(region, profileName, shellDefault).Region;

    /// <summary>As <see cref="Resolve"/>, with where the region came from (<c>AWS_REGION</c>, <c>the region of profile 'x'</c>, …).</summary>
    public static (string Region, string Source) ResolveDescribed(string? region = null, string? profileName = null, string? shellDefault = null)
    {
        if (!string.IsNullOrWhiteSpace(region)) return (WellFormed(region!, GivenSource), GivenSource);
        if (!string.IsNullOrWhiteSpace(shellDefault)) return (WellFormed(shellDefault!, ShellSource), ShellSource);
        return FromEnvironmentOrProfile(profileName);
    }

    private const string GivenSource = "the region given";
    private const string ShellSource = "the shell's default region, Set-DefaultAWSRegion";

    // Apart, so that a region given allocates nothing (the lambda's captures would be made on entry).
    private static (string Region, string Source) FromEnvironmentOrProfile(string? profileName)
    {
        // Another flow's Invoke-AltimeterCommand block puts its session's region there for a while.
        var (variable, fromEnvironment, profile) = AwsEnvironmentLease.Read(() =>
        {
            var (name, value) = FirstSet("AWS_REGION", "AWS_DEFAULT_REGION");
            return (name, value, profileName ?? Environment.GetEnvironmentVariable("AWS_PROFILE") ?? "default");
        });
        if (fromEnvironment is not null) return (WellFormed(fromEnvironment, variable!), variable!);

        if (SharedProfileStore.Open().TryGetProfile(profile, out var found) && found.Region is not null)
        {
            var source = $"the region of profile '{profile}'";
            return (WellFormed(found.Region.SystemName, source), source);
        }

        return (Fallback, $"no -Region, AWS_REGION, AWS_DEFAULT_REGION or profile region: the default, {Fallback}");
    }

    private static string WellFormed(string region, string source) =>
        IsWellFormed(region) ? region : throw new InvalidRegionException(region, source);

    private static (string? Name, string? Value) FirstSet(params string[] variables)
    {
        foreach (var name in variables)
        {
            var value = Environment.GetEnvironmentVariable(name);
            if (!string.IsNullOrWhiteSpace(value)) return (name, value);
        }

        return (null, null);
    }
}
