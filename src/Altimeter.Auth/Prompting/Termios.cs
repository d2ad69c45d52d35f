using System;
using System.Runtime.InteropServices;

namespace Altimeter.Auth;

/// <summary>
/// A terminal's echo, through termios(3) in the C library: no child process (stty), nothing a
/// trimmed, ahead-of-time compiled program would lose. struct termios is handled as bytes: its
/// fourth field c_lflag sits at byte 12 where tcflag_t is 4 bytes (Linux, &lt;asm-generic/termbits.h&gt;)
/// and at byte 24 where it is 8 (macOS, Darwin &lt;sys/termios.h&gt;); ECHO is 0x8 in both; TCSANOW is 0.
/// Unix only.
/// </summary>
internal static unsafe partial class Termios
{
    private const string LibC = "libc";
    // Larger than any struct termios (60 bytes with glibc on Linux, 72 on macOS).
    private const int StateSize = 256;
    private const int SetNow = 0;
    private const ulong Echo = 0x8;

    /// <summary>Turns echo off on the terminal <paramref name="descriptor"/>; the state before, to give to <see cref="Restore"/>, or null when it could not be done.</summary>
    public static byte[]? EchoOff(int descriptor)
    {
        var saved = new byte[StateSize];
        var changed = new byte[StateSize];
        fixed (byte* state = saved)
        {
            if (tcgetattr(descriptor, state) != 0)
            {
                return null;
            }
        }

        saved.CopyTo(changed, 0);
        fixed (byte* state = changed)
        {
            if (UnixSystemCalls.IsMacOS)
            {
                *(ulong*)(state + 24) &= ~Echo;
            }
            else
            {
                *(uint*)(state + 12) &= ~(uint)Echo;
            }

            return tcsetattr(descriptor, SetNow, state) == 0 ? saved : null;
        }
    }

    /// <summary>Puts the terminal back as <see cref="EchoOff"/> found it.</summary>
    public static void Restore(int descriptor, byte[] saved)
    {
        fixed (byte* state = saved)
        {
            _ = tcsetattr(descriptor, SetNow, state);
        }
    }

#pragma warning disable IDE1006 // names as in C
#if NET
    [LibraryImport(LibC, SetLastError = true)]
    private static partial int tcgetattr(int fd, byte* termios);

    [LibraryImport(LibC, SetLastError = true)]
    private static partial int tcsetattr(int fd, int optionalActions, byte* termios);
#else
    [DllImport(LibC, SetLastError = true)]
    private static extern int tcgetattr(int fd, byte* termios);

    [DllImport(LibC, SetLastError = true)]
    private static extern int tcsetattr(int fd, int optionalActions, byte* termios);
#endif
#pragma warning restore IDE1006
}
