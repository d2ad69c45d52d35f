using System;
using System.Collections.Concurrent;
using System.IO;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Tasks;

namespace Altimeter.Auth;

/// <summary>
/// A page on disk that sends the browser on to a URL that is a secret (the console sign-in URL):
/// the browser is handed the page's path, so the URL never appears on a command line, which every
/// user of the machine can read (ps, /proc/PID/cmdline) while the opener and the browser start.
/// The page is written owner-only (0600 in a 0700 directory; on Windows an access list for the
/// user alone) under a random name, and removed a minute later or when the process exits,
/// whichever comes first. Directory: $XDG_RUNTIME_DIR/altimeter (the user's own, in memory) when
/// set, else ~/.cache/altimeter/pages.
/// </summary>
/// <remarks>
/// A browser confined by a sandbox that may not read these folders (a snap package, for one) shows
/// an error page instead; the URL is then taken without -Open.
/// </remarks>
internal static class LocalRedirectPage
{
    /// <summary>How long a page stays: long enough for a browser to start and read it.</summary>
    internal static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);

    private static readonly ConcurrentDictionary<string, bool> s_pending = new(StringComparer.Ordinal);
    private static int s_exitHooked;

    /// <summary>Where the pages go.</summary>
    internal static string Directory
    {
        get
        {
            var runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
            return !RuntimeInformation.IsOSPlatform(OSPlatform.Windows) && !string.IsNullOrEmpty(runtime) && Path.IsPathRooted(runtime)
                ? Path.Combine(runtime, "altimeter")
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "altimeter", "pages");
        }
    }

    /// <summary>Writes a page that sends the browser to <paramref name="url"/>; returns its full path.</summary>
    /// <exception cref="ConsoleSignInException"><see cref="ConsoleSignInException.BrowserFailed"/>: the page could not be written owner-only.</exception>
    public static string Write(string url)
    {
        if (url is null) throw new ArgumentNullException(nameof(url));
        var name = $"console-{Guid.NewGuid():N}.html";
        var encoded = WebUtility.HtmlEncode(url);
        var page = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta name=\"referrer\" content=\"no-referrer\">"
            + $"<meta http-equiv=\"refresh\" content=\"0;url={encoded}\"><title>AWS console</title></head>"
            + $"<body><a href=\"{encoded}\">Open the AWS console</a></body></html>";
        string path;
        try
        {
            using var directory = OwnerOnly(Directory);
            directory.WriteAtomically(name, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(page));
            path = Path.Combine(directory.Path, name);
        }
        catch (Exception e) when (e is SharedCacheException or IOException or UnauthorizedAccessException)
        {
            throw new ConsoleSignInException(ConsoleSignInException.BrowserFailed, $"The page that opens the console could not be written owner-only in '{Directory}': {e.Message}", e);
        }

        RemoveLater(path);
        return path;
    }

    private static IOwnerOnlyDirectory OwnerOnly(string path) =>
        RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? new WindowsOwnerOnlyDirectory(path) : UnixOwnerOnlyDirectory.OpenOrCreate(path);

    private static void RemoveLater(string path)
    {
        s_pending[path] = true;
        if (System.Threading.Interlocked.Exchange(ref s_exitHooked, 1) == 0)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                foreach (var pending in s_pending.Keys) Remove(pending);
            };
        }

        _ = Task.Delay(Lifetime).ContinueWith(_ => Remove(path), TaskScheduler.Default);
    }

    private static void Remove(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Gone already, or its directory is; nothing else to do.
        }

        s_pending.TryRemove(path, out _);
    }
}
