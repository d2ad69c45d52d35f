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
