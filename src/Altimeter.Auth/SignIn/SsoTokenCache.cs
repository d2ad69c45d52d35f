using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using Amazon.Runtime;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Altimeter.Auth;

/// <summary>
/// The token cache the AWS CLI and SDKs share, <c>~/.aws/sso/cache</c>: one JSON file per portal
/// (<see cref="IdentityCenterPortal.TokenFileName"/>) with the fields botocore's SSOTokenFetcher
/// writes and the SDKs read (accessToken, expiresAt, refreshToken, clientId, clientSecret,
/// registrationExpiresAt, region, startUrl; times as <c>yyyy-MM-ddTHH:mm:ssZ</c>), and the
/// registered OIDC clients, reused until they expire. Opened as an owner-only directory (the
/// shared credentials cache's code: created 0700 in one step, files created 0600 and renamed into
/// place), because these files sign in as the person.
/// </summary>
internal sealed class SsoTokenCache : IDisposable
{
    /// <summary>A token or registration file is a few kilobytes; anything larger is not one.</summary>
    internal const long MaxFileBytes = 64 * 1024;

    private const string TimeFormat = "yyyy-MM-ddTHH:mm:ssZ";
    private readonly IOwnerOnlyDirectory _files;

    private SsoTokenCache(IOwnerOnlyDirectory files) => _files = files;

    /// <summary>~/.aws/sso/cache, where the AWS CLI and SDKs look.</summary>
    public static string DefaultDirectory => Path.Combine(Home, ".aws", "sso", "cache");

    // The home as the SDK's SSOTokenFileCache finds it (HOME on Unix).
    private static string Home => Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    /// <summary>
    /// Before the AWS SDK reads the token of <paramref name="source"/> from ~/.aws/sso/cache (by
    /// path, with no check of its own; a refresh reads it too): the token file and every directory
    /// from it up to the home directory must be the user's or root's and writable by no one else
    /// (<see cref="UnixTrustedPath"/>). With no file, the SDK is not asked at all: someone could
    /// create it between this look and the SDK's.
    /// </summary>
    /// <exception cref="SsoTokenCacheUntrustedException">Someone else could have written the token; it names the path.</exception>
    /// <exception cref="SsoSignInRequiredException">There is no token file.</exception>
    public static void RequireTrustedToken(SSOAWSCredentials source, string? profileName)
    {
        if (source is null) throw new ArgumentNullException(nameof(source));
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            return;
        }

