using System;
using System.Management.Automation;
using System.Threading;
using Altimeter.Auth;

namespace Altimeter.Auth.Commands;

[Cmdlet(VerbsCommon.Get, "AltimeterConsoleUrl")]
[OutputType(typeof(string))]
public sealed class GetAltimeterConsoleUrlCommand : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    public AltimeterSession Session { get; set; } = null!;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Destination { get; set; }

    [Parameter]
    [ValidateRange(ConsoleSignInOptions.MinSessionDurationSeconds, ConsoleSignInOptions.MaxSessionDurationSeconds)]
    public int? SessionDuration { get; set; }

    [Parameter]
    public SwitchParameter Open { get; set; }

    [Parameter]
    [ValidateRange(1, 600)]
    public int? TimeoutSec { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var log = new QueuedOutput(verbose: true);
        var options = new ConsoleSignInOptions
        {
            Destination = Destination,
            SessionDurationSeconds = SessionDuration,
            Timeout = TimeoutSec is int seconds ? TimeSpan.FromSeconds(seconds) : null,
            Log = log,
        };

        string? url = null;
        ConsoleSignInException? wrongForAll = null;
        AltimeterAuthException? failure = null;
        try
        {
            url = ConsoleSignIn.GetUrlAsync(Session, options, _stopping.Token).GetAwaiter().GetResult();
            if (Open)
            {
                SystemBrowser.OpenPrivately(url);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (ConsoleSignInException e) when (e.ErrorId is ConsoleSignInException.DestinationInvalid or ConsoleSignInException.EndpointInvalid)
        {
            wrongForAll = e;
        }
        catch (AltimeterAuthException e)
        {
            failure = e;
        }

        log.WriteTo(this);

        if (wrongForAll is not null)
        {
            // The same for every session of the pipeline: stop rather than fail each one.
            ThrowTerminatingError(ErrorRecordFactory.From(wrongForAll, Destination));
        }
        else if (failure is not null)
        {
            WriteError(ErrorRecordFactory.From(failure, Session));
        }
        else if (Open)
        {
            QueuedOutput.WriteVerboseLine(this, $"{Session.AccountId}: console opened in the browser.");
        }
        else
        {
            WriteObject(url);
        }
    }

    /// <inheritdoc />
    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>Lets go of the cancellation source.</summary>
    public void Dispose() => _stopping.Dispose();
}
