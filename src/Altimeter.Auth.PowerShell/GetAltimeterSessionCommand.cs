using System;
using System.Collections.Generic;
using System.Linq;
using System.Diagnostics;
using System.Threading.Tasks;
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
public sealed class GetAltimeterSessionCommand : PSCmdlet, IDisposable
{
    private const int ProgressActivityId = 0x416c74;
    private static readonly TimeSpan ProgressDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(200);

    private readonly CancellationTokenSource _stopping = new();
    private readonly Queue<Pending> _pending = new();
    private readonly Stopwatch _elapsed = Stopwatch.StartNew();
    private SessionOptions? _options;
    private Accessor? _accessor;
    private SemaphoreSlim? _throttle;
    private MfaCodePrompt? _mfaPrompt;
    private bool _verbose;
    private bool _progressShown;
    private int _total;
    private int _written;

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
    [ArgumentCompleter(typeof(ProfileNameCompleter))]
    public string? ProfileName { get; set; }

    /// <summary>Credentials that start the chains; win over -ProfileName.</summary>
    [Parameter]
    public AWSCredentials? Credential { get; set; }

    /// <summary>How many accounts are worked on at once (default 8). Sessions come out in input order whatever it is.</summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 8;

    /// <summary>Attempts per STS request, the first included (throttling, 5xx and dropped connections are retried); default: the SDK's (AWS_MAX_ATTEMPTS, or 3).</summary>
    [Parameter]
    [ValidateRange(1, 20)]
    public int? MaxAttempts { get; set; }

    /// <summary>The SDK's retry mode: Standard, or Adaptive (also slows down when throttled); default: the SDK's (AWS_RETRY_MODE).</summary>
    [Parameter]
    [ValidateSet("Standard", "Adaptive")]
    public string? RetryMode { get; set; }

    /// <summary>Seconds one STS request may take before it fails (default 30).</summary>
    [Parameter]
    [ValidateRange(1, 600)]
    public int? TimeoutSec { get; set; }

    /// <summary>The MFA code for a step with an mfa_serial: it opens the MFA session (GetSessionToken) when the chain starts from an IAM user's long-term keys, else it goes with that one AssumeRole. Without it, a person at the console or terminal is asked when the code is needed; a session nobody can answer fails those steps with MfaTokenRequired.</summary>
    [Parameter]
    [ValidatePattern(@"\A[0-9]{6}\z")]
    public string? TokenCode { get; set; }

    /// <summary>No MFA session: the code goes with each AssumeRole that needs one, as for temporary source credentials.</summary>
    [Parameter]
    public SwitchParameter NoMfaSession { get; set; }

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        _throttle = new SemaphoreSlim(ThrottleLimit, ThrottleLimit);
        try
        {
            _accessor = Accessor ?? new Accessor(credentialsCache: ProcessCaches.Default);
        }
        catch (SharedCacheException e)
        {
            ThrowTerminatingError(ErrorRecordFactory.From(e, e.Directory));
        }

        _verbose = MyInvocation.BoundParameters.TryGetValue("Verbose", out var verbose)
            ? ((SwitchParameter)verbose).IsPresent
            : GetVariableValue("VerbosePreference") is ActionPreference preference && preference != ActionPreference.SilentlyContinue;

        if (Region is not null && !AwsRegion.IsWellFormed(Region))
        {
            ThrowTerminatingError(ErrorRecordFactory.InvalidArgument(
                "InvalidRegion",
                $"'{Region}' is not an AWS region name (like us-east-1 or eu-west-1); press Tab after -Region for the known ones.",
                Region));
        }

        _options = new SessionOptions();
        if (MaxAttempts is not null || RetryMode is not null || TimeoutSec is not null)
        {
            _options.Sts = ProcessCaches.Sts(new StsClientSettings
            {
                MaxAttempts = MaxAttempts,
                RetryMode = RetryMode is null ? null : (Amazon.Runtime.RequestRetryMode)Enum.Parse(typeof(Amazon.Runtime.RequestRetryMode), RetryMode, ignoreCase: true),
                Timeout = TimeoutSec is int seconds ? TimeSpan.FromSeconds(seconds) : null,
            });
        }
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
        else if (AwsToolsShell.StoredCredentials(SessionState, out var storedName, out var storedProfile) is AWSCredentials stored)
        {
            // The profile too: what is said about the source (sign in to an Identity Center profile) names it.
            _options.SourceCredentials = stored;
            _options.ProfileName = storedProfile;
            WriteVerbose($"Chains start from the shell's credentials set with Set-AWSCredential ({storedName}), as Get-AWSCredential returns them.");
        }
        else
        {
            WriteVerbose("Chains start from the AWS SDK's default credentials (environment, AWS_PROFILE, default profile, container or instance role).");
        }

