namespace Altimeter.Auth;

/// <summary>A profile Export-AltimeterProfile wrote (or would write) to an AWS config file. No secrets: the line only says how to get them.</summary>
public sealed class ExportedProfile
{
    internal ExportedProfile(string profileName, string accountId, string? accountName, string? region, string configFile, string credentialProcess)
    {
        ProfileName = profileName;
        AccountId = accountId;
        AccountName = accountName;
        Region = region;
        ConfigFile = configFile;
        CredentialProcess = credentialProcess;
    }

    /// <summary>The profile's name, as given to <c>--profile</c> or <c>AWS_PROFILE</c>.</summary>
    public string ProfileName { get; }

    /// <summary>The account the profile reaches.</summary>
    public string AccountId { get; }

    /// <summary>The account's name, when the input carried one.</summary>
    public string? AccountName { get; }

    /// <summary>The profile's region, if one was given.</summary>
    public string? Region { get; }

    /// <summary>The full path of the AWS config file.</summary>
    public string ConfigFile { get; }

    /// <summary>The profile's credential_process line.</summary>
    public string CredentialProcess { get; }

    /// <inheritdoc />
    public override string ToString() => ProfileName;
}
