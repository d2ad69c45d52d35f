using System;
using System.Linq;
using System.Management.Automation;
using Amazon.Runtime;

namespace Altimeter.Auth.Commands;

/// <summary>
/// What AWS Tools for PowerShell holds for the shell, asked through its own commands:
/// Get-AWSCredential (no parameters) for what Set-AWSCredential stored, Get-DefaultAWSRegion for
/// what Set-DefaultAWSRegion stored. The variables behind them ($StoredAWSCredentials,
/// $StoredAWSRegion) are only looked at to skip the asking when nothing is stored: their contents
/// are AWS Tools' own (the credentials inside $StoredAWSCredentials are an internal member).
/// </summary>
/// <remarks>
/// The commands run in the caller's session state, so they see what the caller sees: AWS Tools'
/// cmdlets have no module session state and store into the scope they were called from (a
/// function's own scope, unless -Scope says otherwise).
/// </remarks>
internal static class AwsToolsShell
{
    // AWS Tools' modules that hold these cmdlets: the modular AWS.Tools.Common and the two single-module editions.
    private const string ImportedAwsTools = "Microsoft.PowerShell.Core\\Get-Module -Name AWS.Tools.Common, AWSPowerShell.NetCore, AWSPowerShell";

    // AWS Tools' names for shell credentials that come from no profile (CredentialsArguments.cs);
    // any other name is the profile's.
    private static readonly string[] NotProfiles = { "Credentials Object", "Supplied Key Parameters" };

    /// <summary>
    /// The AWSCredentials Set-AWSCredential stored for the caller, as Get-AWSCredential returns
    /// them, or null. <paramref name="description"/> gets AWS Tools' name for them (its public
    /// ToString: the profile's name, "Credentials Object", "Supplied Key Parameters");
    /// <paramref name="profileName"/> the profile they were read from, if any.
    /// </summary>
    public static AWSCredentials? StoredCredentials(SessionState sessionState, out string? description, out string? profileName)
    {
        description = profileName = null;
        var stored = sessionState.PSVariable.GetValue("StoredAWSCredentials");
        if (stored is null || Run(sessionState, "Get-AWSCredential") is not AWSCredentials credentials)
        {
            return null;
        }
        description = stored.ToString();
        profileName = NotProfiles.Contains(description, StringComparer.Ordinal) ? null : description;
        return credentials;
    }

    /// <summary>The region Set-DefaultAWSRegion stored for the caller, as Get-DefaultAWSRegion returns it, or null.</summary>
    public static string? StoredRegion(SessionState sessionState)
    {
        if (sessionState.PSVariable.GetValue("StoredAWSRegion") is null)
        {
            return null;
        }
        // An AWSRegion, whose public Region property is the system name (ToString gives the same).
        var region = Run(sessionState, "Get-DefaultAWSRegion");
        var name = region is null ? null : PSObject.AsPSObject(region).Properties["Region"]?.Value as string;
        return string.IsNullOrWhiteSpace(name) ? null : name;
    }

    /// <summary>The AWS Tools module imported in <paramref name="sessionState"/> that exports <paramref name="cmdletName"/>, or null.</summary>
    public static PSModuleInfo? ImportedModule(SessionState sessionState, string cmdletName) =>
        sessionState.InvokeCommand
            .InvokeScript(sessionState, ScriptBlock.Create(ImportedAwsTools))
            .Select(found => found?.BaseObject as PSModuleInfo)
            .FirstOrDefault(found => found is not null && found.ExportedCmdlets.ContainsKey(cmdletName));

    // The first object an AWS Tools cmdlet writes, run module-qualified in the caller's scope; null
    // when AWS Tools is not imported. Only imported modules are looked at: a lookup by command name
    // would import an installed AWS Tools (and its AWSSDK.Core beside ours) just to ask. The script
    // texts take no parameters: they run dot-sourced, and would leave them as the caller's variables.
    private static object? Run(SessionState sessionState, string cmdletName)
    {
        var module = ImportedModule(sessionState, cmdletName);
        if (module is null)
        {
            return null;
        }
        var output = sessionState.InvokeCommand.InvokeScript(sessionState, ScriptBlock.Create($"{module.Name}\\{cmdletName}"));
        return output.Count > 0 ? output[0]?.BaseObject : null;
    }
}
