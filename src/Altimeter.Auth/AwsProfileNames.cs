using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace Altimeter.Auth;

/// <summary>
/// The profile names of the shared credentials and config files, where the environment says they
/// are now (AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE, else ~/.aws). Read from the section
/// headers: <c>[name]</c> in the credentials file, <c>[default]</c> and <c>[profile name]</c> in the
/// config file (its other sections, sso-session and services, are not profiles).
/// </summary>
public static class AwsProfileNames
{
    /// <summary>Larger files are not read: thousands of profiles are well under it.</summary>
    internal const long MaxFileBytes = 8 * 1024 * 1024;

    internal static readonly Regex SectionHeader = new(@"^\s*\[\s*([^\]]+?)\s*\]", RegexOptions.CultureInvariant);
    private static readonly Regex ConfigProfile = new(@"^profile\s+(.+)$", RegexOptions.CultureInvariant);

    /// <summary>Every profile name once, in ordinal order; none when the files do not exist.</summary>
    public static IReadOnlyList<string> List() =>
        List(
            FromEnvironmentOrHome("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
            ConfigFile);

    /// <summary>The shared config file: AWS_CONFIG_FILE, else ~/.aws/config.</summary>
    internal static string ConfigFile => FromEnvironmentOrHome("AWS_CONFIG_FILE", "config");

    internal static IReadOnlyList<string> List(string credentialsFile, string configFile) =>
        Sections(credentialsFile)
            .Concat(Sections(configFile).Select(ConfigSectionProfile).Where(name => name is not null).Select(name => name!))
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

    private static IEnumerable<string> Sections(string path)
    {
        string[] lines;
        try
        {
            // Completion must never hang or fill memory: regular files only, bounded.
            lines = BoundedFileReader.ReadText(path, MaxFileBytes).Split('\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return Array.Empty<string>();
        }

        return lines.Select(line => SectionHeader.Match(line)).Where(m => m.Success).Select(m => m.Groups[1].Value);
    }

    private static string FromEnvironmentOrHome(string variable, string fileName)
    {
        var named = Environment.GetEnvironmentVariable(variable);
        return string.IsNullOrEmpty(named)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".aws", fileName)
            : named!;
    }
}
