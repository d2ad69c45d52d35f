namespace Altimeter.Auth;

/// <summary>
/// Where a person is asked for a secret line (an MFA code): shown a prompt, typed without echo.
/// A reader that cannot ask (a host without a prompt, a terminal gone) throws <see cref="System.IO.IOException"/>.
/// </summary>
internal interface IHiddenLineReader
{
    /// <summary>Shows <paramref name="text"/> to the person.</summary>
    void Write(string text);

    /// <summary>A line the person typed, not shown as typed; null when there is none (end of input).</summary>
    string? ReadHiddenLine();
}
