using System;
using System.Management.Automation;
using System.Threading;
using Altimeter.Auth;

namespace Altimeter.Auth.Commands;

[Cmdlet(VerbsLifecycle.Invoke, "AltimeterSsoLogin", DefaultParameterSetName = ProfileSet)]
[OutputType(typeof(SsoSignInResult))]
public sealed class InvokeAltimeterSsoLoginCommand : PSCmdlet, IDisposable
{
    private const string ProfileSet = "Profile";
    private const string SsoSessionSet = "SsoSession";
    private readonly CancellationTokenSource _stopping = new();

    [Parameter(Position = 0, ParameterSetName = ProfileSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(IdentityCenterProfileCompleter))]
    public string ProfileName { get; set; } = string.Empty;

    [Parameter(Mandatory = true, ParameterSetName = SsoSessionSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SsoSessionCompleter))]
    public string SsoSession { get; set; } = string.Empty;

    [Parameter]
    public SwitchParameter NoBrowser { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (ParameterSetName == ProfileSet && string.IsNullOrEmpty(ProfileName))
        {
            // As aws sso login: the profile AWS_PROFILE names, else the default one.
            var fromEnvironment = AwsEnvironmentLease.Read(() => Environment.GetEnvironmentVariable("AWS_PROFILE"));
            ProfileName = string.IsNullOrWhiteSpace(fromEnvironment) ? "default" : fromEnvironment!.Trim();
            QueuedOutput.WriteVerboseLine(this, $"Signing in for profile '{ProfileName}' ({(string.IsNullOrWhiteSpace(fromEnvironment) ? "no -ProfileName, and AWS_PROFILE is not set" : "AWS_PROFILE")}).");
        }

        IdentityCenterPortal portal;
        try
        {
            portal = ParameterSetName == SsoSessionSet ? IdentityCenterPortal.FromSsoSession(SsoSession) : IdentityCenterPortal.FromProfile(ProfileName);
        }
        catch (SsoSignInException e)
        {
            ThrowTerminatingError(ErrorRecordFactory.From(e, Target));
            return;
        }

        var person = PersonAtHost.Find(Host);
        if (person is null)
        {
            ThrowTerminatingError(ErrorRecordFactory.From(
                new SsoSignInException(SsoSignInException.NotInteractive, $"Signing in to {portal.StartUrl} ({portal}) needs a person to approve it in a browser, and nobody can be asked here (-NonInteractive, or no terminal). Sign in from an interactive shell: Invoke-AltimeterSsoLogin {Argument}"),
                Target));
            return;
        }

        var log = new QueuedOutput(QueuedOutput.VerboseWanted(this));
        try
        {
            using var signIn = new IdentityCenterSignIn(portal, log);
            var authorization = log.WriteWhileWaiting(signIn.StartAsync(_stopping.Token), this);
            person.Write(Instructions(authorization));
            if (!NoBrowser.IsPresent)
            {
                OpenBrowser(authorization.VerificationUriComplete);
            }

            WriteObject(log.WriteWhileWaiting(signIn.CompleteAsync(authorization, _stopping.Token), this));
        }
        catch (SsoSignInException e)
        {
            ThrowTerminatingError(ErrorRecordFactory.From(e, Target));
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        finally
        {
            (person as IDisposable)?.Dispose();
        }
    }

    /// <inheritdoc />
    protected override void StopProcessing() => _stopping.Cancel();

    // The address and code are on the screen already: a browser that cannot be opened is not an error.
    private void OpenBrowser(string url)
    {
        try
        {
            SystemBrowser.Open(url);
        }
        catch (Exception e) when (e is ConsoleSignInException or ArgumentException)
        {
            QueuedOutput.WriteVerboseLine(this, $"No browser was opened: {e.Message}");
        }
    }

    /// <summary>Stops polling left behind.</summary>
    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private string Target => ParameterSetName == SsoSessionSet ? SsoSession : ProfileName;

    private string Argument => ParameterSetName == SsoSessionSet ? $"-SsoSession {SsoSession}" : $"-ProfileName {ProfileName}";

    // The AWS CLI's wording, with the address that fills the code in first.
    private static string Instructions(DeviceAuthorization authorization) =>
        $"Sign in to {authorization.Portal.StartUrl}: open{Environment.NewLine}{Environment.NewLine}    {authorization.VerificationUriComplete}{Environment.NewLine}{Environment.NewLine}"
        + $"and check that the page shows the code {authorization.UserCode} (or open {authorization.VerificationUri} and enter it). "
        + $"Waiting until {authorization.ExpiresAt.ToLocalTime():t}; Ctrl+C stops.{Environment.NewLine}";
}
