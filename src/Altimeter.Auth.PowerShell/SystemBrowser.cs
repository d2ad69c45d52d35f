using System;
using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Altimeter.Auth.Commands;

/// <summary>
/// Opens a web page in the person's browser where there is one, as the AWS CLI does for
/// <c>aws sso login</c>: <c>open</c> on macOS, <c>xdg-open</c> on Linux and other Unix when a
/// graphical session is there (DISPLAY or WAYLAND_DISPLAY: without one xdg-open would start a text
/// browser in the terminal the code is shown in), the shell's <c>start</c> on Windows. Only http and
/// https addresses are opened, passed as one argument with no shell between, so an address the
/// service sent cannot become an option or a command. Not waited for; failing to open is not an
/// error, since the address is shown anyway.
/// </summary>
internal static class SystemBrowser
{
    /// <summary>Starts the browser at <paramref name="url"/>; null when it was, else why not (for a verbose line).</summary>
    public static string? TryOpen(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var address) || (address.Scheme != Uri.UriSchemeHttps && address.Scheme != Uri.UriSchemeHttp))
        {
            return "the address is not an http or https address";
        }

        ProcessStartInfo start;
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            // ShellExecute of an address is cmd's start: the default browser.
            start = new ProcessStartInfo(address.AbsoluteUri) { UseShellExecute = true };
        }
        else if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX))
        {
            start = Launcher("open", address);
        }
        else if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DISPLAY")) || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("WAYLAND_DISPLAY")))
        {
            start = Launcher("xdg-open", address);
        }
        else
        {
            return "there is no graphical session (neither DISPLAY nor WAYLAND_DISPLAY is set)";
        }

        try
        {
            // Disposing lets go of the handle; the browser runs on.
            using var browser = Process.Start(start);
            return null;
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException or PlatformNotSupportedException)
        {
            return $"{start.FileName} could not be started ({e.Message})";
        }
    }

    private static ProcessStartInfo Launcher(string program, Uri address)
    {
        // One argument: AbsoluteUri has no space, quote or backslash left (they are escaped), so
        // quoting it is enough for .NET's splitting of Arguments.
        return new ProcessStartInfo(program, "\"" + address.AbsoluteUri + "\"") { UseShellExecute = false };
    }
}
