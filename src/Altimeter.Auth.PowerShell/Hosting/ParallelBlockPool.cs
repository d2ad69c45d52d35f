using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading;
using Altimeter.Auth;

namespace Altimeter.Auth.Commands;

/// <summary>What kind of thing a block reported.</summary>
internal enum BlockReportKind
{
    /// <summary>An object the block wrote to its output.</summary>
    Output,

    /// <summary>An ErrorRecord, WarningRecord, VerboseRecord or InformationRecord of its other streams.</summary>
    Stream,

    /// <summary>The exception that ended the block (a terminating error, or a runspace that did not open).</summary>
    Failed,

    /// <summary>The block ended, after everything else it reported.</summary>
    Finished,
}

/// <summary>What a block in the pool reported, for the cmdlet to write on its pipeline thread.</summary>
internal sealed class BlockReport
{
    public BlockReport(AltimeterSession session, BlockReportKind kind, object? item)
    {
        Session = session;
        Kind = kind;
        Item = item;
    }

    /// <summary>The session whose block reported it.</summary>
    public AltimeterSession Session { get; }

    public BlockReportKind Kind { get; }

    /// <summary>The object, record or exception; null for <see cref="BlockReportKind.Finished"/>.</summary>
    public object? Item { get; }
}

/// <summary>
/// Runs one script block per session on up to a throttle limit of runspaces, as ForEach-Object
/// -Parallel users expect: <c>$_</c> is the session, <c>$using:</c> values are the caller's
/// (<see cref="UsingValues"/>), the modules the caller imported are imported once per runspace,
/// and, when the caller has AWS Tools, that runspace's shell credentials and default region are
/// the session's. Unlike ForEach-Object -Parallel, a runspace is opened once and runs block after
/// block on a thread of its own, so a block costs one invocation, not a task and a runspace.
/// </summary>
/// <remarks>
/// The worker threads are started from the cmdlet's flow and so carry its execution context: a
/// block that takes the environment lease again nests in the cmdlet's lease instead of waiting for
/// it (<see cref="AwsEnvironmentLease"/>). Everything a block reports goes through one queue that
/// the cmdlet drains on its pipeline thread, the only one that may write.
/// </remarks>
internal sealed class ParallelBlockPool : IDisposable
{
    // PowerShell's own pipeline threads get this much stack (deeply recursive scripts need it).
    private const int StackSize = 10_000_000;

    private readonly string _blockText;
    private readonly Hashtable _usingValues;
    private readonly object[] _arguments;
    private readonly string[] _modulePaths;
    private readonly string? _awsToolsModule;
    private readonly int _throttleLimit;
    private readonly BlockingCollection<AltimeterSession> _pending = new();
    private readonly BlockingCollection<BlockReport> _reports = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Thread> _workers = new();
    private readonly HashSet<PowerShell> _running = new();
    private int _submitted;
    private int _finished;
    private int _disposed;

    /// <param name="block">The block; its text is parsed again in each runspace (a script block belongs to the runspace that made it).</param>
    /// <param name="usingValues">The block's <c>$using:</c> values (<see cref="UsingValues.From"/>).</param>
    /// <param name="arguments">Passed to each block as its arguments ($args, or its param block).</param>
    /// <param name="modulePaths">Modules to import in each runspace as it opens, by path.</param>
    /// <param name="awsToolsModule">The caller's AWS Tools module, whose Set-AWSCredential and Set-DefaultAWSRegion make each block's shell the session's; null without AWS Tools.</param>
    /// <param name="throttleLimit">How many blocks run at once at most (and so how many runspaces are opened).</param>
    public ParallelBlockPool(ScriptBlock block, Hashtable usingValues, object[] arguments, IEnumerable<string> modulePaths, string? awsToolsModule, int throttleLimit)
    {
        if (block is null) throw new ArgumentNullException(nameof(block));
        _blockText = block.ToString();
        _usingValues = usingValues ?? throw new ArgumentNullException(nameof(usingValues));
        _arguments = arguments ?? Array.Empty<object>();
        _modulePaths = (modulePaths ?? Enumerable.Empty<string>()).ToArray();
        _awsToolsModule = awsToolsModule;
        _throttleLimit = Math.Max(1, throttleLimit);
    }

    /// <summary>Blocks handed to <see cref="Add"/>.</summary>
    public int Submitted => Volatile.Read(ref _submitted);

    /// <summary>Blocks that ended, whatever way.</summary>
    public int Finished => Volatile.Read(ref _finished);

    /// <summary>Blocks waiting for a runspace.</summary>
    public int Waiting => _pending.Count;

    /// <summary>Whether <see cref="Stop"/> was called.</summary>
    public bool IsStopping => _stopping.IsCancellationRequested;

    /// <summary>Queues a block for <paramref name="session"/>; a runspace is opened for it while fewer than the throttle limit are.</summary>
    public void Add(AltimeterSession session)
    {
        if (session is null) throw new ArgumentNullException(nameof(session));
        if (IsStopping)
        {
            return;
        }

        Interlocked.Increment(ref _submitted);
        _pending.Add(session);
        lock (_workers)
        {
            if (_workers.Count < _throttleLimit && _workers.Count < Submitted)
            {
                var worker = new Thread(Work, StackSize) { IsBackground = true, Name = "Altimeter.Auth parallel block" };
                _workers.Add(worker);
                worker.Start();
            }
        }
    }

