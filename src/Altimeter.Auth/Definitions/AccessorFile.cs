using System;
using System.IO;

namespace Altimeter.Auth;

/// <summary>
/// Loads an accessor from a file: an altimeter JSON accessor file, or an altimeter TOML config
/// (by its <c>.toml</c> extension) whose <c>[accessor]</c> table is read. Saves the JSON form.
/// </summary>
internal static class AccessorFile
{
    /// <summary>Larger files are refused (at most one byte past it is read): an accessor of a thousand chains is well under it.</summary>
    public const long MaxFileBytes = 8 * 1024 * 1024;

    // Only .toml files are read as TOML: the name, not the text, decides, so the text is never guessed at.
    private const string TomlHint = "The file looks like TOML (it opens with a [table] header or a key = value line): an altimeter TOML config is read as one only when its name ends in .toml.";

    /// <summary>Loads <paramref name="path"/>; every problem is an <see cref="AccessorDefinitionException"/> naming the file.</summary>
    public static Accessor Load(string path, AccessorLoadOptions? options = null)
    {
        if (path is null) throw new ArgumentNullException(nameof(path));
        string text;
        try
        {
            // Regular files only, at most the cap whatever length the file reports: /dev/zero says 0 and never ends.
            text = BoundedFileReader.ReadText(path, MaxFileBytes);
        }
        catch (FileTooLargeException)
        {
            throw new AccessorDefinitionException(AccessorDefinitionException.Invalid, $"the file is larger than the {MaxFileBytes / (1024 * 1024)} MB an accessor file may be: is it the right file?", path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new AccessorDefinitionException(AccessorDefinitionException.Unreadable, $"cannot read the accessor file: {e.Message}", path, e);
        }

        return IsToml(path)
            ? AltimeterTomlConfig.Read(text, path, options)
            : AccessorJson.Read(text, path, options, AltimeterTomlConfig.LooksLikeToml(text) ? TomlHint : null);
    }

    /// <summary>Writes the JSON form of <paramref name="accessor"/> (no cache, no secrets) to <paramref name="path"/>.</summary>
    public static void Save(Accessor accessor, string path)
    {
        File.WriteAllText(path, AccessorJson.Write(accessor) + Environment.NewLine);
    }

    private static bool IsToml(string path) =>
        string.Equals(Path.GetExtension(path), ".toml", StringComparison.OrdinalIgnoreCase);
}
