using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Threading.Tasks;
using Altimeter.Auth;

namespace Altimeter.Auth.Commands;

/// <summary>
/// The engine's output for one call of a cmdlet: verbose messages and warnings, collected from
/// whatever thread the engine's awaits resume on. The cmdlet writes them on its pipeline thread,
/// the only one PowerShell lets write, so they reach the runspace whose call caused them and no
/// other.
/// </summary>
internal sealed class QueuedOutput : IAuthLog
{
    private readonly ConcurrentQueue<(bool IsWarning, string Message)> _messages = new();

    /// <param name="verbose">Whether verbose messages are wanted (warnings always are).</param>
    public QueuedOutput(bool verbose)
    {
        IsEnabled = verbose;
    }

    public bool IsEnabled { get; }

    /// <summary>Whether <paramref name="cmdlet"/>'s caller wants verbose messages: -Verbose when given, else -Debug when given, else $VerbosePreference.</summary>
    public static bool VerboseWanted(PSCmdlet cmdlet) =>
        cmdlet.MyInvocation.BoundParameters.TryGetValue("Verbose", out var verbose)
            ? ((SwitchParameter)verbose).IsPresent
            : DebugWithoutVerbose(cmdlet)
              || (cmdlet.GetVariableValue("VerbosePreference") is ActionPreference preference && preference != ActionPreference.SilentlyContinue);

    /// <summary>
    /// Writes a verbose message of <paramref name="cmdlet"/>; every verbose line of the cmdlets goes
    /// through here. With -Debug and no -Verbose, PowerShell's runtime answers WriteVerbose with
    /// Inquire (MshCommandRuntime.VerbosePreference checks the Debug flag before $VerbosePreference):
    /// a confirmation prompt for each line, which a non-interactive host refuses, failing the
    /// command. WriteDebug under -Debug continues without asking, so the line is written as debug.
    /// </summary>
    public static void WriteVerboseLine(PSCmdlet cmdlet, string message)
    {
        if (DebugWithoutVerbose(cmdlet))
        {
            cmdlet.WriteDebug(message);
        }
        else
        {
            cmdlet.WriteVerbose(message);
        }
    }

    private static bool DebugWithoutVerbose(PSCmdlet cmdlet) =>
        cmdlet.MyInvocation.BoundParameters.TryGetValue("Debug", out var debug) && ((SwitchParameter)debug).IsPresent
        && !cmdlet.MyInvocation.BoundParameters.ContainsKey("Verbose");

    public void Verbose(string message)
    {
        if (IsEnabled)
        {
            _messages.Enqueue((false, message));
        }
    }

    public void Warning(string message) => _messages.Enqueue((true, message));

    /// <summary>Writes what was queued, in order, through <paramref name="cmdlet"/>; call it on the pipeline thread.</summary>
    public void WriteTo(PSCmdlet cmdlet)
    {
        while (_messages.TryDequeue(out var queued))
        {
            if (queued.IsWarning)
            {
                cmdlet.WriteWarning(queued.Message);
            }
            else
            {
                WriteVerboseLine(cmdlet, queued.Message);
            }
        }
    }

    /// <summary>
    /// Waits on the pipeline thread for <paramref name="work"/> (the engine's, on the thread pool),
    /// writing its messages through <paramref name="cmdlet"/> as they come; then its result or error.
    /// </summary>
    public T WriteWhileWaiting<T>(Task<T> work, PSCmdlet cmdlet)
    {
        while (!((IAsyncResult)work).AsyncWaitHandle.WaitOne(200))
        {
            WriteTo(cmdlet);
        }

        WriteTo(cmdlet);
        return work.GetAwaiter().GetResult();
    }
}
