using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using Altimeter.Auth;

namespace Altimeter.Auth.Commands;

[Cmdlet(VerbsLifecycle.Invoke, "AltimeterCommand", DefaultParameterSetName = BlockFirst)]
[OutputType(typeof(PSObject))]
public sealed class InvokeAltimeterCommandCommand : PSCmdlet, IDisposable
{
    // Sessions from the pipeline: the block comes first (Get-AltimeterSession ... | Invoke-AltimeterCommand { ... }).
    private const string BlockFirst = "BlockFirst";

    // One session named first: Invoke-AltimeterCommand $session { ... }.
    private const string SessionFirst = "SessionFirst";

    // A program once per piped session: Get-AltimeterSession ... | Invoke-AltimeterCommand -FilePath aws sts get-caller-identity.
    private const string FilePathSet = "FilePath";

    // How far the sessions waiting for a runspace may run ahead of the blocks (as Get-AltimeterSession's queue).
    private const int WaitingPerRunspace = 4;

    // Not Get-AltimeterSession's: both show at once in Get-AltimeterSession | Invoke-AltimeterCommand -Parallel.
    private const int ProgressActivityId = 0x416c75;

    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(200);

    private readonly CancellationTokenSource _stopping = new();
    private readonly Stopwatch _sinceProgress = Stopwatch.StartNew();
    private AwsEnvironmentLease? _parallelLease;
    private ParallelBlockPool? _pool;
    private int _ended;
    private ProgramOutputWriter? _programs;
    private bool _allAdded;

