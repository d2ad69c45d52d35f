using Amazon.Runtime;
using Amazon.SSO;
using Amazon.SSOOIDC;
using Newtonsoft.Json.Linq;

namespace Altimeter.Auth.Tests.Doubles;

/// <summary>
/// A home for Identity Center tests, in a temporary directory: an AWS config file with profile
/// <c>dev</c> (sso_session <c>corp</c>) and <c>[sso-session corp]</c> of <see cref="StartUrl"/>,
/// the token cache, and the token file <c>aws sso login</c> leaves for sso-session corp
/// (<see cref="SignIn"/>); with SDK clients of <paramref name="portal"/>'s SSO and SSO OIDC.
/// </summary>
internal sealed class IdentityCenterHome(SsoPortalDouble portal, string name) : IDisposable
{
    public const string StartUrl = "https://pester-corp.awsapps.com/start";

    public string Directory { get; } = CreateWithConfig(Path.Combine(Path.GetTempPath(), $"altimeter-{name}-{Guid.NewGuid():N}"));

    public string ConfigFile => Path.Combine(Directory, "config");

    public string CacheDirectory => Path.Combine(Directory, ".aws", "sso", "cache");

    public IdentityCenterPortal Dev => IdentityCenterPortal.FromProfile("dev", ConfigFile);

    public IdentityCenterPortal Corp => IdentityCenterPortal.FromSsoSession("corp", ConfigFile);

    /// <summary>The token file of sso-session corp in <paramref name="directory"/> (default: the token cache).</summary>
    public string TokenFile(string? directory = null) => Path.Combine(directory ?? CacheDirectory, IdentityCenterPortal.Sha1Hex("corp") + ".json");

    /// <summary>Writes the token file of a sign-in by client <c>{clientPrefix}-client</c>; the portal accepts the token unless told otherwise. Returns its path.</summary>
    public string SignIn(string accessToken, string clientPrefix, TimeSpan expiresIn, bool accepted = true, string? refreshToken = null, string? directory = null)
    {
        directory ??= CacheDirectory;
        System.IO.Directory.CreateDirectory(directory);
        var token = new JObject
        {
            ["startUrl"] = StartUrl,
            ["region"] = "us-east-1",
            ["accessToken"] = accessToken,
            ["expiresAt"] = DateTime.UtcNow.Add(expiresIn).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            ["clientId"] = clientPrefix + "-client",
            ["clientSecret"] = clientPrefix + "-client-secret",
            ["registrationExpiresAt"] = DateTime.UtcNow.AddDays(80).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
        };
        if (refreshToken is not null)
        {
            token["refreshToken"] = refreshToken;
        }

        var path = TokenFile(directory);
        File.WriteAllText(path, token.ToString());
        if (accepted)
        {
            portal.AcceptAccessToken(accessToken);
        }

        return path;
    }

    public AmazonSSOClient SsoClient(int maxErrorRetry = 0) =>
        new(new AnonymousAWSCredentials(), new AmazonSSOConfig { ServiceURL = portal.Url, MaxErrorRetry = maxErrorRetry });

    public AmazonSSOOIDCClient OidcClient() =>
        new(new AnonymousAWSCredentials(), new AmazonSSOOIDCConfig { ServiceURL = portal.Url, MaxErrorRetry = 0 });

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    private static string CreateWithConfig(string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "config"), $"""
            [profile dev]
            sso_session = corp
            sso_account_id = 999999999999
            sso_role_name = ReadOnly

            [sso-session corp]
            sso_start_url = {StartUrl}
            sso_region = us-east-1
            """);
        return directory;
    }
}
