using Altimeter.Auth;
using Altimeter.Auth.Tests.Doubles;
using Xunit;

namespace Altimeter.Auth.Tests;

public class AltimeterTomlConfigTests
{
    private static readonly AccessorLoadOptions s_options = new() { Environment = TestData.Env(("TEST_EXT_ID", "foo")) };

    [Fact]
    public void The_accessor_table_of_a_whole_altimeter_config_is_read()
    {
        var accessor = AccessorFile.Load(TestData.Fixture("altimeter-config.toml"), s_options);

        Assert.Equal("accessor:altimeter:HubRole@111111111111,OrganizationAccountAccessRole@target", Assert.Single(accessor.MultiHopAccessors).ToString());
        Assert.Equal("foo", accessor.MultiHopAccessors[0].AccessSteps[0].ExternalId);
        Assert.True(accessor.CacheCreds);
    }

    [Fact]
    public void The_spec_example_loads()
    {
        var toml = "[accessor]\n    cache_creds = true\n    [[accessor.multi_hop_accessors]]\n        role_session_name = \"altimeter\"\n        [[accessor.multi_hop_accessors.access_steps]]\n            role_name = \"OrganizationAccountAccessRole\"\n";
        var accessor = AltimeterTomlConfig.Read(toml, "spec.toml");
        Assert.Equal("accessor:altimeter:OrganizationAccountAccessRole@target", Assert.Single(accessor.MultiHopAccessors).ToString());
    }

    [Fact]
    public void A_config_without_an_accessor_table_is_local_mode()
    {
        Assert.True(AltimeterTomlConfig.Read("artifact_path = \"/tmp\"\n", "c.toml").IsLocal);
    }

    [Fact]
    public void The_callers_cache_creds_wins_over_the_configs()
    {
        var accessor = AccessorFile.Load(TestData.Fixture("altimeter-config.toml"), new AccessorLoadOptions { CacheCreds = false, Environment = s_options.Environment });
        Assert.False(accessor.CacheCreds);
    }

    [Fact]
    public void Malformed_toml_is_refused_naming_the_file()
    {
        var e = Assert.Throws<AccessorDefinitionException>(() => AltimeterTomlConfig.Read("[accessor\ncache_creds = ", "broken.toml"));
        Assert.Equal(AccessorDefinitionException.Invalid, e.ErrorId);
        Assert.Contains("broken.toml", e.Message);
        Assert.Contains("TOML", e.Message);
    }

    [Fact]
    public void An_integer_account_id_in_toml_is_refused()
    {
        var toml = "[accessor]\n[[accessor.multi_hop_accessors]]\nrole_session_name = \"ab\"\n[[accessor.multi_hop_accessors.access_steps]]\nrole_name = \"r\"\naccount_id = 123456789012\n[[accessor.multi_hop_accessors.access_steps]]\nrole_name = \"r\"\n";
        var e = Assert.Throws<AccessorDefinitionException>(() => AltimeterTomlConfig.Read(toml, "n.toml"));
        Assert.Equal(AccessorDefinitionException.StepInvalid, e.ErrorId);
        Assert.Contains("account_id", e.Message);
    }

    [Fact]
    public void Unknown_keys_in_the_accessor_table_are_refused()
    {
        var e = Assert.Throws<AccessorDefinitionException>(() => AltimeterTomlConfig.Read("[accessor]\ncache_cred = true\n", "k.toml"));
        Assert.Equal(AccessorDefinitionException.Invalid, e.ErrorId);
        Assert.Contains("cache_cred", e.Message);
        Assert.Contains("k.toml", e.Message);
    }

    [Theory]
    [InlineData("[accessor]\ncache_creds = true\ncache_creds = false\n", "'cache_creds' is given twice")]
    [InlineData("[accessor]\ncache_creds = true\n[accessor]\ncache_creds = false\n", "[accessor] is defined twice")]
    [InlineData("[accessor]\n[[accessor.multi_hop_accessors]]\nrole_session_name = \"a1\"\nrole_session_name = \"a2\"\n", "'role_session_name' is given twice")]
    public void A_key_or_table_given_twice_is_refused_rather_than_the_last_one_taken(string toml, string text)
    {
        var e = Assert.Throws<AccessorDefinitionException>(() => AltimeterTomlConfig.Read(toml, "dup.toml"));
        Assert.Equal(AccessorDefinitionException.Invalid, e.ErrorId);
        Assert.Contains(text, e.Message);
        Assert.Contains("dup.toml", e.Message);
    }

    [Fact]
    public void Repeated_array_tables_are_separate_chains_not_duplicates()
    {
        var toml = "[accessor]\n[[accessor.multi_hop_accessors]]\nrole_session_name = \"a1\"\n[[accessor.multi_hop_accessors.access_steps]]\nrole_name = \"R\"\n[[accessor.multi_hop_accessors]]\nrole_session_name = \"a2\"\n[[accessor.multi_hop_accessors.access_steps]]\nrole_name = \"R\"\n";
        Assert.Equal(2, AltimeterTomlConfig.Read(toml, "two.toml").MultiHopAccessors.Count);
    }
}
