using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using Altimeter.Auth;
using Altimeter.Auth.Tests.Doubles;
using Xunit;

namespace Altimeter.Auth.Tests;

// Issue 11, cases 3 and 6: what another local user (or a careless script) can leave in or around the
// shared credentials cache. Each test plants the file as the attack would; a hang fails (Within).
[UnsupportedOSPlatform("windows")]
public sealed class SharedCredentialsStoreHostileFilesTests : IDisposable
{
    private const string Account = "123456789012";
    private const string Signer = "AKIASIGNERHOSTILE001";
    private readonly string _root = Directory.CreateTempSubdirectory("altimeter-hostile-").FullName;
    private readonly List<string> _fifos = new();
    private readonly RecordingLog _log = new();

    private string StoreDirectory => Path.Combine(_root, "cache");

    public void Dispose()
    {
        _fifos.ForEach(UnixTestFiles.ReleaseFifo);
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void A_directory_another_user_owns_is_refused_with_an_error_that_names_it_and_is_left_as_it_was()
    {
        var foreign = UnixTestFiles.ForeignDirectory(_root);
        var mode = File.GetUnixFileMode(foreign.Path);

        var e = Assert.Throws<SharedCacheException>(() => new SharedCredentialsStore(foreign.Path));

        Assert.Equal("SharedCacheUntrusted", e.ErrorId);
        Assert.Contains($"'{foreign.Path}' belongs to uid {foreign.OwnerUserId}, not to this user (uid {UnixTestFiles.EffectiveUserId})", e.Message);
        Assert.Equal(mode, File.GetUnixFileMode(foreign.Path));
    }

    [Fact]
    public void A_symbolic_link_in_place_of_the_directory_is_refused()
    {
        var real = Directory.CreateDirectory(Path.Combine(_root, "real")).FullName;
        File.CreateSymbolicLink(StoreDirectory, real);

        var e = Assert.Throws<SharedCacheException>(() => new SharedCredentialsStore(StoreDirectory));

        Assert.Equal("SharedCacheUntrusted", e.ErrorId);
        Assert.Contains($"'{StoreDirectory}' is a symbolic link", e.Message);
    }

    [Fact]
    public void An_entry_file_another_user_owns_is_ignored_with_a_warning()
    {
        _ = new SharedCredentialsStore(StoreDirectory);
        var entry = PlantEntry(StoreDirectory, "ASIAPLANTEDBYNOBODY2", Signer);
        string outcome;
        if (UnixTestFiles.IsRoot)
        {
            UnixTestFiles.ChangeOwner(entry, UnixTestFiles.Nobody);
            outcome = LookUpPlantedEntry(StoreDirectory);
        }
        else
        {
            // Without root, another user's file (root's) is bind-mounted over the entry in a user
            // namespace, where it shows as uid 65534 and the test's user as uid 0; the lookup runs
            // there, in this assembly run as a program (Program.cs).
            var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
            outcome = UnixTestFiles.RunWithForeignFileAt(entry, ForeignReadableFile(), dotnet, "exec", typeof(Program).Assembly.Location, nameof(LookUpPlantedEntry), StoreDirectory);
        }

        Assert.Equal(
            $"handed out: none; warning: shared credentials cache: {EntryFileName()} belongs to uid 65534, not to this user (uid 0); it is ignored.",
            outcome.Trim());
    }

    /// <summary>What a lookup of the planted entry in <paramref name="directory"/> hands out and warns, as one line.</summary>
    internal static string LookUpPlantedEntry(string directory)
    {
        var log = new RecordingLog();
        var handedOut = new SharedCredentialsStore(directory).TryGet(new CacheKey(Account, "Role", "s1"), Signer, DateTimeOffset.UtcNow, log);
        return $"handed out: {handedOut?.AccessKeyId ?? "none"}; warning: {string.Join(" | ", log.Warnings)}";
    }

    // A regular file of another user that this one may read: root's, in /etc.
    private static string ForeignReadableFile() =>
        new[] { "/etc/hostname", "/etc/hosts", "/etc/passwd" }.FirstOrDefault(f => File.Exists(f) && UnixTestFiles.OwnerOf(f) != UnixTestFiles.EffectiveUserId)
        ?? throw new InvalidOperationException("No file of another user in /etc to plant.");

    [Fact]
    public void An_entry_file_others_may_read_is_ignored_with_a_warning()
    {
        var store = new SharedCredentialsStore(StoreDirectory);
        File.SetUnixFileMode(PlantEntry(StoreDirectory, "ASIAPLANTEDWORLDREAD", Signer), (UnixFileMode)0x1A4);

        Assert.Null(store.TryGet(new CacheKey(Account, "Role", "s1"), Signer, DateTimeOffset.UtcNow, _log));
        Assert.Contains("can be read or written by other users (mode 0644); it is ignored.", SingleWarning(_log));
    }

    [Fact]
    public void A_symbolic_link_at_an_entry_name_is_not_followed()
    {
        var store = new SharedCredentialsStore(StoreDirectory);
        var elsewhere = Directory.CreateDirectory(Path.Combine(_root, "elsewhere")).FullName;
        var target = PlantEntry(elsewhere, "ASIAPLANTEDVIALINK01", Signer);
        File.CreateSymbolicLink(Path.Combine(StoreDirectory, Path.GetFileName(target)), target);

        Assert.Null(store.TryGet(new CacheKey(Account, "Role", "s1"), Signer, DateTimeOffset.UtcNow, _log));
        Assert.Contains("is a symbolic link; it is ignored.", SingleWarning(_log));
    }

    [Fact]
    public void A_FIFO_at_an_entry_name_neither_hangs_a_lookup_nor_a_clear_and_the_next_write_replaces_it()
    {
        var store = new SharedCredentialsStore(StoreDirectory);
        var fifo = Path.Combine(StoreDirectory, EntryFileName());
        UnixTestFiles.MakeFifo(fifo);
        _fifos.Add(fifo);

        Assert.Null(UnixTestFiles.Within(10, () => store.TryGet(new CacheKey(Account, "Role", "s1"), Signer, DateTimeOffset.UtcNow, _log)));
        Assert.Contains("is a FIFO (named pipe), not a regular file; it is ignored.", SingleWarning(_log));
        UnixTestFiles.Within(10, () => { store.PruneExpired(DateTimeOffset.UtcNow); return store.Remove(key => false); });

        store.Put(new CachedCredentials("ASIAOURSAFTERTHEFIFO", "secret", "token", DateTimeOffset.UtcNow.AddHours(1)), new CacheKey(Account, "Role", "s1"), Signer, _log);
        Assert.Equal("ASIAOURSAFTERTHEFIFO", store.TryGet(new CacheKey(Account, "Role", "s1"), Signer, DateTimeOffset.UtcNow, _log)!.AccessKeyId);
    }

    [Fact]
    public void A_1_GB_sparse_entry_file_is_ignored_without_being_read()
    {
        var store = new SharedCredentialsStore(StoreDirectory);
        var huge = Path.Combine(StoreDirectory, EntryFileName());
        using (var stream = new FileStream(huge, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None))
        {
            stream.SetLength(1L << 30);
        }

        File.SetUnixFileMode(huge, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        // On this thread, so that other tests running meanwhile do not count (a whole read ends: no hang to guard against).
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        Assert.Null(store.TryGet(new CacheKey(Account, "Role", "s1"), Signer, DateTimeOffset.UtcNow, _log));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

        Assert.Contains("is 1073741824 bytes, larger than an entry may be (65536 bytes); it is ignored.", SingleWarning(_log));
        Assert.True(allocated < 1024 * 1024, $"{allocated} bytes allocated: the file was read");
    }

    [Fact]
    public void An_entry_made_without_a_signer_is_not_handed_to_a_lookup_that_has_one()
    {
        var store = new SharedCredentialsStore(StoreDirectory);
        store.Put(new CachedCredentials("ASIAUNSIGNEDENTRY001", "secret", "token", DateTimeOffset.UtcNow.AddHours(1)), new CacheKey(Account, "Role", "s1"), binding: null, _log);

        Assert.Null(store.TryGet(new CacheKey(Account, "Role", "s1"), Signer, DateTimeOffset.UtcNow, _log));
        Assert.Equal("ASIAUNSIGNEDENTRY001", store.TryGet(new CacheKey(Account, "Role", "s1"), binding: null, DateTimeOffset.UtcNow, _log)!.AccessKeyId);
        Assert.Empty(_log.Warnings);
    }

    // A well-formed entry for Account:Role:s1, owner-only, as the store would write it — then changed by the test.
    private static string PlantEntry(string directory, string accessKeyId, string? signer)
    {
        var path = Path.Combine(directory, EntryFileName());
        File.WriteAllText(path, $$"""
            {"version": 2, "key": "{{Account}}:Role:s1", "binding": {{(signer is null ? "null" : $"\"{SharedCredentialsStore.FileBinding(signer)}\"")}},
             "access_key_id": "{{accessKeyId}}", "secret_access_key": "planted-secret", "session_token": "planted-token",
             "expiration": {{DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds()}}}
            """);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    private static string EntryFileName() => Hex($"{Account}:Role:s1") + ".altimeter-creds.json";

    private static string Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static string SingleWarning(RecordingLog log)
    {
        var warning = Assert.Single(log.Warnings);
        Assert.StartsWith("shared credentials cache: " + EntryFileName(), warning);
        Assert.DoesNotContain("planted-secret", warning);
        return warning;
    }
}
