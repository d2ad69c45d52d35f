using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;
using Amazon.Runtime;

namespace Altimeter.Auth;

/// <summary>
/// What a cached hop and an MFA session are bound to, as digests (HMAC-SHA256, lowercase hex):
/// the credentials that signed the call — their secret key and session token, not only the key
/// id anyone may know — and every input of the AssumeRole that STS checks: the rendered external
/// id, duration, MFA serial, source identity, session tags, transitive tag keys and session policy
/// ARNs. A lookup that differs in any of them is a miss and goes to STS, which checks it.
/// <para>
/// The HMAC keys are fixed labels, one per kind of digest: the user's other processes must compute
/// the same digest to use the shared store. That is safe because a digest of credentials is taken
/// over their secret key (40 random characters) and cannot be reversed or guessed; the external id,
/// which may be guessable, never goes into anything written except mixed with the signer's secret
/// (<see cref="ForHop"/>). A digest is never shown.
/// </para>
/// </summary>
internal static class CacheBinding
{
    private static readonly byte[] s_credentialsLabel = Encoding.UTF8.GetBytes("altimeter cache binding v2: credentials");
    private static readonly byte[] s_stepLabel = Encoding.UTF8.GetBytes("altimeter cache binding v2: AssumeRole inputs");
    private static readonly byte[] s_hopLabel = Encoding.UTF8.GetBytes("altimeter cache binding v2: hop");
    private static readonly byte[] s_identityCenterLabel = Encoding.UTF8.GetBytes("altimeter cache binding v2: Identity Center role");
    private static readonly ConditionalWeakTable<ImmutableCredentials, Signer> s_signers = new();
    private static readonly ConditionalWeakTable<ImmutableCredentials, Signer>.CreateValueCallback s_newSigner = credentials => new Signer(OfCredentialsUncached(credentials));

    /// <summary>The digest of <paramref name="credentials"/>: key id, secret key and session token. An MFA session is bound to it.</summary>
    public static string OfCredentials(ImmutableCredentials credentials) =>
        s_signers.GetValue(credentials ?? throw new ArgumentNullException(nameof(credentials)), s_newSigner).Digest;

    /// <summary>
    /// The digest of what a step sends STS besides the role and session name. Held in memory only
    /// (<see cref="AccessStep"/>); what is written is <see cref="ForHop"/>.
    /// </summary>
    public static string OfStep(string? externalId, AssumeRoleOptions? options)
    {
        var tags = options?.Tags.OrderBy(t => t.Key, StringComparer.Ordinal).SelectMany(t => new[] { t.Key, t.Value }) ?? Enumerable.Empty<string>();
        return Digest(
            s_stepLabel,
            new[]
            {
                externalId,
                options?.DurationSeconds?.ToString(CultureInfo.InvariantCulture),
                options?.MfaSerial,
                options?.SourceIdentity,
                options?.Tags.Count.ToString(CultureInfo.InvariantCulture),
            }
            .Concat(tags)
            .Concat(new[] { options?.TransitiveTagKeys.Count.ToString(CultureInfo.InvariantCulture) })
            .Concat(options?.TransitiveTagKeys ?? Enumerable.Empty<string>())
            .Concat(options?.PolicyArns ?? Enumerable.Empty<string>()));
    }

    /// <summary>
    /// What the hop <paramref name="step"/> signed by <paramref name="signer"/> is bound to. Made
    /// once per signer and step: a cache hit on the warm path computes no digest.
    /// </summary>
    public static string ForHop(ImmutableCredentials signer, AccessStep step)
    {
        var signed = s_signers.GetValue(signer ?? throw new ArgumentNullException(nameof(signer)), s_newSigner);
        var stepDigest = (step ?? throw new ArgumentNullException(nameof(step))).BindingDigest;
        return signed.Hops.TryGetValue(stepDigest, out var hop)
            ? hop
            : signed.Hops.GetOrAdd(stepDigest, Digest(s_hopLabel, new[] { signed.Digest, stepDigest }));
    }

    /// <summary>
    /// What an Identity Center role's credentials are bound to: the portal (start URL and region)
    /// and the person's access token, a secret: another person's entry, or another portal's, is
    /// never taken for theirs. A refreshed token misses once, and the portal is asked again.
    /// </summary>
    public static string ForIdentityCenterRole(string startUrl, string region, string accessToken) =>
        Digest(s_identityCenterLabel, new[] { startUrl, region, accessToken });

    private static string OfCredentialsUncached(ImmutableCredentials credentials) =>
        Digest(s_credentialsLabel, new[] { credentials.AccessKey, credentials.SecretKey, credentials.UseToken ? credentials.Token : null });

    // Each field length-prefixed, null told apart from empty: no two lists of fields read the same.
    private static string Digest(byte[] label, IEnumerable<string?> fields)
    {
        using var message = new MemoryStream();
        foreach (var field in fields)
        {
            var bytes = field is null ? null : Encoding.UTF8.GetBytes(field);
            var length = bytes?.Length ?? -1;
            message.WriteByte((byte)(length >> 24));
            message.WriteByte((byte)(length >> 16));
            message.WriteByte((byte)(length >> 8));
            message.WriteByte((byte)length);
            if (bytes is not null)
            {
                message.Write(bytes, 0, bytes.Length);
            }
        }

        var hash = Sha256Digest.Hmac(label, message.ToArray());
        return BitConverter.ToString(hash).Replace("-", string.Empty).ToLowerInvariant();
    }

    // One per credentials object that signs: its digest, and the bindings of the hops it signed.
    private sealed class Signer
    {
        public Signer(string digest) => Digest = digest;

        public string Digest { get; }

        public ConcurrentDictionary<string, string> Hops { get; } = new(StringComparer.Ordinal);
    }
}
