using Altimeter.Auth;
using Altimeter.Auth.Tests.Doubles;
using Newtonsoft.Json.Linq;
using Xunit;

namespace Altimeter.Auth.Tests;

public class AccessorJsonTests
{
    private static readonly AccessorLoadOptions s_options = new() { Environment = TestData.Env(("TEST_EXT_ID", "foo")) };

    private static AccessorDefinitionException Invalid(string json) =>
        Assert.Throws<AccessorDefinitionException>(() => AccessorJson.Read(json, "bad.json", s_options));

    [Fact]
    public void The_reference_accessor_file_loads_with_both_chains()
    {
        var accessor = AccessorFile.Load(TestData.Fixture("reference-accessor.json"), s_options);

        Assert.Equal(
            new[]
            {
                "accessor:altimeter-mb-a:OrganizationAccountAccessRole@123456789012,OrganizationAccountAccessRole@target",
                "accessor:altimeter-mb-b:OrganizationAccountAccessRole@123456789012,OrganizationAccountAccessRole@123456789012,OrganizationAccountAccessRole@target",
            },
            accessor.MultiHopAccessors.Select(c => c.ToString()));
        Assert.Equal("foo", accessor.MultiHopAccessors[0].AccessSteps[0].ExternalId);
        Assert.True(accessor.CacheCreds);
    }

    [Fact]
    public void Writing_gives_back_the_same_structure_with_nulls_for_absent_values()
    {
        var original = JObject.Parse(File.ReadAllText(TestData.Fixture("reference-accessor.json")));
        var accessor = AccessorJson.Read(original.ToString(), "reference", s_options);

        var written = JObject.Parse(AccessorJson.Write(accessor));

        Assert.Equal("{{ env['TEST_EXT_ID'] }}", (string?)written["multi_hop_accessors"]![0]!["access_steps"]![0]!["external_id"]);
        Assert.Equal(JTokenType.Null, written["multi_hop_accessors"]![0]!["access_steps"]![1]!["account_id"]!.Type);
        var reread = AccessorJson.Read(written.ToString(), "written", s_options);
        Assert.Equal(AccessorJson.Write(accessor), AccessorJson.Write(reread));
        foreach (var step in original.SelectTokens("multi_hop_accessors[*].access_steps[*]").Cast<JObject>())
        {
            step["account_id"] ??= JValue.CreateNull();
            step["external_id"] ??= JValue.CreateNull();
        }

        written.Remove("cache_creds");
        Assert.True(JToken.DeepEquals(original, written), written.ToString());
    }

    [Fact]
    public void The_callers_cache_creds_wins_over_the_files()
    {
        var json = "{\"multi_hop_accessors\": [], \"cache_creds\": true}";
        Assert.False(AccessorJson.Read(json, "x", new AccessorLoadOptions { CacheCreds = false }).CacheCreds);
        Assert.True(AccessorJson.Read(json, "x").CacheCreds);
        Assert.False(AccessorJson.Read("{\"multi_hop_accessors\": [], \"cache_creds\": false}", "x").CacheCreds);
    }

    [Fact]
    public void An_empty_chain_list_is_local_mode()
    {
        Assert.True(AccessorJson.Read("{\"multi_hop_accessors\": []}", "x").IsLocal);
    }

    [Theory]
    [InlineData("{\"multi_hop_accessors\": [], \"extra\": 1}", "extra", "unknown key 'extra'")]
    [InlineData("{\"multi_hop_accessors\": [{\"role_session_name\": \"ab\", \"access_steps\": [{\"role_name\": \"r\"}], \"x\": 1}]}", "multi_hop_accessors[0].x", "unknown key 'x'")]
    [InlineData("{\"multi_hop_accessors\": [{\"role_session_name\": \"ab\", \"access_steps\": [{\"role_name\": \"r\", \"acount_id\": \"123456789012\"}]}]}", "multi_hop_accessors[0].access_steps[0].acount_id", "unknown key 'acount_id'")]
    public void Unknown_keys_are_refused_with_their_json_path(string json, string path, string text)
    {
        var e = Invalid(json);
        Assert.Equal(AccessorDefinitionException.Invalid, e.ErrorId);
        Assert.Contains("bad.json", e.Message);
        Assert.Contains(path, e.Message);
        Assert.Contains(text, e.Message);
    }

