namespace Altimeter.Auth;

/// <summary>Which of a child's output streams a line came from.</summary>
internal enum ProgramStream
{
    /// <summary>Standard output.</summary>
    Output,

    /// <summary>Standard error.</summary>
    Error,
}

/// <summary>One line a program run for a session wrote, with the account and region it ran as.</summary>
internal sealed class ProgramOutput
{
    public ProgramOutput(string line, ProgramStream stream, string accountId, string region)
    {
        Line = line;
        Stream = stream;
        AccountId = accountId;
        Region = region;
    }

    /// <summary>The line, without its line break.</summary>
    public string Line { get; }

    public ProgramStream Stream { get; }

    public string AccountId { get; }

    public string Region { get; }
}
