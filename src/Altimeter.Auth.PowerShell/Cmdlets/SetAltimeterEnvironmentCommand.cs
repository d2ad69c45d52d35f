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

        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_PROFILE")))
        {
            WriteWarning("AWS_PROFILE is set: a tool given a profile may use it instead of these keys.");
        }

        QueuedOutput.WriteVerboseLine(this, $"AWS_* variables set for {Session.AccountId} ({Session.Region}), key {Session.AccessKeyId}.");
    }

    /// <inheritdoc />
    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>Lets go of the cancellation source.</summary>
    public void Dispose() => _stopping.Dispose();
}
