using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Altimeter.Auth;

/// <summary>
/// Owner-only copies of the user's shared config file, shared credentials file and boto config, with
/// every credential key taken out (<see cref="CredentialFreeConfig"/>), for the children a session is
/// handed to. The SDKs and CLIs read these files before the container endpoint (a [default] profile
/// with keys, credential_process, sso_* or role_arn would answer as the user's own identity), so
/// children are pointed at the copies instead: they keep the region, retry, endpoint, s3 and services
/// settings and find no credentials but the session's. The user's files are only read, never written.
/// </summary>
/// <remarks>
/// The copies live in one owner-only directory per user (<c>$TMPDIR/altimeter-&lt;uid&gt;</c>, 0700,
/// checked to be the user's own and not a link; another user's directory of that name is passed over
/// for a new one with an unguessable name) under names no one can guess, and are removed by
/// <see cref="Dispose"/>. The directory itself stays: a child still running after its block ends
/// finds its files gone, and no one else can put others in their place.
/// </remarks>
internal sealed class ChildProfileFiles : IDisposable
{
    /// <summary>The variable each SDK reads the file's place from, where it is when the variable is unset, and the copy's name.</summary>
    private static readonly (string Variable, string HomeRelative, string Name)[] s_files =
    {
        ("AWS_CONFIG_FILE", ".aws/config", "config"),
        ("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials", "credentials"),
        // botocore's BotoProvider (after the profiles, before the container) reads BOTO_CONFIG, else
        // /etc/boto.cfg and ~/.boto; pointing BOTO_CONFIG at a copy hides both.
        ("BOTO_CONFIG", ".boto", "boto"),
    };

    // The directory used in place of each preferred one that someone else had taken.
    private static readonly Dictionary<string, string> s_replacements = new(StringComparer.Ordinal);

    private readonly IOwnerOnlyDirectory _directory;
    private readonly Dictionary<string, string?> _variables = new(StringComparer.Ordinal);
    private readonly List<string> _names = new();
    private int _disposed;

    private ChildProfileFiles(IOwnerOnlyDirectory directory)
    {
        _directory = directory;
    }

    /// <summary>The variables that point a child at the copies.</summary>
    public IReadOnlyDictionary<string, string?> Variables => _variables;

    /// <summary>The directory holding the copies.</summary>
    internal string DirectoryPath => _directory.Path;

    /// <summary>Where the user's files are now, from the environment (AWS_CONFIG_FILE, ...) or the home directory; read it under <see cref="AwsEnvironmentLease.Read{T}"/> outside a lease.</summary>
    public static IReadOnlyList<string> SourcePaths()
    {
        var paths = new List<string>(s_files.Length);
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        foreach (var file in s_files)
        {
            var named = Environment.GetEnvironmentVariable(file.Variable);
            paths.Add(string.IsNullOrEmpty(named) ? Path.Combine(home, file.HomeRelative) : ExpandHome(named!, home));
        }

        return paths;
    }

    /// <summary>Writes the copies of the files at <paramref name="sources"/> (as <see cref="SourcePaths"/> gives them).</summary>
    /// <exception cref="ChildProfilesException">The owner-only directory or a copy could not be written.</exception>
    public static ChildProfileFiles Create(IReadOnlyList<string> sources) => Create(sources, PreferredDirectory());

    /// <summary>As <see cref="Create(IReadOnlyList{string})"/>, in <paramref name="preferredDirectory"/> or, when that is someone else's or a link, in a new one beside it.</summary>
    internal static ChildProfileFiles Create(IReadOnlyList<string> sources, string preferredDirectory)
    {
        if (sources is null || sources.Count != s_files.Length) throw new ArgumentException("one path per file", nameof(sources));
        IOwnerOnlyDirectory directory;
        try
        {
            directory = OpenDirectory(preferredDirectory);
        }
        catch (SharedCacheException e)
        {
            throw new ChildProfilesException("The copies of the AWS config files for the block's children could not be written: " + e.Message, e);
        }

        var files = new ChildProfileFiles(directory);
        try
        {
            var stem = RandomName();
            for (var i = 0; i < s_files.Length; i++)
            {
                var name = stem + "-" + s_files[i].Name;
                files._names.Add(name);
                directory.WriteAtomically(name, new UTF8Encoding(false).GetBytes(CredentialFreeConfig.Filter(ReadOrEmpty(sources[i]))));
                files._variables[s_files[i].Variable] = Path.Combine(directory.Path, name);
            }

            return files;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            files.Dispose();
            throw new ChildProfilesException($"The copies of the AWS config files for the block's children could not be written in '{directory.Path}': {e.Message}", e);
        }
        catch
        {
            files.Dispose();
            throw;
        }
    }

    /// <summary>Removes the copies. Calling it again does nothing.</summary>
    public void Dispose()
    {
        if (System.Threading.Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (var name in _names)
        {
            _directory.Delete(name);
        }

        _directory.Dispose();
    }

    // A file that cannot be read (missing, a FIFO, too large, not ours to read) gives an empty copy:
    // the child loses its settings, never gains credentials.
    private static string ReadOrEmpty(string path)
    {
        try
        {
            return BoundedFileReader.ReadText(path, AwsConfigFile.MaxFileBytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return string.Empty;
        }
    }

    // botocore expands ~ in these variables (os.path.expanduser); the .NET SDK does not, but a path
    // it cannot open has no profiles either.
    private static string ExpandHome(string path, string home) =>
        path == "~" ? home
        : path.StartsWith("~/", StringComparison.Ordinal) || path.StartsWith("~\\", StringComparison.Ordinal) ? Path.Combine(home, path.Substring(2))
        : path;

    // The temporary folder is the user's own on Windows; on Unix it is shared, so the directory is
    // named for the user and checked (see OpenDirectory).
    private static string PreferredDirectory() =>
        RuntimeInformation.IsOSPlatform(OSPlatform.Windows)
            ? Path.Combine(Path.GetTempPath(), "altimeter-child-profiles")
            : Path.Combine(Path.GetTempPath(), "altimeter-" + UnixSystemCalls.EffectiveUserId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static IOwnerOnlyDirectory OpenDirectory(string preferred)
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            return new WindowsOwnerOnlyDirectory(preferred);
        }

        lock (s_replacements)
        {
            if (s_replacements.TryGetValue(preferred, out var replacement))
            {
                return UnixOwnerOnlyDirectory.OpenOrCreate(replacement);
            }

            try
            {
                return UnixOwnerOnlyDirectory.OpenOrCreate(preferred);
            }
            catch (SharedCacheException e) when (e.ErrorId == SharedCacheException.Untrusted)
            {
                // Another user made it first, or planted a link (to deny us, or as a trap): one of
                // our own beside it, under a name no one can guess, kept for the process's life.
                var fresh = preferred + "-" + RandomName();
                var directory = UnixOwnerOnlyDirectory.OpenOrCreate(fresh);
                s_replacements[preferred] = fresh;
                return directory;
            }
        }
    }

    private static string RandomName()
    {
        var bytes = new byte[16];
        using (var random = RandomNumberGenerator.Create())
        {
            random.GetBytes(bytes);
        }

        var text = new StringBuilder(bytes.Length * 2);
        foreach (var b in bytes)
        {
            text.Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }
}
