using Altimeter.Auth;
using Xunit;

namespace Altimeter.Auth.Tests;

// What a person reads when an account cannot be reached: the account and each chain said once,
// the hop's reason without the account repeated, local mode in words.
public class AccountAuthMessageTests
{
    private const string Chain = "accessor:s:Hub@111111111111,Target@target";

    [Fact]
    public void One_chain_is_named_once_and_its_reason_follows_without_the_account_again()
    {
        var failure = new ChainFailure(Chain, new MfaTokenRequiredException("arn:aws:iam::111111111111:mfa/me", "222222222222: hop 1/2 arn:aws:iam::111111111111:role/Hub"));

        var e = new AccountAuthException("222222222222", Chain, new[] { failure });

        Assert.Equal(
            "Unable to access account 222222222222 through accessor:s:Hub@111111111111,Target@target: hop 1/2 arn:aws:iam::111111111111:role/Hub needs an MFA code for arn:aws:iam::111111111111:mfa/me, and none was given.",
            e.Message);
    }

    [Fact]
    public void Local_mode_says_the_source_credentials_were_used_themselves()
    {
        var failure = new ChainFailure(Accessor.LocalChain, new AccountMismatchException("222222222222", "123456789012", "The source credentials"));

        var e = new AccountAuthException("222222222222", Accessor.LocalChain, new[] { failure });

        Assert.Equal(
            "Unable to access account 222222222222 with the source credentials themselves (the accessor has no chain): The source credentials belong to account 123456789012, not 222222222222.",
            e.Message);
        Assert.DoesNotContain("using local", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Several_chains_are_each_listed_with_their_reason()
    {
        var failures = new[]
        {
            new ChainFailure("accessor:a:Hub@111111111111,T@target", new AccountMismatchException("222222222222", "999999999999", "222222222222: hop 1/2 credentials")),
            new ChainFailure("accessor:b:Hub@333333333333,T@target", new MfaTokenRequiredException("arn:aws:iam::333333333333:mfa/me", "222222222222: hop 1/2 arn:aws:iam::333333333333:role/Hub")),
        };

        var e = new AccountAuthException("222222222222", "accessor:a:…; accessor:b:…", failures);

        Assert.Equal(
            "Unable to access account 222222222222: none of the 2 chains of the accessor worked."
            + " [1] accessor:a:Hub@111111111111,T@target: hop 1/2 credentials belong to account 999999999999, not 222222222222."
            + " [2] accessor:b:Hub@333333333333,T@target: hop 1/2 arn:aws:iam::333333333333:role/Hub needs an MFA code for arn:aws:iam::333333333333:mfa/me, and none was given.",
            e.Message);
    }

    [Theory]
    [InlineData("eu-westt-1", "aws")]
    [InlineData("cn-northh-1", "aws-cn")]
    public void A_region_the_SDK_does_not_know_in_its_partition_is_warned_about(string region, string partition)
    {
        Assert.Equal(
            $"Region '{region}' (from -Region) is not a region of partition {partition} that this module's AWS SDK knows: if it is a typo, every STS call will fail to connect. A region newer than the SDK works as it is.",
            AwsRegion.UnknownRegionWarning(region, "-Region"));
        Assert.Null(AwsRegion.UnknownRegionWarning("eu-west-1", "-Region"));
        Assert.Null(AwsRegion.UnknownRegionWarning("cn-north-1", "-Region"));
    }
}
