using System;
using System.IO;
using System.Runtime.InteropServices;

namespace Altimeter.Auth;

/// <summary>
/// The C library calls that .NET Standard 2.0 does not offer: open relative to a held directory,
/// create with a mode in one step, refuse symbolic links, and look at what a descriptor really is.
/// Flag values differ between Linux and macOS (and between Linux architectures for O_NOFOLLOW and
/// O_DIRECTORY); they are taken from the system headers named beside each. Windows never calls here.
/// </summary>
internal static class UnixSystemCalls
{
    private const string LibC = "libc";

    /// <summary>True on macOS, whose flag values and stat layout are Darwin's; false on Linux.</summary>
    public static readonly bool IsMacOS = RuntimeInformation.IsOSPlatform(OSPlatform.OSX);

    // Linux <asm-generic/fcntl.h>, except arm, arm64 and powerpc (<asm/fcntl.h>) which swap O_DIRECTORY/O_NOFOLLOW
    // values; Darwin <sys/fcntl.h>. Architecture.Ppc64le is 8 (not in .NET Standard 2.0's enum).
    private static readonly bool s_armOrPowerLinux = !IsMacOS
        && (RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64 || (int)RuntimeInformation.ProcessArchitecture == 8);

    public const int ReadOnly = 0;
    public const int WriteOnly = 1;
    public static readonly int Create = IsMacOS ? 0x200 : 0x40;
    public static readonly int Exclusive = IsMacOS ? 0x800 : 0x80;
    public static readonly int NonBlocking = IsMacOS ? 0x4 : 0x800;
    public static readonly int CloseOnExec = IsMacOS ? 0x1000000 : 0x80000;
    public static readonly int NoFollow = IsMacOS ? 0x100 : s_armOrPowerLinux ? 0x8000 : 0x20000;
    public static readonly int DirectoryOnly = IsMacOS ? 0x100000 : s_armOrPowerLinux ? 0x4000 : 0x10000;

    // errno values: <asm-generic/errno.h>, Darwin <sys/errno.h>.
    public const int NoSuchFile = 2;
    public const int AlreadyExists = 17;
    public const int NotADirectory = 20;
    public static readonly int TooManyLinks = IsMacOS ? 62 : 40; // ELOOP: O_NOFOLLOW met a symbolic link

    /// <summary>The effective user id: who the files must belong to.</summary>
    public static int EffectiveUserId => (int)geteuid();

    /// <summary>The errno of the last call here.</summary>
    public static int LastError => Marshal.GetLastWin32Error();

    /// <summary>An IOException for the last failed call: what was attempted, and the C library's words for errno.</summary>
    public static IOException Failure(string attempted, int errno) =>
        new($"{attempted}: {Marshal.PtrToStringAnsi(strerror(errno))} (errno {errno})");

    /// <summary>open(2); the mode is used only with <see cref="Create"/>.</summary>
    public static int Open(string path, int flags, int mode = 0) => open(path, flags, mode);

    /// <summary>openat(2) relative to <paramref name="directory"/>; <paramref name="name"/> is one path component.</summary>
    public static int OpenAt(int directory, string name, int flags, int mode = 0) => openat(directory, name, flags, mode);

    /// <summary>mkdir(2): the directory exists with <paramref name="mode"/> (less the umask) from its first moment.</summary>
    public static int MakeDirectory(string path, int mode) => mkdir(path, mode);

    /// <summary>fchmod(2): the mode of what the descriptor is, never of whatever a path now names.</summary>
    public static int ChangeMode(int descriptor, int mode) => fchmod(descriptor, mode);

    /// <summary>renameat(2) within one held directory: replaces the name atomically, whatever it was.</summary>
    public static int RenameAt(int directory, string from, string to) => renameat(directory, from, directory, to);

    /// <summary>access(2) with X_OK: the current user may run the file.</summary>
    public static bool IsExecutable(string path) => access(path, 1) == 0;

    /// <summary>rename(2) by paths: replaces the name atomically, whatever it was (a link there is replaced, not followed).</summary>
    public static int Rename(string from, string to) => rename(from, to);

    /// <summary>unlinkat(2): removes the name from the held directory; a symbolic link is removed, never followed.</summary>
    public static int UnlinkAt(int directory, string name) => unlinkat(directory, name, 0);

    /// <summary>realpath(3): the absolute path with every symbolic link, "." and ".." resolved; null when it cannot be resolved (errno in <see cref="LastError"/>).</summary>
    public static string? RealPath(string path)
    {
        var resolved = realpath(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero)
        {
            return null;
        }

        try
        {
            // On Unix, .NET reads "ANSI" strings as UTF-8, the file system's encoding.
            return Marshal.PtrToStringAnsi(resolved);
        }
        finally
        {
            free(resolved);
        }
    }

#pragma warning disable CA2101, SYSLIB1054, CA5392, IDE1006 // plain path strings as the C library takes them; names as in C
    [DllImport(LibC, SetLastError = true)]
    private static extern int open(string path, int flags, int mode);

    [DllImport(LibC, SetLastError = true)]
    private static extern int openat(int dirfd, string path, int flags, int mode);

    [DllImport(LibC, SetLastError = true)]
    private static extern int mkdir(string path, int mode);

    [DllImport(LibC, SetLastError = true)]
    private static extern int fchmod(int fd, int mode);

    [DllImport(LibC, SetLastError = true)]
    private static extern int renameat(int olddirfd, string oldpath, int newdirfd, string newpath);

    [DllImport(LibC, SetLastError = true)]
    private static extern int access(string path, int mode);

    [DllImport(LibC, SetLastError = true)]
    private static extern int rename(string oldpath, string newpath);

    [DllImport(LibC, SetLastError = true)]
    private static extern int unlinkat(int dirfd, string path, int flags);

    [DllImport(LibC, SetLastError = true)]
    private static extern IntPtr realpath(string path, IntPtr resolvedPath);

    [DllImport(LibC)]
    private static extern void free(IntPtr pointer);

    [DllImport(LibC)]
    private static extern uint geteuid();

    [DllImport(LibC)]
    private static extern IntPtr strerror(int errnum);
#pragma warning restore CA2101, SYSLIB1054, CA5392, IDE1006
}
