using System;
using System.Management.Automation;
using System.Threading;
using Altimeter.Auth;
using Amazon.Runtime;

namespace Altimeter.Auth.Commands;

/// <summary>
/// <para type="synopsis">Gets AWS credentials for accounts through the first chain of an accessor that works.</para>
/// <para type="description">Each session is an Amazon.Runtime.AWSCredentials: pipe it to Set-AWSCredential or pass it to -Credential of any AWS Tools cmdlet. A failing account is a non-terminating error; the others still come out.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "AltimeterSession")]
[OutputType(typeof(AltimeterSession))]
public sealed class GetAltimeterSessionCommand : PSCmdlet
{
    private readonly CancellationTokenSource _stopping = new();
    private SessionOptions? _options;

    /// <summary>Target account ids, 12 digits each.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id", "Account")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(CachedAccountIdCompleter))]
    public string[] AccountId { get; set; } = Array.Empty<string>();

    /// <summary>The chains to use (New-AltimeterAccessor); none: local mode.</summary>
    [Parameter]
    public Accessor? Accessor { get; set; }

    /// <summary>Region of the sessions; default: AWS Tools' shell default, AWS_REGION, AWS_DEFAULT_REGION, the profile's region, us-east-1.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(RegionCompleter))]
    public string? Region { get; set; }

    /// <summary>Profile whose credentials start the chains.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ProfileName { get; set; }

    /// <summary>Credentials that start the chains; win over -ProfileName.</summary>
    [Parameter]
    public AWSCredentials? Credential { get; set; }

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        if (Region is not null && !AwsRegion.IsWellFormed(Region))
        {
            ThrowTerminatingError(ErrorRecordFactory.InvalidArgument(
                "InvalidRegion",
                $"'{Region}' is not an AWS region name (like us-east-1 or eu-west-1); press Tab after -Region for the known ones.",
                Region));
        }

        _options = new SessionOptions { Region = AwsRegion.Resolve(Region, ProfileName, AwsToolsShell.StoredRegion(SessionState)) };
        if (Credential is not null)
        {
            _options.SourceCredentials = Credential;
            WriteVerbose("Chains start from the credentials given with -Credential.");
        }
        else if (ProfileName is not null)
        {
            _options.ProfileName = ProfileName;
            WriteVerbose($"Chains start from the credentials of profile '{ProfileName}'.");
        }
        else if (AwsToolsShell.StoredCredentials(SessionState, out var storedProfile) is AWSCredentials stored)
        {
            _options.SourceCredentials = stored;
            WriteVerbose("Chains start from the shell's credentials set with Set-AWSCredential ($StoredAWSCredentials).");
        }
        else if (storedProfile is not null)
        {
            _options.ProfileName = storedProfile;
            WriteVerbose($"Chains start from profile '{storedProfile}', the shell's credentials set with Set-AWSCredential.");
        }
        else
        {
            WriteVerbose("Chains start from the AWS SDK's default credentials (environment, AWS_PROFILE, default profile, container or instance role).");
        }

        WriteVerbose($"Region: {_options.Region}.");
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var accessor = Accessor ?? new Accessor(credentialsCache: ProcessCredentialsCache.Instance);
        foreach (var accountId in AccountId)
        {
            var log = new QueuedVerboseLog();
            var options = new SessionOptions { Region = _options!.Region, ProfileName = _options.ProfileName, SourceCredentials = _options.SourceCredentials, Log = log };
            try
            {
                var session = accessor.GetSessionAsync(accountId, options, _stopping.Token).GetAwaiter().GetResult();
                FlushVerbose(log);
                WriteObject(session);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (NoSourceCredentialsException e)
            {
                FlushVerbose(log);
                // No account can succeed without source credentials: stop rather than repeat it per account.
                ThrowTerminatingError(ErrorRecordFactory.From(e, accountId));
            }
            catch (AltimeterAuthException e)
            {
                FlushVerbose(log);
                WriteError(ErrorRecordFactory.From(e, accountId));
            }
        }
    }

    /// <inheritdoc />
    protected override void StopProcessing() => _stopping.Cancel();

    private void FlushVerbose(QueuedVerboseLog log)
    {
        while (log.TryDequeue(out var message))
        {
            WriteVerbose(message);
        }
    }
}
