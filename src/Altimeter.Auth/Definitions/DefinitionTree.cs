using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Newtonsoft.Json.Linq;

namespace Altimeter.Auth;

/// <summary>
/// Turns a definition given as plain values — a TOML table, PowerShell hashtables and arrays —
/// into the JSON tree the strict reader checks, so every form of an accessor meets the same rules.
/// </summary>
internal static class DefinitionTree
{
    /// <summary>
    /// The tree of <paramref name="value"/>. <paramref name="keyOf"/> renames keys (PascalCase to the
    /// JSON names), except under <c>tags</c>, whose names are the user's own. Two keys that end up
    /// the same are an error: which one was meant is not ours to guess.
    /// </summary>
    public static JToken ToJson(object? value, Func<string, string>? keyOf = null)
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
                return ToObject(table.Cast<DictionaryEntry>().Select(e => (Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? string.Empty, (object?)e.Value)), keyOf);
            case IEnumerable<KeyValuePair<string, object>> table:
                return ToObject(table.Select(e => (e.Key, (object?)e.Value)), keyOf);
            case IEnumerable list:
                return new JArray(list.Cast<object?>().Select(item => ToJson(item, keyOf)));
            default:
                // Anything else (a date, an object) is passed as text so that the reader names the key.
                return new JValue(Convert.ToString(value, CultureInfo.InvariantCulture));
        }
    }

    private static JObject ToObject(IEnumerable<(string Name, object? Value)> entries, Func<string, string>? keyOf)
    {
        var obj = new JObject();
        foreach (var (name, value) in entries)
        {
            var key = keyOf?.Invoke(name) ?? name;
            if (obj.ContainsKey(key))
            {
                throw new AccessorDefinitionException(AccessorDefinitionException.Invalid, $"the key '{key}' is given twice (as '{name}' and another spelling).");
            }

            obj[key] = ToJson(value, key == "tags" ? null : keyOf);
        }

        return obj;
    }
}
