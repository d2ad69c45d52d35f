using Altimeter.Auth;
using Amazon.Runtime;

namespace Altimeter.Auth.Tests.Doubles;

internal static class TestData
{
    public const string Hub = "111111111111";
    public const string Target = "222222222222";

    public static readonly BasicAWSCredentials Source = new("AKIASOURCE0000000001", "source-secret-not-real");

    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "engine", name);

    public static Func<string, string?> Env(params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
        return name => map.TryGetValue(name, out var value) ? value : null;
    }

    public static MultiHopAccessor TwoHop(string sessionName = "altimeter", string hubRole = "HubRole", string targetRole = "TargetRole") =>
        new(sessionName, new[] { new AccessStep(hubRole, Hub), new AccessStep(targetRole) });

    public static SessionOptions Options(ISecurityTokenService sts, string region = "us-east-1", AWSCredentials? source = null) =>
        new() { Sts = sts, Region = region, SourceCredentials = source ?? Source };
}
