using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;

namespace Altimeter.Auth;

/// <summary>
/// The syntax check of accessor JSON: RFC 8259 only (no comments, trailing commas, single quotes
/// or unquoted keys, as altimeter's json module), no key twice in one object. A file it refuses is
/// described by its 1-based line and column and what is wrong there, in our words: never the
/// parser's message, which quotes the file (a TOML config read as JSON quoted its secret keys)
/// and talks of reader options the user does not have.
/// </summary>
internal static class StrictJson
{
    // Keys are structure, not values, but a key is shown only when it is short and printable.
    private const int MaxKeyShown = 64;

    /// <summary>
    /// Throws <see cref="AccessorDefinitionException"/> (<see cref="AccessorDefinitionException.Invalid"/>)
    /// naming <paramref name="source"/>, the position and the fault when <paramref name="json"/> is not
    /// strict JSON; <paramref name="hint"/>, when given, ends the message.
    /// </summary>
    public static void Check(string json, string source, string? hint = null)
    {
        var utf8 = Encoding.UTF8.GetBytes(json);
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false });
        var keys = new Stack<HashSet<string>>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        keys.Push(new HashSet<string>(StringComparer.Ordinal));
                        break;
                    case JsonTokenType.EndObject:
                        keys.Pop();
                        break;
                    case JsonTokenType.PropertyName:
                        var key = reader.GetString()!;
                        if (!keys.Peek().Add(key))
                        {
                            throw Error(source, utf8, reader.TokenStartIndex, $"{KeyShown(key)} is given twice in one object.", hint);
                        }

                        break;
                }
            }
        }
        catch (JsonException e)
        {
            var offset = OffsetOf(utf8, e.LineNumber ?? 0, e.BytePositionInLine ?? 0);
            var fault = reader.CurrentDepth >= 64
                ? "the document nests more than 64 levels deep."
                : Describe(utf8, offset);
            throw Error(source, utf8, offset, fault, hint);
        }
    }

    /// <summary>1-based line and column (in characters) of the byte at <paramref name="offset"/>.</summary>
    public static (int Line, int Column) PositionOf(byte[] utf8, long offset)
    {
        var line = 1;
        var lineStart = 0;
        var end = (int)Math.Min(offset, utf8.Length);
        for (var i = 0; i < end; i++)
        {
            if (utf8[i] == (byte)'\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return (line, Encoding.UTF8.GetCharCount(utf8, lineStart, end - lineStart) + 1);
    }

    private static AccessorDefinitionException Error(string source, byte[] utf8, long offset, string fault, string? hint)
    {
        var (line, column) = PositionOf(utf8, offset);
        var where = IsBlank(utf8, 0, utf8.Length) ? string.Empty : $" at line {line}, column {column}";
        return new AccessorDefinitionException(
            AccessorDefinitionException.Invalid,
            $"not valid JSON{where}: {fault}{(hint is null ? string.Empty : " " + hint)}",
            source);
    }

    // The parser says which line (from 0) and which byte of it (from 0) it stopped at.
    private static long OffsetOf(byte[] utf8, long lineNumber, long bytePositionInLine)
    {
        long offset = 0;
        for (long line = 0; line < lineNumber && offset < utf8.Length; offset++)
        {
            if (utf8[offset] == (byte)'\n')
            {
                line++;
            }
        }

        return Math.Min(offset + bytePositionInLine, utf8.Length);
    }

    // What is wrong at the byte the parser stopped at, judged from that byte and what comes before
    // it; a single structural character is named, the file's text never is.
    private static string Describe(byte[] utf8, long offset)
    {
        if (IsBlank(utf8, 0, utf8.Length))
        {
            return "the file is empty; an accessor file holds one JSON object ({\"multi_hop_accessors\": [...]}).";
        }

        if (InString(utf8, offset))
        {
            return offset >= utf8.Length
                ? "the text ends inside a string: a closing \" is missing."
                : utf8[offset] < 0x20
                    ? "a line break or control character inside a string (JSON strings are one line; write \\n for a line break)."
                    : "a string has an escape JSON does not know (JSON has \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX).";
        }

        if (IsBlank(utf8, (int)offset, utf8.Length))
        {
            return "the text ends before the JSON does: a closing } or ] is missing.";
        }

        var at = utf8[offset];
        var before = PreviousSignificant(utf8, offset);
        var startsValue = at is (byte)'{' or (byte)'[' or (byte)'"' or (byte)'-' || at is >= (byte)'0' and <= (byte)'9' || at is (byte)'t' or (byte)'f' or (byte)'n';
        return at switch
        {
            (byte)'/' or (byte)'#' => "a comment; JSON has none.",
            (byte)'\'' => "a string in single quotes; JSON strings take double quotes.",
            (byte)'}' or (byte)']' when before == (byte)',' => $"a comma before the closing {(char)at}; JSON allows none there.",
            _ when before == -1 && !startsValue => "the text does not start as JSON does (with { for an accessor file).",
            _ when IsNumberPart(at) && offset > 0 && IsNumberPart(utf8[offset - 1]) => "a number JSON does not accept (no leading zeros, + signs or bare dots).",
            _ when startsValue && IsValueEnd(before)
                => InnermostOpen(utf8, offset) == -1
                    ? "there is more after the end of the JSON document."
                    : "a value follows another without a comma between them (or a : is missing after a key).",
            (byte)'}' or (byte)']' when before == (byte)':' => $"a key has no value before the closing {(char)at}.",
            (byte)'}' or (byte)']' => InnermostOpen(utf8, offset) switch
            {
                -1 => $"a closing {(char)at} with nothing open to close.",
                var open => $"a closing {(char)at} where the {(char)open} opened before needs {(open == (byte)'{' ? '}' : ']')} (or a value is missing).",
            },
            (byte)'.' or (byte)'+' => "a number JSON does not accept (no leading zeros, + signs or bare dots).",
            _ when IsLetter(at) => "a bare word; strings take double quotes, and the only bare words are true, false and null.",
            (byte)',' or (byte)':' => $"a {(char)at} where a value was expected.",
            _ => "a character JSON does not have here.",
        };
    }

    // The last character of a string, object, array, number or true/false/null.
    private static bool IsValueEnd(int b) => b is '"' or '}' or ']' or 'e' or 'l' || b is >= '0' and <= '9';

    private static bool IsNumberPart(byte b) => b is (byte)'.' or (byte)'+' or (byte)'-' or (byte)'e' or (byte)'E' || b is >= (byte)'0' and <= (byte)'9';

    private static bool IsLetter(byte b) => b is >= (byte)'a' and <= (byte)'z' || b is >= (byte)'A' and <= (byte)'Z' || b >= 0x80;

    private static bool IsBlank(byte[] utf8, int from, int to)
    {
        for (var i = from; i < to; i++)
        {
            if (utf8[i] is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                return false;
            }
        }

        return true;
    }

    private static int PreviousSignificant(byte[] utf8, long offset)
    {
        for (var i = offset - 1; i >= 0; i--)
        {
            if (utf8[i] is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                return utf8[i];
            }
        }

        return -1;
    }

    // True when the byte at offset lies inside a double-quoted string (escapes followed).
    private static bool InString(byte[] utf8, long offset)
    {
        var inString = false;
        for (long i = 0; i < offset && i < utf8.Length; i++)
        {
            if (inString && utf8[i] == (byte)'\\')
            {
                i++;
            }
            else if (utf8[i] == (byte)'"')
            {
                inString = !inString;
            }
        }

        return inString;
    }

    // The bracket still open at offset ({ or [), or -1 when every one before it is closed.
    private static int InnermostOpen(byte[] utf8, long offset)
    {
        var open = new Stack<byte>();
        var inString = false;
        for (long i = 0; i < offset && i < utf8.Length; i++)
        {
            var b = utf8[i];
            if (inString)
            {
                if (b == (byte)'\\') i++;
                else if (b == (byte)'"') inString = false;
            }
            else if (b == (byte)'"') inString = true;
            else if (b is (byte)'{' or (byte)'[') open.Push(b);
            else if (b is (byte)'}' or (byte)']' && open.Count > 0) open.Pop();
        }

        return open.Count == 0 ? -1 : open.Peek();
    }

    private static string KeyShown(string key)
    {
        foreach (var c in key)
        {
            if (char.IsControl(c))
            {
                return "a key";
            }
        }

        return key.Length <= MaxKeyShown ? $"the key '{key}'" : "a key";
    }
}
