using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Win32.SafeHandles;

namespace Altimeter.Auth;

/// <summary>
/// The <c>credential_process</c> line of an exported profile: the native program shipped in the
/// module for this platform when there is one, else pwsh importing the module by its full path.
/// The AWS CLI splits the line itself (botocore's <c>compat_shell_split</c>: <c>shlex.split</c> on
/// POSIX, the C runtime's rules on Windows) and other SDKs hand it to <c>sh -c</c>: each argument
/// is quoted so that every one of them reads the same words.
/// </summary>
internal static class CredentialProcessCommandLine
{
    /// <summary>The native program's file name, in the module's <c>native/&lt;rid&gt;</c> folder.</summary>
    internal const string NativeProgramName = "altimeter-credential-process";

    private const int UserExecute = 0x40; // S_IXUSR, 0100

    // Words that need no quotes in sh, in shlex and in the C runtime.
    private static readonly Regex s_plainWord = new(@"\A[A-Za-z0-9_./:=@+,%-]+\z", RegexOptions.CultureInvariant);

    // PowerShell reads these as single quotes too: each is doubled inside a single-quoted string.
    private static readonly char[] s_powerShellSingleQuotes = { '\'', '\u2018', '\u2019', '\u201A', '\u201B' };

    /// <summary>Where the native program for this process's platform would be under <paramref name="moduleBase"/>, or null where none is built (only linux-x64 is).</summary>
    internal static string? NativeProgramPath(string moduleBase) =>
        RuntimeInformation.IsOSPlatform(OSPlatform.Linux) && RuntimeInformation.OSArchitecture == Architecture.X64
            ? Path.GetFullPath(Path.Combine(moduleBase, "native", "linux-x64", NativeProgramName))
            : null;

    /// <summary>The native program under <paramref name="moduleBase"/>, or null when none is shipped for this platform or it may not be run.</summary>
    internal static string? NativeProgram(string moduleBase)
    {
        // A copy that lost its execute bit (a .nupkg keeps no file modes) would fail every AWS CLI call.
        var program = NativeProgramPath(moduleBase);
        return program is not null && File.Exists(program) && UnixSystemCalls.IsExecutable(program) ? program : null;
    }

    /// <summary>
    /// Gives the shipped native <paramref name="program"/> back the execute bit a package install
    /// dropped (a .nupkg keeps no file modes: Install-PSResource leaves it 0644). Adds u+x to our own program only: it must really be inside the module folder (its real path
    /// under the folder's real path), it and every directory up to the folder must belong to this user
    /// or root and be writable by no one else (<see cref="UnixTrustedPath"/>), and the file opened
    /// (not following a link) must be a regular file of this user's that others cannot write. The mode
    /// is changed on that open descriptor (fchmod), so what was checked is what changes. False, and
    /// <paramref name="why"/> in words, when any of that does not hold.
    /// </summary>
    internal static bool TryMakeRunnable(string program, string moduleBase, out string? why)
    {
        var realProgram = UnixSystemCalls.RealPath(program);
        var realModule = UnixSystemCalls.RealPath(moduleBase);
        if (realProgram is null || realModule is null || !realProgram.StartsWith(realModule.TrimEnd('/') + "/", StringComparison.Ordinal))
        {
            why = $"it is not inside the module folder {moduleBase}";
            return false;
        }

        if (UnixTrustedPath.CheckFile(program, moduleBase, out var where, out var distrust) != UnixTrustedPath.Verdict.Trusted)
        {
            why = distrust is null ? "it is not there" : $"{where} {distrust}";
            return false;
        }

        var fd = UnixSystemCalls.Open(program, UnixSystemCalls.ReadOnly | UnixSystemCalls.NoFollow | UnixSystemCalls.NonBlocking | UnixSystemCalls.CloseOnExec);
        if (fd < 0)
        {
            why = $"it cannot be opened ({UnixSystemCalls.Failure("open", UnixSystemCalls.LastError).Message})";
            return false;
        }

        using var handle = new SafeFileHandle((IntPtr)fd, ownsHandle: true);
        var status = UnixFileStatus.Of(handle);
        why = !status.IsRegularFile ? $"it is a {status.TypeName}, not a regular file"
            : status.OwnerUserId != UnixSystemCalls.EffectiveUserId ? $"it belongs to uid {status.OwnerUserId}, not to this user (uid {UnixSystemCalls.EffectiveUserId})"
            : status.IsWritableByOthers ? $"other users can write it (mode {status.OctalPermissions})"
            : UnixSystemCalls.ChangeMode(fd, status.Permissions | UserExecute) != 0 ? UnixSystemCalls.Failure("fchmod", UnixSystemCalls.LastError).Message
            : null;
        return why is null;
    }