    // With -Parallel: the sessions as they come, run once every earlier command of the pipeline has ended.
    private List<AltimeterSession>? _arrived;
    private System.Collections.Hashtable? _usingValues;

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = BlockFirst)]
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = SessionFirst)]
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = FilePathSet)]
    public AltimeterSession Session { get; set; } = null!;

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = BlockFirst)]
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = SessionFirst)]
    public ScriptBlock ScriptBlock { get; set; } = null!;

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = FilePathSet)]
    public string FilePath { get; set; } = null!;

    [Parameter(ValueFromRemainingArguments = true)]
    public object[] ArgumentList { get; set; } = Array.Empty<object>();

    [Parameter(ParameterSetName = BlockFirst)]
    [Parameter(ParameterSetName = SessionFirst)]
    public SwitchParameter Refreshing { get; set; }

    [Parameter(ParameterSetName = BlockFirst)]
    [Parameter(ParameterSetName = SessionFirst)]
    public SwitchParameter Parallel { get; set; }

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int ThrottleLimit { get; set; } = 5;

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        if (!Parallel.IsPresent)
        {
            return;
        }

        if (Refreshing.IsPresent)
        {
            ThrowTerminatingError(ErrorRecordFactory.InvalidArgument(
                "RefreshingNotParallel",
                "-Refreshing serves one session to the process environment, which parallel blocks share: use -Refreshing without -Parallel.",
                null));
        }

        try
        {
            _usingValues = UsingValues.From(ScriptBlock, this);
        }
        catch (PSArgumentException e)
        {
            ThrowTerminatingError(ErrorRecordFactory.InvalidArgument("UsingValueIsScriptBlock", e.Message, null));
            return;
        }

        // The blocks run once every earlier command of the pipeline has ended (EndProcessing): while
        // they run the process environment holds no credentials, and earlier commands (Get-ORGAccountList,
        // which AWS Tools resolves credentials for in ProcessRecord; a block without -Parallel) need them.
        _arrived = new List<AltimeterSession>();
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (ParameterSetName == FilePathSet)
        {
            (_programs ??= ProgramOutputWriter.Start(this, FilePath, ArgumentList, ThrottleLimit, _stopping.Token)).Add(Session);
            return;
        }

        if (_arrived is null)
        {
            RunHere(Session);
            return;
        }

        _arrived.Add(Session);
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (ParameterSetName == FilePathSet)
        {
            _programs?.Finish();
            return;
        }

        if (_arrived is null || _arrived.Count == 0)
        {
            return;
        }

        // From here until the last block ends, children of the blocks find no credentials at all:
        // one process environment cannot hold each block's session.
        _parallelLease = TakeLease(() => AwsEnvironmentLease.AcquireWithoutCredentials(Waiting, _stopping.Token), target: null);
        var pool = _pool = new ParallelBlockPool(
            ScriptBlock,
            _usingValues!,
            ArgumentList,
            CallerModulePaths(),
            AwsToolsShell.ImportedModule(SessionState, "Set-AWSCredential")?.Name,
            ThrottleLimit);
        foreach (var session in _arrived)
        {
            pool.Add(session);
            WriteReports(until: () => pool.Waiting <= WaitingPerRunspace * ThrottleLimit);
        }

        pool.CompleteAdding();
        _allAdded = true;
        WriteReports(until: () => _ended == pool.Submitted);
        WriteProgress(new ProgressRecord(ProgressActivityId, Activity, "Done.") { RecordType = ProgressRecordType.Completed });
    }

    /// <inheritdoc />
    protected override void StopProcessing()
    {
        _stopping.Cancel();
        _pool?.Stop();
    }

    /// <summary>Kills the programs still running, stops and closes the runspaces of -Parallel, then puts the environment back.</summary>
    public void Dispose()
    {
        _programs?.Dispose();
        _pool?.Dispose();
        _parallelLease?.Dispose();
        _stopping.Dispose();
    }

    private string Activity => $"Invoke-AltimeterCommand -Parallel (ThrottleLimit {ThrottleLimit})";

    // One session's block in the caller's runspace, with the session's variables while it runs.
    private void RunHere(AltimeterSession session)
    {
        ContainerCredentialsEndpoint? endpoint = null;
        AwsEnvironmentLease lease;
        try
        {
            if (Refreshing.IsPresent)
            {
                var served = endpoint = ContainerCredentialsEndpoint.Start(session);
                lease = TakeLease(() => AwsEnvironmentLease.AcquireForBlock(served.GetBlockVariables, Waiting, _stopping.Token), session);
                QueuedOutput.WriteVerboseLine(this, $"Serving {session.AccountId} ({session.Region}) to the block at {served.Uri}.");
            }
            else
            {
                lease = TakeLease(() => AwsEnvironmentLease.Acquire(session, Waiting, _stopping.Token), session);
            }
        }
        catch (CredentialEndpointException e)
        {
            ThrowTerminatingError(ErrorRecordFactory.From(e, session));
            return;
        }
        catch
        {
            endpoint?.Dispose();
            throw;
        }

        System.Collections.ObjectModel.Collection<PSObject> results;
        try
        {
            var underbar = new List<PSVariable> { new("_", session) };
            results = ScriptBlock.InvokeWithContext(null, underbar, ArgumentList);
        }
        catch (PipelineStoppedException)
        {
            throw;
        }
        catch (RuntimeException e)
        {
            WriteError(BlockFailed(session, e));
            return;
        }
        finally
        {
            lease.Dispose();
            endpoint?.Dispose();
        }

        // Written once the environment is back: the commands later in the pipeline run as the
        // caller, not as this block's session.
        foreach (var result in results)
        {
            WriteObject(SessionTags.Tag(result, session));
        }
    }

    // The lease, or the terminating error of its failure (in a parallel block, a session's keys are
    // refused): the block does not run then.
    private AwsEnvironmentLease TakeLease(Func<AwsEnvironmentLease> acquire, AltimeterSession? target)
    {
        try
        {
            return acquire();
        }
        catch (Exception e) when (e is ChildProfilesException or KeysInParallelBlockException)
        {
            ThrowTerminatingError(ErrorRecordFactory.From((AltimeterAuthException)e, target));
            throw;
        }
        catch (OperationCanceledException)
        {
            throw new PipelineStoppedException();
        }
    }

    private void Waiting() => QueuedOutput.WriteVerboseLine(this, AwsEnvironmentLease.WaitingMessage);

    // The blocks' reports, written on the pipeline thread as they come, until enough ran.
    private void WriteReports(Func<bool> until)
    {
        var pool = _pool!;
        while (true)
        {
            if (_stopping.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }

            var waitMs = until() ? 0 : 100;
            if (!pool.TryTake(out var report, waitMs))
            {
                if (waitMs == 0)
                {
                    return;
                }

                continue;
            }

            Write(report);
            if (_sinceProgress.Elapsed >= ProgressInterval)
            {
                _sinceProgress.Restart();
                WriteProgress(pool);
            }
        }
    }

    // A percentage only once every session came in: of a total that grows it would read "200 of 201" throughout.
    private void WriteProgress(ParallelBlockPool pool) =>
        WriteProgress(_allAdded
            ? new ProgressRecord(ProgressActivityId, Activity, $"{_ended} of {pool.Submitted} blocks done.") { PercentComplete = (int)(100L * _ended / Math.Max(1, pool.Submitted)) }
            : new ProgressRecord(ProgressActivityId, Activity, $"{_ended} blocks done; more sessions arriving."));

    private void Write(BlockReport report)
    {
        switch (report.Kind)
        {
            case BlockReportKind.Output:
                WriteObject(SessionTags.Tag(report.Item, report.Session));
                break;
            case BlockReportKind.Failed:
                WriteError(BlockFailed(report.Session, (Exception)report.Item!));
                break;
            case BlockReportKind.Finished:
                _ended++;
                break;
            default:
                WriteStreamRecord(report.Item);
                break;
        }
    }

    private void WriteStreamRecord(object? record)
    {
        switch (record)
        {
            case ErrorRecord error:
                WriteError(error);
                break;
            case WarningRecord warning:
                WriteWarning(warning.Message);
                break;
            case VerboseRecord verbose:
                QueuedOutput.WriteVerboseLine(this, verbose.Message);
                break;
            case InformationRecord information:
                WriteInformation(information);
                break;
        }
    }

    private static ErrorRecord BlockFailed(AltimeterSession session, Exception error)
    {
        var reason = error is IContainsErrorRecord { ErrorRecord: { } inner } ? inner.ToString() : error.Message;
        return new ErrorRecord(
            new RuntimeException($"The block for account {session.AccountId} ({session.Region}) failed: {reason}", error),
            "BlockFailed",
            ErrorCategory.NotSpecified,
            session);
    }

    // The modules imported in the caller's runspace, by path (a module made in memory has none).
    private string[] CallerModulePaths() =>
        InvokeCommand.InvokeScript(SessionState, ScriptBlock.Create("Microsoft.PowerShell.Core\\Get-Module"))
            .Select(found => (found?.BaseObject as PSModuleInfo)?.Path)
            .Where(path => !string.IsNullOrEmpty(path))
            .Select(path => path!)
            .ToArray();
}
