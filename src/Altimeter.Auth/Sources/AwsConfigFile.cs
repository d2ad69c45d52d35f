using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace Altimeter.Auth;

/// <summary>
/// The shared config and credentials files as the AWS CLI writes them: <c>[header words]</c>
/// sections of <c>key = value</c> lines. Read bounded (regular files only, at most
/// <see cref="MaxFileBytes"/>); a file that is missing or cannot be read has no sections. The one
/// reader of these files in the engine (the SDK reads them too, for its own profiles).
/// </summary>
internal sealed class AwsConfigFile
{
    /// <summary>Larger files are not read: thousands of profiles are well under it.</summary>
    internal const long MaxFileBytes = 8 * 1024 * 1024;

    private static readonly Regex SectionHeader = new(@"^\s*\[\s*([^\]]+?)\s*\]", RegexOptions.CultureInvariant);

    private readonly List<Section> _sections;

    private AwsConfigFile(List<Section> sections)
    {
        _sections = sections;
    }

    /// <summary>The shared config file where the environment says it is now: AWS_CONFIG_FILE, else ~/.aws/config.</summary>
    internal static string ConfigPath => FromEnvironmentOrHome("AWS_CONFIG_FILE", "config");

    /// <summary>The shared credentials file: AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials.</summary>
    internal static string CredentialsPath => FromEnvironmentOrHome("AWS_SHARED_CREDENTIALS_FILE", "credentials");

    /// <summary>Each section's header as written between the brackets (trimmed), in file order.</summary>
    internal IEnumerable<string> Headers => _sections.Select(section => section.Header);

    /// <summary>The file at <paramref name="path"/>; no sections when it is missing or cannot be read.</summary>
    internal static AwsConfigFile Read(string path)
    {
        string text;
        try
        {
            // Completion and sign-in must never hang or fill memory on a hostile file.
            text = BoundedFileReader.ReadText(path, MaxFileBytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return new AwsConfigFile(new List<Section>());
        }

        return new AwsConfigFile(Parse(text));
    }

    /// <summary>Each section's header words (split once on blanks) and its settings, in file order.</summary>
    internal IEnumerable<(string[] Words, IReadOnlyList<KeyValuePair<string, string>> Settings)> Sections =>
        _sections.Where(section => section.Words.Length > 0).Select(section => (section.Words, (IReadOnlyList<KeyValuePair<string, string>>)section.Settings));

    /// <summary>
    /// The settings of the sections whose header words (split once on blanks) match, later lines
    /// winning; null when no section matches.
    /// </summary>
    internal Dictionary<string, string>? Settings(Func<string[], bool> isTheSection)
    {
        Dictionary<string, string>? settings = null;
        foreach (var section in _sections.Where(section => section.Words.Length > 0 && isTheSection(section.Words)))
        {
            settings ??= new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var setting in section.Settings)
            {
                settings[setting.Key] = setting.Value;
            }
        }

        return settings;
    }

    // Indented lines are sub-settings of the line above (the config file's nesting, e.g. under
    // s3 =): none is a setting of the section itself. Comments start with # or ;.
    private static List<Section> Parse(string text)
    {
        var sections = new List<Section>();
        Section? current = null;
        foreach (var line in text.Split('\n').Select(l => l.TrimEnd('\r')))
        {
            var header = SectionHeader.Match(line);
            if (header.Success)
            {
                current = new Section(header.Groups[1].Value);
                sections.Add(current);
                continue;
            }

            var equals = line.IndexOf('=');
            if (current is null || equals <= 0 || char.IsWhiteSpace(line[0]) || line[0] == '#' || line[0] == ';')
            {
                continue;
            }

            current.Settings.Add(new KeyValuePair<string, string>(line.Substring(0, equals).Trim(), line.Substring(equals + 1).Trim()));
        }

        return sections;
    }

    private static string FromEnvironmentOrHome(string variable, string fileName)
    {
        var named = Environment.GetEnvironmentVariable(variable);
        return string.IsNullOrEmpty(named)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".aws", fileName)
            : named!;
    }

    private sealed class Section
    {
        public Section(string header)
        {
            Header = header;
            Words = header.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries).Select(p => p.Trim()).ToArray();
        }

        public string Header { get; }

        public string[] Words { get; }

        public List<KeyValuePair<string, string>> Settings { get; } = new();
    }
}
