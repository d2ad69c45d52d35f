using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;

namespace Altimeter.Auth;

/// <summary>
/// The right to put a session's keys in this process's AWS_* environment variables while a script
/// block runs. Environment variables belong to the process, not to a runspace: two blocks that set
/// them at once (<c>ForEach-Object -Parallel</c>) would start each other's children with the wrong
/// account and restore each other's values. So one lease is held at a time in the process; the next
/// waits. On <see cref="Dispose"/> every variable the lease touched is put back exactly as it was
/// (a variable that was unset is unset again, an empty one is empty again).
/// </summary>
/// <remarks>
/// <para>A block that calls Invoke-AltimeterCommand again (or starts tasks) carries the lease in its
/// execution flow (an <see cref="AsyncLocal{T}"/>): the inner lease nests inside the outer one
/// instead of waiting for it for ever. Work that flows from the block (tasks, runspaces it starts)
/// counts as the block: such work running two nested leases at once is not kept apart.</para>
/// <para>Code that reads AWS_* variables to decide where a chain starts (<see cref="Read{T}"/>) waits
/// while a lease is held elsewhere: in the meantime the environment holds another block's keys.</para>
/// <para>The lock is a <see cref="SemaphoreSlim"/>, not a monitor: a runspace may release on another
/// thread than it acquired on.</para>
/// </remarks>
internal sealed class AwsEnvironmentLease : IDisposable
{
    /// <summary>What a caller tells the user when it has to wait for the lease.</summary>
    public const string WaitingMessage =
        "Waiting for another Invoke-AltimeterCommand in this process to finish (environment variables are process-wide).";

    // The SDKs' default chains prefer keys in the environment to AWS_PROFILE, but a tool or script
    // that passes AWS_PROFILE on as an explicit profile (boto3.Session(profile_name=...), --profile
    // $AWS_PROFILE) then uses the profile's identity instead of the session's, and every tool still
    // takes the profile's other settings (endpoint, CA bundle, role settings). An expiration would
    // describe other keys. So none of them reaches the block; all come back afterwards.
    private static readonly string[] s_hiddenFromBlock = { "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CREDENTIAL_EXPIRATION" };

    private static readonly SemaphoreSlim s_lock = new(1, 1);
    private static readonly AsyncLocal<AwsEnvironmentLease?> s_flowHolder = new();

    // Odd while an outer lease holds the environment. Readers compare it before and after reading,
    // so the path where nobody holds the lease takes no lock.
    private static int s_generation;
    private static AwsEnvironmentLease? s_active;

    private readonly Dictionary<string, string?> _saved = new(StringComparer.Ordinal);
    private readonly AwsEnvironmentLease? _enclosing;
    private readonly AwsEnvironmentLease _root;
    private int _disposed;

    private AwsEnvironmentLease(AwsEnvironmentLease? enclosing)
    {
        _enclosing = enclosing;
        _root = enclosing?._root ?? this;
    }

    /// <summary>True when this lease runs inside another one of the same flow and took no lock.</summary>
    internal bool IsNested => _enclosing is not null;

    /// <summary>The variables no block sees, whatever else it is given (see <see cref="AcquireForBlock"/>).</summary>
    internal static IReadOnlyList<string> HiddenFromBlock => s_hiddenFromBlock;

    /// <summary>
    /// Takes the lease (or nests in the one this flow holds) and sets the variables of
    /// <paramref name="session"/>: keys, token (removed when there is none) and region; the
    /// profile and expiration variables are removed for the time of the lease.
    /// </summary>
    /// <param name="session">Whose keys to set.</param>
    /// <param name="waiting">Called once, before blocking, when another flow holds the lease.</param>
    /// <param name="cancellationToken">Stops the wait (Ctrl+C); nothing is changed then.</param>
    /// <exception cref="OperationCanceledException">The wait was cancelled.</exception>
    public static AwsEnvironmentLease Acquire(AltimeterSession session, Action? waiting, CancellationToken cancellationToken)
    {
        if (session is null) throw new ArgumentNullException(nameof(session));

        // The keys are read once the lease is held: a long wait may have brought the session to renewal.
        return AcquireForBlock(() => CredentialExport.EnvironmentOf(session), waiting, cancellationToken);
    }

    /// <summary>
    /// Takes the lease (or nests in the one this flow holds) and sets a block's variables: those
    /// <paramref name="blockVariables"/> returns once the lease is held (a null value removes the
    /// variable), with the profile and expiration variables removed unless it sets them.
    /// </summary>
    /// <param name="blockVariables">What the block is to see, e.g. <see cref="ContainerCredentialsEndpoint.GetEnvironmentVariables"/>.</param>
    /// <param name="waiting">Called once, before blocking, when another flow holds the lease.</param>
    /// <param name="cancellationToken">Stops the wait (Ctrl+C); nothing is changed then.</param>
    /// <exception cref="OperationCanceledException">The wait was cancelled.</exception>
    public static AwsEnvironmentLease AcquireForBlock(Func<IReadOnlyDictionary<string, string?>> blockVariables, Action? waiting, CancellationToken cancellationToken)
    {
        if (blockVariables is null) throw new ArgumentNullException(nameof(blockVariables));
        return Acquire(() => BlockEnvironment(blockVariables()), waiting, cancellationToken);
    }

    /// <summary>Takes the lease (or nests) and sets <paramref name="variables"/>; a null value removes the variable.</summary>
    /// <exception cref="OperationCanceledException">The wait was cancelled.</exception>
    internal static AwsEnvironmentLease Acquire(IReadOnlyDictionary<string, string?> variables, Action? waiting, CancellationToken cancellationToken)
    {
        if (variables is null) throw new ArgumentNullException(nameof(variables));
        return Acquire(() => variables, waiting, cancellationToken);
    }

