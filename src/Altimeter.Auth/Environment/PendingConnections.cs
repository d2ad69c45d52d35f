using System;
using System.Collections.Generic;
using System.Net.Sockets;
using System.Threading;

namespace Altimeter.Auth;

/// <summary>
/// A connection to the credentials listener that has not yet sent its whole request head, and so
/// has shown no token. It is cut (closed) when its head deadline passes, or sooner when newer
/// connections push it out of <see cref="PendingConnections"/>.
/// </summary>
internal sealed class PendingConnection : IDisposable
{
    private readonly CancellationTokenSource _deadline = new();
    private readonly CancellationTokenRegistration _cutAtDeadline;
    private int _cut;

    public PendingConnection(TcpClient client, TimeSpan headDeadline)
    {
        Client = client;
        _cutAtDeadline = _deadline.Token.Register(Cut);
        _deadline.CancelAfter(headDeadline);
    }

    public TcpClient Client { get; }

    /// <summary>True once cut: its socket is closed.</summary>
    public bool IsCut => Volatile.Read(ref _cut) != 0;

    /// <summary>Where it stands in <see cref="PendingConnections"/>; null when not there (any more).</summary>
    internal LinkedListNode<PendingConnection>? Node { get; set; }

    /// <summary>Closes the socket: a read of the head in progress ends with an error. Calling it again does nothing.</summary>
    public void Cut()
    {
        if (Interlocked.Exchange(ref _cut, 1) == 0)
        {
            Client.Dispose();
        }
    }

    /// <summary>Ends the head deadline (the head is in); waits for a cut the deadline is making.</summary>
    public void Dispose()
    {
        _cutAtDeadline.Dispose();
        _deadline.Dispose();
    }
}

/// <summary>
/// The listener's connections that have not yet sent a request head, oldest first, at most
/// <c>capacity</c> of them. Another local user can open connections and send nothing; they must
/// neither block the listener from accepting nor keep a client with the token waiting. So adding
/// never refuses: past the capacity the oldest is pushed out, to be cut. A real client sends its
/// head as soon as it connects and leaves the set at once; only a flood of more than the capacity
/// in that moment could push it out, and its SDK would try again.
/// </summary>
internal sealed class PendingConnections
{
    private readonly LinkedList<PendingConnection> _oldestFirst = new();
    private readonly int _capacity;

    public PendingConnections(int capacity)
    {
        if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity));
        _capacity = capacity;
    }

    public int Count
    {
        get
        {
            lock (_oldestFirst)
            {
                return _oldestFirst.Count;
            }
        }
    }

    /// <summary>Adds <paramref name="connection"/>; returns the oldest one it pushed out (the caller cuts it), or null.</summary>
    public PendingConnection? Add(PendingConnection connection)
    {
        lock (_oldestFirst)
        {
            connection.Node = _oldestFirst.AddLast(connection);
            if (_oldestFirst.Count <= _capacity)
            {
                return null;
            }

            var oldest = _oldestFirst.First!.Value;
            _oldestFirst.RemoveFirst();
            oldest.Node = null;
            return oldest;
        }
    }

    /// <summary>Takes <paramref name="connection"/> out; false when it had been pushed out already.</summary>
    public bool Remove(PendingConnection connection)
    {
        lock (_oldestFirst)
        {
            if (connection.Node is null)
            {
                return false;
            }

            _oldestFirst.Remove(connection.Node);
            connection.Node = null;
            return true;
        }
    }
}
