using Altimeter.Auth;
using Altimeter.Auth.Tests.Doubles;
using Xunit;

namespace Altimeter.Auth.Tests;

// A credentials_cache block is trusted no more than STS: ignored unless asked for, then private to
// its accessor and used only after GetCallerIdentity names exactly the entry's role and session.
public class ImportedCredentialsTests
{
    private const string Session = "altimeter";

    // Keys the fake STS really issued for role/session in account, as a real session would have cached them.
    private static CachedCredentials IssuedFor(FakeSecurityTokenService sts, string account, string role, string session = Session)
    {
        var request = new RoleAssumption($"arn:aws:iam::{account}:role/{role}", session, externalId: null);
        return sts.AssumeRoleAsync(TestData.Source.GetCredentials(), request, "us-east-1", CancellationToken.None).GetAwaiter().GetResult().Credentials;
    }

    private static string Block(params (string Key, CachedCredentials Credentials)[] entries) =>
        "{\"multi_hop_accessors\": [{\"role_session_name\": \"" + Session + "\", \"access_steps\": [{\"role_name\": \"HubRole\", \"account_id\": \"" + TestData.Hub + "\"}, {\"role_name\": \"TargetRole\"}]}],"
        + " \"credentials_cache\": {\"cache\": {"
        + string.Join(", ", entries.Select(e => $"\"{e.Key}\": {{\"access_key_id\": \"{e.Credentials.AccessKeyId}\", \"secret_access_key\": \"{e.Credentials.SecretAccessKey}\", \"session_token\": \"{e.Credentials.SessionToken}\", \"expiration\": {e.Credentials.Expiration.ToUnixTimeSeconds()}}}"))
        + "}}}";

    private static CachedCredentials Planted => new("ASIAPLANTED000000001", "planted-secret", "planted-token", DateTimeOffset.UtcNow.AddHours(1));

    [Fact]
    public async Task A_planted_credentials_cache_does_not_reach_another_accessor_of_the_same_cache()
    {
        var sts = new FakeSecurityTokenService();
        var processCache = new CredentialsCache();
        _ = AccessorJson.Read(Block(($"{TestData.Target}:TargetRole:{Session}", Planted)), "planted.json", new AccessorLoadOptions { CredentialsCache = processCache });
        var trusted = new Accessor(new[] { TestData.TwoHop(Session) }, cacheCreds: true, processCache);

        var session = await trusted.GetSessionAsync(TestData.Target, TestData.Options(sts));

        Assert.Equal(sts.Issued.Last().AccessKeyId, session.GetCredentials().AccessKey);
        Assert.Equal(2, sts.AssumeRoleCalls.Count);
    }

    [Fact]
    public async Task A_checked_entry_replaces_its_hops_AssumeRole_for_its_own_accessor_only()
    {
        var sts = new FakeSecurityTokenService();
        var target = IssuedFor(sts, TestData.Target, "TargetRole");
        var processCache = new CredentialsCache();
        var carrier = AccessorJson.Read(Block(($"{TestData.Target}:TargetRole:{Session}", target)), "x", new AccessorLoadOptions { CredentialsCache = processCache, ImportCredentialsCache = true });

        Assert.Empty(await carrier.CheckImportedCredentialsAsync("us-east-1", sts));
        var calls = sts.AssumeRoleCalls.Count;
        var session = await carrier.GetSessionAsync(TestData.Target, TestData.Options(sts));

        Assert.Equal(target.AccessKeyId, session.GetCredentials().AccessKey);
        Assert.Equal(calls + 1, sts.AssumeRoleCalls.Count);
        Assert.EndsWith("role/HubRole", sts.AssumeRoleCalls.Last().Request.RoleArn);

        var other = new Accessor(new[] { TestData.TwoHop(Session) }, cacheCreds: true, processCache);
        var otherSession = await other.GetSessionAsync(TestData.Target, TestData.Options(sts));
        Assert.NotEqual(target.AccessKeyId, otherSession.GetCredentials().AccessKey);
    }

