using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Management.Automation;
using System.Runtime.InteropServices;
using Altimeter.Auth;

namespace Altimeter.Auth.Commands;

[Cmdlet(VerbsData.Export, "AltimeterProfile", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ExportedProfile))]
public sealed class ExportAltimeterProfileCommand : PSCmdlet
{
    private const string NativeProgram = "Native";
    private const string PowerShellProgram = "PowerShell";

    private readonly List<ExportedProfile> _planned = new();
    private ProfileExport? _export;

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id", "Account")]
    [ValidateNotNullOrEmpty]
    public string[] AccountId { get; set; } = Array.Empty<string>();

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    public string? AccountName { get; set; }

    [Parameter(Mandatory = true, Position = 1)]
    [Alias("FullName", "FilePath")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string ProfileName { get; set; } = ProfileExport.DefaultNameTemplate;

    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(RegionCompleter))]
    public string? Region { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConfigFile { get; set; }

    [Parameter]
    [ValidateSet(NativeProgram, PowerShellProgram)]
    public string? Program { get; set; }

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        if (Region is not null && !AwsRegion.IsWellFormed(Region))
        {
            ThrowTerminatingError(ErrorRecordFactory.From(new InvalidRegionException(Region, "-Region"), Region));
        }

        var accessorPath = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        if (!File.Exists(accessorPath))
        {
            ThrowTerminatingError(ErrorRecordFactory.From(
                new AccessorDefinitionException(AccessorDefinitionException.Unreadable, $"The accessor file '{accessorPath}' is not there: the profiles would name a file that does not exist."), Path));
        }

        var configFile = ConfigFile is null ? AwsConfigFile.ConfigPath : SessionState.Path.GetUnresolvedProviderPathFromPSPath(ConfigFile);
        var moduleBase = MyInvocation.MyCommand.Module?.ModuleBase ?? System.IO.Path.GetDirectoryName(typeof(ExportAltimeterProfileCommand).Assembly.Location)!;
        var native = Program == PowerShellProgram ? null : CredentialProcessCommandLine.NativeProgram(moduleBase) ?? MadeRunnable(moduleBase);

        if (native is null && Program == NativeProgram)
        {
            ThrowTerminatingError(ErrorRecordFactory.InvalidArgument(
                "NativeProgramUnavailable", $"This module has no native {CredentialProcessCommandLine.NativeProgramName} for this platform (only linux-x64 is built): leave out -Program, or use -Program PowerShell.", Program));
        }

        _export = new ProfileExport(
            System.IO.Path.GetFullPath(configFile),
            accessorPath,
            Region,
            native,
            PwshCommandLine(),
            System.IO.Path.Combine(moduleBase, "Altimeter.Auth.psd1"));
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        foreach (var accountId in AccountId)
        {
            try
            {
                _planned.Add(_export!.Plan(accountId, AccountName, ProfileName));
            }
            catch (AltimeterAuthException e)
            {
                WriteError(ErrorRecordFactory.From(e, accountId));
            }
        }
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        var approved = _planned.FindAll(p => ShouldProcess($"profile '{p.ProfileName}' (account {p.AccountId}) in {_export!.ConfigFile}", "Write"));
        if (approved.Count == 0)
        {
            return;
        }

        try
        {
            var written = _export!.Write(approved, (profile, error) => WriteError(ErrorRecordFactory.From(error, profile.AccountId)));
            WriteObject(written, enumerateCollection: true);
        }
        catch (ProfileExportException e)
        {
            ThrowTerminatingError(ErrorRecordFactory.From(e, _export!.ConfigFile));
        }
    }

    // The shipped native program that an installed package left without its execute bit, made
    // runnable by its owner when it can be trusted (a state change: -WhatIf and -Confirm decide); else
    // null and a warning, and the profiles run pwsh.
    private string? MadeRunnable(string moduleBase)
    {
        var shipped = CredentialProcessCommandLine.NativeProgramPath(moduleBase);
        if (shipped is null || !File.Exists(shipped)
            || !ShouldProcess(shipped, "Make the native credential_process executable by its owner (u+x): an installed package keeps no file modes"))
        {
            return null;
        }

        if (CredentialProcessCommandLine.TryMakeRunnable(shipped, moduleBase, out var why))
        {
            WriteVerbose($"{shipped} was not executable (an installed package keeps no file modes): made executable by its owner (u+x).");
            return shipped;
        }

        WriteWarning($"{shipped} is not executable and was left so: {why}. The profiles run pwsh instead. To use the native program: chmod u+x '{shipped}', then export again.");
        return null;
    }

    // pwsh as this process was started, by full path: a tool's pwsh (dotnet pwsh) is dotnet running pwsh.dll.
    private string[] PwshCommandLine()
    {
        using var current = Process.GetCurrentProcess();
        var process = current.MainModule?.FileName ?? "pwsh";
        var home = (string)SessionState.PSVariable.GetValue("PSHOME");
        if (string.Equals(System.IO.Path.GetFileNameWithoutExtension(process), "dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return new[] { process, System.IO.Path.Combine(home, "pwsh.dll") };
        }

        var pwsh = System.IO.Path.Combine(home, RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "pwsh.exe" : "pwsh");
        return new[] { File.Exists(pwsh) ? pwsh : process };
    }
}
