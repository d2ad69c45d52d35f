using System.IO;
using Altimeter.Auth;
using Xunit;

namespace Altimeter.Auth.Tests;

/// <summary>
/// The engine's one MFA question, as the native credential_process uses it (CodeForAsync on the hop's
/// own thread). The module's prompt asks through the same class: its tries, digits and refusals are
/// tested there through a host (pester/Get-AltimeterSession/Get-AltimeterSession.Mfa.Tests.ps1).
/// </summary>
public sealed class MfaCodeQuestionTests
{
    private const string Serial = "arn:aws:iam::111111111111:mfa/person";

    [Fact]
    public async Task A_second_code_for_the_same_device_must_be_a_new_one()
    {
        var person = new Keyboard("123456", "123456", "654321");
        using var question = new MfaCodeQuestion(person);

        var first = await question.CodeForAsync(Serial, CancellationToken.None);
        var second = await question.CodeForAsync(Serial, CancellationToken.None);

        Assert.Equal("123456", first);
        Assert.Equal("654321", second);
        Assert.Contains("That code was just used", person.Shown, StringComparison.Ordinal);
        Assert.Contains($"Enter the next MFA code for {Serial}", person.Shown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reader_that_cannot_ask_gives_no_code_and_the_device_is_not_asked_again()
    {
        var person = new Keyboard { Fails = true };
        using var question = new MfaCodeQuestion(person);

        Assert.Null(await question.CodeForAsync(Serial, CancellationToken.None));
        Assert.Null(await question.CodeForAsync(Serial, CancellationToken.None));
        Assert.Equal(1, person.Reads);
    }

    [Fact]
    public void A_cancelled_command_is_not_asked()
    {
        var person = new Keyboard("123456");
        using var question = new MfaCodeQuestion(person);

        Assert.Null(question.Ask(Serial, new CancellationToken(canceled: true)));
        Assert.Equal(0, person.Reads);
    }

    private sealed class Keyboard : IHiddenLineReader
    {
        private readonly Queue<string> _lines;

        public Keyboard(params string[] lines) => _lines = new Queue<string>(lines);

        public bool Fails { get; init; }

        public int Reads { get; private set; }

        public string Shown { get; private set; } = string.Empty;

        public void Write(string text) => Shown += text;

        public string? ReadHiddenLine()
        {
            Reads++;
            if (Fails)
            {
                throw new IOException("the terminal is gone");
            }

            return _lines.Count > 0 ? _lines.Dequeue() : null;
        }
    }
}
