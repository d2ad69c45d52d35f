using System.Collections.Concurrent;
using Altimeter.Auth;
using Amazon.Runtime;
using Xunit;

namespace Altimeter.Auth.Tests;

// A program run once per session, many at once, each child with an environment block of its own
// (Invoke-AltimeterCommand -FilePath). The children are sh scripts that print their environment;
// what they inherit is passed in, so no test touches this process's AWS_* variables.
public sealed class ProgramFanOutTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("altimeter-fanout-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public void Sixteen_children_at_once_each_see_only_their_own_sessions_keys_and_region_whatever_order_they_finish_in()
    {
        var sessions = Enumerable.Range(0, 16).Select(i => Session($"{100000000000 + i}", i % 2 == 0 ? "eu-west-1" : "us-west-2", i)).ToList();
        var lines = new ConcurrentBag<ProgramOutput>();
        using var programs = FanOut(
            "sleep 0.$(( $$ % 7 ))\n" +
            "env | grep '^AWS_' | sort\n",
            lines.Add,
            Inherited());

        var queue = new OrderedThrottledQueue<AltimeterSession, int>(16, programs.RunAsync, CancellationToken.None);
        sessions.ForEach(queue.Add);
        var finished = queue.TakeFinished(all: true).ToList();

        Assert.All(finished, run => Assert.Equal(0, run.Work.Result));
        foreach (var session in sessions)
        {
            var keys = session.GetCredentials();
            var seen = lines.Where(line => line.AccountId == session.AccountId).ToDictionary(line => line.Line.Split('=')[0], line => line.Line.Split('=', 2)[1]);
            Assert.Equal(keys.AccessKey, seen["AWS_ACCESS_KEY_ID"]);
            Assert.Equal(keys.SecretKey, seen["AWS_SECRET_ACCESS_KEY"]);
            Assert.Equal(keys.Token, seen["AWS_SESSION_TOKEN"]);
            Assert.Equal(session.Region, seen["AWS_REGION"]);
            Assert.Equal(session.Region, seen["AWS_DEFAULT_REGION"]);
            Assert.All(lines.Where(line => line.AccountId == session.AccountId), line => Assert.Equal(session.Region, line.Region));
            foreach (var other in sessions.Where(other => other != session))
            {
                Assert.DoesNotContain(lines, line => line.AccountId == session.AccountId && line.Line.Contains(other.GetCredentials().AccessKey, StringComparison.Ordinal));
            }
        }
    }

    [Fact]
    public async Task No_other_source_of_credentials_reaches_a_child_and_the_rest_of_the_environment_does()
    {
        var inherited = Inherited(
            ("AWS_ACCESS_KEY_ID", "AKIAPROCESSKEY000001"),
            ("AWS_SECRET_ACCESS_KEY", "process-secret"),
            ("AWS_SESSION_TOKEN", "process-token"),
            ("AWS_PROFILE", "admin"),
            ("AWS_DEFAULT_PROFILE", "admin"),
            ("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/token"),
            ("AWS_ROLE_ARN", "arn:aws:iam::999999999999:role/ci"),
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.2/creds"),
            ("AWS_CREDENTIAL_FILE", "/etc/aws-keys"),
            ("AWS_CONFIG_FILE", "/home/user/.aws/config"),
            ("ALTIMETER_TEST_KEPT", "kept"));
        var lines = new ConcurrentBag<ProgramOutput>();
        using var programs = FanOut("env\n", lines.Add, inherited);
        // Long-term keys: no session token, so none may be inherited either.
        var session = new AltimeterSession("123456789012", "ap-south-1", new SessionCredentials(new ImmutableCredentials("AKIASESSIONKEY000001", "session-secret", null), DateTime.UtcNow.AddHours(1), "test", roleArn: null), (_, _) => throw new InvalidOperationException());

        Assert.Equal(0, await programs.RunAsync(session, CancellationToken.None).WaitAsync(Patience));

        var seen = lines.Select(line => line.Line).ToList();
        Assert.Contains("AWS_ACCESS_KEY_ID=AKIASESSIONKEY000001", seen);
        Assert.Contains("ALTIMETER_TEST_KEPT=kept", seen);
        Assert.Contains("AWS_EC2_METADATA_DISABLED=true", seen);
        foreach (var gone in new[] { "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CREDENTIAL_FILE" })
        {
            Assert.DoesNotContain(seen, line => line.StartsWith(gone + "=", StringComparison.Ordinal));
        }

        Assert.DoesNotContain(seen, line => line.Contains("process-secret", StringComparison.Ordinal) || line.Contains("AKIAPROCESSKEY000001", StringComparison.Ordinal));
        var config = Assert.Single(seen, line => line.StartsWith("AWS_CONFIG_FILE=", StringComparison.Ordinal));
        Assert.NotEqual("AWS_CONFIG_FILE=/home/user/.aws/config", config);
    }

    [Fact]
    public async Task A_default_profile_with_keys_or_a_credential_process_in_the_users_files_does_not_reach_a_child()
    {
        var config = Path.Combine(_directory.FullName, "config");
        var credentials = Path.Combine(_directory.FullName, "credentials");
        File.WriteAllText(config, "[default]\nregion = eu-central-1\ncredential_process = /usr/bin/planted-helper\n[profile admin]\nrole_arn = arn:aws:iam::999999999999:role/admin\nsource_profile = default\n");
        File.WriteAllText(credentials, "[default]\naws_access_key_id = AKIADEFAULTPROFILE01\naws_secret_access_key = default-profile-secret\n");
        var lines = new ConcurrentBag<ProgramOutput>();
        var path = Path.Combine(_directory.FullName, "child.sh");
        File.WriteAllText(path, "cat \"$AWS_CONFIG_FILE\" \"$AWS_SHARED_CREDENTIALS_FILE\"\n");
        var profiles = ChildProfileFiles.Create(new[] { config, credentials, Path.Combine(_directory.FullName, "missing") }, Path.Combine(_directory.FullName, "profiles"));
        using var programs = ProgramFanOut.Create("/bin/sh", new[] { path }, _directory.FullName, lines.Add, Inherited(("AWS_CONFIG_FILE", config), ("AWS_SHARED_CREDENTIALS_FILE", credentials)), profiles);

        Assert.Equal(0, await programs.RunAsync(Session("123456789012", "us-east-1", 1), CancellationToken.None).WaitAsync(Patience));

        var seen = lines.Select(line => line.Line).ToList();
        Assert.Contains("region = eu-central-1", seen);
        Assert.DoesNotContain(seen, line => line.Contains("AKIADEFAULTPROFILE01", StringComparison.Ordinal) || line.Contains("default-profile-secret", StringComparison.Ordinal));
        Assert.DoesNotContain(seen, line => line.Contains("credential_process", StringComparison.Ordinal) || line.Contains("role_arn", StringComparison.Ordinal) || line.Contains("source_profile", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_non_zero_exit_is_ProgramFailed_naming_the_account_region_program_and_code_after_its_lines_arrived()
    {
        var lines = new ConcurrentBag<ProgramOutput>();
        using var programs = FanOut("echo partial\necho why >&2\nexit 7\n", lines.Add, Inherited());

        var error = await Assert.ThrowsAsync<ProgramException>(() => programs.RunAsync(Session("210987654321", "eu-central-1", 1), CancellationToken.None).WaitAsync(Patience));

        Assert.Equal("ProgramFailed", error.ErrorId);
        Assert.Equal(7, error.ExitCode);
        Assert.Equal("210987654321", error.AccountId);
        Assert.Equal("eu-central-1", error.Region);
        Assert.Contains("210987654321", error.Message, StringComparison.Ordinal);
        Assert.Contains("code 7", error.Message, StringComparison.Ordinal);
        Assert.Contains(programs.Program, error.Message, StringComparison.Ordinal);
        Assert.Contains(lines, line => line.Line == "partial" && line.Stream == ProgramStream.Output);
        Assert.Contains(lines, line => line.Line == "why" && line.Stream == ProgramStream.Error);
    }

    [Fact]
    public async Task A_program_that_cannot_start_is_ProgramNotStarted_naming_the_account()
    {
        using var programs = ProgramFanOut.Create(Path.Combine(_directory.FullName, "no-such-program"), Array.Empty<string>(), null, _ => { }, Inherited(), Profiles());

        var error = await Assert.ThrowsAsync<ProgramException>(() => programs.RunAsync(Session("210987654321", "eu-central-1", 1), CancellationToken.None).WaitAsync(Patience));

        Assert.Equal("ProgramNotStarted", error.ErrorId);
        Assert.Null(error.ExitCode);
        Assert.Contains("210987654321", error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.InnerException);
    }

    [Fact]
    public async Task Cancelling_kills_each_child_and_the_processes_it_started()
    {
        var grandchildren = new ConcurrentQueue<int>();
        var started = new CountdownEvent(3);
        using var programs = FanOut(
            "sleep 300 &\necho $!\nwait\n",
            line =>
            {
                grandchildren.Enqueue(int.Parse(line.Line, System.Globalization.CultureInfo.InvariantCulture));
                started.Signal();
            },
            Inherited());
        using var stopping = new CancellationTokenSource();

        var runs = Enumerable.Range(0, 3).Select(i => programs.RunAsync(Session($"{300000000000 + i}", "us-east-1", i), stopping.Token)).ToList();
        Assert.True(started.Wait(Patience), "every child should have started its sleep");
        stopping.Cancel();

        foreach (var run in runs)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(Patience));
        }

        foreach (var pid in grandchildren)
        {
            Assert.True(SpinWait.SpinUntil(() => !IsRunning(pid), Patience), $"the sleep {pid} a child started should be killed with it");
        }
    }

    [Fact]
    public void The_queue_bounds_how_many_children_run_at_once()
    {
        var running = 0;
        var most = 0;
        // The first children wait at a gate that opens once three run: however slowly processes
        // start, three are seen at once, and a fourth could only be seen if the bound failed.
        var gate = Path.Combine(_directory.FullName, "gate");
        using var programs = FanOut(
            "echo start\nwhile [ ! -e gate ]; do sleep 0.05; done\necho end\n",
            line =>
            {
                var now = line.Line == "start" ? Interlocked.Increment(ref running) : Interlocked.Decrement(ref running);
                InterlockedMax(ref most, now);
                if (now == 3)
                {
                    File.WriteAllText(gate, string.Empty);
                }
            },
            Inherited());

        var queue = new OrderedThrottledQueue<AltimeterSession, int>(3, programs.RunAsync, CancellationToken.None);
        for (var i = 0; i < 9; i++)
        {
            queue.Add(Session($"{400000000000 + i}", "us-east-1", i));
        }

        Assert.Equal(9, queue.TakeFinished(all: true).Count(run => run.Work.Result == 0));
        Assert.Equal(3, most);
    }

    private ProgramFanOut FanOut(string script, Action<ProgramOutput> output, IReadOnlyDictionary<string, string> inherited)
    {
        var path = Path.Combine(_directory.FullName, "child.sh");
        File.WriteAllText(path, script);
        return ProgramFanOut.Create("/bin/sh", new[] { path }, _directory.FullName, output, inherited, Profiles());
    }

    private ChildProfileFiles Profiles()
    {
        var missing = Path.Combine(_directory.FullName, "missing");
        return ChildProfileFiles.Create(new[] { missing, missing, missing }, Path.Combine(_directory.FullName, "profiles"));
    }

    // What a child inherits besides its session: PATH (sh needs sleep and env) and the given ones.
    private static Dictionary<string, string> Inherited(params (string Name, string Value)[] variables)
    {
        var inherited = new Dictionary<string, string>(StringComparer.Ordinal) { ["PATH"] = "/usr/bin:/bin" };
        foreach (var (name, value) in variables)
        {
            inherited[name] = value;
        }

        return inherited;
    }

    private static AltimeterSession Session(string accountId, string region, int n) =>
        new(accountId, region, new SessionCredentials(new ImmutableCredentials($"ASIAFANOUT{n:D10}", $"secret-{n}", $"token-{n}"), DateTime.UtcNow.AddHours(1), "test", roleArn: null), (_, _) => throw new InvalidOperationException("no renewal in these tests"));

    // A killed process that nobody reaped yet is a zombie: it runs no more.
    private static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static void InterlockedMax(ref int most, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref most)) && Interlocked.CompareExchange(ref most, value, seen) != seen)
        {
        }
    }
}
