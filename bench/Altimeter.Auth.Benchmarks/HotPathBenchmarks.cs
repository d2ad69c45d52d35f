using Altimeter.Auth;
using Amazon.Runtime;
using BenchmarkDotNet.Attributes;

namespace Altimeter.Auth.Benchmarks;

/// <summary>The core's hot path: what a warm scan pays per account, and what loading costs.</summary>
[MemoryDiagnoser]
public class HotPathBenchmarks
{
    private const string Hub = "111111111111";
    private const string Target = "222222222222";
    private readonly BasicAWSCredentials _source = new("FAKEBENCHSOURCEKEY01", "bench-secret");
    private Accessor _accessor = null!;
    private SessionOptions _options = null!;
    private CredentialsCache _cache = null!;
    private CachedCredentials _credentials = null!;
    private string _accessorFile = null!;

    [GlobalSetup]
    public void Setup()
    {
        _cache = new CredentialsCache();
        _accessor = new Accessor(new[] { new MultiHopAccessor("bench", new[] { new AccessStep("Hub", Hub), new AccessStep("Target") }) }, true, _cache);
        _options = new SessionOptions { Region = "us-east-1", SourceCredentials = _source, Sts = new IssuingSecurityTokenService() };
        _accessor.GetSessionAsync(Target, _options).GetAwaiter().GetResult();
        _credentials = new CachedCredentials("BENCHCACHEDKEY000001", "secret", "token", DateTimeOffset.UtcNow.AddHours(1));
        _cache.Store(_credentials, new CacheKey("333333333333", "Role", "bench"), "FAKEBENCHSOURCEKEY01");
        _accessorFile = Path.Combine(Path.GetTempPath(), $"altimeter-bench-{Guid.NewGuid():N}.json");
        File.WriteAllText(_accessorFile, AccessorJson.Write(_accessor));
    }

    [GlobalCleanup]
    public void Cleanup() => File.Delete(_accessorFile);

    /// <summary>A session for an account whose two hops are both cached: no STS call.</summary>
    [Benchmark]
    public AltimeterSession CachedGetSession() => _accessor.GetSessionAsync(Target, _options).GetAwaiter().GetResult();

    [Benchmark]
    public CachedCredentials? CacheGet() => _cache.Get(new CacheKey("333333333333", "Role", "bench"), "FAKEBENCHSOURCEKEY01");

    [Benchmark]
    public void CachePut() => _cache.Store(_credentials, new CacheKey("333333333333", "Role", "bench"), "FAKEBENCHSOURCEKEY01");

    [Benchmark]
    public Accessor LoadAccessorFile() => AccessorFile.Load(_accessorFile);
}

/// <summary>Issues credentials without a network: only the setup's cold walk uses it.</summary>
internal sealed class IssuingSecurityTokenService : ISecurityTokenService
{
    public Task<AssumedRole> AssumeRoleAsync(ImmutableCredentials signer, RoleAssumption request, string region, CancellationToken cancellationToken)
    {
        // As STS answers (API_AssumeRole): the assumed-role user of the role and session asked for.
        var account = request.RoleArn.Split(':')[4];
        var roleName = request.RoleArn.Substring(request.RoleArn.LastIndexOf('/') + 1);
        return Task.FromResult(new AssumedRole(
            new CachedCredentials($"{account}BENCHKEY", "secret", "token", DateTimeOffset.UtcNow.AddHours(1)),
            $"arn:aws:sts::{account}:assumed-role/{roleName}/{request.RoleSessionName}"));
    }

    public Task<CallerIdentity> GetCallerIdentityAsync(ImmutableCredentials credentials, string region, CancellationToken cancellationToken) =>
        Task.FromResult(new CallerIdentity("123456789012", "arn:aws:iam::123456789012:user/bench"));

    // As the STS API reference has it (API_GetSessionToken): the IAM user's own temporary keys, for DurationSeconds.
    public Task<CachedCredentials> GetSessionTokenAsync(ImmutableCredentials longTermKeys, string serialNumber, string tokenCode, int durationSeconds, string region, CancellationToken cancellationToken) =>
        Task.FromResult(new CachedCredentials("ASIABENCHMFASESSION1", "secret", "token", DateTimeOffset.UtcNow.AddSeconds(durationSeconds)));
}
