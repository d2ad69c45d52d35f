using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace Altimeter.Auth;

/// <summary>
/// Where to sign in to IAM Identity Center, as the AWS config file says: the portal's start URL,
/// the region of its OIDC service, and the scopes to register for. From an <c>[sso-session name]</c>
/// section (by name, or through a profile's <c>sso_session</c>), or from a legacy profile that
/// carries <c>sso_start_url</c> and <c>sso_region</c> itself.
/// </summary>
internal sealed class IdentityCenterPortal
{
    private IdentityCenterPortal(string? profileName, string? ssoSessionName, string startUrl, string region, IReadOnlyList<string> registrationScopes)
    {
        ProfileName = profileName;
        SsoSessionName = ssoSessionName;
        StartUrl = startUrl;
        Region = region;
        RegistrationScopes = registrationScopes;
    }

    /// <summary>The profile it was read from; null when an sso-session was named.</summary>
    public string? ProfileName { get; }

    /// <summary>The sso-session section; null for a legacy profile.</summary>
    public string? SsoSessionName { get; }

    /// <summary>The portal's start URL (sso_start_url).</summary>
    public string StartUrl { get; }

    /// <summary>The region of the portal's OIDC service (sso_region).</summary>
    public string Region { get; }

    /// <summary>The scopes a registered client asks for (sso_registration_scopes); empty for a legacy profile.</summary>
    public IReadOnlyList<string> RegistrationScopes { get; }

    /// <summary>
    /// The name of its file in the token cache, as the AWS CLI and SDKs name it: the SHA-1 (hex) of
    /// the sso-session name, or of the start URL for a legacy profile.
    /// </summary>
    public string TokenFileName => TokenFileNameFor(SsoSessionName, StartUrl);

    /// <summary>The token file's name for an sso-session (when not empty) or else a start URL, as the SDK's SSOTokenFileCache chooses it.</summary>
    internal static string TokenFileNameFor(string? ssoSessionName, string startUrl) =>
        Sha1Hex(!string.IsNullOrEmpty(ssoSessionName) ? ssoSessionName! : startUrl ?? string.Empty) + ".json";

    /// <summary>How a person would name it: the profile, else the sso-session.</summary>
    public override string ToString() => ProfileName is not null ? $"profile '{ProfileName}'" : $"sso-session '{SsoSessionName}'";

    /// <summary>The portal of the Identity Center profile <paramref name="profileName"/>.</summary>
    /// <exception cref="SsoSignInException"><see cref="SsoSignInException.ConfigurationInvalid"/>: no such profile, or not an Identity Center one.</exception>
    public static IdentityCenterPortal FromProfile(string profileName) => FromProfile(profileName, AwsConfigFile.ConfigPath);

    // Read from the config file the environment names now: the SDK fixes AWS_CONFIG_FILE at its
    // first use in the process, so a script that points it elsewhere later would sign in for the
    // profiles of the old file.
    internal static IdentityCenterPortal FromProfile(string profileName, string configFile)
    {
        if (string.IsNullOrEmpty(profileName)) throw new ArgumentException("A profile name is required.", nameof(profileName));
        var settings = AwsConfigFile.Read(configFile).Settings(parts => parts.Length == 2 ? parts[0] == "profile" && parts[1] == profileName : parts[0] == profileName && profileName == "default")
            ?? throw Invalid($"There is no profile '{profileName}' in the AWS config file '{configFile}'.");

        if (settings.TryGetValue("sso_session", out var ssoSession) && ssoSession.Length > 0)
        {
            var session = FromSsoSession(ssoSession, configFile);
            return new IdentityCenterPortal(profileName, session.SsoSessionName, session.StartUrl, session.Region, session.RegistrationScopes);
        }

        if (!settings.TryGetValue("sso_start_url", out var startUrl) || startUrl.Length == 0)
        {
            throw Invalid($"The profile '{profileName}' is not an IAM Identity Center profile: it has neither sso_session nor sso_start_url. Set one up with: aws configure sso");
        }

        settings.TryGetValue("sso_region", out var region);
        return Checked(profileName, null, startUrl, region, scopes: null, $"profile '{profileName}'");
    }

    /// <summary>The portal of the section <c>[sso-session <paramref name="sessionName"/>]</c> of the AWS config file.</summary>
    /// <exception cref="SsoSignInException"><see cref="SsoSignInException.ConfigurationInvalid"/>: no such section, or it lacks sso_start_url or sso_region.</exception>
    public static IdentityCenterPortal FromSsoSession(string sessionName) => FromSsoSession(sessionName, AwsConfigFile.ConfigPath);

    internal static IdentityCenterPortal FromSsoSession(string sessionName, string configFile)
    {
        if (string.IsNullOrEmpty(sessionName)) throw new ArgumentException("An sso-session name is required.", nameof(sessionName));
        var settings = AwsConfigFile.Read(configFile).Settings(parts => parts.Length == 2 && parts[0] == "sso-session" && parts[1] == sessionName)
            ?? throw Invalid($"There is no [sso-session {sessionName}] section in the AWS config file '{configFile}'.");
        settings.TryGetValue("sso_start_url", out var startUrl);
        settings.TryGetValue("sso_region", out var region);
        settings.TryGetValue("sso_registration_scopes", out var scopes);
        return Checked(null, sessionName, startUrl, region, scopes, $"sso-session '{sessionName}'");
    }

    internal static string Sha1Hex(string text)
    {
#pragma warning disable CA5350 // The AWS CLI's and SDKs' name for the file, not a security use.
        using var sha1 = SHA1.Create();
#pragma warning restore CA5350
        var hash = sha1.ComputeHash(Encoding.UTF8.GetBytes(text));
        return string.Concat(hash.Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static IdentityCenterPortal Checked(string? profileName, string? sessionName, string? startUrl, string? region, string? scopes, string where)
    {
        if (string.IsNullOrEmpty(startUrl) || !Uri.TryCreate(startUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            throw Invalid($"The {where} has no sso_start_url that is a web address (https://…/start).");
        }

        if (!AwsRegion.IsWellFormed(region))
        {
            throw Invalid($"The {where} has no sso_region that is a region name (us-east-1, eu-west-1, …).");
        }

        // The AWS CLI's reading: comma-separated, blanks dropped.
        var scopeList = (scopes ?? string.Empty).Split(',').Select(s => s.Trim()).Where(s => s.Length > 0).ToList();
        return new IdentityCenterPortal(profileName, sessionName, startUrl!, region!, scopeList);
    }

    private static SsoSignInException Invalid(string message) => new(SsoSignInException.ConfigurationInvalid, message);
}
