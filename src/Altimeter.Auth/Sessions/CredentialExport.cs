using System;
using System.Collections.Generic;
using Amazon.Runtime;
using Newtonsoft.Json.Linq;

namespace Altimeter.Auth;

/// <summary>
/// The forms in which a session's keys leave the process — only where the user asks for them:
/// the AWS_* environment variables other tools read, and the JSON of the AWS CLI's
/// <c>credential_process</c> (Version 1, Expiration in ISO 8601).
/// </summary>
internal static class CredentialExport
{
    /// <summary>The environment variables AWS CLIs and SDKs read, for <paramref name="session"/>.</summary>
    public static IReadOnlyDictionary<string, string?> EnvironmentOf(AltimeterSession session)
    {
        if (session is null) throw new ArgumentNullException(nameof(session));
        var keys = session.GetCredentials();
        return new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["AWS_ACCESS_KEY_ID"] = keys.AccessKey,
            ["AWS_SECRET_ACCESS_KEY"] = keys.SecretKey,
            ["AWS_SESSION_TOKEN"] = keys.UseToken ? keys.Token : null,
            ["AWS_REGION"] = session.Region,
            ["AWS_DEFAULT_REGION"] = session.Region,
        };
    }

    /// <summary>The <c>credential_process</c> JSON for <paramref name="credentials"/>.</summary>
    public static string CredentialProcessJson(AWSCredentials credentials)
    {
        if (credentials is null) throw new ArgumentNullException(nameof(credentials));
        var keys = credentials.GetCredentials();
        var json = new JObject
        {
            ["Version"] = 1,
            ["AccessKeyId"] = keys.AccessKey,
            ["SecretAccessKey"] = keys.SecretKey,
        };
        if (keys.UseToken)
        {
            json["SessionToken"] = keys.Token;
        }

        if (credentials.Expiration is DateTime expiration && expiration != DateTime.MaxValue)
        {
            json["Expiration"] = expiration.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        }

        return json.ToString(Newtonsoft.Json.Formatting.None);
    }
}
