// Runs the script file given as the first argument (the others are its arguments) in a runspace
// with PowerShell's default commands, printing output, warnings and errors as they come.
// Exit code: 0 when the script ran without errors, 1 otherwise.
using System.Management.Automation;
using System.Management.Automation.Runspaces;

if (args.Length == 0)
{
    Console.Error.WriteLine("usage: Altimeter.Auth.WindowsPowerShell <script.ps1> [arguments]");
    return 2;
}

var session = InitialSessionState.CreateDefault2();
session.ExecutionPolicy = Microsoft.PowerShell.ExecutionPolicy.Bypass;
using var shell = PowerShell.Create(session);
shell.AddCommand(Path.GetFullPath(args[0]));
foreach (var argument in args.Skip(1))
{
    shell.AddArgument(argument);
}

var output = new PSDataCollection<PSObject>();
output.DataAdded += (_, e) => Console.WriteLine(output[e.Index]);
shell.Streams.Warning.DataAdded += (_, e) => Console.WriteLine("WARNING: " + shell.Streams.Warning[e.Index]);
shell.Streams.Error.DataAdded += (_, e) => Console.WriteLine("ERROR: " + shell.Streams.Error[e.Index]);
try
{
    shell.Invoke(null, output);
}
catch (RuntimeException e)
{
    Console.WriteLine("ERROR: " + e.Message);
    return 1;
}

return shell.HadErrors ? 1 : 0;
