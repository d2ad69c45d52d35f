using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace Altimeter.Auth;

/// <summary>
/// The profile names of the shared credentials and config files, where the environment says they
/// are now (AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE, else ~/.aws). Read from the section
/// headers: <c>[name]</c> in the credentials file, <c>[default]</c> and <c>[profile name]</c> in the
/// config file (its other sections, sso-session and services, are not profiles).
/// </summary>
internal static class AwsProfileNames
{
    private static readonly Regex ConfigProfile = new(@"^profile\s+(.+)$", RegexOptions.CultureInvariant);

    /// <summary>Every profile name once, in ordinal order; none when the files do not exist.</summary>
    public static IReadOnlyList<string> List() => List(AwsConfigFile.CredentialsPath, AwsConfigFile.ConfigPath);

    internal static IReadOnlyList<string> List(string credentialsFile, string configFile) =>
        AwsConfigFile.Read(credentialsFile).Headers
            .Concat(AwsConfigFile.Read(configFile).Headers.Select(ConfigSectionProfile).Where(name => name is not null).Select(name => name!))
            .Distinct(StringComparer.Ordinal)
            .OrderBy(name => name, StringComparer.Ordinal)
            .ToList();

    private static string? ConfigSectionProfile(string section)
    {
        if (section == "default")
        {
            return section;
        }

        var profile = ConfigProfile.Match(section);
        return profile.Success ? profile.Groups[1].Value.Trim() : null;
    }
}
