using System;
using System.Collections.Generic;

namespace Altimeter.Auth;

/// <summary>
/// A directory only the current user can write, checked once when opened, holding small files by
/// name: what the shared credentials cache keeps its entries in. Unix: <see cref="UnixOwnerOnlyDirectory"/>;
/// Windows: <see cref="WindowsOwnerOnlyDirectory"/>.
/// </summary>
internal interface IOwnerOnlyDirectory : IDisposable
{
    /// <summary>The full path it was opened at.</summary>
    string Path { get; }

    /// <summary>
    /// The content of the file <paramref name="name"/>; null when there is none. A file that is there
    /// but is not to be trusted or read (not a regular file, another owner, open to others, larger
    /// than <paramref name="maxBytes"/>, unreadable) gives null and <paramref name="problem"/>, the
    /// reason in a few words (for a warning that names the file).
    /// </summary>
    byte[]? TryRead(string name, long maxBytes, out string? problem);

    /// <summary>Replaces the file <paramref name="name"/> at once: written owner-only under a temporary name, flushed, renamed over it.</summary>
    void WriteAtomically(string name, byte[] content);

    /// <summary>Removes the file <paramref name="name"/> if it is there (a link is removed, never followed); errors are ignored.</summary>
    void Delete(string name);

    /// <summary>The names of the files whose names end in <paramref name="suffix"/>.</summary>
    IEnumerable<string> Names(string suffix);
}
