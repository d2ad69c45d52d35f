using System;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;

namespace Altimeter.Auth;

/// <summary>
/// Names the identity that signed an AssumeRole without keeping its key id in clear. A cached
/// hop remembers the fingerprint of its signer, so a hop is reused only when the chain before
/// it is the same: switching the source profile never hands back another identity's credentials.
/// </summary>
public static class SignerFingerprint
{
    /// <summary>A short hash of <paramref name="accessKeyId"/>.</summary>
    public static string Of(string accessKeyId)
    {
        using var sha = SHA256.Create();
        var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(accessKeyId));
        return BitConverter.ToString(hash, 0, 12).Replace("-", string.Empty);
    }

    /// <summary>The fingerprint of <paramref name="credentials"/>.</summary>
    public static string Of(ImmutableCredentials credentials) => Of(credentials.AccessKey);
}
