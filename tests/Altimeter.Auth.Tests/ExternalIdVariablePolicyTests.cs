using Altimeter.Auth;
using Altimeter.Auth.Tests.Doubles;
using Xunit;

namespace Altimeter.Auth.Tests;

// An external id is sent to the role's account and logged there: templates read only variables
// that plainly hold one, or that the user allowed by name; everything else is refused.
public class ExternalIdVariablePolicyTests
{
    [Theory]
    [InlineData("GH_PAT")]
    [InlineData("MYSQL_PWD")]
    [InlineData("DATABASE_URL")]
    [InlineData("CI_JOB_JWT_V2")]
    [InlineData("SSHPASS")]
    [InlineData("DOCKER_PASS")]
    [InlineData("HOME")]
    [InlineData("CUSTOMER_ID")]
    [InlineData("CONTEXT_ID")]
    [InlineData("NEXT_IDENTITY")]
    [InlineData("EXTERNAL_IDENTITY_TOKEN")]
    public void Names_that_do_not_say_they_hold_an_external_id_are_refused_by_default_and_the_message_says_how_to_allow_one(string name)
    {
        var e = Assert.Throws<AccessorDefinitionException>(() => ExternalIdVariablePolicy.Default.Require(name));

        Assert.Equal("ExternalIdVariableRefused", e.ErrorId);
        Assert.Contains($"environment variable '{name}': its name does not say it holds an external id", e.Message);
        Assert.Contains($"-ExternalIdVariable {name}", e.Message);
    }

    [Theory]
    [InlineData("AWS_SECRET_ACCESS_KEY", "AWS_*")]
    [InlineData("AWS_SESSION_TOKEN", "AWS_*")]
    [InlineData("aws_secret_access_key", "AWS_*")]
    [InlineData("AWS_EXTERNAL_ID", "AWS_*")]
    [InlineData("ALTIMETER_TEST_MOTO_URL", "ALTIMETER_*")]
    [InlineData("ALTIMETER_MODULE_PATH", "ALTIMETER_*")]
    [InlineData("ALTIMETER_EXTERNAL_IDENTITY", "ALTIMETER_*")]
    public void Credentials_and_the_modules_own_settings_are_refused_even_when_allowed_by_name(string name, string rule)
    {
        var allowing = new ExternalIdVariablePolicy(new[] { name });

        var e = Assert.Throws<AccessorDefinitionException>(() => allowing.Require(name));

        Assert.Equal(AccessorDefinitionException.VariableRefused, e.ErrorId);
        Assert.Contains($"'{name}': {rule} variables", e.Message);
        Assert.Contains("even when allowed by name", e.Message);
    }

    [Theory]
    [InlineData("EXTERNAL_ID")]
    [InlineData("HUB_EXTERNAL_ID")]
    [InlineData("TEST_EXT_ID")]
    [InlineData("EXT_ID_PROD")]
    [InlineData("hub_external_id")]
    [InlineData("ALTIMETER_EXTERNAL_ID")]
    [InlineData("ALTIMETER_EXT_ID")]
    [InlineData("ALTIMETER_HUB_EXTERNAL_ID")]
    [InlineData("ALTIMETER_PESTER_EXT_ID")]
    [InlineData("ALTIMETER_DEMO_EXTERNAL_ID")]
    public void Names_with_an_EXTERNAL_ID_or_EXT_ID_part_are_allowed(string name)
    {
        Assert.Null(ExternalIdVariablePolicy.Default.RefusalReason(name));
    }

    [Fact]
    public void A_name_the_user_allows_is_read_and_no_other()
    {
        var allowing = new ExternalIdVariablePolicy(new[] { "PARTNER_REF" });

        Assert.Null(allowing.RefusalReason("PARTNER_REF"));
        Assert.Null(allowing.RefusalReason("partner_ref"));
        Assert.NotNull(allowing.RefusalReason("PARTNER_REF2"));
        Assert.NotNull(allowing.RefusalReason("GH_PAT"));
    }

    [Fact]
    public void An_accessor_file_reads_a_variable_allowed_through_the_load_options_and_refuses_it_without()
    {
        const string json = """{"multi_hop_accessors": [{"role_session_name": "partner", "access_steps": [{"role_name": "Hub", "account_id": "111111111111", "external_id": "{{ env.PARTNER_REF }}"}, {"role_name": "Target"}]}]}""";
        var environment = TestData.Env(("PARTNER_REF", "partner-ref-value"));

        var refused = Assert.Throws<AccessorDefinitionException>(() => AccessorJson.Read(json, "f.json", new AccessorLoadOptions { Environment = environment }));
        var accessor = AccessorJson.Read(json, "f.json", new AccessorLoadOptions { Environment = environment, ExternalIdVariables = new[] { "PARTNER_REF" } });

        Assert.Equal("ExternalIdVariableRefused", refused.ErrorId);
        Assert.DoesNotContain("partner-ref-value", refused.ToString());
        Assert.Equal("partner-ref-value", accessor.MultiHopAccessors[0].AccessSteps[0].ExternalId);
    }

    [Fact]
    public void A_template_reading_a_personal_access_token_is_refused_without_reading_or_showing_it()
    {
        var read = new List<string>();
        Func<string, string?> environment = name => { read.Add(name); return "ghp_source-secret-token"; };

        var e = Assert.Throws<AccessorDefinitionException>(() => new AccessStep("Hub", TestData.Hub, "{{ env['GH_PAT'] }}", environment));

        Assert.Equal(AccessorDefinitionException.VariableRefused, e.ErrorId);
        Assert.DoesNotContain("source-secret", e.ToString());
        Assert.Empty(read);
    }
}
