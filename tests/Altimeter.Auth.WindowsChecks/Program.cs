// The engine's Windows-only code, run on a Windows implementation (Wine, in build.ps1 TestWindows): the
// owner-only access lists of the shared credentials cache and the store's file handling through
// Windows' file APIs (create with an access list, ReplaceFile over an existing entry).
// The credentials endpoint: its port held exclusively (Wine's sockets follow Linux's rules, where a
// second bind fails anyway; the exclusive flag is what Windows needs).
// Wine neither stores nor enforces access lists on files (it maps them to Unix modes), so these
// checks prove the access lists the engine asks for and that the calls succeed on Windows' APIs;
// that Windows enforces them is Windows' part. Then the bad-input corpus, file by file.
using System.Runtime.InteropServices;
using System.Security.AccessControl;
using System.Security.Principal;
using Altimeter.Auth;
using Altimeter.Auth.Fixtures;
using Altimeter.Auth.WindowsChecks;

var checks = new CheckRunner();
if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
{
    checks.Fail("runs on Windows (or Wine)", $"this is {RuntimeInformation.OSDescription}: run the win-x64 build under Wine");
    return checks.Finish();
}

var user = WindowsOwnerOnlyAcl.CurrentUser();

checks.Run("the directory's access list is protected and has one entry: full control for the current user, inherited by files and folders", () =>
{
    var security = WindowsOwnerOnlyAcl.DirectorySecurityFor(user);
    Check.That(security.AreAccessRulesProtected, "the access list is not protected from inheritance");
    var rule = Check.Single(security.GetAccessRules(true, true, typeof(SecurityIdentifier)));
    Check.OwnerOnlyRule(rule, user, InheritanceFlags.ContainerInherit | InheritanceFlags.ObjectInherit);
});

checks.Run("a file's access list is protected and has one entry: full control for the current user", () =>
{
    var security = WindowsOwnerOnlyAcl.FileSecurityFor(user);
    Check.That(security.AreAccessRulesProtected, "the access list is not protected from inheritance");
    var rule = Check.Single(security.GetAccessRules(true, true, typeof(SecurityIdentifier)));
    Check.OwnerOnlyRule(rule, user, InheritanceFlags.None);
});

var credentials = new CachedCredentials("ASIAWINDOWSCHECK0001", "windows-check-secret", "windows-check-token", DateTimeOffset.UtcNow.AddHours(1));
var renewed = new CachedCredentials("ASIAWINDOWSCHECK0002", "windows-check-secret-2", "windows-check-token-2", DateTimeOffset.UtcNow.AddHours(1));

checks.Run("a new store: the access lists are set without error, an entry is written under a hashed name and read back, nothing else is left", () =>
{
    using var scratch = new ScratchDirectory();
    var log = new WarningLog();
    var store = new SharedCredentialsStore(Path.Combine(scratch.Path, "cache"));
    store.Put(credentials, new CacheKey("111111111111", "Hub", "windows"), binding: null, log);

    var read = store.TryGet(new CacheKey("111111111111", "Hub", "windows"), binding: null, DateTimeOffset.UtcNow, log);
    Check.That(read?.AccessKeyId == credentials.AccessKeyId, $"read back {read?.AccessKeyId ?? "nothing"}");
    Check.That(log.Warnings.IsEmpty, "warnings: " + string.Join(" | ", log.Warnings));
    var name = Path.GetFileName(Check.Single(Directory.GetFiles(store.Directory)));
    Check.That(System.Text.RegularExpressions.Regex.IsMatch(name, "^[0-9a-f]{64}\\.altimeter-creds\\.json$"), $"file name {name}");
});

checks.Run("an entry written again replaces the file (ReplaceFile) and the new one is read", () =>
{
    using var scratch = new ScratchDirectory();
    var log = new WarningLog();
    var store = new SharedCredentialsStore(scratch.Path);
    store.Put(credentials, new CacheKey("111111111111", "Hub", "windows"), binding: null, log);
    store.Put(renewed, new CacheKey("111111111111", "Hub", "windows"), binding: null, log);

    var read = store.TryGet(new CacheKey("111111111111", "Hub", "windows"), binding: null, DateTimeOffset.UtcNow, log);
    Check.That(read?.AccessKeyId == renewed.AccessKeyId, $"read back {read?.AccessKeyId ?? "nothing"}");
    Check.That(log.Warnings.IsEmpty, "warnings: " + string.Join(" | ", log.Warnings));
    Check.Single(Directory.GetFiles(store.Directory));
});

