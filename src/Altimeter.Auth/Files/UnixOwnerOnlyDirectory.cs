using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.Win32.SafeHandles;

namespace Altimeter.Auth;

/// <summary>
/// An owner-only directory on Unix, held open: created 0700 in one step (mkdir with that mode, so no
/// umask leaves a wider moment); an existing one must be a real directory (not a symbolic link) of
/// the current user, and is tightened to 0700 through its descriptor. Every file operation is then
/// relative to the held descriptor (openat, renameat, unlinkat): whoever controls a parent
/// directory cannot swap another directory in after the check. Files are created 0600 with
/// O_CREAT|O_EXCL|O_NOFOLLOW under a random name (a link planted there makes the creation fail,
/// never redirects it) and renamed into place; a file is read only if the opened descriptor is a
/// regular file of the current user that no one else may read or write, and at most a bound.
/// </summary>
/// <remarks>
/// macOS (not run by this project's tests): the same calls with Darwin's flag values and stat
/// layout (<see cref="UnixFileStatus"/>). open's mode is a variadic argument, which P/Invoke cannot
/// pass on Apple arm64; there a file is therefore also fchmod-ed to 0600 through its descriptor
/// before a byte is written — safe because the directory is already checked owner-only, so no one
/// else can open the file in between.
/// </remarks>
internal sealed class UnixOwnerOnlyDirectory : IOwnerOnlyDirectory
{
    /// <summary>0700: what mkdir is asked for, and what an existing directory of ours is tightened to.</summary>
    internal const int DirectoryMode = 0x1C0;

    /// <summary>0600: what a file is created with.</summary>
    internal const int FileMode = 0x180;

    private readonly SafeFileHandle _directory;

    private UnixOwnerOnlyDirectory(string path, SafeFileHandle directory)
    {
        Path = path;
        _directory = directory;
    }

    /// <inheritdoc />
    public string Path { get; }

    private int Descriptor => (int)_directory.DangerousGetHandle();

