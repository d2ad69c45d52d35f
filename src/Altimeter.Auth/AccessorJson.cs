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
public static class AccessorJson
{
    private static readonly JsonLoadSettings s_loadSettings = new()
    {
        DuplicatePropertyNameHandling = DuplicatePropertyNameHandling.Error,
        CommentHandling = CommentHandling.Ignore,
        LineInfoHandling = LineInfoHandling.Load,
    };

    /// <summary>Parses JSON text strictly; syntax errors are <see cref="AccessorDefinitionException"/>s naming <paramref name="source"/>.</summary>
    public static JToken Parse(string json, string source)
    {
        try
        {
            using var reader = new JsonTextReader(new StringReader(json))
            {
                DateParseHandling = DateParseHandling.None,
                FloatParseHandling = FloatParseHandling.Decimal,
            };
            var token = JToken.ReadFrom(reader, s_loadSettings);
            if (reader.Read())
            {
                throw new AccessorDefinitionException(AccessorDefinitionException.Invalid, $"not valid JSON: unexpected content after the end of the document (line {reader.LineNumber}).", source);
            }

            return token;
        }
        catch (JsonException e)
        {
            throw new AccessorDefinitionException(AccessorDefinitionException.Invalid, $"not valid JSON: {e.Message}", source);
        }
    }

    /// <summary>Reads an accessor from JSON text.</summary>
    public static Accessor Read(string json, string source, AccessorLoadOptions? options = null) =>
        AccessorDefinitionReader.Read(Parse(json, source), source, options ?? new AccessorLoadOptions());

    /// <summary>The accessor's definition as a JSON object (no cache, no secrets).</summary>
    public static JObject ToJObject(Accessor accessor)
    {
        return new JObject
        {
            ["multi_hop_accessors"] = new JArray(accessor.MultiHopAccessors.Select(chain => new JObject
            {
                ["role_session_name"] = chain.RoleSessionName,
                ["access_steps"] = new JArray(chain.AccessSteps.Select(step => new JObject
                {
                    ["role_name"] = step.RoleName,
                    ["account_id"] = step.AccountId,
                    ["external_id"] = step.ExternalIdTemplate,
                })),
            })),
            ["cache_creds"] = accessor.CacheCreds,
        };
    }

    /// <summary>The accessor's definition as JSON text (no cache, no secrets).</summary>
    public static string Write(Accessor accessor, bool indented = true) =>
        ToJObject(accessor).ToString(indented ? Formatting.Indented : Formatting.None);
}
