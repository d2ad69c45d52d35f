using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using Newtonsoft.Json.Linq;

namespace Altimeter.Auth;

/// <summary>
/// The credentials cache shared by processes (opt-in): one file per entry under a directory the
/// current user alone can write. It trusts only what that user could have written: the directory
/// is created owner-only in one step, and an existing one that belongs to someone else, or is a
/// link, is refused with <see cref="SharedCacheException"/>; an entry file is read only if it is a
/// regular file of the current user that no one else can read or write, of at most
/// <see cref="MaxEntryBytes"/>, of this format (<see cref="FormatVersion"/>), made for the key and
/// the binding asked for (<see cref="CacheBinding"/>). Anything else is ignored: a file that cannot
/// be trusted or is malformed with a warning to the log of the call that met it; an entry of an
/// older format, whose binding was the signer's key id alone, silently (a miss, never a hit). File
/// names are hashes (no ':' in them); a file is written owner-only under a temporary name and
/// renamed into place, never truncated in place; expired entries are pruned. Unix:
/// <see cref="UnixOwnerOnlyDirectory"/>; Windows: <see cref="WindowsOwnerOnlyDirectory"/>.
/// </summary>
internal sealed class SharedCredentialsStore
{
    /// <summary>An entry is a few hundred bytes; a larger file is not one of ours and is not read.</summary>
    public const int MaxEntryBytes = 64 * 1024;

    /// <summary>The format of an entry: 2 binds it to <see cref="CacheBinding"/>; 1 bound it to the signer's access key id only, and is not trusted.</summary>
    public const int FormatVersion = 2;

    private const string Extension = ".altimeter-creds.json";
    private const string MfaSessionPrefix = "mfa-session|";
    private static readonly TimeSpan PruneInterval = TimeSpan.FromMinutes(10);
    private readonly IOwnerOnlyDirectory _files;
    private long _nextPruneTicks;

    /// <summary>Opens (and creates, owner-only) the store at <paramref name="directory"/>.</summary>
    /// <exception cref="SharedCacheException">The directory belongs to someone else, is a link or not a directory, or cannot be created.</exception>
    public SharedCredentialsStore(string directory)
    {
        var path = Path.GetFullPath(directory ?? throw new ArgumentNullException(nameof(directory)));
        _files = RuntimeInformation.IsOSPlatform(OSPlatform.Windows)
            ? new WindowsOwnerOnlyDirectory(path)
            : UnixOwnerOnlyDirectory.OpenOrCreate(path);
        Directory = _files.Path;
    }

    /// <summary>Where the files are.</summary>
    public string Directory { get; }

    /// <summary>
    /// The entry for the key, or null. An entry bound to another binding is a miss, and so is an
    /// entry made without one when <paramref name="binding"/> is given. Expired and malformed files
    /// are removed; a file that is malformed or cannot be trusted is told to <paramref name="log"/>.
    /// </summary>
    public CachedCredentials? TryGet(CacheKey key, string? binding, DateTimeOffset now, IAuthLog log)
    {
        var text = key.ToString();
        return TryGetEntry(Hash(text) + Extension, text, binding, now, log);
    }

    /// <summary>Writes the entry: to a temporary file, owner-only from its creation, then renamed over the old one; a failed write is told to <paramref name="log"/>.</summary>
    public void Put(CachedCredentials credentials, CacheKey key, string? binding, IAuthLog log)
    {
        var text = key.ToString();
        PutEntry(Hash(text) + Extension, text, credentials, binding, log);
    }

    /// <summary>
    /// The MFA session opened with <paramref name="serialNumber"/> by the IAM user whose long-term
    /// credentials have the digest <paramref name="source"/> (<see cref="CacheBinding.OfCredentials"/>),
    /// or null: a session of other credentials or another device is never found (its file name and
    /// its binding are both bound to them).
    /// </summary>
    internal CachedCredentials? TryGetMfaSession(string source, string serialNumber, DateTimeOffset now, IAuthLog log)
    {
        var key = MfaSessionKey(serialNumber);
        return TryGetEntry(MfaSessionName(key, source), key, source, now, log);
    }

