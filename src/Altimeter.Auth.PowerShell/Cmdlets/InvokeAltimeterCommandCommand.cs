using System;
using System.Threading;
using System.Management.Automation;
using Altimeter.Auth;

namespace Altimeter.Auth.Commands;

[Cmdlet(VerbsLifecycle.Invoke, "AltimeterCommand", DefaultParameterSetName = ScriptBlockSet)]
public sealed class InvokeAltimeterCommandCommand : PSCmdlet, IDisposable
{
    private const string ScriptBlockSet = "ScriptBlock";
    private const string FilePathSet = "FilePath";

    private readonly CancellationTokenSource _stopping = new();
    private ProgramOutputWriter? _programs;

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ScriptBlockSet)]
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = FilePathSet)]
    public AltimeterSession Session { get; set; } = null!;

    [Parameter(Mandatory = true, Position = 1, ParameterSetName = ScriptBlockSet)]
    public ScriptBlock ScriptBlock { get; set; } = null!;

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = FilePathSet)]
    public string FilePath { get; set; } = null!;

    [Parameter(ValueFromRemainingArguments = true)]
    public object[] ArgumentList { get; set; } = Array.Empty<object>();

    [Parameter(ParameterSetName = ScriptBlockSet)]
    public SwitchParameter Refreshing { get; set; }

    [Parameter(ParameterSetName = FilePathSet)]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 5;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (ParameterSetName == FilePathSet)
        {
            (_programs ??= ProgramOutputWriter.Start(this, FilePath, ArgumentList, ThrottleLimit, _stopping.Token)).Add(Session);
        }
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (ParameterSetName == FilePathSet)
        {
            _programs?.Finish();
            return;
        }

        ContainerCredentialsEndpoint? endpoint = null;
        AwsEnvironmentLease lease;
        try
        {
            if (Refreshing.IsPresent)
            {
                var served = endpoint = ContainerCredentialsEndpoint.Start(Session);
                lease = AwsEnvironmentLease.AcquireForBlock(served.GetBlockVariables, () => QueuedOutput.WriteVerboseLine(this, AwsEnvironmentLease.WaitingMessage), _stopping.Token);
                QueuedOutput.WriteVerboseLine(this, $"Serving {Session.AccountId} ({Session.Region}) to the block at {served.Uri}.");
            }
            else
            {
                lease = AwsEnvironmentLease.Acquire(Session, () => QueuedOutput.WriteVerboseLine(this, AwsEnvironmentLease.WaitingMessage), _stopping.Token);
            }
        }
        catch (Exception e) when (e is CredentialEndpointException or ChildProfilesException)
        {
            endpoint?.Dispose();
            ThrowTerminatingError(ErrorRecordFactory.From((AltimeterAuthException)e, Session));
            return;
        }
        catch (OperationCanceledException)
        {
            endpoint?.Dispose();
            throw new PipelineStoppedException();
        }
        catch
        {
            endpoint?.Dispose();
            throw;
        }

        try
        {
            foreach (var result in ScriptBlock.Invoke(ArgumentList))
            {
                WriteObject(result);
            }
        }
        catch (PipelineStoppedException)
        {
            throw;
        }
        catch (RuntimeException e)
        {
            WriteError(e.ErrorRecord);
        }
        finally
        {
            lease.Dispose();
            endpoint?.Dispose();
        }
    }

    /// <inheritdoc />
    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>Kills the programs still running (the pipeline ended early) and lets go of the cancellation source.</summary>
    public void Dispose()
    {
        _programs?.Dispose();
        _stopping.Dispose();
    }
}
