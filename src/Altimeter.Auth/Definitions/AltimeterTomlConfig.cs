using System;
using System.Collections;
using System.Collections.Generic;
using Newtonsoft.Json.Linq;
using Tomlyn;
using Tomlyn.Model;

namespace Altimeter.Auth;

/// <summary>
/// Altimeter's TOML config files: the accessor is their <c>[accessor]</c> table, with the same
/// keys as the JSON form; the rest of the config is not ours and is left alone. A config with
/// no <c>[accessor]</c> table means local mode, as it does for altimeter.
/// </summary>
internal static class AltimeterTomlConfig
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
            RefuseDuplicates(toml, source);
            document = TomlSerializer.Deserialize(toml, AccessorTomlContext.Default.TomlTable)!;
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

        return DefinitionTree.ToJson(accessor);
    }

    // TOML forbids defining a key or a [table] twice, but the parser keeps the last one without a
    // word; a config with `role_name` twice would then use whichever came last. Checked on the syntax tree.
    private static void RefuseDuplicates(string toml, string source)
    {
        var syntax = Tomlyn.Parsing.SyntaxParser.Parse(toml, source, false);
        if (syntax.HasErrors)
        {
            return; // the deserializer reports syntax errors with their position
        }

        CheckKeys(syntax.KeyValues, "the top level", source);
        var tables = new HashSet<string>(StringComparer.Ordinal);
        foreach (var table in syntax.Tables)
        {
            var name = NameOf(table.Name);
            if (table is Tomlyn.Syntax.TableSyntax && !tables.Add(name))
            {
                throw new AccessorDefinitionException(AccessorDefinitionException.Invalid, $"not valid TOML: the table [{name}] is defined twice.", source);
            }

            CheckKeys(table.Items, $"[{name}]", source);
        }
    }

    private static void CheckKeys(IEnumerable keyValues, string where, string source)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in keyValues)
        {
            if (item is Tomlyn.Syntax.KeyValueSyntax keyValue && !keys.Add(NameOf(keyValue.Key)))
            {
                throw new AccessorDefinitionException(AccessorDefinitionException.Invalid, $"not valid TOML: the key '{NameOf(keyValue.Key)}' is given twice in {where}.", source);
            }
        }
    }

    private static string NameOf(object? key) =>
        (key?.ToString() ?? string.Empty).Trim().Trim('"', '\'');
}
