using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace Altimeter.Auth;

/// <summary>
/// The terminal a person sits at, when the process's own input and output are not it: a
/// credential_process the AWS CLI runs from a terminal (its output goes to the CLI), or a script
/// whose output is redirected. Asks on /dev/tty, as ssh and sudo do; echo is off (termios) while
/// the line is typed. Unix only: on Windows there is none (there only the PowerShell host asks).
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
        var descriptor = (int)_terminal.SafeFileHandle.DangerousGetHandle();
        var saved = Termios.EchoOff(descriptor);
        if (saved is null)
        {
            Write("(echo could not be turned off: what you type is shown) ");
        }

        var echoBack = saved is null ? Array.Empty<IDisposable>() : EchoBackOnSignal(descriptor, saved);
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
            if (saved is not null)
            {
                Termios.Restore(descriptor, saved);
            }

            foreach (var registration in echoBack)
            {
                registration.Dispose();
            }

            Write(Environment.NewLine);
        }
    }

    public void Dispose() => _terminal.Dispose();

    // Ctrl+C, a closed window or a kill while the code is typed: the terminal gets its echo back
    // before the process ends (the signal then does what it would have done). Not where PowerShell
    // runs (.NET Standard 2.0): pwsh's console host handles Ctrl+C itself.
    private static IDisposable[] EchoBackOnSignal(int descriptor, byte[] saved)
    {
#if NET
        return OperatingSystem.IsWindows()
            ? Array.Empty<IDisposable>()
            : Array.ConvertAll(
                new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT },
                signal => (IDisposable)PosixSignalRegistration.Create(signal, _ => Termios.Restore(descriptor, saved)));
#else
        _ = descriptor;
        _ = saved;
        return Array.Empty<IDisposable>();
#endif
    }
}
