using Altimeter.Auth;
using Xunit;

namespace Altimeter.Auth.Tests;

public class SmallPiecesTests
{
    [Theory]
    [InlineData("arn:aws:sts::123456789012:assumed-role/Role/session", "123456789012")]
    [InlineData("arn:aws-cn:sts::210987654321:assumed-role/Role/s", "210987654321")]
    [InlineData("arn:aws:sts::12345:assumed-role/Role/s", null)]
    [InlineData("not-an-arn", null)]
    [InlineData("", null)]
    public void The_account_is_read_from_the_assumed_role_arn(string arn, string? account)
    {
        Assert.Equal(account, AssumedRoleArn.AccountOf(arn));
    }

    [Theory]
    [InlineData("arn:aws:sts::123456789012:assumed-role/Role/session", true)]
    [InlineData("arn:aws:sts::123456789012:assumed-role/ROLE/session", true)]
    [InlineData("arn:aws:sts::123456789012:assumed-role/Role/Session", false)]
    [InlineData("arn:aws-cn:sts::123456789012:assumed-role/Role/session", false)]
    [InlineData("arn:aws:sts::123456789012:assumed-role/Role/session\n", false)]
    [InlineData("arn:aws:sts::123456789012:assumed-role/Rolex/session", false)]
    [InlineData("arn:aws:sts::123456789012:assumed-role/Rol/session", false)]
    [InlineData("arn:aws:sts::123456789012:assumed-role/Role/sessions", false)]
    [InlineData("arn:aws:sts::123456789012:user/Role/session", false)]
    [InlineData(null, false)]
    public void An_assumed_role_arn_matches_only_its_own_partition_account_role_and_session(string? arn, bool matches)
    {
        Assert.Equal(matches, AssumedRoleArn.IsFor(arn, "aws", "123456789012", "Role", "session"));
    }

    [Theory]
    [InlineData("AKIAIOSFODNN7EXAMPLE", "****MPLE")]
    [InlineData("short", "****")]
    [InlineData(null, "****")]
    public void Access_key_ids_show_only_their_last_four_characters(string? key, string masked)
    {
        Assert.Equal(masked, SecretText.MaskAccessKeyId(key));
    }

    [Fact]
    public void Role_arns_are_built_from_partition_account_and_role()
    {
        Assert.Equal("arn:aws-us-gov:iam::123456789012:role/R", AwsPartition.RoleArn(AwsPartition.ForRegion("us-gov-east-1"), "123456789012", "R"));
    }
}
