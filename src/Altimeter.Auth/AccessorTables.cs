using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using Newtonsoft.Json.Linq;

namespace Altimeter.Auth;

/// <summary>
/// Chains given as dictionaries (PowerShell hashtables), with the keys of the JSON form
/// (<c>role_session_name</c>, <c>access_steps</c>, <c>role_name</c>, <c>account_id</c>,
/// <c>external_id</c>) or their PascalCase names (RoleSessionName, AccessSteps, …). They go
/// through the same strict reader as files: unknown keys and wrong types are errors.
/// </summary>
public static class AccessorTables
{
    private static readonly Dictionary<string, string> s_keys = new(StringComparer.OrdinalIgnoreCase)
    {
        ["rolesessionname"] = "role_session_name",
        ["accesssteps"] = "access_steps",
        ["rolename"] = "role_name",
        ["accountid"] = "account_id",
        ["externalid"] = "external_id",
        ["partition"] = "partition",
        ["durationseconds"] = "duration_seconds",
        ["mfaserial"] = "mfa_serial",
        ["sourceidentity"] = "source_identity",
        ["tags"] = "tags",
        ["transitivetagkeys"] = "transitive_tag_keys",
        ["policyarns"] = "policy_arns",
    };

    /// <summary>Builds an accessor from <paramref name="chains"/>; <paramref name="source"/> names them in errors.</summary>
    public static Accessor Read(IEnumerable<IDictionary> chains, string source, AccessorLoadOptions? options = null)
    {
        if (chains is null) throw new ArgumentNullException(nameof(chains));
        JObject root;
        try
        {
            root = new JObject { ["multi_hop_accessors"] = new JArray(chains.Select(ToJson)) };
        }
        catch (AccessorDefinitionException e) when (e.Location is null)
        {
            throw e.At(source);
        }

        return AccessorDefinitionReader.Read(root, source, options ?? new AccessorLoadOptions());
    }

    private static JToken ToJson(object? value) => ToJson(value, mapKeys: true);

    // Tag names are the user's own: only the keys of chains and steps are mapped.
    private static JToken ToJson(object? value, bool mapKeys)
    {
        switch (value)
        {
            case null:
                return JValue.CreateNull();
            case string text:
                return new JValue(text);
            case bool or byte or short or int or long or float or double or decimal:
                return new JValue(value);
            case IDictionary table:
                var obj = new JObject();
                foreach (DictionaryEntry entry in table)
                {
                    var name = Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
                    var key = mapKeys ? KeyOf(name) : name;
                    if (obj.ContainsKey(key))
                    {
                        // RoleName and role_name in one table: which one was meant is not ours to guess.
                        throw new AccessorDefinitionException(AccessorDefinitionException.Invalid, $"the key '{key}' is given twice (as '{name}' and another spelling).", null);
                    }

                    obj[key] = ToJson(entry.Value, mapKeys && key != "tags");
                }

                return obj;
            case IEnumerable list:
                return new JArray(list.Cast<object?>().Select(ToJson));
            default:
                // Anything else (a date, an object) is passed as text so that the reader names the key.
                return new JValue(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static string KeyOf(string name) =>
        s_keys.TryGetValue(name.Replace("_", string.Empty), out var key) ? key : name;
}
