using System.Runtime.CompilerServices;

namespace Altimeter.Auth;

/// <summary>
/// Comparisons whose time does not depend on where two secrets differ, so that a caller who can
/// time the answers cannot guess a token one byte after another. (.NET's
/// CryptographicOperations.FixedTimeEquals is not in netstandard2.0.)
/// </summary>
internal static class ConstantTime
{
    /// <summary>
    /// True when <paramref name="left"/> and <paramref name="right"/> hold the same bytes. Every
    /// byte is looked at whatever the result; only the lengths, which are not secret, end it early.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.NoOptimization)]
    public static bool AreEqual(byte[] left, byte[] right)
    {
        if (left.Length != right.Length)
        {
            return false;
        }

        var difference = 0;
        for (var i = 0; i < left.Length; i++)
        {
            difference |= left[i] ^ right[i];
        }

        return difference == 0;
    }
}
