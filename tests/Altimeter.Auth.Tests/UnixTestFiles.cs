using System.Diagnostics;
using System.Runtime.InteropServices;
using Xunit;

namespace Altimeter.Auth.Tests;

/// <summary>
/// What a hostile neighbour does to files on Unix, for tests: files and directories that belong
/// to another user (with or without root), mkfifo, umask. The C library calls as POSIX declares
/// them (chown(2), mkfifo(3), umask(2), geteuid(2)); util-linux's unshare(1) and mount(8).
/// </summary>
internal static class UnixTestFiles
{
    /// <summary>The uid of `nobody`: someone who is not the test.</summary>
    public const int Nobody = 65534;

    public static bool IsRoot => OperatingSystem.IsLinux() && geteuid() == 0;

    public static void ChangeOwner(string path, int uid) =>
        Assert.True(lchown(path, uid, uid) == 0, $"chown {path}: errno {Marshal.GetLastPInvokeError()}");

    /// <summary>
    /// A directory that belongs to another user and that anyone may write into, as a neighbour
    /// would leave it. Root makes one under <paramref name="parent"/> (0777, given to nobody); any
    /// other user takes the system's own: /tmp, /var/tmp or /dev/shm, which belong to root.
    /// </summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public static ForeignDirectory ForeignDirectory(string parent)
    {
        if (IsRoot)
        {
            var made = Directory.CreateDirectory(Path.Combine(parent, "foreign")).FullName;
            File.SetUnixFileMode(made, (UnixFileMode)0x1FF);
            ChangeOwner(made, Nobody);
            return new ForeignDirectory(made, Nobody);
        }

        foreach (var candidate in new[] { "/tmp", "/var/tmp", "/dev/shm" })
        {
            if (Directory.Exists(candidate) && OwnerOf(candidate) is var owner && owner != geteuid()
                && (File.GetUnixFileMode(candidate) & UnixFileMode.OtherWrite) != 0)
            {
                return new ForeignDirectory(candidate, owner);
            }
        }

        Assert.Fail("No directory of another user to test with: not root, and none of /tmp, /var/tmp, /dev/shm belongs to someone else and is writable by all.");
        return null!;
    }

    /// <summary>
    /// Runs <paramref name="arguments"/> in a new user and mount namespace (unshare --user
    /// --map-root-user --mount) where <paramref name="foreignFile"/>, a file of another user, is
    /// bind-mounted over <paramref name="target"/>: inside, the test's user is uid 0 and that file
    /// shows as the overflow uid 65534, someone else's, at a path in a directory of ours. Returns
    /// what the command printed. How a user without root plants another user's file; fails, saying
    /// why, when the machine allows no unprivileged user namespaces.
    /// </summary>
    public static string RunWithForeignFileAt(string target, string foreignFile, params string[] arguments)
    {
        var info = new ProcessStartInfo("unshare")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--user", "--map-root-user", "--mount", "sh", "-c", "mount --bind \"$1\" \"$2\" && shift 2 && exec \"$@\"", "sh", foreignFile, target }.Concat(arguments))
        {
            info.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"Not root and no unshare(1) (util-linux) to plant another user's file: {e.Message}");
            throw;
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            Assert.True(process.WaitForExit(60000), "the command in the user namespace did not finish within 60 s");
            Assert.True(process.ExitCode == 0,
                $"Not root, and the machine refused an unprivileged user namespace with a bind mount (exit code {process.ExitCode}: {error.Result.Trim()}). " +
                "Run the tests as root, or allow user namespaces (sysctl user.max_user_namespaces, kernel.unprivileged_userns_clone, kernel.apparmor_restrict_unprivileged_userns).");
            return output.Result;
        }
    }

    /// <summary>The uid that owns <paramref name="path"/> (stat(1): no struct stat layout to get wrong).</summary>
    public static int OwnerOf(string path)
    {
        using var process = Process.Start(new ProcessStartInfo("stat", new[] { "-c", "%u", path }) { RedirectStandardOutput = true })!;
        var text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return int.Parse(text.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>This process's effective uid.</summary>
    public static int EffectiveUserId => (int)geteuid();

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

/// <summary>A directory of another user: its path and its owner's uid.</summary>
internal sealed record ForeignDirectory(string Path, int OwnerUserId);

/// <summary>Tests that change the process umask run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideUmask
{
    public const string Name = "process umask";
}
