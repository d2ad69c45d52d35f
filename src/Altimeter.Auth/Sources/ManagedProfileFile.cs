using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Altimeter.Auth;

/// <summary>
/// An AWS config file that Export-AltimeterProfile writes profiles into. Its sections are marked by
/// a comment line right above their header (<see cref="Marker"/>); only marked sections are ever
/// replaced, and a profile of the same name without the mark is refused. Every byte outside the
/// marked sections stays as it was — comments, spacing, order, line endings, a byte order mark,
/// even bytes that are not UTF-8: the file is held as bytes (one char per byte, Latin-1) and only
/// what is written is encoded, as UTF-8. Saved whole: written owner-only (0600) under a temporary
/// name in the same directory, flushed, renamed over the file, so a reader sees the old file or
/// the new one, never half of one.
/// </summary>
internal sealed class ManagedProfileFile
{
    /// <summary>The comment line right above each section this file's writer owns.</summary>
    internal const string Marker = "# managed by Altimeter.Auth (Export-AltimeterProfile): replaced when exported again";

    // A profile name the AWS CLI reads back as one word in [profile NAME] (it shlex-splits the header).
    private static readonly Regex s_profileName = new(@"\A[A-Za-z0-9_.@+=,:/-]{1,128}\z", RegexOptions.CultureInvariant);

    private static readonly Regex s_sectionHeader = new(@"\A\s*\[\s*([^\]]+?)\s*\]", RegexOptions.CultureInvariant);

    // One char per byte, both ways: what is not edited goes back byte for byte.
    private static readonly Encoding s_bytes = Encoding.GetEncoding("iso-8859-1");

    private readonly List<string> _lines;
    private readonly string _newline;

    private ManagedProfileFile(string path, List<string> lines, string newline)
    {
        Path = path;
        _lines = lines;
        _newline = newline;
    }

    /// <summary>The full path of the file.</summary>
    internal string Path { get; }

    /// <summary>True once a profile was added, replaced or removed.</summary>
    internal bool Changed { get; private set; }

    /// <summary>True when <paramref name="name"/> can be written as a profile name the AWS CLI reads back as it is.</summary>
    internal static bool IsProfileName(string? name) => name is not null && s_profileName.IsMatch(name);

