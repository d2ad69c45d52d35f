using System;
using System.Text;

namespace Altimeter.Auth;

// Which readers the filter must satisfy, as read in their sources:
// - boto/botocore 1.43, botocore/configloader.py raw_config_parse: Python's configparser
//   (RawConfigParser): "=" or ":" ends the key, whichever comes first; keys are lower-cased; a line
//   indented deeper than the key line above continues that key's value, and blank and comment lines
//   inside such a value do not end it; [DEFAULT] gives its keys to every section.
// - botocore/credentials.py create_credential_resolver and ProfileProviderBuilder.providers: the
//   keys that make a profile a source of credentials (static keys, assume role, web identity, SSO,
//   `aws login`, credential_process) and the boto2 file's [Credentials] aws_access_key_id.
// - aws/aws-sdk-net SharedCredentialsFile / ProfileIniFile (AWSSDK.Core 4.0): "=" separated, lines
//   trimmed; the same credential keys (plus external_id, mfa_serial, duration_seconds).

/// <summary>
/// A shared config or credentials file (or a boto config) with every key that can make a profile a
/// source of credentials taken out, everything else kept line for line: region, retry and endpoint
/// settings, ca_bundle, the s3 and services blocks, section headers (so a named profile still
/// exists, with nothing to sign with).
/// </summary>
/// <remarks>
/// The lines are not parsed into profiles: a credential key is removed wherever it stands (any
/// section, [DEFAULT], indented, before any header), by the stricter of the readers' rules, so that
/// no reader finds one that another reader's rules would have hidden. Its continuation lines go with
/// it, or configparser would join them to the key above.
/// </remarks>
internal static class CredentialFreeConfig
{
    // Prefixes: every aws_* key of these files is a credential or describes one (aws_access_key_id,
    // aws_secret_access_key, aws_session_token, aws_security_token, aws_account_id); every sso_* key
    // belongs to IAM Identity Center; role_* and credential_* to assumed roles and credential_process.
    private static readonly string[] s_credentialPrefixes = { "aws_", "sso_", "role_", "credential_" };

    private static readonly char[] s_lineBreaks = { '\r', '\n' };

    private static readonly string[] s_credentialKeys =
    {
        "source_profile", "web_identity_token_file", "mfa_serial", "external_id", "duration_seconds", "login_session",
    };

    /// <summary>True when a key of this name makes a profile a source of credentials (compared without case).</summary>
    internal static bool IsCredentialKey(string key)
    {
        if (key is null) throw new ArgumentNullException(nameof(key));
        var name = TrimAsAnyReader(key).ToLowerInvariant();
        foreach (var prefix in s_credentialPrefixes)
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return Array.IndexOf(s_credentialKeys, name) >= 0;
    }

    /// <summary><paramref name="text"/> without its credential keys; every other line as it was, line endings included.</summary>
    internal static string Filter(string text)
    {
        if (text is null) throw new ArgumentNullException(nameof(text));
        var kept = new StringBuilder(text.Length);
        var droppedIndent = -1;
        var start = 0;
        while (start < text.Length)
        {
            var next = NextLineStart(text, start);
            var line = text.Substring(start, next - start);
            start = next;

            var content = line.TrimEnd('\n', '\r');
            var indent = IndentOf(content);
            var blankOrComment = indent == content.Length || content[indent] == '#' || content[indent] == ';';
            if (droppedIndent >= 0)
            {
                // Still the removed key's value (configparser's continuation rule)?
                if (blankOrComment || indent > droppedIndent)
                {
                    continue;
                }

                droppedIndent = -1;
            }

            if (!blankOrComment && IsCredentialLine(content, indent))
            {
                droppedIndent = indent;
                continue;
            }

            kept.Append(line);
        }

        return kept.ToString();
    }

    // A line ends at "\n", "\r\n" or a lone "\r": Python reads text files with universal newlines
    // and .NET's ReadLine takes all three, so a file with "\r" alone between its lines is many
    // lines to them, not one to us.
    private static int NextLineStart(string text, int start)
    {
        var end = text.IndexOfAny(s_lineBreaks, start);
        if (end < 0)
        {
            return text.Length;
        }

        return text[end] == '\r' && end + 1 < text.Length && text[end + 1] == '\n' ? end + 2 : end + 1;
    }

    // The key as configparser reads it (up to the first "=" or ":") and as the .NET, Java and JS
    // SDKs do (up to the first "="): a credential key by either reading removes the line.
    private static bool IsCredentialLine(string content, int indent)
    {
        var equals = content.IndexOf('=', indent);
        var colon = content.IndexOf(':', indent);
        return (equals > indent && IsCredentialKey(content.Substring(indent, equals - indent)))
            || (colon > indent && IsCredentialKey(content.Substring(indent, colon - indent)));
    }

    // The key as the loosest reader trims it: .NET's white space, plus what Python's str.strip also
    // takes (U+001C..U+001F), Java's String.trim (every character up to U+0020, controls included)
    // and JavaScript's trim (U+FEFF).
    private static string TrimAsAnyReader(string key)
    {
        var start = 0;
        var end = key.Length;
        while (start < end && IsTrimmedByAnyReader(key[start]))
        {
            start++;
        }

        while (end > start && IsTrimmedByAnyReader(key[end - 1]))
        {
            end--;
        }

        return key.Substring(start, end - start);
    }

    private static bool IsTrimmedByAnyReader(char c) => c <= ' ' || c == '\uFEFF' || char.IsWhiteSpace(c);

    private static int IndentOf(string content)
    {
        var i = 0;
        while (i < content.Length && char.IsWhiteSpace(content[i]))
        {
            i++;
        }

        return i;
    }
}
