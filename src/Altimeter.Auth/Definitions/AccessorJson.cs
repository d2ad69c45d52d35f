using System.IO;
using System.Linq;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Altimeter.Auth;

/// <summary>
/// Altimeter's JSON form of an accessor, with the original snake_case keys. Parsing is strict
/// (duplicate keys and trailing content are errors); writing gives back the structure that was
/// read, with <c>account_id</c>/<c>external_id</c> as null when absent and external ids as
/// written (templates are not expanded). The credentials cache is never part of it.
/// </summary>
internal static class AccessorJson
{
    private static readonly JsonLoadSettings s_loadSettings = new()
    {
        DuplicatePropertyNameHandling = DuplicatePropertyNameHandling.Error,
        LineInfoHandling = LineInfoHandling.Load,
    };

    /// <summary>
    /// Parses JSON text strictly; syntax errors are <see cref="AccessorDefinitionException"/>s naming
    /// <paramref name="source"/> and the position, never the text, ending with <paramref name="syntaxHint"/> when given.
    /// </summary>
    public static JToken Parse(string json, string source, string? syntaxHint = null)
    {
        // A UTF-8 byte order mark may lead the text, as editors on Windows write it.
        if (json.Length > 0 && json[0] == '\uFEFF')
        {
            json = json.Substring(1);
        }

        // Newtonsoft's reader is lenient (comments, trailing commas, single quotes, unquoted keys)
        // and keeps the last of two equal keys: a file it loads could fail in altimeter itself,
        // whose json module takes only RFC 8259 JSON. StrictJson takes only that; Newtonsoft then
        // builds the tree with line numbers.
        StrictJson.Check(json, source, syntaxHint);
        try
        {
            using var reader = new JsonTextReader(new StringReader(json))
            {
                DateParseHandling = DateParseHandling.None,
                FloatParseHandling = FloatParseHandling.Decimal,
            };
            return JToken.ReadFrom(reader, s_loadSettings);
        }
        catch (JsonException e)
        {
            // Not expected after the strict check; its message quotes the text, so only the position is said.
            var where = e is JsonReaderException r ? $" at line {r.LineNumber}, column {r.LinePosition}" : string.Empty;
            throw new AccessorDefinitionException(AccessorDefinitionException.Invalid, $"not valid JSON{where}.", source);
        }
    }

    /// <summary>Reads an accessor from JSON text.</summary>
    public static Accessor Read(string json, string source, AccessorLoadOptions? options = null, string? syntaxHint = null) =>
        AccessorDefinitionReader.Read(Parse(json, source, syntaxHint), source, options ?? new AccessorLoadOptions());

    /// <summary>The accessor's definition as a JSON object (no cache, no secrets).</summary>
    public static JObject ToJObject(Accessor accessor)
    {
        return new JObject
        {
            ["multi_hop_accessors"] = new JArray(accessor.MultiHopAccessors.Select(ChainToJson)),
            ["cache_creds"] = accessor.CacheCreds,
        };
    }

    // The original keys always; ours (partition, durations, MFA, tags, policies) only when set, so an original file writes back as it was.
    private static JObject ChainToJson(MultiHopAccessor chain)
    {
        var json = new JObject
        {
            ["role_session_name"] = chain.RoleSessionName,
            ["access_steps"] = new JArray((chain.IdentityCenterRole is { } identityCenter ? new[] { IdentityCenterToJson(identityCenter) } : Enumerable.Empty<JObject>()).Concat(chain.AccessSteps.Select(StepToJson))),
        };
        if (chain.Partition is not null)
        {
            json["partition"] = chain.Partition;
        }

        return json;
    }

    private static JObject IdentityCenterToJson(IdentityCenterRole role)
    {
        var json = new JObject { ["role"] = role.PermissionSetName };
        if (role.ProfileName is not null) json["profile"] = role.ProfileName;
        if (role.SsoSessionName is not null) json["sso_session"] = role.SsoSessionName;
        if (role.AccountId is not null) json["account_id"] = role.AccountId;
        return new JObject { ["identity_center"] = json };
    }

    private static JObject StepToJson(AccessStep step)
    {
        var json = new JObject
        {
            ["role_name"] = step.RoleName,
            ["account_id"] = step.AccountId,
            ["external_id"] = step.ExternalIdTemplate,
        };
        if (step.Options is AssumeRoleOptions options)
        {
            if (options.DurationSeconds is int seconds) json["duration_seconds"] = seconds;
            if (options.MfaSerial is not null) json["mfa_serial"] = options.MfaSerial;
            if (options.MfaSessionDurationSeconds is int sessionSeconds) json["mfa_session_duration_seconds"] = sessionSeconds;
            if (options.SourceIdentity is not null) json["source_identity"] = options.SourceIdentity;
            if (options.Tags.Count > 0) json["tags"] = new JObject(options.Tags.Select(t => new JProperty(t.Key, t.Value)));
            if (options.TransitiveTagKeys.Count > 0) json["transitive_tag_keys"] = new JArray(options.TransitiveTagKeys);
            if (options.PolicyArns.Count > 0) json["policy_arns"] = new JArray(options.PolicyArns);
        }

        return json;
    }

    /// <summary>The accessor's definition as JSON text (no cache, no secrets).</summary>
    public static string Write(Accessor accessor, bool indented = true) =>
        ToJObject(accessor).ToString(indented ? Formatting.Indented : Formatting.None);
}
