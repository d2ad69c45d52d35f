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

    /// <summary>
    /// The profiles of the config file that sign in to IAM Identity Center (a non-empty
    /// <c>sso_session</c> or <c>sso_start_url</c>, later lines winning as when signing in), in ordinal
    /// order: the ones Invoke-AltimeterSsoLogin accepts.
    /// </summary>
    public static IReadOnlyList<string> IdentityCenterProfiles() => IdentityCenterProfiles(AwsConfigFile.ConfigPath);

    internal static IReadOnlyList<string> IdentityCenterProfiles(string configFile)
    {
        var signsIn = new Dictionary<string, (string? Session, string? StartUrl)>(StringComparer.Ordinal);
        foreach (var (words, settings) in AwsConfigFile.Read(configFile).Sections)
        {
            var name = words.Length == 2 && words[0] == "profile" ? words[1] : words.Length == 1 && words[0] == "default" ? "default" : null;
            if (name is null) continue;
            signsIn.TryGetValue(name, out var found);
            foreach (var setting in settings)
            {
                if (setting.Key == "sso_session") found.Session = setting.Value;
                else if (setting.Key == "sso_start_url") found.StartUrl = setting.Value;
            }

            signsIn[name] = found;
        }

        return signsIn.Where(profile => !string.IsNullOrEmpty(profile.Value.Session) || !string.IsNullOrEmpty(profile.Value.StartUrl))
            .Select(profile => profile.Key)
            .OrderBy(name => name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The names of the config file's <c>[sso-session NAME]</c> sections, once each, in ordinal order.</summary>
    public static IReadOnlyList<string> SsoSessions() => SsoSessions(AwsConfigFile.ConfigPath);

    internal static IReadOnlyList<string> SsoSessions(string configFile) =>
        AwsConfigFile.Read(configFile).Sections
            .Where(section => section.Words.Length == 2 && section.Words[0] == "sso-session")
            .Select(section => section.Words[1])
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
