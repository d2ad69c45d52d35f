using System;
using System.Threading;
using System.Management.Automation;
using Altimeter.Auth;

namespace Altimeter.Auth.Commands;

[Cmdlet(VerbsLifecycle.Invoke, "AltimeterCommand")]
public sealed class InvokeAltimeterCommandCommand : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    [Parameter(Mandatory = true, Position = 0)]
    public AltimeterSession Session { get; set; } = null!;

    [Parameter(Mandatory = true, Position = 1)]
    public ScriptBlock ScriptBlock { get; set; } = null!;

    [Parameter(ValueFromRemainingArguments = true)]
    public object[] ArgumentList { get; set; } = Array.Empty<object>();

    [Parameter]
    public SwitchParameter Refreshing { get; set; }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
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

    /// <summary>Lets go of the cancellation source.</summary>
    public void Dispose() => _stopping.Dispose();
}