    /// <summary>Writes the MFA session of those credentials and that device, as <see cref="Put"/> writes a hop.</summary>
    internal void PutMfaSession(CachedCredentials credentials, string source, string serialNumber, IAuthLog log)
    {
        var key = MfaSessionKey(serialNumber);
        PutEntry(MfaSessionName(key, source), key, credentials, source, log);
    }

    // '|' is in no account id, role or device serial: an MFA session's key never reads as account:role:session.
    private static string MfaSessionKey(string serialNumber) => MfaSessionPrefix + serialNumber;

    private static bool IsMfaSessionKey(string key) => key.StartsWith(MfaSessionPrefix, StringComparison.Ordinal);

    // The credentials are in the name too: the keys of one user (rotation) keep a session each instead of replacing each other's.
    private static string MfaSessionName(string key, string source) => Hash(key + "\n" + source) + Extension;

    /// <summary>What an entry file holds of <paramref name="binding"/>: its hash (a binding is a digest already; a file never holds what a caller passed).</summary>
    internal static string FileBinding(string binding) => Hash(binding);

    private CachedCredentials? TryGetEntry(string name, string key, string? binding, DateTimeOffset now, IAuthLog log)
    {
        var bytes = _files.TryRead(name, MaxEntryBytes, out var problem);
        if (problem is not null)
        {
            log.Warning($"shared credentials cache: {name} {problem}; it is ignored.");
            return null;
        }

        if (bytes is null)
        {
            return null;
        }

        try
        {
            var json = JObject.Parse(BoundedFileReader.Decode(bytes));
            // A hop's key holds the account: 12 digits, then role and session names, which cannot contain ':'.
            if ((string?)json["key"] != key)
            {
                throw new InvalidDataException("it names another key");
            }

            var credentials = CredentialsOf(json);
            if (credentials.IsExpired(now))
            {
                _files.Delete(name);
                return null;
            }

            // An older format's entry was bound to the signer's key id alone: not trusted, a miss (a write replaces it).
            if (!IsCurrentFormat(json))
            {
                return null;
            }

            var boundTo = (string?)json["binding"];
            var sameBinding = binding is null || (boundTo is not null && boundTo == FileBinding(binding));
            return sameBinding ? credentials : null;
        }
        catch (Exception e) when (e is Newtonsoft.Json.JsonException or InvalidDataException or FormatException or InvalidCastException or OverflowException or ArgumentException)
        {
            // Our words only: the parser's and the converters' messages quote the file, whose fields are credentials.
            var reason = e switch
            {
                InvalidDataException => e.Message,
                Newtonsoft.Json.JsonReaderException json => $"not valid JSON at line {json.LineNumber}, column {json.LinePosition}",
                _ => "a field is not of the type an entry holds",
            };
            log.Warning($"shared credentials cache: {name} is malformed ({reason}); it is ignored and replaced.");
            _files.Delete(name);
            return null;
        }
    }

    private static CachedCredentials CredentialsOf(JObject json) => new(
        (string?)json["access_key_id"] ?? throw new InvalidDataException("it has no access_key_id"),
        (string?)json["secret_access_key"] ?? throw new InvalidDataException("it has no secret_access_key"),
        (string?)json["session_token"],
        DateTimeOffset.FromUnixTimeSeconds((long?)json["expiration"] ?? throw new InvalidDataException("it has no expiration")));

    /// <summary>
    /// The hop entries in the store, whoever wrote them (this process or another), expired ones
    /// included until they are pruned; MFA sessions are not listed. Only what a lookup of the key
    /// would find is listed: a trusted, well-formed file under its key's name. The rest is left to
    /// the lookup that meets it, which warns.
    /// </summary>
    internal IReadOnlyList<(CacheKey Key, CachedCredentials Credentials)> List()
    {
        var entries = new List<(CacheKey, CachedCredentials)>();
        foreach (var name in _files.Names(Extension))
        {
            if (Read(name) is JObject json
                && IsCurrentFormat(json)
                && json["key"] is JValue { Value: string text }
                && CacheKey.TryParse(text, out var key)
                && name == Hash(text) + Extension)
            {
                try
                {
                    entries.Add((key, CredentialsOf(json)));
                }
                catch (Exception e) when (e is FormatException or InvalidCastException or ArgumentException)
                {
                    // Malformed: its lookup warns and replaces it.
                }
            }
        }

        return entries;
    }

