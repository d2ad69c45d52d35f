using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace Altimeter.Auth;

/// <summary>
/// One export of profiles into an AWS config file: each account becomes a profile named from a
/// template (<c>{AccountId}</c>, <c>{AccountName}</c>) whose <c>credential_process</c> gets the
/// account's credentials through the accessor file, by the native program when the module ships one
/// for this platform, else by pwsh. Planned account by account, then written in one replacement of
/// the file (<see cref="ManagedProfileFile"/>).
/// </summary>
internal sealed class ProfileExport
{
    /// <summary>The template used when none is given.</summary>
    internal const string DefaultNameTemplate = "altimeter-{AccountId}";

    // An account name becomes part of a profile name: what a profile name cannot hold becomes '-'.
    private static readonly Regex s_notInProfileName = new(@"[^A-Za-z0-9_.@+=,:/-]+", RegexOptions.CultureInvariant);

    private static readonly object s_fileTurn = new();

    private readonly string _accessorPath;
    private readonly string? _region;
    private readonly string? _nativeProgram;
    private readonly IReadOnlyList<string> _pwsh;
    private readonly string _manifestPath;
    private readonly Dictionary<string, string> _accountOfName = new(StringComparer.Ordinal);

    /// <param name="configFile">The AWS config file (full path).</param>
    /// <param name="accessorPath">The accessor file the profiles use (full path).</param>
    /// <param name="region">The profiles' region, or null.</param>
    /// <param name="nativeProgram">The native credential_process program, or null to use pwsh.</param>
    /// <param name="pwsh">How to start pwsh (the program and any arguments before pwsh's own).</param>
    /// <param name="manifestPath">The module's manifest, imported by the pwsh line.</param>
    internal ProfileExport(string configFile, string accessorPath, string? region, string? nativeProgram, IReadOnlyList<string> pwsh, string manifestPath)
    {
        ConfigFile = configFile;
        _accessorPath = accessorPath;
        _region = region;
        _nativeProgram = nativeProgram;
        _pwsh = pwsh;
        _manifestPath = manifestPath;
    }

    /// <summary>The AWS config file written.</summary>
    internal string ConfigFile { get; }

    /// <summary>The profile for one account, not yet written.</summary>
    /// <exception cref="InvalidAccountIdException">Not a 12-digit account id.</exception>
    /// <exception cref="ProfileExportException">The template gives no valid name, or a name this export gave another account (<see cref="ProfileExportException.NameInvalid"/>).</exception>
    internal ExportedProfile Plan(string accountId, string? accountName, string nameTemplate)
    {
        IamIdentifiers.RequireAccountId(accountId);
        if (string.IsNullOrWhiteSpace(accountName))
        {
            accountName = null;
        }

        if (accountName is null && nameTemplate.IndexOf("{AccountName}", StringComparison.Ordinal) >= 0)
        {
            throw new ProfileExportException(ProfileExportException.NameInvalid, $"The profile name '{nameTemplate}' uses {{AccountName}}, and account {accountId} came without a name (an AccountName or Name property).");
        }

        var name = nameTemplate
            .Replace("{AccountId}", accountId)
            .Replace("{AccountName}", accountName is null ? string.Empty : s_notInProfileName.Replace(accountName, "-").Trim('-'));
        if (!ManagedProfileFile.IsProfileName(name))
        {
            throw new ProfileExportException(ProfileExportException.NameInvalid, $"The profile name '{name}' (from '{nameTemplate}') is not one the AWS CLI reads back: use 1 to 128 of A-Z a-z 0-9 and _ . @ + = , : / -, with {{AccountId}} and {{AccountName}} as placeholders.");
        }

        if (_accountOfName.TryGetValue(name, out var other) && other != accountId)
        {
            throw new ProfileExportException(ProfileExportException.NameInvalid, $"The profile name '{name}' was already given to account {other} in this export: put {{AccountId}} in -ProfileName.");
        }

        _accountOfName[name] = accountId;
        var line = _nativeProgram is null
            ? CredentialProcessCommandLine.ForPowerShell(_pwsh, _manifestPath, accountId, _accessorPath, _region)
            : CredentialProcessCommandLine.ForNativeProgram(_nativeProgram, accountId, _accessorPath, _region);
        return new ExportedProfile(name, accountId, accountName, _region, ConfigFile, line);
    }

    /// <summary>
    /// Writes <paramref name="profiles"/> into the config file in one replacement and returns those
    /// written; a profile that may not be written goes to <paramref name="refused"/> and the others
    /// are still written. Nothing is written when nothing changes.
    /// </summary>
    /// <exception cref="ProfileExportException">The config file cannot be read or replaced (<see cref="ProfileExportException.ConfigFileUnusable"/>); it is as it was.</exception>
    internal IReadOnlyList<ExportedProfile> Write(IEnumerable<ExportedProfile> profiles, Action<ExportedProfile, ProfileExportException> refused)
    {
        if (profiles is null) throw new ArgumentNullException(nameof(profiles));
        if (refused is null) throw new ArgumentNullException(nameof(refused));
        var written = new List<ExportedProfile>();
        var refusals = new List<(ExportedProfile Profile, ProfileExportException Error)>();

        // From reading the file to replacing it, one export of this process at a time: another
        // runspace's export in between would be overwritten by the copy read before it.
        lock (s_fileTurn)
        {
            var file = ManagedProfileFile.Read(ConfigFile);
            foreach (var profile in profiles)
            {
                try
                {
                    file.SetProfile(profile.ProfileName, Settings(profile));
                    written.Add(profile);
                }
                catch (ProfileExportException e)
                {
                    refusals.Add((profile, e));
                }
            }

            if (file.Changed)
            {
                file.Save();
            }
        }

        foreach (var refusal in refusals)
        {
            refused(refusal.Profile, refusal.Error);
        }

        return written;
    }

    private static List<KeyValuePair<string, string>> Settings(ExportedProfile profile)
    {
        var settings = new List<KeyValuePair<string, string>> { new("credential_process", profile.CredentialProcess) };
        if (profile.Region is not null)
        {
            settings.Add(new KeyValuePair<string, string>("region", profile.Region));
        }

        return settings;
    }
}