    /// <summary>The file at <paramref name="path"/>, or an empty one when there is none yet.</summary>
    /// <exception cref="ProfileExportException">A symbolic link, not a regular file, larger than the config reader reads, or unreadable (<see cref="ProfileExportException.ConfigFileUnusable"/>).</exception>
    internal static ManagedProfileFile Read(string path)
    {
        path = System.IO.Path.GetFullPath(path);
        byte[] bytes;
        try
        {
            if (!File.Exists(path) && !Directory.Exists(path) && !IsLink(path))
            {
                return new ManagedProfileFile(path, new List<string>(), Environment.NewLine);
            }

            // Replacing a link by rename would cut it (a dotfiles checkout, say); writing through it
            // would write where the link points. Neither is asked for: the real file must be named.
            if (IsLink(path))
            {
                throw Unusable(path, "is a symbolic link: pass -ConfigFile the file it points to", null);
            }

            bytes = BoundedFileReader.ReadBytes(path, AwsConfigFile.MaxFileBytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw Unusable(path, e is FileTooLargeException ? e.Message.Replace("the file", "it") : $"could not be read ({e.Message})", e);
        }

        var text = s_bytes.GetString(bytes);
        var lines = new List<string>();
        var start = 0;
        while (start < text.Length)
        {
            var end = text.IndexOf('\n', start);
            end = end < 0 ? text.Length : end + 1;
            lines.Add(text.Substring(start, end - start));
            start = end;
        }

        var firstBreak = text.IndexOf('\n');
        var newline = firstBreak > 0 && text[firstBreak - 1] == '\r' ? "\r\n" : firstBreak >= 0 ? "\n" : Environment.NewLine;
        return new ManagedProfileFile(path, lines, newline);
    }

    /// <summary>
    /// Writes the profile <paramref name="name"/> with <paramref name="settings"/> (key, one-line
    /// value), replacing the marked section of that name (and removing any second marked copy), or
    /// appending a new marked section at the end.
    /// </summary>
    /// <exception cref="ProfileExportException">
    /// <see cref="ProfileExportException.NameInvalid"/>: not a profile name; <see cref="ProfileExportException.NotManaged"/>:
    /// a section of that name is there without the mark. The file is unchanged then.
    /// </exception>
    internal void SetProfile(string name, IReadOnlyList<KeyValuePair<string, string>> settings)
    {
        if (!IsProfileName(name))
        {
            throw new ProfileExportException(ProfileExportException.NameInvalid, $"'{name}' is not a profile name the AWS CLI reads back: use 1 to 128 of A-Z a-z 0-9 and _ . @ + = , : / -.");
        }

        var sections = SectionsNamed(name).ToList();
        if (sections.Any(s => !s.Managed))
        {
            throw new ProfileExportException(ProfileExportException.NotManaged, $"The profile '{name}' in '{Path}' was not written by Export-AltimeterProfile (no '{Marker}' line right above it), so it is not replaced. Choose another -ProfileName, or remove that profile first.");
        }

        var block = Block(name, settings);
        if (sections.Count == 0)
        {
            Append(block);
            Changed = true;
            return;
        }

        // Back to front, so the earlier indexes stay right; the first copy takes the new block.
        for (var i = sections.Count - 1; i >= 0; i--)
        {
            var section = sections[i];
            var replacement = i == 0 ? block : new List<string>();
            if (!_lines.Skip(section.Start).Take(section.Count).SequenceEqual(replacement, StringComparer.Ordinal))
            {
                _lines.RemoveRange(section.Start, section.Count);
                _lines.InsertRange(section.Start, replacement);
                Changed = true;
            }
        }
    }

    /// <summary>Replaces the file with its new content: owner-only, under a temporary name in its directory, then renamed over it.</summary>
    /// <exception cref="ProfileExportException">The directory or file cannot be written (<see cref="ProfileExportException.ConfigFileUnusable"/>); the file is as it was.</exception>
    internal void Save()
    {
        var content = s_bytes.GetBytes(string.Concat(_lines));
        var directory = System.IO.Path.GetDirectoryName(Path)!;
        var temporary = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(Path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            CreateDirectory(directory);
            using (var stream = CreateOwnerOnly(temporary))
            {
                stream.Write(content, 0, content.Length);
                stream.Flush(flushToDisk: true);
            }

            Replace(temporary, Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            try
            {
                File.Delete(temporary);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
                // The write failed already; that is the error to report.
            }

            throw Unusable(Path, $"could not be written ({e.Message})", e);
        }
    }

    private List<string> Block(string name, IReadOnlyList<KeyValuePair<string, string>> settings)
    {
        var block = new List<string> { Marker + _newline, (name == "default" ? "[default]" : $"[profile {name}]") + _newline };
        block.AddRange(settings.Select(setting => s_bytes.GetString(Encoding.UTF8.GetBytes($"{setting.Key} = {setting.Value}")) + _newline));
        return block;
    }

    private void Append(List<string> block)
    {
        if (_lines.Count > 0)
        {
            var last = _lines[_lines.Count - 1];
            if (!last.EndsWith("\n", StringComparison.Ordinal))
            {
                _lines[_lines.Count - 1] = last + _newline;
            }

            // A blank line between the user's last section and ours, unless there is one.
            if (_lines[_lines.Count - 1].Trim().Length > 0)
            {
                _lines.Add(_newline);
            }
        }

        _lines.AddRange(block);
    }

    // Sections whose header names the profile ([profile NAME], or [NAME] as the credentials file and
    // older tools write it). A marked section runs from its mark over its header to the last setting
    // line before a blank line, a comment or the next header: what the user wrote after it stays.
    private IEnumerable<(int Start, int Count, bool Managed)> SectionsNamed(string name)
    {
        for (var i = 0; i < _lines.Count; i++)
        {
            var header = s_sectionHeader.Match(_lines[i]);
            if (!header.Success)
            {
                continue;
            }

            var words = header.Groups[1].Value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            var named = (words.Length == 2 && words[0] == "profile" && words[1] == name) || (words.Length == 1 && words[0] == name);
            if (!named)
            {
                continue;
            }

            var managed = i > 0 && _lines[i - 1].TrimEnd('\r', '\n') == Marker;
            var end = i + 1;
            while (managed && end < _lines.Count && IsSettingLine(_lines[end]))
            {
                end++;
            }

            yield return managed ? (i - 1, end - i + 1, true) : (i, 1, false);
        }
    }

    private static bool IsSettingLine(string line)
    {
        var text = line.Trim();
        return text.Length > 0 && text[0] != '#' && text[0] != ';' && text[0] != '[';
    }

    private static bool IsLink(string path)
    {
        try
        {
            return (File.GetAttributes(path) & FileAttributes.ReparsePoint) != 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    // ~/.aws made for the user is theirs alone, as the AWS CLI makes it, and so is every other folder
    // made on the way to a -ConfigFile (0700 each, never what the umask leaves: under umask 000 a
    // 0777 parent would let anyone put a folder of theirs, and a config file of theirs, in its
    // place); an existing one is left as it is.
    private static void CreateDirectory(string directory)
    {
        if (Directory.Exists(directory))
        {
            return;
        }

        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            UnixOwnerOnlyDirectory.MakeMissingDirectories(directory);
        }
    }

    // 0600 from its first moment (O_CREAT|O_EXCL|O_NOFOLLOW: a link planted at the name fails the
    // creation, never redirects it); on Windows an access list for the current user alone.
    private static FileStream CreateOwnerOnly(string path) =>
        RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? WindowsOwnerOnlyAcl.CreateFile(path) : UnixOwnerOnlyDirectory.CreateExclusiveAt(path);

    // rename(2) replaces the name at once, and a link at the destination is replaced, not followed.
    private static void Replace(string temporary, string path)
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            if (File.Exists(path))
            {
                File.Replace(temporary, path, destinationBackupFileName: null);
            }
            else
            {
                File.Move(temporary, path);
            }

            return;
        }

        if (UnixSystemCalls.Rename(temporary, path) != 0)
        {
            throw UnixSystemCalls.Failure("rename", UnixSystemCalls.LastError);
        }
    }

    private static ProfileExportException Unusable(string path, string reason, Exception? inner) =>
        new(ProfileExportException.ConfigFileUnusable, $"The AWS config file '{path}' {reason}.", inner);
}
