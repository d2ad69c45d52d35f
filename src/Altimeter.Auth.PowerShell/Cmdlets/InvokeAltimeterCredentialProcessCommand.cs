using System;
using System.Collections.ObjectModel;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using Altimeter.Auth;

namespace Altimeter.Auth.Commands;

[Cmdlet(VerbsLifecycle.Invoke, "AltimeterCredentialProcess")]
[OutputType(typeof(string))]
public sealed class InvokeAltimeterCredentialProcessCommand : PSCmdlet, IDisposable
{
    private PowerShell? _nested;

    [Parameter(Mandatory = true, Position = 0)]
    [Alias("Id", "Account")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(CachedAccountIdCompleter))]
    public string AccountId { get; set; } = string.Empty;

    [Parameter(Position = 1)]
    [Alias("FullName", "FilePath")]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ProfileNameCompleter))]
    public string? ProfileName { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(RegionCompleter))]
    public string? Region { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SharedCachePath { get; set; }

    [Parameter]
    public SwitchParameter NoCache { get; set; }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        _nested = PowerShell.Create(RunspaceMode.CurrentRunspace);

        _nested.AddCommand(OwnCommand("New-AltimeterAccessor"));
        AddIfGiven(nameof(Path), Path);
        AddIfGiven(nameof(SharedCachePath), SharedCachePath);
        if (NoCache.IsPresent) _nested.AddParameter(nameof(NoCache));
        var accessor = Run().Select(o => o.BaseObject).OfType<Accessor>().Single();

        _nested.AddCommand(OwnCommand("Get-AltimeterSession")).AddParameter(nameof(AccountId), new[] { AccountId }).AddParameter("Accessor", accessor);
        AddIfGiven(nameof(ProfileName), ProfileName);
        AddIfGiven(nameof(Region), Region);
        var session = Run().Select(o => o.BaseObject).OfType<AltimeterSession>().SingleOrDefault();
        if (session is null)
        {
            ThrowTerminatingError(new ErrorRecord(new InvalidOperationException($"Get-AltimeterSession returned no session for {AccountId}."), "NoSession", ErrorCategory.AuthenticationError, AccountId));
            return;
        }

        WriteObject(CredentialExport.CredentialProcessJson(session));
    }

    /// <inheritdoc />
    protected override void StopProcessing() => _nested?.BeginStop(null, null);

    /// <summary>Lets go of the nested pipeline.</summary>
    public void Dispose() => _nested?.Dispose();

    // Qualified with this module's name, so that a function of the same name (a profile's) cannot
    // stand in. By name, not by CmdletInfo: a command added from a CmdletInfo ignores the merging
    // of its streams that Run asks for.
    private string OwnCommand(string name) =>
        string.IsNullOrEmpty(MyInvocation.MyCommand.ModuleName) ? name : MyInvocation.MyCommand.ModuleName + "\\" + name;

    private void AddIfGiven(string name, string? value)
    {
        if (value is not null)
        {
            _nested!.AddParameter(name, value);
        }
    }

    // One command of the nested pipeline. Its warnings, verbose and host messages are merged into
    // its output, which keeps them from the console host (that would print them on standard
    // output, where the credential_process caller parses JSON), and go to standard error as they
    // come (before an MFA prompt, say); engine messages carry no secrets. Its first error,
    // terminating or not, stops this command with that command's own error record and id.
    private Collection<PSObject> Run()
    {
        var nested = _nested!;
        if (MyInvocation.BoundParameters.TryGetValue("Verbose", out var verbose))
        {
            nested.AddParameter("Verbose", verbose);
        }

        var command = nested.Commands.Commands[0];
        command.MergeMyResults(PipelineResultTypes.Warning, PipelineResultTypes.Output);
        command.MergeMyResults(PipelineResultTypes.Verbose, PipelineResultTypes.Output);
        command.MergeMyResults(PipelineResultTypes.Information, PipelineResultTypes.Output);
        var results = new Collection<PSObject>();
        using var output = new PSDataCollection<PSObject>();
        output.DataAdded += (_, e) =>
        {
            var item = output[e.Index];
            switch (item?.BaseObject)
            {
                case WarningRecord warning: Console.Error.WriteLine("WARNING: " + warning.Message); break;
                case VerboseRecord message: Console.Error.WriteLine("VERBOSE: " + message.Message); break;
                case InformationRecord information: Console.Error.WriteLine(information.MessageData); break;
                default: results.Add(item!); break;
            }
        };

        try
        {
            nested.Invoke<PSObject, PSObject>(null, output, null);
        }
        catch (PipelineStoppedException)
        {
            throw;
        }
        catch (RuntimeException e)
        {
            ThrowTerminatingError(e.ErrorRecord);
        }

        if (nested.Streams.Error.Count > 0)
        {
            ThrowTerminatingError(nested.Streams.Error[0]);
        }

        nested.Commands.Clear();
        return results;
    }
}
