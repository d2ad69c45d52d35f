using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Altimeter.Auth;

/// <summary>
/// The request line and headers of one HTTP/1.1 request, as far as a credentials endpoint needs
/// them (it answers GETs without bodies). Read with a size limit; a header that appears twice is
/// kept twice, so that the endpoint can refuse an ambiguous Host or Authorization.
/// </summary>
internal sealed class HttpRequestHead
{
    /// <summary>More than any SDK sends for a GET (about 300 bytes); a larger head is refused.</summary>
    public const int MaxBytes = 8192;

    private static readonly byte[] s_endOfHead = { (byte)'\r', (byte)'\n', (byte)'\r', (byte)'\n' };
    private readonly Dictionary<string, List<byte[]>> _headers;

    private HttpRequestHead(string method, string target, Dictionary<string, List<byte[]>> headers)
    {
        Method = method;
        Target = target;
        _headers = headers;
    }

    public string Method { get; }

    /// <summary>The request target as sent (origin form: path and query).</summary>
    public string Target { get; }

    /// <summary>
    /// The raw bytes of the one value of header <paramref name="name"/>; null when it is absent.
    /// </summary>
    /// <exception cref="FormatException">The header appears more than once.</exception>
    public byte[]? Single(string name)
    {
        if (!_headers.TryGetValue(name, out var values))
        {
            return null;
        }

        return values.Count == 1 ? values[0] : throw new FormatException($"The {name} header appears more than once.");
    }

    /// <summary>Reads a request head; null when the client closed the connection before sending one.</summary>
    /// <exception cref="FormatException">Not an HTTP/1.x request head, or one over <see cref="MaxBytes"/>.</exception>
    public static async Task<HttpRequestHead?> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxBytes];
        var length = 0;
        int end;
        while ((end = IndexOf(buffer, length, s_endOfHead)) < 0)
        {
            if (length == buffer.Length)
            {
                throw new FormatException("The request head is too large.");
            }

            var read = await stream.ReadAsync(buffer, length, buffer.Length - length, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return length == 0 ? null : throw new FormatException("The connection closed in the middle of a request head.");
            }

            length += read;
        }

        return Parse(buffer, end);
    }

    private static HttpRequestHead Parse(byte[] buffer, int length)
    {
        var lines = SplitLines(buffer, length);
        var requestLine = Ascii(lines[0]).Split(' ');
        if (requestLine.Length != 3 || requestLine[0].Length == 0 || requestLine[1].Length == 0 || !requestLine[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            throw new FormatException("The request line is not an HTTP/1.x request line.");
        }

        var headers = new Dictionary<string, List<byte[]>>(StringComparer.OrdinalIgnoreCase);
        for (var i = 1; i < lines.Count; i++)
        {
            var line = lines[i];
            var colon = Array.IndexOf(line, (byte)':');
            if (colon <= 0)
            {
                throw new FormatException("A header line has no name.");
            }

            var name = Ascii(Slice(line, 0, colon));
            if (name.IndexOf(' ') >= 0 || name.IndexOf('\t') >= 0)
            {
                throw new FormatException("A header name contains white space.");
            }

            var value = Trim(Slice(line, colon + 1, line.Length - colon - 1));
            if (!headers.TryGetValue(name, out var values))
            {
                headers[name] = values = new List<byte[]>(1);
            }

            values.Add(value);
        }

        return new HttpRequestHead(requestLine[0], requestLine[1], headers);
    }

    private static List<byte[]> SplitLines(byte[] buffer, int length)
    {
        var lines = new List<byte[]>();
        var start = 0;
        for (var i = 0; i < length; i++)
        {
            if (buffer[i] == '\r' && i + 1 < length && buffer[i + 1] == '\n')
            {
                lines.Add(Slice(buffer, start, i - start));
                start = i + 2;
                i++;
            }
            else if (buffer[i] == '\r' || buffer[i] == '\n' || buffer[i] == 0)
            {
                // A bare CR or LF is where request smuggling starts; a NUL has no business in a head.
                throw new FormatException("The request head contains a bare CR, LF or NUL.");
            }
        }

        lines.Add(Slice(buffer, start, length - start));
        return lines;
    }

    // The request line and header names must be ASCII; header values stay bytes (the token is compared as bytes).
    private static string Ascii(byte[] bytes)
    {
        foreach (var b in bytes)
        {
            if (b < 0x20 || b > 0x7E)
            {
                throw new FormatException("The request line or a header name is not printable ASCII.");
            }
        }

        return Encoding.ASCII.GetString(bytes);
    }

    private static byte[] Trim(byte[] value)
    {
        var start = 0;
        var end = value.Length;
        while (start < end && (value[start] == ' ' || value[start] == '\t'))
        {
            start++;
        }

        while (end > start && (value[end - 1] == ' ' || value[end - 1] == '\t'))
        {
            end--;
        }

        return Slice(value, start, end - start);
    }

    private static byte[] Slice(byte[] bytes, int start, int count)
    {
        var slice = new byte[count];
        Buffer.BlockCopy(bytes, start, slice, 0, count);
        return slice;
    }

    private static int IndexOf(byte[] buffer, int length, byte[] pattern)
    {
        for (var i = 0; i + pattern.Length <= length; i++)
        {
            var match = true;
            for (var j = 0; j < pattern.Length && match; j++)
            {
                match = buffer[i + j] == pattern[j];
            }

            if (match)
            {
                return i;
            }
        }

        return -1;
    }
}
