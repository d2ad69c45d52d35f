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

    [Fact]
    public void A_time_is_shown_as_local_time_with_its_offset_whatever_its_kind()
    {
        var instant = new DateTimeOffset(2026, 12, 4, 14, 56, 13, TimeSpan.Zero);
        var expected = instant.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss zzz", System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(expected, ShownTime.Of(instant));
        Assert.Equal(expected, ShownTime.Of(instant.ToOffset(TimeSpan.FromHours(9))));
        Assert.Equal(expected, ShownTime.Of(instant.UtcDateTime));
        Assert.Equal(expected, ShownTime.Of(DateTime.SpecifyKind(instant.UtcDateTime, DateTimeKind.Unspecified)));
        Assert.Equal(expected, ShownTime.Of(instant.UtcDateTime.ToLocalTime()));
        Assert.Matches(@"\A\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d\d:\d\d\z", expected);
    }

    [Fact]
    public void A_session_holds_its_expiry_as_UTC_whatever_kind_of_time_it_was_given()
    {
        var utc = new DateTime(2026, 12, 4, 14, 56, 13, DateTimeKind.Utc);
        var keys = new Amazon.Runtime.ImmutableCredentials("AKIAEXAMPLEEXAMPLE00", "not-a-secret", null);
        foreach (var given in new[] { utc, utc.ToLocalTime(), DateTime.SpecifyKind(utc, DateTimeKind.Unspecified) })
        {
            var held = new SessionCredentials(keys, given, "local", null).ExpirationUtc;
            Assert.Equal(DateTimeKind.Utc, held!.Value.Kind);
            Assert.Equal(utc, held.Value);
        }

        Assert.Null(new SessionCredentials(keys, null, "local", null).ExpirationUtc);
    }
}
