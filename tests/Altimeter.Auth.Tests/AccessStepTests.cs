using Altimeter.Auth;
using Altimeter.Auth.Tests.Doubles;
using Xunit;

namespace Altimeter.Auth.Tests;

public class AccessStepTests
{
    [Fact]
    public void Text_form_of_a_step_with_an_account_is_role_at_account()
    {
        Assert.Equal("foo@123456789012", new AccessStep("foo", "123456789012").ToString());
    }

    [Fact]
    public void Text_form_of_the_final_step_is_role_at_target()
    {
        var step = new AccessStep("boo");
        Assert.Equal("boo@target", step.ToString());
        Assert.True(step.IsFinal);
    }

    [Theory]
    [InlineData("12345678901")]
    [InlineData("1234567890123")]
    [InlineData("12345678901a")]
    [InlineData("")]
    [InlineData(" 123456789012")]
    public void An_account_id_that_is_not_12_digits_is_refused(string accountId)
    {
        var e = Assert.Throws<AccessorDefinitionException>(() => new AccessStep("Role", accountId));
        Assert.Equal(AccessorDefinitionException.StepInvalid, e.ErrorId);
        Assert.Contains("12 digits", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("role with space")]
    [InlineData("role:colon")]
    public void A_role_name_IAM_would_refuse_is_refused(string roleName)
    {
        var e = Assert.Throws<AccessorDefinitionException>(() => new AccessStep(roleName, "123456789012"));
        Assert.Equal(AccessorDefinitionException.StepInvalid, e.ErrorId);
    }

    [Fact]
    public void A_65_character_role_name_is_refused_and_64_accepted()
    {
        Assert.Equal(new string('r', 64), new AccessStep(new string('r', 64)).RoleName);
        Assert.Throws<AccessorDefinitionException>(() => new AccessStep(new string('r', 65)));
    }

    [Fact]
    public void The_external_id_template_is_rendered_and_kept_as_written()
    {
        var step = new AccessStep("Role", "123456789012", "{{ env['TEST_EXT_ID'] }}", TestData.Env(("TEST_EXT_ID", "foo")));
        Assert.Equal("foo", step.ExternalId);
        Assert.Equal("{{ env['TEST_EXT_ID'] }}", step.ExternalIdTemplate);
    }

    [Theory]
    [InlineData("Z")]
    [InlineData("has zz space")]
    [InlineData("semi;colon9")]
    public void An_external_id_STS_would_refuse_is_refused_without_showing_it(string externalId)
    {
        var e = Assert.Throws<AccessorDefinitionException>(() => new AccessStep("Role", null, "{{ env.X_EXT_ID }}", TestData.Env(("X_EXT_ID", externalId))));
        Assert.Equal(AccessorDefinitionException.StepInvalid, e.ErrorId);
        Assert.DoesNotContain(externalId, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_external_id_of_1225_characters_is_refused_and_1224_accepted()
    {
        Assert.Equal(new string('x', 1224), new AccessStep("Role", null, new string('x', 1224)).ExternalId);
        Assert.Throws<AccessorDefinitionException>(() => new AccessStep("Role", null, new string('x', 1225)));
    }
}
