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
/// <para>A block that calls Invoke-AltimeterCommand again (or starts tasks or runspaces) carries the
/// lease in its execution flow (an <see cref="AsyncLocal{T}"/>): an inner lease nests inside the outer
/// one instead of waiting for it for ever. Leases nested in the same lease take turns: the runspaces a
/// block runs in parallel (<c>ForEach-Object -Parallel</c> inside <c>Invoke-AltimeterCommand</c>) each
/// wait for the previous one's nested block to end, never for the outer block, which holds the
/// process-wide lock, not its own turn. A lease's end waits for the leases nested in it by other
/// flows, so that no nested block's children ever see the environment put back under them.</para>
/// <para>Code that reads AWS_* variables to decide where a chain starts (<see cref="Read{T}"/>) waits
/// while a lease is held elsewhere: in the meantime the environment holds another block's keys. In a
/// flow that holds a lease it reads that lease's variables, once no nested lease of another flow has
/// them changed.</para>
/// <para>The locks are <see cref="SemaphoreSlim"/>s, not monitors: a runspace may release on another
/// thread than it acquired on.</para>
/// </remarks>
internal sealed class AwsEnvironmentLease : IDisposable
{
    /// <summary>What a caller tells the user when it has to wait for the lease.</summary>
    public const string WaitingMessage =
        "Waiting for another Invoke-AltimeterCommand in this process to finish (environment variables are process-wide).";

    private static readonly SemaphoreSlim s_lock = new(1, 1);
    private static readonly AsyncLocal<AwsEnvironmentLease?> s_flowHolder = new();

    // The variables of keys that CredentialExport.EnvironmentOf sets; ChildEnvironment removes the others.
    private static readonly IReadOnlyDictionary<string, string?> s_noKeys = new Dictionary<string, string?>(StringComparer.Ordinal)
    {
        ["AWS_ACCESS_KEY_ID"] = null,
        ["AWS_SECRET_ACCESS_KEY"] = null,
        ["AWS_SESSION_TOKEN"] = null,
    };

    // Odd while an outer lease holds the environment. Readers compare it before and after reading,
    // so the path where nobody holds the lease takes no lock.
    private static int s_generation;
    private static AwsEnvironmentLease? s_active;

    private readonly Dictionary<string, string?> _saved = new(StringComparer.Ordinal);
    private readonly AwsEnvironmentLease? _enclosing;
    private readonly AwsEnvironmentLease _root;

    // Taken for blocks that run side by side, or nested in such a lease: no keys may be set in it.
    private readonly bool _withoutCredentials;

    // The turn among the leases nested in this one (and readers of its variables) from other flows.
    private readonly SemaphoreSlim _turn = new(1, 1);
    private ChildProfileFiles? _profiles;
    private int _disposed;

    private AwsEnvironmentLease(AwsEnvironmentLease? enclosing, bool withoutCredentials)
    {
        _enclosing = enclosing;
        _root = enclosing?._root ?? this;
        _withoutCredentials = withoutCredentials || (enclosing?._withoutCredentials ?? false);
    }

    /// <summary>True when this lease runs inside another one of the same flow and took no lock.</summary>
    internal bool IsNested => _enclosing is not null;

    /// <summary>
    /// Takes the lease (or nests in the one this flow holds) and sets the variables of
    /// <paramref name="session"/>: keys, token (removed when there is none) and region, with every
    /// other source of credentials hidden for the time of the lease (see <see cref="AcquireForBlock"/>).
    /// </summary>
    /// <param name="session">Whose keys to set.</param>
    /// <param name="waiting">Called once, before blocking, when another flow holds the lease.</param>
    /// <param name="cancellationToken">Stops the wait (Ctrl+C); nothing is changed then.</param>
    /// <exception cref="OperationCanceledException">The wait was cancelled.</exception>
    /// <exception cref="ChildProfilesException">The profile copies could not be written; nothing is changed.</exception>
    /// <exception cref="KeysInParallelBlockException">This flow runs in a lease taken without credentials (a parallel block); nothing is changed.</exception>
    public static AwsEnvironmentLease Acquire(AltimeterSession session, Action? waiting, CancellationToken cancellationToken)
    {
        if (session is null) throw new ArgumentNullException(nameof(session));

        // The keys are read once the lease is held: a long wait may have brought the session to renewal.
        return AcquireForBlock(() => CredentialExport.EnvironmentOf(session), waiting, cancellationToken);
    }

