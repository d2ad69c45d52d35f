using Altimeter.Auth;
using Altimeter.Auth.Tests.Doubles;
using Xunit;

namespace Altimeter.Auth.Tests;

// An external id is sent to the role's account and logged there: templates may not read secrets.
public class ExternalIdVariablePolicyTests
{
    [Theory]
    [InlineData("AWS_SECRET_ACCESS_KEY", "AWS_*")]
    [InlineData("AWS_SESSION_TOKEN", "AWS_*")]
    [InlineData("AWS_ACCESS_KEY_ID", "AWS_*")]
    [InlineData("aws_secret_access_key", "AWS_*")]
    [InlineData("AWS_REGION", "AWS_*")]
    [InlineData("GITHUB_TOKEN", "'TOKEN'")]
    [InlineData("DB_PASSWORD", "'PASSWORD'")]
    [InlineData("MYSQL_PASSWD", "'PASSWD'")]
    [InlineData("GPG_PASSPHRASE", "'PASSPHRASE'")]
    [InlineData("GOOGLE_APPLICATION_CREDENTIALS", "'CREDENTIAL'")]
    [InlineData("SSH_PRIVATE", "'PRIVATE'")]
    [InlineData("STRIPE_API_KEY", "'KEY'")]
    [InlineData("VAULT_AUTH_ID", "'AUTH'")]
    [InlineData("BROWSER_COOKIE", "'COOKIE'")]
    [InlineData("SESSION_ID", "'SESSION'")]
    [InlineData("client_secret", "'SECRET'")]
    [InlineData("ALTIMETER_CREDENTIAL_CACHE", "'CREDENTIAL'")]
    [InlineData("ALTIMETER_TEST_MOTO_URL", "ALTIMETER_*")]
    [InlineData("ALTIMETER_MODULE_PATH", "ALTIMETER_*")]
    [InlineData("ALTIMETER_EXTERNAL_ID_FILE", "ALTIMETER_*")]
    public void Credentials_secrets_and_the_modules_own_settings_are_refused_naming_the_rule(string name, string rule)
    {
        var e = Assert.Throws<AccessorDefinitionException>(() => ExternalIdVariablePolicy.Require(name));

        Assert.Equal(AccessorDefinitionException.VariableRefused, e.ErrorId);
        Assert.Equal("ExternalIdVariableRefused", e.ErrorId);
        Assert.Contains($"'{name}'", e.Message);
        Assert.Contains(rule, e.Message);
    }

    [Theory]
    [InlineData("EXTERNAL_ID")]
    [InlineData("HUB_EXTERNAL_ID")]
    [InlineData("TEST_EXT_ID")]
    [InlineData("CUSTOMER_ID")]
    [InlineData("ALTIMETER_EXTERNAL_ID")]
    [InlineData("ALTIMETER_EXT_ID")]
    [InlineData("ALTIMETER_HUB_EXTERNAL_ID")]
    [InlineData("ALTIMETER_PESTER_EXT_ID")]
    [InlineData("ALTIMETER_DEMO_EXTERNAL_ID")]
    public void The_names_altimeter_users_write_for_external_ids_are_allowed(string name)
    {
        Assert.Null(ExternalIdVariablePolicy.RefusalReason(name));
    }

    [Fact]
    public void A_template_reading_the_source_secret_key_is_refused_without_rendering_it()
    {
        var environment = TestData.Env(("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI-source-secret"));

        var e = Assert.Throws<AccessorDefinitionException>(() => new AccessStep("Hub", TestData.Hub, "{{ env['AWS_SECRET_ACCESS_KEY'] }}", environment));

        Assert.Equal(AccessorDefinitionException.VariableRefused, e.ErrorId);
        Assert.DoesNotContain("source-secret", e.ToString());
    }

    [Fact]
    public void The_check_comes_before_the_lookup_so_a_refused_variable_is_never_read()
    {
        var read = new List<string>();

        Assert.Throws<AccessorDefinitionException>(() => ExternalIdRenderer.Render("ok-{{ env.GITHUB_TOKEN }}", name => { read.Add(name); return "x"; }));

        Assert.Empty(read);
    }
}
