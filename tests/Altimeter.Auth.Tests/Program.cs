namespace Altimeter.Auth.Tests;

/// <summary>
/// The test assembly run as a program (<c>dotnet exec Altimeter.Auth.Tests.dll NAME ARGS</c>): the
/// second process of a test that must look at files from somewhere the test host cannot be, such as
/// a user namespace (<see cref="UnixTestFiles.RunWithForeignFileAt"/>). The test host loads the
/// assembly as a library and never calls this.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        switch (args)
        {
            case [nameof(SharedCredentialsStoreHostileFilesTests.LookUpPlantedEntry), var directory] when !OperatingSystem.IsWindows():
                Console.WriteLine(SharedCredentialsStoreHostileFilesTests.LookUpPlantedEntry(directory));
                return 0;
            default:
                Console.Error.WriteLine($"Unknown: {string.Join(' ', args)}");
                return 2;
        }
    }
}
