using System;
using System.Management.Automation;
using System.Threading;
using Altimeter.Auth;

namespace Altimeter.Auth.Commands;

[Cmdlet(VerbsCommon.Set, "AltimeterEnvironment", SupportsShouldProcess = true)]
[OutputType(typeof(void))]
public sealed class SetAltimeterEnvironmentCommand : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private int _set;

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    public AltimeterSession Session { get; set; } = null!;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (!ShouldProcess($"AWS_* environment variables of this process ({Session.AccountId} {Session.Region}, key {Session.AccessKeyId})", "Set"))
        {
            return;
        }

        try
        {
            AwsEnvironmentLease.SetForProcess(CredentialExport.EnvironmentOf(Session), () => QueuedOutput.WriteVerboseLine(this, AwsEnvironmentLease.WaitingMessage), _stopping.Token);
        }
        catch (OperationCanceledException)
        {
            throw new PipelineStoppedException();
        }
        catch (KeysInParallelBlockException e)
        {
            ThrowTerminatingError(ErrorRecordFactory.From(e, Session));
        }

        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_PROFILE")))
        {
            WriteWarning("AWS_PROFILE is set: a tool given a profile may use it instead of these keys.");
        }

        _set++;
        QueuedOutput.WriteVerboseLine(this, $"AWS_* variables set for {Session.AccountId} ({Session.Region}), key {Session.AccessKeyId}.");
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        // The process has one set of AWS_* variables: each session piped in replaced the one before.
        if (_set > 1)
        {
            WriteWarning($"{_set} sessions were piped in, and the AWS_* variables hold only the last: {Session.AccountId} ({Session.Region}). For several accounts, run a block per session with Invoke-AltimeterCommand.");
        }
    }

    /// <inheritdoc />
    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>Lets go of the cancellation source.</summary>
    public void Dispose() => _stopping.Dispose();
}
