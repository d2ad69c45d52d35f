using System.Collections.Concurrent;
using Altimeter.Auth;
using Amazon.Runtime;

namespace Altimeter.Auth.Tests.Doubles;

/// <summary>
/// A capturing STS: records every call with the key that signed it, issues numbered
/// credentials, and fails or lies about the account where a test asks it to. GetCallerIdentity
/// follows the STS API reference (API_GetCallerIdentity): for credentials it issued, the
/// assumed-role ARN <c>arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION</c> of the AssumeRole
/// that issued them; for any other key, an IAM user of <see cref="CallerAccount"/>.
/// </summary>
internal sealed class FakeSecurityTokenService : ISecurityTokenService
{
    private int _issued;
    private readonly ConcurrentDictionary<string, CallerIdentity> _issuedTo = new(StringComparer.Ordinal);

    public ConcurrentQueue<(string SignedBy, RoleAssumption Request, string Region)> AssumeRoleCalls { get; } = new();

    public ConcurrentQueue<string> GetCallerIdentityCalls { get; } = new();

    /// <summary>An exception to throw for a request, or null to answer it.</summary>
    public Func<RoleAssumption, Exception?> Fail { get; set; } = _ => null;

    /// <summary>The account to claim in the assumed-role ARN; null: the role's own account.</summary>
    public Func<RoleAssumption, string?> ClaimAccount { get; set; } = _ => null;

    /// <summary>What GetCallerIdentity answers.</summary>
    public string CallerAccount { get; set; } = "123456789012";

    public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(1);

    public List<CachedCredentials> Issued { get; } = new();

    public Task<AssumedRole> AssumeRoleAsync(ImmutableCredentials signer, RoleAssumption request, string region, CancellationToken cancellationToken)
    {
        AssumeRoleCalls.Enqueue((signer.AccessKey, request, region));
        var failure = Fail(request);
        if (failure is not null)
        {
            throw failure;
        }

        var n = Interlocked.Increment(ref _issued);
        var credentials = new CachedCredentials($"ASIAFAKE{n:D12}", $"fake-secret-{n}-{Guid.NewGuid():N}", $"fake-token-{n}-{Guid.NewGuid():N}", DateTimeOffset.UtcNow + Lifetime);
        lock (Issued)
        {
            Issued.Add(credentials);
        }

        var parts = request.RoleArn.Split(':');
        var account = ClaimAccount(request) ?? parts[4];
        var role = parts[5].Substring("role/".Length);
        var arn = $"arn:{parts[1]}:sts::{account}:assumed-role/{role}/{request.RoleSessionName}";
        _issuedTo[credentials.AccessKeyId] = new CallerIdentity(account, arn);
        return Task.FromResult(new AssumedRole(credentials, arn));
    }

    public Task<CallerIdentity> GetCallerIdentityAsync(ImmutableCredentials credentials, string region, CancellationToken cancellationToken)
    {
        GetCallerIdentityCalls.Enqueue(credentials.AccessKey);
        return Task.FromResult(_issuedTo.TryGetValue(credentials.AccessKey, out var issued)
            ? issued
            : new CallerIdentity(CallerAccount, $"arn:aws:iam::{CallerAccount}:user/fake-source"));
    }

    public static StsCallException AccessDenied(RoleAssumption request) =>
        new($"AssumeRole {request.RoleArn}", "AccessDenied", $"User is not authorized to perform: sts:AssumeRole on resource: {request.RoleArn}", null);
}