checks.Run("a malformed file is ignored with a warning, and the next write replaces it", () =>
{
    using var scratch = new ScratchDirectory();
    var log = new WarningLog();
    var store = new SharedCredentialsStore(scratch.Path);
    store.Put(credentials, new CacheKey("111111111111", "Hub", "windows"), binding: null, log);
    var path = Check.Single(Directory.GetFiles(store.Directory));
    File.WriteAllText(path, "{ not json");

    Check.That(store.TryGet(new CacheKey("111111111111", "Hub", "windows"), binding: null, DateTimeOffset.UtcNow, log) is null, "a malformed file was read as an entry");
    Check.That(log.Warnings.TryDequeue(out var warning) && warning.Contains("malformed"), "no warning about the malformed file");
    store.Put(renewed, new CacheKey("111111111111", "Hub", "windows"), binding: null, log);
    Check.That(store.TryGet(new CacheKey("111111111111", "Hub", "windows"), binding: null, DateTimeOffset.UtcNow, log)?.AccessKeyId == renewed.AccessKeyId, "the entry was not replaced");
});

checks.Run("removing every entry empties the directory", () =>
{
    using var scratch = new ScratchDirectory();
    var log = new WarningLog();
    var store = new SharedCredentialsStore(scratch.Path);
    store.Put(credentials, new CacheKey("111111111111", "Hub", "windows"), binding: null, log);
    store.Put(renewed, new CacheKey("222222222222", "Target", "windows"), binding: null, log);

    Check.That(store.Remove() == 2, "Remove did not count 2 entries");
    Check.That(Directory.GetFiles(store.Directory).Length == 0, "files are left");
});

checks.Run("an entry file larger than an entry may be is ignored with a warning, not read", () =>
{
    using var scratch = new ScratchDirectory();
    var log = new WarningLog();
    var store = new SharedCredentialsStore(scratch.Path);
    store.Put(credentials, new CacheKey("111111111111", "Hub", "windows"), binding: null, log);
    using (var stream = new FileStream(Check.Single(Directory.GetFiles(store.Directory)), FileMode.Open, FileAccess.Write))
    {
        stream.SetLength(SharedCredentialsStore.MaxEntryBytes + 1);
    }

    Check.That(store.TryGet(new CacheKey("111111111111", "Hub", "windows"), binding: null, DateTimeOffset.UtcNow, log) is null, "an oversized file was read as an entry");
    Check.That(log.Warnings.TryDequeue(out var warning) && warning.Contains("larger than an entry may be"), "no warning about the oversized file");
});

checks.Run("a file in place of the store's directory is SharedCacheUntrusted, naming it", () =>
{
    using var scratch = new ScratchDirectory();
    var path = Path.Combine(scratch.Path, "not-a-directory");
    File.WriteAllText(path, "x");
    try
    {
        _ = new SharedCredentialsStore(path);
        Check.That(false, "the store opened a file as its directory");
    }
    catch (SharedCacheException e)
    {
        Check.That(e.ErrorId == SharedCacheException.Untrusted && e.Message.Contains(path), $"{e.ErrorId}: {e.Message}");
    }
});

checks.Run("the credentials endpoint holds its port exclusively: a second socket asking to reuse the address cannot bind it", () =>
{
    var initial = new SessionCredentials(new Amazon.Runtime.ImmutableCredentials("ASIAWINDOWSCHECK0003", "windows-check-secret-3", "windows-check-token-3"), DateTime.UtcNow.AddHours(1), "windows-check", roleArn: null);
    var session = new AltimeterSession("111111111111", "us-east-1", initial, (_, _) => Task.FromResult(initial));
    using var endpoint = ContainerCredentialsEndpoint.Start(session);
    Check.That(endpoint.PortHeldExclusively, "the listener is not exclusive: another process could bind its port with SO_REUSEADDR");
    using var thief = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
    thief.SetSocketOption(System.Net.Sockets.SocketOptionLevel.Socket, System.Net.Sockets.SocketOptionName.ReuseAddress, true);
    try
    {
        thief.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, endpoint.Port));
        Check.That(false, $"a second socket bound 127.0.0.1:{endpoint.Port}");
    }
    catch (System.Net.Sockets.SocketException)
    {
    }
});

// The bad-input corpus through the engine on Windows' file APIs and line ends (tests/fixtures/BadInputCorpus.cs):
// the same file-by-file rules xunit checks on the host, one check per file.
var corpus = Path.Combine(AppContext.BaseDirectory, "bad-input");
var cases = BadInputCorpus.Cases(corpus);
checks.Run("the bad-input index lists every file of the corpus", () =>
    Check.That(BadInputCorpus.Files(corpus).SequenceEqual(cases.Select(c => c.File).Order(StringComparer.Ordinal)), "the index and the files differ"));
foreach (var testCase in cases)
{
    checks.Run($"bad input: {testCase.File} gives {testCase.ErrorId ?? "an accessor"}", () =>
    {
        var failure = BadInputCorpus.Check(corpus, testCase);
        Check.That(failure is null, failure ?? string.Empty);
    });
}

return checks.Finish();
