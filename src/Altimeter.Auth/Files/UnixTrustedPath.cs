using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Altimeter.Auth;

/// <summary>
/// Whether a file that another program reads by path (the AWS SDK reading ~/.aws/sso/cache) could
/// have been written or swapped by someone other than the current user or root. The rule of
/// OpenSSH's StrictModes (auth.c, <c>safe_path</c>): the file and every directory above it, up to and
/// including the home directory (to the root when it is not under the home), must belong to the
/// user or to root and be writable by no one else (no 020 or 002 bit). Checked on the path as
/// written and on its <c>realpath</c>, so a linked <c>~/.aws</c> is judged by the directories it
/// really is in, and the directories holding the links by theirs.
/// </summary>
/// <remarks>
/// One exception: a directory with the sticky bit (01000, as /tmp) may be writable by others when it
/// does not hold the file itself — there nobody but an entry's owner can rename or remove the entry,
/// and an entry someone else creates belongs to them, which the check below it refuses. The
/// directory that holds the file gets no such exception: there someone else could create the file
/// before it exists. A group-writable directory is refused even when the group is the user's own
/// (some distributions give each user a group and umask 002): that cannot be told from the mode
/// alone, and <c>chmod g-w</c> fixes it. Access control lists are not read.
/// Once this holds, no one but the user and root can change what the path names, so the reader that
/// opens it afterwards reads what was checked.
/// </remarks>
internal static class UnixTrustedPath
{
    /// <summary>What a check found.</summary>
    internal enum Verdict
    {
        /// <summary>Only the user or root could have written the file or changed the way to it.</summary>
        Trusted,

        /// <summary>The file (or a directory on the way to it) is not there.</summary>
        Missing,

        /// <summary>Someone else could have: <c>where</c> and <c>why</c> say what and how.</summary>
        Untrusted,
    }

    /// <summary>Checks the file <paramref name="file"/> and the directories above it up to <paramref name="home"/>.</summary>
    public static Verdict CheckFile(string file, string home, out string? where, out string? why) =>
        Check(file, home, isFile: true, out where, out why);

    /// <summary>Checks the directories above <paramref name="directory"/> (not it) up to <paramref name="home"/>: whether someone else could replace it.</summary>
    public static Verdict CheckParentsOf(string directory, string home, out string? where, out string? why)
    {
        where = why = null;
        var parent = Path.GetDirectoryName(Trimmed(directory));
        return string.IsNullOrEmpty(parent) ? Verdict.Trusted : Check(parent!, home, isFile: false, out where, out why);
    }

    private static Verdict Check(string path, string home, bool isFile, out string? where, out string? why)
    {
        where = why = null;
        path = Path.GetFullPath(path);
        var me = UnixSystemCalls.EffectiveUserId;
        var real = UnixSystemCalls.RealPath(path);
        if (real is null)
        {
            var errno = UnixSystemCalls.LastError;
            if (errno is UnixSystemCalls.NoSuchFile or UnixSystemCalls.NotADirectory)
            {
                return Verdict.Missing;
            }

            where = path;
            why = $"cannot be resolved ({UnixSystemCalls.Failure("realpath", errno).Message})";
            return Verdict.Untrusted;
        }

        var realHome = string.IsNullOrEmpty(home) ? null : UnixSystemCalls.RealPath(home) ?? Path.GetFullPath(home);
        foreach (var (candidate, place) in Chain(real, realHome).Concat(Chain(path, home)))
        {
            if (!UnixFileStatus.TryOfPath(candidate, out var status, out var errno))
            {
                if (errno is UnixSystemCalls.NoSuchFile or UnixSystemCalls.NotADirectory)
                {
                    return Verdict.Missing;
                }

                where = candidate;
                why = $"cannot be examined ({UnixSystemCalls.Failure("stat", errno).Message})";
                return Verdict.Untrusted;
            }

            why = Distrust(status, me, isTheFile: isFile && place == Place.Target, holdsTheFile: isFile && place == Place.Holder);
            if (why is not null)
            {
                where = candidate;
                return Verdict.Untrusted;
            }
        }

        return Verdict.Trusted;
    }

    private enum Place
    {
        Target,
        Holder,
        Above,
    }

    // The path itself, the directory that holds it, then each directory above up to the home
    // (inclusive) when the path is under the home, else up to the root.
    private static IEnumerable<(string Path, Place Place)> Chain(string path, string? home)
    {
        var stopAt = home is not null && IsUnder(path, Trimmed(home)) ? Trimmed(home) : null;
        var current = Trimmed(path);
        var place = Place.Target;
        while (true)
        {
            yield return (current, place);
            if (current == stopAt || Path.GetDirectoryName(current) is not { Length: > 0 } parent)
            {
                yield break;
            }

            place = place == Place.Target ? Place.Holder : Place.Above;
            current = parent;
        }
    }

    private static string? Distrust(UnixFileStatus status, int me, bool isTheFile, bool holdsTheFile)
    {
        if (status.OwnerUserId != me && status.OwnerUserId != 0)
        {
            return $"belongs to uid {status.OwnerUserId}, neither this user (uid {me}) nor root";
        }

        if (isTheFile && !status.IsRegularFile)
        {
            return $"is a {status.TypeName}, not a regular file";
        }

        if (!isTheFile && !status.IsDirectory)
        {
            return $"is a {status.TypeName}, not a directory";
        }

        return status.IsWritableByOthers && (isTheFile || holdsTheFile || !status.IsSticky)
            ? $"can be written by other users (mode {status.OctalPermissions})"
            : null;
    }

    private static bool IsUnder(string path, string directory) =>
        path == directory || directory == "/" || path.StartsWith(directory + "/", StringComparison.Ordinal);

    private static string Trimmed(string path) => path.Length > 1 ? path.TrimEnd('/') : path;
}
