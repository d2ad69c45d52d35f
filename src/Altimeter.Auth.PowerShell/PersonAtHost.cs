using System;
using System.Linq;
using System.Management.Automation.Host;

namespace Altimeter.Auth.Commands;

/// <summary>
/// Who can be asked, decided the same way by every cmdlet that needs a person (an MFA code, a
/// sign-in to approve): the console host when a person is at it; the controlling terminal when
/// the console's input or output is redirected (a credential_process the AWS CLI runs from a
/// terminal); any other host with a UI (it answers or refuses itself); nobody under
/// -NonInteractive or without a terminal (CI jobs, services), so nothing waits for a person there.
/// </summary>
internal static class PersonAtHost
{
    /// <summary>Where to ask, or null when nobody can be asked. A terminal opened here is the caller's to dispose.</summary>
    public static IHiddenLineReader? Find(PSHost host)
    {
        if (host?.UI is null)
        {
            return null;
        }

        if (host.Name != "ConsoleHost")
        {
            return new HostLineReader(host.UI);
        }

        if (Environment.GetCommandLineArgs().Any(a => a.StartsWith("-noni", StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        return Environment.UserInteractive && !Console.IsInputRedirected && !Console.IsOutputRedirected
            ? new HostLineReader(host.UI)
            : ControllingTerminal.TryOpen();
    }
}