        var file = Path.Combine(DefaultDirectory, IdentityCenterPortal.TokenFileNameFor(source.Options?.SessionName, source.StartUrl));
        RequireTrustedFile(file, () => new SsoSignInRequiredException(source, profileName));
    }

    /// <summary>
    /// As <see cref="RequireTrustedToken(SSOAWSCredentials, string?)"/>, for the token file <paramref name="fileName"/> of this
    /// cache (Get-AltimeterAccount's path to the portal).
    /// </summary>
    /// <exception cref="SsoTokenCacheUntrustedException">Someone else could have written the token; it names the path.</exception>
    /// <exception cref="SsoSignInRequiredException">There is no token file (<paramref name="missing"/>).</exception>
    public void RequireTrustedToken(string fileName, Func<SsoSignInRequiredException> missing)
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            RequireTrustedFile(Path.Combine(Directory, fileName), missing);
        }
    }

    private static void RequireTrustedFile(string file, Func<SsoSignInRequiredException> missing)
    {
        switch (UnixTrustedPath.CheckFile(file, Home, out var where, out var why))
        {
            case UnixTrustedPath.Verdict.Missing:
                throw missing();
            case UnixTrustedPath.Verdict.Untrusted:
                throw new SsoTokenCacheUntrustedException(where!, why!);
        }
    }

    /// <summary>The directory's full path.</summary>
    public string Directory => _files.Path;

    /// <summary>Opens (and creates, owner-only) the cache at <paramref name="directory"/>.</summary>
    /// <exception cref="SsoSignInException"><see cref="SsoSignInException.Failed"/>: someone else's, a link, or it cannot be created.</exception>
    public static SsoTokenCache Open(string directory)
    {
        try
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                return new SsoTokenCache(new WindowsOwnerOnlyDirectory(directory));
            }

            var files = UnixOwnerOnlyDirectory.OpenOrCreate(directory);
            // The directory is held open, so what is written and read here is safe; but the SDKs and
            // the AWS CLI read the token by path, so a sign-in into a directory someone else could
            // swap would leave a token nobody may use.
            if (UnixTrustedPath.CheckParentsOf(files.Path, Home, out var where, out var why) == UnixTrustedPath.Verdict.Untrusted)
            {
                files.Dispose();
                throw new SsoSignInException(SsoSignInException.CacheUntrusted, SsoTokenCacheUntrustedException.MessageFor(where!, why!));
            }

            return new SsoTokenCache(files);
        }
        catch (SharedCacheException e)
        {
            // Its message points at the credentials cache's settings; only the reason applies here.
            throw new SsoSignInException(
                SsoSignInException.Failed,
                $"The IAM Identity Center token cache '{directory}' cannot be used: it must be a directory of the current user's that others cannot write. {e.Message}",
                e);
        }
    }

    /// <summary>
    /// The client registered for <paramref name="key"/> earlier, if it is still valid for longer than
    /// <paramref name="margin"/> after <paramref name="now"/>; null when there is none, it expires, or
    /// its file is not to be trusted or read.
    /// </summary>
    public ClientRegistration? ReadRegistration(string key, DateTimeOffset now, TimeSpan margin)
    {
        var bytes = _files.TryRead(IdentityCenterPortal.Sha1Hex(key) + ".json", MaxFileBytes, out _);
        if (bytes is null)
        {
            return null;
        }

        try
        {
            // Times stay text: Json.NET would otherwise turn them into local DateTimes.
            using var reader = new JsonTextReader(new StringReader(BoundedFileReader.Decode(bytes))) { DateParseHandling = DateParseHandling.None };
            var json = JObject.Load(reader);
            var clientId = (string?)json["clientId"];
            var clientSecret = (string?)json["clientSecret"];
            var expiresAt = ParseTime((string?)json["expiresAt"]);
            return string.IsNullOrEmpty(clientId) || string.IsNullOrEmpty(clientSecret) || expiresAt is null || expiresAt.Value - now <= margin
                ? null
                : new ClientRegistration(clientId!, clientSecret!, expiresAt.Value);
        }
        catch (Exception e) when (e is JsonException or InvalidCastException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Keeps <paramref name="registration"/> for <paramref name="key"/> (the fields botocore keeps: clientId, clientSecret, expiresAt, scopes).</summary>
    public void WriteRegistration(string key, ClientRegistration registration, IReadOnlyList<string> scopes)
    {
        var json = new JObject
        {
            ["clientId"] = registration.ClientId,
            ["clientSecret"] = registration.ClientSecret,
            ["expiresAt"] = FormatTime(registration.ExpiresAt),
        };
        if (scopes.Count > 0)
        {
            json["scopes"] = new JArray(scopes);
        }

        Write(IdentityCenterPortal.Sha1Hex(key) + ".json", json);
    }

    /// <summary>Writes the token of <paramref name="portal"/> where the AWS CLI and SDKs read it; returns the file's path.</summary>
    public string WriteToken(IdentityCenterPortal portal, string accessToken, DateTimeOffset expiresAt, string? refreshToken, ClientRegistration registration)
    {
        var json = new JObject
        {
            ["startUrl"] = portal.StartUrl,
            ["region"] = portal.Region,
            ["accessToken"] = accessToken,
            ["expiresAt"] = FormatTime(expiresAt),
            ["clientId"] = registration.ClientId,
            ["clientSecret"] = registration.ClientSecret,
            ["registrationExpiresAt"] = FormatTime(registration.ExpiresAt),
        };
        if (!string.IsNullOrEmpty(refreshToken))
        {
            json["refreshToken"] = refreshToken;
        }

        Write(portal.TokenFileName, json);
        return Path.Combine(Directory, portal.TokenFileName);
    }

    /// <inheritdoc />
    public void Dispose() => _files.Dispose();

    private void Write(string name, JObject json)
    {
        try
        {
            _files.WriteAtomically(name, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(json.ToString(Formatting.Indented)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SsoSignInException(SsoSignInException.Failed, $"Could not write '{Path.Combine(Directory, name)}' in the IAM Identity Center token cache: {e.Message}", e);
        }
    }

    private static string FormatTime(DateTimeOffset time) => time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    private static DateTimeOffset? ParseTime(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time) ? time : null;
}