    /// <summary>
    /// Takes the lease (or nests in the one this flow holds) and sets a block's variables: those
    /// <paramref name="blockVariables"/> returns once the lease is held (a null value removes the
    /// variable), over <see cref="ChildEnvironment"/>'s: no other source of credentials (a profile,
    /// legacy or web identity variables, another container endpoint, instance metadata) and the
    /// shared config and credentials files replaced by copies without credentials
    /// (<see cref="ChildProfileFiles"/>, removed when the lease ends).
    /// </summary>
    /// <param name="blockVariables">What the block is to see, e.g. <see cref="ContainerCredentialsEndpoint.GetBlockVariables"/>.</param>
    /// <param name="waiting">Called once, before blocking, when another flow holds the lease.</param>
    /// <param name="cancellationToken">Stops the wait (Ctrl+C); nothing is changed then.</param>
    /// <exception cref="OperationCanceledException">The wait was cancelled.</exception>
    /// <exception cref="ChildProfilesException">The profile copies could not be written; nothing is changed.</exception>
    /// <exception cref="KeysInParallelBlockException">This flow runs in a lease taken without credentials (a parallel block); nothing is changed.</exception>
    public static AwsEnvironmentLease AcquireForBlock(Func<IReadOnlyDictionary<string, string?>> blockVariables, Action? waiting, CancellationToken cancellationToken) =>
        AcquireComposed(blockVariables, waiting, cancellationToken, withoutCredentials: false);

    // ChildEnvironment's variables with the block's over them, set once the lease is held.
    private static AwsEnvironmentLease AcquireComposed(Func<IReadOnlyDictionary<string, string?>> blockVariables, Action? waiting, CancellationToken cancellationToken, bool withoutCredentials)
    {
        if (blockVariables is null) throw new ArgumentNullException(nameof(blockVariables));
        return Acquire(
            lease =>
            {
                // Read now: the environment is this lease's (or the enclosing block's), not another's.
                lease._profiles = ChildProfileFiles.Create(ChildProfileFiles.SourcePaths());
                return ChildEnvironment.Compose(lease._profiles, blockVariables());
            },
            waiting,
            cancellationToken,
            withoutCredentials);
    }

    /// <summary>
    /// Takes the lease (or nests in the one this flow holds) for blocks that run side by side in one
    /// process (Invoke-AltimeterCommand -Parallel): no block can have its own process environment,
    /// so a child any of them starts finds no credentials at all, rather than another block's or
    /// the source's. <see cref="ChildEnvironment"/>'s variables, the keys and token removed; the
    /// region is left as it is.
    /// </summary>
    /// <param name="waiting">Called once, before blocking, when another flow holds the lease.</param>
    /// <param name="cancellationToken">Stops the wait (Ctrl+C); nothing is changed then.</param>
    /// <exception cref="OperationCanceledException">The wait was cancelled.</exception>
    /// <exception cref="ChildProfilesException">The profile copies could not be written; nothing is changed.</exception>
    public static AwsEnvironmentLease AcquireWithoutCredentials(Action? waiting, CancellationToken cancellationToken) =>
        AcquireComposed(() => s_noKeys, waiting, cancellationToken, withoutCredentials: true);

    /// <summary>Takes the lease (or nests) and sets <paramref name="variables"/>; a null value removes the variable.</summary>
    /// <exception cref="OperationCanceledException">The wait was cancelled.</exception>
    internal static AwsEnvironmentLease Acquire(IReadOnlyDictionary<string, string?> variables, Action? waiting, CancellationToken cancellationToken)
    {
        if (variables is null) throw new ArgumentNullException(nameof(variables));
        return Acquire(_ => variables, waiting, cancellationToken, withoutCredentials: false);
    }

