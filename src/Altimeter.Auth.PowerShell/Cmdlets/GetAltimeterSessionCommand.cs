using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Altimeter.Auth;
using Amazon.Runtime;

namespace Altimeter.Auth.Commands;

[Cmdlet(VerbsCommon.Get, "AltimeterSession")]
[OutputType(typeof(AltimeterSession))]
public sealed class GetAltimeterSessionCommand : PSCmdlet, IDisposable
{
    private const int ProgressActivityId = 0x416c74;
    private static readonly TimeSpan ProgressDelay = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _stopping = new();
    private readonly Stopwatch _elapsed = Stopwatch.StartNew();
    private SessionOptions? _options;
    private Accessor? _accessor;
    private OrderedThrottledQueue<Pending, IReadOnlyList<AltimeterSession>>? _queue;
    private MfaCodePrompt? _mfaPrompt;
    private bool _verbose;
    private bool _progressShown;
    private (int Taken, int Added, bool TotalKnown) _progressShownFor;

    // How many accounts the call has in all, once that is known: from the start when they are given
    // as -AccountId, at the end of input when they come from the pipeline (until then the count grows).
    private int? _total;

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id", "Account")]
    [AllowEmptyString]
    [ArgumentCompleter(typeof(CachedAccountIdCompleter))]
    public string[] AccountId { get; set; } = Array.Empty<string>();

