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
/// GetSessionToken follows the STS API reference (API_GetSessionToken) and the IAM User Guide
/// ("Secure API access with MFA", "Compare AWS STS credentials"): only an IAM user's long-term keys
/// may call it (temporary ones are AccessDenied), DurationSeconds 900-129600, the credentials it
/// returns are the user's own (GetCallerIdentity names the user). MFA as AWS checks it: a code is
/// refused the second time (AccessDenied), and a role that <see cref="RequiresMfa"/> is assumed only
/// with a code or when signed by credentials that carry MFA (an MFA session, or a role assumed with
/// MFA: aws:MultiFactorAuthPresent stays true down the chain).
/// </summary>
internal sealed class FakeSecurityTokenService : ISecurityTokenService
{
    private int _issued;
    private readonly ConcurrentDictionary<string, CallerIdentity> _issuedTo = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _carriesMfa = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _usedCodes = new(StringComparer.Ordinal);

    public ConcurrentQueue<(string SignedBy, string SerialNumber, string TokenCode, int DurationSeconds)> GetSessionTokenCalls { get; } = new();

    /// <summary>Roles whose trust policy asks aws:MultiFactorAuthPresent.</summary>
    public Func<RoleAssumption, bool> RequiresMfa { get; set; } = _ => false;

    /// <summary>How long an MFA session lasts; null: the DurationSeconds asked for.</summary>
    public TimeSpan? MfaSessionLifetime { get; set; }

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

        var withCode = request.TokenCode is not null && request.Options?.MfaSerial is not null;
        if (withCode)
        {
            UseCode(request.Options!.MfaSerial!, request.TokenCode!, $"AssumeRole {request.RoleArn}");
        }

        var carriesMfa = withCode || _carriesMfa.ContainsKey(signer.AccessKey);
        if (RequiresMfa(request) && !carriesMfa)
        {
            throw AccessDenied(request);
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
        if (carriesMfa)
        {
            _carriesMfa[credentials.AccessKeyId] = true;
        }

        return Task.FromResult(new AssumedRole(credentials, arn));
    }

    public Task<CachedCredentials> GetSessionTokenAsync(ImmutableCredentials longTermKeys, string serialNumber, string tokenCode, int durationSeconds, string region, CancellationToken cancellationToken)
    {
        GetSessionTokenCalls.Enqueue((longTermKeys.AccessKey, serialNumber, tokenCode, durationSeconds));
        const string call = "GetSessionToken";
        if (longTermKeys.UseToken)
        {
            throw new StsCallException(call, "AccessDenied", "Cannot call GetSessionToken with session credentials", null);
        }

        if (durationSeconds < 900 || durationSeconds > 129600)
        {
            throw new StsCallException(call, "ValidationError", $"1 validation error detected: Value '{durationSeconds}' at 'durationSeconds' failed to satisfy constraint", null);
        }

        UseCode(serialNumber, tokenCode, call);
        var n = Interlocked.Increment(ref _issued);
        var credentials = new CachedCredentials($"ASIAMFASESSION{n:D6}", $"mfa-secret-{n}-{Guid.NewGuid():N}", $"mfa-token-{n}-{Guid.NewGuid():N}", DateTimeOffset.UtcNow + (MfaSessionLifetime ?? TimeSpan.FromSeconds(durationSeconds)));
        lock (Issued)
        {
            Issued.Add(credentials);
        }

        _carriesMfa[credentials.AccessKeyId] = true;
        return Task.FromResult(credentials);
    }

    // AWS takes an MFA code once.
    private void UseCode(string serialNumber, string tokenCode, string call)
    {
        if (!_usedCodes.TryAdd(serialNumber + "\n" + tokenCode, true))
        {
            throw new StsCallException(call, "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code.", null);
        }
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