    private static IReadOnlyDictionary<string, string?> BlockEnvironment(IReadOnlyDictionary<string, string?> blockVariables)
    {
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var name in s_hiddenFromBlock)
        {
            variables[name] = null;
        }

        foreach (var variable in blockVariables)
        {
            variables[variable.Key] = variable.Value;
        }

        return variables;
    }

    private static AwsEnvironmentLease Acquire(Func<IReadOnlyDictionary<string, string?>> variablesOnceHeld, Action? waiting, CancellationToken cancellationToken)
    {
        var enclosing = HeldByThisFlow();
        if (enclosing is null)
        {
            Wait(waiting, cancellationToken);
            Interlocked.Increment(ref s_generation);
        }

        var lease = new AwsEnvironmentLease(enclosing);
        if (enclosing is null)
        {
            Volatile.Write(ref s_active, lease);
        }

        s_flowHolder.Value = lease;
        try
        {
            foreach (var variable in variablesOnceHeld())
            {
                lease._saved[variable.Key] = Environment.GetEnvironmentVariable(variable.Key);
                Environment.SetEnvironmentVariable(variable.Key, variable.Value);
            }
        }
        catch
        {
            lease.Dispose();
            throw;
        }

        return lease;
    }

    /// <summary>
    /// What <paramref name="read"/> returns from the environment as it is outside any lease: at
    /// once when no lease is held (no lock taken) or when this flow holds it (a block reads its
    /// own variables); else after the holder has put the environment back.
    /// </summary>
    /// <param name="read">Reads the environment; it may run twice, so it must have no other effect.</param>
    /// <param name="waiting">Called once, before blocking, when another flow holds the lease.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <exception cref="OperationCanceledException">The wait was cancelled.</exception>
    public static T Read<T>(Func<T> read, Action? waiting = null, CancellationToken cancellationToken = default)
    {
        if (read is null) throw new ArgumentNullException(nameof(read));
        if (TryReadUnleased(read, out var value))
        {
            return value;
        }

        Wait(waiting, cancellationToken);
        try
        {
            return read();
        }
        finally
        {
            s_lock.Release();
        }
    }

    /// <summary>
    /// Sets <paramref name="variables"/> for good (Set-AltimeterEnvironment): at once in the flow that
    /// holds the lease (its end puts them back, as for anything the block changed), else once no
    /// other flow holds it, so that its end does not undo them half-way.
    /// </summary>
    /// <exception cref="OperationCanceledException">The wait was cancelled.</exception>
    public static void SetForProcess(IReadOnlyDictionary<string, string?> variables, Action? waiting, CancellationToken cancellationToken)
    {
        if (variables is null) throw new ArgumentNullException(nameof(variables));
        if (HeldByThisFlow() is not null)
        {
            Set(variables);
            return;
        }

        Wait(waiting, cancellationToken);
        try
        {
            Set(variables);
        }
        finally
        {
            s_lock.Release();
        }
    }

    /// <summary>As <see cref="Read{T}"/>, without blocking a thread while it waits.</summary>
    internal static async Task<T> ReadAsync<T>(Func<T> read, Action? waiting = null, CancellationToken cancellationToken = default)
    {
        if (read is null) throw new ArgumentNullException(nameof(read));
        if (TryReadUnleased(read, out var value))
        {
            return value;
        }

        if (!s_lock.Wait(0, CancellationToken.None))
        {
            waiting?.Invoke();
            await s_lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            return read();
        }
        finally
        {
            s_lock.Release();
        }
    }

    /// <summary>Puts back every variable as it was before this lease, then lets the next one in.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Set(_saved);
        s_flowHolder.Value = _enclosing;
        if (_enclosing is null)
        {
            Volatile.Write(ref s_active, null);
            Interlocked.Increment(ref s_generation);
            s_lock.Release();
        }
    }

    /// <inheritdoc />
    public override string ToString() =>
        string.Format(CultureInfo.InvariantCulture, "AWS environment lease ({0} variables{1})", _saved.Count, IsNested ? ", nested" : string.Empty);

    // The lease this flow holds, if it is still the one in force (a flow can outlive its block).
    private static AwsEnvironmentLease? HeldByThisFlow()
    {
        var mine = s_flowHolder.Value;
        return mine is not null && Volatile.Read(ref mine._disposed) == 0 && ReferenceEquals(mine._root, Volatile.Read(ref s_active))
            ? mine
            : null;
    }

    private static bool TryReadUnleased<T>(Func<T> read, out T value)
    {
        if (HeldByThisFlow() is not null)
        {
            value = read();
            return true;
        }

        var before = Volatile.Read(ref s_generation);
        if ((before & 1) == 0)
        {
            try
            {
                value = read();
            }
            catch when (Volatile.Read(ref s_generation) != before)
            {
                // A lease began while it read: what failed may have been the block's environment.
                value = default!;
                return false;
            }

            if (Volatile.Read(ref s_generation) == before)
            {
                return true;
            }
        }

        value = default!;
        return false;
    }

    private static void Set(IReadOnlyDictionary<string, string?> variables)
    {
        foreach (var variable in variables)
        {
            Environment.SetEnvironmentVariable(variable.Key, variable.Value);
        }
    }

    private static void Wait(Action? waiting, CancellationToken cancellationToken)
    {
        if (s_lock.Wait(0, CancellationToken.None))
        {
            return;
        }

        waiting?.Invoke();
        s_lock.Wait(cancellationToken);
    }
}