    private static AwsEnvironmentLease Acquire(Func<AwsEnvironmentLease, IReadOnlyDictionary<string, string?>> variablesOnceHeld, Action? waiting, CancellationToken cancellationToken, bool withoutCredentials)
    {
        var enclosing = EnterTurn(waiting, cancellationToken);
        if (RefusesKeys(enclosing, withoutCredentials))
        {
            Leave(enclosing);
            throw new KeysInParallelBlockException();
        }

        if (enclosing is null)
        {
            Interlocked.Increment(ref s_generation);
        }

        var lease = new AwsEnvironmentLease(enclosing, withoutCredentials);
        if (enclosing is null)
        {
            Volatile.Write(ref s_active, lease);
        }

        s_flowHolder.Value = lease;
        try
        {
            foreach (var variable in variablesOnceHeld(lease))
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

        var turn = EnterTurn(waiting, cancellationToken);
        try
        {
            return read();
        }
        finally
        {
            Leave(turn);
        }
    }

    /// <summary>
    /// Sets <paramref name="variables"/> for good (Set-AltimeterEnvironment): at once in the flow that
    /// holds the lease (its end puts them back, as for anything the block changed), else once no
    /// other flow holds it, so that its end does not undo them half-way.
    /// </summary>
    /// <exception cref="OperationCanceledException">The wait was cancelled.</exception>
    /// <exception cref="KeysInParallelBlockException">This flow runs in a lease taken without credentials (a parallel block); nothing is changed.</exception>
    public static void SetForProcess(IReadOnlyDictionary<string, string?> variables, Action? waiting, CancellationToken cancellationToken)
    {
        if (variables is null) throw new ArgumentNullException(nameof(variables));
        var turn = EnterTurn(waiting, cancellationToken);
        try
        {
            if (RefusesKeys(turn, withoutCredentials: false))
            {
                throw new KeysInParallelBlockException();
            }

            Set(variables);
        }
        finally
        {
            Leave(turn);
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

        var waited = false;
        while (true)
        {
            var holder = HeldByThisFlow();
            var turn = TurnOf(holder);
            if (!turn.Wait(0, CancellationToken.None))
            {
                if (!waited)
                {
                    waiting?.Invoke();
                    waited = true;
                }

                await turn.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            if (holder is not null && !holder.IsInForce)
            {
                turn.Release();
                continue;
            }

            try
            {
                return read();
            }
            finally
            {
                turn.Release();
            }
        }
    }

    /// <summary>Puts back every variable as it was before this lease, then lets the next one in.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Leases nested in this one by other flows (a runspace the block started that outlives it)
        // end first: put back under them, their children would see the user's environment.
        _turn.Wait();
        try
        {
            Set(_saved);
            _profiles?.Dispose();
            s_flowHolder.Value = _enclosing;
            if (_enclosing is null)
            {
                Volatile.Write(ref s_active, null);
                Interlocked.Increment(ref s_generation);
                s_lock.Release();
            }
            else
            {
                _enclosing._turn.Release();
            }
        }
        finally
        {
            // Whoever still waits for a turn in this lease sees it ended and starts over.
            _turn.Release();
        }
    }

    /// <inheritdoc />
    public override string ToString() =>
        string.Format(CultureInfo.InvariantCulture, "AWS environment lease ({0} variables{1})", _saved.Count, IsNested ? ", nested" : string.Empty);

    // True until disposed, while the outermost lease it belongs to holds the process-wide lock.
    private bool IsInForce => Volatile.Read(ref _disposed) == 0 && ReferenceEquals(_root, Volatile.Read(ref s_active));

    // The lease this flow holds, if it is still the one in force (a flow can outlive its block).
    private static AwsEnvironmentLease? HeldByThisFlow()
    {
        var mine = s_flowHolder.Value;
        return mine is not null && mine.IsInForce ? mine : null;
    }

    private static SemaphoreSlim TurnOf(AwsEnvironmentLease? holder) => holder?._turn ?? s_lock;

    // Takes this flow's turn: in a flow that holds a lease (its block, or a runspace or task the
    // block started), the turn among that lease's nested leases; elsewhere the process-wide lock.
    // Returns the lease whose turn was taken (null: the process-wide lock).
    private static AwsEnvironmentLease? EnterTurn(Action? waiting, CancellationToken cancellationToken)
    {
        var waited = false;
        while (true)
        {
            var holder = HeldByThisFlow();
            var turn = TurnOf(holder);
            if (!turn.Wait(0, CancellationToken.None))
            {
                if (!waited)
                {
                    waiting?.Invoke();
                    waited = true;
                }

                turn.Wait(cancellationToken);
            }

            if (holder is null || holder.IsInForce)
            {
                return holder;
            }

            // The lease ended while this flow waited for its turn in it: wait as a stranger now.
            turn.Release();
        }
    }

    private static void Leave(AwsEnvironmentLease? turnTakenIn) => TurnOf(turnTakenIn).Release();

    // Keys set in a flow of blocks running side by side would reach the other blocks' children.
    private static bool RefusesKeys(AwsEnvironmentLease? turnTakenIn, bool withoutCredentials) =>
        turnTakenIn is { _withoutCredentials: true } && !withoutCredentials;

    // Without a lock when no lease is held at all (an even generation before and after the read).
    private static bool TryReadUnleased<T>(Func<T> read, out T value)
    {
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
}