    [Fact]
    public async Task An_unchecked_entry_is_never_used()
    {
        var sts = new FakeSecurityTokenService();
        var target = IssuedFor(sts, TestData.Target, "TargetRole");
        var carrier = AccessorJson.Read(Block(($"{TestData.Target}:TargetRole:{Session}", target)), "x", new AccessorLoadOptions { ImportCredentialsCache = true });

        var session = await carrier.GetSessionAsync(TestData.Target, TestData.Options(sts));

        Assert.NotEqual(target.AccessKeyId, session.GetCredentials().AccessKey);
    }

    [Theory]
    [InlineData(TestData.Hub, "TargetRole", Session)] // another account's keys
    [InlineData(TestData.Target, "OtherRole", Session)] // another role's
    [InlineData(TestData.Target, "TargetRole", "another-session")] // another session's
    public async Task An_entry_whose_keys_are_someone_elses_is_dropped_with_a_warning_naming_its_key(string account, string role, string session)
    {
        var sts = new FakeSecurityTokenService();
        var foreign = IssuedFor(sts, account, role, session);
        var key = $"{TestData.Target}:TargetRole:{Session}";
        var carrier = AccessorJson.Read(Block((key, foreign)), "planted.json", new AccessorLoadOptions { ImportCredentialsCache = true });

        var warning = Assert.Single(await carrier.CheckImportedCredentialsAsync("us-east-1", sts));
        var used = await carrier.GetSessionAsync(TestData.Target, TestData.Options(sts));

        Assert.Contains($"planted.json: credentials_cache entry '{key}' dropped", warning);
        Assert.Contains(warning, carrier.Warnings);
        Assert.DoesNotContain(foreign.SecretAccessKey, warning);
        Assert.DoesNotContain(foreign.SessionToken!, warning);
        Assert.NotEqual(foreign.AccessKeyId, used.GetCredentials().AccessKey);
        Assert.Equal(0, carrier.Imported!.Count);
    }

    [Fact]
    public async Task Keys_STS_does_not_know_are_dropped_too()
    {
        var sts = new FakeSecurityTokenService();
        var carrier = AccessorJson.Read(Block(($"{TestData.Target}:TargetRole:{Session}", Planted)), "x", new AccessorLoadOptions { ImportCredentialsCache = true });

        var warning = Assert.Single(await carrier.CheckImportedCredentialsAsync("us-east-1", sts));

        Assert.Contains("user/fake-source", warning);
        Assert.Equal(0, carrier.Imported!.Count);
    }

    [Fact]
    public async Task An_entry_checked_in_one_partition_is_not_used_by_a_chain_of_another()
    {
        var sts = new FakeSecurityTokenService();
        var target = IssuedFor(sts, TestData.Target, "TargetRole");
        var imported = new ImportedCredentials(new[] { (new CacheKey(TestData.Target, "TargetRole", Session), target) }, "x");

        Assert.Empty(await imported.CheckAsync(sts, "us-east-1", CancellationToken.None));

        Assert.Same(target, imported.Get(new CacheKey(TestData.Target, "TargetRole", Session), "aws", TimeSpan.Zero));
        Assert.Null(imported.Get(new CacheKey(TestData.Target, "TargetRole", Session), "aws-cn", TimeSpan.Zero));
    }

    [Fact]
    public async Task Expired_entries_and_entries_too_short_for_the_renewal_window_are_not_used()
    {
        var now = DateTimeOffset.UtcNow;
        var clock = now;
        var sts = new FakeSecurityTokenService();
        var target = IssuedFor(sts, TestData.Target, "TargetRole");
        var imported = new ImportedCredentials(new[] { (new CacheKey(TestData.Target, "TargetRole", Session), target) }, "x", () => clock);
        await imported.CheckAsync(sts, "us-east-1", CancellationToken.None);

        Assert.Null(imported.Get(new CacheKey(TestData.Target, "TargetRole", Session), "aws", TimeSpan.FromHours(2)));
        clock = now.AddHours(2);
        Assert.Null(imported.Get(new CacheKey(TestData.Target, "TargetRole", Session), "aws", TimeSpan.Zero));
    }

