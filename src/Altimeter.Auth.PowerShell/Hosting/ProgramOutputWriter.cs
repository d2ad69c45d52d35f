using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using Altimeter.Auth;

namespace Altimeter.Auth.Commands;

/// <summary>
/// Invoke-AltimeterCommand -FilePath in PowerShell: resolves the program as Start-Process does, runs
/// it once per piped session through the engine (<see cref="ProgramFanOut"/>, at most ThrottleLimit
/// at once, each started as its session arrives) and writes what the children print on the pipeline
/// thread, as it comes. Standard output lines are strings tagged with <see cref="AccountIdProperty"/>
/// and <see cref="RegionProperty"/> (as Invoke-Command tags PSComputerName); standard error lines are
/// information records tagged PSHOST, stderr and the account id, shown on the host as a native
/// program's stderr is and kept out of the output and error streams; a non-zero exit is a
/// non-terminating ProgramFailed error naming the account, in input order.
/// </summary>
internal sealed class ProgramOutputWriter : IDisposable
{
    /// <summary>The note property with the account id an output line came from.</summary>
    public const string AccountIdProperty = "AltimeterAccountId";

    /// <summary>The note property with the region of the session an output line came from.</summary>
    public const string RegionProperty = "AltimeterRegion";

    private readonly PSCmdlet _cmdlet;
    private readonly CancellationTokenSource _stopping;
    private readonly ConcurrentQueue<ProgramOutput> _lines = new();
    private readonly AutoResetEvent _lineArrived = new(false);
    private readonly ProgramFanOut _programs;
    private readonly OrderedThrottledQueue<AltimeterSession, int> _queue;

    private ProgramOutputWriter(PSCmdlet cmdlet, ProgramFanOut programs, int throttleLimit, CancellationTokenSource stopping)
    {
        _cmdlet = cmdlet;
        _programs = programs;
        _stopping = stopping;
        _queue = new OrderedThrottledQueue<AltimeterSession, int>(throttleLimit, programs.RunAsync, stopping.Token, whileWaiting: WriteLines, wakeUp: _lineArrived);
    }

    /// <summary>
    /// Resolves <paramref name="filePath"/> and prepares the runs; a program that cannot be found
    /// stops the command (ProgramNotStarted) before any child starts.
    /// </summary>
    /// <param name="cmdlet">Writes the output; its PowerShell location resolves the program and is the children's working directory.</param>
    /// <param name="filePath">-FilePath.</param>
    /// <param name="argumentList">-ArgumentList, each converted to a string as PowerShell converts values.</param>
    /// <param name="throttleLimit">How many children run at once.</param>
    /// <param name="stopping">Cancelled by the cmdlet's StopProcessing (Ctrl+C): every child is killed.</param>
    public static ProgramOutputWriter Start(PSCmdlet cmdlet, string filePath, object[] argumentList, int throttleLimit, CancellationToken stopping)
    {
        var program = Resolve(cmdlet, filePath);
        var arguments = argumentList.Select(argument => LanguagePrimitives.ConvertTo<string>(argument)).ToArray();
        var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        ProgramOutputWriter? writer = null;
        try
        {
            var programs = ProgramFanOut.Create(
                program,
                arguments,
                cmdlet.SessionState.Path.CurrentFileSystemLocation.ProviderPath,
                line => writer?.Queue(line),
                linked.Token);
            writer = new ProgramOutputWriter(cmdlet, programs, throttleLimit, linked);
            QueuedOutput.WriteVerboseLine(cmdlet, $"Running {program} once per session, at most {throttleLimit} at once.");
            return writer;
        }
        catch (ChildProfilesException e)
        {
            linked.Dispose();
            cmdlet.ThrowTerminatingError(ErrorRecordFactory.From(e, filePath));
            throw;
        }
        catch (OperationCanceledException)
        {
            linked.Dispose();
            throw new PipelineStoppedException();
        }
    }

    /// <summary>Starts the program for <paramref name="session"/> (or once a slot is free) and writes what has come meanwhile.</summary>
    public void Add(AltimeterSession session)
    {
        _queue.Add(session);
        WriteFinished(all: false);
    }

    /// <summary>Waits for every child, writing their lines as they come and their errors in input order.</summary>
    public void Finish() => WriteFinished(all: true);

    /// <summary>Kills the children still running (the pipeline ended early) and removes the profile copies.</summary>
    public void Dispose()
    {
        _stopping.Cancel();
        _programs.Dispose();
        _stopping.Dispose();
        _lineArrived.Dispose();
    }

    // Called on the thread that read the line.
    private void Queue(ProgramOutput line)
    {
        _lines.Enqueue(line);
        try
        {
            _lineArrived.Set();
        }
        catch (ObjectDisposedException)
        {
            // The command has ended (the pipeline stopped early) and its child is being killed: no one waits for the line.
        }
    }

    private void WriteFinished(bool all)
    {
        foreach (var (session, run) in _queue.TakeFinished(all))
        {
            WriteLines();
            if (run.IsCanceled)
            {
                throw new PipelineStoppedException();
            }

            // ProgramFailed, ProgramNotStarted, or the session failing to renew its keys: that account's alone.
            if (run.Exception?.GetBaseException() is AltimeterAuthException failed)
            {
                _cmdlet.WriteError(ErrorRecordFactory.From(failed, session));
            }
            else if (run.Exception is not null)
            {
                run.GetAwaiter().GetResult();
            }
        }

        WriteLines();
    }

    private void WriteLines()
    {
        while (_lines.TryDequeue(out var line))
        {
            if (line.Stream == ProgramStream.Output)
            {
                var tagged = PSObject.AsPSObject(line.Line);
                tagged.Properties.Add(new PSNoteProperty(AccountIdProperty, line.AccountId));
                tagged.Properties.Add(new PSNoteProperty(RegionProperty, line.Region));
                _cmdlet.WriteObject(tagged);
            }
            else
            {
                var record = new InformationRecord(new HostInformationMessage { Message = $"{line.AccountId} {line.Region}: {line.Line}" }, _cmdlet.MyInvocation.MyCommand.Name);
                record.Tags.Add("PSHOST");
                record.Tags.Add("stderr");
                record.Tags.Add(line.AccountId);
                _cmdlet.WriteInformation(record);
            }
        }
    }

    // As Start-Process: an application by name on PATH or by path, relative to the PowerShell
    // location (not the process's working directory); else a file at that path.
    private static string Resolve(PSCmdlet cmdlet, string filePath)
    {
        if (cmdlet.InvokeCommand.GetCommand(filePath, CommandTypes.Application) is ApplicationInfo application)
        {
            return application.Path;
        }

        var path = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(filePath);
        if (System.IO.File.Exists(path))
        {
            return path;
        }

        cmdlet.ThrowTerminatingError(new ErrorRecord(
            new System.IO.FileNotFoundException($"'{filePath}' is neither a program on PATH nor a file (paths are relative to {cmdlet.SessionState.Path.CurrentFileSystemLocation}).", filePath),
            ProgramException.NotStarted,
            ErrorCategory.ObjectNotFound,
            filePath));
        throw new InvalidOperationException();
    }
}
