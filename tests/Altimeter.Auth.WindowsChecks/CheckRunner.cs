namespace Altimeter.Auth.WindowsChecks;

/// <summary>Runs named checks, prints PASS or FAIL for each and closes with "N passed, N failed".</summary>
internal sealed class CheckRunner
{
    private int _passed;
    private int _failed;

    public void Run(string name, Action check)
    {
        try
        {
            check();
            _passed++;
            Console.WriteLine($"PASS {name}");
        }
        catch (Exception e)
        {
            Fail(name, e is CheckFailedException ? e.Message : e.ToString());
        }
    }

    public void Fail(string name, string why)
    {
        _failed++;
        Console.WriteLine($"FAIL {name}: {why}");
    }

    /// <summary>Prints the closing line; the exit code is 1 when anything failed or nothing ran.</summary>
    public int Finish()
    {
        Console.WriteLine($"{_passed} passed, {_failed} failed");
        return _failed > 0 || _passed == 0 ? 1 : 0;
    }
}
