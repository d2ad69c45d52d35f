namespace Altimeter.Auth;

/// <summary>How credentials are allowed to appear in text: the last four characters of the access key id, nothing of the secrets.</summary>
internal static class SecretText
{
    /// <summary><c>****WXYZ</c> for an access key id; <c>****</c> when it is too short to show any of it.</summary>
    public static string MaskAccessKeyId(string? accessKeyId)
    {
        if (accessKeyId is null || accessKeyId.Length < 12)
        {
            return "****";
        }

        return "****" + accessKeyId.Substring(accessKeyId.Length - 4);
    }
}