    [Parameter]
    public Accessor? Accessor { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(RegionCompleter))]
    public string[]? Region { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ProfileNameCompleter))]
    public string? ProfileName { get; set; }

    [Parameter]
    public AWSCredentials? Credential { get; set; }

    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 8;

    [Parameter]
    [ValidateRange(1, 20)]
    public int? MaxAttempts { get; set; }

    [Parameter]
    [ValidateSet("Standard", "Adaptive")]
    public string? RetryMode { get; set; }

    [Parameter]
    [ValidateRange(1, 600)]
    public int? TimeoutSec { get; set; }

    [Parameter]
    [ValidateMfaCode]
    public string? TokenCode { get; set; }

    [Parameter]
    public SwitchParameter NoMfaSession { get; set; }

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        try
        {
            _accessor = Accessor ?? new Accessor(credentialsCache: ProcessCaches.Default);
        }
        catch (SharedCacheException e)
        {
            ThrowTerminatingError(ErrorRecordFactory.From(e, e.Directory));
        }

        _verbose = QueuedOutput.VerboseWanted(this);

        foreach (var region in Region ?? Array.Empty<string>())
        {
            if (!AwsRegion.IsWellFormed(region))
            {
                ThrowTerminatingError(ErrorRecordFactory.InvalidArgument(
                    "InvalidRegion",
                    $"'{region}' is not an AWS region name (like us-east-1 or eu-west-1); press Tab after -Region for the known ones.",
                    region));
            }
        }

        _options = ResolveStart(SessionOptionsFromParameters());
        if (_options.CredentialSource is string credentialSource)
        {
            QueuedOutput.WriteVerboseLine(this, $"Chains start from {credentialSource}.");
        }

        // Several regions: one session per region, from one walk of the chain, in the first region.
        var regions = Region ?? new[] { _options.Region! };
        var regionSource = Region is not null ? "-Region" : _options.RegionSource ?? "the options";
        QueuedOutput.WriteVerboseLine(this, regions.Length == 1
            ? $"Region {_options.Region}, from {regionSource}."
            : $"Regions {string.Join(", ", regions)}, from {regionSource}; the chains are walked in {_options.Region}.");
        foreach (var region in regions.Distinct(StringComparer.Ordinal))
        {
            if (AwsRegion.UnknownRegionWarning(region, regionSource) is string unknownRegion)
            {
                WriteWarning(unknownRegion);
            }
        }

        _options.MfaTokenCode = MfaCodes();
        _queue = new OrderedThrottledQueue<Pending, IReadOnlyList<AltimeterSession>>(
            ThrottleLimit,
            (pending, token) => _accessor!.GetSessionsAsync(pending.AccountId, regions, _options.WithLog(pending.Log), token),
            _stopping.Token,
            whileWaiting: () =>
            {
                _mfaPrompt?.AnswerRequests();
                WriteProgressIfLong();
            },
            wakeUp: _mfaPrompt?.Requested);
    }

    // The parameters as the engine takes them; which credentials start the chains, in this order:
    // -Credential, -ProfileName, the shell's (AWS Tools' Set-AWSCredential), the SDK's default chain.
    private SessionOptions SessionOptionsFromParameters()
    {
        var options = new SessionOptions { Region = Region?[0], UseMfaSession = !NoMfaSession.IsPresent };
        if (MaxAttempts is not null || RetryMode is not null || TimeoutSec is not null)
        {
            options.Sts = ProcessCaches.Sts(new StsClientSettings
            {
                MaxAttempts = MaxAttempts,
                RetryMode = RetryMode is null ? null : (RequestRetryMode)Enum.Parse(typeof(RequestRetryMode), RetryMode, ignoreCase: true),
                Timeout = TimeoutSec is int seconds ? TimeSpan.FromSeconds(seconds) : null,
            });
        }

        if (Credential is not null)
        {
            options.SourceCredentials = Credential;
            QueuedOutput.WriteVerboseLine(this, "Chains start from the credentials given with -Credential.");
        }
        else if (ProfileName is not null)
        {
            options.ProfileName = ProfileName;
        }
        else if (AwsToolsShell.StoredCredentials(SessionState, out var storedName, out var storedProfile) is AWSCredentials stored)
        {
            // The profile too: what is said about the source (sign in to an Identity Center profile) names it.
            options.SourceCredentials = stored;
            options.ProfileName = storedProfile;
            QueuedOutput.WriteVerboseLine(this, $"Chains start from the shell's credentials set with Set-AWSCredential ({storedName}), as Get-AWSCredential returns them.");
        }

        else if (!_accessor!.StartsFromSource)
        {
            // Every chain starts with an Identity Center role: there is no source to look for, and
            // none found must not stop them (a person with an sso-session and no profile has none).
            options.SourceCredentials = new AnonymousAWSCredentials();
        }

        // Otherwise the SDK's default chain: which of its sources gave the credentials is said once they are found.
        return options;
    }

    // Once for the whole pipeline, not per account (the engine then takes them as they are).
    private SessionOptions ResolveStart(SessionOptions options)
    {
        try
        {
            return options.WithStartResolved(AwsToolsShell.StoredRegion(SessionState), () => QueuedOutput.WriteVerboseLine(this, AwsEnvironmentLease.WaitingMessage), _stopping.Token);
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

        return options;
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (!MyInvocation.ExpectingInput)
        {
            _total = AccountId.Length;
        }

        // Lines of a file (Get-Content) keep their spaces and blank lines: an id is taken without
        // the spaces around it, and an empty one fails alone (InvalidAccountId), in its place.
        foreach (var accountId in AccountId)
        {
            _queue!.Add(new Pending(accountId?.Trim() ?? string.Empty, new QueuedOutput(_verbose)));
            WriteFinished(all: false);
        }
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        _total = _queue!.Added;
        WriteFinished(all: true);
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
    private Func<string, CancellationToken, Task<string?>>? MfaCodes()
    {
        if (TokenCode is string code)
        {
            return (_, _) => Task.FromResult<string?>(code);
        }

        if (!_accessor!.HasMfaSteps || PersonAtHost.Find(Host) is not IHiddenLineReader person)
        {
            return null;
        }

        _mfaPrompt = new MfaCodePrompt(person, _stopping.Token);
        return _mfaPrompt.CodeForAsync;
    }

    // Sessions and errors of finished accounts, in input order, as they come.
    private void WriteFinished(bool all)
    {
        foreach (var (pending, work) in _queue!.TakeFinished(all))
        {
            Write(pending, work);
        }
    }

    private void Write(Pending done, Task<IReadOnlyList<AltimeterSession>> work)
    {
        try
        {
            // Finished (the queue hands out only finished work): this reads its result, it does not wait.
            var sessions = work.GetAwaiter().GetResult();
            done.Log.WriteTo(this);
            foreach (var session in sessions)
            {
                WriteObject(session);
            }
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
        var queue = _queue!;
        if (_elapsed.Elapsed < ProgressDelay || queue.Added < 2 || (_progressShown && _progressShownFor == (queue.Taken, queue.Added, _total is not null)))
        {
            return;
        }

        _progressShown = true;
        _progressShownFor = (queue.Taken, queue.Added, _total is not null);
        var rate = string.Format(CultureInfo.CurrentCulture, "{0:0.#} a second", queue.Taken / _elapsed.Elapsed.TotalSeconds);
        // A percentage of a total that grows as input arrives would read "200 of 201" throughout.
        var record = _total is int total
            ? new ProgressRecord(ProgressActivityId, "Get-AltimeterSession", $"{queue.Taken} of {total} accounts, {rate}") { PercentComplete = (int)(100L * queue.Taken / Math.Max(1, total)) }
            : new ProgressRecord(ProgressActivityId, "Get-AltimeterSession", $"{queue.Taken} accounts done, {rate}; more arriving");
        WriteProgress(record);
    }

    // One account: what it is, and where its verbose messages wait for the pipeline thread.
    private sealed class Pending
    {
        public Pending(string accountId, QueuedOutput log)
        {
            AccountId = accountId;
            Log = log;
        }

        public string AccountId { get; }

        public QueuedOutput Log { get; }
    }
}
