using System;
using System.Collections;
using Newtonsoft.Json.Linq;
using Tomlyn;
using Tomlyn.Model;

namespace Altimeter.Auth;

/// <summary>
/// Altimeter's TOML config files: the accessor is their <c>[accessor]</c> table, with the same
/// keys as the JSON form; the rest of the config is not ours and is left alone. A config with
/// no <c>[accessor]</c> table means local mode, as it does for altimeter.
/// </summary>
public static class AltimeterTomlConfig
{
    /// <summary>Reads the accessor of an altimeter TOML config.</summary>
    public static Accessor Read(string toml, string source, AccessorLoadOptions? options = null) =>
        AccessorDefinitionReader.Read(ReadAccessorTable(toml, source), source, options ?? new AccessorLoadOptions());

    /// <summary>The <c>[accessor]</c> table as a JSON object, so both forms share one strict reader.</summary>
    internal static JToken ReadAccessorTable(string toml, string source)
    {
        TomlTable document;
        try
        {
            document = TomlSerializer.Deserialize<TomlTable>(toml)!;
        }
        catch (TomlException e)
        {
            throw new AccessorDefinitionException(AccessorDefinitionException.Invalid, $"not valid TOML: {e.Message}", source);
        }

        if (!document.TryGetValue("accessor", out var accessor))
        {
            return new JObject();
        }

        if (accessor is not TomlTable)
        {
            throw new AccessorDefinitionException(AccessorDefinitionException.Invalid, "accessor must be a table ([accessor]).", $"{source}: accessor");
        }

        return ToJson(accessor);
    }

    private static JToken ToJson(object? value)
    {
        switch (value)
        {
            case null:
                return JValue.CreateNull();
            case TomlTable table:
                var obj = new JObject();
                foreach (var pair in table)
                {
                    obj[pair.Key] = ToJson(pair.Value);
                }

                return obj;
            case string text:
                return new JValue(text);
            case bool flag:
                return new JValue(flag);
            case long or int or double or float:
                return new JValue(value);
            case IEnumerable list:
                var array = new JArray();
                foreach (var item in list)
                {
                    array.Add(ToJson(item));
                }

                return array;
            default:
                // Dates and times have no place in an accessor: keep them as text so the reader names the key.
                return new JValue(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
