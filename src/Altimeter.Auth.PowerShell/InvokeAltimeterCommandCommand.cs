using System;
using System.Threading;
using System.Management.Automation;
using Altimeter.Auth;

namespace Altimeter.Auth.Commands;

/// <summary>
/// <para type="synopsis">Runs a script block with a session's AWS_* environment variables, set only while it runs.</para>
/// <para type="description">Native programs started inside the script block (aws, terraform) see the session's keys; the variables as they were are put back afterwards, even when the script block fails. With -Refreshing they see no keys but a loopback credentials endpoint that serves the session, renewed, for as long as the block runs. Environment variables belong to the process, so one script block at a time holds them: a block in another runspace (ForEach-Object -Parallel) waits for the one running, and says so with -Verbose.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "AltimeterCommand")]
public sealed class InvokeAltimeterCommandCommand : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>The session (from Get-AltimeterSession).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public AltimeterSession Session { get; set; } = null!;

    /// <summary>What to run.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public ScriptBlock ScriptBlock { get; set; } = null!;

    /// <summary>Arguments passed to the script block.</summary>
    [Parameter(ValueFromRemainingArguments = true)]
    public object[] ArgumentList { get; set; } = Array.Empty<object>();

    /// <summary>
    /// Serve the session on a loopback container-credentials endpoint instead of setting its keys:
    /// the block sees AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN, and
    /// tools that run past the keys' expiry fetch renewed ones. The endpoint closes with the block.
    /// </summary>
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
                lease = AwsEnvironmentLease.AcquireForBlock(served.GetEnvironmentVariables, () => WriteVerbose(AwsEnvironmentLease.WaitingMessage), _stopping.Token);
                WriteVerbose($"Serving {Session.AccountId} ({Session.Region}) to the block at {served.Uri}.");
            }
            else
            {
                lease = AwsEnvironmentLease.Acquire(Session, () => WriteVerbose(AwsEnvironmentLease.WaitingMessage), _stopping.Token);
            }
        }
        catch (CredentialEndpointException e)
        {
            ThrowTerminatingError(ErrorRecordFactory.From(e, Session));
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
