using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Altimeter.Auth;

/// <summary>
/// Reads a file the user named (an accessor file, the AWS config): regular files only, at most a
/// limit, never blocking. Symbolic links are followed (the user named the path), but what is opened
/// must be a regular file: a FIFO would block a plain read for ever and a device such as /dev/zero
/// reports a length of 0 and never ends, so neither is read. The limit holds whatever length the
/// file reports: at most one byte more than it is read.
/// </summary>
internal static class BoundedFileReader
{
    /// <summary>The text of the file at <paramref name="path"/> (a byte order mark chooses the encoding, else UTF-8).</summary>
    /// <exception cref="FileTooLargeException">More than <paramref name="maxBytes"/>.</exception>
    /// <exception cref="IOException">Missing, unreadable, or not a regular file (the message says which).</exception>
    public static string ReadText(string path, long maxBytes)
    {
        using var stream = OpenRegularFile(path);
        return Decode(ReadAtMost(stream, maxBytes));
    }

    /// <summary>The bytes of the file at <paramref name="path"/>, as they are (a file rewritten in place must keep them).</summary>
    /// <exception cref="FileTooLargeException">More than <paramref name="maxBytes"/>.</exception>
    /// <exception cref="IOException">Missing, unreadable, or not a regular file (the message says which).</exception>
    public static byte[] ReadBytes(string path, long maxBytes)
    {
        using var stream = OpenRegularFile(path);
        return ReadAtMost(stream, maxBytes);
    }

    /// <summary>Up to <paramref name="maxBytes"/> bytes of <paramref name="stream"/>, or <see cref="FileTooLargeException"/> if there are more.</summary>
    public static byte[] ReadAtMost(Stream stream, long maxBytes)
    {
        if (stream is null) throw new ArgumentNullException(nameof(stream));
        if (stream.CanSeek && stream.Length > maxBytes)
        {
            throw new FileTooLargeException(maxBytes);
        }

        // The size a seekable file claims only sizes the buffer (it may grow while read): a small
        // file, the usual case, costs a small buffer, not 80 KB.
        var claimed = stream.CanSeek ? stream.Length : 81920;
        using var content = new MemoryStream();
        var chunk = new byte[(int)Math.Min(maxBytes + 1, Math.Min(81920, Math.Max(4096, claimed + 1)))];
        int read;
        while ((read = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, maxBytes + 1 - content.Length))) > 0)
        {
            content.Write(chunk, 0, read);
            if (content.Length > maxBytes)
            {
                throw new FileTooLargeException(maxBytes);
            }
        }

        return content.ToArray();
    }

    /// <summary>Text as File.ReadAllText decodes it: a byte order mark chooses the encoding, else UTF-8.</summary>
    public static string Decode(byte[] bytes)
    {
        using var reader = new StreamReader(new MemoryStream(bytes), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    private static FileStream OpenRegularFile(string path)
    {
        if (path.IndexOf('\0') >= 0)
        {
            // The C library would stop at it and open another path.
            throw new ArgumentException("the path contains a NUL character", nameof(path));
        }

        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            // Windows: a pipe or device opened by name cannot seek; a regular file can.
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
            if (!stream.CanSeek)
            {
                stream.Dispose();
                throw new IOException("it is not a regular file");
            }

            return stream;
        }

        // O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer; it is then refused.
        var fd = UnixSystemCalls.Open(path, UnixSystemCalls.ReadOnly | UnixSystemCalls.NonBlocking | UnixSystemCalls.CloseOnExec);
        if (fd < 0)
        {
            var errno = UnixSystemCalls.LastError;
            throw errno == UnixSystemCalls.NoSuchFile
                ? new FileNotFoundException($"there is no file '{path}'", path)
                : UnixSystemCalls.Failure("open", errno);
        }

        var handle = new SafeFileHandle((IntPtr)fd, ownsHandle: true);
        try
        {
            var status = UnixFileStatus.Of(handle);
            if (!status.IsRegularFile)
            {
                throw new IOException($"it is a {status.TypeName}, not a regular file");
            }

            return new FileStream(handle, FileAccess.Read, bufferSize: 1);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }
}
