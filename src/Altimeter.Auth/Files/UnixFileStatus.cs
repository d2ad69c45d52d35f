using System;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Altimeter.Auth;

/// <summary>
/// What an open descriptor is: its type, owner, permission bits and size, asked of the descriptor
/// itself (never of a path, which may name something else a moment later). Linux: statx(2) with
/// AT_EMPTY_PATH, whose struct is the same on every architecture. macOS: fstat(2) with Darwin's
/// 64-bit-inode struct stat — written from &lt;sys/stat.h&gt; and not run by this project's tests,
/// which run on Linux only.
/// </summary>
internal readonly struct UnixFileStatus
{
    private const int TypeMask = 0xF000; // S_IFMT
    private const int RegularFileType = 0x8000; // S_IFREG
    private const int DirectoryType = 0x4000; // S_IFDIR

    private UnixFileStatus(int mode, int ownerUserId, long size)
    {
        Type = mode & TypeMask;
        Permissions = mode & 0xFFF;
        OwnerUserId = ownerUserId;
        Size = size;
    }

    /// <summary>The S_IFMT bits.</summary>
    public int Type { get; }

    /// <summary>The permission bits, set-id and sticky included (07777).</summary>
    public int Permissions { get; }

    public int OwnerUserId { get; }

    public long Size { get; }

    public bool IsRegularFile => Type == RegularFileType;

    public bool IsDirectory => Type == DirectoryType;

    /// <summary>True when a group or other permission bit (rwx) is set: someone else may read or write it.</summary>
    public bool IsOpenToOthers => (Permissions & 0x3F) != 0;

    /// <summary>True when the group or others may write it (020 or 002).</summary>
    public bool IsWritableByOthers => (Permissions & 0x12) != 0;

    /// <summary>True when the sticky bit (01000) is set: in such a directory only an entry's owner (or the directory's, or root) may rename or remove it.</summary>
    public bool IsSticky => (Permissions & 0x200) != 0;

    /// <summary>For messages: what it is, in the words of ls and file(1).</summary>
    public string TypeName => Type switch
    {
        RegularFileType => "regular file",
        DirectoryType => "directory",
        0xA000 => "symbolic link",
        0x1000 => "FIFO (named pipe)",
        0x2000 => "character device",
        0x6000 => "block device",
        0xC000 => "socket",
        _ => "file of unknown type",
    };

    /// <summary>The mode as ls -l's octal form, e.g. 0644.</summary>
    public string OctalPermissions => "0" + Convert.ToString(Permissions, 8);

    /// <summary>The status of what <paramref name="descriptor"/> refers to.</summary>
    public static UnixFileStatus Of(SafeFileHandle descriptor)
    {
        if (descriptor is null) throw new ArgumentNullException(nameof(descriptor));
        var fd = (int)descriptor.DangerousGetHandle();
        return UnixSystemCalls.IsMacOS ? OfDarwin(fd) : OfLinux(fd);
    }

    /// <summary>
    /// The status of what <paramref name="path"/> names, symbolic links followed (as a reader that
    /// opens the path gets it); false, with errno in <paramref name="errno"/>, when it cannot be had.
    /// </summary>
    public static bool TryOfPath(string path, out UnixFileStatus status, out int errno)
    {
        if (path is null) throw new ArgumentNullException(nameof(path));
        errno = 0;
        if (UnixSystemCalls.IsMacOS)
        {
            var buffer = new byte[144];
            if ((RuntimeInformation.ProcessArchitecture == Architecture.X64 ? stat_inode64(path, buffer) : stat(path, buffer)) != 0)
            {
                errno = UnixSystemCalls.LastError;
                status = default;
                return false;
            }

            status = FromDarwin(buffer);
            return true;
        }

        const int AtCurrentDirectory = -100; // AT_FDCWD
        var result = OfLinux(AtCurrentDirectory, path, flags: 0, out status);
        errno = result;
        return result == 0;
    }

    // struct statx (<linux/stat.h>): stx_mask u32 @0, stx_uid u32 @20, stx_mode u16 @28, stx_size u64 @40; 256 bytes.
    private static UnixFileStatus OfLinux(int fd)
    {
        const int AtEmptyPath = 0x1000;
        var errno = OfLinux(fd, string.Empty, AtEmptyPath, out var status);
        return errno == 0 ? status : throw UnixSystemCalls.Failure("statx", errno);
    }

    // 0 and the status, or the errno of statx.
    private static int OfLinux(int directory, string path, int flags, out UnixFileStatus status)
    {
        const uint Wanted = 0x1 | 0x2 | 0x8 | 0x200; // STATX_TYPE | STATX_MODE | STATX_UID | STATX_SIZE
        var buffer = new byte[256];
        status = default;
        if (statx(directory, path, flags, Wanted, buffer) != 0)
        {
            return UnixSystemCalls.LastError;
        }

        if ((BitConverter.ToUInt32(buffer, 0) & Wanted) != Wanted)
        {
            throw new System.IO.IOException("statx did not report the type, mode, owner and size of the file.");
        }

        status = new UnixFileStatus(BitConverter.ToUInt16(buffer, 28), (int)BitConverter.ToUInt32(buffer, 20), (long)BitConverter.ToUInt64(buffer, 40));
        return 0;
    }

    // struct stat with 64-bit inodes (Darwin <sys/stat.h>, the only layout on arm64, fstat$INODE64 on x86_64):
    // st_mode u16 @4, st_uid u32 @16, st_size i64 @96; 144 bytes.
    private static UnixFileStatus OfDarwin(int fd)
    {
        var buffer = new byte[144];
        var result = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? fstat_inode64(fd, buffer) : fstat(fd, buffer);
        if (result != 0)
        {
            throw UnixSystemCalls.Failure("fstat", UnixSystemCalls.LastError);
        }

        return FromDarwin(buffer);
    }

    private static UnixFileStatus FromDarwin(byte[] buffer) =>
        new(BitConverter.ToUInt16(buffer, 4), (int)BitConverter.ToUInt32(buffer, 16), BitConverter.ToInt64(buffer, 96));

#pragma warning disable CA2101, SYSLIB1054, CA5392, IDE1006 // as the C library declares them
    [DllImport("libc", SetLastError = true)]
    private static extern int statx(int dirfd, string pathname, int flags, uint mask, [Out] byte[] statxbuf);

    [DllImport("libc", SetLastError = true)]
    private static extern int fstat(int fd, [Out] byte[] buf);

    [DllImport("libc", EntryPoint = "fstat$INODE64", SetLastError = true)]
    private static extern int fstat_inode64(int fd, [Out] byte[] buf);

    [DllImport("libc", SetLastError = true)]
    private static extern int stat(string path, [Out] byte[] buf);

    [DllImport("libc", EntryPoint = "stat$INODE64", SetLastError = true)]
    private static extern int stat_inode64(string path, [Out] byte[] buf);
#pragma warning restore CA2101, SYSLIB1054, CA5392, IDE1006
}
