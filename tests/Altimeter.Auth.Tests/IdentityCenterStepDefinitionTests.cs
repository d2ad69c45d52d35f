using System.Collections;
using Xunit;

namespace Altimeter.Auth.Tests;

/// <summary>
/// The <c>identity_center</c> step of accessor definitions, read alike from JSON, TOML and
/// hashtables (one reader), written back as read, and refused in its malformed forms (the
/// bad-input corpus has one file for each).
/// </summary>
public sealed class IdentityCenterStepDefinitionTests
{
    private const string Expected = "accessor:altimeter:identity_center:ReadOnly@target(profile dev); accessor:altimeter:identity_center:Admin@111111111111(sso_session corp),OrganizationAccountAccessRole@target";

    private const string Json = """
        {"multi_hop_accessors": [
          {"role_session_name": "altimeter", "access_steps": [{"identity_center": {"role": "ReadOnly", "profile": "dev"}}]},
          {"role_session_name": "altimeter", "access_steps": [
            {"identity_center": {"role": "Admin", "sso_session": "corp", "account_id": "111111111111"}},
            {"role_name": "OrganizationAccountAccessRole"}]}
        ]}
        """;

    [Fact]
    public void Json_TOML_and_hashtables_give_the_same_chains()
    {
        const string toml = """
            [accessor]
            [[accessor.multi_hop_accessors]]
            role_session_name = "altimeter"
            access_steps = [ { identity_center = { role = "ReadOnly", profile = "dev" } } ]
            [[accessor.multi_hop_accessors]]
            role_session_name = "altimeter"
            access_steps = [
              { identity_center = { role = "Admin", sso_session = "corp", account_id = "111111111111" } },
              { role_name = "OrganizationAccountAccessRole" },
            ]
            """;
        var tables = new IDictionary[]
        {
            new Hashtable { ["RoleSessionName"] = "altimeter", ["AccessSteps"] = new object[] { new Hashtable { ["IdentityCenter"] = new Hashtable { ["Role"] = "ReadOnly", ["Profile"] = "dev" } } } },
            new Hashtable
            {
                ["RoleSessionName"] = "altimeter",
                ["AccessSteps"] = new object[]
                {
                    new Hashtable { ["identity_center"] = new Hashtable { ["role"] = "Admin", ["SsoSession"] = "corp", ["AccountId"] = "111111111111" } },
                    new Hashtable { ["RoleName"] = "OrganizationAccountAccessRole" },
                },
            },
        };

        Assert.Equal(Expected, AccessorJson.Read(Json, "j.json").ToString());
        Assert.Equal(Expected, AltimeterTomlConfig.Read(toml, "t.toml").ToString());
        Assert.Equal(Expected, AccessorTables.Read(tables, "-MultiHopAccessor").ToString());
    }

    [Fact]
    public void An_identity_center_chain_writes_back_as_it_was_read()
    {
        var accessor = AccessorJson.Read(Json, "j.json");

        var again = AccessorJson.Read(AccessorJson.Write(accessor), "again.json");

        Assert.Equal(Expected, again.ToString());
        Assert.Equal("dev", again.MultiHopAccessors[0].IdentityCenterRole!.ProfileName);
        Assert.Empty(again.MultiHopAccessors[0].AccessSteps);
    }

    [Theory]
    [InlineData("""{"identity_center": {"role": "ReadOnly", "profile": "dev", "sso_session": "corp"}}""", AccessorDefinitionException.StepInvalid, "*names both a profile*")]
    [InlineData("""{"identity_center": {"role": ""}}""", AccessorDefinitionException.StepInvalid, "*is not a permission set name*")]
    [InlineData("""{"identity_center": {"role": "ReadOnly", "permission_set": "x"}}""", AccessorDefinitionException.Invalid, "*permission_set*")]
    [InlineData("""{"identity_center": {"role": "ReadOnly"}, "role_name": "Other"}""", AccessorDefinitionException.Invalid, "*role_name*")]
    [InlineData("""{"identity_center": {"profile": "dev"}}""", AccessorDefinitionException.Invalid, "*role is required*")]
    public void Malformed_identity_center_steps_are_refused(string step, string errorId, string pattern)
    {
        var json = $$"""{"multi_hop_accessors": [{"role_session_name": "altimeter", "access_steps": [{{step}}]}]}""";

        var e = Assert.Throws<AccessorDefinitionException>(() => AccessorJson.Read(json, "bad.json"));

        Assert.Equal(errorId, e.ErrorId);
        Assert.Matches("^" + System.Text.RegularExpressions.Regex.Escape(pattern).Replace("\\*", ".*") + "$", e.Message.ReplaceLineEndings(" "));
    }

    [Fact]
    public void An_identity_center_step_after_a_role_hop_is_refused()
    {
        const string json = """{"multi_hop_accessors": [{"role_session_name": "altimeter", "access_steps": [{"role_name": "Hub", "account_id": "111111111111"}, {"identity_center": {"role": "ReadOnly"}}]}]}""";

        var e = Assert.Throws<AccessorDefinitionException>(() => AccessorJson.Read(json, "late.json"));

        Assert.Equal(AccessorDefinitionException.ChainInvalid, e.ErrorId);
        Assert.Contains("only the first step may be", e.Message);
    }
}