    /// <summary>The line running the native <paramref name="program"/> for the account.</summary>
    internal static string ForNativeProgram(string program, string accountId, string accessorPath, string? region)
    {
        var arguments = new List<string> { program, accountId, "--path", accessorPath };
        if (region is not null)
        {
            arguments.Add("--region");
            arguments.Add(region);
        }

        return Join(arguments);
    }

    /// <summary>
    /// The line running <paramref name="pwsh"/> (the program and any arguments before pwsh's own, such as
    /// <c>dotnet /path/pwsh.dll</c>), importing the module from <paramref name="manifestPath"/>.
    /// </summary>
    internal static string ForPowerShell(IReadOnlyList<string> pwsh, string manifestPath, string accountId, string accessorPath, string? region)
    {
        var command = new StringBuilder()
            .Append("Import-Module ").Append(SingleQuoted(manifestPath))
            .Append("; Invoke-AltimeterCredentialProcess ").Append(accountId)
            .Append(" -Path ").Append(SingleQuoted(accessorPath));
        if (region is not null)
        {
            command.Append(" -Region ").Append(SingleQuoted(region));
        }

        // Not -NonInteractive: a step with an mfa_serial asks on the terminal the AWS CLI runs from,
        // and without one fails at once (PromptPolicy), so nothing waits for an answer.
        return Join(pwsh.Concat(new[] { "-NoProfile", "-Command", command.ToString() }));
    }

    /// <summary>The arguments as one line this platform's AWS CLI splits back into them.</summary>
    /// <exception cref="ArgumentException">An argument holds a line break or a NUL: a config file's value is one line.</exception>
    internal static string Join(IEnumerable<string> arguments)
    {
        Func<string, string> quote = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? QuoteForWindows : QuoteForPosix;
        return string.Join(" ", arguments.Select(quote));
    }

    /// <summary>One argument for shlex.split and sh alike.</summary>
    internal static string QuoteForPosix(string argument)
    {
        RequireOneLine(argument);
        if (s_plainWord.IsMatch(argument))
        {
            return argument;
        }

        // Inside double quotes shlex and sh disagree only on \ $ ` and " itself.
        if (argument.IndexOfAny(new[] { '"', '\\', '$', '`' }) < 0)
        {
            return "\"" + argument + "\"";
        }

        return "'" + argument.Replace("'", "'\"'\"'") + "'";
    }

    /// <summary>One argument as the C runtime's command-line parsing reads it back (botocore's Windows split follows it).</summary>
    internal static string QuoteForWindows(string argument)
    {
        RequireOneLine(argument);
        if (s_plainWord.IsMatch(argument))
        {
            return argument;
        }

        var quoted = new StringBuilder("\"");
        var backslashes = 0;
        foreach (var c in argument)
        {
            if (c == '\\')
            {
                backslashes++;
                continue;
            }

            // Backslashes are literal unless a quote follows them: then each is doubled and the quote escaped.
            quoted.Append('\\', c == '"' ? (backslashes * 2) + 1 : backslashes).Append(c);
            backslashes = 0;
        }

        return quoted.Append('\\', backslashes * 2).Append('"').ToString();
    }

    private static string SingleQuoted(string text)
    {
        var quoted = new StringBuilder("'");
        foreach (var c in text)
        {
            quoted.Append(c);
            if (Array.IndexOf(s_powerShellSingleQuotes, c) >= 0)
            {
                quoted.Append(c);
            }
        }

        return quoted.Append('\'').ToString();
    }

    private static void RequireOneLine(string argument)
    {
        if (argument.IndexOfAny(new[] { '\r', '\n', '\0' }) >= 0)
        {
            throw new ArgumentException($"'{argument.Replace("\r", "\\r").Replace("\n", "\\n").Replace("\0", "\\0")}' holds a line break or NUL, which a config file's one-line value cannot carry.", nameof(argument));
        }
    }
}
