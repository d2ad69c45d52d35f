using System.Diagnostics;
using System.Runtime.InteropServices;
using Xunit;

namespace Altimeter.Auth.Tests;

/// <summary>
/// What a hostile neighbour does to files on Unix, for tests: chown (as root), mkfifo, umask. The
/// C library calls as POSIX declares them (chown(2), mkfifo(3), umask(2), geteuid(2)).
/// </summary>
internal static class UnixTestFiles
{
    /// <summary>The uid of `nobody`: someone who is not the test.</summary>
    public const int Nobody = 65534;

    public static bool IsRoot => OperatingSystem.IsLinux() && geteuid() == 0;

    public static void ChangeOwner(string path, int uid) =>
        Assert.True(lchown(path, uid, uid) == 0, $"chown {path}: errno {Marshal.GetLastPInvokeError()}");

    public static void MakeFifo(string path) =>
        Assert.True(mkfifo(path, 0x1B6) == 0, $"mkfifo {path}: errno {Marshal.GetLastPInvokeError()}");

    /// <summary>Sets the process umask; returns the previous one. Process-wide: only in the non-parallel collection.</summary>
    public static int SetUmask(int mask) => umask(mask);

    /// <summary>Runs <paramref name="action"/> on another thread and fails the test if it is not done in <paramref name="seconds"/>: a hang is a failure, not a stuck run.</summary>
    public static T Within<T>(int seconds, Func<T> action)
    {
        var task = Task.Run(action);
        Assert.True(task.Wait(TimeSpan.FromSeconds(seconds)), $"did not finish within {seconds} s (blocked on a FIFO or reading without bound?)");
        return task.Result;
    }

    /// <summary>Lets a reader blocked on the FIFO go (opens it for writing, without blocking) so a failed test leaves no stuck thread.</summary>
    public static void ReleaseFifo(string path)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("sh", new[] { "-c", $"exec 3<>'{path}'; exec 3>&-" }));
            process?.WaitForExit(2000);
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }
    }

#pragma warning disable CA2101, SYSLIB1054, CA5392, IDE1006 // plain path strings, names as in C
    [DllImport("libc", SetLastError = true)]
    private static extern int lchown(string path, int owner, int group);

    [DllImport("libc", SetLastError = true)]
    private static extern int mkfifo(string path, int mode);

    [DllImport("libc")]
    private static extern int umask(int mask);

    [DllImport("libc")]
    private static extern uint geteuid();
#pragma warning restore CA2101, SYSLIB1054, CA5392, IDE1006
}

/// <summary>A fact that needs root (chown to another user); skipped otherwise.</summary>
internal sealed class UnixRootFactAttribute : FactAttribute
{
    public UnixRootFactAttribute()
    {
        if (!UnixTestFiles.IsRoot)
        {
            Skip = "needs root on Linux: it gives files to another user";
        }
    }
}

/// <summary>Tests that change the process umask run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideUmask
{
    public const string Name = "process umask";
}
