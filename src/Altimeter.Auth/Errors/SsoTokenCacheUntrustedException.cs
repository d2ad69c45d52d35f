using System;

namespace Altimeter.Auth;

/// <summary>
/// The IAM Identity Center token cache (~/.aws/sso/cache) could hold a token someone else put
/// there: the token file, or a directory on the way to it from the home directory, belongs to
/// another user or may be written by others. No token is read from it and nothing is sent to the
/// portal. <see cref="Path"/> names what to fix; the message says how.
/// </summary>
public sealed class SsoTokenCacheUntrustedException : NoSourceCredentialsException
{
    /// <summary>The stable id, shared with <see cref="SsoSignInException.CacheUntrusted"/> (the same problem met by Invoke-AltimeterSsoLogin).</summary>
    public const string Id = "SsoTokenCacheUntrusted";

    /// <summary>Creates the error.</summary>
    /// <param name="path">The file or directory that someone else could have written.</param>
    /// <param name="reason">Why, in a few words ("can be written by other users (mode 0777)").</param>
    public SsoTokenCacheUntrustedException(string path, string reason)
        : base(MessageFor(path, reason))
    {
        Path = path;
    }

    /// <summary>The file or directory that someone else could have written.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public override string ErrorId => Id;

    internal static string MessageFor(string path, string reason) =>
        $"The IAM Identity Center token cache is not used: '{path}' {reason}, so another user could have put a token there. "
        + $"The token file and every directory from it up to your home directory must belong to you (or root) and be writable only by you: "
        + $"check what is in it, then fix it (chown, chmod go-w '{path}') and sign in again (Invoke-AltimeterSsoLogin, or aws sso login).";
}
