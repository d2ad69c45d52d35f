using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;
using System.Reflection;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Altimeter.Auth;

/// <summary>
/// Runs one program once per session (Invoke-AltimeterCommand -FilePath), many at once: each child
/// gets an environment block of its own, composed here and handed to <see cref="Process"/>, holding
/// its session's keys and region and nothing else to sign with (<see cref="ChildEnvironment"/>). The
/// process environment is never changed, so no <see cref="AwsEnvironmentLease"/> is taken and children
/// of different accounts run side by side. Their lines are reported as they come, from the thread
/// that read them, through the callback the caller gives; the caller bounds how many run at once
/// (<see cref="OrderedThrottledQueue{TItem, TResult}"/>).
/// </summary>
/// <remarks>
/// Standard input is closed at once: many children cannot share the console's, and a tool that asks
/// a question (a pager, a prompt) gets end of input instead of hanging the run. Lines are read as
/// UTF-8, as pwsh on Linux and macOS reads native programs.
/// </remarks>
internal sealed class ProgramFanOut : IDisposable
{
    private static readonly Encoding s_utf8 = new UTF8Encoding(false);

    private readonly IReadOnlyList<string> _arguments;
    private readonly string? _workingDirectory;
    private readonly IReadOnlyDictionary<string, string> _inherited;
    private readonly ChildProfileFiles _profiles;
    private readonly Action<ProgramOutput> _output;

    private ProgramFanOut(string program, IReadOnlyList<string> arguments, string? workingDirectory, IReadOnlyDictionary<string, string> inherited, ChildProfileFiles profiles, Action<ProgramOutput> output)
    {
        Program = program;
        _arguments = arguments;
        _workingDirectory = workingDirectory;
        _inherited = inherited;
        _profiles = profiles;
        _output = output;
    }

    /// <summary>The program each child runs (a path, or a name the operating system looks up on PATH).</summary>
    public string Program { get; }

    /// <summary>
    /// Prepares the runs of <paramref name="program"/>: reads the process environment as it is outside
    /// any lease (another runspace's block may hold its keys there meanwhile) and writes the copies of
    /// the config files without credentials that every child is pointed at; <see cref="Dispose"/> removes them.
    /// </summary>
    /// <param name="program">The program to start, resolved by the caller.</param>
    /// <param name="arguments">Its arguments, each one passed as one argument (no shell, no splitting).</param>
    /// <param name="workingDirectory">The children's working directory; null: this process's.</param>
    /// <param name="output">Gets every line, on the thread that read it.</param>
    /// <param name="cancellationToken">Stops the wait for another flow's lease.</param>
    /// <exception cref="ChildProfilesException">The profile copies could not be written.</exception>
    /// <exception cref="OperationCanceledException">The wait was cancelled.</exception>
    public static ProgramFanOut Create(string program, IReadOnlyList<string> arguments, string? workingDirectory, Action<ProgramOutput> output, CancellationToken cancellationToken)
    {
        var (inherited, sources) = AwsEnvironmentLease.Read(() => (ProcessVariables(), ChildProfileFiles.SourcePaths()), null, cancellationToken);
        var profiles = ChildProfileFiles.Create(sources);
        try
        {
            return Create(program, arguments, workingDirectory, output, inherited, profiles);
        }
        catch
        {
            profiles.Dispose();
            throw;
        }
    }

    /// <summary>As <see cref="Create(string, IReadOnlyList{string}, string?, Action{ProgramOutput}, CancellationToken)"/>, with the variables the children inherit and their profile copies given; the result owns <paramref name="profiles"/>.</summary>
    internal static ProgramFanOut Create(string program, IReadOnlyList<string> arguments, string? workingDirectory, Action<ProgramOutput> output, IReadOnlyDictionary<string, string> inherited, ChildProfileFiles profiles)
    {
        if (string.IsNullOrEmpty(program)) throw new ArgumentException("A program is needed.", nameof(program));
        if (arguments is null) throw new ArgumentNullException(nameof(arguments));
        if (output is null) throw new ArgumentNullException(nameof(output));
        if (inherited is null) throw new ArgumentNullException(nameof(inherited));
        if (profiles is null) throw new ArgumentNullException(nameof(profiles));
        return new ProgramFanOut(program, arguments, workingDirectory, inherited, profiles, output);
    }

