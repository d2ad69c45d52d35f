using System.Runtime.Versioning;
using System.Diagnostics;
using Altimeter.Auth.Tests.Doubles;
using Amazon.Runtime;
using Amazon.SSOOIDC;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Xunit;

namespace Altimeter.Auth.Tests;

/// <summary>
/// The device-authorization sign-in against the Identity Center double, through the SDK's own SSO
/// OIDC client: the polling (its waits recorded, not slept), the answers that end it, the
/// registered client kept and reused, and the token file the AWS CLI and SDKs read.
/// </summary>
public sealed class IdentityCenterSignInTests : IDisposable
{
    private const string StartUrl = "https://pester-corp.awsapps.com/start";
    private readonly SsoPortalDouble _portal = new();
    private readonly string _home = Path.Combine(Path.GetTempPath(), $"altimeter-signin-{Guid.NewGuid():N}");
    private readonly List<TimeSpan> _waits = new();
    private DateTimeOffset _now = DateTimeOffset.UtcNow;

    public IdentityCenterSignInTests()
    {
        Directory.CreateDirectory(_home);
        File.WriteAllText(ConfigFile, $"""
            [sso-session corp]
            sso_start_url = {StartUrl}
            sso_region = us-east-1
            sso_registration_scopes = sso:account:access, sso:other

            [sso-session broken]
            sso_region = us-east-1
            """);
    }

    private string ConfigFile => Path.Combine(_home, "config");

    private string CacheDirectory => Path.Combine(_home, ".aws", "sso", "cache");

    private IdentityCenterPortal Corp => IdentityCenterPortal.FromSsoSession("corp", ConfigFile);

    public void Dispose()
    {
        _portal.Dispose();
        Directory.Delete(_home, recursive: true);
    }

    // Waits are recorded and the clock moved instead of sleeping.
    private IdentityCenterSignIn SignIn(Func<TimeSpan, CancellationToken, Task>? delay = null) => new(
        Corp,
        new AmazonSSOOIDCClient(new AnonymousAWSCredentials(), new AmazonSSOOIDCConfig { ServiceURL = _portal.Url, MaxErrorRetry = 0 }),
        CacheDirectory,
        () => _now,
        delay ?? ((wait, _) =>
        {
            _waits.Add(wait);
            _now += wait;
            return Task.CompletedTask;
        }),
        null);

    [Fact]
    public async Task Polls_at_the_interval_through_authorization_pending_adds_5_s_after_slow_down_and_writes_the_token()
    {
        foreach (var answer in new[] { "authorization_pending", "authorization_pending", "slow_down", "authorization_pending" })
        {
            _portal.DeviceAnswers.Enqueue(answer);
        }

        using var signIn = SignIn();
        var authorization = await signIn.StartAsync();
        var result = await signIn.CompleteAsync(authorization);

        Assert.Equal(new[] { 1, 1, 1, 6, 6 }, _waits.Select(w => (int)w.TotalSeconds));
        Assert.Equal(5, _portal.DevicePolls.Count);
        Assert.StartsWith("PEST-", authorization.UserCode, StringComparison.Ordinal);
        Assert.Equal($"{_portal.Url}/device?user_code={authorization.UserCode}", authorization.VerificationUriComplete);
        Assert.Equal(Path.Combine(CacheDirectory, IdentityCenterPortal.Sha1Hex("corp") + ".json"), result.TokenFile);
        Assert.Equal("corp", result.SsoSession);
        Assert.Equal(new[] { "altimeter-auth-corp public sso:account:access,sso:other" }, _portal.Registrations);
    }

