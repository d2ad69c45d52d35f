using System;
using System.Security.Cryptography;
using System.Text;
using Altimeter.Auth;
using Xunit;

namespace Altimeter.Auth.Tests;

/// <summary>The managed SHA-256 and HMAC-SHA256 give the platform's digests, byte for byte.</summary>
public class Sha256DigestTests
{
    [Theory]
    [InlineData("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")]
    public void Hash_gives_the_FIPS_180_examples(string text, string expected)
    {
        Assert.Equal(expected, Hex(Sha256Digest.Hash(Encoding.ASCII.GetBytes(text))));
    }

    [Fact]
    public void Hmac_gives_RFC_4231_test_case_2()
    {
        var mac = Sha256Digest.Hmac(Encoding.ASCII.GetBytes("Jefe"), Encoding.ASCII.GetBytes("what do ya want for nothing?"));
        Assert.Equal("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", Hex(mac));
    }

    [Fact]
    public void Hash_and_Hmac_match_the_platform_for_every_length_around_the_block_boundaries_and_long_keys()
    {
        var random = new Random(20261205);
        var checkedCount = 0;
        for (var length = 0; length <= 300; length++)
        {
            var data = new byte[length];
            random.NextBytes(data);
            Assert.Equal(SHA256.HashData(data), Sha256Digest.Hash(data));

            var key = new byte[(length * 7) % 150];
            random.NextBytes(key);
            Assert.Equal(HMACSHA256.HashData(key, data), Sha256Digest.Hmac(key, data));

            checkedCount++;
        }

        Assert.Equal(301, checkedCount);
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
