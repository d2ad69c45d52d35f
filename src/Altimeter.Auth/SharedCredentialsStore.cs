using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using Newtonsoft.Json.Linq;

namespace Altimeter.Auth;

/// <summary>
/// The credentials cache shared by processes (opt-in): one file per entry under a directory the
/// user owns. File names are hashes (no ':' in them); the directory is 0700 and each file 0600 on
/// Unix; a file is written to a temporary name and renamed into place, never truncated in place;
/// a malformed or unreadable file is ignored with a warning and replaced; expired entries are
/// pruned. On Windows the directory and each file get a protected access list for the current
/// user alone (<see cref="WindowsOwnerOnlyAcl"/>).
/// </summary>
public sealed class SharedCredentialsStore
{
    private const string Extension = ".altimeter-creds.json";
    private static readonly TimeSpan PruneInterval = TimeSpan.FromMinutes(10);
    private long _nextPruneTicks;

    /// <summary>Opens (and creates, owner-only) the store at <paramref name="directory"/>.</summary>
    public SharedCredentialsStore(string directory)
    {
        Directory = Path.GetFullPath(directory ?? throw new ArgumentNullException(nameof(directory)));
        System.IO.Directory.CreateDirectory(Directory);
        OwnerOnlyDirectory(Directory);
    }

    /// <summary>Where the files are.</summary>
    public string Directory { get; }

    /// <summary>What went wrong with files (malformed, unreadable), to be shown to the user; drained by the caller.</summary>
    public ConcurrentQueue<string> Warnings { get; } = new();

    /// <summary>The entry for the key made by <paramref name="signer"/>, or null; expired and malformed files are removed.</summary>
    public CachedCredentials? TryGet(string accountId, string roleName, string roleSessionName, string? signer, DateTimeOffset now)
    {
        var path = PathOf(accountId, roleName, roleSessionName);
        string text;
        try
        {
            if (!File.Exists(path))
            {
                return null;
            }

            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Warnings.Enqueue($"shared credentials cache: {Path.GetFileName(path)} could not be read ({e.Message}); it is ignored and will be replaced.");
            return null;
        }

        try
        {
            var json = JObject.Parse(text);
            if ((string?)json["key"] != CredentialsCache.BuildKey(accountId, roleName, roleSessionName))
            {
                throw new FormatException("the entry names another key");
            }

            var credentials = new CachedCredentials(
                (string?)json["access_key_id"] ?? throw new FormatException("no access_key_id"),
                (string?)json["secret_access_key"] ?? throw new FormatException("no secret_access_key"),
                (string?)json["session_token"],
                DateTimeOffset.FromUnixTimeSeconds((long?)json["expiration"] ?? throw new FormatException("no expiration")));
            if (credentials.IsExpired(now))
            {
                Delete(path);
                return null;
            }

            var madeBy = (string?)json["signer"];
            return signer is null || madeBy is null || madeBy == Hash(signer) ? credentials : null;
        }
        catch (Exception e) when (e is Newtonsoft.Json.JsonException or FormatException or InvalidCastException or ArgumentException)
        {
            Warnings.Enqueue($"shared credentials cache: {Path.GetFileName(path)} is malformed ({e.Message}); it is ignored and replaced.");
            Delete(path);
            return null;
        }
    }

