using Altimeter.Auth;
using Xunit;

namespace Altimeter.Auth.Tests;

/// <summary>
/// AWS's own rules are ASCII and cover the whole value: .NET's \w takes any Unicode letter or
/// digit and its $ matches before a final newline, so each check is tried with both.
/// </summary>
public class IdentifierShapeTests
{
    [Theory]
    [InlineData("222222222222\n")]
    [InlineData("\n222222222222")]
    [InlineData("２２２２２２２２２２２２")]
    [InlineData("٢٢٢٢٢٢٢٢٢٢٢٢")]
    public void An_account_id_with_a_newline_or_non_ASCII_digits_is_refused(string accountId)
    {
        Assert.False(IamIdentifiers.IsAccountId(accountId));
        Assert.Throws<InvalidAccountIdException>(() => IamIdentifiers.RequireAccountId(accountId));
    }

    [Theory]
    [InlineData("Role\n")]
    [InlineData("Ｒｏｌｅ")]
    [InlineData("Rôle")]
    [InlineData("Role١")]
    public void A_role_name_with_a_newline_or_non_ASCII_letters_is_refused(string roleName)
    {
        Assert.False(IamIdentifiers.IsRoleName(roleName));
        Assert.Throws<AccessorDefinitionException>(() => new AccessStep(roleName));
    }

    [Theory]
    [InlineData("session\n")]
    [InlineData("séance")]
    public void A_role_session_name_with_a_newline_or_non_ASCII_letters_is_refused(string sessionName)
    {
        Assert.False(IamIdentifiers.IsRoleSessionName(sessionName));
    }

    [Theory]
    [InlineData("external-id\n")]
    [InlineData("éxternal-id")]
    public void An_external_id_with_a_newline_or_non_ASCII_letters_is_refused(string externalId)
    {
        Assert.False(IamIdentifiers.IsExternalId(externalId));
    }

    [Theory]
    [InlineData("us-east-1\n")]
    [InlineData("us-east-１")]
    [InlineData("us-éast-1")]
    public void A_region_with_a_newline_or_non_ASCII_characters_is_not_well_formed(string region)
    {
        Assert.False(AwsRegion.IsWellFormed(region));
        var e = Assert.Throws<InvalidRegionException>(() => AwsRegion.Resolve(region));
        Assert.Equal("InvalidRegion", e.ErrorId);
    }

    [Theory]
    [InlineData("arn:aws:iam::123456789012:mfa/user\n")]
    [InlineData("arn:aws:iam::123456789012:mfa/üser")]
    public void An_mfa_serial_with_a_newline_or_non_ASCII_letters_is_refused(string serial)
    {
        Assert.Throws<AccessorDefinitionException>(() => new AssumeRoleOptions(mfaSerial: serial));
    }

    [Theory]
    [InlineData("arn:aws:iam::aws:policy/ReadOnlyAccess\n")]
    [InlineData("arn:aws:iam::１２３４５６７８９０１２:policy/P")]
    public void A_policy_arn_with_a_newline_or_non_ASCII_digits_is_refused(string policyArn)
    {
        Assert.Throws<AccessorDefinitionException>(() => new AssumeRoleOptions(policyArns: new[] { policyArn }));
    }

    [Fact]
    public void Tags_keep_the_Unicode_letters_AWS_allows_but_not_a_final_newline()
    {
        Assert.Equal("données", new AssumeRoleOptions(tags: new Dictionary<string, string> { ["équipe"] = "données" }).Tags["équipe"]);
        Assert.Throws<AccessorDefinitionException>(() => new AssumeRoleOptions(tags: new Dictionary<string, string> { ["team\n"] = "x" }));
    }
}
