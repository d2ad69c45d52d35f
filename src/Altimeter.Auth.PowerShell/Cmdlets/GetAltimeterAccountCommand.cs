using System;
using System.Management.Automation;
using System.Threading;
using Altimeter.Auth;

namespace Altimeter.Auth.Commands;

[Cmdlet(VerbsCommon.Get, "AltimeterAccount", DefaultParameterSetName = ProfileSet)]
[OutputType(typeof(IdentityCenterAccount))]
public sealed class GetAltimeterAccountCommand : PSCmdlet, IDisposable
{
    private const string ProfileSet = "Profile";
    private const string SsoSessionSet = "SsoSession";
    private readonly CancellationTokenSource _stopping = new();
    private IdentityCenterPortal? _portal;
    private string? _target;

    [Parameter(Position = 0, ParameterSetName = ProfileSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ProfileNameCompleter))]
    public string? ProfileName { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = SsoSessionSet)]
    [ValidateNotNullOrEmpty]
    public string SsoSession { get; set; } = string.Empty;

    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 8;

    /// <inheritdoc />
    /// <remarks>The portal is found first: a config file that names none stops the command before any later one begins.</remarks>
    protected override void BeginProcessing()
    {
        // As aws sso list-accounts: the named profile, else AWS_PROFILE, else default (read outside
        // any Invoke-AltimeterCommand block, which unsets AWS_PROFILE while it runs).
        var profileName = ParameterSetName == SsoSessionSet ? null : ProfileName ?? AwsEnvironmentLease.Read(() => DefaultIdentityCenterProfile.Name);
        _target = profileName ?? SsoSession;
        try
        {
            _portal = profileName is null ? IdentityCenterPortal.FromSsoSession(SsoSession) : IdentityCenterPortal.FromProfile(profileName);
        }
        catch (AltimeterAuthException e)
        {
            ThrowTerminatingError(ErrorRecordFactory.From(e, _target));
        }
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        var portal = _portal!;
        var log = new QueuedOutput(QueuedOutput.VerboseWanted(this));
        try
        {
            QueuedOutput.WriteVerboseLine(this, $"Listing the accounts of {portal} ({portal.StartUrl}).");
            using var accounts = new IdentityCenterAccounts(portal, log);
            foreach (var account in log.WriteWhileWaiting(accounts.ListAsync(ThrottleLimit, _stopping.Token), this))
            {
                WriteObject(account);
            }
        }
        catch (AltimeterAuthException e)
        {
            ThrowTerminatingError(ErrorRecordFactory.From(e, _target));
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }

    /// <inheritdoc />
    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>Stops calls left behind.</summary>
    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }
}
