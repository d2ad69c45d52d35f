using Altimeter.Auth;
using Xunit;

namespace Altimeter.Auth.Tests;

// A file that does not parse is described by its name, a 1-based line and column and what is wrong,
// in our words: never its content (a TOML config read as JSON quoted its secrets) and never the
// parser's own terms (LineNumber, BytePositionInLine, "Change the reader options").
public sealed class ParseErrorMessageTests : IDisposable
{
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private const string KeyId = "AKIAIOSFODNN7EXAMPLE";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"altimeter-parse-{Guid.NewGuid():N}");

    public ParseErrorMessageTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private AccessorDefinitionException LoadError(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        var e = Assert.Throws<AccessorDefinitionException>(() => AccessorFile.Load(path, new AccessorLoadOptions { Environment = _ => null }));
        Assert.Equal(AccessorDefinitionException.Invalid, e.ErrorId);
        Assert.StartsWith($"{path}: ", e.Message, StringComparison.Ordinal);
        foreach (var parserWord in new[] { "LineNumber", "BytePositionInLine", "reader options", "Path '", "Unexpected token", "invalid start of a value" })
        {
            Assert.DoesNotContain(parserWord, e.Message, StringComparison.Ordinal);
        }

        return e;
    }

    [Fact]
    public void A_TOML_config_not_named_toml_is_said_to_look_like_TOML_without_quoting_its_secrets()
    {
        var config = $"# altimeter\n\n[default]\naws_access_key_id = \"{KeyId}\"\nsecret_access_key = \"{SecretKey}\"\n\n[accessor]\ncache_creds = true\n";

        var e = LoadError("altimeter.conf", config);

        Assert.EndsWith(
            "altimeter.conf: not valid JSON at line 1, column 1: a comment; JSON has none. "
            + "The file looks like TOML (it opens with a [table] header or a key = value line): an altimeter TOML config is read as one only when its name ends in .toml.",
            e.Message,
            StringComparison.Ordinal);
        Assert.DoesNotContain(KeyId, e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("wJalr", e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_value_file_not_named_toml_gets_the_hint_and_a_large_one_a_short_message()
    {
        var config = $"aws_secret_access_key = \"{SecretKey}\"\n" + string.Concat(Enumerable.Repeat($"padding = \"{new string('x', 200)}\"\n", 3500));

        var e = LoadError("config", config);

        Assert.Contains("not valid JSON at line 1, column 1: the text does not start as JSON does (with { for an accessor file). The file looks like TOML", e.Message, StringComparison.Ordinal);
        Assert.True(e.Message.Length < 400, $"the message is {e.Message.Length} characters");
        Assert.DoesNotContain("wJalr", e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_JSON_file_that_does_not_look_like_TOML_gets_no_hint()
    {
        var e = LoadError("bad.json", "{\n  \"multi_hop_accessors\": [\n    {\"role_session_name\": \"x\", \"access_steps\": [}\n  ]\n}\n");

        Assert.EndsWith(
            "bad.json: not valid JSON at line 3, column 49: a closing } where the [ opened before needs ] (or a value is missing).",
            e.Message,
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"multi_hop_accessors\": [] /* note */}", "line 1, column 28: a comment; JSON has none.")]
    [InlineData("{\n  \"multi_hop_accessors\": [],\n}", "line 3, column 1: a comma before the closing }; JSON allows none there.")]
    [InlineData("{'multi_hop_accessors': []}", "line 1, column 2: a string in single quotes; JSON strings take double quotes.")]
    [InlineData("{\"cache_creds\": \"yes\" \"multi_hop_accessors\": []}", "line 1, column 23: a value follows another without a comma between them (or a : is missing after a key).")]
    [InlineData("{\"multi_hop_accessors\": []} {}", "line 1, column 29: there is more after the end of the JSON document.")]
    [InlineData("{\"multi_hop_accessors\": [", "line 1, column 26: the text ends before the JSON does: a closing } or ] is missing.")]
    [InlineData("{\"role_session_name\": \"two\nlines\"}", "line 1, column 27: a line break or control character inside a string (JSON strings are one line; write \\n for a line break).")]
    [InlineData("{\"cache_creds\": 01}", "line 1, column 18: a number JSON does not accept (no leading zeros, + signs or bare dots).")]
    [InlineData("{\"cache_creds\": }", "line 1, column 17: a key has no value before the closing }.")]
    [InlineData("  \n ", "the file is empty; an accessor file holds one JSON object ({\"multi_hop_accessors\": [...]}).")]
    public void A_JSON_syntax_error_says_where_in_1_based_lines_and_columns_and_what_is_wrong(string json, string expected)
    {
        var e = LoadError("accessor.json", json);

        Assert.EndsWith(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("looks like TOML", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_given_twice_is_named_with_its_position()
    {
        var e = LoadError("twice.json", "{\"multi_hop_accessors\": [{\"role_session_name\": \"corpus\",\n  \"access_steps\": [{\"role_name\": \"A\", \"role_name\": \"B\"}]}]}");

        Assert.EndsWith("twice.json: not valid JSON at line 2, column 39: the key 'role_name' is given twice in one object.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_text_names_its_source_and_position()
    {
        var e = Assert.Throws<AccessorDefinitionException>(() => AccessorJson.Read("{\"multi_hop_accessors\": [,]}", "-Json"));

        Assert.Equal("-Json: not valid JSON at line 1, column 26: a , where a value was expected.", e.Message);
    }

    [Fact]
    public void A_TOML_value_that_is_not_one_is_described_without_quoting_it()
    {
        var e = LoadError("altimeter.toml", $"[accessor]\ncache_creds = true\nkey = {KeyId}\n");

        Assert.EndsWith(
            "altimeter.toml: not valid TOML at line 3, column 7: this is not a TOML value: text goes in double quotes (\"...\"); bare values are numbers, true, false and dates.",
            e.Message,
            StringComparison.Ordinal);
        Assert.DoesNotContain("AKIA", e.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[accessor]\nx = \"open\n", "line 2, column 10: a line break inside a one-line string")]
    [InlineData("[accessor]\nx = \"never closed", "the file ends inside a string: a closing quote is missing.")]
    [InlineData("[accessor]\ncache_creds true\n", "line 2, column 13: a key must be followed by = and its value.")]
    [InlineData("[accessor]\ncache_creds =\n", "line 2, column 14: a key has no value after its =.")]
    public void A_TOML_syntax_error_says_where_and_what_in_our_words(string toml, string expected)
    {
        var e = LoadError("c.toml", toml);

        Assert.Contains("not valid TOML", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("`", e.Message, StringComparison.Ordinal);
    }
}