    [Fact]
    public async Task The_token_file_has_the_fields_the_CLI_and_SDKs_read_and_no_one_else_may_read_it()
    {
        using var signIn = SignIn();
        var result = await signIn.CompleteAsync(await signIn.StartAsync());

        var token = JsonConvert.DeserializeObject<JObject>(File.ReadAllText(result.TokenFile), new JsonSerializerSettings { DateParseHandling = DateParseHandling.None })!;
        Assert.Equal(StartUrl, (string?)token["startUrl"]);
        Assert.Equal("us-east-1", (string?)token["region"]);
        Assert.StartsWith("sso-double-access-token-", (string?)token["accessToken"], StringComparison.Ordinal);
        Assert.StartsWith("sso-double-refresh-token-", (string?)token["refreshToken"], StringComparison.Ordinal);
        Assert.StartsWith("sso-double-client-", (string?)token["clientId"], StringComparison.Ordinal);
        Assert.StartsWith("sso-double-client-secret-", (string?)token["clientSecret"], StringComparison.Ordinal);
        Assert.Matches(@"\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\z", (string?)token["expiresAt"]);
        Assert.Matches(@"\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\z", (string?)token["registrationExpiresAt"]);
        Assert.InRange(DateTimeOffset.Parse((string)token["expiresAt"]!, System.Globalization.CultureInfo.InvariantCulture), _now.AddHours(7), _now.AddHours(9));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(result.TokenFile));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(CacheDirectory));
        }
    }

    [Fact]
    public async Task A_second_sign_in_reuses_the_registered_client_until_it_expires()
    {
        using (var first = SignIn())
        {
            await first.CompleteAsync(await first.StartAsync());
        }

        using (var second = SignIn())
        {
            await second.CompleteAsync(await second.StartAsync());
        }

        Assert.Equal(1, _portal.RegisterClientCount);
        Assert.Equal(2, _portal.StartDeviceAuthorizationCount);

        _now = _now.AddDays(90);
        using (var third = SignIn())
        {
            await third.StartAsync();
        }

        Assert.Equal(2, _portal.RegisterClientCount);
    }

    [Fact]
    public async Task A_cached_client_the_service_no_longer_knows_is_registered_anew()
    {
        using (var first = SignIn())
        {
            await first.StartAsync();
        }

        using var restarted = new SsoPortalDouble();
        var signIn = new IdentityCenterSignIn(
            Corp,
            new AmazonSSOOIDCClient(new AnonymousAWSCredentials(), new AmazonSSOOIDCConfig { ServiceURL = restarted.Url, MaxErrorRetry = 0 }),
            CacheDirectory, () => _now, (_, _) => Task.CompletedTask, null);
        using (signIn)
        {
            await signIn.CompleteAsync(await signIn.StartAsync());
        }

        Assert.Equal(1, restarted.RegisterClientCount);
        Assert.Equal(2, restarted.StartDeviceAuthorizationCount);
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task A_token_cache_under_a_directory_others_may_write_is_refused_before_any_call_naming_that_directory()
    {
        // The AWS CLI and SDKs read the token by path: someone who may write ~/.aws/sso could swap
        // the cache under them, so a token written there could not be used safely.
        var sso = Directory.CreateDirectory(Path.GetDirectoryName(CacheDirectory)!).FullName;
        File.SetUnixFileMode(sso, (UnixFileMode)0x1FF);
        using var signIn = SignIn();

        var error = await Assert.ThrowsAsync<SsoSignInException>(() => signIn.StartAsync());

        Assert.Equal("SsoTokenCacheUntrusted", error.ErrorId);
        Assert.Contains($"'{sso}' can be written by other users (mode 0777)", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _portal.RegisterClientCount);
        Assert.Equal(0, _portal.StartDeviceAuthorizationCount);
    }

    [Theory]
    [InlineData("expired_token", SsoSignInException.AuthorizationExpired, "expired")]
    [InlineData("access_denied", SsoSignInException.AccessDenied, "denied")]
    public async Task An_answer_that_ends_the_sign_in_is_a_clear_error_and_writes_no_token(string answer, string errorId, string word)
    {
        _portal.DeviceAnswers.Enqueue("authorization_pending");
        _portal.DeviceAnswers.Enqueue(answer);
        using var signIn = SignIn();
        var authorization = await signIn.StartAsync();

        var error = await Assert.ThrowsAsync<SsoSignInException>(() => signIn.CompleteAsync(authorization));

        Assert.Equal(errorId, error.ErrorId);
        Assert.Contains(word, error.Message, StringComparison.Ordinal);
        Assert.Contains("sso-session 'corp'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sso-double-", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(CacheDirectory, Corp.TokenFileName)));
    }

    [Fact]
    public async Task Polling_stops_when_the_device_code_expires_even_if_the_service_keeps_saying_pending()
    {
        _portal.DeviceCodeLifetime = 3;
        for (var i = 0; i < 10; i++)
        {
            _portal.DeviceAnswers.Enqueue("authorization_pending");
        }

        using var signIn = SignIn();
        var authorization = await signIn.StartAsync();

        var error = await Assert.ThrowsAsync<SsoSignInException>(() => signIn.CompleteAsync(authorization));

        Assert.Equal(SsoSignInException.AuthorizationExpired, error.ErrorId);
        Assert.Equal(3, _portal.DevicePolls.Count);
    }

    [Fact]
    public async Task Cancelling_stops_the_polling_at_once_and_writes_no_token()
    {
        for (var i = 0; i < 1000; i++)
        {
            _portal.DeviceAnswers.Enqueue("authorization_pending");
        }

        // A wait between polls that only cancellation ends: the polling must give up on Ctrl+C
        // instead of finishing its interval (no timing involved).
        using var stop = new CancellationTokenSource();
        using var signIn = SignIn((_, token) => Task.Delay(Timeout.InfiniteTimeSpan, token));
        var authorization = await signIn.StartAsync();
        var polling = signIn.CompleteAsync(authorization, stop.Token);
        await Task.Delay(200);
        stop.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => polling.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.InRange(_portal.DevicePolls.Count, 0, 1);
        Assert.False(File.Exists(Path.Combine(CacheDirectory, Corp.TokenFileName)));
    }

    [Fact]
    public void The_portal_of_an_sso_session_has_its_start_url_region_scopes_and_the_CLIs_token_file_name()
    {
        var portal = Corp;

        Assert.Equal(StartUrl, portal.StartUrl);
        Assert.Equal("us-east-1", portal.Region);
        Assert.Equal(new[] { "sso:account:access", "sso:other" }, portal.RegistrationScopes);
        // sha1("corp"), as the AWS CLI names the file.
        Assert.Equal("ee0bfd2552fbd840c02cc48b6e823320543c450f.json", portal.TokenFileName);
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("broken")]
    public void An_sso_session_that_is_missing_or_has_no_start_url_is_SsoConfigurationInvalid(string name)
    {
        var error = Assert.Throws<SsoSignInException>(() => IdentityCenterPortal.FromSsoSession(name, ConfigFile));

        Assert.Equal(SsoSignInException.ConfigurationInvalid, error.ErrorId);
        Assert.Contains(name == "missing" ? "[sso-session missing]" : "sso_start_url", error.Message, StringComparison.Ordinal);
    }
}
