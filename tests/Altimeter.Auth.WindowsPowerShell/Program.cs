// PowerShell 7 for Windows, hosted, for tests under Wine (whose redirected processes have no
// Windows console for PowerShell's own console host). Takes the command lines the tests give pwsh:
//   <script.ps1> [arguments]  |  [-NoProfile] [-NonInteractive] [-OutputFormat Text]
//   (-File <script.ps1> [arguments] | -Command <text...> | -EncodedCommand <base64 UTF-16>)
// Runs it in a runspace with PowerShell's default commands, prints output as pwsh formats it,
// warnings and errors; exit code 0 when it ran without errors, 1 otherwise, 64 for a bad command line.
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using Altimeter.Auth.WindowsPowerShell;

if (!PwshCommandLine.TryParse(args, out var commandLine, out var problem))
{
    Console.Error.WriteLine(problem);
    return 64;
}

var session = InitialSessionState.CreateDefault2();
session.ExecutionPolicy = Microsoft.PowerShell.ExecutionPolicy.Bypass;
using var shell = PowerShell.Create(session);
if (commandLine.ScriptFile is not null)
{
    shell.AddCommand(Path.GetFullPath(commandLine.ScriptFile));
    foreach (var argument in commandLine.Arguments)
    {
        shell.AddArgument(argument);
    }
}
else
{
    shell.AddScript(commandLine.ScriptText!);
}

shell.AddCommand("Out-String").AddParameter("Stream");
var output = new PSDataCollection<PSObject>();
output.DataAdded += (_, e) => Console.WriteLine(output[e.Index]);
shell.Streams.Warning.DataAdded += (_, e) => Console.WriteLine("WARNING: " + shell.Streams.Warning[e.Index]);
shell.Streams.Error.DataAdded += (_, e) => Console.Error.WriteLine("ERROR: " + shell.Streams.Error[e.Index]);
try
{
    shell.Invoke(null, output);
}
catch (RuntimeException e)
{
    Console.Error.WriteLine("ERROR: " + e.Message);
    return 1;
}

return shell.HadErrors ? 1 : 0;
