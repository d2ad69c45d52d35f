using System;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;

namespace Altimeter.Auth;

/// <summary>
/// Opens a URL in the user's browser the way the desktop does: <c>xdg-open</c> on Linux and the
/// BSDs when a graphical session is there (DISPLAY or WAYLAND_DISPLAY), <c>open</c> on macOS (each
/// looked up on PATH), the shell's default handler on Windows. Used for the console sign-in URL and
/// the Identity Center sign-in page.
/// <see cref="Open"/> hands the URL to that program as an argument, which other users of the machine
/// can read in the process list: for addresses that are not secret (a sign-in page). A URL that is a
/// secret goes through <see cref="OpenPrivately"/>: the program gets the path of an owner-only page
/// that sends the browser on (<see cref="LocalRedirectPage"/>).
/// </summary>
internal static class SystemBrowser
{
    // An opener that fails (no browser configured) does so at once; one that is still running by
    // then is starting a browser, which may stay in the foreground for as long as it is open.
    private static readonly TimeSpan s_quickFailure = TimeSpan.FromSeconds(2);

    /// <summary>Opens <paramref name="url"/>; never waits for the browser.</summary>
    /// <exception cref="ConsoleSignInException"><see cref="ConsoleSignInException.BrowserUnavailable"/>: no opener on PATH; <see cref="ConsoleSignInException.BrowserFailed"/>: it failed at once.</exception>
    public static void Open(string url)
    {
        Checked(url);
        Launch(FindOpener(), url);
    }

    /// <summary>
    /// Opens <paramref name="url"/>, a secret, without putting it on a command line: the opener is
    /// given the path of an owner-only page that sends the browser on to it.
    /// </summary>
    /// <exception cref="ConsoleSignInException">As <see cref="Open"/>; <see cref="ConsoleSignInException.BrowserFailed"/> also when the page cannot be written.</exception>
    public static void OpenPrivately(string url)
    {
        Checked(url);
        // Found before the page is written: no page is left behind when there is nothing to open it.
        var opener = FindOpener();
        Launch(opener, LocalRedirectPage.Write(url));
    }

    private static void Checked(string url)
    {
        if (url is null) throw new ArgumentNullException(nameof(url));

        // The URL becomes one argument of a command line: none of what that line would split on or unquote.
        if (!SignInEndpoint.IsPrintableAscii(url) || url.IndexOf('"') >= 0 || url.IndexOf('\\') >= 0
            || !Uri.TryCreate(url, UriKind.Absolute, out var parsed) || (parsed.Scheme != Uri.UriSchemeHttps && parsed.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException("Only an http or https URL of visible ASCII characters, without quotes or backslashes, is opened.", nameof(url));
        }
    }

    // The desktop's opener on PATH; null on Windows, where the shell opens what it is given.
    private static string? FindOpener()
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            return null;
        }

        var macOS = RuntimeInformation.IsOSPlatform(OSPlatform.OSX);
        // Without a graphical session xdg-open may start a text browser in the very terminal that
        // shows the address (and a sign-in code): not a browser to hand it to.
        if (!macOS && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DISPLAY")) && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("WAYLAND_DISPLAY")))
        {
            throw new ConsoleSignInException(
                ConsoleSignInException.BrowserUnavailable,
                "There is no graphical session to open a browser in (neither DISPLAY nor WAYLAND_DISPLAY is set).");
        }

        var name = macOS ? "open" : "xdg-open";
        return FindOnPath(name) ?? throw new ConsoleSignInException(
            ConsoleSignInException.BrowserUnavailable,
            $"No '{name}' on PATH to open a browser with. Get the URL without -Open and paste it into a browser.");
    }

    // What the opener gets (a URL, or the path of a page) is one quoted argument.
    private static void Launch(string? opener, string target)
    {
        if (opener is null)
        {
            OpenOnWindows(target);
            return;
        }

        if (target.IndexOf('"') >= 0 || target.IndexOf('\\') >= 0)
        {
            throw new ConsoleSignInException(ConsoleSignInException.BrowserFailed, $"'{opener}' cannot be handed a path with quotes or backslashes.");
        }

        var start = new ProcessStartInfo(opener, "\"" + target + "\"")
        {
            UseShellExecute = false,
            // Nothing to read from us, and its chatter stays off the console.
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception e)
        {
            throw new ConsoleSignInException(ConsoleSignInException.BrowserFailed, $"'{opener}' could not be started: {e.Message}", e);
        }

        using (process)
        {
            process.StandardInput.Close();
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (process.WaitForExit((int)s_quickFailure.TotalMilliseconds) && process.ExitCode != 0)
            {
                throw new ConsoleSignInException(ConsoleSignInException.BrowserFailed, $"'{opener}' could not open a browser (exit code {process.ExitCode}).");
            }
        }
    }

    private static void OpenOnWindows(string url)
    {
        try
        {
            // The shell's handler for https: no cmd.exe, which would take the URL's & for command separators.
            using var process = Process.Start(new ProcessStartInfo(url) { UseShellExecute = true });
        }
        catch (Win32Exception e)
        {
            throw new ConsoleSignInException(ConsoleSignInException.BrowserUnavailable, $"Windows has no program to open https links with: {e.Message}", e);
        }
    }

    private static string? FindOnPath(string name)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            if (directory.Length == 0) continue;
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate)) return candidate;
        }

        return null;
    }
}
