using System;
using System.Management.Automation.Host;
using Altimeter.Auth;

namespace Altimeter.Auth.Commands;

/// <summary>
/// The person <see cref="PromptPolicy"/> says may be asked, at this host and in this process, for
/// every cmdlet that needs one (an MFA code, a sign-in to approve).
/// </summary>
internal static class PersonAtHost
{
    /// <summary>Where to ask, or null when nobody can be asked. A terminal opened here is the caller's to dispose.</summary>
    public static IHiddenLineReader? Find(PSHost host)
    {
        var facts = new PromptFacts(
            hostHasUserInterface: host?.UI is not null,
            isConsoleHost: host?.Name == "ConsoleHost",
            commandLine: Environment.GetCommandLineArgs(),
            userInteractive: Environment.UserInteractive,
            inputRedirected: Console.IsInputRedirected,
            outputRedirected: Console.IsOutputRedirected);
        return PromptPolicy.WhoToAsk(facts) switch
        {
            PersonToAsk.Host => new HostLineReader(host!.UI),
            PersonToAsk.ControllingTerminal => ControllingTerminal.TryOpen(),
            _ => null,
        };
    }
}
