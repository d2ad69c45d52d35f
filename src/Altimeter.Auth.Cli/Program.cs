using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Altimeter.Auth;

namespace Altimeter.Auth.Cli;

/// <summary>
/// altimeter-credential-process: the AWS CLI's credential_process for one account, the engine
/// without PowerShell, compiled ahead of time (starts in milliseconds, where pwsh takes a second).
/// The same accessor files, chains, caches (ALTIMETER_CREDENTIAL_CACHE) and checks as
/// Invoke-AltimeterCredentialProcess: one line of credential JSON on standard output and nothing
/// else there; warnings and errors as plain lines on standard error; exit 1 on failure, 2 on a
/// usage error. An MFA code is asked on the controlling terminal, hidden, as the module asks.
/// </summary>
internal static class Program
{
    private const string MfaAdvice = "Run the command from a terminal: altimeter-credential-process asks there (on /dev/tty) for the code.";
    private const string Usage = "usage: altimeter-credential-process <account-id> [--path <accessor file>] [--region <region>] [--shared-cache <directory>] [--no-cache]";

    private static async Task<int> Main(string[] args)
    {
        var arguments = Arguments.Parse(args);
        if (arguments is null)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var log = new StandardErrorLog();
        try
        {
            var options = new AccessorLoadOptions
            {
                CacheCreds = arguments.NoCache ? false : null,
                CredentialsCache = arguments.SharedCache is null ? ProcessCaches.Default : ProcessCaches.ForDirectory(Path.GetFullPath(arguments.SharedCache)),
            };
            var accessor = arguments.Path is null
                ? new Accessor(cacheCreds: !arguments.NoCache, credentialsCache: options.CredentialsCache)
                : AccessorFile.Load(Path.GetFullPath(arguments.Path), options);
            foreach (var warning in accessor.Warnings)
            {
                log.Warning(warning);
            }

            // Standard output is the AWS CLI's: a code is asked on the terminal the person sits at.
            using var question = AskForMfaCodes(accessor);
            var sessionOptions = new SessionOptions { Region = arguments.Region, Log = log, MfaTokenCode = question is null ? null : question.CodeForAsync };
            var session = await accessor.GetSessionAsync(arguments.AccountId, sessionOptions, CancellationToken.None).ConfigureAwait(false);
            Console.Out.WriteLine(CredentialExport.CredentialProcessJson(session));
            return 0;
        }
        catch (AltimeterAuthException e)
        {
            Console.Error.WriteLine($"{e.ErrorId}: {e.Message}");
            if (MfaTokenRequiredException.IsCauseOf(e))
            {
                Console.Error.WriteLine(MfaAdvice);
            }

            return 1;
        }
    }

    // Only a chain with an MFA step opens the terminal; without one (a CI job, setsid) there is
    // nobody to ask, and such a step fails at once with MfaTokenRequired.
    private static MfaCodeQuestion? AskForMfaCodes(Accessor accessor) =>
        accessor.HasMfaSteps && ControllingTerminal.TryOpen() is { } terminal ? new MfaCodeQuestion(terminal) : null;

    private sealed class Arguments
    {
        public string AccountId { get; private set; } = string.Empty;

        public string? Path { get; private set; }

        public string? Region { get; private set; }

        public string? SharedCache { get; private set; }

        public bool NoCache { get; private set; }

        public static Arguments? Parse(string[] args)
        {
            var parsed = new Arguments();
            for (var i = 0; i < args.Length; i++)
            {
                string? Value() => i + 1 < args.Length ? args[++i] : null;
                switch (args[i])
                {
                    case "--path": parsed.Path = Value() ?? string.Empty; break;
                    case "--region": parsed.Region = Value() ?? string.Empty; break;
                    case "--shared-cache": parsed.SharedCache = Value() ?? string.Empty; break;
                    case "--no-cache": parsed.NoCache = true; break;
                    default:
                        if (args[i].StartsWith('-') || parsed.AccountId.Length > 0) return null;
                        parsed.AccountId = args[i];
                        break;
                }
            }

            return parsed.AccountId.Length == 0 || parsed.Path?.Length == 0 || parsed.Region?.Length == 0 || parsed.SharedCache?.Length == 0 ? null : parsed;
        }
    }

    // Plain lines, no colour: the AWS CLI shows standard error to the user as it is.
    private sealed class StandardErrorLog : IAuthLog
    {
        public bool IsEnabled => false;

        public void Verbose(string message)
        {
        }

        public void Warning(string message) => Console.Error.WriteLine("WARNING: " + message);
    }
}
