using System;
using System.Diagnostics;
using System.Linq;
using System.Runtime.InteropServices;
using Altimeter.Auth;
using Xunit;

namespace Altimeter.Auth.Tests;

// The credential_process line is split by the AWS CLI (botocore's compat_shell_split: shlex.split on
// POSIX) and by SDKs that hand it to sh -c: each argument must come back whole from both.
public class CredentialProcessCommandLineTests
{
    private static readonly string[] s_awkward =
    {
        "/plain/path", "/with space/a b", "it's", "say \"hi\"", "back\\slash", "$HOME", "`id`", "a;b|c&d", "#not-a-comment", "*?[x]", "tab\there", "é-ü", "",
    };

    [Fact]
    public void Every_argument_comes_back_whole_from_pythons_shlex_split()
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return;
        var line = CredentialProcessCommandLine.Join(s_awkward.Prepend("prog"));

        var split = Run("python3", "-c", "import json,shlex,sys; print(json.dumps(shlex.split(sys.argv[1])))", line);

        Assert.Equal(s_awkward.Prepend("prog").ToArray(), Newtonsoft.Json.Linq.JArray.Parse(split).Select(t => (string)t!).ToArray());
    }

    [Fact]
    public void Every_argument_comes_back_whole_from_sh()
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return;
        var line = CredentialProcessCommandLine.Join(s_awkward);

        // Each argument on its own NUL-terminated record, as sh -c received it.
        var split = Run("sh", "-c", "printf '%s\\0' " + line);

        Assert.Equal(s_awkward, split.Split('\0').Take(s_awkward.Length).ToArray());
        Assert.Equal(s_awkward.Length, split.Count(c => c == '\0'));
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a b", "\"a b\"")]
    [InlineData("say \"hi\"", "\"say \\\"hi\\\"\"")]
    [InlineData("C:\\dir with space\\", "\"C:\\dir with space\\\\\"")]
    [InlineData("a\\\"b", "\"a\\\\\\\"b\"")]
    [InlineData("", "\"\"")]
    public void Windows_quoting_follows_the_C_runtime_rules(string argument, string quoted)
    {
        Assert.Equal(quoted, CredentialProcessCommandLine.QuoteForWindows(argument));
    }

    [Fact]
    public void A_line_break_cannot_reach_the_one_line_value()
    {
        Assert.Throws<ArgumentException>(() => CredentialProcessCommandLine.QuoteForPosix("a\nb"));
        Assert.Throws<ArgumentException>(() => CredentialProcessCommandLine.QuoteForWindows("a\rb"));
    }

    [Fact]
    public void The_pwsh_line_quotes_paths_for_PowerShell_too_typographic_quotes_included()
    {
        var line = CredentialProcessCommandLine.ForPowerShell(new[] { "/usr/bin/pwsh" }, "/m/it's/Altimeter.Auth.psd1", "123456789012", "/a/\u2019x.json", "eu-west-1");

        Assert.Contains("Import-Module '/m/it''s/Altimeter.Auth.psd1'", line, StringComparison.Ordinal);
        Assert.Contains("-Path '/a/\u2019\u2019x.json'", line, StringComparison.Ordinal);
        Assert.Contains("-Region 'eu-west-1'", line, StringComparison.Ordinal);
    }

    private static string Run(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return output;
    }
}
