using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace Altimeter.Auth.Commands;

/// <summary>
/// The terminal a person sits at, when the process's own input and output are not it: a
/// credential_process the AWS CLI runs from a terminal (its output goes to the CLI), or a script
/// whose output is redirected. Asks on /dev/tty, as ssh and sudo do; echo is turned off with stty
/// while the line is typed. Unix only: on Windows only the PowerShell host asks.
/// </summary>
internal sealed class ControllingTerminal : IHiddenLineReader, IDisposable
{
    private const string TerminalPath = "/dev/tty";
    private readonly FileStream _terminal;

    private ControllingTerminal(FileStream terminal) => _terminal = terminal;

    /// <summary>The process's controlling terminal, or null when it has none (a CI job, a service, Windows).</summary>
    public static ControllingTerminal? TryOpen()
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            return null;
        }

        try
        {
            return new ControllingTerminal(new FileStream(TerminalPath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 1));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public void Write(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        _terminal.Write(bytes, 0, bytes.Length);
        _terminal.Flush();
    }

    public string? ReadHiddenLine()
    {
        var echoOff = Stty("-echo");
        if (!echoOff)
        {
            Write("(echo could not be turned off: what you type is shown) ");
        }

        try
        {
            var line = new MemoryStream();
            int next;
            while ((next = _terminal.ReadByte()) >= 0 && next != '\n' && next != '\r')
            {
                line.WriteByte((byte)next);
            }

            return next < 0 && line.Length == 0 ? null : Encoding.UTF8.GetString(line.ToArray());
        }
        finally
        {
            if (echoOff)
            {
                Stty("echo");
            }

            Write(Environment.NewLine);
        }
    }

    public void Dispose() => _terminal.Dispose();

    // stty works on its standard input: the terminal, not this process's (redirected) one.
    private static bool Stty(string setting)
    {
        try
        {
            var info = new ProcessStartInfo("/bin/sh", $"-c \"stty {setting} < {TerminalPath}\"")
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var stty = Process.Start(info)!;
            return stty.WaitForExit(5000) && stty.ExitCode == 0;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return false;
        }
    }
}