    [Fact]
    public void A_json_number_account_id_is_refused_because_it_loses_leading_zeros()
    {
        var e = Invalid("{\"multi_hop_accessors\": [{\"role_session_name\": \"ab\", \"access_steps\": [{\"role_name\": \"r\", \"account_id\": 12345678901}, {\"role_name\": \"r\"}]}]}");
        Assert.Equal(AccessorDefinitionException.StepInvalid, e.ErrorId);
        Assert.Contains("multi_hop_accessors[0].access_steps[0].account_id", e.Message);
        Assert.Contains("quote it", e.Message);
    }

    [Theory]
    [InlineData("{\"multi_hop_accessors\": [{\"role_session_name\": \"ab\", \"access_steps\": [{\"role_name\": 5}]}]}", "role_name must be a string")]
    [InlineData("{\"multi_hop_accessors\": {}}", "multi_hop_accessors must be a list")]
    [InlineData("{\"multi_hop_accessors\": [], \"cache_creds\": \"yes\"}", "cache_creds must be true or false")]
    [InlineData("[]", "expected an accessor definition as an object")]
    [InlineData("{\"multi_hop_accessors\": [{\"access_steps\": [{\"role_name\": \"r\"}]}]}", "role_session_name is required")]
    public void Wrong_types_are_refused(string json, string text)
    {
        var e = Invalid(json);
        Assert.Equal(AccessorDefinitionException.Invalid, e.ErrorId);
        Assert.Contains(text, e.Message);
    }

    [Theory]
    [InlineData("{\"multi_hop_accessors\": [")]
    [InlineData("{\"multi_hop_accessors\": [], \"multi_hop_accessors\": []}")]
    [InlineData("{\"multi_hop_accessors\": []} {}")]
    [InlineData("")]
    public void Malformed_json_is_refused(string json)
    {
        var e = Invalid(json);
        Assert.Equal(AccessorDefinitionException.Invalid, e.ErrorId);
        Assert.StartsWith("bad.json", e.Message);
    }

    // Newtonsoft alone took each of these; altimeter's json module refuses them all.
    [Theory]
    [InlineData("{\"multi_hop_accessors\": [],}")]
    [InlineData("{\"multi_hop_accessors\": [{\"role_session_name\": \"ab\", \"access_steps\": [{\"role_name\": \"r\"},]}]}")]
    [InlineData("// a comment\n{\"multi_hop_accessors\": []}")]
    [InlineData("{\"multi_hop_accessors\": [] /* a comment */}")]
    [InlineData("{'multi_hop_accessors': []}")]
    [InlineData("{multi_hop_accessors: []}")]
    [InlineData("{\"cache_creds\": True}")]
    [InlineData("{\"multi_hop_accessors\": [], \"cache_creds\": NaN}")]
    public void Json_that_is_not_RFC_8259_JSON_is_refused(string json)
    {
        var e = Invalid(json);
        Assert.Equal(AccessorDefinitionException.Invalid, e.ErrorId);
        Assert.Contains("not valid JSON", e.Message);
    }

    [Fact]
    public void A_leading_byte_order_mark_may_stay()
    {
        Assert.True(AccessorJson.Read("\uFEFF{\"multi_hop_accessors\": []}", "bom.json").IsLocal);
    }

    [Fact]
    public void Chain_rule_errors_name_the_file_the_chain_and_the_step()
    {
        var e = Invalid("{\"multi_hop_accessors\": [{\"role_session_name\": \"ok-chain\", \"access_steps\": [{\"role_name\": \"r\"}]}, {\"role_session_name\": \"second\", \"access_steps\": [{\"role_name\": \"r\", \"account_id\": \"123456789012\"}]}]}");
        Assert.Equal(AccessorDefinitionException.ChainInvalid, e.ErrorId);
        Assert.Contains("bad.json", e.Message);
        Assert.Contains("chain 2", e.Message);
        Assert.Contains("second", e.Message);
        Assert.Contains("access_steps[0]", e.Message);
    }

    [Fact]
    public void Step_errors_name_the_file_the_chain_and_the_step()
    {
        var e = Invalid("{\"multi_hop_accessors\": [{\"role_session_name\": \"chain-a\", \"access_steps\": [{\"role_name\": \"Hub\", \"account_id\": \"123\"}, {\"role_name\": \"r\"}]}]}");
        Assert.Equal(AccessorDefinitionException.StepInvalid, e.ErrorId);
        Assert.Contains("bad.json", e.Message);
        Assert.Contains("chain 1", e.Message);
        Assert.Contains("step 1", e.Message);
        Assert.Contains("'123'", e.Message);
    }

