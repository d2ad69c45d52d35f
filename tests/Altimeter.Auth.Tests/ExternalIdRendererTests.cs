using Altimeter.Auth;
using Altimeter.Auth.Tests.Doubles;
using Xunit;

namespace Altimeter.Auth.Tests;

public class ExternalIdRendererTests
{
    private static readonly Func<string, string?> s_env = TestData.Env(("TEST_EXT_ID", "foo"), ("OTHER_EXT_ID", "bar"));

    [Theory]
    [InlineData("{{ env['TEST_EXT_ID'] }}")]
    [InlineData("{{env['TEST_EXT_ID']}}")]
    [InlineData("{{ env[\"TEST_EXT_ID\"] }}")]
    [InlineData("{{ env.TEST_EXT_ID }}")]
    [InlineData("{{   env [ 'TEST_EXT_ID' ]   }}")]
    public void Every_supported_form_reads_the_variable(string template)
    {
        Assert.Equal("foo", ExternalIdRenderer.Render(template, s_env));
    }

    [Fact]
    public void Expressions_mix_with_literal_text()
    {
        Assert.Equal("pre-foo-mid-bar-post", ExternalIdRenderer.Render("pre-{{ env.TEST_EXT_ID }}-mid-{{ env['OTHER_EXT_ID'] }}-post", s_env));
    }

    [Fact]
    public void A_value_without_braces_is_used_as_is()
    {
        Assert.Equal("plain-external-id", ExternalIdRenderer.Render("plain-external-id", s_env));
    }

    [Fact]
    public void Values_are_not_html_escaped()
    {
        Assert.Equal("a&b<c>", ExternalIdRenderer.Render("{{ env.X_EXT_ID }}", TestData.Env(("X_EXT_ID", "a&b<c>"))));
    }

    [Fact]
    public void A_missing_variable_is_an_error_naming_it()
    {
        var e = Assert.Throws<AccessorDefinitionException>(() => ExternalIdRenderer.Render("{{ env['NOT_SET_ANYWHERE_EXT_ID'] }}", s_env));
        Assert.Equal(AccessorDefinitionException.VariableMissing, e.ErrorId);
        Assert.Contains("NOT_SET_ANYWHERE_EXT_ID", e.Message);
    }

    [Theory]
    [InlineData("{{ env['X_EXT_ID'] | upper }}")]
    [InlineData("{{ 1 + 1 }}")]
    [InlineData("{% if x %}a{% endif %}")]
    [InlineData("{# comment #}")]
    [InlineData("{{ env['X_EXT_ID'] ")]
    [InlineData("{{ os.environ['X'] }}")]
    public void Other_template_syntax_is_a_clear_error(string template)
    {
        var e = Assert.Throws<AccessorDefinitionException>(() => ExternalIdRenderer.Render(template, TestData.Env(("X_EXT_ID", "value"))));
        Assert.Equal(AccessorDefinitionException.TemplateUnsupported, e.ErrorId);
        Assert.Contains("env", e.Message);
    }
}
