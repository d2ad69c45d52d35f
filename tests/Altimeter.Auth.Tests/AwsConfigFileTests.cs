using Altimeter.Auth;
using Xunit;

namespace Altimeter.Auth.Tests;

public sealed class AwsConfigFileTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("altimeter-config-file-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public void Settings_of_a_section_leave_out_comments_and_indented_sub_settings_and_later_lines_win()
    {
        var config = Write("[profile dev]\r\nregion = eu-west-1\n# region = us-east-1\n; sso_region = x\ns3 =\n  region = ap-south-1\nrole_arn=arn:aws:iam::1:role/a=b\n[profile other]\nregion = us-west-2\n[profile dev]\nregion = eu-central-1\n");

        var settings = AwsConfigFile.Read(config).Settings(words => words is ["profile", "dev"]);

        Assert.NotNull(settings);
        Assert.Equal("eu-central-1", settings["region"]);
        Assert.Equal("arn:aws:iam::1:role/a=b", settings["role_arn"]);
        Assert.Equal(string.Empty, settings["s3"]);
        Assert.Equal(new[] { "region", "role_arn", "s3" }, settings.Keys.OrderBy(k => k, StringComparer.Ordinal));
    }

    [Fact]
    public void Header_words_are_split_once_on_blanks_and_a_missing_section_is_null()
    {
        var config = Write("[  sso-session   my corp  ]\nsso_region = us-east-1\n");
        var file = AwsConfigFile.Read(config);

        Assert.Equal(new[] { "sso-session   my corp" }, file.Headers);
        Assert.Equal("us-east-1", file.Settings(words => words is ["sso-session", "my corp"])!["sso_region"]);
        Assert.Null(file.Settings(words => words[0] == "profile"));
    }

    [Fact]
    public void A_missing_file_or_a_directory_has_no_sections()
    {
        Assert.Empty(AwsConfigFile.Read(Path.Combine(_directory.FullName, "none")).Headers);
        Assert.Empty(AwsConfigFile.Read(_directory.FullName).Headers);
    }

    private string Write(string text)
    {
        var path = Path.Combine(_directory.FullName, "config");
        File.WriteAllText(path, text);
        return path;
    }
}
