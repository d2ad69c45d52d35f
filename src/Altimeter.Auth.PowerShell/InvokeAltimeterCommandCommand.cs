using System;
using System.Collections.Generic;
using System.Management.Automation;
using Altimeter.Auth;

namespace Altimeter.Auth.Commands;

/// <summary>
/// <para type="synopsis">Runs a script block with a session's AWS_* environment variables, set only while it runs.</para>
/// <para type="description">Native programs started inside the script block (aws, terraform) see the session's keys; the variables as they were are put back afterwards, even when the script block fails.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "AltimeterCommand")]
public sealed class InvokeAltimeterCommandCommand : PSCmdlet
{
    /// <summary>The session (from Get-AltimeterSession).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public AltimeterSession Session { get; set; } = null!;

    /// <summary>What to run.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public ScriptBlock ScriptBlock { get; set; } = null!;

    /// <summary>Arguments passed to the script block.</summary>
    [Parameter(ValueFromRemainingArguments = true)]
    public object[] ArgumentList { get; set; } = Array.Empty<object>();

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        var saved = new Dictionary<string, string?>(StringComparer.Ordinal);
        var variables = CredentialExport.EnvironmentOf(Session);
        foreach (var variable in variables)
        {
            saved[variable.Key] = Environment.GetEnvironmentVariable(variable.Key);
            Environment.SetEnvironmentVariable(variable.Key, variable.Value);
        }

        try
        {
            foreach (var result in ScriptBlock.Invoke(ArgumentList))
            {
                WriteObject(result);
            }
        }
        catch (RuntimeException e)
        {
            WriteError(e.ErrorRecord);
        }
        finally
        {
            foreach (var variable in saved)
            {
                Environment.SetEnvironmentVariable(variable.Key, variable.Value);
            }
        }
    }
}
