using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Text.RegularExpressions;
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
            var (line, column, message) = FaultOf(e);
            var where = line is int l && column is int c ? $" at line {l}, column {c}" : string.Empty;
            throw new AccessorDefinitionException(AccessorDefinitionException.Invalid, $"not valid TOML{where}: {Describe(message)}", source);
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

    /// <summary>
    /// True when <paramref name="text"/> opens as a TOML config does: its first line that is not
    /// blank or a # comment is a [table] header or a key = value line. Said when a file not named
    /// .toml fails to parse as JSON.
    /// </summary>
    public static bool LooksLikeToml(string text)
    {
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.Trim().TrimStart('\uFEFF');
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            return s_tableHeader.IsMatch(line) || s_keyValue.IsMatch(line);
        }

        return false;
    }

    // What Tomlyn found wrong, in our words; its own message quotes the file (`Unexpected token
    // `AKIA…``), so what is not known here is said without the quoted parts.
    private static string Describe(string message)
    {
        foreach (var (pattern, words) in s_faults)
        {
            if (pattern.IsMatch(message))
            {
                return words;
            }
        }

        return $"this is not TOML syntax ({s_quoted.Replace(message, "…").TrimEnd('.')}).";
    }

    // The parser's own fault: the typed deserializer (AccessorTomlContext, for ahead-of-time
    // compilation) wraps it in a conversion error at the table's position whose message carries it:
    // "… Reason: (2,14) : error : Missing value after `=`."
    private static (int? Line, int? Column, string Message) FaultOf(TomlException error)
    {
        var innermost = error;
        for (var inner = error.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is TomlException toml)
            {
                innermost = toml;
            }
        }

        var message = innermost.Diagnostics.Count > 0 ? innermost.Diagnostics[0].Message : innermost.Message;
        var reason = s_reason.Match(message);
        return reason.Success
            ? (int.Parse(reason.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(reason.Groups[2].Value, CultureInfo.InvariantCulture), reason.Groups[3].Value)
            : (innermost.Line, innermost.Column, message);
    }

    private static readonly Regex s_reason = new(@"Reason: \((\d+),(\d+)\) : error : (.*)\z", RegexOptions.CultureInvariant | RegexOptions.Singleline);
    private static readonly Regex s_tableHeader = new(@"\A\[\[?\s*[A-Za-z0-9_\-.""' ]+\s*\]\]?\s*(?:#.*)?\z", RegexOptions.CultureInvariant);
    private static readonly Regex s_keyValue = new(@"\A[A-Za-z0-9_\-.""']+\s*=", RegexOptions.CultureInvariant);
    private static readonly Regex s_quoted = new(@"`[^`]*`|'[^']*'|""[^""]*""|\[[^\]]*\]", RegexOptions.CultureInvariant);

    private static readonly (Regex Pattern, string Words)[] s_faults =
    {
        (new Regex(@"\AUnexpected token end-of-line found while expecting a value", RegexOptions.CultureInvariant), "a key has no value after its =."),
        (new Regex(@"\AUnexpected token .* (?:for|while parsing) a value", RegexOptions.CultureInvariant),
            "this is not a TOML value: text goes in double quotes (\"...\"); bare values are numbers, true, false and dates."),
        (new Regex(@"\AMissing value after", RegexOptions.CultureInvariant), "a key has no value after its =."),
        (new Regex(@"\AExpect(?:ing|ed) `=` after (?:a )?key", RegexOptions.CultureInvariant), "a key must be followed by = and its value."),
        (new Regex(@"\AInvalid newline in a string", RegexOptions.CultureInvariant), "a line break inside a one-line string: close it with its quote on the same line, or use \"\"\" for several lines."),
        (new Regex(@"\AInvalid End-Of-File found", RegexOptions.CultureInvariant), "the file ends inside a string: a closing quote is missing."),
        (new Regex(@"is already defined", RegexOptions.CultureInvariant), "a key or table is defined twice."),
        (new Regex(@"\AUnexpected escape character", RegexOptions.CultureInvariant), "a string has an escape TOML does not know (use single quotes for text with backslashes)."),
        (new Regex(@"\AInvalid control character", RegexOptions.CultureInvariant), "a control character that TOML does not allow."),
    };

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
