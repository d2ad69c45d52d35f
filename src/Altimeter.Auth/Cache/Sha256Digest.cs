using System;

namespace Altimeter.Auth;

/// <summary>
/// SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104) in managed code, for the shared cache's file
/// names and bindings. The platform's implementation on Linux is OpenSSL, which the native
/// credential_process would otherwise load and initialise on every warm call (a few milliseconds of
/// a ~40 ms call) only to hash a few hundred bytes. Checked against System.Security.Cryptography on
/// random inputs of every length around the block boundaries (xunit Sha256DigestTests).
/// </summary>
internal static class Sha256Digest
{
    private const int BlockSize = 64;

    private static readonly uint[] s_k =
    {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    };

    /// <summary>The SHA-256 digest of <paramref name="data"/> (32 bytes).</summary>
    public static byte[] Hash(byte[] data)
    {
        if (data is null) throw new ArgumentNullException(nameof(data));
        return Hash(data, Array.Empty<byte>());
    }

    /// <summary>HMAC-SHA256 of <paramref name="message"/> under <paramref name="key"/> (32 bytes).</summary>
    public static byte[] Hmac(byte[] key, byte[] message)
    {
        if (key is null) throw new ArgumentNullException(nameof(key));
        if (message is null) throw new ArgumentNullException(nameof(message));
        var block = new byte[BlockSize];
        var keyBytes = key.Length > BlockSize ? Hash(key) : key;
        Buffer.BlockCopy(keyBytes, 0, block, 0, keyBytes.Length);
        var inner = new byte[BlockSize];
        var outer = new byte[BlockSize];
        for (var i = 0; i < BlockSize; i++)
        {
            inner[i] = (byte)(block[i] ^ 0x36);
            outer[i] = (byte)(block[i] ^ 0x5c);
        }

        return Hash(outer, Hash(inner, message));
    }

    // The digest of first followed by second, without copying them into one array.
    private static byte[] Hash(byte[] first, byte[] second)
    {
        uint[] h = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
        var w = new uint[64];
        var total = (long)first.Length + second.Length;
        var paddedLength = ((total + 8) / BlockSize + 1) * BlockSize;
        var block = new byte[BlockSize];
        for (long offset = 0; offset < paddedLength; offset += BlockSize)
        {
            for (var i = 0; i < BlockSize; i++)
            {
                block[i] = ByteAt(first, second, total, paddedLength, offset + i);
            }

            Compress(h, w, block);
        }

        var digest = new byte[32];
        for (var i = 0; i < 8; i++)
        {
            digest[4 * i] = (byte)(h[i] >> 24);
            digest[(4 * i) + 1] = (byte)(h[i] >> 16);
            digest[(4 * i) + 2] = (byte)(h[i] >> 8);
            digest[(4 * i) + 3] = (byte)h[i];
        }

        return digest;
    }

    // Byte number index of the padded message: the data, 0x80, zeros, the length in bits (big-endian).
    private static byte ByteAt(byte[] first, byte[] second, long total, long paddedLength, long index)
    {
        if (index < first.Length)
        {
            return first[index];
        }

        if (index < total)
        {
            return second[index - first.Length];
        }

        if (index == total)
        {
            return 0x80;
        }

        var fromEnd = paddedLength - 1 - index;
        return fromEnd < 8 ? (byte)((ulong)(total * 8) >> (int)(8 * fromEnd)) : (byte)0;
    }

    private static void Compress(uint[] h, uint[] w, byte[] block)
    {
        for (var t = 0; t < 16; t++)
        {
            w[t] = ((uint)block[4 * t] << 24) | ((uint)block[(4 * t) + 1] << 16) | ((uint)block[(4 * t) + 2] << 8) | block[(4 * t) + 3];
        }

        for (var t = 16; t < 64; t++)
        {
            var s0 = Rotate(w[t - 15], 7) ^ Rotate(w[t - 15], 18) ^ (w[t - 15] >> 3);
            var s1 = Rotate(w[t - 2], 17) ^ Rotate(w[t - 2], 19) ^ (w[t - 2] >> 10);
            w[t] = unchecked(w[t - 16] + s0 + w[t - 7] + s1);
        }

        uint a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
        for (var t = 0; t < 64; t++)
        {
            var sum1 = Rotate(e, 6) ^ Rotate(e, 11) ^ Rotate(e, 25);
            var choose = (e & f) ^ (~e & g);
            var temp1 = unchecked(k + sum1 + choose + s_k[t] + w[t]);
            var sum0 = Rotate(a, 2) ^ Rotate(a, 13) ^ Rotate(a, 22);
            var majority = (a & b) ^ (a & c) ^ (b & c);
            var temp2 = unchecked(sum0 + majority);
            k = g;
            g = f;
            f = e;
            e = unchecked(d + temp1);
            d = c;
            c = b;
            b = a;
            a = unchecked(temp1 + temp2);
        }

        unchecked
        {
            h[0] += a;
            h[1] += b;
            h[2] += c;
            h[3] += d;
            h[4] += e;
            h[5] += f;
            h[6] += g;
            h[7] += k;
        }
    }

    private static uint Rotate(uint value, int count) => (value >> count) | (value << (32 - count));
}
