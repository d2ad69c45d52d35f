using System.Collections;
using Altimeter.Auth;
using Altimeter.Auth.Tests.Doubles;
using Xunit;

namespace Altimeter.Auth.Tests;

public class AccessorTablesTests
{
    [Fact]
    public void Snake_case_keys_build_the_same_chain_as_the_json_form()
    {
        var chain = new Hashtable
        {
            ["role_session_name"] = "scan",
            ["access_steps"] = new object[] { new Hashtable { ["role_name"] = "Hub", ["account_id"] = "111111111111", ["external_id"] = "ext-1" }, new Hashtable { ["role_name"] = "Target" } },
        };

        var accessor = AccessorTables.Read(new[] { chain }, "-MultiHopAccessor");

        Assert.Equal("accessor:scan:Hub@111111111111,Target@target", Assert.Single(accessor.MultiHopAccessors).ToString());
        Assert.Equal("ext-1", accessor.MultiHopAccessors[0].AccessSteps[0].ExternalId);
    }

    [Fact]
    public void PascalCase_keys_are_accepted()
    {
        var chain = new Hashtable(StringComparer.OrdinalIgnoreCase)
        {
            ["RoleSessionName"] = "scan",
            ["AccessSteps"] = new List<IDictionary> { new Hashtable { ["RoleName"] = "Hub", ["AccountId"] = "111111111111", ["ExternalId"] = "{{ env.X_EXT_ID }}" }, new Hashtable { ["RoleName"] = "Target" } },
        };

        var accessor = AccessorTables.Read(new[] { chain }, "-MultiHopAccessor", new AccessorLoadOptions { Environment = TestData.Env(("X_EXT_ID", "from-env")) });

        Assert.Equal("from-env", accessor.MultiHopAccessors[0].AccessSteps[0].ExternalId);
    }

    [Fact]
    public void Unknown_keys_are_refused_with_their_path()
    {
        var chain = new Hashtable { ["RoleSessionName"] = "scan", ["AccessSteps"] = new object[] { new Hashtable { ["RoleName"] = "Target", ["Region"] = "eu-west-1" } } };

        var e = Assert.Throws<AccessorDefinitionException>(() => AccessorTables.Read(new[] { chain }, "-MultiHopAccessor"));

        Assert.Equal(AccessorDefinitionException.Invalid, e.ErrorId);
        Assert.Contains("-MultiHopAccessor", e.Message);
        Assert.Contains("multi_hop_accessors[0].access_steps[0].Region", e.Message);
    }

    [Fact]
    public void A_number_account_id_is_refused_as_in_files()
    {
        var chain = new Hashtable { ["RoleSessionName"] = "scan", ["AccessSteps"] = new object[] { new Hashtable { ["RoleName"] = "Hub", ["AccountId"] = 111111111111L }, new Hashtable { ["RoleName"] = "Target" } } };

        var e = Assert.Throws<AccessorDefinitionException>(() => AccessorTables.Read(new[] { chain }, "-MultiHopAccessor"));

        Assert.Equal(AccessorDefinitionException.StepInvalid, e.ErrorId);
        Assert.Contains("quote it", e.Message);
    }

    [Fact]
    public void The_same_key_in_two_spellings_is_refused()
    {
        var chain = new Hashtable { ["RoleSessionName"] = "scan", ["role_session_name"] = "other", ["AccessSteps"] = new object[] { new Hashtable { ["RoleName"] = "Target" } } };

        var e = Assert.Throws<AccessorDefinitionException>(() => AccessorTables.Read(new[] { chain }, "-MultiHopAccessor"));

        Assert.Contains("role_session_name", e.Message);
    }
}
