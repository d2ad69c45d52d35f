using Altimeter.Auth;
using Xunit;

namespace Altimeter.Auth.Tests;

/// <summary>Who may be asked for an MFA code or a sign-in: PromptPolicy, on plain facts about the host and the process.</summary>
public sealed class PromptPolicyTests
{
    private static PromptFacts Console(params string[] arguments) => Facts(arguments);

    private static PromptFacts Facts(string[] arguments, bool hasUi = true, bool consoleHost = true, bool userInteractive = true, bool inputRedirected = false, bool outputRedirected = false) =>
        new(hasUi, consoleHost, new[] { "/opt/microsoft/powershell/7/pwsh" }.Concat(arguments).ToArray(), userInteractive, inputRedirected, outputRedirected);

    [Fact]
    public void A_person_at_the_console_host_is_asked_through_the_host()
    {
        Assert.Equal(PersonToAsk.Host, PromptPolicy.WhoToAsk(Console("-NoProfile")));
    }

    [Fact]
    public void A_host_without_a_user_interface_asks_nobody()
    {
        Assert.Equal(PersonToAsk.Nobody, PromptPolicy.WhoToAsk(Facts(Array.Empty<string>(), hasUi: false)));
        Assert.Equal(PersonToAsk.Nobody, PromptPolicy.WhoToAsk(Facts(Array.Empty<string>(), hasUi: false, consoleHost: false)));
    }

    [Fact]
    public void Another_host_with_a_user_interface_answers_or_refuses_itself_whatever_the_command_line()
    {
        Assert.Equal(PersonToAsk.Host, PromptPolicy.WhoToAsk(Facts(new[] { "-NonInteractive" }, consoleHost: false, outputRedirected: true)));
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void A_console_whose_input_or_output_is_redirected_asks_at_the_controlling_terminal(bool inputRedirected, bool outputRedirected)
    {
        Assert.Equal(PersonToAsk.ControllingTerminal, PromptPolicy.WhoToAsk(Facts(new[] { "-NoProfile", "-File", "cred.ps1" }, inputRedirected: inputRedirected, outputRedirected: outputRedirected)));
    }

    [Fact]
    public void A_process_where_no_person_can_be_asks_the_controlling_terminal_which_it_has_only_at_a_terminal()
    {
        Assert.Equal(PersonToAsk.ControllingTerminal, PromptPolicy.WhoToAsk(Facts(Array.Empty<string>(), userInteractive: false)));
    }

    [Theory]
    [InlineData("-NonInteractive")]
    [InlineData("-noni")]
    [InlineData("-NONINTER")]
    [InlineData("--noninteractive")]
    [InlineData("/NonInteractive")]
    [InlineData("\u2013NonInteractive")]
    public void Pwsh_started_with_NonInteractive_in_any_of_its_spellings_asks_nobody_even_redirected(string spelling)
    {
        Assert.Equal(PersonToAsk.Nobody, PromptPolicy.WhoToAsk(Console("-NoProfile", spelling, "-File", "cred.ps1")));
        Assert.Equal(PersonToAsk.Nobody, PromptPolicy.WhoToAsk(Facts(new[] { spelling, "-c", "Get-AltimeterSession 1" }, outputRedirected: true)));
    }

    [Theory]
    [InlineData("-ExecutionPolicy", "Bypass", "-NonInteractive")]
    [InlineData("-wd", "/tmp", "-noni")]
    [InlineData("-ConfigurationName", "x", "-noni")]
    [InlineData("-OutputFormat", "Text", "-NonInteractive")]
    public void NonInteractive_after_a_switch_that_takes_a_value_counts(string name, string value, string nonInteractive)
    {
        Assert.True(PromptPolicy.IsNonInteractive(Console(name, value, nonInteractive, "-File", "cred.ps1").CommandLine));
    }

    [Theory]
    // A script's or a command's own arguments are not pwsh's.
    [InlineData("-File", "deploy.ps1", "-NonInteractive")]
    [InlineData("-f", "deploy.ps1", "-noni")]
    [InlineData("deploy.ps1", "-NonInteractive")]
    [InlineData("-Command", "./deploy.ps1", "-NonInteractive")]
    [InlineData("-c", "Get-AltimeterSession 111111111111 -noninteractive")]
    // Not a spelling of -NonInteractive: too short, or something else.
    [InlineData("-non")]
    [InlineData("-NonInteractiveX")]
    [InlineData("-NoLogo")]
    // Undone later on the line, as pwsh does.
    [InlineData("-NonInteractive", "-Interactive")]
    public void A_command_line_that_is_not_NonInteractive_for_pwsh_still_lets_a_person_be_asked(params string[] arguments)
    {
        var facts = Console(arguments);
        Assert.False(PromptPolicy.IsNonInteractive(facts.CommandLine));
        Assert.Equal(PersonToAsk.Host, PromptPolicy.WhoToAsk(facts));
    }

    [Fact]
    public void The_program_itself_is_not_read_as_a_switch()
    {
        Assert.False(PromptPolicy.IsNonInteractive(new[] { "-noni" }));
    }
}