    [Fact]
    public async Task A_step_with_options_does_not_take_an_imported_entry_made_without_them()
    {
        var sts = new FakeSecurityTokenService();
        var target = IssuedFor(sts, TestData.Target, "TargetRole");
        var json = Block(($"{TestData.Target}:TargetRole:{Session}", target)).Replace("{\"role_name\": \"TargetRole\"}", "{\"role_name\": \"TargetRole\", \"policy_arns\": [\"arn:aws:iam::aws:policy/ReadOnlyAccess\"]}");
        var carrier = AccessorJson.Read(json, "x", new AccessorLoadOptions { ImportCredentialsCache = true });
        await carrier.CheckImportedCredentialsAsync("us-east-1", sts);

        var session = await carrier.GetSessionAsync(TestData.Target, TestData.Options(sts));

        Assert.NotEqual(target.AccessKeyId, session.GetCredentials().AccessKey);
    }

    // Issue 23, item 1: an imported entry says nothing of the external id it was obtained with; STS must see this chain's.
    [Fact]
    public async Task A_step_with_an_external_id_does_not_take_an_imported_entry()
    {
        var sts = new FakeSecurityTokenService();
        var target = IssuedFor(sts, TestData.Target, "TargetRole");
        var json = Block(($"{TestData.Target}:TargetRole:{Session}", target)).Replace("{\"role_name\": \"TargetRole\"}", "{\"role_name\": \"TargetRole\", \"external_id\": \"not-the-one-they-used\"}");
        var carrier = AccessorJson.Read(json, "x", new AccessorLoadOptions { ImportCredentialsCache = true });
        Assert.Empty(await carrier.CheckImportedCredentialsAsync("us-east-1", sts));
        var calls = sts.AssumeRoleCalls.Count;

        var session = await carrier.GetSessionAsync(TestData.Target, TestData.Options(sts));

        Assert.NotEqual(target.AccessKeyId, session.GetCredentials().AccessKey);
        Assert.Equal("not-the-one-they-used", sts.AssumeRoleCalls.Skip(calls).Single(c => c.Request.RoleArn.EndsWith("role/TargetRole", StringComparison.Ordinal)).Request.ExternalId);
    }

    [Theory]
    [InlineData("arn:aws:sts::222222222222:assumed-role/TargetRole/altimeter", true)]
    [InlineData("arn:aws:sts::222222222222:assumed-role/targetrole/altimeter", true)] // IAM role names are unique case-insensitively
    [InlineData("arn:aws:sts::222222222222:assumed-role/TargetRole/Altimeter", false)] // session names are not
    [InlineData("arn:aws-cn:sts::222222222222:assumed-role/TargetRole/altimeter", false)]
    [InlineData("arn:aws:sts::111111111111:assumed-role/TargetRole/altimeter", false)]
    [InlineData("arn:aws:iam::222222222222:assumed-role/TargetRole/altimeter", false)]
    [InlineData("arn:aws:sts::222222222222:federated-user/TargetRole/altimeter", false)]
    [InlineData("arn:aws:iam::222222222222:user/TargetRole", false)]
    [InlineData("arn:aws:sts::222222222222:assumed-role/TargetRole/altimeter/extra", false)]
    [InlineData("arn:aws:sts::222222222222:assumed-role/OtherRole/altimeter", false)]
    [InlineData("arn:aws:sts::222222222222:assumed-role/TargetRole", false)]
    [InlineData("arn:aws:sts::222222222222:assumed-role/TargetRolex/altimeter", false)]
    [InlineData("arn:aws:sts::222222222222:assumed-role/TargetRol/altimeter", false)]
    [InlineData("arn:aws:sts::222222222222:assumed-role/TargetRole/altimeter\n", false)]
    [InlineData("arn:aws:sts:us-east-1:222222222222:assumed-role/TargetRole/altimeter", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void The_assumed_role_ARN_must_name_partition_account_role_and_session(string? arn, bool expected)
    {
        Assert.Equal(expected, AssumedRoleArn.IsFor(arn, "aws", "222222222222", "TargetRole", "altimeter"));
    }
}
