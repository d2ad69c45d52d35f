using System.Text.Json;
using Altimeter.Auth;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

namespace Altimeter.Auth.Benchmarks;

internal static class Program
{
    // `memory <out.json>`: retained size of 10,000 cache entries. Anything else goes to BenchmarkDotNet.
    private static int Main(string[] args)
    {
        if (args.Length == 2 && args[0] == "memory")
        {
            File.WriteAllText(args[1], JsonSerializer.Serialize(new
            {
                CacheEntries = 10_000,
                RetainedBytes = MeasureCache(10_000, tokenLength: 700),
                RetainedBytesWithoutToken = MeasureCache(10_000, tokenLength: 0),
                TokenLength = 700,
            }));
            return 0;
        }

        var config = DefaultConfig.Instance
            .AddJob(Job.ShortRun.WithId("short"))
            .AddExporter(JsonExporter.Full)
            .WithOptions(ConfigOptions.DisableOptimizationsValidator);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
        return 0;
    }

    private static long MeasureCache(int entries, int tokenLength)
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var cache = new CredentialsCache();
        for (var i = 0; i < entries; i++)
        {
            var account = (100000000000L + i).ToString(System.Globalization.CultureInfo.InvariantCulture);
            // Real STS values are about this long: 20-character key id, 40-character secret, a session token of several hundred.
            cache.Store(new CachedCredentials($"BENCH{i:D15}", new string('s', 40), new string('t', tokenLength), DateTimeOffset.UtcNow.AddHours(1)), new CacheKey(account, "OrganizationAccountAccessRole", "altimeter"), "BENCHHUBSIGNER000001");
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(cache);
        return after - before;
    }
}