    private static bool IsCurrentFormat(JObject json) => json["version"] is JValue { Type: JTokenType.Integer } version && (long)version == FormatVersion;

    private void PutEntry(string name, string key, CachedCredentials credentials, string? binding, IAuthLog log)
    {
        if (credentials is null) throw new ArgumentNullException(nameof(credentials));
        var json = new JObject
        {
            ["version"] = FormatVersion,
            ["key"] = key,
            ["binding"] = binding is null ? null : FileBinding(binding),
            ["access_key_id"] = credentials.AccessKeyId,
            ["secret_access_key"] = credentials.SecretAccessKey,
            ["session_token"] = credentials.SessionToken,
            ["expiration"] = credentials.Expiration.ToUnixTimeSeconds(),
        };
        try
        {
            _files.WriteAtomically(name, Encoding.UTF8.GetBytes(json.ToString(Newtonsoft.Json.Formatting.None)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.Warning($"shared credentials cache: could not write {name} ({e.Message}).");
        }

        PruneExpiredIfDue(DateTimeOffset.UtcNow);
    }

    /// <summary>
    /// Removes the entries <paramref name="match"/> selects by their key (all when null, whatever
    /// the files are, MFA sessions included); returns how many.
    /// </summary>
    public int Remove(Func<CacheKey, bool>? match = null)
    {
        var removed = 0;
        foreach (var name in _files.Names(Extension))
        {
            if (match is null || KeyOf(name) is string text && !IsMfaSessionKey(text) && CacheKey.TryParse(text, out var key) && match(key))
            {
                _files.Delete(name);
                removed++;
            }
        }

        return removed;
    }

    /// <summary>Removes the MFA sessions, of every key and device; returns how many.</summary>
    internal int RemoveMfaSessions()
    {
        var removed = 0;
        foreach (var name in _files.Names(Extension))
        {
            if (KeyOf(name) is string key && IsMfaSessionKey(key))
            {
                _files.Delete(name);
                removed++;
            }
        }

        return removed;
    }

    // Pruning reads every file: once per store at the first write, then at most once per interval,
    // not after every write (a scan of N accounts would read N files N times).
    private void PruneExpiredIfDue(DateTimeOffset now)
    {
        var due = Interlocked.Read(ref _nextPruneTicks);
        if (now.UtcTicks < due || Interlocked.CompareExchange(ref _nextPruneTicks, (now + PruneInterval).UtcTicks, due) != due)
        {
            return;
        }

        PruneExpired(now);
    }

    /// <summary>Deletes entries that have expired.</summary>
    public void PruneExpired(DateTimeOffset now)
    {
        foreach (var name in _files.Names(Extension))
        {
            if (Field(name, "expiration") is long seconds && DateTimeOffset.FromUnixTimeSeconds(seconds) - CachedCredentials.ExpiryMargin <= now)
            {
                _files.Delete(name);
            }
        }
    }

    // The key a trusted, well-formed file says it holds; null for anything else (reported when its key is looked up).
    private string? KeyOf(string name) => Field(name, "key") as string;

    private object? Field(string name, string field) => (Read(name)?[field] as JValue)?.Value;

    // A trusted file's object, or null (untrusted, unreadable, not a JSON object).
    private JObject? Read(string name)
    {
        var bytes = _files.TryRead(name, MaxEntryBytes, out _);
        if (bytes is null)
        {
            return null;
        }

        try
        {
            return JObject.Parse(BoundedFileReader.Decode(bytes));
        }
        catch (Newtonsoft.Json.JsonException)
        {
            return null;
        }
    }

    private static string Hash(string text)
    {
        return BitConverter.ToString(Sha256Digest.Hash(Encoding.UTF8.GetBytes(text))).Replace("-", string.Empty).ToLowerInvariant();
    }
}