        ResolveRegionAndSource(AwsToolsShell.StoredRegion(SessionState));
        WriteVerbose($"Region: {_options.Region}.");
        _options.MfaTokenCode = MfaCodes();
        _options.UseMfaSession = !NoMfaSession.IsPresent;
    }

    // Once for the whole pipeline, not per account; from the environment as it is outside another
    // runspace's Invoke-AltimeterCommand block, which holds its session's keys there while it runs.
    private void ResolveRegionAndSource(string? shellRegion)
    {
        var options = _options!;
        try
        {
            (options.Region, options.SourceCredentials) = AwsEnvironmentLease.Read(
                () => (AwsRegion.Resolve(Region, ProfileName, shellRegion), options.SourceCredentials ?? SourceCredentialResolver.Resolve(options.ProfileName)),
                () => WriteVerbose(AwsEnvironmentLease.WaitingMessage),
                _stopping.Token);
        }
        catch (OperationCanceledException)
        {
            throw new PipelineStoppedException();
        }
        catch (NoSourceCredentialsException e)
        {
            ThrowTerminatingError(ErrorRecordFactory.From(e, null));
        }
        catch (InvalidRegionException e)
        {
            ThrowTerminatingError(ErrorRecordFactory.From(e, e.Region));
        }
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        foreach (var accountId in AccountId)
        {
            _pending.Enqueue(new Pending(accountId, new QueuedOutput(_verbose), _stopping.Token, this));
            _total++;
            // Stream what is done; hold at most a few rounds of work in memory for a long pipeline.
            WriteCompleted(waitForAll: false, waitForHead: _pending.Count >= ThrottleLimit * 4);
        }
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        WriteCompleted(waitForAll: true, waitForHead: true);
        if (_progressShown)
        {
            WriteProgress(new ProgressRecord(ProgressActivityId, "Get-AltimeterSession", "Done") { RecordType = ProgressRecordType.Completed });
        }
    }

    /// <inheritdoc />
    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>Ends work left behind (the pipeline failed downstream) and lets go of the terminal an MFA prompt opened.</summary>
    public void Dispose()
    {
        _stopping.Cancel();
        _mfaPrompt?.Dispose();
    }

    // With -TokenCode, that code; else, when the chains have MFA steps and a person can answer, a
    // prompt on the pipeline thread when such a hop is really assumed; else none (those hops fail
    // with MfaTokenRequired).
    private Func<string, string?>? MfaCodes()
    {
        if (TokenCode is not null)
        {
            var code = TokenCode;
            return _ => code;
        }

        var hasMfaSteps = (_accessor?.MultiHopAccessors ?? Array.Empty<MultiHopAccessor>())
            .SelectMany(chain => chain.AccessSteps)
            .Any(step => step.Options?.MfaSerial is not null);
        if (!hasMfaSteps || PersonAtHost.Find(Host) is not IHiddenLineReader person)
        {
            return null;
        }

        _mfaPrompt = new MfaCodePrompt(person, _stopping.Token);
        return _mfaPrompt.CodeFor;
    }

    // Writes the sessions and errors of finished accounts, in input order: the head of the queue
    // first, whatever finished after it waits for it.
    private void WriteCompleted(bool waitForAll, bool waitForHead)
    {
        while (_pending.Count > 0)
        {
            _mfaPrompt?.AnswerRequests();
            var head = _pending.Peek();
            if (!head.Task.IsCompleted)
            {
                if (!waitForAll && !waitForHead)
                {
                    return;
                }

                WaitFor(head.Task);
            }

            _pending.Dequeue();
            waitForHead = false;
            _written++;
            Write(head);
            WriteProgressIfLong();
        }
    }

    // Until the task ends (its error is written later, in its turn), asking for MFA codes as hops
    // need them and showing progress.
    private void WaitFor(Task task)
    {
        var finished = ((IAsyncResult)task).AsyncWaitHandle;
        var handles = _mfaPrompt is null ? new[] { finished } : new[] { finished, _mfaPrompt.Requested };
        while (!task.IsCompleted)
        {
            WaitHandle.WaitAny(handles, ProgressInterval);
            _mfaPrompt?.AnswerRequests();
            WriteProgressIfLong();
        }
    }

    private void Write(Pending done)
    {
        try
        {
            var session = done.Task.GetAwaiter().GetResult();
            done.Log.WriteTo(this);
            WriteObject(session);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (NoSourceCredentialsException e)
        {
            done.Log.WriteTo(this);
            _stopping.Cancel();
            // No account can succeed without source credentials: stop rather than repeat it per account.
            ThrowTerminatingError(ErrorRecordFactory.From(e, done.AccountId));
        }
        catch (AltimeterAuthException e)
        {
            done.Log.WriteTo(this);
            WriteError(ErrorRecordFactory.From(e, done.AccountId));
        }
    }

    private void WriteProgressIfLong()
    {
        if (_elapsed.Elapsed < ProgressDelay || _total < 2)
        {
            return;
        }

        _progressShown = true;
        var percent = (int)(100L * _written / Math.Max(1, _total));
        WriteProgress(new ProgressRecord(ProgressActivityId, "Get-AltimeterSession", $"{_written} of {_total} accounts") { PercentComplete = percent });
    }

    // One account in flight: its work starts when it is queued, bounded by ThrottleLimit.
    private sealed class Pending
    {
        public Pending(string accountId, QueuedOutput log, CancellationToken cancellationToken, GetAltimeterSessionCommand command)
        {
            AccountId = accountId;
            Log = log;
            Task = command.GetSessionAsync(accountId, log, cancellationToken);
        }

        public string AccountId { get; }

        public QueuedOutput Log { get; }

        public Task<AltimeterSession> Task { get; }
    }

    private async Task<AltimeterSession> GetSessionAsync(string accountId, QueuedOutput log, CancellationToken cancellationToken)
    {
        await _throttle!.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await _accessor!.GetSessionAsync(accountId, _options!.WithLog(log), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _throttle.Release();
        }
    }
}
