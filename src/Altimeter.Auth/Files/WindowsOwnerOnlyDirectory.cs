using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Altimeter.Auth;

/// <summary>
/// An owner-only directory on Windows: the access lists of <see cref="WindowsOwnerOnlyAcl"/> on
/// the directory and on each file from its creation. A directory or file that is a reparse point
/// (symbolic link, junction) is not used; a file is read only if it opens as a seekable file, and at
/// most a bound. Unlike the Unix directory it is not held open: Windows' APIs here take paths.
/// </summary>
internal sealed class WindowsOwnerOnlyDirectory : IOwnerOnlyDirectory
{
    /// <summary>Creates the directory when missing and gives it the owner-only access list.</summary>
    /// <exception cref="SharedCacheException">A reparse point or not a directory (<see cref="SharedCacheException.Untrusted"/>), or it cannot be set up.</exception>
    public WindowsOwnerOnlyDirectory(string path)
    {
        Path = path;
        try
        {
            if (File.Exists(path))
            {
                throw Untrusted("is not a directory");
            }

            if (Directory.Exists(path) && (File.GetAttributes(path) & FileAttributes.ReparsePoint) != 0)
            {
                throw Untrusted("is a symbolic link or junction");
            }

            Directory.CreateDirectory(path);
            WindowsOwnerOnlyAcl.ApplyToDirectory(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SharedCacheException(SharedCacheException.Unavailable, path, $"could not be created or made owner-only: {e.Message}", e);
        }

        SharedCacheException Untrusted(string what) =>
            new(SharedCacheException.Untrusted, path, $"{what}, so it is not used. Point ALTIMETER_CREDENTIAL_CACHE or -SharedCachePath at a directory of your own.");
    }

    /// <inheritdoc />
    public string Path { get; }

    /// <inheritdoc />
    public byte[]? TryRead(string name, long maxBytes, out string? problem)
    {
        problem = null;
        var path = System.IO.Path.Combine(Path, name);
        try
        {
            var attributes = File.GetAttributes(path);
            if ((attributes & (FileAttributes.ReparsePoint | FileAttributes.Directory)) != 0)
            {
                problem = "is a link or a directory, not a regular file";
                return null;
            }

            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
            if (!stream.CanSeek)
            {
                problem = "is not a regular file";
                return null;
            }

            return BoundedFileReader.ReadAtMost(stream, maxBytes);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (FileTooLargeException)
        {
            problem = $"is larger than an entry may be ({maxBytes} bytes)";
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = $"could not be read ({e.Message})";
            return null;
        }
    }

    /// <inheritdoc />
    public void WriteAtomically(string name, byte[] content)
    {
        if (content is null) throw new ArgumentNullException(nameof(content));
        var path = System.IO.Path.Combine(Path, name);
        var temporary = System.IO.Path.Combine(Path, $".{Guid.NewGuid():N}.tmp");
        try
        {
            // Owner-only before a byte of secret is written.
            using (var stream = WindowsOwnerOnlyAcl.CreateFile(temporary))
            {
                stream.Write(content, 0, content.Length);
                stream.Flush(flushToDisk: true);
            }

            MoveIntoPlace(temporary, path);
        }
        catch
        {
            Delete(temporary);
            throw;
        }
    }

    /// <inheritdoc />
    public void Delete(string name)
    {
        try
        {
            File.Delete(System.IO.Path.Combine(Path, name));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <inheritdoc />
    public IEnumerable<string> Names(string suffix)
    {
        try
        {
            return Directory.GetFiles(Path, "*" + suffix).Select(name => System.IO.Path.GetFileName(name)!).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Array.Empty<string>();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private static void MoveIntoPlace(string temporary, string path)
    {
        try
        {
            if (File.Exists(path))
            {
                // ReplaceFile: readers see the old file or the new one, never a half-written one.
                File.Replace(temporary, path, destinationBackupFileName: null);
            }
            else
            {
                File.Move(temporary, path);
            }
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process put the same entry there first: theirs is as good as ours.
            File.Replace(temporary, path, destinationBackupFileName: null);
        }
    }
}
