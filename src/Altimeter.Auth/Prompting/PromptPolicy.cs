using System;
using System.Collections.Generic;

namespace Altimeter.Auth;

/// <summary>Where a person is asked for something (an MFA code, a sign-in to approve).</summary>
internal enum PersonToAsk
{
    /// <summary>Nobody is asked: what needs a person fails at once instead of waiting.</summary>
    Nobody,

    /// <summary>The PowerShell host, through its user interface.</summary>
    Host,

    /// <summary>The controlling terminal (/dev/tty), when the process's own input or output is not the person's.</summary>
    ControllingTerminal,
}

/// <summary>What is known about the host and the process when deciding whom to ask.</summary>
internal sealed class PromptFacts
{
    public PromptFacts(bool hostHasUserInterface, bool isConsoleHost, IReadOnlyList<string> commandLine, bool userInteractive, bool inputRedirected, bool outputRedirected)
    {
        HostHasUserInterface = hostHasUserInterface;
        IsConsoleHost = isConsoleHost;
        CommandLine = commandLine ?? throw new ArgumentNullException(nameof(commandLine));
        UserInteractive = userInteractive;
        InputRedirected = inputRedirected;
        OutputRedirected = outputRedirected;
    }

    /// <summary>The host has a user interface at all.</summary>
    public bool HostHasUserInterface { get; }

    /// <summary>The host is pwsh's own console host (not an editor's, not a hosted runspace).</summary>
    public bool IsConsoleHost { get; }

    /// <summary>The process's command line, the program first (<see cref="Environment.GetCommandLineArgs"/>).</summary>
    public IReadOnlyList<string> CommandLine { get; }

    /// <summary>The process runs where a person can be (<see cref="Environment.UserInteractive"/>).</summary>
    public bool UserInteractive { get; }

    /// <summary>Standard input is not the console.</summary>
    public bool InputRedirected { get; }

    /// <summary>Standard output is not the console.</summary>
    public bool OutputRedirected { get; }
}

/// <summary>
/// Who may be asked, decided the same way by every command that needs a person (an answer given
/// beforehand, such as -TokenCode, is the caller's: nobody is asked then): nobody when there is no
/// user interface; any host other than
/// pwsh's console answers or refuses itself; pwsh's console host under -NonInteractive asks nobody
/// (CI jobs, services: nothing waits for a person there); with a person at the console, the host;
/// when the console's input or output is redirected (a credential_process the AWS CLI runs from a
/// terminal), the controlling terminal, if the process has one.
/// </summary>
internal static class PromptPolicy
{
    /// <summary>Whom to ask, given what is known.</summary>
    public static PersonToAsk WhoToAsk(PromptFacts facts)
    {
        if (facts is null) throw new ArgumentNullException(nameof(facts));
        if (!facts.HostHasUserInterface)
        {
            return PersonToAsk.Nobody;
        }

        if (!facts.IsConsoleHost)
        {
            return PersonToAsk.Host;
        }

        if (IsNonInteractive(facts.CommandLine))
        {
            return PersonToAsk.Nobody;
        }

        return facts.UserInteractive && !facts.InputRedirected && !facts.OutputRedirected
            ? PersonToAsk.Host
            : PersonToAsk.ControllingTerminal;
    }

    /// <summary>
    /// True when pwsh was started with -NonInteractive, read as pwsh reads its command line
    /// (CommandLineParameterParser.cs in PowerShell/PowerShell): a switch starts with a dash
    /// (-, --, or a typographic dash) or a slash and may be shortened down to its shortest
    /// unambiguous prefix (-noni); -Interactive later on the line undoes it; the script and
    /// command and whatever follows them (-File, -Command, or the first word that is no switch)
    /// are not pwsh's, so a script's own -NonInteractive parameter does not count.
    /// </summary>
    /// <param name="commandLine">The command line, the program first.</param>
    public static bool IsNonInteractive(IReadOnlyList<string> commandLine)
    {
        if (commandLine is null) throw new ArgumentNullException(nameof(commandLine));
        var nonInteractive = false;
        for (var i = 1; i < commandLine.Count; i++)
        {
            var name = SwitchName(commandLine[i]);
            if (name is null || Is(name, "file", "f") || Is(name, "command", "c") || Is(name, "commandwithargs", "cwa"))
            {
                // The script, the command or a file: the rest of the line is theirs.
                break;
            }

            if (name.Length == 0)
            {
                continue;
            }

            if (Is(name, "noninteractive", "noni") || Is(name, "version", "v"))
            {
                nonInteractive = true;
            }
            else if (Is(name, "interactive", "i"))
            {
                nonInteractive = false;
            }
            else if (TakesValue(name))
            {
                i++;
            }
            else if (!IsSwitch(name))
            {
                // pwsh takes the first word it does not know for the script to run.
                break;
            }
        }

        return nonInteractive;
    }

    // The switch's name without its dash or slash; empty for an empty word; null for a word that is no switch.
    private static string? SwitchName(string word)
    {
        var trimmed = word.Trim();
        if (trimmed.Length == 0)
        {
            return string.Empty;
        }

        var first = trimmed[0];
        if (!IsDash(first) && first != '/')
        {
            return null;
        }

        var name = trimmed.Substring(1);
        return name.Length > 0 && IsDash(first) && name[0] == first ? name.Substring(1) : name;
    }

    private static bool IsDash(char c) => c is '-' or '\u2013' or '\u2014' or '\u2015';

    private static bool Is(string name, string full, string shortest) =>
        name.Length >= shortest.Length && full.StartsWith(name, StringComparison.OrdinalIgnoreCase);

    private static bool TakesValue(string name) =>
        Is(name, "configurationfile", "configurationfile") || Is(name, "configurationname", "config") || Is(name, "custompipename", "cus")
        || Is(name, "windowstyle", "w") || Is(name, "outputformat", "o") || Is(name, "of", "o") || Is(name, "inputformat", "inp") || Is(name, "if", "if")
        || Is(name, "executionpolicy", "ex") || Is(name, "ep", "ep") || Is(name, "encodedcommand", "e") || Is(name, "ec", "e")
        || Is(name, "encodedarguments", "encodeda") || Is(name, "ea", "ea") || Is(name, "settingsfile", "settings")
        || Is(name, "workingdirectory", "wo") || Is(name, "wd", "wd");

    private static bool IsSwitch(string name) =>
        Is(name, "help", "h") || Is(name, "?", "?") || Is(name, "login", "l") || Is(name, "noexit", "noe") || Is(name, "noprofile", "nop")
        || Is(name, "nologo", "nol") || Is(name, "socketservermode", "so") || Is(name, "servermode", "s") || Is(name, "namedpipeservermode", "nam")
        || Is(name, "sshservermode", "sshs") || Is(name, "noprofileloadtime", "noprofileloadtime") || Is(name, "sta", "sta") || Is(name, "mta", "mta")
        || Is(name, "removeworkingdirectorytrailingcharacter", "removeworkingdirectorytrailingcharacter");
}
