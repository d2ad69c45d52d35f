using System.Management.Automation;
using Amazon.Runtime;

namespace Altimeter.Auth.Commands;

/// <summary>
/// What AWS Tools for PowerShell holds for the shell: <c>$StoredAWSCredentials</c> after
/// Set-AWSCredential (an AWSPSCredentials wrapper whose Credentials property is the
/// AWSCredentials, or a profile name) and <c>$StoredAWSRegion</c> after Set-DefaultAWSRegion.
/// </summary>
internal static class AwsToolsShell
{
    private const string CredentialsVariable = "StoredAWSCredentials";
    private const string RegionVariable = "StoredAWSRegion";

    /// <summary>The shell's credentials, or null; <paramref name="profileName"/> gets a profile name when that is what was stored.</summary>
    public static AWSCredentials? StoredCredentials(SessionState sessionState, out string? profileName)
    {
        profileName = null;
        var stored = sessionState.PSVariable.GetValue(CredentialsVariable);
        switch (Unwrap(stored))
        {
            case null:
                return null;
            case AWSCredentials credentials:
                return credentials;
            case string name when name.Length > 0:
                profileName = name;
                return null;
            default:
                // The wrapper's properties live on the PSObject (a [pscustomobject] has no others).
                return Unwrap(PSObject.AsPSObject(stored).Properties["Credentials"]?.Value) as AWSCredentials;
        }
    }

    /// <summary>The shell's default region, or null.</summary>
    public static string? StoredRegion(SessionState sessionState)
    {
        var stored = sessionState.PSVariable.GetValue(RegionVariable);
        var value = Unwrap(stored);
        var region = value as string ?? Unwrap(stored is null ? null : PSObject.AsPSObject(stored).Properties["Region"]?.Value) as string ?? value?.ToString();
        return string.IsNullOrWhiteSpace(region) ? null : region;
    }

    private static object? Unwrap(object? value) => value is PSObject wrapped ? wrapped.BaseObject : value;
}
