using System;
using System.Management.Automation;
using System.Threading;
using Altimeter.Auth;

namespace Altimeter.Auth.Commands;

/// <summary>
/// <para type="synopsis">Gets a URL that signs a browser into the AWS console as a session, or opens it.</para>
/// <para type="description">The session's temporary credentials go to the federation endpoint of its partition, which answers with a sign-in token; the URL carries that token. Anyone with the URL is signed in as the session for the 15 minutes AWS accepts it: treat it as a secret. It is never written to the verbose, debug, warning or error streams.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "AltimeterConsoleUrl")]
[OutputType(typeof(string))]
public sealed class GetAltimeterConsoleUrlCommand : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>The session (from Get-AltimeterSession); several from the pipeline give one URL each.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    public AltimeterSession Session { get; set; } = null!;

    /// <summary>The console page to land on: an https URL, or a console path such as /s3/home; default: the console home of the session's region.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Destination { get; set; }

    /// <summary>How long the console session lasts, in seconds (900 to 43200); default: as long as the session's credentials. AWS refuses it for credentials from role chaining.</summary>
    [Parameter]
    [ValidateRange(ConsoleSignInOptions.MinSessionDurationSeconds, ConsoleSignInOptions.MaxSessionDurationSeconds)]
    public int? SessionDuration { get; set; }

    /// <summary>Opens the URL in the default browser instead of writing it out.</summary>
    [Parameter]
    public SwitchParameter Open { get; set; }

    /// <summary>Seconds the federation endpoint may take to answer (default 30).</summary>
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
                SystemBrowser.Open(url);
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
            WriteVerbose($"{Session.AccountId}: console opened in the browser.");
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
