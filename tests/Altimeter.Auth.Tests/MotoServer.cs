using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;
using Xunit;

namespace Altimeter.Auth.Tests;

/// <summary>
/// moto's server: a real STS for the integration tests (not a double). The one a test run shares
/// when ALTIMETER_TEST_MOTO_URL names it (build.ps1's Test task starts one for xunit and Pester),
/// else its own on a free loopback port, stopped at the end. When python3 or moto is missing, the
/// tests fail with how to install it; they are never skipped.
/// </summary>
/// <remarks>
/// Follows moto 5's public surface (docs.getmoto.org: Server Mode, Recorder): <c>python3 -m
/// moto.server -H 127.0.0.1 -p PORT</c>; <c>POST /moto-api/reset</c>; the recorder's
/// <c>/moto-api/recorder/{reset,start}-recording</c> and <c>download-recording</c>, written to
/// MOTO_RECORDER_FILEPATH one JSON object per line (<c>headers</c>, <c>method</c>, <c>url</c>,
/// <c>body</c>, <c>body_encoded</c>: base64 when moto got bytes; moto/moto_api/_internal/recorder/models.py);
/// <c>/moto-api/data.json</c>, moto's state by service and model (sts.AssumedRole). The signer is the
/// access key id of the SigV4 Authorization header: <c>Credential=AKID/DATE/REGION/SERVICE/aws4_request</c>
/// (IAM User Guide, "Elements of an AWS API request signature").
/// </remarks>
public sealed class MotoServer : IDisposable
{
    /// <summary>The variable that names a moto someone else started and stops (tests/fixtures/MotoServer.psm1 reads it too).</summary>
    public const string SharedUrlVariable = "ALTIMETER_TEST_MOTO_URL";

    private readonly Process? _process;
    private readonly string? _workDirectory;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public MotoServer()
    {
        var shared = Environment.GetEnvironmentVariable(SharedUrlVariable);
        if (!string.IsNullOrEmpty(shared))
        {
            Url = shared.TrimEnd('/');
            _http.GetStringAsync(new Uri($"{Url}/moto-api/data.json")).GetAwaiter().GetResult();
            return;
        }

        var port = FreePort();
        Url = $"http://127.0.0.1:{port}";
        _workDirectory = Path.Combine(Path.GetTempPath(), $"altimeter-moto-xunit-{port}");
        Directory.CreateDirectory(_workDirectory);
        var info = new ProcessStartInfo("python3")
        {
            WorkingDirectory = _workDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-m", "moto.server", "-H", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["MOTO_RECORDER_FILEPATH"] = Path.Combine(_workDirectory, "recording.jsonl");
        try
        {
            _process = Process.Start(info) ?? throw new InvalidOperationException("python3 did not start.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("python3 is not on PATH. The integration tests need moto's server: install Python 3, then: python3 -m pip install 'moto[server]'", e);
        }

        var stderr = new StringBuilder();
        _process.ErrorDataReceived += (_, e) => { lock (stderr) stderr.AppendLine(e.Data); };
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (_process.HasExited)
            {
                string said;
                lock (stderr) said = stderr.ToString();
                throw new InvalidOperationException(said.Contains("No module named", StringComparison.Ordinal)
                    ? "moto is not installed for python3. The integration tests need it: python3 -m pip install 'moto[server]'"
                    : $"moto's server exited at start: {said}");
            }

            try
            {
                _http.GetStringAsync(new Uri($"{Url}/moto-api/data.json")).GetAwaiter().GetResult();
                break;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(200);
            }
        }
    }

    public string Url { get; }

    /// <summary>Clears moto's state and its request recording, and records from now on.</summary>
    public void Reset()
    {
        Post("/moto-api/reset");
        Post("/moto-api/recorder/reset-recording");
        Post("/moto-api/recorder/start-recording");
    }

    /// <summary>Every AssumeRole moto answered since the last reset, in order.</summary>
    public IReadOnlyList<JObject> AssumedRoles()
    {
        var data = JObject.Parse(_http.GetStringAsync(new Uri($"{Url}/moto-api/data.json")).GetAwaiter().GetResult());
        return (data["sts"]?["AssumedRole"] as JArray)?.Cast<JObject>().ToList() ?? new List<JObject>();
    }

    /// <summary>Every request since the last reset: its Action and the access key id that signed it.</summary>
    public IReadOnlyList<(string? Action, string? SignedBy)> Requests()
    {
        var text = _http.GetStringAsync(new Uri($"{Url}/moto-api/recorder/download-recording")).GetAwaiter().GetResult();
        var requests = new List<(string?, string?)>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var record = JObject.Parse(line);
            var body = (string?)record["body"] ?? string.Empty;
            if ((bool?)record["body_encoded"] == true)
            {
                body = Encoding.UTF8.GetString(Convert.FromBase64String(body));
            }

            var action = Regex.Match(body, "(?:^|&)Action=([^&]+)");
            var signer = Regex.Match((string?)record["headers"]?["Authorization"] ?? string.Empty, "Credential=([^/]+)/");
            requests.Add((action.Success ? action.Groups[1].Value : null, signer.Success ? signer.Groups[1].Value : null));
        }

        return requests;
    }

    public void Dispose()
    {
        _http.Dispose();
        if (_process is null || _workDirectory is null)
        {
            return; // the shared one: whoever started it stops it
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10000);
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_workDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void Post(string path)
    {
        using var content = new StringContent(string.Empty);
        _http.PostAsync(new Uri(Url + path), content).GetAwaiter().GetResult().EnsureSuccessStatusCode();
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }
}

/// <summary>
/// The tests that talk to moto: one collection (they run one after another, each resetting moto
/// first, so none counts another's calls), and the trait <c>Needs=moto</c> on each of their
/// classes, so that <c>dotnet test --filter "Needs!=moto"</c> runs everything else without it.
/// </summary>
[CollectionDefinition(Name)]
public sealed class MotoGroup : ICollectionFixture<MotoServer>
{
    public const string Name = "moto";

    /// <summary>The trait's name and value: <c>[Trait(MotoGroup.Trait, MotoGroup.Name)]</c>.</summary>
    public const string Trait = "Needs";
}
