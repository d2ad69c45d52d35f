namespace Altimeter.Auth.Tests.Doubles;

/// <summary>Figures a test wants the test run to print (build.ps1 names the file in ALTIMETER_TEST_FIGURES and prints it at the end).</summary>
internal static class TestFigures
{
    private static readonly object s_lock = new();

    public static void Report(string line)
    {
        var path = Environment.GetEnvironmentVariable("ALTIMETER_TEST_FIGURES");
        if (string.IsNullOrEmpty(path))
        {
            return;
        }

        lock (s_lock)
        {
            File.AppendAllText(path, line + Environment.NewLine);
        }
    }
}
