using System;

namespace Altimeter.Auth;

/// <summary>
/// The AWS partition a region belongs to. Role ARNs carry it: the original altimeter always
/// wrote <c>arn:aws:</c>, which names no role at all in China or GovCloud.
/// </summary>
internal static class AwsPartition
{
    /// <summary>The partition of <paramref name="region"/>: aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f or aws-eusc.</summary>
    public static string ForRegion(string? region)
    {
        if (string.IsNullOrEmpty(region))
        {
            return "aws";
        }

        var r = region!.ToLowerInvariant();
        if (r.StartsWith("cn-", StringComparison.Ordinal)) return "aws-cn";
        if (r.StartsWith("us-gov-", StringComparison.Ordinal)) return "aws-us-gov";
        if (r.StartsWith("us-isob-", StringComparison.Ordinal)) return "aws-iso-b";
        if (r.StartsWith("us-iso-", StringComparison.Ordinal)) return "aws-iso";
        if (r.StartsWith("eu-isoe-", StringComparison.Ordinal)) return "aws-iso-e";
        if (r.StartsWith("us-isof-", StringComparison.Ordinal)) return "aws-iso-f";
        if (r.StartsWith("eusc-", StringComparison.Ordinal)) return "aws-eusc";
        return "aws";
    }

    /// <summary>The partitions a chain may name.</summary>
    public static readonly string[] Known = { "aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc" };

    /// <summary>True for one of <see cref="Known"/>.</summary>
    public static bool IsKnown(string partition) => Array.IndexOf(Known, partition) >= 0;

    /// <summary>The ARN of role <paramref name="roleName"/> in <paramref name="accountId"/>.</summary>
    public static string RoleArn(string partition, string accountId, string roleName) =>
        $"arn:{partition}:iam::{accountId}:role/{roleName}";
}