    /// <summary>Opens the directory at <paramref name="path"/> (missing parents are created 0700, as mkdir -p -m 0700 would), creating it 0700 when missing.</summary>
    /// <exception cref="SharedCacheException">Someone else's, a link, not a directory (<see cref="SharedCacheException.Untrusted"/>), or it cannot be created or opened.</exception>
    public static UnixOwnerOnlyDirectory OpenOrCreate(string path)
    {
        // A trailing slash would make open follow a symbolic link despite O_NOFOLLOW.
        path = path.Length > 1 ? path.TrimEnd('/') : path;
        CreateMissingParents(path);

        if (UnixSystemCalls.MakeDirectory(path, DirectoryMode) != 0 && UnixSystemCalls.LastError is var mkdirError && mkdirError != UnixSystemCalls.AlreadyExists)
        {
            var failure = UnixSystemCalls.Failure("mkdir", mkdirError);
            throw new SharedCacheException(SharedCacheException.Unavailable, path, $"could not be created: {failure.Message}.", failure);
        }

        var fd = UnixSystemCalls.Open(path, UnixSystemCalls.ReadOnly | UnixSystemCalls.DirectoryOnly | UnixSystemCalls.NoFollow | UnixSystemCalls.NonBlocking | UnixSystemCalls.CloseOnExec);
        if (fd < 0)
        {
            var errno = UnixSystemCalls.LastError;
            // Linux says ENOTDIR for a link with O_DIRECTORY|O_NOFOLLOW, other systems ELOOP; the attributes (lstat) only choose the words.
            throw errno == UnixSystemCalls.TooManyLinks || (errno == UnixSystemCalls.NotADirectory && IsSymbolicLink(path)) ? Untrusted(path, "is a symbolic link")
                : errno == UnixSystemCalls.NotADirectory ? Untrusted(path, "is not a directory")
                : new SharedCacheException(SharedCacheException.Unavailable, path, "could not be opened.", UnixSystemCalls.Failure("open", errno));
        }

        var handle = new SafeFileHandle((IntPtr)fd, ownsHandle: true);
        try
        {
            var status = UnixFileStatus.Of(handle);
            var me = UnixSystemCalls.EffectiveUserId;
            if (!status.IsDirectory)
            {
                throw Untrusted(path, $"is a {status.TypeName}, not a directory");
            }

            if (status.OwnerUserId != me)
            {
                throw Untrusted(path, $"belongs to uid {status.OwnerUserId}, not to this user (uid {me})");
            }

            // Ours but open to others (made by hand, or by an older version): tighten it; the files
            // already in it are checked one by one when read.
            if (status.IsOpenToOthers && UnixSystemCalls.ChangeMode(fd, DirectoryMode) != 0)
            {
                throw new SharedCacheException(SharedCacheException.Unavailable, path, "could not be made owner-only (0700).", UnixSystemCalls.Failure("fchmod", UnixSystemCalls.LastError));
            }

            return new UnixOwnerOnlyDirectory(path, handle);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    // Each missing parent is made 0700 in one step: made with the default mode, under umask 000
    // they would be 0777 (~/.aws/sso under a fresh home), and whoever may write a parent may
    // replace what is below it.
    private static void CreateMissingParents(string path)
    {
        var parent = System.IO.Path.GetDirectoryName(path);
        if (string.IsNullOrEmpty(parent))
        {
            return;
        }

        try
        {
            MakeMissingDirectories(parent!);
        }
        catch (IOException e)
        {
            throw new SharedCacheException(SharedCacheException.Unavailable, path, $"could not be created: its parent {e.Message}.", e);
        }
    }

    /// <summary>Makes <paramref name="directory"/> and each missing directory above it 0700, each in one step (as mkdir -p -m 0700 would); existing ones are left as they are.</summary>
    /// <exception cref="IOException">One could not be made (the message names it and says why).</exception>
    internal static void MakeMissingDirectories(string directory)
    {
        var missing = new Stack<string>();
        for (var next = directory; !string.IsNullOrEmpty(next) && !Directory.Exists(next); next = System.IO.Path.GetDirectoryName(next))
        {
            missing.Push(next!);
        }

        while (missing.Count > 0)
        {
            var next = missing.Pop();
            if (UnixSystemCalls.MakeDirectory(next, DirectoryMode) != 0 && UnixSystemCalls.LastError is var errno && errno != UnixSystemCalls.AlreadyExists)
            {
                throw new IOException($"'{next}' could not be made ({UnixSystemCalls.Failure("mkdir", errno).Message})");
            }
        }
    }

    /// <inheritdoc />
    public byte[]? TryRead(string name, long maxBytes, out string? problem)
    {
        problem = null;
        var fd = UnixSystemCalls.OpenAt(Descriptor, name, UnixSystemCalls.ReadOnly | UnixSystemCalls.NoFollow | UnixSystemCalls.NonBlocking | UnixSystemCalls.CloseOnExec);
        if (fd < 0)
        {
            var errno = UnixSystemCalls.LastError;
            problem = errno == UnixSystemCalls.NoSuchFile ? null
                : errno == UnixSystemCalls.TooManyLinks ? "is a symbolic link"
                : $"could not be read ({UnixSystemCalls.Failure("open", errno).Message})";
            return null;
        }

        using var handle = new SafeFileHandle((IntPtr)fd, ownsHandle: true);
        try
        {
            problem = Distrust(UnixFileStatus.Of(handle), maxBytes);
            if (problem is not null)
            {
                return null;
            }

            using var stream = new FileStream(handle, FileAccess.Read, bufferSize: 1);
            return BoundedFileReader.ReadAtMost(stream, maxBytes);
        }
        catch (FileTooLargeException)
        {
            problem = $"is larger than an entry may be ({maxBytes} bytes)";
            return null;
        }
        catch (IOException e)
        {
            problem = $"could not be read ({e.Message})";
            return null;
        }
    }

    /// <inheritdoc />
    public void WriteAtomically(string name, byte[] content)
    {
        if (content is null) throw new ArgumentNullException(nameof(content));
        var temporary = $".{Guid.NewGuid():N}.tmp";
        try
        {
            using (var stream = CreateExclusive(temporary))
            {
                stream.Write(content, 0, content.Length);
                stream.Flush(flushToDisk: true);
            }

            // rename(2): readers see the old file or the new one, never a half-written one.
            if (UnixSystemCalls.RenameAt(Descriptor, temporary, name) != 0)
            {
                throw UnixSystemCalls.Failure("rename", UnixSystemCalls.LastError);
            }
        }
        catch
        {
            Delete(temporary);
            throw;
        }
    }

    /// <summary>A new file <paramref name="name"/>, 0600 from its first moment, open for writing; fails if anything (a link included) is there.</summary>
    internal FileStream CreateExclusive(string name)
    {
        var fd = UnixSystemCalls.OpenAt(Descriptor, name, s_newFileFlags, FileMode);
        if (fd < 0)
        {
            throw UnixSystemCalls.Failure("create", UnixSystemCalls.LastError);
        }

        try
        {
            return StreamOfNewFile(fd);
        }
        catch
        {
            Delete(name);
            throw;
        }
    }

    /// <summary>
    /// As <see cref="CreateExclusive"/>, by path rather than in a held directory: for a file whose
    /// directory is the user's own but not one of ours (the AWS config file's).
    /// </summary>
    internal static FileStream CreateExclusiveAt(string path)
    {
        var fd = UnixSystemCalls.Open(path, s_newFileFlags, FileMode);
        if (fd < 0)
        {
            throw UnixSystemCalls.Failure("create", UnixSystemCalls.LastError);
        }

        return StreamOfNewFile(fd);
    }

    // Only where nothing is, a link included.
    private static readonly int s_newFileFlags = UnixSystemCalls.WriteOnly | UnixSystemCalls.Create | UnixSystemCalls.Exclusive | UnixSystemCalls.NoFollow | UnixSystemCalls.CloseOnExec;

    // A stream over a file just created 0600 (macOS may not apply open(2)'s mode: fchmod there).
    private static FileStream StreamOfNewFile(int fd)
    {
        var handle = new SafeFileHandle((IntPtr)fd, ownsHandle: true);
        try
        {
            if (UnixSystemCalls.IsMacOS && UnixSystemCalls.ChangeMode(fd, FileMode) != 0)
            {
                throw UnixSystemCalls.Failure("fchmod", UnixSystemCalls.LastError);
            }

            return new FileStream(handle, FileAccess.Write, bufferSize: 1);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void Delete(string name) => UnixSystemCalls.UnlinkAt(Descriptor, name);

    /// <inheritdoc />
    // Listed by path; each name is then used only relative to the held descriptor.
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
    public void Dispose() => _directory.Dispose();

    // Why a file may not be trusted, or null: only a regular file that the current user alone
    // could have written, and small enough, is read.
    private static string? Distrust(UnixFileStatus status, long maxBytes)
    {
        var me = UnixSystemCalls.EffectiveUserId;
        return !status.IsRegularFile ? $"is a {status.TypeName}, not a regular file"
            : status.OwnerUserId != me ? $"belongs to uid {status.OwnerUserId}, not to this user (uid {me})"
            : status.IsOpenToOthers ? $"can be read or written by other users (mode {status.OctalPermissions})"
            : status.Size > maxBytes ? $"is {status.Size} bytes, larger than an entry may be ({maxBytes} bytes)"
            : null;
    }

    private static bool IsSymbolicLink(string path)
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

    private static SharedCacheException Untrusted(string path, string what) =>
        new(SharedCacheException.Untrusted, path, $"{what}: its entries could have been written by someone else, so it is not used. Point ALTIMETER_CREDENTIAL_CACHE or -SharedCachePath at a directory of your own (a missing one is created owner-only).");
}
