using System.Text;

namespace Altimeter.Auth.WindowsPowerShell;

/// <summary>The part of pwsh's command line the tests use: a script file and its arguments, or a command.</summary>
internal sealed class PwshCommandLine
{
    public string? ScriptFile { get; private set; }

    public string? ScriptText { get; private set; }

    public List<string> Arguments { get; } = new();

    public static bool TryParse(string[] args, out PwshCommandLine commandLine, out string problem)
    {
        commandLine = new PwshCommandLine();
        problem = string.Empty;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith('-'))
            {
                commandLine.ScriptFile = arg;
                commandLine.Arguments.AddRange(args.Skip(i + 1));
                return true;
            }

            switch (arg.ToLowerInvariant())
            {
                case "-noprofile" or "-nop" or "-noninteractive" or "-noni" or "-nologo":
                    break;
                case "-outputformat" or "-of" or "-executionpolicy" or "-ep" when i + 1 < args.Length:
                    i++;
                    break;
                case "-file" or "-f" when i + 1 < args.Length:
                    commandLine.ScriptFile = args[i + 1];
                    commandLine.Arguments.AddRange(args.Skip(i + 2));
                    return true;
                case "-command" or "-c" when i + 1 < args.Length:
                    commandLine.ScriptText = string.Join(" ", args.Skip(i + 1));
                    return true;
                case "-encodedcommand" or "-e" or "-ec" when i + 1 < args.Length:
                    commandLine.ScriptText = Encoding.Unicode.GetString(Convert.FromBase64String(args[i + 1]));
                    return true;
                default:
                    problem = $"unsupported argument {arg}";
                    return false;
            }
        }

        problem = "no script file and no command";
        return false;
    }
}