    /// <summary>Writes the entry: to a temporary file, owner-only, then renamed over the old one.</summary>
    public void Put(CachedCredentials credentials, string accountId, string roleName, string roleSessionName, string? signer)
    {
        if (credentials is null) throw new ArgumentNullException(nameof(credentials));
        var json = new JObject
        {
            ["version"] = 1,
            ["key"] = CredentialsCache.BuildKey(accountId, roleName, roleSessionName),
            ["signer"] = signer is null ? null : Hash(signer),
            ["access_key_id"] = credentials.AccessKeyId,
            ["secret_access_key"] = credentials.SecretAccessKey,
            ["session_token"] = credentials.SessionToken,
            ["expiration"] = credentials.Expiration.ToUnixTimeSeconds(),
        };
        var path = PathOf(accountId, roleName, roleSessionName);
        var temporary = Path.Combine(Directory, $".{Guid.NewGuid():N}.tmp");
        try
        {
            // Owner-only before a byte of secret is written.
            using (var stream = CreateOwnerOnlyFile(temporary))
            {
                var bytes = Encoding.UTF8.GetBytes(json.ToString(Newtonsoft.Json.Formatting.None));
                stream.Write(bytes, 0, bytes.Length);
                stream.Flush(flushToDisk: true);
            }

            MoveIntoPlace(temporary, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Warnings.Enqueue($"shared credentials cache: could not write {Path.GetFileName(path)} ({e.Message}).");
            Delete(temporary);
        }

        PruneExpiredIfDue(DateTimeOffset.UtcNow);
    }

    /// <summary>Removes the entries <paramref name="match"/> selects (all when null); returns how many.</summary>
    public int Remove(Func<string, bool>? match = null)
    {
        var removed = 0;
        foreach (var path in Files())
        {
            try
            {
                var key = (string?)JObject.Parse(File.ReadAllText(path))["key"];
                if (match is null || (key is not null && match(key)))
                {
                    Delete(path);
                    removed++;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or Newtonsoft.Json.JsonException)
            {
                if (match is null)
                {
                    Delete(path);
                    removed++;
                }
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
        foreach (var path in Files())
        {
            try
            {
                var expiration = (long?)JObject.Parse(File.ReadAllText(path))["expiration"];
                if (expiration is long seconds && DateTimeOffset.FromUnixTimeSeconds(seconds) - CachedCredentials.ExpiryMargin <= now)
                {
                    Delete(path);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or Newtonsoft.Json.JsonException)
            {
                // Malformed files are dealt with (and reported) when their key is looked up.
            }
        }
    }

    private IEnumerable<string> Files() =>
        System.IO.Directory.Exists(Directory) ? System.IO.Directory.GetFiles(Directory, "*" + Extension) : Array.Empty<string>();

    private string PathOf(string accountId, string roleName, string roleSessionName) =>
        Path.Combine(Directory, Hash(CredentialsCache.BuildKey(accountId, roleName, roleSessionName)) + Extension);

    private static string Hash(string text)
    {
        using var sha = SHA256.Create();
        return BitConverter.ToString(sha.ComputeHash(Encoding.UTF8.GetBytes(text))).Replace("-", string.Empty).ToLowerInvariant();
    }

    private static void MoveIntoPlace(string temporary, string path)
    {
        try
        {
            if (File.Exists(path))
            {
                // rename(2) on Unix: readers see the old file or the new one, never a half-written one.
                File.Replace(temporary, path, destinationBackupFileName: null);
            }
            else
            {
                File.Move(temporary, path);
            }
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process put the same entry there first: theirs is as good as ours.
            File.Replace(temporary, path, destinationBackupFileName: null);
        }
    }

    private static void Delete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static void OwnerOnlyDirectory(string path)
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            WindowsOwnerOnlyAcl.ApplyToDirectory(path);
            return;
        }

        Chmod(path, 0x1C0 /* 0700 */);
    }

    private static FileStream CreateOwnerOnlyFile(string path)
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            return WindowsOwnerOnlyAcl.CreateFile(path);
        }

        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        try
        {
            Chmod(path, 0x180 /* 0600 */);
            return stream;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    private static void Chmod(string path, int mode)
    {
        if (chmod(path, mode) != 0)
        {
            throw new IOException($"could not make {path} owner-only (errno {Marshal.GetLastWin32Error()}).");
        }
    }

    [DllImport("libc", SetLastError = true)]
#pragma warning disable CA2101, SYSLIB1054 // a plain path string, as the C library takes it
    private static extern int chmod(string path, int mode);
#pragma warning restore CA2101, SYSLIB1054
}