    /// <summary>No more blocks will be added: the runspaces close once the queued ones ran.</summary>
    public void CompleteAdding() => _pending.CompleteAdding();

    /// <summary>
    /// The next report, waiting up to <paramref name="millisecondsTimeout"/>; false when there was
    /// none in that time.
    /// </summary>
    public bool TryTake(out BlockReport report, int millisecondsTimeout) =>
        _reports.TryTake(out report!, millisecondsTimeout);

    /// <summary>Stops every running block (as Ctrl+C stops a pipeline) and starts no other.</summary>
    public void Stop()
    {
        lock (_running)
        {
            if (IsStopping)
            {
                return;
            }

            _stopping.Cancel();
            foreach (var shell in _running)
            {
                shell.BeginStop(null, null);
            }
        }
    }

    /// <summary>Stops what still runs and waits for every runspace to close.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (!_pending.IsAddingCompleted || Finished < Submitted)
        {
            Stop();
        }

        _pending.CompleteAdding();
        Thread[] workers;
        lock (_workers)
        {
            workers = _workers.ToArray();
        }

        foreach (var worker in workers)
        {
            worker.Join();
        }

        _pending.Dispose();
        _reports.Dispose();
        _stopping.Dispose();
    }

    private void Work()
    {
        Runspace? runspace = null;
        PowerShell? shell = null;
        Exception? openFailure = null;
        try
        {
            var state = InitialSessionState.CreateDefault2();
            state.ThreadOptions = PSThreadOptions.UseCurrentThread;
            if (_modulePaths.Length > 0)
            {
                state.ImportPSModule(_modulePaths);
            }

            runspace = RunspaceFactory.CreateRunspace(state);
            runspace.Open();
            shell = PowerShell.Create();
            shell.Runspace = runspace;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Each block that would have run here says why it did not, so that none waits for ever.
            openFailure = e;
        }

        try
        {
            foreach (var session in _pending.GetConsumingEnumerable(_stopping.Token))
            {
                if (shell is null)
                {
                    Report(session, BlockReportKind.Failed, openFailure);
                }
                else
                {
                    Run(shell, session);
                }

                // Reported before it is counted: once Finished equals Submitted, every report is queued.
                Report(session, BlockReportKind.Finished, null);
                Interlocked.Increment(ref _finished);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped: what is still queued never starts.
        }
        finally
        {
            shell?.Dispose();
            runspace?.Dispose();
        }
    }

    private void Run(PowerShell shell, AltimeterSession session)
    {
        lock (_running)
        {
            if (IsStopping)
            {
                return;
            }

            _running.Add(shell);
        }

        try
        {
            if (_awsToolsModule is not null)
            {
                Invoke(shell.AddCommand($"{_awsToolsModule}\\Set-AWSCredential").AddParameter("Credential", session).AddParameter("Scope", "Global")
                    .AddStatement().AddCommand($"{_awsToolsModule}\\Set-DefaultAWSRegion").AddParameter("Region", session.Region).AddParameter("Scope", "Global"), session, null);
            }

            shell.Runspace.SessionStateProxy.SetVariable("_", session);
            shell.AddScript(_blockText, useLocalScope: true);
            if (_usingValues.Count > 0)
            {
                shell.AddParameter(UsingValues.ParameterName, _usingValues);
            }

            foreach (var argument in _arguments)
            {
                shell.AddArgument(argument);
            }

            if (IsStopping)
            {
                return;
            }

            var output = new PSDataCollection<PSObject>();
            output.DataAdding += (_, added) => Report(session, BlockReportKind.Output, added.ItemAdded);
            Invoke(shell, session, output);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            if (!IsStopping)
            {
                Report(session, BlockReportKind.Failed, e);
            }
        }
        finally
        {
            lock (_running)
            {
                _running.Remove(shell);
            }

            shell.Commands.Clear();
            shell.Streams.ClearStreams();
        }
    }

    // Runs what was added to the shell; the streams other than output are reported once it ended,
    // in the order PowerShell keeps them per stream.
    private void Invoke(PowerShell shell, AltimeterSession session, PSDataCollection<PSObject>? output)
    {
        try
        {
            if (output is null)
            {
                shell.Invoke();
            }
            else
            {
                shell.Invoke<PSObject, PSObject>(null, output, null);
            }
        }
        finally
        {
            ReportAll(session, shell.Streams.Error);
            ReportAll(session, shell.Streams.Warning);
            ReportAll(session, shell.Streams.Verbose);
            ReportAll(session, shell.Streams.Information);
            shell.Commands.Clear();
            shell.Streams.ClearStreams();
        }
    }

    private void ReportAll<T>(AltimeterSession session, PSDataCollection<T> stream)
    {
        foreach (var item in stream)
        {
            Report(session, BlockReportKind.Stream, item);
        }
    }

    private void Report(AltimeterSession session, BlockReportKind kind, object? item) =>
        _reports.Add(new BlockReport(session, kind, item));
}