    [Fact]
    public void A_missing_variable_is_a_load_time_error_naming_variable_and_step()
    {
        var e = Assert.Throws<AccessorDefinitionException>(() => AccessorFile.Load(TestData.Fixture("reference-accessor.json"), new AccessorLoadOptions { Environment = TestData.Env() }));
        Assert.Equal(AccessorDefinitionException.VariableMissing, e.ErrorId);
        Assert.Contains("TEST_EXT_ID", e.Message);
        Assert.Contains("OrganizationAccountAccessRole@123456789012", e.Message);
        Assert.Contains("reference-accessor.json", e.Message);
    }

    [Fact]
    public void A_missing_file_is_an_unreadable_error_naming_it()
    {
        var e = Assert.Throws<AccessorDefinitionException>(() => AccessorFile.Load("/nonexistent/accessor.json"));
        Assert.Equal(AccessorDefinitionException.Unreadable, e.ErrorId);
        Assert.Contains("/nonexistent/accessor.json", e.Message);
    }

    [Fact]
    public void A_file_with_a_byte_order_mark_and_crlf_line_ends_loads()
    {
        var path = Path.Combine(Path.GetTempPath(), $"altimeter-bom-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, "{\r\n\"multi_hop_accessors\": [{\"role_session_name\": \"ab\",\r\n \"access_steps\": [{\"role_name\": \"r\"}]}]\r\n}\r\n", new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        try
        {
            Assert.Single(AccessorFile.Load(path).MultiHopAccessors);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string WithCredentialsCache(string cacheKey = "123456789012:r:s1") =>
        "{\"multi_hop_accessors\": [], \"credentials_cache\": {\"cache\": {\"" + cacheKey + "\": {\"access_key_id\": \"ASIAIMPORTED00000001\", \"secret_access_key\": \"planted-secret\", \"session_token\": \"planted-token\", \"expiration\": "
        + DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds() + "}}}}";

    [Fact]
    public void A_credentials_cache_in_the_file_is_ignored_by_default_with_a_warning_that_says_how_to_use_it()
    {
        var processCache = new CredentialsCache();

        var accessor = AccessorJson.Read(WithCredentialsCache(), "planted.json", new AccessorLoadOptions { CredentialsCache = processCache });

        Assert.Equal(0, processCache.Count);
        Assert.Null(accessor.Imported);
        var warning = Assert.Single(accessor.Warnings);
        Assert.Contains("planted.json: credentials_cache ignored (1 entry)", warning);
        Assert.Contains("-ImportCredentialsCache", warning);
        Assert.DoesNotContain("planted-", warning);
    }

    [Fact]
    public void A_malformed_credentials_cache_is_an_error_even_when_it_would_be_ignored()
    {
        var e = Assert.Throws<AccessorDefinitionException>(() => AccessorJson.Read(WithCredentialsCache("not-a-key"), "x"));
        Assert.Equal(AccessorDefinitionException.Invalid, e.ErrorId);
        Assert.Contains("cache key 'not-a-key'", e.Message);
    }

    [Fact]
    public void Imported_credentials_stay_with_their_accessor_out_of_the_cache_every_accessor_shares()
    {
        var processCache = new CredentialsCache();

        var accessor = AccessorJson.Read(WithCredentialsCache(), "x", new AccessorLoadOptions { CredentialsCache = processCache, ImportCredentialsCache = true });

        Assert.Equal(1, accessor.Imported!.Count);
        Assert.Equal(0, processCache.Count);
        Assert.Null(processCache.Get(new CacheKey("123456789012", "r", "s1")));
        Assert.Empty(accessor.Warnings);
    }

    [Fact]
    public void Imported_credentials_are_dropped_when_caching_is_off()
    {
        var accessor = AccessorJson.Read(WithCredentialsCache(), "x", new AccessorLoadOptions { CacheCreds = false, ImportCredentialsCache = true });

        Assert.Null(accessor.Imported);
        Assert.Contains("caching is off", Assert.Single(accessor.Warnings));
    }

    [Fact]
    public void The_accessor_json_never_carries_the_cache_or_its_secrets()
    {
        var cache = new CredentialsCache();
        cache.Store(new CachedCredentials("ASIASECRETHOLDER0001", "very-secret-key", "very-secret-token", DateTimeOffset.UtcNow.AddHours(1)), new CacheKey("123456789012", "r", "s1"), null);
        var accessor = new Accessor(new[] { TestData.TwoHop() }, true, cache);

        var json = AccessorJson.Write(accessor);
        Assert.DoesNotContain("very-secret", json);
        Assert.DoesNotContain("credentials_cache", json);
        Assert.DoesNotContain("very-secret", accessor.ToString());
    }
}