    /// <summary>
    /// The environment block of the child that runs as <paramref name="session"/>: the process's
    /// variables, with <see cref="ChildEnvironment.Compose"/>'s removals and additions and the
    /// session's keys and region (<see cref="CredentialExport.EnvironmentOf"/>) over them.
    /// </summary>
    internal Dictionary<string, string> EnvironmentFor(AltimeterSession session)
    {
        var variables = new Dictionary<string, string>(_inherited.Count + 16, StringComparer.Ordinal);
        foreach (var variable in _inherited)
        {
            variables[variable.Key] = variable.Value;
        }

        foreach (var variable in ChildEnvironment.Compose(_profiles, CredentialExport.EnvironmentOf(session)))
        {
            if (variable.Value is null)
            {
                variables.Remove(variable.Key);
            }
            else
            {
                variables[variable.Key] = variable.Value;
            }
        }

        return variables;
    }

    /// <summary>
    /// Runs the program as <paramref name="session"/> until it exits and its output is read; its lines
    /// go to the callback as they come.
    /// </summary>
    /// <returns>The exit code, 0.</returns>
    /// <exception cref="ProgramException">It exited with another code, or could not be started.</exception>
    /// <exception cref="OperationCanceledException">Cancelled: the child and every process it started are killed.</exception>
    public Task<int> RunAsync(AltimeterSession session, CancellationToken cancellationToken)
    {
        if (session is null) throw new ArgumentNullException(nameof(session));

        // Off the caller's thread: reading the keys may renew the session, and starting a process blocks.
        return Task.Run(() => RunHereAsync(session, cancellationToken), cancellationToken);
    }

    /// <summary>Removes the profile copies; children still running find them gone.</summary>
    public void Dispose() => _profiles.Dispose();

    private async Task<int> RunHereAsync(AltimeterSession session, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var start = new ProcessStartInfo(Program)
        {
            UseShellExecute = false,
            CreateNoWindow = true,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = s_utf8,
            StandardErrorEncoding = s_utf8,
            WorkingDirectory = _workingDirectory ?? string.Empty,
        };
        AddArguments(start, _arguments);
        start.Environment.Clear();
        foreach (var variable in EnvironmentFor(session))
        {
            start.Environment[variable.Key] = variable.Value;
        }

        using var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var exited = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.Exited += (_, _) => exited.TrySetResult(true);
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is Win32Exception or FileNotFoundException or InvalidOperationException)
        {
            throw ProgramException.CouldNotStart(Program, session.AccountId, session.Region, e);
        }

        process.StandardInput.Close();
        using (cancellationToken.Register(() => KillTree(process)))
        {
            await Task.WhenAll(
                ReadLinesAsync(process.StandardOutput, ProgramStream.Output, session),
                ReadLinesAsync(process.StandardError, ProgramStream.Error, session),
                exited.Task).ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw ProgramException.Exited(Program, session.AccountId, session.Region, process.ExitCode);
        }

        return process.ExitCode;
    }

    private async Task ReadLinesAsync(StreamReader reader, ProgramStream stream, AltimeterSession session)
    {
        string? line;
        while ((line = await reader.ReadLineAsync().ConfigureAwait(false)) is not null)
        {
            _output(new ProgramOutput(line, stream, session.AccountId, session.Region));
        }
    }

    private static Dictionary<string, string> ProcessVariables()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry variable in System.Environment.GetEnvironmentVariables())
        {
            variables[(string)variable.Key] = (string?)variable.Value ?? string.Empty;
        }

        return variables;
    }

    // The engine is built for netstandard2.0 (the module, PowerShell 7.2+ on .NET 6+) and net10.0 (the
    // native program): netstandard2.0 lacks ArgumentList and Kill(entireProcessTree), which every
    // runtime the module loads in has, so there they are reached by name.
    private static void AddArguments(ProcessStartInfo start, IReadOnlyList<string> arguments)
    {
#if NET
        var list = start.ArgumentList;
#else
        var list = (Collection<string>?)typeof(ProcessStartInfo).GetProperty("ArgumentList")?.GetValue(start)
            ?? throw new PlatformNotSupportedException("ProcessStartInfo.ArgumentList is needed (.NET Core 2.1 or later).");
#endif
        foreach (var argument in arguments)
        {
            list.Add(argument);
        }
    }

    private static void KillTree(Process process)
    {
        try
        {
#if NET
            process.Kill(entireProcessTree: true);
#else
            var killTree = typeof(Process).GetMethod(nameof(Process.Kill), new[] { typeof(bool) });
            if (killTree is null)
            {
                process.Kill();
            }
            else
            {
                killTree.Invoke(process, new object[] { true });
            }
#endif
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception or TargetInvocationException or NotSupportedException)
        {
            // It exited already, or is not ours to kill: nothing more can be done for it.
        }
    }
}
